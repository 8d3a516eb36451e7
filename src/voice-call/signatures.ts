/**
 * Webhook signatures of the telephony providers, each checked in constant time:
 *
 * - Twilio: `X-Twilio-Signature` = base64 HMAC-SHA1(auth token, URL + every form field's name and
 *   value, names sorted).
 * - Plivo: V3 (`X-Plivo-Signature-V3` + `-Nonce`: HMAC-SHA256 over the URL with its query sorted, the
 *   sorted form fields, a dot and the nonce; the header may list several signatures) or V2
 *   (`X-Plivo-Signature-V2` + `-Nonce`: HMAC-SHA256 over the URL without its query and the nonce).
 * - Telnyx: Ed25519 (`telnyx-signature-ed25519`, `telnyx-timestamp`) over `timestamp|raw body`,
 *   refused more than five minutes either side of now, and refused outright without a public key.
 */
import crypto from "node:crypto";

export type Params = Array<[string, string]>;
export type Verdict = { ok: true } | { ok: false; reason: string };

const header = (headers: Record<string, string | string[] | undefined>, name: string): string | undefined => {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  if (x.length !== y.length) {
    crypto.timingSafeEqual(x, x);
    return false;
  }
  return crypto.timingSafeEqual(x, y);
}

/** Name-sorted (then value-sorted) pairs. */
function sorted(params: Params): Params {
  return [...params].sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
}

export function twilioSignature(authToken: string, url: string, params: Params): string {
  const data =
    url +
    sorted(params)
      .map(([k, v]) => k + v)
      .join("");
  return crypto.createHmac("sha1", authToken).update(data, "utf8").digest("base64");
}

export function verifyTwilio(authToken: string, url: string, params: Params, signature: string | undefined): Verdict {
  if (!signature) return { ok: false, reason: "no X-Twilio-Signature header" };
  if (sameText(twilioSignature(authToken, url, params), signature)) return { ok: true };
  // Twilio signs the URL as it was configured: with or without the scheme's default port.
  const m = /^(https?):\/\/([^/:?#]+)(?::(\d+))?(.*)$/i.exec(url);
  if (m) {
    const [, scheme, host, port, rest] = m;
    const def = scheme!.toLowerCase() === "https" ? "443" : "80";
    const other = port ? (port === def ? `${scheme}://${host}${rest}` : null) : `${scheme}://${host}:${def}${rest}`;
    if (other && sameText(twilioSignature(authToken, other, params), signature)) return { ok: true };
  }
  return { ok: false, reason: "X-Twilio-Signature does not match (check twilio.authToken and the public URL)" };
}

const canonical = (b64: string) => Buffer.from(b64, "base64").toString("base64");

function baseNoQuery(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

export function plivoV2Signature(authToken: string, url: string, nonce: string): string {
  return crypto
    .createHmac("sha256", authToken)
    .update(baseNoQuery(url) + nonce)
    .digest("base64");
}

export function plivoV3Signature(authToken: string, method: "GET" | "POST", url: string, postParams: Params, nonce: string): string {
  const u = new URL(url);
  const query = sorted([...u.searchParams.entries()])
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const hasPost = postParams.length > 0;
  let base = baseNoQuery(url);
  if (query || hasPost) base += `?${query}`;
  if (query && hasPost) base += ".";
  if (method === "POST")
    base += sorted(postParams)
      .map(([k, v]) => k + v)
      .join("");
  return crypto.createHmac("sha256", authToken).update(`${base}.${nonce}`).digest("base64");
}

export function verifyPlivo(
  authToken: string,
  method: string,
  url: string,
  postParams: Params,
  headers: Record<string, string | string[] | undefined>,
): Verdict {
  const v3 = header(headers, "x-plivo-signature-v3");
  const n3 = header(headers, "x-plivo-signature-v3-nonce");
  if (v3 && n3) {
    if (method !== "GET" && method !== "POST") return { ok: false, reason: `Plivo V3 signatures cover GET and POST, not ${method}` };
    const expected = canonical(plivoV3Signature(authToken, method, url, postParams, n3));
    const given = v3
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map(canonical);
    return given.some((g) => sameText(expected, g)) ? { ok: true } : { ok: false, reason: "X-Plivo-Signature-V3 does not match" };
  }
  const v2 = header(headers, "x-plivo-signature-v2");
  const n2 = header(headers, "x-plivo-signature-v2-nonce");
  if (v2 && n2)
    return sameText(canonical(plivoV2Signature(authToken, url, n2)), canonical(v2))
      ? { ok: true }
      : { ok: false, reason: "X-Plivo-Signature-V2 does not match" };
  return { ok: false, reason: "no Plivo signature headers (V3 or V2)" };
}

/** Ed25519 public keys arrive as base64 of the raw 32 bytes (Telnyx's portal) or as PEM. */
export function telnyxPublicKey(key: string): crypto.KeyObject {
  const text = key.trim();
  if (text.includes("BEGIN PUBLIC KEY")) return crypto.createPublicKey(text);
  const raw = Buffer.from(text, "base64");
  if (raw.length !== 32) throw new Error("telnyx.publicKey must be the base64 Ed25519 public key from the Telnyx portal (32 bytes)");
  const der = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), raw]);
  return crypto.createPublicKey({ key: der, format: "der", type: "spki" });
}

export const TELNYX_TOLERANCE_SECONDS = 300;

export function verifyTelnyx(
  publicKey: string | undefined,
  rawBody: string,
  headers: Record<string, string | string[] | undefined>,
  nowMs: number,
): Verdict {
  if (!publicKey)
    return { ok: false, reason: "telnyx.publicKey is not configured, so Telnyx webhooks cannot be verified (set it or TELNYX_PUBLIC_KEY)" };
  const signature = header(headers, "telnyx-signature-ed25519");
  const timestamp = header(headers, "telnyx-timestamp");
  if (!signature || !timestamp) return { ok: false, reason: "no telnyx-signature-ed25519/telnyx-timestamp headers" };
  const ts = Number(timestamp);
  if (!Number.isFinite(ts) || Math.abs(nowMs / 1000 - ts) > TELNYX_TOLERANCE_SECONDS)
    return { ok: false, reason: "telnyx-timestamp is more than 5 minutes from now (replayed, or a clock is off)" };
  let key: crypto.KeyObject;
  try {
    key = telnyxPublicKey(publicKey);
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  const sig = Buffer.from(signature, "base64");
  if (sig.length !== 64) return { ok: false, reason: "telnyx-signature-ed25519 is not an Ed25519 signature" };
  const ok = crypto.verify(null, Buffer.from(`${timestamp}|${rawBody}`), key, sig);
  return ok ? { ok: true } : { ok: false, reason: "telnyx-signature-ed25519 does not match" };
}
