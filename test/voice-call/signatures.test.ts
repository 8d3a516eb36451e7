/** Webhook signatures: Twilio's published vector, Plivo V3/V2, Telnyx Ed25519 with a generated key. */
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { describe, it } from "node:test";
import {
  plivoV2Signature,
  plivoV3Signature,
  twilioSignature,
  verifyPlivo,
  verifyTelnyx,
  verifyTwilio,
} from "../../src/voice-call/signatures.js";
import { signTwilio } from "../fakes/twilio.js";

// Twilio's documented example (auth token 12345).
const URL_ = "https://mycompany.com/myapp.php?foo=1&bar=2";
const PARAMS: Array<[string, string]> = [
  ["CallSid", "CA1234567890ABCDE"],
  ["Caller", "+14158675309"],
  ["Digits", "1234"],
  ["From", "+14158675309"],
  ["To", "+18005551212"],
];
const DOCUMENTED = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";

describe("Twilio signatures", () => {
  it("reproduce Twilio's documented example", { timeout: 5000 }, () => {
    assert.equal(twilioSignature("12345", URL_, PARAMS), DOCUMENTED);
    assert.equal(twilioSignature("12345", URL_, [...PARAMS].reverse()), DOCUMENTED);
    assert.deepEqual(verifyTwilio("12345", URL_, PARAMS, DOCUMENTED), { ok: true });
    // The test fake signs the same way.
    assert.equal(signTwilio("12345", URL_, Object.fromEntries(PARAMS)), DOCUMENTED);
  });

  it("refuse a changed field, URL, token, or no header", { timeout: 5000 }, () => {
    const tampered: Array<[string, string]> = PARAMS.map(([k, v]) => [k, k === "Digits" ? "9999" : v]);
    assert.equal(verifyTwilio("12345", URL_, tampered, DOCUMENTED).ok, false);
    assert.equal(verifyTwilio("12345", URL_ + "&x=1", PARAMS, DOCUMENTED).ok, false);
    assert.equal(verifyTwilio("54321", URL_, PARAMS, DOCUMENTED).ok, false);
    assert.deepEqual(verifyTwilio("12345", URL_, PARAMS, undefined), { ok: false, reason: "no X-Twilio-Signature header" });
  });

  it("accept the URL with or without its default port", { timeout: 5000 }, () => {
    const withPort = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
    assert.equal(verifyTwilio("12345", withPort, PARAMS, DOCUMENTED).ok, true);
    const sig = twilioSignature("12345", withPort, PARAMS);
    assert.equal(verifyTwilio("12345", URL_, PARAMS, sig).ok, true);
  });
});

describe("Plivo signatures", () => {
  const token = "plivo-token";
  const url = "https://example.com/voice/webhook?b=2&a=1";
  const post: Array<[string, string]> = [
    ["To", "+15550001"],
    ["CallUUID", "abc"],
  ];

  it("V3: sorted query, a dot, sorted fields, the nonce", { timeout: 5000 }, () => {
    const nonce = "12345678";
    const expected = crypto
      .createHmac("sha256", token)
      .update("https://example.com/voice/webhook?a=1&b=2.CallUUIDabcTo+15550001." + nonce)
      .digest("base64");
    assert.equal(plivoV3Signature(token, "POST", url, post, nonce), expected);
    const headers = { "x-plivo-signature-v3": `bogus=, ${expected}`, "x-plivo-signature-v3-nonce": nonce };
    assert.deepEqual(verifyPlivo(token, "POST", url, post, headers), { ok: true });
    assert.equal(verifyPlivo("other", "POST", url, post, headers).ok, false);
    assert.equal(verifyPlivo(token, "POST", url, [...post, ["Extra", "1"]], headers).ok, false);
  });

  it("V2: URL without its query, then the nonce", { timeout: 5000 }, () => {
    const nonce = "n0nce";
    const sig = plivoV2Signature(token, url, nonce);
    assert.equal(
      sig,
      crypto
        .createHmac("sha256", token)
        .update("https://example.com/voice/webhook" + nonce)
        .digest("base64"),
    );
    assert.deepEqual(verifyPlivo(token, "POST", url, post, { "x-plivo-signature-v2": sig, "x-plivo-signature-v2-nonce": nonce }), {
      ok: true,
    });
    assert.equal(verifyPlivo(token, "POST", url, post, { "x-plivo-signature-v2": sig, "x-plivo-signature-v2-nonce": "other" }).ok, false);
    assert.equal(verifyPlivo(token, "POST", url, post, {}).ok, false);
  });
});

describe("Telnyx signatures", () => {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32).toString("base64");
  const body = JSON.stringify({ data: { event_type: "call.answered", payload: { call_control_id: "v3:abc" } } });
  const now = 1_750_000_000_000;
  const sign = (ts: number, b = body) => crypto.sign(null, Buffer.from(`${ts}|${b}`), privateKey).toString("base64");
  const headers = (ts: number, sig = sign(ts)) => ({ "telnyx-signature-ed25519": sig, "telnyx-timestamp": String(ts) });

  it("accept a signature over timestamp|body with the base64 or PEM public key", { timeout: 5000 }, () => {
    const ts = now / 1000;
    assert.deepEqual(verifyTelnyx(raw, body, headers(ts), now), { ok: true });
    const pem = publicKey.export({ format: "pem", type: "spki" }).toString();
    assert.deepEqual(verifyTelnyx(pem, body, headers(ts), now), { ok: true });
  });

  it("refuse a changed body, a stale timestamp, a missing header", { timeout: 5000 }, () => {
    const ts = now / 1000;
    assert.equal(verifyTelnyx(raw, body + " ", headers(ts), now).ok, false);
    const stale = verifyTelnyx(raw, body, headers(ts - 301), now);
    assert.equal(stale.ok, false);
    assert.match((stale as { reason: string }).reason, /more than 5 minutes/);
    assert.equal(verifyTelnyx(raw, body, headers(ts + 299), now).ok, true);
    assert.equal(verifyTelnyx(raw, body, {}, now).ok, false);
  });

  it("refuse everything when no public key is configured", { timeout: 5000 }, () => {
    const r = verifyTelnyx(undefined, body, headers(now / 1000), now);
    assert.equal(r.ok, false);
    assert.match((r as { reason: string }).reason, /telnyx\.publicKey is not configured/);
  });
});
