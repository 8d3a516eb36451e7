/**
 * Tools that reach the gateway, end to end: a fake model asks for them, the real gateway runs them.
 * `exec` on the gateway host waits for the owner's approval (from a second operator client, or from
 * Telegram with /approve when no operator is connected), an allowlist entry cannot be stretched over
 * a chained command, and `message` and the session tools reach chats and sessions.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { FakeLlm } from "../fakes/llm.js";
import { FakeTelegram } from "../fakes/telegram.js";
import { connect, startTestGateway, tmpDir, waitFor, type TestGateway } from "../helpers/gateway.js";
import { chatClient } from "../helpers/agents.js";

const T = { timeout: 30_000 };
const OWNER = { id: 7101, username: "owner", first_name: "Olivia" };

describe("tools that reach the gateway", () => {
  let llm: FakeLlm;
  let tg: FakeTelegram;
  let gw: TestGateway;
  let ws: string;
  before(async () => {
    llm = await FakeLlm.start("anthropic");
    tg = await FakeTelegram.start();
    ws = tmpDir("oc-gwtools-ws-");
    gw = await startTestGateway({
      config: {
        gateway: { mode: "local" },
        models: { providers: { anthropic: { baseUrl: llm.baseUrl, models: [] } } },
        agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" }, workspace: ws } },
        tools: { exec: { host: "gateway", security: "allowlist", ask: "on-miss" }, agentToAgent: { enabled: true } },
        channels: { telegram: { apiRoot: tg.apiRoot, allowFrom: [`@${OWNER.username}`] } },
      },
      env: { ANTHROPIC_API_KEY: "k", TELEGRAM_BOT_TOKEN: tg.token, OPENCLAW_TELEGRAM_POLL_TIMEOUT: "1" },
    });
    await waitFor(() => gw.output.some((l) => /\[telegram\] logged in to telegram as @/.test(l)), 10_000, "telegram login");
  });
  after(async () => {
    await gw.close();
    await tg.close();
    await llm.close();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it("exec under ask on-miss waits for an operator: allow-once runs it and the output reaches the model", T, async () => {
    const c = await chatClient(gw);
    const approver = await connect(gw.wsUrl, {
      onEvent: (event, payload: any) => {
        if (event !== "exec.approval.requested") return;
        seen.push(payload);
        void approver.request("exec.approval.resolve", { id: payload.id, decision: "allow-once" });
      },
    });
    const seen: any[] = [];
    llm.enqueue({ toolCalls: [{ name: "exec", arguments: { command: "echo approved-output" } }] }, { text: "ran it" });
    const out = await c.send("run echo", "agent:main:exec-allow");
    assert.equal(out.text, "ran it");
    assert.equal(seen.length, 1, "one approval was asked for");
    assert.equal(seen[0].request.command, "echo approved-output");
    assert.equal(seen[0].request.agentId, "main");
    assert.ok(seen[0].request.cwd, "the prompt names the working directory");
    assert.match(llm.requests.at(-1)!.toolResults.at(-1)!.content, /approved-output/);
    approver.close();
    c.client.close();
  });

  it("a deny stops it, and an allowlist entry for one binary does not cover `a; rm -rf x`", T, async () => {
    fs.mkdirSync(path.join(ws, "x"), { recursive: true });
    const admin = await connect(gw.wsUrl);
    const snap: any = await admin.request("exec.approvals.get", {});
    const echo = fs.existsSync("/bin/echo") ? "/bin/echo" : "/usr/bin/echo";
    await admin.request("exec.approvals.set", {
      baseHash: snap.hash,
      file: { version: 1, agents: { main: { allowlist: [{ pattern: echo }, { pattern: "/usr/bin/echo" }] } } },
    });
    const asked: any[] = [];
    const approver = await connect(gw.wsUrl, {
      onEvent: (event, payload: any) => {
        if (event !== "exec.approval.requested") return;
        asked.push(payload);
        void approver.request("exec.approval.resolve", { id: payload.id, decision: "deny" });
      },
    });
    const c = await chatClient(gw);
    llm.enqueue({ toolCalls: [{ name: "exec", arguments: { command: "echo a; rm -rf x" } }] }, { text: "stopped" });
    const out = await c.send("clean up", "agent:main:exec-deny");
    assert.equal(out.text, "stopped");
    assert.equal(asked.length, 1, "the chained command was put to the owner, not let through by the echo entry");
    assert.match(llm.requests.at(-1)!.toolResults.at(-1)!.content, /denied/i);
    assert.ok(fs.existsSync(path.join(ws, "x")), "nothing was removed");

    // The allowlisted binary alone runs without asking.
    llm.enqueue({ toolCalls: [{ name: "exec", arguments: { command: "echo listed" } }] }, { text: "ok" });
    await c.send("echo", "agent:main:exec-deny");
    assert.equal(asked.length, 1, "no approval for an allowlisted command");
    assert.match(llm.requests.at(-1)!.toolResults.at(-1)!.content, /listed/);
    approver.close();
    admin.close();
    c.client.close();
  });

  it("with no operator connected, the asking Telegram chat is told at once, and /approve lets it run", T, async () => {
    // Operator clients from earlier tests have gone: nobody could approve in a UI.
    await waitFor(() => gw.ctx.presence.list().every((p) => p.mode === "gateway"), 5000, "operators to disconnect");
    const n = tg.sent.length;
    llm.enqueue({ toolCalls: [{ name: "exec", arguments: { command: "printf from-telegram" } }] }, { text: "Done: from-telegram" });
    tg.userSends({ chatId: OWNER.id, chatType: "private", from: OWNER, text: "run printf" });
    await tg.waitForSent(n + 1, 10_000);
    const notice = tg.sent[n]!.plain ?? tg.sent[n]!.text ?? "";
    assert.match(notice, /Approval needed to run a command:[\s\S]*printf from-telegram/);
    const id = /\/approve (\S+) allow-once/.exec(notice)?.[1];
    assert.ok(id, notice);
    tg.userSends({ chatId: OWNER.id, chatType: "private", from: OWNER, text: `/approve ${id} allow-once` });
    await tg.waitFor(() => tg.sent.some((s) => (s.plain ?? s.text) === "Done: from-telegram"), 10_000, "the agent's reply");
    assert.ok(tg.sent.slice(n).some((s) => (s.plain ?? s.text) === "Approved once."));
    assert.match(llm.requests.at(-1)!.toolResults.at(-1)!.content, /from-telegram/);
  });

  it("message delivers to a Telegram chat and reacts there; sessions_list and sessions_history see the sessions", T, async () => {
    const c = await chatClient(gw);
    const n = tg.sent.length;
    llm.enqueue(
      {
        toolCalls: [
          {
            name: "message",
            arguments: { action: "send", channel: "telegram", target: String(OWNER.id), message: "hello from the agent" },
          },
        ],
      },
      {
        toolCalls: [
          { name: "message", arguments: { action: "react", channel: "telegram", target: String(OWNER.id), messageId: 42, emoji: "👍" } },
        ],
      },
      { toolCalls: [{ name: "sessions_list", arguments: { limit: 20 } }] },
      { toolCalls: [{ name: "sessions_history", arguments: { sessionKey: "agent:main:exec-allow", limit: 5 } }] },
      { text: "sent" },
    );
    const out = await c.send("tell the owner", "agent:main:messaging");
    assert.equal(out.text, "sent");
    await tg.waitForSent(n + 1);
    assert.equal(tg.sent[n]!.chatId, String(OWNER.id));
    assert.equal(tg.sent[n]!.plain ?? tg.sent[n]!.text, "hello from the agent");
    const results = llm.requests.slice(-3).map((r) => r.toolResults.at(-1)!.content);
    assert.match(results[0]!, /"ok": true/);
    const listed = JSON.parse(results[1]!);
    assert.ok(
      listed.sessions.some((s: any) => s.key === "agent:main:exec-allow"),
      results[1],
    );
    const history = JSON.parse(results[2]!);
    assert.ok(
      history.messages.some((m: any) => JSON.stringify(m).includes("run echo")),
      results[2],
    );
    c.client.close();
  });

  it("sessions_send gets another session's reply; the gateway tool is refused in a group", T, async () => {
    const c = await chatClient(gw);
    llm.enqueue(
      {
        toolCalls: [{ name: "sessions_send", arguments: { sessionKey: "agent:main:other", message: "what is 2+2?", timeoutSeconds: 20 } }],
      },
      { text: "4" },
      { text: "the other session says 4" },
    );
    const out = await c.send("ask the other session", "agent:main:asker");
    assert.equal(out.text, "the other session says 4");
    const result = JSON.parse(llm.requests.at(-1)!.toolResults.at(-1)!.content);
    assert.equal(result.status, "ok");
    assert.equal(result.reply, "4");

    llm.enqueue({ toolCalls: [{ name: "gateway", arguments: { action: "config.get" } }] }, { text: "fine" });
    await c.send("show config", "agent:main:owner-console");
    const cfg = JSON.parse(llm.requests.at(-1)!.toolResults.at(-1)!.content);
    assert.ok(cfg.hash, "config.get answered for an operator run");
    c.client.close();
  });
});
