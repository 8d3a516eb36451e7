/**
 * Signal through the whole gateway: the real adapter against a fake signal-cli daemon, the real
 * router and agent runtime, a fake model, and the built CLI approving a pairing. What the owner and
 * a stranger would see in their Signal chats.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { FakeLlm } from "../fakes/llm.js";
import { startSignalFake, type SignalFake } from "../fakes/signal.js";
import { cli, connect, startTestGateway, waitFor, type TestGateway } from "../helpers/gateway.js";

const BOT = "+15550009999";
const OWNER = { number: "+15550001111", name: "Olivia" };
const STRANGER = { number: "+15550002222", name: "Sam" };
const GROUP = "R3JvdXBPbmU=";

describe("Signal end to end", { timeout: 60_000 }, () => {
  let llm: FakeLlm;
  let sig: SignalFake;
  let gw: TestGateway;
  before(async () => {
    llm = await FakeLlm.start("anthropic");
    sig = await startSignalFake({ account: BOT });
    const opened = sig.nextStream();
    gw = await startTestGateway({
      config: {
        gateway: { mode: "local" },
        models: { providers: { anthropic: { baseUrl: llm.baseUrl, models: [] } } },
        agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },
        channels: { signal: { account: BOT, httpUrl: sig.url, allowFrom: [OWNER.number], groupAllowFrom: [OWNER.number] } },
      },
      env: { ANTHROPIC_API_KEY: "k" },
    });
    await opened;
    await waitFor(() => gw.output.some((l) => /\[signal\] connected to signal-cli at /.test(l)), 10_000, "signal connected");
  });
  after(async () => {
    await gw.close();
    await sig.close();
    await llm.close();
  });

  it("pairs a stranger: code by Signal, approval with the CLI, then the agent answers", async () => {
    const pairingReply = sig.nextCall("send");
    sig.userSends({ from: STRANGER, text: "hello bot" });
    const sent = await pairingReply;
    assert.deepEqual(sent.recipient, [STRANGER.number]);
    const code = /openclaw pairing approve signal ([A-Z2-9]{8})/.exec(sent.message)?.[1];
    assert.ok(code, `pairing message: ${sent.message}`);
    const modelCalls = llm.requests.length;

    const approved = await cli(["pairing", "approve", "signal", code], { OPENCLAW_STATE_DIR: gw.stateDir, HOME: gw.stateDir });
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stdout, new RegExp(`approved signal sender \\${STRANGER.number}`));

    llm.enqueue({ text: "Welcome aboard, **Sam**." });
    const typing = sig.nextCall("sendTyping");
    const reply = sig.nextCall("send");
    sig.userSends({ from: STRANGER, text: "can we talk now?" });
    const r = await reply;
    assert.deepEqual(r.recipient, [STRANGER.number]);
    assert.equal(r.message, "Welcome aboard, Sam.");
    assert.deepEqual(r["text-style"], ["16:3:BOLD"]);
    assert.equal(llm.requests.length, modelCalls + 1, "the agent ran only after approval");
    assert.deepEqual(await typing, { account: BOT, recipient: [STRANGER.number] });
  });

  it("groups: answers only when mentioned, with the earlier messages as context", async () => {
    const calls = llm.requests.length;
    const sends = sig.sent().length;
    sig.userSends({ from: OWNER, groupId: GROUP, groupName: "Team", text: "the meeting moved to Tuesday" });
    llm.enqueue({ text: "Tuesday." });
    const reply = sig.nextCall("send");
    sig.userSends({
      from: OWNER,
      groupId: GROUP,
      groupName: "Team",
      text: "\uFFFC when is the meeting?",
      mentions: [{ number: BOT, start: 0, length: 1 }],
    });
    const r = await reply;
    assert.equal(r.groupId, GROUP);
    assert.equal(r.message, "Tuesday.");
    assert.equal(sig.sent().length, sends + 1, "not mentioned: no reply");
    assert.equal(llm.requests.length, calls + 1, "one turn, for the mention");
    assert.match(llm.requests.at(-1)!.messages.at(-1)!.text, /the meeting moved to Tuesday[\s\S]*when is the meeting\?/);
  });

  it("reconnects when signal-cli drops the event stream", async () => {
    const c = await connect(gw.wsUrl);
    try {
      const status = async () => (await c.request<any>("channels.status", {})).channelAccounts.signal[0];
      assert.equal((await status()).connected, true);
      const reopened = sig.nextStream();
      sig.dropStreams();
      await waitFor(async () => (await status()).connected === false, 5000, "status to show the drop");
      await reopened;
      await waitFor(async () => (await status()).connected === true, 10_000, "status connected again");
      llm.enqueue({ text: "Still here." });
      const reply = sig.nextCall("send");
      sig.userSends({ from: OWNER, text: "you there?" });
      assert.equal((await reply).message, "Still here.");
    } finally {
      c.close();
    }
  });
});
