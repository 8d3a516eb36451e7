/**
 * `wake` and `system-event`: what they queue shows up at the top of the main session's next prompt as
 * `System:` lines (seen by the fake model), once; presence reports update `system-presence`.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { FakeLlm } from "../fakes/llm.js";
import { connect, startTestGateway, waitFor, type TestGateway, refused } from "../helpers/gateway.js";
import type { GatewayClient } from "../../src/cli/client.js";

const timeout = 30_000;
const STAMP = String.raw`\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [^\]]+\]`;

describe("wake and system-event", () => {
  let llm: FakeLlm;
  let gw: TestGateway;
  let c: GatewayClient;
  const events: Array<{ event: string; payload: any }> = [];

  /** Sends a chat message to the main session and returns the user text the model received (its envelope header left out). */
  async function nextPrompt(text: string): Promise<string> {
    const calls = llm.requests.length;
    const runId = `run-${Math.random().toString(16).slice(2)}`;
    await c.request("chat.send", { sessionKey: "main", message: text, idempotencyKey: runId });
    await waitFor(
      () => events.some((e) => e.event === "chat" && e.payload.runId === runId && e.payload.state === "final"),
      10_000,
      "run end",
    );
    assert.equal(llm.requests.length, calls + 1);
    return llm.last.messages.at(-1)!.text.replace(/^\[WebChat [^\]]+\] /m, "");
  }

  before(async () => {
    llm = await FakeLlm.start("anthropic");
    gw = await startTestGateway({
      config: {
        gateway: { mode: "local" },
        models: { providers: { anthropic: { baseUrl: llm.baseUrl, models: [] } } },
        // Heartbeats off: what is queued waits for the session's next message.
        agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" }, heartbeat: { every: "0m" } } },
      },
      env: { ANTHROPIC_API_KEY: "k" },
    });
    c = await connect(gw.wsUrl, { onEvent: (event, payload) => events.push({ event, payload }) });
  });
  after(async () => {
    c?.close();
    await gw?.close();
    await llm?.close();
  });

  it("wake next-heartbeat: the text reaches the agent with the main session's next message, once", { timeout }, async () => {
    const res = await c.request<Record<string, unknown>>("wake", { mode: "next-heartbeat", text: "  Check the backups  " });
    assert.equal(res.ok, true);
    assert.equal(res.sessionKey, "agent:main:main");
    assert.equal(res.woke, false);
    assert.match(String(res.note), /no heartbeat runs in this gateway/);

    assert.match(await nextPrompt("hello"), new RegExp(`^System: ${STAMP} Check the backups\\n\\nhello$`));
    assert.equal(await nextPrompt("and now?"), "and now?", "drained: the next prompt has no System line");
  });

  it("wake now: queues, and says plainly that nothing could be woken", { timeout }, async () => {
    const res = await c.request<Record<string, unknown>>("wake", { mode: "now", text: "Deploy finished" });
    assert.deepEqual({ ok: res.ok, woke: res.woke }, { ok: true, woke: false });
    assert.match(
      String(res.note),
      /^queued for agent:main:main; no heartbeat runs in this gateway, so it reaches the agent with that session's next message$/,
    );
    await waitFor(() => gw.output.some((l) => l.includes("wake (now): nothing to wake, queued for agent:main:main")), 5000, "log line");
    // The same text again right after is not queued twice; a different one is.
    await c.request("wake", { mode: "now", text: "Deploy finished" });
    await c.request("wake", { mode: "next-heartbeat", text: "Disk at 91%" });
    const prompt = await nextPrompt("status?");
    assert.match(prompt, new RegExp(`^System: ${STAMP} Deploy finished\\nSystem: ${STAMP} Disk at 91%\\n\\nstatus\\?$`));
  });

  it("wake: blank text is not queued ({ok:false}); bad params are refused", { timeout }, async () => {
    assert.deepEqual(await c.request("wake", { mode: "now", text: "   " }), { ok: false });
    const bad = await refused(c.request("wake", { mode: "later", text: "x" }));
    assert.equal(bad.code, "INVALID_REQUEST");
    assert.match(bad.message, /^invalid wake params: mode/);
    const extra = await refused(c.request("wake", { mode: "now", text: "x", sessionKey: "main" }));
    assert.match(extra.message, /unknown key sessionKey/);
    assert.equal(await nextPrompt("clean?"), "clean?");
  });

  it("system-event: queues the text, updates presence and broadcasts it; admin only", { timeout }, async () => {
    const writer = await connect(gw.wsUrl, { scopes: ["operator.write"] });
    try {
      const forbidden = await refused(writer.request("system-event", { text: "hi" }));
      assert.equal(forbidden.code, "FORBIDDEN");
    } finally {
      writer.close();
    }
    const missing = await refused(c.request("system-event", { host: "x" }));
    assert.deepEqual(missing, { code: "INVALID_REQUEST", message: "text required" });

    const seen = events.length;
    assert.deepEqual(
      await c.request("system-event", {
        text: "Backup job finished",
        host: "nas",
        platform: "linux 6.1",
        deviceFamily: "Linux",
        roles: ["node"],
      }),
      { ok: true },
    );
    const presence = await c.request<any[]>("system-presence", {});
    const entry = presence.find((p) => p.text === "Backup job finished");
    assert.ok(entry, JSON.stringify(presence));
    assert.equal(entry.host, "nas");
    assert.equal(entry.platform, "linux 6.1");
    assert.deepEqual(entry.roles, ["node"]);
    await waitFor(
      () => events.slice(seen).some((e) => e.event === "presence" && e.payload.presence.some((p: any) => p.text === "Backup job finished")),
      5000,
      "presence event",
    );
    assert.match(await nextPrompt("anything new?"), new RegExp(`^System: ${STAMP} Backup job finished\\n\\nanything new\\?$`));
  });

  it("system-event Node: lines: queued when something changed, merged into the sender's own presence entry", { timeout }, async () => {
    const app = await connect(gw.wsUrl, {
      connect: { client: { id: "openclaw-macos", version: "2.1", platform: "macos 15", mode: "ui", instanceId: "Studio-1" } },
    });
    try {
      const line = "Node: studio (10.0.0.5) · app 2.1 · last input 3s ago · mode ui · reason connect";
      await app.request("system-event", { text: line, instanceId: "studio-1" });
      const mine = (await c.request<any[]>("system-presence", {})).filter((p) => p.instanceId?.toLowerCase() === "studio-1");
      assert.equal(mine.length, 1, "one entry for the app: its connection's");
      assert.equal(mine[0].ip, "10.0.0.5");
      assert.equal(mine[0].lastInputSeconds, 3);
      assert.equal(mine[0].text, line);

      // A periodic report with nothing new is not worth telling the agent.
      await app.request("system-event", { text: line.replace("reason connect", "reason periodic"), instanceId: "studio-1" });
      // A new app version is.
      await app.request("system-event", {
        text: line.replace("app 2.1", "app 2.2").replace("reason connect", "reason periodic"),
        instanceId: "studio-1",
      });
      const prompt = await nextPrompt("hi");
      assert.match(
        prompt,
        // Version, mode and reason were already known from the app's connection: only the new host and address are news.
        new RegExp(`^System: ${STAMP} Node: studio \\(10\\.0\\.0\\.5\\)\\nSystem: ${STAMP} app 2\\.2\\n\\nhi$`),
      );
    } finally {
      app.close();
    }
  });
});
