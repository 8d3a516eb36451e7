import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { FakeDiscord } from "../../fakes/discord.js";
import { isRetryable, retryAfterMs } from "../../../src/channels/discord/libs.js";
import { ALICE, BOB, GENERAL, THREAD, addWorld, harness, type Harness } from "./helpers.js";

function fencesBalanced(chunk: string): boolean {
  return chunk.split("\n").filter((l) => /^\s*```/.test(l)).length % 2 === 0;
}

describe("discord adapter: sending", () => {
  let fake: FakeDiscord;
  let h: Harness;
  before(async () => {
    fake = await FakeDiscord.start();
    addWorld(fake);
    h = harness(fake);
    await h.adapter.start();
  });
  beforeEach(() => {
    fake.sent.length = 0;
  });
  after(async () => {
    await h.adapter.stop();
    await fake.close();
  });

  it("react adds and takes back an emoji reaction on a message", { timeout: 10_000 }, async () => {
    const msg = fake.userSays({ channelId: GENERAL, author: ALICE, content: "nice", mentionBot: true });
    await h.adapter.react!({ chatId: GENERAL }, msg, "👍", false);
    await h.adapter.react!({ chatId: GENERAL }, msg, "👍", true);
    assert.deepEqual(fake.reactions.slice(-2), [
      { channelId: GENERAL, messageId: msg, emoji: "👍", removed: false },
      { channelId: GENERAL, messageId: msg, emoji: "👍", removed: true },
    ]);
  });

  it("a 4,500-character reply goes out as 3 messages of at most 2000, in order, the first one a reply", async () => {
    const userMsg = fake.userSays({ channelId: GENERAL, author: ALICE, content: "write a lot", mentionBot: true });
    const words = Array.from({ length: 900 }, (_, i) => `w${String(i).padStart(3, "0")}`).join(" "); // 4499 chars
    const text = `${words}.`;
    assert.equal(text.length, 4500);
    const { messageIds } = await h.adapter.send({ chatId: GENERAL, replyToMessageId: userMsg }, { text });
    assert.equal(fake.sent.length, 3);
    assert.deepEqual(
      messageIds,
      fake.sent.map((s) => s.messageId),
    );
    for (const s of fake.sent) {
      assert.ok(s.content.length <= 2000, `message of ${s.content.length}`);
      assert.equal(s.channelId, GENERAL);
      assert.deepEqual(s.allowedMentions, { parse: ["users"], replied_user: true }, "no @everyone/@here/role pings");
    }
    assert.equal(fake.sent[0]!.replyTo, userMsg);
    assert.equal(fake.sent[1]!.replyTo, undefined);
    assert.equal(fake.sent[2]!.replyTo, undefined);
    assert.equal(fake.sent.map((s) => s.content).join(" "), text, "nothing lost or reordered");
    assert.equal(typeof h.adapter.status().lastOutboundAt, "number");
  });

  it("a tall reply is split by maxLinesPerMessage (17) even when it is short", async () => {
    const text = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`).join("\n");
    await h.adapter.send({ chatId: GENERAL }, { text });
    assert.deepEqual(
      fake.sent.map((s) => s.content.split("\n").length),
      [17, 17, 6],
    );
    assert.equal(fake.sent.map((s) => s.content).join("\n"), text);
  });

  it("a long code block is split with its fence closed and reopened in every message", async () => {
    const code = Array.from({ length: 50 }, (_, i) => `  console.log("line ${i}");`).join("\n");
    await h.adapter.send({ chatId: GENERAL }, { text: `Here:\n\n\`\`\`js\n${code}\n\`\`\`\n\nDone.` });
    assert.ok(fake.sent.length >= 3);
    for (const s of fake.sent) {
      assert.ok(fencesBalanced(s.content), `unbalanced fence in:\n${s.content}`);
      // 17 lines of content, plus the fence line closing a split block.
      assert.ok(s.content.split("\n").length <= 18, `${s.content.split("\n").length} lines`);
    }
    assert.ok(fake.sent.slice(1, -1).every((s) => s.content.startsWith("```js")));
    const lines = fake.sent.flatMap((s) => s.content.split("\n")).filter((l) => l.includes("console.log"));
    assert.equal(lines.length, 50);
  });

  it("textChunkLimit and chunkMode come from config", async () => {
    // Its own fake: a second session with the same token would replace the shared one.
    const other = await FakeDiscord.start();
    addWorld(other);
    const h2 = harness(other, { config: { textChunkLimit: 100, chunkMode: "newline" } });
    try {
      await h2.adapter.start();
      await h2.adapter.send({ chatId: GENERAL }, { text: "first paragraph\n\nsecond paragraph\n\n" + "x ".repeat(120).trim() });
      assert.deepEqual(
        other.sent.map((s) => s.content.length <= 100),
        other.sent.map(() => true),
      );
      assert.equal(other.sent[0]!.content, "first paragraph");
      assert.equal(other.sent[1]!.content, "second paragraph");
      assert.ok(other.sent.length >= 4);
    } finally {
      await h2.adapter.stop();
      await other.close();
    }
  });

  it("images go out as file attachments on the last text message", async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const { messageIds } = await h.adapter.send(
      { chatId: GENERAL },
      {
        text: "here is the chart",
        images: [
          { mimeType: "image/png", data: png, fileName: "chart.png" },
          { mimeType: "image/jpeg", data: png },
        ],
      },
    );
    assert.equal(messageIds.length, 1);
    assert.equal(fake.sent[0]!.content, "here is the chart");
    assert.equal(fake.sent[0]!.files, 2);
    assert.deepEqual(fake.sent[0]!.fileNames, ["chart.png", "image-2.jpg"]);
    // Only images: one message without text.
    await h.adapter.send({ chatId: GENERAL }, { text: "", images: [{ mimeType: "image/png", data: png }] });
    assert.equal(fake.sent[1]!.content, "");
    assert.equal(fake.sent[1]!.files, 1);
  });

  it("sends to a thread by threadId, and to a user by `user:<id>` through their DM channel", async () => {
    await h.adapter.send({ chatId: GENERAL, threadId: THREAD }, { text: "in the thread" });
    assert.equal(fake.sent[0]!.channelId, THREAD);
    const { channelId } = fake.userDMs({ author: BOB, content: "hello" });
    await h.next();
    await h.adapter.send({ chatId: `user:${BOB.id}` }, { text: "a direct note" });
    assert.equal(fake.sent[1]!.channelId, channelId);
  });

  it("typing() posts the typing indicator to the channel", async () => {
    const before = fake.typing.length;
    await h.adapter.typing({ chatId: GENERAL });
    assert.deepEqual(fake.typing.slice(before), [GENERAL]);
  });

  it("a 429 with retry_after is waited out and the message still delivered, once", async () => {
    fake.rateLimitNext("createMessage", 0.3);
    const t0 = Date.now();
    const { messageIds } = await h.adapter.send({ chatId: GENERAL }, { text: "after the rate limit" });
    assert.ok(Date.now() - t0 >= 290, `waited ${Date.now() - t0} ms`);
    assert.equal(fake.rateLimited, 1);
    assert.equal(fake.sent.length, 1);
    assert.equal(fake.sent[0]!.content, "after the rate limit");
    assert.equal(messageIds[0], fake.sent[0]!.messageId);
  });

  it("an error retrying cannot fix (unknown channel) rejects instead of queueing", async () => {
    await assert.rejects(h.adapter.send({ chatId: "399999999999999999" }, { text: "nobody home" }), /Unknown Channel/);
    assert.equal(h.adapter.status().queued, 0);
  });
});

describe("discord adapter: a rate limit too long to wait out inline", () => {
  it(
    "is handed back as retryable with its wait, so the reply waits in the outbox instead of being dropped",
    { timeout: 10_000 },
    async () => {
      const { RateLimitError } = await import("@discordjs/rest");
      const err = new RateLimitError({
        timeToReset: 60_000,
        limit: 5,
        method: "POST",
        hash: "h",
        url: "https://discord.com/api/v10/channels/1/messages",
        route: "/channels/:id/messages",
        majorParameter: "1",
        global: false,
        retryAfter: 60_000,
        sublimitTimeout: 0,
        scope: "user",
      });
      assert.equal(isRetryable(err), true);
      assert.equal(retryAfterMs(err), 60_000);
    },
  );
});
