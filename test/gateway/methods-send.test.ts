/**
 * `send`: an operator's message reaches the chat through the real channel libraries (grammY against
 * the fake Bot API, @discordjs against the fake Discord), with OpenClaw's idempotency and error codes.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { FakeDiscord } from "../fakes/discord.js";
import { FakeTelegram } from "../fakes/telegram.js";
import { connect, startTestGateway, waitFor, type TestGateway, refused } from "../helpers/gateway.js";
import type { GatewayClient } from "../../src/cli/client.js";
import { parseTelegramTarget } from "../../src/channels/telegram/targets.js";
import { parseDiscordTarget } from "../../src/channels/discord/targets.js";

const timeout = 30_000;
// A 1×1 PNG.
const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082",
  "hex",
);

describe("send", () => {
  let tg: FakeTelegram;
  let dc: FakeDiscord;
  let gw: TestGateway;
  let c: GatewayClient;
  let media: http.Server;
  let mediaUrl: string;
  let mediaHits = 0;

  before(async () => {
    tg = await FakeTelegram.start();
    dc = await FakeDiscord.start({ botName: "Krill" });
    dc.addGuild({ id: "900000000000000001", name: "Home", channels: [{ id: "900000000000000011", name: "general" }] });
    media = http.createServer((req, res) => {
      mediaHits++;
      if (req.url === "/cat.png") res.writeHead(200, { "content-type": "image/png" }).end(PNG);
      else if (req.url === "/notes.txt") res.writeHead(200, { "content-type": "text/plain" }).end("just text");
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => media.listen(0, "127.0.0.1", r));
    mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
    gw = await startTestGateway({
      config: {
        gateway: { mode: "local" },
        channels: { telegram: { apiRoot: tg.apiRoot }, discord: { apiBaseUrl: dc.apiBaseUrl } },
      },
      env: { TELEGRAM_BOT_TOKEN: tg.token, DISCORD_BOT_TOKEN: dc.token, OPENCLAW_TELEGRAM_POLL_TIMEOUT: "1" },
    });
    await waitFor(() => gw.output.some((l) => /\[telegram\] logged in to telegram as @/.test(l)), 10_000, "telegram login");
    await waitFor(() => gw.output.some((l) => l.includes("[discord] logged in to discord as Krill")), 10_000, "discord login");
    c = await connect(gw.wsUrl, { scopes: ["operator.write"] });
    await waitFor(async () => (await c.request<any>("channels.status", {})).channelAccounts.telegram[0].connected, 10_000, "telegram up");
  });
  after(async () => {
    c?.close();
    await gw?.close();
    await Promise.all([tg?.close(), dc?.close(), new Promise((r) => media?.close(r))]);
  });

  it("delivers to a Telegram chat, converted to Telegram's HTML, and answers with OpenClaw's payload", { timeout }, async () => {
    const n = tg.sent.length;
    const res = await c.request<Record<string, unknown>>("send", {
      channel: "telegram",
      to: "7001",
      message: "The **deploy** finished.",
      idempotencyKey: "send-1",
    });
    await tg.waitForSent(n + 1);
    const msg = tg.sent[n]!;
    assert.equal(msg.chatId, "7001");
    assert.equal(msg.plain, "The deploy finished.");
    assert.equal(msg.parseMode, "HTML");
    assert.match(msg.text!, /<b>deploy<\/b>/);
    assert.deepEqual(res, { runId: "send-1", messageId: String(msg.messageId), channel: "telegram", chatId: "7001" });
  });

  it("sends once per idempotency key: a repeat, even a concurrent one, gets the first answer", { timeout }, async () => {
    const n = tg.sent.length;
    const params = { channel: "telegram", to: "7001", message: "only once", idempotencyKey: "send-twice" };
    const [a, b] = await Promise.all([c.request("send", params), c.request("send", params)]);
    const again = await c.request("send", params);
    assert.deepEqual(a, b);
    assert.deepEqual(a, again);
    assert.equal(tg.sent.filter((s) => s.plain === "only once").length, 1, "one message in the chat");
    assert.equal(tg.sent.length, n + 1);
  });

  it("reads Telegram targets as OpenClaw does: prefixes, forum topics, usernames", { timeout }, async () => {
    const n = tg.sent.length;
    await c.request("send", { channel: "telegram", to: "telegram:-1001234:topic:42", message: "topic post", idempotencyKey: "send-topic" });
    await c.request("send", { channel: "telegram", to: "https://t.me/news_room", message: "channel post", idempotencyKey: "send-user" });
    await tg.waitForSent(n + 2);
    assert.equal(tg.sent[n]!.chatId, "-1001234");
    assert.equal(tg.sent[n]!.threadId, 42);
    assert.equal(tg.sent[n + 1]!.chatId, "@news_room");
    assert.deepEqual(parseTelegramTarget("tg:group:-100555"), { chatId: "-100555" });
    assert.deepEqual(parseTelegramTarget("mychannel"), { chatId: "@mychannel" });
    assert.deepEqual(parseTelegramTarget("-100555:7"), { chatId: "-100555", threadId: "7" });
  });

  it("splits a long message into Telegram-sized chunks", { timeout }, async () => {
    const n = tg.sent.length;
    const long = Array.from({ length: 30 }, (_, i) => `Paragraph ${i}: ${"words ".repeat(40)}`).join("\n\n");
    await c.request("send", { channel: "telegram", to: "7001", message: long, idempotencyKey: "send-long" });
    await tg.waitForSent(n + 2);
    const parts = tg.sent.slice(n);
    assert.ok(parts.length >= 2, `chunked into ${parts.length}`);
    for (const p of parts) assert.ok(p.plain!.length <= 4096);
    assert.match(parts.at(-1)!.plain!, /Paragraph 29/);
  });

  it("sends an image from a URL, and refuses what is not an image or not http(s)", { timeout }, async () => {
    const n = tg.sent.length;
    await c.request("send", {
      channel: "telegram",
      to: "7001",
      message: "look",
      mediaUrl: `${mediaUrl}/cat.png`,
      idempotencyKey: "send-img",
    });
    await tg.waitFor(() => tg.sent.slice(n).some((s) => s.photo), 5000, "a photo");
    const photo = tg.sent.slice(n).find((s) => s.photo)!;
    assert.deepEqual(photo.photoBytes, PNG);
    assert.ok(tg.sent.slice(n).some((s) => s.plain === "look"));

    const hits = mediaHits;
    const text = await refused(
      c.request("send", { channel: "telegram", to: "7001", message: "x", mediaUrl: `${mediaUrl}/notes.txt`, idempotencyKey: "send-txt" }),
    );
    assert.equal(text.code, "INVALID_REQUEST");
    assert.match(text.message, /only images can be sent \(got text\/plain\)/);
    assert.equal(mediaHits, hits + 1);
    const local = await refused(
      c.request("send", { channel: "telegram", to: "7001", message: "x", mediaUrl: "/etc/passwd", idempotencyKey: "send-file" }),
    );
    assert.equal(local.code, "INVALID_REQUEST");
    assert.match(local.message, /only http\(s\) URLs/);
  });

  it("delivers to Discord: a user's DM (opened for the send) and a channel", { timeout }, async () => {
    const n = dc.sent.length;
    const dm = await c.request<Record<string, string>>("send", {
      channel: "discord",
      to: "user:800000000000000001",
      message: "Hi from the gateway",
      idempotencyKey: "send-dc-dm",
    });
    const ch = await c.request<Record<string, string>>("send", {
      channel: "discord",
      to: "channel:900000000000000011",
      message: "Hello #general",
      idempotencyKey: "send-dc-ch",
    });
    await dc.waitForSent(n + 2, 10_000);
    const dmMsg = dc.sent.find((s) => s.content === "Hi from the gateway")!;
    assert.notEqual(dmMsg.channelId, "900000000000000011");
    assert.deepEqual(dm, { runId: "send-dc-dm", messageId: dmMsg.messageId, channel: "discord", channelId: dmMsg.channelId });
    assert.equal(ch.channelId, "900000000000000011");
    assert.equal(dc.sent.find((s) => s.content === "Hello #general")!.channelId, "900000000000000011");
  });

  it("refuses with OpenClaw's codes: unknown channel, ambiguous or malformed target, missing channel", { timeout }, async () => {
    const unknown = await refused(c.request("send", { channel: "imessage", to: "+15550001", message: "x", idempotencyKey: "e1" }));
    assert.deepEqual(unknown, { code: "INVALID_REQUEST", message: "unsupported channel: imessage" });
    const ambiguous = await refused(c.request("send", { channel: "discord", to: "123456789", message: "x", idempotencyKey: "e2" }));
    assert.equal(ambiguous.code, "INVALID_REQUEST");
    assert.equal(
      ambiguous.message,
      'Ambiguous Discord recipient "123456789". Use "user:123456789" for DMs or "channel:123456789" for channel messages.',
    );
    const bad = await refused(c.request("send", { channel: "telegram", to: "not a chat", message: "x", idempotencyKey: "e3" }));
    assert.equal(bad.code, "INVALID_REQUEST");
    assert.match(bad.message, /"not a chat" is not a Telegram chat: use a chat id/);
    const which = await refused(c.request("send", { to: "7001", message: "x", idempotencyKey: "e4" }));
    assert.equal(which.code, "INVALID_REQUEST");
    assert.match(which.message, /channel required: more than one channel is set up \(telegram, discord\)/);
    const params = await refused(c.request("send", { channel: "telegram", to: "7001", message: "", idempotencyKey: "e5" }));
    assert.equal(params.code, "INVALID_REQUEST");
    assert.match(params.message, /^invalid send params: message/);
    assert.deepEqual(parseDiscordTarget("<@!42>"), { chatId: "user:42" });
    assert.deepEqual(parseDiscordTarget("discord:42"), { chatId: "user:42" });
    assert.throws(() => parseDiscordTarget("@olivia"), /Discord DMs require a user id/);
  });

  it("answers UNAVAILABLE when the channel cannot send now, and remembers that answer for the key", { timeout }, async () => {
    const other = await refused(
      c.request("send", { channel: "telegram", accountId: "work", to: "7001", message: "x", idempotencyKey: "u1" }),
    );
    assert.deepEqual(other, { code: "UNAVAILABLE", message: 'Telegram account "work" is not set up (accounts: default)' });

    tg.goDown();
    try {
      // The next poll fails and the adapter marks itself disconnected.
      await waitFor(
        async () => (await c.request<any>("channels.status", {})).channelAccounts.telegram[0].connected === false,
        10_000,
        "disconnect",
      );
      const n = tg.sent.length;
      const down = await refused(c.request("send", { channel: "telegram", to: "7001", message: "while down", idempotencyKey: "u2" }));
      assert.equal(down.code, "UNAVAILABLE");
      assert.match(down.message, /^Telegram account default is not connected .*nothing was sent, try again$/);
      tg.comeBack();
      await waitFor(async () => (await c.request<any>("channels.status", {})).channelAccounts.telegram[0].connected, 10_000, "reconnect");
      const replay = await refused(c.request("send", { channel: "telegram", to: "7001", message: "while down", idempotencyKey: "u2" }));
      assert.deepEqual(replay, down, "the same key gets the same answer");
      assert.equal(tg.sent.length, n, "nothing sent");
    } finally {
      tg.comeBack();
    }
  });

  it("needs operator.write", { timeout }, async () => {
    const reader = await connect(gw.wsUrl, { scopes: ["operator.read"] });
    try {
      const err = await refused(reader.request("send", { channel: "telegram", to: "7001", message: "x", idempotencyKey: "r1" }));
      assert.equal(err.code, "FORBIDDEN");
    } finally {
      reader.close();
    }
  });
});

describe("send with one channel", () => {
  it("uses the only channel set up when none is named, and says when none is", { timeout }, async () => {
    const tg = await FakeTelegram.start();
    const gw = await startTestGateway({
      config: { gateway: { mode: "local" }, channels: { telegram: { apiRoot: tg.apiRoot } } },
      env: { TELEGRAM_BOT_TOKEN: tg.token, OPENCLAW_TELEGRAM_POLL_TIMEOUT: "1" },
    });
    const c = await connect(gw.wsUrl);
    try {
      await waitFor(async () => (await c.request<any>("channels.status", {})).channelAccounts.telegram[0].connected, 10_000, "telegram up");
      const res = await c.request<Record<string, string>>("send", { to: "@owner_chat", message: "default channel", idempotencyKey: "d1" });
      assert.equal(res.channel, "telegram");
      await tg.waitForSent(1);
      assert.equal(tg.sent[0]!.chatId, "@owner_chat");
      const dc = await refused(c.request("send", { channel: "discord", to: "channel:1", message: "x", idempotencyKey: "d2" }));
      assert.deepEqual(dc, {
        code: "UNAVAILABLE",
        message: "Discord is not set up: set DISCORD_BOT_TOKEN or add channels.discord to the config",
      });
    } finally {
      c.close();
      await gw.close();
      await tg.close();
    }
  });
});
