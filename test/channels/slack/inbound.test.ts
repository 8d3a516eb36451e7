import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  chatKind,
  readableText,
  skipReason,
  stripMention,
  toInbound,
  type SlackMessageEvent,
} from "../../../src/channels/slack/inbound.js";

const BOT = "UBOT";
const opts = { accountId: "default", botUserId: BOT, now: () => 5 };
const ev = (over: Partial<SlackMessageEvent> = {}): SlackMessageEvent => ({
  type: "message",
  channel: "C1",
  channel_type: "channel",
  user: "U1",
  text: "hello",
  ts: "1700000000.000100",
  ...over,
});

describe("slack inbound", () => {
  it("skips own messages, other bots (unless allowed), edits and joins", () => {
    const self = { userId: BOT, botId: "BSELF" };
    assert.equal(skipReason(ev(), self, false), null);
    assert.equal(skipReason(ev({ user: BOT }), self, true), "own message");
    assert.equal(skipReason(ev({ bot_id: "BSELF", user: undefined }), self, true), "own message");
    assert.equal(skipReason(ev({ bot_id: "B2", subtype: "bot_message", user: undefined }), self, false), "sent by a bot");
    assert.equal(skipReason(ev({ bot_id: "B2", subtype: "bot_message", user: undefined }), self, true), null);
    assert.equal(skipReason(ev({ subtype: "message_changed" }), self, false), "subtype message_changed");
    assert.equal(skipReason(ev({ subtype: "channel_join" }), self, false), "subtype channel_join");
    assert.equal(skipReason(ev({ subtype: "file_share", text: "", files: [{ name: "a" }] }), self, false), null);
    assert.equal(skipReason(ev({ text: " " }), self, false), "empty");
  });

  it("chat kinds from channel_type, the id, or conversations.info", () => {
    assert.equal(chatKind(ev({ channel_type: "im", channel: "D1" })), "dm");
    assert.equal(chatKind(ev({ channel_type: undefined, channel: "D1" })), "dm");
    assert.equal(chatKind(ev({ channel_type: "mpim", channel: "G1" })), "group");
    assert.equal(chatKind(ev({ channel_type: undefined, channel: "G1" }), { isMpim: true }), "group");
    assert.equal(chatKind(ev({ channel_type: "group", channel: "G2" })), "channel");
  });

  it("a channel mention: mentioned, mention stripped, Slack markup read back", () => {
    const m = toInbound(ev({ text: `<@${BOT}> look at <https://x.io|this> &amp; <#C2|random>` }), opts, {
      kind: "channel",
      channelName: "general",
      senderName: "Olivia",
      senderUsername: "olivia",
      replyToMode: "all",
    });
    assert.equal(m.text, "look at this (https://x.io) & #random");
    assert.equal(m.mentioned, true);
    assert.deepEqual(m.chat, { kind: "channel", id: "C1", channelName: "general", title: "#general" });
    assert.deepEqual(m.sender, { id: "U1", username: "olivia", name: "Olivia" });
    assert.equal(m.messageId, "1700000000.000100");
    assert.equal(m.timestamp, 1700000000000);
  });

  it("app_mention events are mentions; others only with <@BOT> or in a thread the bot started", () => {
    const look = { kind: "channel" as const, replyToMode: "off" as const };
    assert.equal(toInbound(ev({ type: "app_mention", text: "hi" }), opts, look).mentioned, true);
    assert.equal(toInbound(ev({ text: "hi" }), opts, look).mentioned, false);
    assert.equal(toInbound(ev({ text: "hi <@ubot|krill>" }), opts, look).mentioned, true);
    const inBotThread = toInbound(ev({ thread_ts: "1699999999.000001", parent_user_id: BOT }), opts, look);
    assert.equal(inBotThread.mentioned, true);
  });

  it("thread replies carry the thread root as threadId; a DM threads its own ts only when replyToMode says so", () => {
    const reply = toInbound(ev({ thread_ts: "1699999999.000001" }), opts, { kind: "channel", replyToMode: "off" });
    assert.equal(reply.chat.threadId, "1699999999.000001");
    assert.equal(reply.replyToMessageId, "1699999999.000001");
    const root = toInbound(ev({ thread_ts: "1700000000.000100" }), opts, { kind: "channel", replyToMode: "off" });
    assert.equal(root.chat.threadId, undefined, "a thread's root message is not a reply in it");
    assert.equal(toInbound(ev(), opts, { kind: "channel", replyToMode: "all" }).chat.threadId, undefined, "channels thread when sending");
    const dm = toInbound(ev({ channel: "D1", channel_type: "im" }), opts, { kind: "dm", replyToMode: "all" });
    assert.equal(dm.chat.threadId, "1700000000.000100");
    assert.equal(dm.mentioned, true);
    assert.equal(toInbound(ev({ channel: "D1" }), opts, { kind: "dm", replyToMode: "off" }).chat.threadId, undefined);
  });

  it("stripMention keeps the rest of the text as written", () => {
    assert.equal(stripMention(`<@${BOT}> hi`, BOT), "hi");
    assert.equal(stripMention(`hey <@${BOT}> there`, BOT), "hey there");
    assert.equal(stripMention(`<@${BOT}>\n- a\n  - b`, BOT), "- a\n  - b", "indentation kept");
    assert.equal(stripMention(`hi <@${BOT}>`, BOT), "hi");
    assert.equal(readableText("a &lt;b&gt; <!channel>"), "a <b> @channel");
  });
});
