/**
 * The browser's side of the gateway protocol (v3): one WebSocket, a `connect` handshake carrying the
 * token, requests matched to responses by id, events fanned out to listeners.
 *
 * A dropped connection is retried with exponential backoff (0.5 s doubling to 15 s, with jitter);
 * a refused token is not retried, since the same token would be refused again. Silence longer than
 * three tick intervals counts as a dropped connection.
 *
 * Where the page can use WebCrypto, the browser also proves its device identity (see `device.ts`):
 * it signs the server's challenge, keeps the device token the gateway hands out, and signs in with
 * that token from then on. A device the gateway does not know yet waits for the owner's approval.
 */
import {
  clearDeviceToken,
  deviceAuthPayload,
  loadDeviceToken,
  loadOrCreateIdentity,
  signPayload,
  storeDeviceToken,
  type DeviceIdentity,
} from "./device.js";

export type ConnState = "connecting" | "connected" | "reconnecting" | "auth-failed" | "stopped";

export interface HelloOk {
  protocol: number;
  server: { version: string; host?: string; connId: string };
  features: { methods: string[]; events: string[] };
  snapshot: {
    uptimeMs: number;
    configPath?: string;
    stateDir?: string;
    sessionDefaults?: { defaultAgentId: string; mainKey: string; mainSessionKey: string };
    [k: string]: unknown;
  };
  policy: { maxPayload: number; tickIntervalMs: number };
  auth?: { deviceToken: string; role: string; scopes: string[]; issuedAtMs: number };
}

/** Why the gateway will not let this browser in yet, beyond a wrong token. */
export type DeviceNotice =
  /** The device waits for the owner to approve request `requestId`. */
  | { kind: "pairing"; requestId: string }
  /** The gateway wants a device identity and this page cannot make one (plain HTTP). */
  | { kind: "insecure"; message: string };

const ROLE = "operator";
const SCOPES = ["operator.admin", "operator.approvals", "operator.pairing"];
/** While a device waits for approval, it asks again this often. */
const PAIRING_RETRY_MS = 3000;

export class GatewayError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "GatewayError";
  }
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

declare const __APP_VERSION__: string;

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 15_000;

