/**
 * Slack through the whole gateway: Bolt (Socket Mode, and HTTP mode on the gateway's own port) against
 * the fake Slack, the real router and agent runtime, a fake model. What people in the workspace see.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { FakeLlm } from "../fakes/llm.js";
import { startSlackFake, type SlackFake } from "../fakes/slack.js";
import { connect, startTestGateway, waitFor, type TestGateway } from "../helpers/gateway.js";

const GENERAL = "C0GENERAL";
const RANDOM = "C0RANDOM";
const OWNER = { id: "U0OWNER", name: "olivia", real_name: "Olivia" };
const STRANGER = { id: "U0SAM", name: "sam", real_name: "Sam" };
const PNG = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");

function baseConfig(llm: FakeLlm, slack: Record<string, unknown>) {
  return {
    gateway: { mode: "local" },
    models: { providers: { anthropic: { baseUrl: llm.baseUrl, models: [] } } },
    agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },
    channels: { slack },
  };
}

describe("Slack end to end, Socket Mode", { timeout: 60_000 }, () => {
  let llm: FakeLlm;
  let slack: SlackFake;
  let gw: TestGateway;

  before(async () => {
    llm = await FakeLlm.start("anthropic");
    slack = await startSlackFake({ botName: "krill" });
    slack.addChannel({ id: GENERAL, name: "general" });
    slack.addChannel({ id: RANDOM, name: "random" });
    slack.addUser(OWNER);
    slack.addUser(STRANGER);
    gw = await startTestGateway({
      config: baseConfig(llm, {
        apiBaseUrl: slack.apiBaseUrl,
        replyToMode: "all",
        replyToModeByChatType: { direct: "off" },
        channels: { "#general": { requireMention: true } },
        dm: { policy: "pairing", allowFrom: [OWNER.id] },
      }),
      env: { ANTHROPIC_API_KEY: "k", SLACK_BOT_TOKEN: slack.botToken, SLACK_APP_TOKEN: slack.appToken },
      verbose: true,
    });
    await waitFor(() => gw.output.some((l) => l.includes("[slack] logged in to slack as krill (Socket Mode)")), 10_000, "slack login");
    await waitFor(() => slack.connections >= 1, 10_000, "socket mode connection");
  });
  after(async () => {
    await gw?.close();
    await slack?.close();
    await llm?.close();
  });

  it("answers a mention in an allowlisted channel once, in the thread of that message, in mrkdwn", async () => {
    llm.enqueue({ text: "Good **morning**, Olivia." });
    const calls = llm.requests.length;
    const posted = slack.waitForCall("chat.postMessage");
    // Slack sends a mention twice (message.channels and app_mention): one answer only.
    const ts = slack.userSays({ channel: GENERAL, user: OWNER.id, text: `<@${slack.botUserId}> good morning`, mention: true });
    const call = await posted;
    assert.equal(call.args.channel, GENERAL);
    assert.equal(call.args.thread_ts, ts, "the reply is in the thread of the mention");
    assert.equal(call.args.text, "Good *morning*, Olivia.");
    assert.equal(llm.requests.length, calls + 1, "the agent ran once");
    assert.match(llm.requests.at(-1)!.messages.at(-1)!.text, /good morning/);
    assert.doesNotMatch(llm.requests.at(-1)!.messages.at(-1)!.text, /<@UBOT/, "the mention is stripped");
    await waitFor(() => slack.acks.length >= 2, 5000, "both envelopes acknowledged");
    // A second answer would be a second chat.postMessage for the same ts: give the duplicate time to be read.
    assert.equal(slack.callsOf("chat.postMessage").filter((c) => c.args.thread_ts === ts).length, 1);
  });

  it("keeps un-mentioned channel messages as context and ignores channels not in the allowlist", async () => {
    const calls = llm.requests.length;
    const posts = slack.callsOf("chat.postMessage").length;
    slack.userSays({ channel: RANDOM, user: OWNER.id, text: `<@${slack.botUserId}> anyone here?`, mention: true });
    const line = `slack: ignored message from ${OWNER.id} in channel ${RANDOM}: `;
    await waitFor(() => gw.output.some((l) => l.includes(line)), 5000, `"${line}"`);
    slack.userSays({ channel: GENERAL, user: OWNER.id, text: "the meeting moved to Tuesday" });
    llm.enqueue({ text: "Tuesday." });
    const posted = slack.waitForCall("chat.postMessage");
    slack.userSays({ channel: GENERAL, user: OWNER.id, text: `<@${slack.botUserId}> when is the meeting?`, mention: true });
    await posted;
    assert.equal(slack.callsOf("chat.postMessage").length, posts + 1, "no reply in #random, one in #general");
    assert.equal(llm.requests.length, calls + 1);
    assert.match(llm.requests.at(-1)!.messages.at(-1)!.text, /meeting moved to Tuesday/, "earlier message given as context");
  });

  it("pairs a stranger's DM: a code and no agent run, then answers once approved", async () => {
    const calls = llm.requests.length;
    const dm = "D0SAM";
    slack.addChannel({ id: dm, is_im: true });
    let posted = slack.waitForCall("chat.postMessage");
    slack.userSays({ channel: dm, user: STRANGER.id, text: "hi, who are you?" });
    const pairing = await posted;
    assert.equal(pairing.args.channel, dm);
    assert.equal(pairing.args.thread_ts, undefined, "DMs reply in the conversation (replyToModeByChatType.direct: off)");
    const code = /pairing approve slack ([A-Z2-9]{8})/.exec(String(pairing.args.text))?.[1];
    assert.ok(code, `pairing message: ${pairing.args.text}`);
    assert.equal(llm.requests.length, calls, "no agent run for an unapproved sender");

    const c = await connect(gw.wsUrl);
    await c.request("pairing.approve", { channel: "slack", code });
    c.close();
    llm.enqueue({ text: "I am Krill." });
    posted = slack.waitForCall("chat.postMessage");
    slack.userSays({ channel: dm, user: STRANGER.id, text: "and now?" });
    const answer = await posted;
    assert.equal(answer.args.text, "I am Krill.");
    assert.equal(answer.args.channel, dm);
  });

  it("passes a shared image to the model, downloaded with the bot token", async () => {
    llm.enqueue({ text: "A tiny picture." });
    const posted = slack.waitForCall("chat.postMessage");
    const file = slack.addFile("dot.png", "image/png", PNG);
    slack.userSays({ channel: "D0OWNER", user: OWNER.id, text: "what is this?", files: [file] });
    await posted;
    assert.ok(llm.requests.at(-1)!.hasImage, "the model saw the image");
  });

  it("reconnects after Slack drops the socket, and answers a message sent after the reconnect", async () => {
    const before = slack.connections;
    const status = async () => {
      const c = await connect(gw.wsUrl);
      try {
        const s = await c.request<{ channelAccounts: { slack: Array<{ connected: boolean; mode: string; botId?: string }> } }>(
          "channels.status",
          {},
        );
        return s.channelAccounts.slack[0]!;
      } finally {
        c.close();
      }
    };
    const up = await status();
    assert.equal(up.connected, true);
    assert.equal(up.mode, "socket");
    assert.equal(up.botId, slack.botUserId);

    slack.dropSockets();
    await slack.waitForConnection(before + 1);
    await waitFor(async () => (await status()).connected, 5000, "connected again");
    assert.ok(gw.output.some((l) => l.includes("Socket Mode connection closed; reconnecting")));

    llm.enqueue({ text: "Still here." });
    const posted = slack.waitForCall("chat.postMessage");
    slack.userSays({ channel: GENERAL, user: OWNER.id, text: `<@${slack.botUserId}> still there?` });
    assert.equal((await posted).args.text, "Still here.");
  });
});

describe("Slack end to end, HTTP mode on the gateway port", { timeout: 60_000 }, () => {
  let llm: FakeLlm;
  let slack: SlackFake;
  let gw: TestGateway;

  before(async () => {
    llm = await FakeLlm.start("anthropic");
    slack = await startSlackFake({ botName: "krill" });
    slack.addChannel({ id: GENERAL, name: "general" });
    slack.addUser(OWNER);
    gw = await startTestGateway({
      config: baseConfig(llm, {
        mode: "http",
        botToken: slack.botToken,
        signingSecret: slack.signingSecret,
        apiBaseUrl: slack.apiBaseUrl,
        channels: { [GENERAL]: { requireMention: false } },
      }),
      env: { ANTHROPIC_API_KEY: "k" },
    });
    await waitFor(() => gw.output.some((l) => l.includes("[slack] logged in to slack as krill (HTTP mode)")), 10_000, "slack login");
    await waitFor(() => gw.output.some((l) => l.includes("receiving Slack events at /slack/events")), 10_000, "route mounted");
  });
  after(async () => {
    await gw?.close();
    await slack?.close();
    await llm?.close();
  });

  const post = (req: { body: string; headers: Record<string, string> }) =>
    fetch(`${gw.httpUrl}/slack/events`, { method: "POST", headers: req.headers, body: req.body });

  it("answers Slack's url_verification challenge", async () => {
    const req = slack.signedRequest({});
    const body = JSON.stringify({ type: "url_verification", token: "t", challenge: "c-123" });
    const signed = { ...req, body };
    // Re-sign the challenge body: signedRequest signs the event envelope it builds.
    const crypto = await import("node:crypto");
    const ts = String(Math.floor(Date.now() / 1000));
    signed.headers = {
      ...req.headers,
      "x-slack-request-timestamp": ts,
      "x-slack-signature": `v0=${crypto.createHmac("sha256", slack.signingSecret).update(`v0:${ts}:${body}`).digest("hex")}`,
    };
    const res = await post(signed);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /c-123/);
  });

  it("acts on a correctly signed event and refuses a badly signed one with 401", async () => {
    const calls = llm.requests.length;
    const bad = await post(
      slack.signedRequest(
        { type: "message", channel: GENERAL, channel_type: "channel", user: OWNER.id, text: "forged", ts: "1700000000.000100" },
        { badSignature: true },
      ),
    );
    assert.equal(bad.status, 401);
    const unsigned = await fetch(`${gw.httpUrl}/slack/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(unsigned.status, 401);

    llm.enqueue({ text: "Heard you." });
    const posted = slack.waitForCall("chat.postMessage");
    const ok = await post(
      slack.signedRequest({
        type: "message",
        channel: GENERAL,
        channel_type: "channel",
        user: OWNER.id,
        text: "hello over http",
        ts: "1700000000.000200",
      }),
    );
    assert.equal(ok.status, 200);
    const call = await posted;
    assert.equal(call.args.text, "Heard you.");
    assert.equal(call.args.channel, GENERAL);
    assert.equal(call.args.thread_ts, undefined, "replyToMode off: the reply stays in the channel");
    assert.equal(llm.requests.length, calls + 1, "only the signed event reached the agent");
    assert.match(llm.requests.at(-1)!.messages.at(-1)!.text, /hello over http/);
  });
});
