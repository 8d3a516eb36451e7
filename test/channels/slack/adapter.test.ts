/** The Slack adapter on its own, against the fake Slack: lifecycle, failures, outbound, reconnects. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startSlackFake, type SlackFake } from "../../fakes/slack.js";
import { createSlackAdapter, type SlackConfig } from "../../../src/channels/slack/index.js";
import type { ChannelAdapter, InboundMessage } from "../../../src/channels/types.js";
import { freePort, waitFor } from "../../helpers/gateway.js";

interface Harness {
  adapter: ChannelAdapter;
  inbound: InboundMessage[];
  logs: string[];
}

function harness(fake: SlackFake | null, config: SlackConfig = {}, env: Record<string, string> = {}): Harness {
  const inbound: InboundMessage[] = [];
  const logs: string[] = [];
  const line = (level: string) => (m: string) => void logs.push(`${level} ${m}`);
  const log = {
    subsystem: "slack",
    trace: () => undefined,
    debug: line("debug"),
    info: line("info"),
    warn: line("warn"),
    error: line("error"),
  } as any;
  log.child = () => log;
  const adapter = createSlackAdapter({
    accountId: "default",
    config: fake ? { botToken: fake.botToken, appToken: fake.appToken, apiBaseUrl: fake.apiBaseUrl, ...config } : config,
    env,
    log,
    stateDir: "/nonexistent",
    now: Date.now,
    onInbound: (m) => void inbound.push(m),
  });
  return { adapter, inbound, logs };
}

describe("slack adapter", { timeout: 30_000 }, () => {
  let fake: SlackFake;
  before(async () => {
    fake = await startSlackFake();
    fake.addChannel({ id: "C1", name: "general" });
    fake.addUser({ id: "U1", name: "olivia", real_name: "Olivia" });
  });
  after(async () => {
    await fake.close();
  });

  it("without tokens it does not start and says which are missing", async () => {
    const h = harness(null, {});
    await h.adapter.start();
    const s = h.adapter.status();
    assert.equal(s.running, false);
    assert.equal(s.configured, false);
    assert.match(s.lastError ?? "", /SLACK_BOT_TOKEN.*SLACK_APP_TOKEN/);
    await h.adapter.stop();
  });

  it("a revoked bot token stops it for good, with the reason in status", async () => {
    const h = harness(fake, { botToken: "xoxb-wrong" });
    const calls = fake.callsOf("auth.test").length;
    await h.adapter.start();
    const s = h.adapter.status();
    assert.equal(s.running, false);
    assert.match(s.lastError ?? "", /refused the bot token \(auth\.test: invalid_auth\)/);
    assert.equal(fake.callsOf("auth.test").length, calls + 1, "no retry");
  });

  it("a bot token given as an app token is refused with what to fix", async () => {
    const h = harness(fake, { appToken: fake.botToken });
    await h.adapter.start();
    assert.match(h.adapter.status().lastError ?? "", /app-level token.*not_allowed_token_type.*connections:write/);
    assert.equal(h.adapter.status().running, false);
    await h.adapter.stop();
  });

  it("an unreachable Slack is retried with the error in status, and stop() ends the retries", async () => {
    const port = await freePort();
    const h = harness(null, { botToken: "xoxb-1", appToken: "xapp-1", apiBaseUrl: `http://127.0.0.1:${port}/api/` });
    await h.adapter.start();
    const s = h.adapter.status();
    assert.equal(s.running, true);
    assert.equal(s.connected, false);
    assert.match(s.lastError ?? "", /auth\.test failed/);
    await h.adapter.stop();
    assert.equal(h.adapter.status().running, false);
  });

  it("connects, reports itself, sends chunked mrkdwn, images, reactions, and DMs by user id", async () => {
    const h = harness(fake, { textChunkLimit: 50 });
    await h.adapter.start();
    const s = h.adapter.status();
    assert.equal(s.connected, true);
    assert.equal(s.mode, "socket");
    assert.equal(s.tokenSource, "config");
    assert.equal(s.botId, fake.botUserId);
    assert.equal(s.botName, "krill");

    const posts = fake.callsOf("chat.postMessage").length;
    const long = `**First** paragraph that is fairly long.\n\nSecond paragraph, also long enough.`;
    const r = await h.adapter.send(
      { chatId: "C1", threadId: "1700000000.000001" },
      { text: long, images: [{ mimeType: "image/png", data: Buffer.from("png") }] },
    );
    const sent = fake.callsOf("chat.postMessage").slice(posts);
    assert.equal(sent.length, 2);
    assert.ok(sent.every((c) => String(c.args.text).length <= 50 && c.args.thread_ts === "1700000000.000001"));
    assert.match(String(sent[0]!.args.text), /^\*First\* paragraph/);
    const done = fake.callsOf("files.completeUploadExternal").at(-1)!;
    assert.equal(done.args.channel_id, "C1");
    assert.equal(done.args.thread_ts, "1700000000.000001");
    assert.equal(r.messageIds.length, 3);
    assert.deepEqual(r.delivered, { channelId: "C1" });

    await h.adapter.react!({ chatId: "C1" }, "1700000000.000001", "👍", false);
    await h.adapter.react!({ chatId: "C1" }, "1700000000.000001", ":eyes:", true);
    assert.deepEqual(fake.callsOf("reactions.add").at(-1)!.args, { channel: "C1", timestamp: "1700000000.000001", name: "thumbsup" });
    assert.equal(fake.callsOf("reactions.remove").at(-1)!.args.name, "eyes");

    await h.adapter.send(h.adapter.parseTarget!("user:U1"), { text: "hello" });
    assert.equal(fake.callsOf("conversations.open").at(-1)!.args.users, "U1");
    assert.equal(fake.callsOf("chat.postMessage").at(-1)!.args.channel, "D1", "the DM conversations.open gave");
    await h.adapter.stop();
  });

  it("status goes connected → disconnected → connected around a dropped socket; stop() is clean", async () => {
    const h = harness(fake);
    await h.adapter.start();
    assert.equal(h.adapter.status().connected, true);
    const n = fake.connections;
    const seen: boolean[] = [];
    const poll = setInterval(() => seen.push(h.adapter.status().connected), 1);
    fake.dropSockets();
    await fake.waitForConnection(n + 1);
    await waitFor(() => h.adapter.status().connected, 5000, "connected again");
    clearInterval(poll);
    assert.ok(seen.includes(false), "it was reported disconnected meanwhile");
    await h.adapter.stop();
    const s = h.adapter.status();
    assert.equal(s.connected, false);
    assert.equal(s.running, false);
    assert.ok(h.logs.some((l) => l.includes("Socket Mode connection closed; reconnecting")));
  });

  it("stop() during the Socket Mode handshake leaves no socket open", async () => {
    const h = harness(fake);
    const opens = fake.callsOf("apps.connections.open").length;
    const before = fake.connections;
    fake.delayMethod("apps.connections.open", 300);
    try {
      const started = h.adapter.start();
      await fake.waitForCall("apps.connections.open", { after: opens });
      await h.adapter.stop();
      await started;
      // The URL still arrives after stop() and the library dials it; the adapter must hang up.
      await fake.waitForConnection(before + 1);
      await waitFor(() => fake.openSockets === 0, 5000, "the late socket closed");
      assert.equal(h.adapter.status().connected, false);
    } finally {
      fake.delayMethod("apps.connections.open", 0);
    }
  });

  it("a bot's message is ignored unless allowBots (account or channel)", async () => {
    const h = harness(fake, { channels: { C1: { allowBots: true } } });
    await h.adapter.start();
    fake.pushEvent({
      type: "message",
      subtype: "bot_message",
      channel: "C2",
      channel_type: "channel",
      bot_id: "B9",
      text: "beep",
      ts: "1.000001",
    });
    fake.pushEvent({
      type: "message",
      subtype: "bot_message",
      channel: "C1",
      channel_type: "channel",
      bot_id: "B9",
      text: "boop",
      ts: "1.000002",
    });
    await waitFor(() => h.inbound.length >= 1, 5000, "the allowed bot message");
    assert.equal(h.inbound.length, 1);
    assert.equal(h.inbound[0]!.text, "boop");
    assert.equal(h.inbound[0]!.sender.isBot, undefined, "admitted by the channel's allowBots");
    await h.adapter.stop();
  });
});
