/** The Signal adapter against a fake signal-cli daemon: what arrives, what goes out, staying connected. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createSignalAdapter, type SignalConfig } from "../../../src/channels/signal/index.js";
import type { ChannelAdapter, InboundMessage } from "../../../src/channels/types.js";
import { startSignalFake, type SignalFake } from "../../fakes/signal.js";
import { tmpDir, waitFor } from "../../helpers/gateway.js";
import { memoryLogger } from "../telegram/harness.js";

const BOT = "+15550009999";
const ALICE = { number: "+15550001111", uuid: "aaaaaaaa-1111-4222-8333-444455556666", name: "Alice" };
const HIDDEN = { uuid: "cccccccc-1111-4222-8333-444455556666", name: "Hidden" };
const PNG = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");

interface Harness {
  adapter: ChannelAdapter;
  inbound: InboundMessage[];
  logs: string[];
  next(): Promise<InboundMessage>;
}

async function startAdapter(fake: SignalFake, config: SignalConfig = {}): Promise<Harness> {
  const inbound: InboundMessage[] = [];
  const waiters: Array<(m: InboundMessage) => void> = [];
  const logs: string[] = [];
  const adapter = createSignalAdapter({
    accountId: "default",
    config: { account: BOT, httpUrl: fake.url, ...config },
    env: {},
    log: memoryLogger(logs, "signal"),
    stateDir: tmpDir(),
    now: Date.now,
    onInbound: (m) => {
      inbound.push(m);
      waiters.shift()?.(m);
    },
  });
  const opened = fake.nextStream();
  await adapter.start();
  await opened;
  await waitFor(() => adapter.status().connected, 5000, "connected");
  return { adapter, inbound, logs, next: () => new Promise((resolve) => waiters.push(resolve)) };
}

describe("signal adapter", { timeout: 30_000 }, () => {
  let fake: SignalFake;
  let h: Harness;
  before(async () => {
    fake = await startSignalFake({ account: BOT });
    fake.addAttachment("img1", PNG);
    fake.addAttachment("big", Buffer.alloc(2 * 1024 * 1024));
    h = await startAdapter(fake, { mediaMaxMb: 1, sendReadReceipts: true });
  });
  after(async () => {
    await h.adapter.stop();
    await fake.close();
  });

  it("reports itself connected to the external daemon, spawning nothing", () => {
    const s = h.adapter.status();
    assert.equal(s.configured, true);
    assert.equal(s.running, true);
    assert.equal(s.mode, "http");
    assert.equal(s.baseUrl, fake.url);
    assert.equal(s.botId, BOT);
  });

  it("a DM arrives with sender, name and timestamp id, and is marked read", async () => {
    const got = h.next();
    const receipt = fake.nextCall("sendReceipt");
    const ts = fake.userSends({ from: ALICE, text: "hello there" });
    const m = await got;
    assert.equal(m.channel, "signal");
    assert.deepEqual(m.chat, { kind: "dm", id: ALICE.number });
    assert.deepEqual(m.sender, { id: ALICE.number, name: "Alice" });
    assert.equal(m.text, "hello there");
    assert.equal(m.messageId, String(ts));
    assert.equal(m.mentioned, true);
    assert.deepEqual(await receipt, { account: BOT, recipient: [ALICE.number], targetTimestamp: ts, type: "read" });
  });

  it("a sender without a number is uuid:<id>; replies go to the bare UUID", async () => {
    const got = h.next();
    fake.userSends({ from: HIDDEN, text: "psst" });
    const m = await got;
    assert.equal(m.sender.id, `uuid:${HIDDEN.uuid}`);
    const sent = fake.nextCall("send");
    await h.adapter.send({ chatId: m.chat.id }, { text: "hi" });
    assert.deepEqual((await sent).recipient, [HIDDEN.uuid]);
  });

  it("ignores our own messages, sync copies and typing notices", async () => {
    fake.receive({ sourceNumber: BOT, sourceUuid: fake.uuid, timestamp: 5, dataMessage: { timestamp: 5, message: "echo" } });
    fake.receive({ sourceNumber: ALICE.number, timestamp: 6, syncMessage: { sentMessage: { message: "from my laptop" } } });
    fake.receive({ sourceNumber: ALICE.number, timestamp: 7, typingMessage: { action: "STARTED" } });
    const got = h.next();
    fake.userSends({ from: ALICE, text: "marker" });
    assert.equal((await got).text, "marker", "nothing before the marker got through");
  });

  it("groups: a native mention of the bot addresses it and is removed from the text; others' mentions read @name", async () => {
    const got = h.next();
    fake.userSends({
      from: ALICE,
      groupId: "R3JvdXAx",
      groupName: "Family",
      text: "\uFFFC, ask \uFFFC about it",
      mentions: [
        { number: BOT, uuid: fake.uuid, start: 0, length: 1 },
        { number: "+15550002222", name: "Bob", start: 7, length: 1 },
      ],
    });
    const m = await got;
    assert.deepEqual(m.chat, { kind: "group", id: "group:R3JvdXAx", title: "Family" });
    assert.equal(m.mentioned, true);
    assert.equal(m.text, "ask @Bob about it");

    const plain = h.next();
    fake.userSends({ from: ALICE, groupId: "R3JvdXAx", text: "just chatting" });
    assert.equal((await plain).mentioned, false);

    const byUuid = h.next();
    fake.userSends({ from: ALICE, groupId: "R3JvdXAx", text: "\uFFFC hi", mentions: [{ uuid: fake.uuid, start: 0, length: 1 }] });
    assert.equal((await byUuid).mentioned, true, "the bot's UUID, learnt from the daemon, counts too");

    const quoting = h.next();
    fake.userSends({ from: ALICE, groupId: "R3JvdXAx", text: "about that", quote: { id: 42, authorNumber: BOT, text: "earlier" } });
    const q = await quoting;
    assert.equal(q.mentioned, true, "quoting the bot addresses it");
    assert.equal(q.replyToMessageId, "42");
  });

  it("image attachments become images (within mediaMaxMb); others a placeholder", async () => {
    const got = h.next();
    const fetched = fake.nextCall("getAttachment");
    fake.userSends({ from: ALICE, text: "look", attachments: [{ id: "img1", contentType: "image/png", filename: "a.png" }] });
    const m = await got;
    assert.deepEqual(await fetched, { account: BOT, id: "img1", recipient: ALICE.number });
    assert.deepEqual(m.images, [{ type: "image", mimeType: "image/png", data: PNG.toString("base64") }]);
    assert.equal(m.text, "look");

    const tooBig = h.next();
    fake.userSends({ from: ALICE, attachments: [{ id: "big", contentType: "image/jpeg" }] });
    const b = await tooBig;
    assert.equal(b.images, undefined);
    assert.equal(b.text, "<media:image>");

    const voice = h.next();
    fake.userSends({ from: ALICE, groupId: "R3JvdXAx", attachments: [{ id: "v1", contentType: "audio/aac", size: 10 }] });
    assert.equal((await voice).text, "<media:audio>");
  });

  it("sends styled text, then images as data URIs, to numbers and groups", async () => {
    const before = fake.sent().length;
    const r = await h.adapter.send(
      { chatId: "group:R3JvdXAx" },
      { text: "**Done** with `x`", images: [{ mimeType: "image/png", data: PNG, fileName: "chart.png" }] },
    );
    const [text, media] = fake.sent().slice(before);
    assert.deepEqual(text, { account: BOT, message: "Done with x", "text-style": ["0:4:BOLD", "10:1:MONOSPACE"], groupId: "R3JvdXAx" });
    assert.deepEqual(media, {
      account: BOT,
      message: "",
      attachments: [`data:image/png;filename=chart.png;base64,${PNG.toString("base64")}`],
      groupId: "R3JvdXAx",
    });
    assert.equal(r.messageIds.length, 2);
  });

  it("chunks long replies at textChunkLimit", async () => {
    const s = await startSignalFake({ account: BOT });
    const small = await startAdapter(s, { textChunkLimit: 100 });
    try {
      const text = Array.from({ length: 12 }, (_, i) => `Sentence number ${i} is here.`).join(" ");
      await small.adapter.send({ chatId: ALICE.number }, { text });
      const parts = s.sent().map((p) => p.message as string);
      assert.ok(parts.length >= 3, `${parts.length} parts`);
      for (const p of parts) assert.ok(p.length <= 100);
      assert.equal(parts.join(" ").replace(/\s+/g, " "), text);
    } finally {
      await small.adapter.stop();
      await s.close();
    }
  });

  it("typing and reactions (DM author is the chat, group author remembered from the message)", async () => {
    const typing = fake.nextCall("sendTyping");
    await h.adapter.typing({ chatId: "group:R3JvdXAx" });
    assert.deepEqual(await typing, { account: BOT, groupId: "R3JvdXAx" });

    const reaction = fake.nextCall("sendReaction");
    await h.adapter.react!({ chatId: ALICE.number }, "1700000000123", "🔥", false);
    assert.deepEqual(await reaction, {
      account: BOT,
      recipient: [ALICE.number],
      emoji: "🔥",
      targetAuthor: ALICE.number,
      targetTimestamp: 1700000000123,
    });

    const got = h.next();
    const ts = fake.userSends({ from: { uuid: HIDDEN.uuid }, groupId: "R3JvdXAx", text: "vote" });
    await got;
    const inGroup = fake.nextCall("sendReaction");
    await h.adapter.react!({ chatId: "group:R3JvdXAx" }, String(ts), "✅", true);
    assert.deepEqual(await inGroup, {
      account: BOT,
      groupId: "R3JvdXAx",
      emoji: "✅",
      targetAuthor: HIDDEN.uuid,
      targetTimestamp: ts,
      remove: true,
    });
    await assert.rejects(h.adapter.react!({ chatId: "group:R3JvdXAx" }, "99", "✅", false), /cannot tell who wrote message 99/);
  });

  it("reactions can be switched off", async () => {
    const s = await startSignalFake({ account: BOT });
    const off = await startAdapter(s, { actions: { reactions: false } });
    try {
      await assert.rejects(off.adapter.react!({ chatId: ALICE.number }, "1", "👍", false), /reactions are off/);
    } finally {
      await off.adapter.stop();
      await s.close();
    }
  });

  it("reconnects when the event stream drops, and queues replies meanwhile", async () => {
    const reopened = fake.nextStream();
    fake.dropStreams();
    await waitFor(() => !h.adapter.status().connected, 5000, "disconnected");
    assert.match(h.adapter.status().lastError ?? "", /event stream/);
    const before = fake.sent().length;
    const reply = h.adapter.send({ chatId: ALICE.number }, { text: "written while away" });
    assert.equal(h.adapter.status().queued, 1, "the reply waits");
    assert.equal(fake.sent().length, before);
    await reopened;
    await waitFor(() => h.adapter.status().connected, 5000, "reconnected");
    await reply;
    assert.equal(fake.sent().at(-1)!.message, "written while away");
    const got = h.next();
    fake.userSends({ from: ALICE, text: "still there?" });
    assert.equal((await got).text, "still there?");
  });

  it("without an account it does not start and says which key to set", async () => {
    const a = createSignalAdapter({
      accountId: "default",
      config: { httpUrl: fake.url },
      env: {},
      log: memoryLogger([], "signal"),
      stateDir: tmpDir(),
      now: Date.now,
      onInbound: () => {},
    });
    await a.start();
    assert.equal(a.status().running, false);
    assert.equal(a.status().configured, false);
    assert.match(a.status().lastError!, /set channels\.signal\.account/);
    assert.equal((await a.probe()).ok, false);
  });

  it("probe checks the daemon and reads its version", async () => {
    const p = await h.adapter.probe();
    assert.equal(p.ok, true);
    assert.equal(p.detail, "signal-cli 0.13.22");
    assert.deepEqual(p.bot, { id: BOT, name: BOT });
  });
});
