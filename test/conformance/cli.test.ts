/**
 * The original openclaw@2026.1.29 CLI against this gateway, run as an owner runs it: on the gateway's
 * host (`c.cli`: the same state dir and `openclaw.json`; it finds the gateway through `gateway.port`
 * and authenticates with OPENCLAW_GATEWAY_TOKEN; commands that read local state need this), or from
 * another machine (`c.remoteCli`: `gateway.mode` remote with `gateway.remote.url` and `.token`).
 * Each test checks what the command prints, not only that it exits 0.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { chatClient } from "../helpers/agents.js";
import {
  MODEL,
  TOKEN,
  assertExitsOk,
  assertPrints,
  assertPrintsNot,
  parseJson,
  refSkip,
  replyTo,
  startConformanceGateway,
  type ConformanceGateway,
} from "./reference.js";

const skip = refSkip;
/** Each command starts Node 22 and loads the whole original CLI: seconds, more on a busy machine. */
const timeout = 200_000;

describe("original CLI against this gateway", () => {
  let c: ConformanceGateway;
  before(
    async () => {
      if (skip) return;
      c = await startConformanceGateway();
      // Some history, so the session and usage views have something to show.
      const { client, send } = await chatClient(c.gw, { token: TOKEN });
      try {
        const r = await send("warm up");
        assert.equal(r.state, "final", `warm-up run: ${r.errorMessage ?? ""}`);
      } finally {
        client.close();
      }
    },
    { timeout },
  );
  after(() => c?.close(), { timeout });

  it("health prints the agents, the session store and the Telegram account", { skip, timeout }, async () => {
    const r = await c.cli(["health"]);
    assertExitsOk(r, "health");
    assertPrints(r, /^Agents: main \(default\)$/m, "the agent list");
    const store = path.join(c.stateDir, "agents/main/sessions/sessions.json");
    const entries = new RegExp(`^Session store \\(main\\): ${escape(store)} \\([1-9]\\d* entr(y|ies)\\)$`, "m");
    assertPrints(r, entries, "the main agent's session store (health agents[].sessions.path and .count)");
    assertPrints(r, /^Telegram: (configured|ok)\b/m, "the Telegram line (health channels.telegram, channelOrder)");
  });

  it("health --json is the gateway's health snapshot", { skip, timeout }, async () => {
    const r = await c.cli(["health", "--json"]);
    assertExitsOk(r, "health --json");
    const h = parseJson(r);
    assert.equal(h.ok, true);
    assert.equal(h.defaultAgentId, "main");
    assert.equal(typeof h.sessions?.path, "string", "health.sessions.path (a string) is missing");
    assert.ok(h.sessions.count >= 1, "health.sessions.count counts the warm-up session");
    assert.ok(Array.isArray(h.sessions.recent), "health.sessions.recent[] is missing");
    const main = h.agents.find((a: any) => a.agentId === "main");
    assert.equal(main?.isDefault, true);
    assert.equal(typeof main?.sessions?.path, "string", "health.agents[].sessions.path is missing");
    assert.ok(h.channelOrder.includes("telegram"), `health.channelOrder does not list telegram: ${JSON.stringify(h.channelOrder)}`);
    assert.equal(h.channels.telegram?.configured, true, `health.channels.telegram.configured is not true: ${JSON.stringify(h.channels)}`);
  });

  it("status --deep shows the gateway reachable with its own presence and the Telegram probe", { skip, timeout }, async () => {
    const r = await c.cli(["status", "--deep"]);
    assertExitsOk(r, "status --deep");
    assertPrintsNot(r, /unreachable|TypeError/, "status --deep");
    const target = `local · ws://127\\.0\\.0\\.1:${c.port} \\(local loopback\\) · reachable \\d+ms · auth token`;
    assertPrints(r, new RegExp(target), "the Gateway row (probe: health, status, system-presence, config.get)");
    // After the auth, the gateway's own presence entry: host (ip) app version platform.
    assertPrints(
      r,
      new RegExp(`${target} · \\S`),
      "the gateway's self presence in the Gateway row (system-presence entry with mode gateway, reason self)",
    );
    assertPrints(r, /Probes\s+│\s+enabled/, "the Probes row");
    // The Health table comes from the `health` method called with { probe: true }.
    assertPrints(r, /│ Gateway\s+│ reachable\s+│ \d+ms/, "the Health table's Gateway row");
    assertPrints(r, /│ Telegram\s+│ (OK|WARN)\s+│/, "the Health table's Telegram row (health channels.telegram)");
    // Its Sessions table reads the gateway's session store: tokens of the model's 100k context window.
    assertPrints(
      r,
      /│ agent:main:main\s+│ direct\s+│[^│]+│ fake-model\s+│ [\d.]+k\/100k \(\d+%\)/,
      "the Sessions row: tokens of the 100k context window (sessions.json contextTokens)",
    );
  });

  it("agent --agent main --message hi prints the model's reply", { skip, timeout }, async () => {
    const before = c.llm.requests.length;
    const r = await c.remoteCli(["agent", "--agent", "main", "--message", "hi"]);
    // On a gateway failure the original quietly runs the agent itself; that is not a pass.
    assertPrintsNot(r, /Gateway agent failed.*/, "agent fell back to running the agent in the CLI");
    assertExitsOk(r, "agent");
    assert.equal(
      r.stdout.trim(),
      replyTo("hi"),
      `agent printed ${JSON.stringify(r.stdout.trim())}, not the reply (agent final result.payloads[].text)`,
    );
    assert.equal(c.llm.requests.length, before + 1, "one model call, made by the gateway");
  });

  it("agent --json returns the run with its payloads and agent meta", { skip, timeout }, async () => {
    const r = await c.remoteCli(["agent", "--agent", "main", "--message", "hi again", "--json"]);
    assertPrintsNot(r, /Gateway agent failed.*/, "agent fell back to running the agent in the CLI");
    assertExitsOk(r, "agent --json");
    const res = parseJson(r);
    assert.equal(typeof res.runId, "string");
    assert.equal(res.status, "ok");
    assert.equal(res.summary, "completed");
    assert.deepEqual(
      res.result?.payloads?.map((p: any) => p.text),
      [replyTo("hi again")],
      `result.payloads[].text is not the reply; result: ${JSON.stringify(res.result)}`,
    );
    assert.equal(
      res.result.meta?.agentMeta?.provider,
      MODEL.provider,
      `result.meta.agentMeta.provider: ${JSON.stringify(res.result.meta)}`,
    );
    assert.equal(res.result.meta.agentMeta.model, MODEL.id, "result.meta.agentMeta.model");
    assert.equal(typeof res.result.meta.agentMeta.sessionId, "string", "result.meta.agentMeta.sessionId");
    assert.equal(typeof res.result.meta.durationMs, "number", "result.meta.durationMs");
  });

  it("sessions reads the gateway's session store", { skip, timeout }, async () => {
    const r = await c.cli(["sessions"]);
    assertExitsOk(r, "sessions");
    assertPrints(r, /^Sessions listed: [1-9]\d*$/m, "the session count");
    // Kind, key, age, model, tokens used of the model's context window (100k) with a sane percentage.
    assertPrints(
      r,
      /^direct\s+agent:main:main\s+.+\s+fake-model\s+\d+(\.\d)?k\/100k \((\d|[1-9]\d)%\)/m,
      "the main session's row: tokens of the 100k context window (sessions.json contextTokens is the model's context window)",
    );
  });

  it("channels status lists the Telegram account from the gateway", { skip, timeout }, async () => {
    const r = await c.cli(["channels", "status"]);
    assertExitsOk(r, "channels status");
    assertPrints(r, /^Gateway reachable\.$/m, "reachability");
    assertPrints(
      r,
      /^- Telegram default: enabled, configured, running\b/m,
      "the Telegram account (channels.status channelAccounts.telegram)",
    );
  });

  it("logs prints the gateway's log file", { skip, timeout }, async () => {
    const r = await c.remoteCli(["logs", "--limit", "200"]);
    assertExitsOk(r, "logs");
    assertPrints(r, new RegExp(`^Log file: ${escape(path.join(c.stateDir, "logs", "openclaw.log"))}$`, "m"), "the log file's path");
    assertPrints(r, /^\S+Z info .*listening on ws:\/\/127\.0\.0\.1:\d+/m, "the gateway's start-up line");
    // The file is far smaller than --max-bytes: nothing was cut off.
    assertPrintsNot(r, /Log tail truncated.*/, "logs.tail says truncated for a file smaller than maxBytes");
  });

  it("devices list shows this CLI as a paired operator device", { skip, timeout }, async () => {
    const r = await c.remoteCli(["devices", "list", "--json"]);
    assertExitsOk(r, "devices list --json");
    const list = parseJson(r);
    assert.ok(Array.isArray(list.pending), "pending[]");
    const cli = list.paired?.find((d: any) => d.clientId === "cli");
    assert.ok(cli, `no paired device with clientId cli: ${r.stdout.slice(0, 2000)}`);
    assert.match(cli.deviceId, /^[0-9a-f]{64}$/);
    assert.ok(cli.roles?.includes("operator"), JSON.stringify(cli));
    const table = await c.remoteCli(["devices", "list"]);
    assertExitsOk(table, "devices list");
    assertPrints(table, /^Paired \([1-9]\d*\)$/m, "the paired devices table");
  });

  it("system event --text is queued for the main session's next turn", { skip, timeout }, async () => {
    const text = "conformance: check the backups";
    const r = await c.remoteCli(["system", "event", "--text", text]);
    assertExitsOk(r, "system event");
    assert.equal(r.stdout.trim(), "ok", `system event printed ${JSON.stringify(r.stdout.trim())}`);
    const { client, send } = await chatClient(c.gw, { token: TOKEN });
    try {
      const out = await send("anything new?", "main");
      assert.equal(out.state, "final", out.errorMessage);
    } finally {
      client.close();
    }
    const prompt = JSON.stringify(c.llm.requests.at(-1)?.messages ?? []);
    assert.ok(prompt.includes(text), `the next turn's prompt does not carry the event: ${prompt.slice(-800)}`);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
