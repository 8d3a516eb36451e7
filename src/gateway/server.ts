/**
 * The listener: one HTTP server on one port for HTTP routes and the WebSocket protocol. Owns the
 * connection set, broadcasts events, and closes cleanly (clients get `shutdown` first).
 */
import http from "node:http";
import net, { type Socket } from "node:net";
import { WebSocketServer } from "ws";
import { AuthRateLimiter, type ResolvedAuth } from "./auth.js";
import { isLoopbackHost } from "./bind.js";
import { GatewayConnection } from "./connection.js";
import type { GatewayContext, MethodTable } from "./context.js";
import type { ControlUi } from "./http/control-ui.js";
import { handleHttp, type HttpState } from "./http/routes.js";
import { MAX_PAYLOAD_BYTES, eventFrame } from "./protocol/frames.js";

export const EVENTS = ["connect.challenge", "tick", "presence", "shutdown", "config.changed"] as const;

export interface ListenError extends Error {
  code: "GATEWAY_PORT_IN_USE" | "GATEWAY_LISTEN";
}

export interface GatewayServerOptions {
  ctx: GatewayContext;
  methods: MethodTable;
  auth: () => ResolvedAuth;
  trustedProxies: () => string[];
  controlUi: ControlUi;
}

export class GatewayServer {
  readonly http: http.Server;
  private readonly wss: WebSocketServer;
  private readonly conns = new Set<GatewayConnection>();
  private readonly limiter: AuthRateLimiter;
  private readonly state: HttpState;
  private readonly sockets = new Set<Socket>();
  /** IPv6 twin of a `0.0.0.0` listener (see `listenV6`). */
  private v6: net.Server | null = null;
  private seq = 0;

