/**
 * Voice calls through a real gateway: a call placed with `voicecall.initiate` reaches the (fake)
 * Twilio API, Twilio's signed callbacks are answered with TwiML and move the call's state, forged
 * ones are refused, and the call log survives a restart.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { FakeTwilio, twilioWebhook } from "../fakes/twilio.js";
import { connect, freePort, refused, startTestGateway, tmpDir, type TestGateway } from "../helpers/gateway.js";

const TOKEN = "voice-gateway-token";
const FROM = "+15550001111";
const TO = "+15550002222";

function config(twilio: FakeTwilio, port: number, extra: Record<string, unknown> = {}) {
  return {
    gateway: { mode: "local", auth: { mode: "token", token: TOKEN } },
    plugins: twilio.plugins({
      publicUrl: `http://127.0.0.1:${port}/voice/webhook`,
      ...extra,
    }),
  };
}

async function call(gw: TestGateway, method: string, params: unknown) {
  const c = await connect(gw.wsUrl, { token: TOKEN });
  try {
    return (await c.request(method, params)) as Record<string, any>;
  } finally {
    c.close();
  }
}

describe("voice calls through the gateway (Twilio)", () => {
  let twilio: FakeTwilio;
  let gw: TestGateway;
  let stateDir: string;
  let port: number;
  before(async () => {
    twilio = await FakeTwilio.start();
    stateDir = tmpDir("oc-voice-");
    port = await freePort();
    gw = await startTestGateway({ port, stateDir, config: config(twilio, port) });
  });
  after(async () => {
    await gw?.close();
    await twilio?.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  let callId = "";
  let sid = "";
  let answerUrl = "";
  let statusUrl = "";

  it("voicecall.initiate places the call through Twilio's REST API", { timeout: 15_000 }, async () => {
    const r = await call(gw, "voicecall.initiate", { to: TO, message: "Your package has arrived.", mode: "notify" });
    assert.equal(r.initiated, true);
    callId = r.callId;
    const [created] = await twilio.waitForCreates(1);
    const f = created!.form;
    sid = created!.sid;
    assert.equal(f.get("To"), TO);
    assert.equal(f.get("From"), FROM);
    answerUrl = f.get("Url")!;
    statusUrl = f.get("StatusCallback")!;
    assert.equal(new URL(answerUrl).searchParams.get("callId"), callId);
    assert.ok(answerUrl.startsWith(`http://127.0.0.1:${port}/voice/webhook?`), answerUrl);
    assert.equal(new URL(statusUrl).searchParams.get("type"), "status");
    assert.deepEqual(f.getAll("StatusCallbackEvent"), ["initiated", "ringing", "answered", "completed"]);
    assert.equal(f.get("Timeout"), "30");
  });

  it("status callbacks signed with the auth token move the call's state", { timeout: 15_000 }, async () => {
    const ringing = await twilioWebhook(
      statusUrl,
      { CallSid: sid, CallStatus: "ringing", Direction: "outbound-api", From: FROM, To: TO },
      twilio.authToken,
    );
    assert.equal(ringing.status, 200);
    const s = await call(gw, "voicecall.status", { callId });
    assert.equal(s.found, true);
    assert.equal(s.call.state, "ringing");
    assert.equal(s.call.providerCallId, sid);
  });

  it("the answer webhook gets TwiML that says the message and hangs up", { timeout: 15_000 }, async () => {
    const r = await twilioWebhook(
      answerUrl,
      { CallSid: sid, CallStatus: "in-progress", Direction: "outbound-api", From: FROM, To: TO },
      twilio.authToken,
    );
    assert.equal(r.status, 200);
    assert.match(r.contentType, /^text\/xml/);
    assert.match(r.body, /<Say>Your package has arrived\.<\/Say>/);
    assert.match(r.body, /<Pause length="3"\/><Hangup\/><\/Response>$/);
    assert.equal((await call(gw, "voicecall.status", { callId })).call.state, "active");
  });

  it("a bad or missing signature gets 401 and a log line", { timeout: 15_000 }, async () => {
    const params = { CallSid: sid, CallStatus: "completed", Direction: "outbound-api" };
    const forged = await twilioWebhook(statusUrl, params, "not-the-token");
    assert.equal(forged.status, 401);
    const unsigned = await twilioWebhook(statusUrl, params, twilio.authToken, { signature: null });
    assert.equal(unsigned.status, 401);
    assert.ok(
      gw.output.some((l) => /voice webhook from .* refused: X-Twilio-Signature does not match/.test(l)),
      gw.output.join("\n"),
    );
    assert.equal((await call(gw, "voicecall.status", { callId })).call.state, "active");
  });

  it("an oversized body is refused", { timeout: 15_000 }, async () => {
    const r = await twilioWebhook(statusUrl, { CallSid: sid, Junk: "x".repeat(70_000) }, twilio.authToken);
    assert.equal(r.status, 413);
  });

  it("a completed callback ends the call, and the log survives a restart", { timeout: 30_000 }, async () => {
    const done = await twilioWebhook(
      statusUrl,
      { CallSid: sid, CallStatus: "completed", Direction: "outbound-api", CallDuration: "7" },
      twilio.authToken,
    );
    assert.equal(done.status, 200);
    const s = await call(gw, "voicecall.status", { callId });
    assert.equal(s.call.state, "completed");
    assert.ok(s.call.endedAt > 0);
    const log = path.join(stateDir, "voice-calls", "calls.jsonl");
    assert.ok(fs.readFileSync(log, "utf8").includes(callId));

    await gw.close();
    gw = await startTestGateway({ port, stateDir, config: config(twilio, port) });
    const after = await call(gw, "voicecall.status", { callId });
    assert.equal(after.found, true);
    assert.equal(after.call.state, "completed");
    // Found by Twilio's call sid too.
    assert.equal((await call(gw, "voicecall.status", { sid })).call.callId, callId);
  });

  it("maxConcurrentCalls refuses a second call with a clear error; end_call hangs up through the API", { timeout: 15_000 }, async () => {
    const first = await call(gw, "voicecall.initiate", { to: TO, message: "One" });
    const c = await connect(gw.wsUrl, { token: TOKEN });
    try {
      const e = await refused(c.request("voicecall.initiate", { to: TO, message: "Two" }));
      assert.match(
        e.message,
        /maxConcurrentCalls \(1\) reached: 1 call\(s\) in progress; end one first or raise plugins\.entries\.voice-call\.config\.maxConcurrentCalls/,
      );
      const bad = await refused(c.request("voicecall.initiate", { to: TO }));
      assert.match(bad.message, /message required/);
    } finally {
      c.close();
    }
    const created = (await twilio.waitForCreates(2))[1]!;
    const ended = await call(gw, "voicecall.end", { callId: first.callId });
    assert.equal(ended.success, true);
    const [update] = await twilio.waitForUpdates(1);
    assert.equal(update!.sid, created.sid);
    assert.equal(update!.form.get("Status"), "completed");
    assert.equal((await call(gw, "voicecall.status", { callId: first.callId })).call.state, "hangup-bot");
  });

  it("an inbound call is rejected under the default inboundPolicy", { timeout: 15_000 }, async () => {
    const r = await twilioWebhook(
      `http://127.0.0.1:${port}/voice/webhook`,
      { CallSid: "CAinbound1", CallStatus: "ringing", Direction: "inbound", From: "+15550009999", To: FROM },
      twilio.authToken,
    );
    assert.equal(r.status, 200);
    assert.match(r.body, /<Reject reason="rejected"\/>/);
  });
});
