/**
 * A device client for tests: an Ed25519 identity, and a `connect` over a raw WebSocket with chosen
 * upgrade headers (an `X-Forwarded-For` through a trusted proxy makes the client look remote), signed
 * the way OpenClaw clients sign it.
 */
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import WebSocket from "ws";
import { base64UrlEncode, buildDeviceAuthPayload, deviceIdFromPublicKey } from "../../src/gateway/protocol/device.js";

export interface TestDevice {
  id: string;
  /** Raw Ed25519 public key, base64url. */
  publicKey: string;
  privateKey: KeyObject;
}

export function newDevice(): TestDevice {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ type: "spki", format: "der" }).subarray(-32);
  return { id: deviceIdFromPublicKey(raw), publicKey: base64UrlEncode(raw), privateKey };
}

/** A device from OpenClaw's identity file (`identity/device.json`: `{deviceId, publicKeyPem, privateKeyPem}`). */
export function deviceFromIdentityFile(json: { deviceId: string; publicKeyPem: string; privateKeyPem: string }): TestDevice {
  const privateKey = createPrivateKey(json.privateKeyPem);
  const raw = Buffer.from(json.publicKeyPem.replace(/-----[^-]+-----|\s/g, ""), "base64").subarray(-32);
  return { id: json.deviceId, publicKey: base64UrlEncode(raw), privateKey };
}

export interface DeviceConnectOptions {
  device?: TestDevice;
  /** Sent as `auth.token` (and signed). */
  token?: string;
  password?: string;
  /** Upgrade headers, e.g. `{ "x-forwarded-for": "203.0.113.9" }`. */
  headers?: Record<string, string>;
  clientId?: string;
  mode?: string;
  displayName?: string;
  role?: string;
  /** Requested scopes; null sends none (and signs an empty list). */
  scopes?: string[] | null;
  /** Signing time; default now. */
  signedAt?: number;
  /** The nonce to sign and send: default the server's; null sends none. */
  nonce?: string | null;
  /** Signs something else than what is sent. */
  tamper?: boolean;
  timeoutMs?: number;
}

export interface DeviceConnectResult {
  res: { ok: boolean; payload?: any; error?: { code: string; message: string; details?: any; [k: string]: unknown } };
  ws: WebSocket;
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  events: Array<{ event: string; payload: any }>;
  /** Calls a method on an accepted connection. */
  request(method: string, params?: unknown): Promise<{ ok: boolean; payload?: any; error?: { code: string; message: string } }>;
}

/** Opens a socket, waits for the challenge, sends `connect`; resolves with the answer, whatever it is. */
export async function deviceConnect(url: string, opts: DeviceConnectOptions = {}): Promise<DeviceConnectResult> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const ws = new WebSocket(url, { headers: opts.headers ?? {}, perMessageDeflate: false, handshakeTimeout: timeoutMs });
  const events: Array<{ event: string; payload: any }> = [];
  const waiting = new Map<string, (f: any) => void>();
  let seq = 0;
  let gotNonce!: (n: string) => void;
  const nonce = new Promise<string>((r) => (gotNonce = r));
  ws.on("message", (data) => {
    const f = JSON.parse(String(data));
    if (f.type === "event") {
      if (f.event === "connect.challenge") gotNonce(f.payload.nonce);
      else events.push({ event: f.event, payload: f.payload });
    } else if (f.type === "res") waiting.get(f.id)?.(f);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on("error", () => undefined);
  const request = (method: string, params?: unknown) =>
    new Promise<any>((resolve, reject) => {
      const id = String(++seq);
      const timer = setTimeout(() => reject(new Error(`no answer to ${method} within ${timeoutMs} ms`)), timeoutMs);
      waiting.set(id, (f) => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(f);
      });
      void closed.then(() => {
        if (!waiting.has(id)) return;
        clearTimeout(timer);
        waiting.delete(id);
        resolve({ ok: false, error: { code: "CLOSED", message: "socket closed before an answer" } });
      });
      ws.send(JSON.stringify({ type: "req", id, method, ...(params !== undefined ? { params } : {}) }));
    });
  const serverNonce = await Promise.race([
    nonce,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no connect.challenge")), timeoutMs)),
  ]);
  const clientId = opts.clientId ?? "test";
  const mode = opts.mode ?? "test";
  const role = opts.role ?? "operator";
  const scopes = opts.scopes === null ? undefined : (opts.scopes ?? ["operator.read", "operator.write"]);
  const useNonce = opts.nonce === null ? undefined : (opts.nonce ?? serverNonce);
  const auth = opts.token !== undefined || opts.password !== undefined ? { token: opts.token, password: opts.password } : undefined;
  let device: Record<string, unknown> | undefined;
  if (opts.device) {
    const signedAt = opts.signedAt ?? Date.now();
    const payload = buildDeviceAuthPayload({
      deviceId: opts.device.id,
      clientId,
      clientMode: mode,
      role,
      scopes: scopes ?? [],
      signedAtMs: signedAt,
      token: opts.token ?? null,
      nonce: useNonce,
    });
    const signature = base64UrlEncode(sign(null, Buffer.from(opts.tamper ? `${payload}x` : payload, "utf8"), opts.device.privateKey));
    device = { id: opts.device.id, publicKey: opts.device.publicKey, signature, signedAt, ...(useNonce ? { nonce: useNonce } : {}) };
  }
  const res = await request("connect", {
    minProtocol: 3,
    maxProtocol: 3,
    client: {
      id: clientId,
      version: "1.0.0",
      platform: "linux",
      mode,
      ...(opts.displayName ? { displayName: opts.displayName } : {}),
    },
    role,
    ...(scopes ? { scopes } : {}),
    ...(auth ? { auth } : {}),
    ...(device ? { device } : {}),
  });
  return { res, ws, closed, events, request };
}
