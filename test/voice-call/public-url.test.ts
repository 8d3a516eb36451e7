/**
 * Which URL a webhook's signature is checked against when no publicUrl is configured: a trusted
 * proxy's X-Forwarded-Proto/Host, never forwarded headers from anyone else. And a call log that
 * cannot be written fails the request, not the gateway.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { FakeTwilio, signTwilio, twilioWebhook } from "../fakes/twilio.js";
import { connect, freePort, refused, startTestGateway, tmpDir, waitFor, type TestGateway } from "../helpers/gateway.js";

const TOKEN = "voice-url-token";

function config(twilio: FakeTwilio, extra: Record<string, unknown>, gateway: Record<string, unknown> = {}) {
  return {
    gateway: { mode: "local", auth: { mode: "token", token: TOKEN }, ...gateway },
    plugins: twilio.plugins({
      inboundPolicy: "open",
      ...extra,
    }),
  };
}

async function forwarded(gw: TestGateway, authToken: string) {
  const publicUrl = "https://voice.example.com/voice/webhook";
  const params = { CallSid: "CAproxy", CallStatus: "ringing", Direction: "inbound", From: "+15550007777", To: "+15550001111" };
  const res = await fetch(`${gw.httpUrl}/voice/webhook`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-forwarded-proto": "https",
      "x-forwarded-host": "voice.example.com",
      "x-forwarded-for": "203.0.113.9",
      "x-twilio-signature": signTwilio(authToken, publicUrl, params),
    },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, body: await res.text() };
}

describe("voice webhook URL behind a proxy", () => {
  let twilio: FakeTwilio;
  const dirs: string[] = [];
  const gws: TestGateway[] = [];
  before(async () => {
    twilio = await FakeTwilio.start();
  });
  after(async () => {
    for (const g of gws) await g.close();
    await twilio.close();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  const start = async (cfg: unknown) => {
    const stateDir = tmpDir("oc-voice-url-");
    dirs.push(stateDir);
    const gw = await startTestGateway({ stateDir, config: cfg });
    gws.push(gw);
    return gw;
  };

  it("trusts X-Forwarded-Proto/Host from a proxy in gateway.trustedProxies", { timeout: 20_000 }, async () => {
    const gw = await start(config(twilio, {}, { trustedProxies: ["127.0.0.1"] }));
    const r = await forwarded(gw, twilio.authToken);
    assert.equal(r.status, 200, r.body);
    assert.match(r.body, /<Say>/);
  });

  it("ignores forwarded headers from anyone else (the signature then fails)", { timeout: 20_000 }, async () => {
    const gw = await start(config(twilio, {}));
    const r = await forwarded(gw, twilio.authToken);
    assert.equal(r.status, 401);
  });

  it("with serve.port the webhook has a listener of its own on serve.bind, and not the gateway port", { timeout: 20_000 }, async () => {
    const own = await freePort();
    const url = `http://127.0.0.1:${own}/hooks/voice`;
    const gw = await start(config(twilio, { serve: { port: own, bind: "127.0.0.1", path: "/hooks/voice" }, publicUrl: url }));
    await waitFor(() => gw.output.some((l) => l.includes(`voice webhook on http://127.0.0.1:${own}/hooks/voice`)), 5000, "own listener");
    const params = { CallSid: "CAown", CallStatus: "ringing", Direction: "inbound", From: "+15550007777", To: "+15550001111" };
    const r = await twilioWebhook(url, params, twilio.authToken);
    assert.equal(r.status, 200);
    assert.match(r.body, /<Say>/);
    const onGateway = await fetch(`${gw.httpUrl}/hooks/voice`, { method: "POST" });
    assert.notEqual(onGateway.status, 200);
  });

  it("a call log that cannot be written fails that request with the reason; the gateway keeps running", { timeout: 20_000 }, async () => {
    const blocker = path.join(tmpDir("oc-voice-store-"), "not-a-dir");
    dirs.push(path.dirname(blocker));
    fs.writeFileSync(blocker, "");
    const gw = await start(config(twilio, { store: blocker, publicUrl: "https://voice.example.com/voice/webhook" }));
    const c = await connect(gw.wsUrl, { token: TOKEN });
    try {
      const e = await refused(c.request("voicecall.initiate", { to: "+15550002222", message: "hi" }));
      assert.match(e.message, /could not record the call in .*not-a-dir\/calls\.jsonl/);
      const s = (await c.request("voicecall.status", { callId: "nope" })) as { found: boolean };
      assert.equal(s.found, false);
    } finally {
      c.close();
    }
  });
});
