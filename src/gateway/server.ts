/**
 * The listener: one HTTP server on one port for HTTP routes and the WebSocket protocol. Owns the
 * connection set, broadcasts events, and closes cleanly (clients get `shutdown` first).
 *
 * Before any route runs, each request is classified (`trust.ts`): who the client is, and whether it
 * may act as "this machine". A gateway without a token serves only requests addressed to a loopback
 * name from a same-origin page, which is what keeps a hostile web page in the owner's browser out.
 * Sockets are capped and idle ones closed (`sockets.ts`), so a flood cannot starve the process of
 * descriptors or lock the owner out.
 */
import http from "node:http";
import net, { type Socket } from "node:net";
import type { WebSocketServer } from "ws";
import { AuthRateLimiter, type ResolvedAuth } from "./auth.js";
import { GatewayConnection } from "./connection.js";
import { hasScope, type GatewayContext, type MethodTable, type Scope } from "./context.js";
import type { ControlUi } from "./http/control-ui.js";
import { BodyBudget } from "./http/body.js";
import { MAX_BODIES_IN_FLIGHT_BYTES } from "./http/openai.js";
import { handleHttp, type HttpState, type PluginHandlers, type PluginRouteLookup } from "./http/routes.js";
import { MAX_PAYLOAD_BYTES, eventFrame } from "./protocol/frames.js";
import { DEFAULT_IDLE_MS, SocketGuard } from "./sockets.js";
import { isFlyProxy, isLoopbackIp, normalizeIp, proxyMatcher, requestTrust, type RequestTrust } from "./trust.js";
import type { DeviceStore } from "./devices.js";

export const EVENTS = [
  "connect.challenge",
  "agent",
  "chat",
  "presence",
  "tick",
  "shutdown",
  "health",
  "heartbeat",
  "config.changed",
  "device.pair.requested",
  "device.pair.resolved",
  "exec.approval.requested",
  "exec.approval.resolved",
  "cron",
] as const;

/** Events only operators holding this scope (or `operator.admin`) hear. */
const EVENT_SCOPES: Partial<Record<string, Scope>> = {
  "device.pair.requested": "operator.pairing",
  "device.pair.resolved": "operator.pairing",
  "exec.approval.requested": "operator.approvals",
  "exec.approval.resolved": "operator.approvals",
};

/** Presence is broadcast at most this often; changes in between go out together. */
export const PRESENCE_INTERVAL_MS = 1000;
/** Entries in a presence list sent to clients (newest first). */
export const MAX_PRESENCE_ENTRIES = 100;

export interface ListenError extends Error {
  code: "GATEWAY_PORT_IN_USE" | "GATEWAY_LISTEN";
}

export interface GatewayServerOptions {
  ctx: GatewayContext;
  methods: MethodTable;
  auth: () => ResolvedAuth;
  trustedProxies: () => string[];
  controlUi: ControlUi;
  devices: DeviceStore;
  /** The plugin that serves an HTTP path, if any. */
  pluginRoute?: PluginRouteLookup;
  pluginHandlers?: PluginHandlers | null;
  /** The plugin that takes WebSocket upgrades on a path, if any (consulted before the gateway's protocol). */
  pluginUpgrade?: (pathname: string) => ((req: http.IncomingMessage, socket: Socket, head: Buffer) => void) | null;
  /** Socket caps (tests); default from the descriptor limit. */
  maxSockets?: number;
  idleMs?: number;
}

