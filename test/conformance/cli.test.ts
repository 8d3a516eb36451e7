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
  parseJson,
  refSkip,
  replyTo,
  runOriginalCli,
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
    assert.equal(r.code, 0, r.output);
    assert.match(r.stdout, /^Agents: main \(default\)$/m, r.output);
    const store = path.join(c.stateDir, "agents/main/sessions/sessions.json");
    assert.match(r.stdout, new RegExp(`^Session store \\(main\\): ${escape(store)} \\([1-9]\\d* entr(y|ies)\\)$`, "m"), r.output);
    assert.match(r.stdout, /^Telegram: (configured|ok)\b/m, r.output);
    assert.doesNotMatch(r.output, /TypeError|Cannot read properties/, r.output);
  });

  it("health --json is the gateway's health snapshot", { skip, timeout }, async () => {
    const r = await c.cli(["health", "--json"]);
    assert.equal(r.code, 0, r.output);
    const h = parseJson(r);
    assert.equal(h.ok, true);
    assert.equal(h.defaultAgentId, "main");
    assert.equal(typeof h.sessions?.path, "string", "health.sessions.path (the CLI prints it)");
    assert.ok(h.sessions.count >= 1, "health.sessions.count counts the warm-up session");
    const main = h.agents.find((a: any) => a.agentId === "main");
    assert.equal(main?.isDefault, true);
    assert.equal(typeof main?.sessions?.path, "string", "health.agents[].sessions.path");
    assert.ok(h.channelOrder.includes("telegram"), `health.channelOrder lists telegram: ${JSON.stringify(h.channelOrder)}`);
    assert.equal(h.channels.telegram?.configured, true, `health.channels.telegram: ${JSON.stringify(h.channels)}`);
  });

  it("status --deep shows the gateway reachable with its own presence and the Telegram probe", { skip, timeout }, async () => {
    const r = await c.cli(["status", "--deep"]);
    assert.equal(r.code, 0, r.output);
    // Overview: target, reachability, auth, then the gateway's self presence (host, ip, version, platform).
    assert.match(
      r.stdout,
      new RegExp(`local · ws://127\\.0\\.0\\.1:${c.port} \\(local loopback\\) · reachable \\d+ms · auth token · \\S`),
      r.output,
    );
    assert.match(r.stdout, /Probes\s+│\s+enabled/, r.output);
    // The Health table comes from the `health` method called with { probe: true }.
    assert.match(r.stdout, /│ Gateway\s+│ reachable\s+│ \d+ms/, r.output);
    assert.match(r.stdout, /│ Telegram\s+│ (OK|WARN)\s+│/, r.output);
    // Its Sessions table reads the gateway's session store: tokens of the model's 100k context window.
    assert.match(r.stdout, /│ agent:main:main\s+│ direct\s+│[^│]+│ fake-model\s+│ [\d.]+k\/100k \(\d+%\)/, r.output);
    assert.doesNotMatch(r.output, /unreachable|TypeError/, r.output);
  });

  it("agent --agent main --message hi prints the model's reply", { skip, timeout }, async () => {
    const before = c.llm.requests.length;
    const r = await c.remoteCli(["agent", "--agent", "main", "--message", "hi"]);
    // On a gateway failure the original quietly runs the agent itself; that is not a pass.
    assert.doesNotMatch(r.stderr, /Gateway agent failed/, r.output);
    assert.equal(r.code, 0, r.output);
    assert.equal(r.stdout.trim(), replyTo("hi"), r.output);
    assert.equal(c.llm.requests.length, before + 1, "one model call, made by the gateway");
  });

  it("agent --json returns the run with its payloads and agent meta", { skip, timeout }, async () => {
    const r = await c.remoteCli(["agent", "--agent", "main", "--message", "hi again", "--json"]);
    assert.doesNotMatch(r.stderr, /Gateway agent failed/, r.output);
    assert.equal(r.code, 0, r.output);
    const res = parseJson(r);
    assert.equal(typeof res.runId, "string");
    assert.equal(res.status, "ok");
    assert.equal(res.summary, "completed");
    assert.deepEqual(
      res.result?.payloads?.map((p: any) => p.text),
      [replyTo("hi again")],
      `result.payloads[].text: ${JSON.stringify(res.result)}`,
    );
    assert.equal(res.result.meta?.agentMeta?.provider, MODEL.provider, `result.meta.agentMeta: ${JSON.stringify(res.result.meta)}`);
    assert.equal(res.result.meta.agentMeta.model, MODEL.id);
    assert.equal(typeof res.result.meta.agentMeta.sessionId, "string");
    assert.equal(typeof res.result.meta.durationMs, "number");
  });

  it("sessions reads the gateway's session store", { skip, timeout }, async () => {
    const r = await c.cli(["sessions"]);
    assert.equal(r.code, 0, r.output);
    assert.match(r.stdout, /^Sessions listed: [1-9]\d*$/m, r.output);
    // Kind, key, age, model, tokens used of the model's context window (100k) with a sane percentage.
    const row = r.stdout.split("\n").find((l) => /\bagent:main:main\b/.test(l));
    assert.ok(row, r.output);
    assert.match(row, /^direct\s+agent:main:main\s+.+\s+fake-model\s+\d+(\.\d)?k\/100k \((\d|[1-9]\d)%\)/, r.output);
  });

  it("channels status lists the Telegram account from the gateway", { skip, timeout }, async () => {
    const r = await c.cli(["channels", "status"]);
    assert.equal(r.code, 0, r.output);
    assert.match(r.stdout, /^Gateway reachable\.$/m, r.output);
    assert.match(r.stdout, /^- Telegram default: enabled, configured, running\b/m, r.output);
  });

  it("logs prints the gateway's log file", { skip, timeout }, async () => {
    const r = await c.remoteCli(["logs", "--limit", "200"]);
    assert.equal(r.code, 0, r.output);
    assert.match(r.stdout, new RegExp(`^Log file: ${escape(path.join(c.stateDir, "logs", "openclaw.log"))}$`, "m"), r.output);
    assert.match(r.stdout, /^\S+Z info .*listening on ws:\/\/127\.0\.0\.1:\d+/m, r.output);
    // The file is far smaller than --max-bytes: nothing was cut off.
    assert.doesNotMatch(r.output, /Log tail truncated/, r.output);
  });

  it("devices list shows this CLI as a paired operator device", { skip, timeout }, async () => {
    const r = await c.remoteCli(["devices", "list", "--json"]);
    assert.equal(r.code, 0, r.output);
    const list = parseJson(r);
    assert.ok(Array.isArray(list.pending), "pending[]");
    const cli = list.paired?.find((d: any) => d.clientId === "cli");
    assert.ok(cli, `a paired device with clientId cli: ${r.stdout.slice(0, 2000)}`);
    assert.match(cli.deviceId, /^[0-9a-f]{64}$/);
    assert.ok(cli.roles?.includes("operator"), JSON.stringify(cli));
    const table = await c.remoteCli(["devices", "list"]);
    assert.equal(table.code, 0, table.output);
    assert.match(table.stdout, /^Paired \([1-9]\d*\)$/m, table.output);
  });

  it("system event --text is queued for the main session's next turn", { skip, timeout }, async () => {
    const text = "conformance: check the backups";
    const r = await c.remoteCli(["system", "event", "--text", text]);
    assert.equal(r.code, 0, r.output);
    assert.equal(r.stdout.trim(), "ok", r.output);
    const { client, send } = await chatClient(c.gw, { token: TOKEN });
    try {
      const out = await send("anything new?", "main");
      assert.equal(out.state, "final", out.errorMessage);
    } finally {
      client.close();
    }
    const prompt = JSON.stringify(c.llm.requests.at(-1)?.messages ?? []);
    assert.ok(prompt.includes(text), `the next turn's prompt carries the event: ${prompt.slice(-800)}`);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
