/**
 * The payloads OpenClaw 2026.1.29's clients read, checked against the runtime's shapes
 * (src/gateway/protocol/results.ts): hello-ok, health and its broadcast, status, sessions, models,
 * channels, logs, presence, chat and agent events, and the final `agent` response its CLI prints.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import type * as z from "zod";
import {
  AgentEventSchema,
  AgentFinalSchema,
  AgentsListResultSchema,
  ChannelsStatusResultSchema,
  ChatEventSchema,
  HealthSnapshotSchema,
  HelloOkSchema,
  LogsTailResultSchema,
  ModelsListResultSchema,
  PresenceEntrySchema,
  SessionsListResultSchema,
  SessionsPreviewResultSchema,
  StatusSummarySchema,
} from "../../src/gateway/protocol/results.js";
import { chatClient, startAgentGateway, startFakes, type Fakes } from "../helpers/agents.js";
import { connect, tmpDir, writeConfig, type TestGateway } from "../helpers/gateway.js";
import { fakeConfig } from "../helpers/agents.js";

function conforms<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  assert.ok(r.success, `${what} does not match the runtime's shape: ${r.success ? "" : JSON.stringify(r.error.issues.slice(0, 5))}`);
  return r.data;
}

/** Sends `agent` on a raw socket and returns both responses (accepted, then final), as OpenClaw's CLI reads them. */
async function agentCall(gw: TestGateway, params: Record<string, unknown>): Promise<{ ack: any; final: any }> {
  const ws = new WebSocket(gw.wsUrl);
  const frames: any[] = [];
  const waiters: Array<() => void> = [];
  ws.on("message", (d) => {
    frames.push(JSON.parse(String(d)));
    waiters.splice(0).forEach((w) => w());
  });
  const waitFor = async (pred: (f: any) => boolean) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const hit = frames.find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no frame arrived: ${JSON.stringify(frames.slice(-3))}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
  };
  try {
    await waitFor((f) => f.event === "connect.challenge");
    ws.send(
      JSON.stringify({
        type: "req",
        id: "c",
        method: "connect",
        params: {
          minProtocol: 3,
          maxProtocol: 3,
          client: { id: "cli", version: "1", platform: "linux", mode: "cli" },
          role: "operator",
          scopes: ["operator.admin"],
        },
      }),
    );
    await waitFor((f) => f.id === "c");
    ws.send(JSON.stringify({ type: "req", id: "a", method: "agent", params }));
    const ack = await waitFor((f) => f.id === "a");
    const final = await waitFor((f) => f.id === "a" && f !== ack);
    return { ack, final };
  } finally {
    ws.close();
  }
}