export class GatewayServer {
  readonly http: http.Server;
  /** The WebSocket side, loaded with the first upgrade (a gateway nobody has connected to never needs it). */
  private wss: Promise<WebSocketServer> | null = null;
  private readonly conns = new Set<GatewayConnection>();
  private readonly limiter: AuthRateLimiter;
  private readonly state: HttpState;
  readonly guard: SocketGuard;
  /** IPv6 twin of a `0.0.0.0` listener (see `listenV6`). */
  private v6: net.Server | null = null;
  private seq = 0;
  /** Bumped with every `health` broadcast (clients compare it with their snapshot's). */
  private healthVersion = 1;
  private presenceTimer: NodeJS.Timeout | null = null;
  private presenceSentAt = 0;
  private floodNote = { at: 0, count: 0 };
  private listenErrorAt = 0;
  private proxyCache: { list: readonly string[] | null; match: (ip: string) => boolean } = { list: null, match: () => false };

  constructor(private readonly opts: GatewayServerOptions) {
    const { ctx } = opts;
    this.state = { shuttingDown: false, ui: opts.controlUi };
    this.limiter = new AuthRateLimiter({ now: ctx.now });
    const httpDeps = {
      auth: opts.auth,
      limiter: this.limiter,
      bodies: new BodyBudget(MAX_BODIES_IN_FLIGHT_BYTES),
      pluginRoute: opts.pluginRoute,
      pluginHandlers: opts.pluginHandlers,
    };
    this.http = http.createServer(
      {
        // Slow request heads (slowloris) and bodies are cut off; the check runs every second.
        headersTimeout: opts.idleMs ?? DEFAULT_IDLE_MS,
        requestTimeout: 120_000,
        connectionsCheckingInterval: 1000,
      },
      (req, res) => {
        this.guard.active(req.socket);
        const t = this.trust(req);
        if (this.refuseUntrusted(req, t, (status, body) => sendJson(res, status, body))) return;
        handleHttp(ctx, this.state, httpDeps, req, res, t).catch((e: unknown) => {
          ctx.log.error(`http ${req.url}: ${(e as Error).stack ?? e}`);
          if (!res.headersSent) res.writeHead(500, { connection: "close" }).end();
          else res.end();
        });
      },
    );
    this.http.keepAliveTimeout = 5000;
    this.guard = new SocketGuard({
      maxSockets: opts.maxSockets,
      idleMs: opts.idleMs,
      exempt: (peer) => isLoopbackIp(peer) || this.proxies()(peer) || (this.onFly && isFlyProxy(peer)),
      onEvict: (peer, why) => this.noteFlood(peer, why),
    });
    this.http.on("connection", (s: Socket) => this.guard.admit(s, normalizeIp(s.remoteAddress)));
    this.http.on("upgrade", (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
      if (this.state.shuttingDown) return socket.destroy();
      this.guard.active(socket);
      const t = this.trust(req);
      const refuse = (status: number, body: unknown) => {
        const text = JSON.stringify(body);
        socket.end(
          `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
            `content-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
        );
      };
      if (this.refuseUntrusted(req, t, refuse)) return;
      socket.on("error", () => undefined);
      const pluginUpgrade = this.opts.pluginUpgrade?.((req.url ?? "/").split("?")[0]!);
      if (pluginUpgrade) return pluginUpgrade(req, socket, head);
      this.webSockets().then(
        (wss) => {
          if (socket.destroyed || this.state.shuttingDown) return socket.destroy();
          wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req, t));
        },
        (e: unknown) => {
          ctx.log.error(`cannot accept WebSocket connections: ${(e as Error).message}`);
          socket.destroy();
        },
      );
    });
    // After listening, an accept() can still fail (EMFILE when descriptors run out): log it and keep
    // serving; libuv sheds the connection and keeps the listener.
    this.http.on("error", (e: NodeJS.ErrnoException) => this.onListenerError(e));
  }

  private webSockets(): Promise<WebSocketServer> {
    this.wss ??= import("ws").then(
      ({ WebSocketServer }) => new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES, perMessageDeflate: false }),
    );
    return this.wss;
  }

  private trust(req: http.IncomingMessage): RequestTrust {
    const trustedProxies = this.opts.trustedProxies();
    return requestTrust(req, { trustedProxies, onFly: this.onFly }, this.proxies(trustedProxies));
  }

  private get onFly(): boolean {
    return Boolean(this.opts.ctx.env.FLY_APP_NAME);
  }

  /** `gateway.trustedProxies` as a matcher, rebuilt only when the config's list changes. */
  private proxies(list = this.opts.trustedProxies()): (ip: string) => boolean {
    if (this.proxyCache.list !== list) this.proxyCache = { list, match: proxyMatcher(list) };
    return this.proxyCache.match;
  }

  /**
   * A gateway without a token trusts this machine only. A request addressed to any other name (a DNS
   * rebinding page) or sent by a page of another origin is refused before it reaches a route.
   */
  private refuseUntrusted(req: http.IncomingMessage, t: RequestTrust, refuse: (status: number, body: unknown) => void): boolean {
    if (this.opts.auth().mode !== "none") return false;
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && (path === "/healthz" || path === "/readyz") && !req.headers.upgrade) return false;
    if (!t.loopbackHost) {
      this.opts.ctx.log.warn(
        `refused a request for host ${JSON.stringify(req.headers.host ?? "")} from ${t.address}: no gateway token is set`,
      );
      refuse(403, {
        error: {
          code: "FORBIDDEN_HOST",
          message: `this gateway has no token, so it only answers requests addressed to 127.0.0.1 or localhost (got Host ${JSON.stringify(req.headers.host ?? "")}). Open it as http://127.0.0.1:${this.opts.ctx.info.port}/, or set OPENCLAW_GATEWAY_TOKEN to serve other names.`,
        },
      });
      return true;
    }
    if (t.crossSite) {
      this.opts.ctx.log.warn(`refused a cross-site request from origin ${JSON.stringify(req.headers.origin ?? "")} (${t.address})`);
      refuse(403, {
        error: {
          code: "FORBIDDEN_ORIGIN",
          message: `cross-site request refused: a page from ${req.headers.origin ?? "another site"} may not use a gateway that has no token. Set OPENCLAW_GATEWAY_TOKEN to allow authenticated clients from other origins.`,
        },
      });
      return true;
    }
    return false;
  }

  private accept(ws: import("ws").WebSocket, req: http.IncomingMessage, t: RequestTrust): void {
    const { ctx } = this.opts;
    const address = t.address;
    const conn = new GatewayConnection(
      ws,
      {
        ctx,
        methods: this.opts.methods,
        events: EVENTS,
        auth: this.opts.auth,
        limiter: this.limiter,
        isLocal: t.isLocal,
        sameMachine: t.isLocal || (t.loopbackHost && !t.untrustedForward && isLoopbackIp(t.address) && isLoopbackIp(t.peer)),
        remoteAddress: address,
        devices: this.opts.devices,
        presenceSnapshot: () => this.presenceList(),
      },
      {
        register: (c, p) => {
          this.guard.authenticated(req.socket);
          ctx.presence.upsert(c.connId, {
            ts: ctx.now(),
            ip: address,
            host: p.client.displayName ?? p.client.id,
            version: p.client.version,
            platform: p.client.platform,
            ...(p.client.deviceFamily ? { deviceFamily: p.client.deviceFamily } : {}),
            ...(p.client.modelIdentifier ? { modelIdentifier: p.client.modelIdentifier } : {}),
            mode: p.client.mode,
            roles: [c.client!.role],
            scopes: c.client!.scopes,
            reason: "connect",
            ...(c.client!.deviceId ? { deviceId: c.client!.deviceId } : {}),
            ...(p.client.instanceId ? { instanceId: p.client.instanceId } : {}),
          });
          ctx.log.info(`client connected: ${p.client.id} ${p.client.version} (${p.client.mode}) from ${address}`);
        },
        announce: () => this.schedulePresence(),
      },
    );
    this.conns.add(conn);
    ws.on("error", (e) => ctx.log.debug(`ws error from ${address}: ${e.message}`));
    ws.on("close", () => {
      this.conns.delete(conn);
      if (conn.client && ctx.presence.remove(conn.connId)) this.schedulePresence();
    });
  }

  private presenceList() {
    return this.opts.ctx.presence.list().slice(0, MAX_PRESENCE_ENTRIES);
  }

  /**
   * Presence goes out at most once a second: a burst of connects costs one list per second instead of
   * one list per connect to every client (which grows with the square of the number of clients).
   */
  private schedulePresence(): void {
    if (this.presenceTimer || this.state.shuttingDown) return;
    const wait = Math.max(0, this.presenceSentAt + PRESENCE_INTERVAL_MS - this.opts.ctx.now());
    this.presenceTimer = setTimeout(() => {
      this.presenceTimer = null;
      this.presenceSentAt = this.opts.ctx.now();
      this.broadcast("presence", { presence: this.presenceList() });
    }, wait);
    this.presenceTimer.unref();
  }

  /** Sends an event to every connected (post-handshake) client; the frame is serialised once. */
  broadcast(event: string, payload: unknown): void {
    if (event === "health") this.healthVersion++;
    const frame = {
      ...eventFrame(event, payload, ++this.seq),
      stateVersion: { presence: this.opts.ctx.presence.version, health: this.healthVersion },
    };
    const scope = EVENT_SCOPES[event];
    let text: string | null = null;
    for (const c of this.conns) {
      if (!c.client) continue;
      if (scope && (c.client.role !== "operator" || !hasScope(c.client.scopes, scope))) continue;
      text ??= JSON.stringify(frame);
      c.sendText(text);
    }
  }

  get connectionCount(): number {
    return this.conns.size;
  }

  /** Connections past the handshake; with `scope`, only operators holding it. */
  clientCount(scope?: Scope): number {
    let n = 0;
    for (const c of this.conns) if (c.client && (!scope || (c.client.role === "operator" && hasScope(c.client.scopes, scope)))) n++;
    return n;
  }

  /** One warning per ten seconds while a flood lasts, with how many were shed. */
  private noteFlood(peer: string, why: string): void {
    const now = this.opts.ctx.now();
    this.floodNote.count++;
    if (now - this.floodNote.at < 10_000) return;
    this.opts.ctx.log.warn(`shedding connections: ${why} (last from ${peer}; ${this.floodNote.count} shed since the last note)`);
    this.floodNote = { at: now, count: 0 };
  }

  private onListenerError(e: NodeJS.ErrnoException): void {
    const now = this.opts.ctx.now();
    if (now - this.listenErrorAt < 10_000) return;
    this.listenErrorAt = now;
    this.opts.ctx.log.error(
      `listener: ${e.code ?? ""} ${e.message}${e.code === "EMFILE" || e.code === "ENFILE" ? " (out of file descriptors; new connections are being shed)" : ""}`,
    );
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
        server.on("error", (e: NodeJS.ErrnoException) => this.onListenerError(e));
        resolve();
      });
    });
  }

  /** Tells clients why (`shutdown` event), closes every socket and the listener. */
  async close(reason: string, restartExpectedMs?: number): Promise<void> {
    this.state.shuttingDown = true;
    if (this.presenceTimer) clearTimeout(this.presenceTimer);
    this.presenceTimer = null;
    this.broadcast("shutdown", { reason, ...(restartExpectedMs !== undefined ? { restartExpectedMs } : {}) });
    for (const c of this.conns) c.close(restartExpectedMs !== undefined ? 1012 : 1001, reason);
    const wss = await this.wss?.catch(() => null);
    if (wss) await new Promise<void>((resolve) => wss.close(() => resolve()));
    this.v6?.close();
    this.v6 = null;
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      // Give in-flight responses and WS close handshakes a moment, then cut what is left.
      setTimeout(() => this.guard.destroyAll(), 500).unref();
      this.http.closeIdleConnections?.();
    });
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(text),
    connection: "close",
  });
  res.end(text);
}
