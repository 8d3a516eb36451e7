/**
 * A minimal protocol v3 client for the CLI: waits for the challenge, sends `connect` with the shared
 * secret, then makes one request at a time. Also used by tests as a real client.
 */
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { packageVersion } from "../version.js";
import { PROTOCOL_VERSION, type ErrorShape } from "../gateway/protocol/frames.js";

export interface ClientOptions {
  url: string;
  token?: string;
  password?: string;
  scopes?: string[];
  clientId?: string;
  mode?: string;
  timeoutMs?: number;
  /** Extra connect params (device identity, role, …). */
  connect?: Record<string, unknown>;
  onEvent?: (event: string, payload: unknown) => void;
}

export class GatewayRequestError extends Error {
  constructor(readonly error: ErrorShape) {
    super(`${error.code}: ${error.message}`);
    this.name = "GatewayRequestError";
  }
}

/** No gateway answered at the URL: nothing listening, unknown host, no answer in time, not a gateway. */
export class GatewayUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach gateway at ${url}: ${reason}`);
    this.name = "GatewayUnreachableError";
  }
}

/** The socket error in words (Node's own can be empty: an AggregateError when both ::1 and 127.0.0.1 refuse). */
function describeSocketError(e: NodeJS.ErrnoException, url: string, timeoutMs: number): string {
  switch (e.code) {
    case "ECONNREFUSED":
      return "nothing is listening there";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `host ${new URL(url).hostname} not found`;
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
    case "ETIMEDOUT":
      return "no answer (connection timed out)";
    case "ECONNRESET":
      return "the connection was reset";
  }
  if (/handshake has timed out/i.test(e.message)) return `no answer within ${timeoutMs} ms`;
  const http = /^Unexpected server response: (\d+)/.exec(e.message);
  if (http) return `something other than a gateway answers there (HTTP ${http[1]})`;
  return e.message || e.code || "connection failed";
}

export class GatewayClient {
  private ws!: WebSocket;
  private pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  hello: Record<string, unknown> | null = null;
  challengeNonce: string | null = null;
  closeInfo: { code: number; reason: string } | null = null;

  constructor(private readonly opts: ClientOptions) {}

  /** Opens the socket and completes the handshake; rejects with the server's reason when refused. */
  async connect(): Promise<Record<string, unknown>> {
    const timeoutMs = this.opts.timeoutMs ?? 10_000;
    this.ws = new WebSocket(this.opts.url, { handshakeTimeout: timeoutMs, perMessageDeflate: false });
    const challenge = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new GatewayUnreachableError(this.opts.url, `no answer within ${timeoutMs} ms`)), timeoutMs);
      this.ws.on("message", (data) => {
        let frame: { type?: string; id?: string; ok?: boolean; payload?: unknown; error?: ErrorShape; event?: string };
        try {
          frame = JSON.parse(String(data));
        } catch {
          return;
        }
        if (frame.type === "event" && frame.event === "connect.challenge") {
          clearTimeout(timer);
          resolve((frame.payload as { nonce: string }).nonce);
          return;
        }
        if (frame.type === "event" && frame.event) this.opts.onEvent?.(frame.event, frame.payload);
        if (frame.type === "res" && frame.id) {
          const p = this.pending.get(frame.id);
          if (!p) return;
          this.pending.delete(frame.id);
          if (frame.ok) p.resolve(frame.payload);
          else p.reject(new GatewayRequestError(frame.error ?? { code: "UNKNOWN", message: "request failed" }));
        }
      });
      this.ws.on("error", (e) => {
        clearTimeout(timer);
        reject(new GatewayUnreachableError(this.opts.url, describeSocketError(e as NodeJS.ErrnoException, this.opts.url, timeoutMs)));
      });
      this.ws.on("close", (code, reason) => {
        clearTimeout(timer);
        this.closeInfo = { code, reason: reason.toString() };
        const err = new Error(`gateway closed the connection (${code}${reason.length ? `: ${reason}` : ""})`);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        reject(err);
      });
    });
    this.challengeNonce = await challenge;
    const auth = this.opts.token || this.opts.password ? { token: this.opts.token, password: this.opts.password } : undefined;
    this.hello = (await this.request("connect", {
      minProtocol: PROTOCOL_VERSION,
      maxProtocol: PROTOCOL_VERSION,
      client: { id: this.opts.clientId ?? "cli", version: packageVersion(), platform: process.platform, mode: this.opts.mode ?? "cli" },
      role: "operator",
      scopes: this.opts.scopes ?? ["operator.admin"],
      ...(auth ? { auth } : {}),
      ...(this.opts.connect ?? {}),
    })) as Record<string, unknown>;
    return this.hello;
  }

  request<T = unknown>(method: string, params?: unknown): Promise<T> {
    const id = randomUUID();
    return new Promise<T>((resolve, reject) => {
      if (this.ws.readyState !== WebSocket.OPEN) return reject(new Error("gateway connection is not open"));
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify({ type: "req", id, method, ...(params !== undefined ? { params } : {}) }));
    });
  }

  close(): void {
    this.ws?.close();
  }
}
