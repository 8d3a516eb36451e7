/** plugins.entries.voice-call.config: the original's defaults, environment fallbacks, full-path errors. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  apiBase,
  missingPieces,
  parseVoiceCallConfig,
  resolveVoiceCallConfig,
  voiceCallEnabled,
  VoiceCallConfigError,
} from "../../src/voice-call/config.js";

describe("voice-call config", () => {
  it("has the original's defaults", { timeout: 5000 }, () => {
    const c = parseVoiceCallConfig({});
    assert.equal(c.enabled, false);
    assert.equal(c.inboundPolicy, "disabled");
    assert.deepEqual(c.allowFrom, []);
    assert.deepEqual(c.outbound, { defaultMode: "notify", notifyHangupDelaySec: 3 });
    assert.equal(c.maxDurationSeconds, 300);
    assert.equal(c.silenceTimeoutMs, 800);
    assert.equal(c.transcriptTimeoutMs, 180_000);
    assert.equal(c.ringTimeoutMs, 30_000);
    assert.equal(c.maxConcurrentCalls, 1);
    assert.deepEqual(c.serve, { bind: "127.0.0.1", path: "/voice/webhook" });
    assert.deepEqual(c.tailscale, { mode: "off", path: "/voice/webhook" });
    assert.deepEqual(c.tunnel, { provider: "none", allowNgrokFreeTierLoopbackBypass: false });
    assert.equal(c.streaming.enabled, false);
    assert.equal(c.streaming.sttModel, "gpt-4o-transcribe");
    assert.equal(c.streaming.streamPath, "/voice/stream");
    assert.deepEqual(c.stt, { provider: "openai", model: "whisper-1" });
    assert.equal(c.skipSignatureVerification, false);
    assert.equal(c.responseModel, "openai/gpt-4o-mini");
    assert.equal(c.responseTimeoutMs, 30_000);
  });

  it("fills credentials from the environment, config first", { timeout: 5000 }, () => {
    const env = { TWILIO_ACCOUNT_SID: "ACenv", TWILIO_AUTH_TOKEN: "tokenv", NGROK_AUTHTOKEN: "ng", NGROK_DOMAIN: "x.ngrok.app" };
    const c = resolveVoiceCallConfig({ provider: "twilio", twilio: { accountSid: "ACcfg" }, tunnel: { provider: "ngrok" } }, env);
    assert.equal(c.twilio?.accountSid, "ACcfg");
    assert.equal(c.twilio?.authToken, "tokenv");
    assert.equal(c.tunnel.ngrokAuthToken, "ng");
    assert.equal(c.tunnel.ngrokDomain, "x.ngrok.app");
    const t = resolveVoiceCallConfig({ provider: "telnyx" }, { TELNYX_API_KEY: "k", TELNYX_CONNECTION_ID: "c", TELNYX_PUBLIC_KEY: "p" });
    assert.deepEqual(t.telnyx, { apiKey: "k", connectionId: "c", publicKey: "p" });
    const p = resolveVoiceCallConfig({ provider: "plivo" }, { PLIVO_AUTH_ID: "i", PLIVO_AUTH_TOKEN: "t" });
    assert.deepEqual(p.plivo, { authId: "i", authToken: "t" });
  });

  it("the API base URLs default to the real APIs and may be overridden", { timeout: 5000 }, () => {
    const c = parseVoiceCallConfig({ twilio: { apiBaseUrl: "http://127.0.0.1:9/" } });
    assert.equal(apiBase(c, "twilio"), "http://127.0.0.1:9");
    assert.equal(apiBase(c, "telnyx"), "https://api.telnyx.com/v2");
    assert.equal(apiBase(c, "plivo"), "https://api.plivo.com/v1");
  });

  it("errors name the full path", { timeout: 5000 }, () => {
    assert.throws(
      () => parseVoiceCallConfig({ fromNumber: "555", serve: { path: "voice" }, bogus: 1 }),
      (e: VoiceCallConfigError) => {
        assert.ok(e instanceof VoiceCallConfigError);
        assert.match(e.message, /plugins\.entries\.voice-call\.config\.fromNumber: must be an E\.164 phone number/);
        assert.match(e.message, /plugins\.entries\.voice-call\.config\.serve\.path: must start with \//);
        assert.match(e.message, /bogus/);
        return true;
      },
    );
  });

  it("names what a provider still needs; Telnyx needs its public key", { timeout: 5000 }, () => {
    assert.deepEqual(missingPieces(resolveVoiceCallConfig({ provider: "twilio", fromNumber: "+15550001234" }, {})), [
      "plugins.entries.voice-call.config.twilio.accountSid is required (or set TWILIO_ACCOUNT_SID)",
      "plugins.entries.voice-call.config.twilio.authToken is required (or set TWILIO_AUTH_TOKEN)",
    ]);
    const telnyx = missingPieces(
      resolveVoiceCallConfig({ provider: "telnyx", fromNumber: "+15550001234", telnyx: { apiKey: "k", connectionId: "c" } }, {}),
    );
    assert.deepEqual(telnyx, [
      "plugins.entries.voice-call.config.telnyx.publicKey is required to verify Telnyx webhooks (or set TELNYX_PUBLIC_KEY)",
    ]);
  });

  it("is on only with plugins.entries.voice-call.enabled (or the original's config.enabled)", { timeout: 5000 }, () => {
    assert.equal(voiceCallEnabled({}), false);
    assert.equal(voiceCallEnabled({ plugins: { entries: { "voice-call": { enabled: true } } } }), true);
    assert.equal(voiceCallEnabled({ plugins: { entries: { "voice-call": { config: { enabled: true } } } } }), true);
    assert.equal(voiceCallEnabled({ plugins: { entries: { "voice-call": { enabled: true, config: { enabled: false } } } } }), false);
    assert.equal(voiceCallEnabled({ plugins: { entries: { "voice-call": { enabled: false, config: { enabled: true } } } } }), false);
  });
});