/** A random UUID; `crypto.randomUUID` is missing on plain-HTTP pages, `getRandomValues` is not. */
export function uuid(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export class GatewayClient {
  state: ConnState = "connecting";
  hello: HelloOk | null = null;
  /** Why the last attempt failed (shown to the user). */
  lastError = "";
  /** When the next reconnect attempt happens (ms since epoch), while reconnecting. */
  retryAt = 0;
  /** True once a handshake has succeeded on this client. */
  everConnected = false;
  /** Set while the gateway keeps this device out (waiting for approval, insecure page). */
  notice: DeviceNotice | null = null;

  private ws: WebSocket | null = null;
  private seq = 0;
  private pending = new Map<string, Pending>();
  private eventListeners = new Set<(event: string, payload: any) => void>();
  private stateListeners = new Set<() => void>();
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private lastFrameAt = 0;
  private readonly instanceId = uuid();
  private identity: Promise<DeviceIdentity | null> | null = null;
  /** Resolves the current socket's `connect.challenge` nonce. */
  private gotNonce: ((nonce: string | null) => void) | null = null;
  /** The next retry's delay, when it should not follow the backoff. */
  private nextDelayMs: number | null = null;

  constructor(
    readonly url: string,
    private readonly token: string,
  ) {
    this.open();
    this.watchdog = setInterval(() => this.checkAlive(), 5000);
    window.addEventListener("online", this.retryNow);
  }

  onEvent(fn: (event: string, payload: any) => void): () => void {
    this.eventListeners.add(fn);
    return () => this.eventListeners.delete(fn);
  }

  onState(fn: () => void): () => void {
    this.stateListeners.add(fn);
    return () => this.stateListeners.delete(fn);
  }

  private setState(s: ConnState, error?: string): void {
    this.state = s;
    if (error !== undefined) this.lastError = error;
    for (const fn of this.stateListeners) fn();
  }

  private open(): void {
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch (e) {
      this.scheduleRetry(`cannot open ${this.url}: ${(e as Error).message}`);
      return;
    }
    this.ws = ws;
    this.lastFrameAt = Date.now();
    const nonce = new Promise<string | null>((resolve) => {
      this.gotNonce = resolve;
      // A gateway that sends no challenge gets an unsigned-nonce connect after a while.
      setTimeout(() => resolve(null), 3000);
    });
    ws.onopen = () => {
      this.lastFrameAt = Date.now();
      void this.handshake(ws, nonce);
    };
    ws.onmessage = (ev) => this.onFrame(ev.data);
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.failPending(new GatewayError("UNAVAILABLE", "connection lost"));
      if (this.state === "stopped" || this.state === "auth-failed") return;
      const why = ev.reason ? `connection closed (${ev.reason})` : "connection lost";
      this.scheduleRetry(why);
    };
  }

  /** This browser's identity, made once per client (null where WebCrypto Ed25519 is unavailable). */
  private deviceIdentity(): Promise<DeviceIdentity | null> {
    this.identity ??= loadOrCreateIdentity().catch(() => null);
    return this.identity;
  }

  private async handshake(ws: WebSocket, challenge: Promise<string | null>): Promise<void> {
    const identity = await this.deviceIdentity();
    const nonce = await challenge;
    if (this.ws !== ws) return;
    // A paired browser signs in with its device token; the gateway token is the fallback.
    const stored = identity ? loadDeviceToken(identity.deviceId, ROLE) : null;
    const token = stored?.token || this.token;
    let device: Record<string, unknown> | undefined;
    if (identity) {
      const signedAt = Date.now();
      const payload = deviceAuthPayload({
        deviceId: identity.deviceId,
        clientId: "openclaw-control-ui",
        clientMode: "ui",
        role: ROLE,
        scopes: SCOPES,
        signedAtMs: signedAt,
        token: token || null,
        nonce,
      });
      try {
        device = { id: identity.deviceId, publicKey: identity.publicKey, signature: await signPayload(identity, payload), signedAt };
        if (nonce) device.nonce = nonce;
      } catch {
        device = undefined;
      }
    }
    try {
      const hello = (await this.send(
        "connect",
        {
          minProtocol: 3,
          maxProtocol: 3,
          client: {
            id: "openclaw-control-ui",
            displayName: "Control UI",
            version: __APP_VERSION__,
            platform: navigator.platform || "web",
            mode: "ui",
            instanceId: this.instanceId,
          },
          role: ROLE,
          scopes: SCOPES,
          ...(token ? { auth: { token } } : {}),
          ...(device ? { device } : {}),
          locale: navigator.language,
          userAgent: navigator.userAgent,
        },
        10_000,
      )) as HelloOk;
      if (this.ws !== ws) return;
      if (identity && hello.auth?.deviceToken)
        storeDeviceToken(identity.deviceId, hello.auth.role, hello.auth.deviceToken, hello.auth.scopes);
      this.hello = hello;
      this.attempt = 0;
      this.notice = null;
      this.everConnected = true;
      this.setState("connected", "");
    } catch (e) {
      const err = e as GatewayError;
      if (stored && identity && err.code === "UNAUTHORIZED") {
        // The device token was rotated or revoked: forget it and try the gateway token at once.
        clearDeviceToken(identity.deviceId, ROLE);
        this.nextDelayMs = 0;
        this.lastError = "";
        ws.close();
      } else if (err.code === "NOT_PAIRED") {
        const requestId = String((err.details as { requestId?: unknown } | undefined)?.requestId ?? "");
        this.notice = { kind: "pairing", requestId };
        this.nextDelayMs = PAIRING_RETRY_MS;
        this.lastError = requestId ? `this browser waits for approval (request ${requestId})` : err.message;
        ws.close();
      } else if (/^control ui requires HTTPS/i.test(err.message)) {
        this.notice = { kind: "insecure", message: err.message };
        this.lastError = err.message;
        ws.close();
      } else if (err.code === "UNAUTHORIZED") {
        this.setState("auth-failed", err.message);
        ws.close();
      } else if (err.code === "RATE_LIMITED") {
        this.setState("auth-failed", "Too many failed sign-in attempts from this address. Wait a minute, then try again.");
        ws.close();
      } else if (this.ws === ws) {
        this.lastError = err.message;
        ws.close();
      }
    }
  }

  private onFrame(data: unknown): void {
    this.lastFrameAt = Date.now();
    if (typeof data !== "string") return;
    let f: any;
    try {
      f = JSON.parse(data);
    } catch {
      return;
    }
    if (f?.type === "res" && typeof f.id === "string") {
      const p = this.pending.get(f.id);
      if (!p) return;
      this.pending.delete(f.id);
      clearTimeout(p.timer);
      if (f.ok) p.resolve(f.payload);
      else p.reject(new GatewayError(f.error?.code ?? "ERROR", f.error?.message ?? "request failed", f.error?.details));
    } else if (f?.type === "event" && typeof f.event === "string") {
      if (f.event === "connect.challenge") {
        this.gotNonce?.(typeof f.payload?.nonce === "string" ? f.payload.nonce : null);
        return;
      }
      if (f.event === "shutdown") this.lastError = f.payload?.restartExpectedMs !== undefined ? "gateway restarting" : "gateway stopped";
      for (const fn of this.eventListeners) {
        try {
          fn(f.event, f.payload);
        } catch (e) {
          console.error(e);
        }
      }
    }
  }

  private send(method: string, params: unknown, timeoutMs: number): Promise<unknown> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new GatewayError("UNAVAILABLE", "not connected to the gateway"));
    const id = `${++this.seq}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new GatewayError("TIMEOUT", `${method}: no answer within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      ws.send(JSON.stringify({ type: "req", id, method, ...(params !== undefined ? { params } : {}) }));
    });
  }

  /** Calls a gateway method; rejects with a {@link GatewayError} carrying the gateway's code and message. */
  request<T = any>(method: string, params?: unknown, timeoutMs = 30_000): Promise<T> {
    if (this.state !== "connected") return Promise.reject(new GatewayError("UNAVAILABLE", "not connected to the gateway"));
    return this.send(method, params, timeoutMs) as Promise<T>;
  }

  private failPending(err: Error): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }

  private scheduleRetry(why: string): void {
    clearTimeout(this.retryTimer);
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt);
    const delay = this.nextDelayMs ?? Math.round(base * (0.8 + Math.random() * 0.4));
    if (this.nextDelayMs === null) this.attempt++;
    this.nextDelayMs = null;
    this.retryAt = Date.now() + delay;
    this.setState(this.everConnected ? "reconnecting" : "connecting", this.lastError && why === "connection lost" ? this.lastError : why);
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  /** Skips the wait before the next attempt. */
  retryNow = (): void => {
    if (this.state !== "reconnecting" && this.state !== "connecting") return;
    if (this.ws) return;
    clearTimeout(this.retryTimer);
    this.open();
  };

  private checkAlive(): void {
    const tick = this.hello?.policy.tickIntervalMs ?? 15_000;
    if (this.state === "connected" && this.ws && Date.now() - this.lastFrameAt > tick * 3) {
      this.lastError = "no word from the gateway";
      this.ws.close();
    }
  }

  /** Closes for good (sign-out). */
  stop(): void {
    this.setState("stopped");
    clearTimeout(this.retryTimer);
    clearInterval(this.watchdog);
    window.removeEventListener("online", this.retryNow);
    const ws = this.ws;
    this.ws = null;
    ws?.close();
    this.failPending(new GatewayError("UNAVAILABLE", "signed out"));
    this.eventListeners.clear();
  }
}

/** The gateway's WebSocket address: the page's own host, under the UI's base path. */
export function gatewayUrl(basePath: string): string {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}${basePath}`;
}