describe("wire shapes of 2026.1.29", () => {
  let f: Fakes;
  let gw: TestGateway;
  before(async () => {
    f = await startFakes();
    gw = await startAgentGateway(f);
  });
  after(async () => {
    await gw?.close();
    await f?.close();
  });

  it("hello-ok, health (with its broadcast), status and presence", { timeout: 20_000 }, async () => {
    const c = await chatClient(gw, { clientId: "openclaw-control-ui", mode: "ui" } as never);
    try {
      const hello = conforms(HelloOkSchema, c.client.hello, "hello-ok");
      for (const e of ["chat", "agent", "health", "presence", "tick"]) assert.ok(hello.features.events.includes(e), e);
      await c.send("hi");
      const health = conforms(HealthSnapshotSchema, await c.client.request("health"), "health");
      assert.equal(health.agents[0]!.sessions.count, 1);
      assert.equal(health.sessions.recent[0]!.key, "agent:main:main");
      assert.ok(health.sessions.path.endsWith(path.join("agents", "main", "sessions", "sessions.json")));
      assert.equal(health.agents[0]!.heartbeat.enabled, true, "the default agent's heartbeat runs, and health says so");
      assert.equal(health.agents[0]!.heartbeat.every, "30m");
      assert.equal(health.heartbeatSeconds, 1800);
      assert.deepEqual(health.channelOrder, ["telegram", "whatsapp", "discord", "slack", "signal"]);
      assert.ok(
        c.events.some((e) => e.event === "health"),
        "a health call is broadcast to clients that follow health",
      );

      const status = conforms(StatusSummarySchema, await c.client.request("status"), "status");
      assert.equal(status.sessions.count, 1);
      assert.equal(status.sessions.defaults.model, "claude-opus-4-5");
      assert.ok((status.sessions.recent[0] as any).flags.some((fl: string) => fl.startsWith("id:")));
      assert.deepEqual(status.channelSummary, [
        "Telegram: not configured",
        "WhatsApp: not configured",
        "Discord: not configured",
        "Slack: not configured",
        "Signal: not configured",
      ]);

      const presence = (await c.client.request<any[]>("system-presence")).map((p) => conforms(PresenceEntrySchema, p, "presence entry"));
      const self = presence.find((p) => p.reason === "self");
      assert.match(self?.text ?? "", /^Gateway: .* · app .* · mode gateway · reason self$/);
      const ui = presence.find((p) => p.host === "openclaw-control-ui");
      assert.match(ui?.text ?? "", /^Node: openclaw-control-ui · mode ui$/);
    } finally {
      c.client.close();
    }
  });

  it("chat and agent events, and the key the client sent is echoed", { timeout: 20_000 }, async () => {
    const c = await chatClient(gw);
    try {
      const out = await c.send("echo me", "main");
      assert.equal(out.state, "final");
      const chats = c.events.filter((e) => e.event === "chat");
      assert.ok(chats.length > 0);
      for (const e of chats) {
        conforms(ChatEventSchema, e.payload, "chat event");
        assert.equal(e.payload.sessionKey, "main", "chat events carry the key as the client wrote it");
      }
      for (const e of c.events.filter((e) => e.event === "agent")) conforms(AgentEventSchema, e.payload, "agent event");
    } finally {
      c.client.close();
    }
  });

  it("the final agent response carries payloads and meta", { timeout: 20_000 }, async () => {
    f.anthropic.enqueue({ text: "the reply" });
    const { ack, final } = await agentCall(gw, { message: "hello", sessionKey: "agent:main:cli", idempotencyKey: randomUUID() });
    assert.equal(ack.payload.status, "accepted");
    const p = conforms(AgentFinalSchema, final.payload, "agent final");
    assert.deepEqual(
      p.result.payloads.map((x) => x.text),
      ["the reply"],
    );
    assert.equal(p.result.meta.agentMeta.provider, "anthropic");
    assert.equal(p.result.meta.agentMeta.model, "claude-opus-4-5");
    assert.ok(p.result.meta.agentMeta.sessionId);
  });

  it("sessions.list, sessions.preview, models.list, agents.list, channels.status and logs.tail", { timeout: 20_000 }, async () => {
    const c = await connect(gw.wsUrl);
    try {
      const list = conforms(
        SessionsListResultSchema,
        await c.request("sessions.list", { includeDerivedTitles: true, includeLastMessage: true }),
        "sessions.list",
      );
      const main = list.sessions.find((s) => s.key === "agent:main:main") as any;
      assert.equal(main.derivedTitle, "hi");
      assert.equal(main.lastMessagePreview, "echo: echo me");
      assert.equal(main.contextTokens, 200_000);
      await assert.rejects(c.request("sessions.list", { bogus: 1 }), /invalid sessions.list params/);
      conforms(SessionsPreviewResultSchema, await c.request("sessions.preview", { keys: ["main", "agent:main:none"] }), "sessions.preview");
      const models = conforms(ModelsListResultSchema, await c.request("models.list"), "models.list");
      assert.ok(models.models.some((m) => m.id === "claude-opus-4-5" && m.input.includes("text")));
      conforms(AgentsListResultSchema, await c.request("agents.list"), "agents.list");
      const ch = conforms(ChannelsStatusResultSchema, await c.request("channels.status"), "channels.status");
      assert.deepEqual(
        ch.channelMeta?.map((m) => m.id),
        ["telegram", "whatsapp", "discord", "slack", "signal"],
      );
      assert.equal(ch.channelDetailLabels?.telegram, "Telegram Bot");
      const tail = conforms(LogsTailResultSchema, await c.request("logs.tail", {}), "logs.tail");
      assert.equal(tail.reset, false);
      assert.equal(typeof tail.truncated, "boolean");
    } finally {
      c.close();
    }
  });
});

