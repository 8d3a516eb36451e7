import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { FakeDiscord } from "../../fakes/discord.js";
import { stripMention } from "../../../src/channels/discord/inbound.js";
import { ALICE, BOB, GENERAL, GUILD, THREAD, addWorld, harness, type Harness } from "./helpers.js";

// A 1×1 PNG.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

describe("discord adapter: inbound messages", () => {
  let fake: FakeDiscord;
  let h: Harness;
  before(async () => {
    fake = await FakeDiscord.start({ botName: "Krill" });
    addWorld(fake);
    h = harness(fake, { config: { mediaMaxMb: 1 } });
    await h.adapter.start();
  });
  after(async () => {
    await h.adapter.stop();
    await fake.close();
  });

  it("a guild message that mentions the bot: kind channel, mentioned, mention stripped, guild and channel named", async () => {
    const id = fake.userSays({ channelId: GENERAL, author: ALICE, content: "what's the plan?", mentionBot: true });
    const m = await h.next();
    assert.equal(m.messageId, id);
    assert.equal(m.channel, "discord");
    assert.equal(m.accountId, "default");
    assert.equal(m.text, "what's the plan?");
    assert.equal(m.mentioned, true);
    assert.deepEqual(m.chat, {
      kind: "channel",
      id: GENERAL,
      guildId: GUILD,
      guildName: "Friends of Krill",
      channelName: "general",
      title: "general",
    });
    assert.deepEqual(m.sender, { id: ALICE.id, username: "alice", name: "Alice" });
    assert.equal(m.replyToMessageId, undefined);
    assert.ok(Math.abs(m.timestamp - Date.now()) < 5000);
    assert.equal(typeof h.adapter.status().lastInboundAt, "number");
  });

  it("without a mention: mentioned false, text untouched", async () => {
    fake.userSays({ channelId: GENERAL, author: BOB, content: "just chatting\n  with indentation" });
    const m = await h.next();
    assert.equal(m.mentioned, false);
    assert.equal(m.text, "just chatting\n  with indentation");
    assert.deepEqual(m.sender, { id: BOB.id, username: "bob" });
  });

  it("a nickname-style mention `<@!id>` in the text counts and is stripped", async () => {
    fake.userSays({ channelId: GENERAL, author: BOB, content: `hey <@!${fake.botId}> can you help` });
    const m = await h.next();
    assert.equal(m.mentioned, true);
    assert.equal(m.text, "hey can you help");
  });

  it("a DM: kind dm on the DM channel, always mentioned", async () => {
    const { channelId, messageId } = fake.userDMs({ author: BOB, content: "hi in private" });
    const m = await h.next();
    assert.equal(m.messageId, messageId);
    assert.deepEqual(m.chat, { kind: "dm", id: channelId });
    assert.equal(m.mentioned, true);
    assert.equal(m.text, "hi in private");
  });

  it("a group DM: kind group, titled with its name", async () => {
    fake.addGroupDM({ id: "600000000000000001", name: "weekend plans", recipients: [ALICE, BOB] });
    fake.userSays({ channelId: "600000000000000001", author: ALICE, content: "who's in?" });
    const m = await h.next();
    assert.deepEqual(m.chat, { kind: "group", id: "600000000000000001", title: "weekend plans" });
    assert.equal(m.mentioned, false);
  });

  it("a thread message: chat.id and threadId are the thread, parentId/parentName its channel", async () => {
    fake.userSays({ channelId: THREAD, author: ALICE, content: "in the thread", mentionBot: true });
    const m = await h.next();
    assert.equal(m.chat.kind, "channel");
    assert.equal(m.chat.id, THREAD);
    assert.equal(m.chat.threadId, THREAD);
    assert.equal(m.chat.parentId, GENERAL);
    assert.equal(m.chat.parentName, "general");
    assert.equal(m.chat.channelName, "release-plan");
    assert.equal(m.chat.guildName, "Friends of Krill");
  });

  it("a thread created after connecting is learned from THREAD_CREATE", async () => {
    fake.addChannel(GUILD, { id: "300000000000000009", name: "late-thread", type: 11, parentId: GENERAL });
    fake.userSays({ channelId: "300000000000000009", author: ALICE, content: "new thread" });
    const m = await h.next();
    assert.equal(m.chat.threadId, "300000000000000009");
    assert.equal(m.chat.parentName, "general");
    assert.equal(m.chat.channelName, "late-thread");
  });

  it("a channel it never heard of is looked up once with GET /channels/{id}", async () => {
    const id = "300000000000000010";
    fake.addChannel(GUILD, { id: "300000000000000011", name: "old-thread", type: 11, parentId: GENERAL }, { quiet: true });
    fake.addChannel(GUILD, { id, name: "archive", type: 0 }, { quiet: true });
    fake.userSays({ channelId: id, author: ALICE, content: "one" });
    fake.userSays({ channelId: id, author: ALICE, content: "two" });
    fake.userSays({ channelId: "300000000000000011", author: ALICE, content: "three" });
    const [one, two, three] = [await h.next(), await h.next(), await h.next()];
    assert.deepEqual([one.text, two.text], ["one", "two"], "order kept while the lookup runs");
    assert.equal(one.chat.channelName, "archive");
    assert.equal(two.chat.channelName, "archive");
    assert.equal(fake.requests.filter((r) => r.path === `/api/v10/channels/${id}`).length, 1);
    assert.equal(three.chat.threadId, "300000000000000011");
    assert.equal(three.chat.parentName, "general");
  });

  it("a reply to one of the bot's messages counts as a mention; the bot's own messages are ignored", async () => {
    const { messageIds } = await h.adapter.send({ chatId: GENERAL }, { text: "I am the bot" });
    const replyId = fake.userSays({ channelId: GENERAL, author: ALICE, content: "thanks!", replyToMessageId: messageIds[0] });
    const m = await h.next();
    assert.equal(m.messageId, replyId, "the bot's own MESSAGE_CREATE was skipped");
    assert.equal(m.mentioned, true);
    assert.equal(m.replyToMessageId, messageIds[0]);
    // A reply to someone else is not a mention.
    fake.userSays({ channelId: GENERAL, author: BOB, content: "me too", replyToMessageId: replyId });
    const other = await h.next();
    assert.equal(other.mentioned, false);
    assert.equal(other.replyToMessageId, replyId);
  });

  it("other bots are ignored by default", async () => {
    fake.userSays({
      channelId: GENERAL,
      author: { id: "500000000000000001", username: "otherbot", bot: true },
      content: "beep",
      mentionBot: true,
    });
    const sentinel = fake.userSays({ channelId: GENERAL, author: ALICE, content: "after the bot" });
    const m = await h.next();
    assert.equal(m.messageId, sentinel);
  });

  it("an image attachment is downloaded into images (base64); other files become a note", async () => {
    fake.userSays({
      channelId: GENERAL,
      author: ALICE,
      content: "look at this",
      mentionBot: true,
      attachments: [
        { bytes: PNG, contentType: "image/png", filename: "dot.png" },
        { bytes: Buffer.from("hello"), contentType: "text/plain", filename: "notes.txt" },
      ],
    });
    const m = await h.next();
    assert.equal(m.images?.length, 1);
    assert.equal(m.images![0]!.mimeType, "image/png");
    assert.deepEqual(Buffer.from(m.images![0]!.data, "base64"), PNG);
    assert.equal(m.text, "look at this\n[attachment: notes.txt]");
    assert.equal(fake.downloads, 1, "only the image is fetched");
  });

  it("images over mediaMaxMb are not downloaded", async () => {
    const big = Buffer.alloc(1024 * 1024 + 1, 1);
    fake.userSays({
      channelId: GENERAL,
      author: ALICE,
      content: "",
      attachments: [{ bytes: big, contentType: "image/jpeg", filename: "huge.jpg" }],
    });
    const m = await h.next();
    assert.equal(m.images, undefined);
    assert.match(m.text, /huge\.jpg is larger than 1 MB/);
    assert.equal(fake.downloads, 1);
  });
});

