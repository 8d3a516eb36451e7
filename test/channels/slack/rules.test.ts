import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decide } from "../../../src/routing/access.js";
import { slackRules } from "../../../src/channels/slack/rules.js";
import { setupCheck, replyToModeFor } from "../../../src/channels/slack/config.js";
import type { InboundMessage } from "../../../src/channels/types.js";

const pairing = { isApproved: (_c: string, id: string) => id === "UPAIRED" } as any;

function msg(over: Partial<InboundMessage> & { chat?: Partial<InboundMessage["chat"]> } = {}): InboundMessage {
  const { chat, ...rest } = over;
  return {
    channel: "slack",
    accountId: "default",
    messageId: "1.1",
    chat: { kind: "channel", id: "C1", channelName: "general", ...chat },
    sender: { id: "U1", username: "olivia" },
    text: "hi",
    mentioned: true,
    timestamp: 0,
    ...rest,
  };
}

const run = (config: Record<string, any>, m: InboundMessage, sectionPresent = true) =>
  decide(m, { config, sectionPresent, pairing, rules: slackRules });

describe("slack rules", () => {
  it("channels are an allowlist by id, #name or bare name (any case), with * as a fallback", () => {
    assert.equal(run({ channels: { C1: {} } }, msg()).action, "allow");
    assert.equal(run({ channels: { "#General": {} } }, msg()).action, "allow");
    assert.equal(run({ channels: { general: {} } }, msg()).action, "allow");
    assert.equal(run({ channels: { "*": {} } }, msg()).action, "allow");
    const d = run({ channels: { "#random": {} } }, msg());
    assert.deepEqual(d, { action: "drop", reason: "chat C1 is not in the allowlist" });
    assert.equal(run({}, msg()).action, "drop", "no channels listed under the default allowlist: none answered");
  });

  it("groupPolicy defaults to open when there is no channels.slack section (tokens from the environment only)", () => {
    assert.equal(run({}, msg(), false).action, "allow");
    assert.equal(run({ groupPolicy: "disabled" }, msg(), false).action, "drop");
    assert.equal(run({ groupPolicy: "open" }, msg()).action, "allow");
  });

  it("enabled: false and allow: false switch a channel off; users narrows who may talk", () => {
    assert.equal(run({ groupPolicy: "open", channels: { C1: { enabled: false } } }, msg()).action, "drop");
    assert.equal(run({ channels: { C1: { allow: false } } }, msg()).action, "drop");
    assert.equal(run({ channels: { C1: { users: ["U2"] } } }, msg()).action, "drop");
    assert.equal(run({ channels: { C1: { users: ["olivia"] } } }, msg()).action, "allow");
  });

  it("mention gating: on by default, per channel or for the account", () => {
    const quiet = msg({ mentioned: false });
    assert.equal(run({ channels: { C1: {} } }, quiet).action, "context");
    assert.equal(run({ channels: { C1: { requireMention: false } } }, quiet).action, "allow");
    assert.equal(run({ requireMention: false, channels: { C1: {} } }, quiet).action, "allow");
  });

  it("systemPrompt and tool policies come from the channel entry", () => {
    const g = slackRules.group({ channels: { "#general": { systemPrompt: "Be brief.", tools: { deny: ["exec"] } } } }, msg(), true);
    assert.equal(g.systemPrompt, "Be brief.");
    assert.deepEqual(g.tools, { deny: ["exec"] });
  });

  it("DMs: pairing by default, dm.allowFrom, dm.policy, dm.enabled", () => {
    const dm = msg({ chat: { kind: "dm", id: "D1", channelName: undefined } });
    assert.equal(run({}, dm).action, "pair");
    assert.equal(run({ dm: { allowFrom: ["U1"] } }, dm).action, "allow");
    assert.equal(run({}, { ...dm, sender: { id: "UPAIRED" } }).action, "allow");
    assert.equal(run({ dm: { policy: "allowlist" } }, dm).action, "drop");
    assert.equal(run({ dm: { policy: "open", allowFrom: ["*"] } }, dm).action, "allow");
    assert.equal(run({ dm: { enabled: false } }, dm).action, "drop");
  });

  it("group DMs are off unless dm.groupEnabled; dm.groupChannels narrows them", () => {
    const mpim = msg({ chat: { kind: "group", id: "G1", channelName: "mpdm-a--b" } });
    assert.equal(run({}, mpim).action, "drop");
    assert.equal(run({ dm: { groupEnabled: true } }, mpim).action, "allow");
    assert.equal(run({ dm: { groupEnabled: true, groupChannels: ["G2"] } }, mpim).action, "drop");
    assert.equal(run({ dm: { groupEnabled: true, groupChannels: ["G1"] } }, mpim).action, "allow");
  });

  it("bots are dropped unless allowBots", () => {
    const bot = msg({ sender: { id: "B1", isBot: true } });
    assert.equal(run({ channels: { C1: {} } }, bot).action, "drop");
    assert.equal(run({ allowBots: true, channels: { C1: {} } }, bot).action, "allow");
  });
});

describe("slack config", () => {
  it("setup names what each mode is missing", () => {
    const none = setupCheck({}, "default", {});
    assert.equal(none.ok, false);
    assert.match(none.detail, /SLACK_BOT_TOKEN/);
    assert.match(none.detail, /SLACK_APP_TOKEN/);
    const appOnly = setupCheck({ botToken: "xoxb-1" }, "default", {});
    assert.match(appOnly.detail, /app-level token/);
    assert.doesNotMatch(appOnly.detail, /bot token/);
    const http = setupCheck({ mode: "http", botToken: "xoxb-1" }, "default", {});
    assert.match(http.detail, /signing secret/);
    assert.doesNotMatch(http.detail, /app-level/);
    assert.equal(setupCheck({}, "default", { SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1" }).ok, true);
    assert.match(setupCheck({}, "work", { SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1" }).detail, /accounts\.work\.botToken/);
    assert.equal(setupCheck({ mode: "http", botToken: "xoxb-1", signingSecret: "s" }, "work", {}).ok, true);
  });

  it("replyToMode: per chat type, then dm.replyToMode for DMs, then replyToMode, default off", () => {
    assert.equal(replyToModeFor({}, "channel"), "off");
    assert.equal(replyToModeFor({ replyToMode: "all" }, "dm"), "all");
    assert.equal(replyToModeFor({ replyToMode: "all", dm: { replyToMode: "off" } }, "dm"), "off");
    assert.equal(
      replyToModeFor({ replyToMode: "off", replyToModeByChatType: { direct: "first" }, dm: { replyToMode: "off" } }, "dm"),
      "first",
    );
    assert.equal(replyToModeFor({ replyToModeByChatType: { group: "all" } }, "group"), "all");
  });
});