describe("session entries from an earlier version of this gateway", () => {
  it("are migrated to OpenClaw's fields on load, nothing lost", { timeout: 20_000 }, async () => {
    const f = await startFakes();
    const stateDir = tmpDir();
    const dir = path.join(stateDir, "agents", "main", "sessions");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, "sessions.json"),
      JSON.stringify({
        "agent:main:main": {
          sessionId: "old-1",
          updatedAt: Date.now() - 1000,
          inputTokens: 5000,
          outputTokens: 700,
          cacheReadTokens: 40,
          cacheWriteTokens: 2,
          totalTokens: 5742,
          contextTokens: 1234,
          costUsd: 0.5,
          lastModel: "anthropic/claude-opus-4-5",
          lastProvider: "anthropic",
          label: "kept",
        },
      }),
    );
    writeConfig(stateDir, fakeConfig(f));
    const gw = await startAgentGateway(f, {}, { stateDir });
    try {
      const c = await chatClient(gw);
      const row = ((await c.client.request<any>("sessions.list", {})).sessions as any[]).find((s) => s.key === "agent:main:main");
      assert.equal(row.model, "claude-opus-4-5");
      assert.equal(row.modelProvider, "anthropic");
      assert.equal(row.totalTokens, 1234, "the last context use moves to totalTokens");
      assert.deepEqual(row.usageTotals, { input: 5000, output: 700, cacheRead: 40, cacheWrite: 2, total: 5742 });
      assert.equal(row.label, "kept");
      await c.send("more");
      await gw.close();
      const stored = JSON.parse(fs.readFileSync(path.join(dir, "sessions.json"), "utf8"))["agent:main:main"];
      assert.equal(stored.lastModel, undefined);
      assert.equal(stored.model, "claude-opus-4-5");
      assert.equal(stored.contextTokens, 200_000, "contextTokens is the model's window");
      assert.ok(stored.usageTotals.input > 5000, "lifetime totals keep counting");
      assert.ok(stored.costUsd >= 0.5);
      c.client.close();
    } finally {
      await gw.close();
      await f.close();
    }
  });
});

describe("channels.logout", () => {
  it("removes the account's token from the config and stops it", { timeout: 20_000 }, async () => {
    const f = await startFakes();
    const stateDir = tmpDir();
    const gw = await startAgentGateway(f, {}, { stateDir });
    try {
      const file = path.join(stateDir, "openclaw.json");
      const cfg = JSON.parse(fs.readFileSync(file, "utf8"));
      cfg.channels = { telegram: { enabled: false, botToken: "123:abc", dmPolicy: "pairing" } };
      fs.writeFileSync(file, JSON.stringify(cfg));
      const c = await connect(gw.wsUrl);
      await c.request("config.get");
      const r = await c.request<any>("channels.logout", { channel: "telegram" });
      assert.deepEqual(r, { channel: "telegram", accountId: "default", cleared: true, envToken: false, loggedOut: true });
      const after = JSON.parse(fs.readFileSync(file, "utf8"));
      assert.equal(after.channels.telegram.botToken, undefined);
      assert.equal(after.channels.telegram.dmPolicy, "pairing", "the rest of the channel's config stays");
      await assert.rejects(c.request("channels.logout", { channel: "fax" }), /invalid channels.logout channel/);
      c.close();
    } finally {
      await gw.close();
      await f.close();
    }
  });
});
