import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { FakeTelegram } from "../../fakes/telegram.js";
import { startAdapter, type Harness } from "./harness.js";

describe("telegram adapter: inbound messages", () => {
  let fake: FakeTelegram;
  let h: Harness;
  const alice = { id: 1001, username: "alice", first_name: "Alice" };
  const bob = { id: 1002, first_name: "Bob" };

  before(async () => {
    fake = await FakeTelegram.start({ botUsername: "claw_helper_bot", botId: 4242 });
    h = await startAdapter(fake);
  });
  after(async () => {
    await h.adapter.stop();
    await fake.close();
  });

  /** Sends one user message and returns what the adapter delivered for it. */
  async function receive(m: Parameters<FakeTelegram["userSends"]>[0]) {
    const before = h.inbound.length;
    const id = fake.userSends(m);
    await h.waitInbound(before + 1);
    const got = h.inbound[before]!;
    assert.equal(got.messageId, String(id));
    return got;
  }

  test("a private message is a DM that always counts as addressed", async () => {
    const t0 = Date.now();
    const m = await receive({ chatId: alice.id, from: alice, text: "hello there" });
    assert.equal(m.channel, "telegram");
    assert.equal(m.accountId, "default");
    assert.deepEqual(m.chat, { kind: "dm", id: "1001" });
    assert.deepEqual(m.sender, { id: "1001", username: "alice", name: "Alice" });
    assert.equal(m.text, "hello there");
    assert.equal(m.mentioned, true);
    assert.equal(m.images, undefined);
    assert.ok(Math.abs(m.timestamp - t0) < 2000);
    assert.equal(typeof h.adapter.status().lastInboundAt, "number");
  });

  test("a group message mentioning the bot is addressed, with the mention removed", async () => {
    const m = await receive({ chatId: -100200, chatType: "group", from: bob, text: "@claw_helper_bot, what's the weather?" });
    assert.equal(m.chat.kind, "group");
    assert.equal(m.chat.id, "-100200");
    assert.equal(m.chat.title, "Test group -100200");
    assert.equal(m.chat.threadId, undefined);
    assert.deepEqual(m.sender, { id: "1002", name: "Bob" });
    assert.equal(m.text, "what's the weather?");
    assert.equal(m.mentioned, true);

    const mid = await receive({ chatId: -100200, chatType: "group", from: bob, text: "hey @Claw_Helper_Bot how are you" });
    assert.equal(mid.text, "hey how are you");
    assert.equal(mid.mentioned, true);
  });

  test("a group message without the bot's mention is not addressed and keeps its text", async () => {
    const plain = await receive({ chatId: -100200, chatType: "group", from: bob, text: "just chatting" });
    assert.equal(plain.mentioned, false);
    assert.equal(plain.text, "just chatting");

    const other = await receive({ chatId: -100200, chatType: "group", from: bob, text: "@someone_else look" });
    assert.equal(other.mentioned, false);
    assert.equal(other.text, "@someone_else look");
  });

  test("/command@bot is addressed and loses the suffix; a command for another bot is not", async () => {
    const mine = await receive({ chatId: -100200, chatType: "group", from: bob, text: "/status@claw_helper_bot" });
    assert.equal(mine.text, "/status");
    assert.equal(mine.mentioned, true);

    const withArgs = await receive({ chatId: -100200, chatType: "group", from: bob, text: "/model@claw_helper_bot gpt-5" });
    assert.equal(withArgs.text, "/model gpt-5");

    const theirs = await receive({ chatId: -100200, chatType: "group", from: bob, text: "/status@other_bot" });
    assert.equal(theirs.text, "/status@other_bot");
    assert.equal(theirs.mentioned, false);
  });

  test("forum topic messages carry the topic id; the topic root is not a reply", async () => {
    const m = await receive({ chatId: -100300, chatType: "supergroup", from: alice, text: "in a topic", threadId: 42 });
    assert.equal(m.chat.kind, "group");
    assert.equal(m.chat.id, "-100300");
    assert.equal(m.chat.threadId, "42");
    assert.equal(m.mentioned, false);
    assert.equal(m.replyToMessageId, undefined);

    // In a forum, messages without a topic are in General ("1").
    const general = await receive({ chatId: -100300, chatType: "supergroup", from: alice, text: "general chat" });
    assert.equal(general.chat.threadId, "1");
  });

  test("replying to one of the bot's messages counts as a mention", async () => {
    const { messageIds } = await h.adapter.send({ chatId: "-100200" }, { text: "I can help with that." });
    const m = await receive({ chatId: -100200, chatType: "group", from: bob, text: "go on then", replyToBot: true });
    assert.equal(m.mentioned, true);
    assert.equal(m.replyToMessageId, messageIds[0]);
    assert.equal(m.text, "go on then");
  });

  test("messages from the bot itself and service messages are ignored", async () => {
    const before = h.inbound.length;
    fake.userSends({
      chatId: -100200,
      chatType: "group",
      from: { id: fake.botId, username: fake.botUsername, is_bot: true },
      text: "echo",
    });
    fake.userSends({ chatId: -100200, chatType: "group", from: bob }); // no text, no media: a service message
    const m = await receive({ chatId: -100200, chatType: "group", from: bob, text: "after the ignored ones" });
    assert.equal(h.inbound.length, before + 1);
    assert.equal(m.text, "after the ignored ones");
  });

  test("a photo arrives as a base64 image with its caption as text", async () => {
    const bytes = randomBytes(3000);
    const m = await receive({ chatId: alice.id, from: alice, photo: { bytes, mimeType: "image/png" }, caption: "what is this?" });
    assert.equal(m.text, "what is this?");
    assert.equal(m.images?.length, 1);
    assert.equal(m.images![0]!.type, "image");
    assert.equal(m.images![0]!.mimeType, "image/png");
    assert.equal(m.images![0]!.data, bytes.toString("base64"));
  });

  test("a photo caption mention in a group is handled like text", async () => {
    const bytes = randomBytes(500);
    const m = await receive({ chatId: -100200, chatType: "group", from: bob, photo: { bytes }, caption: "@claw_helper_bot describe" });
    assert.equal(m.mentioned, true);
    assert.equal(m.text, "describe");
    assert.equal(m.images![0]!.mimeType, "image/jpeg");
    assert.equal(Buffer.from(m.images![0]!.data, "base64").equals(bytes), true);
  });
});

describe("telegram adapter: inbound media size cap", () => {
  test("takes the largest photo size within mediaMaxMb", async () => {
    const fake = await FakeTelegram.start();
    // 0.002 MB ≈ 2 KB: the 50 KB original is over the cap, the thumbnail is not.
    const h = await startAdapter(fake, { config: { mediaMaxMb: 0.002 } });
    try {
      fake.userSends({ chatId: 7, from: { id: 7, first_name: "Sam" }, photo: { bytes: randomBytes(50_000) } });
      await h.waitInbound(1);
      const img = h.inbound[0]!.images?.[0];
      assert.ok(img, "expected the thumbnail");
      assert.equal(Buffer.from(img.data, "base64").toString(), "thumbnail-of-50000-bytes");
    } finally {
      await h.adapter.stop();
      await fake.close();
    }
  });
});