  constructor(private readonly opts: GatewayServerOptions) {
    const { ctx } = opts;
    this.state = { shuttingDown: false, ui: opts.controlUi };
    this.limiter = new AuthRateLimiter({ now: ctx.now });
    const httpDeps = { auth: opts.auth, limiter: this.limiter, clientAddress: (req: http.IncomingMessage) => this.clientAddress(req) };
    this.http = http.createServer((req, res) => {
      handleHttp(ctx, this.state, httpDeps, req, res).catch((e: unknown) => {
        ctx.log.error(`http ${req.url}: ${(e as Error).stack ?? e}`);
        if (!res.headersSent) res.writeHead(500).end();
        else res.end();
      });
    });
    this.http.on("connection", (s: Socket) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES, perMessageDeflate: false });
    this.http.on("upgrade", (req, socket, head) => {
      if (this.state.shuttingDown) return socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req));
    });
  }

  /** Client address, trusting `x-forwarded-for` only from configured proxies. */
  private clientAddress(req: http.IncomingMessage): { address: string; isLocal: boolean } {
    const peer = (req.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
    const fwd = req.headers["x-forwarded-for"];
    const forwarded = typeof fwd === "string" ? fwd.split(",")[0]?.trim() : undefined;
    if (forwarded && this.opts.trustedProxies().includes(peer)) return { address: forwarded, isLocal: isLoopbackHost(forwarded) };
    // Anything relayed by an untrusted proxy is treated as remote even when the peer is loopback.
    return { address: peer, isLocal: isLoopbackHost(peer) && !forwarded };
  }

  private accept(ws: import("ws").WebSocket, req: http.IncomingMessage): void {
    const { ctx } = this.opts;
    const { address, isLocal: localPeer } = this.clientAddress(req);
    // A page from another site may open a WebSocket to a loopback gateway through the owner's browser;
    // such a connection never counts as local, so it needs the token like any remote client.
    const isLocal = localPeer && !isCrossOrigin(req);
    const conn = new GatewayConnection(
      ws,
      { ctx, methods: this.opts.methods, events: EVENTS, auth: this.opts.auth, limiter: this.limiter, isLocal, remoteAddress: address },
      {
        register: (c, p) => {
          ctx.presence.upsert(c.connId, {
            ts: ctx.now(),
            ip: address,
            host: p.client.displayName ?? p.client.id,
            version: p.client.version,
            platform: p.client.platform,
            mode: p.client.mode,
            roles: [c.client!.role],
            scopes: c.client!.scopes,
            reason: "connect",
            ...(c.client!.deviceId ? { deviceId: c.client!.deviceId } : {}),
            ...(p.client.instanceId ? { instanceId: p.client.instanceId } : {}),
          });
          ctx.log.info(`client connected: ${p.client.id} ${p.client.version} (${p.client.mode}) from ${address}`);
        },
        announce: () => this.broadcastPresence(),
      },
    );
    this.conns.add(conn);
    ws.on("error", (e) => ctx.log.debug(`ws error from ${address}: ${e.message}`));
    ws.on("close", () => {
      this.conns.delete(conn);
      if (conn.client && ctx.presence.remove(conn.connId)) this.broadcastPresence();
    });
  }

  private broadcastPresence(): void {
    this.broadcast("presence", { presence: this.opts.ctx.presence.list() });
  }

  /** Sends an event to every connected (post-handshake) client. */
  broadcast(event: string, payload: unknown): void {
    const frame = { ...eventFrame(event, payload, ++this.seq), stateVersion: { presence: this.opts.ctx.presence.version, health: 0 } };
    for (const c of this.conns) if (c.client) c.send(frame);
  }

  get connectionCount(): number {
    return this.conns.size;
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException) => {
        this.http.off("listening", onListening);
        const where = `${host.includes(":") ? `[${host}]` : host}:${port}`;
        const err = new Error(
          e.code === "EADDRINUSE"
            ? `port ${port} is already in use (${where}): another gateway or program is listening there. Stop it, choose another port with --port, or pass --force to stop it`
            : `failed to listen on ${where}: ${e.message}`,
        ) as ListenError;
        err.code = e.code === "EADDRINUSE" ? "GATEWAY_PORT_IN_USE" : "GATEWAY_LISTEN";
        reject(err);
      };
      const onListening = () => {
        this.http.off("error", onError);
        const addr = this.http.address();
        const bound = typeof addr === "object" && addr ? addr.port : port;
        if (host === "0.0.0.0") void this.listenV6(bound).then(() => resolve(bound));
        else resolve(bound);
      };
      this.http.once("error", onError);
      this.http.once("listening", onListening);
      this.http.listen({ host, port, exclusive: true });
    });
  }

  /**
   * `0.0.0.0` only accepts IPv4. Private networks such as Fly.io's 6PN (`fly proxy`, WireGuard) reach
   * a machine over IPv6, so an all-interfaces bind also listens on `[::]` (IPv6 only) on the same port.
   * Best effort: a host without IPv6 keeps the IPv4 listener alone.
   */
  private listenV6(port: number): Promise<void> {
    return new Promise((resolve) => {
      const server = net.createServer((socket) => this.http.emit("connection", socket));
      server.once("error", (e: NodeJS.ErrnoException) => {
        this.opts.ctx.log.debug(`not listening on [::]:${port} as well (${e.code ?? e.message}); IPv4 only`);
        resolve();
      });
      server.listen({ host: "::", port, ipv6Only: true, exclusive: true }, () => {
        this.v6 = server;
        resolve();
      });
    });
  }

  /** Tells clients why (`shutdown` event), closes every socket and the listener. */
  async close(reason: string, restartExpectedMs?: number): Promise<void> {
    this.state.shuttingDown = true;
    this.broadcast("shutdown", { reason, ...(restartExpectedMs !== undefined ? { restartExpectedMs } : {}) });
    for (const c of this.conns) c.close(restartExpectedMs !== undefined ? 1012 : 1001, reason);
    await new Promise<void>((resolve) => {
      this.wss.close(() => resolve());
    });
    this.v6?.close();
    this.v6 = null;
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      // Give in-flight responses and WS close handshakes a moment, then cut what is left.
      setTimeout(() => {
        for (const s of this.sockets) s.destroy();
      }, 500).unref();
      this.http.closeIdleConnections?.();
    });
  }
}

/** True for a browser connection whose page came from another origin than this gateway. */
function isCrossOrigin(req: http.IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}
