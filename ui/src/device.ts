/**
 * This browser's device identity: an Ed25519 key pair made with WebCrypto, kept in localStorage in
 * OpenClaw's layout (`openclaw-device-identity-v1`: `{version: 1, deviceId, publicKey, privateKey,
 * createdAtMs}`, keys as base64url raw bytes), so a browser that already used OpenClaw's Control UI
 * on this address keeps its identity and its pairing. The device id is the sha256 (hex) of the raw
 * public key.
 *
 * At connect the UI signs `v2|deviceId|clientId|clientMode|role|scopes|signedAtMs|token|nonce` with the
 * server's nonce from `connect.challenge`. The device token the gateway hands out once the device is
 * paired (`hello-ok.auth.deviceToken`) is kept per role under `openclaw.device.auth.v1`.
 *
 * WebCrypto exists only on secure pages (HTTPS, localhost); elsewhere, or in a browser without
 * Ed25519, there is no identity and the UI signs in with the gateway token alone.
 */

export interface DeviceIdentity {
  deviceId: string;
  /** Raw 32-byte public key, base64url. */
  publicKey: string;
  /** Raw 32-byte private key (the seed), base64url. */
  privateKey: string;
}

export interface DeviceToken {
  token: string;
  role: string;
  scopes: string[];
  updatedAtMs: number;
}

const IDENTITY_KEY = "openclaw-device-identity-v1";
const TOKENS_KEY = "openclaw.device.auth.v1";

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export function base64UrlEncode(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function base64UrlDecode(s: string): Uint8Array {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

async function fingerprint(publicKey: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", publicKey as BufferSource));
  return [...hash].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** True when this page may use WebCrypto at all (HTTPS or localhost). */
export function canUseWebCrypto(): boolean {
  return typeof window !== "undefined" && window.isSecureContext && typeof crypto !== "undefined" && Boolean(crypto.subtle);
}

async function importPrivateKey(id: DeviceIdentity): Promise<CryptoKey> {
  return crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", d: id.privateKey, x: id.publicKey }, { name: "Ed25519" }, false, [
    "sign",
  ]);
}

/**
 * The stored identity (checked by signing with it), or a new one; null when this browser cannot
 * make or use Ed25519 keys here.
 */
export async function loadOrCreateIdentity(): Promise<DeviceIdentity | null> {
  if (!canUseWebCrypto()) return null;
  const store = storage();
  try {
    const raw = store?.getItem(IDENTITY_KEY);
    const saved = raw ? (JSON.parse(raw) as Partial<DeviceIdentity> & { version?: number; createdAtMs?: number }) : null;
    if (saved?.version === 1 && typeof saved.publicKey === "string" && typeof saved.privateKey === "string") {
      const identity = {
        deviceId: await fingerprint(base64UrlDecode(saved.publicKey)),
        publicKey: saved.publicKey,
        privateKey: saved.privateKey,
      };
      await importPrivateKey(identity);
      if (identity.deviceId !== saved.deviceId) store?.setItem(IDENTITY_KEY, JSON.stringify({ ...saved, deviceId: identity.deviceId }));
      return identity;
    }
  } catch {
    // Unreadable or unusable: make a new one below.
  }
  try {
    const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const publicKey = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
    const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
    if (!jwk.d) return null;
    const identity = { deviceId: await fingerprint(publicKey), publicKey: base64UrlEncode(publicKey), privateKey: jwk.d };
    store?.setItem(IDENTITY_KEY, JSON.stringify({ version: 1, ...identity, createdAtMs: Date.now() }));
    return identity;
  } catch {
    // No Ed25519 in this browser's WebCrypto.
    return null;
  }
}

export async function signPayload(identity: DeviceIdentity, payload: string): Promise<string> {
  const key = await importPrivateKey(identity);
  const sig = await crypto.subtle.sign({ name: "Ed25519" }, key, new TextEncoder().encode(payload));
  return base64UrlEncode(new Uint8Array(sig));
}

/** What the device signs at connect; `v1` (no nonce) only ever passes for clients on the gateway's machine. */
export function deviceAuthPayload(p: {
  deviceId: string;
  clientId: string;
  clientMode: string;
  role: string;
  scopes: string[];
  signedAtMs: number;
  token: string | null;
  nonce: string | null;
}): string {
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

interface TokenStore {
  version: 1;
  deviceId: string;
  tokens: Record<string, DeviceToken>;
}

function readTokens(deviceId: string): TokenStore | null {
  try {
    const parsed = JSON.parse(storage()?.getItem(TOKENS_KEY) ?? "null") as TokenStore | null;
    return parsed?.version === 1 && parsed.deviceId === deviceId && parsed.tokens && typeof parsed.tokens === "object" ? parsed : null;
  } catch {
    return null;
  }
}

export function loadDeviceToken(deviceId: string, role: string): DeviceToken | null {
  const entry = readTokens(deviceId)?.tokens[role];
  return entry && typeof entry.token === "string" ? entry : null;
}

export function storeDeviceToken(deviceId: string, role: string, token: string, scopes: string[]): void {
  const tokens = { ...(readTokens(deviceId)?.tokens ?? {}) };
  tokens[role] = { token, role, scopes: [...new Set(scopes)].sort(), updatedAtMs: Date.now() };
  try {
    storage()?.setItem(TOKENS_KEY, JSON.stringify({ version: 1, deviceId, tokens }));
  } catch {
    // Best effort: without it the next connect uses the gateway token again.
  }
}

export function clearDeviceToken(deviceId: string, role: string): void {
  const store = readTokens(deviceId);
  if (!store?.tokens[role]) return;
  delete store.tokens[role];
  storage()?.setItem(TOKENS_KEY, JSON.stringify(store));
}

/** Forgets every device token (sign-out); the identity stays, so the device stays paired. */
export function clearDeviceTokens(): void {
  storage()?.removeItem(TOKENS_KEY);
}

/** This browser's device id, when it has an identity already (for marking it in lists). */
export function storedDeviceId(): string | null {
  try {
    const id = (JSON.parse(storage()?.getItem(IDENTITY_KEY) ?? "null") as { deviceId?: unknown } | null)?.deviceId;
    return typeof id === "string" ? id : null;
  } catch {
    return null;
  }
}
