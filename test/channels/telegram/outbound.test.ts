import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeTelegram } from "../../fakes/telegram.js";
import { startAdapter, type Harness } from "./harness.js";

describe("telegram adapter: sending", () => {
  let fake: FakeTelegram;
  let h: Harness;

  before(async () => {
    fake = await FakeTelegram.start();
    h = await startAdapter(fake);
  });
  after(async () => {
    await h.adapter.stop();
    await fake.close();
  });
  beforeEach(() => {
    fake.sent = [];
    fake.actions = [];
  });

  test("a 9,000-character reply arrives as 3 messages, a code fence closed and reopened across the split", async () => {
    const prose = Array.from({ length: 30 }, (_, i) => `Line ${i} of the explanation, which goes on for a while to fill space here.`).join(
      "\n",
    );
    const code = Array.from({ length: 110 }, (_, i) => `const value${i} = compute(${i}, "some padding text");`).join("\n");
    const outro = Array.from({ length: 25 }, (_, i) => `Closing remark ${i}: everything above is an example only.`).join("\n");
    const text = `${prose}\n\n\`\`\`ts\n${code}\n\`\`\`\n\n${outro}`;
    assert.ok(text.length > 8500 && text.length < 9500, `length ${text.length}`);

    const { messageIds } = await h.adapter.send({ chatId: "555" }, { text });
    assert.equal(fake.sent.length, 3);
    assert.deepEqual(
      messageIds,
      fake.sent.map((s) => String(s.messageId)),
    );
    for (const s of fake.sent) {
      assert.equal(s.method, "sendMessage");
      assert.equal(s.chatId, "555");
      assert.equal(s.parseMode, "HTML");
      assert.ok(s.plain!.length <= 4000, `chunk of ${s.plain!.length} chars`);
    }
    // The code block spans the first split: each side renders as its own complete code block.
    const [first, second] = fake.sent as [(typeof fake.sent)[0], (typeof fake.sent)[0]];
    assert.match(first.text!, /<pre><code class="language-ts">const value0 = compute\(0, "some padding text"\);[\s\S]*<\/code><\/pre>$/);
    assert.match(second.text!, /^<pre><code class="language-ts">const value\d+/);
    assert.ok(!first.plain!.includes("```") && !second.plain!.includes("```"), "no raw fence markers reach the reader");
    // Nothing is lost or duplicated: every code line shows up exactly once.
    const shown = fake.sent.map((s) => s.plain).join("\n");
    for (let i = 0; i < 110; i++) assert.equal(shown.split(`const value${i} = `).length - 1, 1, `line ${i}`);
    assert.ok(shown.includes("Closing remark 24: everything above is an example only."));
    assert.equal(typeof h.adapter.status().lastOutboundAt, "number");
  });

  test("markdown becomes Telegram HTML; raw HTML in the reply is shown as text", async () => {
    await h.adapter.send(
      { chatId: "555" },
      {
        text: "## Result\n**Bold** and *soft* and `x < y` and [the docs](https://example.com/a?b=1&c=2)\n- item one\n- item two\n<script>alert(1)</script>",
      },
    );
    const s = fake.sent[0]!;
    assert.equal(s.parseMode, "HTML");
    assert.equal(
      s.text,
      '<b>Result</b>\n<b>Bold</b> and <i>soft</i> and <code>x &lt; y</code> and <a href="https://example.com/a?b=1&amp;c=2">the docs</a>\n• item one\n• item two\n&lt;script&gt;alert(1)&lt;/script&gt;',
    );
    assert.equal(s.plain, "Result\nBold and soft and x < y and the docs\n• item one\n• item two\n<script>alert(1)</script>");
  });

  test("if Telegram cannot parse the HTML, the chunk is resent as plain text", async () => {
    fake.failNext("sendMessage", {
      error_code: 400,
      description: 'Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 0',
    });
    const { messageIds } = await h.adapter.send({ chatId: "555" }, { text: "**bold** claim" });
    assert.equal(fake.sent.length, 1);
    assert.equal(fake.sent[0]!.text, "**bold** claim");
    assert.equal(fake.sent[0]!.parseMode, undefined);
    assert.deepEqual(messageIds, [String(fake.sent[0]!.messageId)]);
  });

  test("other Telegram errors reject the send", async () => {
    fake.failNext("sendMessage", { error_code: 400, description: "Bad Request: chat not found" });
    await assert.rejects(h.adapter.send({ chatId: "999" }, { text: "hello" }), /chat not found/);
    assert.equal(fake.sent.length, 0);
  });

  test("the first chunk replies to the message; every chunk stays in the topic", async () => {
    const text = `${"a".repeat(3000)}\n\n${"b".repeat(3000)}`;
    await h.adapter.send({ chatId: "-100300", threadId: "42", replyToMessageId: "17" }, { text });
    assert.equal(fake.sent.length, 2);
    assert.equal(fake.sent[0]!.replyTo, 17);
    assert.equal(fake.sent[1]!.replyTo, undefined);
    assert.deepEqual(
      fake.sent.map((s) => s.threadId),
      [42, 42],
    );
  });

  test("replies in the General topic omit the thread id (Telegram refuses 1)", async () => {
    await h.adapter.send({ chatId: "-100300", threadId: "1" }, { text: "in general" });
    assert.equal(fake.sent.length, 1);
    assert.equal(fake.sent[0]!.threadId, undefined);
    assert.equal(fake.sent[0]!.plain, "in general");
  });

  test("images go out as photos", async () => {
    const png = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");
    const { messageIds } = await h.adapter.send(
      { chatId: "555", replyToMessageId: "3" },
      { text: "here it is", images: [{ mimeType: "image/png", data: png, fileName: "chart.png" }] },
    );
    assert.equal(fake.sent.length, 2);
    assert.equal(fake.sent[0]!.plain, "here it is");
    assert.equal(fake.sent[0]!.replyTo, 3);
    assert.equal(fake.sent[1]!.method, "sendPhoto");
    assert.equal(fake.sent[1]!.photo, true);
    assert.equal(fake.sent[1]!.replyTo, undefined);
    assert.ok(fake.sent[1]!.photoBytes!.equals(png));
    assert.equal(messageIds.length, 2);
  });

  test("typing shows the chat action, in the topic when there is one (General included)", async () => {
    await h.adapter.typing({ chatId: "555" });
    await h.adapter.typing({ chatId: "-100300", threadId: "42" });
    await h.adapter.typing({ chatId: "-100300", threadId: "1" });
    assert.deepEqual(fake.actions, [
      { chatId: "555", action: "typing" },
      { chatId: "-100300", action: "typing", threadId: 42 },
      { chatId: "-100300", action: "typing", threadId: 1 },
    ]);
  });

  test("a 429 with retry_after 1 holds the message until Telegram allows it, then delivers it", async () => {
    fake.failNext("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 1", retry_after: 1 });
    const before = fake.calls.length;
    await h.adapter.send({ chatId: "555" }, { text: "rate limited" });
    // Timed on the fake's clock: from the refused call to the retry, not from when send() began
    // (whole milliseconds, so 999 can mean 999.x).
    const [refused, retry, ...more] = fake.calls.slice(before).filter((c) => c.method === "sendMessage");
    assert.equal(more.length, 0, "sent exactly twice");
    const gap = retry!.at - refused!.at;
    assert.ok(gap >= 999 && gap < 3000, `retried ${gap}ms after the 429`);
    assert.equal(fake.sent.length, 1);
    assert.equal(fake.sent[0]!.plain, "rate limited");
    assert.ok(h.logs.includes("warn: telegram rate limit (429): sends wait 1s as Telegram asks"), h.logs.join("\n"));
  });

  test("chunkMode newline sends each paragraph separately", async () => {
    const nl = await startAdapter(fake, { config: { chunkMode: "newline", textChunkLimit: 1000 } });
    try {
      await nl.adapter.send({ chatId: "556" }, { text: "first paragraph\n\nsecond paragraph\n\nthird" });
      assert.deepEqual(
        fake.sent.filter((s) => s.chatId === "556").map((s) => s.plain),
        ["first paragraph", "second paragraph", "third"],
      );
    } finally {
      await nl.adapter.stop();
    }
  });
});
