/**
 * A conversation call through the gateway: the callee hears the opening line and a speech gather;
 * what they say goes to the agent (a fake model) in the caller's voice session and its answer is
 * said back, with another gather. Inbound calls follow inboundPolicy (allowlist here).
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, describe, it } from "node:test";
import { FakeTwilio, twilioWebhook } from "../fakes/twilio.js";
import { chatClient, fakeConfig, KEYS, startFakes, type Fakes } from "../helpers/agents.js";
import { connect, freePort, startTestGateway, tmpDir, type TestGateway } from "../helpers/gateway.js";

const TOKEN = "voice-conv-token";
const FROM = "+15550001111";
const TO = "+15550002222";
const FRIEND = "+15550003333";

describe("voice conversation through the gateway", () => {
  let fakes: Fakes;
  let twilio: FakeTwilio;
  let gw: TestGateway;
  let stateDir: string;
  let port: number;
  let hook: string;
  before(async () => {
    fakes = await startFakes();
    twilio = await FakeTwilio.start();
    stateDir = tmpDir("oc-voice-conv-");
    port = await freePort();
    hook = `http://127.0.0.1:${port}/voice/webhook`;
    const base = fakeConfig(fakes);
    gw = await startTestGateway({
      port,
      stateDir,
      env: KEYS,
      config: {
        ...base,
        gateway: { mode: "local", auth: { mode: "token", token: TOKEN } },
        plugins: twilio.plugins({
          publicUrl: hook,
          maxConcurrentCalls: 3,
          inboundPolicy: "allowlist",
          allowFrom: [FRIEND],
          inboundGreeting: "Hi, this is the gateway.",
        }),
      },
    });
  });
  after(async () => {
    await gw?.close();
    await twilio?.close();
    await fakes?.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it("says the opening line, gathers speech, and answers with the agent's reply", { timeout: 30_000 }, async () => {
    const c = await connect(gw.wsUrl, { token: TOKEN });
    let callId: string;
    try {
      callId = ((await c.request("voicecall.initiate", { to: TO, message: "Hello, do you have a minute?", mode: "conversation" })) as any)
        .callId;
    } finally {
      c.close();
    }
    const [created] = await twilio.waitForCreates(1);
    const answer = await twilioWebhook(
      created!.form.get("Url")!,
      { CallSid: created!.sid, CallStatus: "in-progress", Direction: "outbound-api", From: FROM, To: TO },
      twilio.authToken,
    );
    assert.equal(answer.status, 200);
    assert.match(answer.body, /<Say>Hello, do you have a minute\?<\/Say><Gather input="speech"[^>]*action="([^"]+)"/);
    const gatherUrl = /action="([^"]+)"/.exec(answer.body)![1]!.replace(/&amp;/g, "&");
    assert.equal(new URL(gatherUrl).searchParams.get("type"), "gather");

    fakes.anthropic.enqueue({ text: "Sure, it is three o'clock." });
    const heard = await twilioWebhook(
      gatherUrl,
      { CallSid: created!.sid, SpeechResult: "What time is it?", Confidence: "0.9" },
      twilio.authToken,
    );
    assert.equal(heard.status, 200);
    assert.match(heard.body, /<Say>Sure, it is three o&apos;clock\.<\/Say><Gather input="speech"/);
    const lastUser = fakes.anthropic.requests
      .at(-1)!
      .messages.filter((m) => m.role === "user")
      .at(-1)!.text;
    assert.match(lastUser, /What time is it\?/);

    const c2 = await connect(gw.wsUrl, { token: TOKEN });
    try {
      const s = (await c2.request("voicecall.status", { callId: callId! })) as any;
      assert.equal(s.call.sessionKey, "voice:15550002222");
      assert.deepEqual(
        s.call.transcript.map((t: any) => [t.speaker, t.text]),
        [
          ["bot", "Hello, do you have a minute?"],
          ["user", "What time is it?"],
          ["bot", "Sure, it is three o'clock."],
        ],
      );
    } finally {
      c2.close();
    }
  });

  it("voicecall.continue says a line into the live call and returns what the callee answers", { timeout: 30_000 }, async () => {
    const c = await connect(gw.wsUrl, { token: TOKEN });
    try {
      const { callId } = (await c.request("voicecall.initiate", { to: TO, message: "Quick survey.", mode: "conversation" })) as any;
      const created = twilio.creates.find((x) => new URL(x.form.get("Url")!).searchParams.get("callId") === callId)!;
      await twilioWebhook(
        created.form.get("Url")!,
        { CallSid: created.sid, CallStatus: "in-progress", Direction: "outbound-api" },
        twilio.authToken,
      );
      const updatesBefore = twilio.updates.length;
      const pending = c.request("voicecall.continue", { callId, message: "Do you like tea?" }) as Promise<any>;
      const [update] = (await twilio.waitForUpdates(updatesBefore + 1)).slice(updatesBefore);
      assert.equal(update!.sid, created.sid);
      const twiml = update!.form.get("Twiml")!;
      assert.match(twiml, /<Say>Do you like tea\?<\/Say><Gather input="speech"/);
      const gatherUrl = /action="([^"]+)"/.exec(twiml)![1]!.replace(/&amp;/g, "&");
      const heard = await twilioWebhook(gatherUrl, { CallSid: created.sid, SpeechResult: "Yes, green tea." }, twilio.authToken);
      assert.match(heard.body, /<Gather input="speech"/);
      assert.deepEqual(await pending, { success: true, transcript: "Yes, green tea." });
      assert.equal(((await c.request("voicecall.end", { callId })) as any).success, true);
    } finally {
      c.close();
    }
  });

  it("the agent places a call with the voice_call tool", { timeout: 30_000 }, async () => {
    const before = twilio.creates.length;
    fakes.anthropic.enqueue(
      {
        toolCalls: [
          { name: "voice_call", arguments: { action: "initiate_call", to: FRIEND, message: "Dinner is at eight.", mode: "notify" } },
        ],
      },
      { text: "I called them." },
    );
    const { client, send } = await chatClient(gw, { token: TOKEN });
    try {
      const r = await send("Call my friend and say dinner is at eight");
      assert.equal(r.state, "final", r.errorMessage);
    } finally {
      client.close();
    }
    const created = (await twilio.waitForCreates(before + 1))[before]!;
    assert.equal(created.form.get("To"), FRIEND);
    assert.equal(created.form.get("From"), FROM);
  });

  it("an allowlisted caller is greeted; anyone else is rejected", { timeout: 15_000 }, async () => {
    const friend = await twilioWebhook(
      hook,
      { CallSid: "CAfriend", CallStatus: "ringing", Direction: "inbound", From: FRIEND, To: FROM },
      twilio.authToken,
    );
    assert.match(friend.body, /<Say>Hi, this is the gateway\.<\/Say><Gather input="speech"/);
    const stranger = await twilioWebhook(
      hook,
      { CallSid: "CAstranger", CallStatus: "ringing", Direction: "inbound", From: "+15559999999", To: FROM },
      twilio.authToken,
    );
    assert.match(stranger.body, /<Reject/);
  });
});
