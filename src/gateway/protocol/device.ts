/**
 * Device identity: an Ed25519 key pair on the client. The device id is the sha256 (hex) of the raw
 * public key; at connect the client signs
 * `v2|deviceId|clientId|clientMode|role|scope,scope|signedAtMs|token|nonce` (v1 omits the nonce) with it,
 * proving it holds the key and, through the server's nonce, that the signature is fresh.
 */
import { createHash, createPublicKey, verify } from "node:crypto";

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
export const DEVICE_SIGNATURE_SKEW_MS = 10 * 60 * 1000;

export function base64UrlEncode(buf: Buffer): string {
  return buf.toString("base64").replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
export function base64UrlDecode(s: string): Buffer {
  return Buffer.from(s.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}

/** Raw 32-byte public key from base64url or a PEM; null when it is not an Ed25519 key. */
export function rawPublicKey(publicKey: string): Buffer | null {
  try {
    if (publicKey.includes("BEGIN")) {
      const der = createPublicKey(publicKey).export({ type: "spki", format: "der" });
      return der.subarray(0, ED25519_SPKI_PREFIX.length).equals(ED25519_SPKI_PREFIX) ? der.subarray(ED25519_SPKI_PREFIX.length) : null;
    }
    const raw = base64UrlDecode(publicKey);
    return raw.length === 32 ? raw : null;
  } catch {
    return null;
  }
}

export function deviceIdFromPublicKey(raw: Buffer): string {
  return createHash("sha256").update(raw).digest("hex");
}

export interface DeviceAuthPayload {
  deviceId: string;
  clientId: string;
  clientMode: string;
  role: string;
  scopes: string[];
  signedAtMs: number;
  token?: string | null;
  nonce?: string;
}

export function buildDeviceAuthPayload(p: DeviceAuthPayload): string {
  const parts = [
    p.nonce ? "v2" : "v1",
    p.deviceId,
    p.clientId,
    p.clientMode,
    p.role,
    p.scopes.join(","),
    String(p.signedAtMs),
    p.token ?? "",
  ];
  if (p.nonce) parts.push(p.nonce);
  return parts.join("|");
}

export function verifyDeviceSignature(raw: Buffer, payload: string, signature: string): boolean {
  try {
    const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: "der", type: "spki" });
    const sig = /[+/=]/.test(signature) ? Buffer.from(signature, "base64") : base64UrlDecode(signature);
    return verify(null, Buffer.from(payload, "utf8"), key, sig);
  } catch {
    return false;
  }
}
