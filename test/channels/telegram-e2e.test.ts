/**
 * Telegram through the whole gateway: real grammY against the fake Bot API, the real router and
 * agent runtime, a fake model. What the owner and a stranger would see in their chats.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { FakeLlm } from "../fakes/llm.js";
import { FakeTelegram } from "../fakes/telegram.js";
import { connect, startTestGateway, waitFor, type TestGateway } from "../helpers/gateway.js";

const OWNER = { id: 7001, username: "owner", first_name: "Olivia" };
const STRANGER = { id: 7002, username: "stranger", first_name: "Sam" };

describe("Telegram end to end", () => {
  let llm: FakeLlm;
  let tg: FakeTelegram;
  let gw: TestGateway;
  before(async () => {
    llm = await FakeLlm.start("anthropic");
    tg = await FakeTelegram.start();
    gw = await startTestGateway({
      config: {
        gateway: { mode: "local" },
        models: { providers: { anthropic: { baseUrl: llm.baseUrl, models: [] } } },
        agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },
        channels: {
          telegram: {
            apiRoot: tg.apiRoot,
            allowFrom: [`@${OWNER.username}`],
            groupAllowFrom: [String(OWNER.id)],
            groups: { "*": { requireMention: true } },
          },
        },
      },
      env: { ANTHROPIC_API_KEY: "k", TELEGRAM_BOT_TOKEN: tg.token, OPENCLAW_TELEGRAM_POLL_TIMEOUT: "1" },
    });
    await waitFor(() => gw.output.some((l) => /\[telegram\] logged in to telegram as @/.test(l)), 10_000, "telegram login");
  });
  after(async () => {
    await gw.close();
    await tg.close();
    await llm.close();
  });

  it("pairs a stranger end to end: code in the chat, approval, then the agent answers", async () => {
    const n = tg.sent.length;
    tg.userSends({ chatId: STRANGER.id, chatType: "private", from: STRANGER, text: "hello bot" });
    await tg.waitForSent(n + 1);
    const code = /pairing approve telegram ([A-Z2-9]{8})/.exec(tg.sent[n]!.plain ?? tg.sent[n]!.text ?? "")?.[1];
    assert.ok(code, `pairing message: ${JSON.stringify(tg.sent[n])}`);
    const modelCalls = llm.requests.length;

    const c = await connect(gw.wsUrl);
    await c.request("pairing.approve", { channel: "telegram", code });
    c.close();
    llm.enqueue({ text: "Welcome aboard, Sam." });
    tg.userSends({ chatId: STRANGER.id, chatType: "private", from: STRANGER, text: "can we talk now?" });
    await tg.waitForSent(n + 2);
    assert.equal(tg.sent[n + 1]!.plain ?? tg.sent[n + 1]!.text, "Welcome aboard, Sam.");
    assert.equal(llm.requests.length, modelCalls + 1, "the agent ran only after approval");
    assert.ok(
      tg.actions.some((a) => a.chatId === String(STRANGER.id) && a.action === "typing"),
      "typing shown while the agent worked",
    );
  });

  it("groups: answers only when mentioned, with the earlier messages as context", async () => {
    const group = -100777;
    const n = tg.sent.length;
    const calls = llm.requests.length;
    tg.userSends({ chatId: group, chatType: "supergroup", from: OWNER, text: "the meeting moved to Tuesday" });
    llm.enqueue({ text: "Tuesday." });
    tg.userSends({ chatId: group, chatType: "supergroup", from: OWNER, text: `@${tg.botUsername} when is the meeting?` });
    await tg.waitForSent(n + 1);
    // A reply to the first message would have come before this one: the group's conversation runs one
    // turn at a time, in the order the messages arrived.
    assert.equal(tg.sent.length, n + 1, "not mentioned: no reply");
    assert.equal(llm.requests.length, calls + 1, "one turn, for the mention");
    assert.equal(tg.sent[n]!.chatId, String(group));
    assert.match(llm.requests.at(-1)!.messages.at(-1)!.text, /the meeting moved to Tuesday[\s\S]*when is the meeting\?/);
  });

  it("chunks a long reply under Telegram's limit without breaking code blocks", async () => {
    const code = Array.from({ length: 120 }, (_, i) => `print("line ${i} ${"x".repeat(40)}")`).join("\n");
    llm.enqueue({ text: `Here you go:\n\n\`\`\`python\n${code}\n\`\`\`\n\nDone.` });
    const m = tg.sent.length;
    tg.userSends({ chatId: OWNER.id, chatType: "private", from: OWNER, text: "write me a long script" });
    await waitFor(() => tg.sent.slice(m).some((s) => /Done\./.test(s.plain ?? s.text ?? "")), 10_000, "the last chunk");
    const parts = tg.sent.slice(m).map((s) => s.plain ?? s.text ?? "");
    assert.ok(parts.length >= 2, `split into ${parts.length}`);
    for (const p of parts) assert.ok(p.length <= 4096, `part of ${p.length}`);
    const lines = parts
      .join("\n")
      .split("\n")
      .filter((l) => l.startsWith("print("));
    assert.equal(lines.length, 120, "every code line delivered once");
  });

  it("a reply made while Telegram is unreachable is delivered when it comes back", async () => {
    llm.enqueue({ text: "Answer written during the outage.", delayMs: 400 });
    const n = tg.sent.length;
    tg.userSends({ chatId: OWNER.id, chatType: "private", from: OWNER, text: "are you there?" });
    await waitFor(() => llm.requests.at(-1)?.messages.at(-1)?.text.endsWith("] are you there?"), 5000, "the agent to start");
    tg.goDown();
    const c = await connect(gw.wsUrl);
    await waitFor(
      async () => {
        const s = await c.request<any>("channels.status", {});
        return s.channelAccounts.telegram[0].connected === false;
      },
      10_000,
      "status to show the outage",
    );
    // The agent answers meanwhile; its reply cannot go out and waits in the queue.
    await waitFor(
      async () => (await c.request<any>("channels.status", {})).channelAccounts.telegram[0].queued >= 1,
      10_000,
      "the reply to wait in the queue",
    );
    assert.equal(tg.sent.length, n, "nothing could be delivered while down");
    tg.comeBack();
    await tg.waitForSent(n + 1, 15_000);
    assert.equal(tg.sent[n]!.plain ?? tg.sent[n]!.text, "Answer written during the outage.");
    const s = await c.request<any>("channels.status", { probe: true });
    assert.equal(s.channelAccounts.telegram[0].connected, true);
    assert.equal(s.channelAccounts.telegram[0].probe.ok, true);
    c.close();
  });
});