describe("discord adapter: allowBots", () => {
  it("accepts other bots' messages when allowBots is set, never its own", async () => {
    const fake = await FakeDiscord.start();
    addWorld(fake);
    const h = harness(fake, { config: { allowBots: true } });
    try {
      await h.adapter.start();
      await h.adapter.send({ chatId: GENERAL }, { text: "my own words" });
      const id = fake.userSays({
        channelId: GENERAL,
        author: { id: "500000000000000001", username: "otherbot", bot: true },
        content: "beep",
      });
      const m = await h.next();
      assert.equal(m.messageId, id);
      assert.equal(m.sender.isBot, true);
      assert.equal(h.inbound.length, 1);
    } finally {
      await h.adapter.stop();
      await fake.close();
    }
  });
});

describe("stripMention", () => {
  it("removes only the bot's mention and the spaces it leaves", () => {
    assert.equal(stripMention("<@123> hi", "123"), "hi");
    assert.equal(stripMention("hi <@!123>", "123"), "hi");
    assert.equal(stripMention("hey <@123> there <@456>", "123"), "hey there <@456>");
    assert.equal(stripMention("<@123>\n```\n  code\n```", "123"), "```\n  code\n```");
    assert.equal(stripMention("<@1234> hi", "123"), "<@1234> hi");
  });
});
