/**
 * A fake Discord on 127.0.0.1 (port 0): the REST API (v10 JSON routes under `/api/v10`) and the
 * gateway (WebSocket, JSON encoding), speaking the real protocols so tests drive the real
 * `@discordjs/rest` and `@discordjs/ws` against it.
 *
 * `apiBaseUrl` (`http://127.0.0.1:PORT/api`) is what goes into `channels.discord.apiBaseUrl`; the REST
 * client appends `/v10/...`. GET /gateway/bot points the client at `ws://127.0.0.1:PORT/gateway`.
 *
 * REST routes (all but the CDN need `Authorization: Bot <token>`, else 401):
 *   GET  /gateway, /gateway/bot, /users/@me, /channels/{id}
 *   POST /channels/{id}/messages (JSON, or multipart with `payload_json` + `files[n]`; honours
 *        `message_reference`, `nonce` + `enforce_nonce`, 2000-character limit, empty-message error)
 *   POST /channels/{id}/typing, POST /users/@me/channels (open a DM),
 *   PUT/DELETE /channels/{id}/messages/{id}/reactions/{emoji}/@me
 *   GET  /attachments/{channel}/{attachment}/{filename} (the CDN; no auth)
 *
 * Gateway: op 10 HELLO (`heartbeatIntervalMs`, default 1000) → op 2 IDENTIFY → READY (session_id,
 * resume_gateway_url on this fake, user, unavailable guilds) + one GUILD_CREATE per guild; op 1 →
 * op 11; op 6 RESUME → missed dispatches replayed in order + RESUMED, or op 9 when the session is
 * unknown; sequence numbers on every dispatch; close 4004 for a bad token, 4014 for MessageContent when
 * `allowMessageContent` is false. Intents are honoured: guild messages need GUILD_MESSAGES, DMs
 * DIRECT_MESSAGES, and without MESSAGE_CONTENT guild messages arrive without content unless they
 * mention the bot. The bot's own sends come back as MESSAGE_CREATE, as on Discord.
 *
 * Ids are real-looking snowflakes (19 digits), so the REST client's per-channel rate-limit buckets work.
 */
import http from "node:http";
import { randomBytes } from "node:crypto";
import type { AddressInfo, Socket } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import type { APIAttachment, APIMessage, APIUser, GatewayReadyDispatchData } from "discord-api-types/v10";
import { readBody } from "./http.js";

const DISCORD_EPOCH = 1420070400000n;
const INTENT_GUILD_MESSAGES = 1 << 9;
const INTENT_DIRECT_MESSAGES = 1 << 12;
const INTENT_MESSAGE_CONTENT = 1 << 15;
const THREAD_TYPES = new Set([10, 11, 12]);

export interface FakeDiscordOptions {
  token?: string;
  botId?: string;
  botName?: string;
  /** Announced in HELLO. Default 1000 (Discord says ~41250; tests want heartbeats soon). */
  heartbeatIntervalMs?: number;
  /** false: IDENTIFY asking for MESSAGE_CONTENT is closed with 4014 (intent not enabled in the portal). */
  allowMessageContent?: boolean;
}

export interface FakeChannelSpec {
  id: string;
  name: string;
  /** Discord channel type: 0 text (default), 5 announcement, 11 public thread, 15 forum, ... */
  type?: number;
  /** The parent channel of a thread (or the category of a channel). */
  parentId?: string;
}

export interface SentMessage {
  channelId: string;
  content: string;
  messageId: string;
  replyTo?: string;
  files: number;
  /** Extras. */
  fileNames: string[];
  allowedMentions?: unknown;
  nonce?: string | number;
}

interface Channel {
  id: string;
  type: number;
  name?: string;
  guildId?: string;
  parentId?: string;
  recipients?: APIUser[];
}

interface Dispatch {
  op: 0;
  t: string;
  s: number;
  d: unknown;
}

interface Session {
  id: string;
  seq: number;
  intents: number;
  /** Dispatches of this session, for replay on RESUME. */
  log: Dispatch[];
  socket: WebSocket | null;
}

type GuildMessage = APIMessage & { guild_id?: string; member?: unknown; channel_type?: number };

export class FakeDiscord {
  readonly apiBaseUrl: string;
  readonly token: string;
  readonly botId: string;
  readonly botName: string;

  sent: SentMessage[] = [];
  typing: string[] = [];
  /** PUT/DELETE /channels/{id}/messages/{id}/reactions/{emoji}/@me. */
  reactions: Array<{ channelId: string; messageId: string; emoji: string; removed: boolean }> = [];
  identifies = 0;
  resumes = 0;
  /** Extras: heartbeats received, the last IDENTIFY payload, gateway URLs connected to, REST calls. */
  heartbeats = 0;
  lastIdentify: {
    token?: string;
    intents?: number;
    compress?: boolean;
    shard?: [number, number];
    properties?: Record<string, string>;
  } | null = null;
  gatewayUrls: string[] = [];
  requests: Array<{ method: string; path: string; status: number }> = [];
  /** Extras: 429s served, CDN downloads served. */
  rateLimited = 0;
  downloads = 0;

  private readonly server: http.Server;
  private readonly wss: WebSocketServer;
  private readonly port: number;
  private readonly heartbeatIntervalMs: number;
  private readonly allowMessageContent: boolean;
  private readonly bot: APIUser;
  private readonly guilds = new Map<string, { id: string; name: string }>();
  private readonly channels = new Map<string, Channel>();
  private readonly messages = new Map<string, GuildMessage>();
  private readonly files = new Map<string, { bytes: Buffer; contentType: string }>();
  private readonly dmByUser = new Map<string, string>();
  private readonly nonces = new Map<string, string>();
  private readonly sockets = new Set<WebSocket>();
  private readonly httpSockets = new Set<Socket>();
  private readonly pendingRateLimits: Array<{ route: string; seconds: number }> = [];
  private readonly sentWaiters: Array<{ n: number; done: () => void }> = [];
  private session: Session | null = null;
  private down = false;
  /** `token` until `revokeToken()`. */
  private validToken: string;
  private idCounter = 0n;

  private constructor(server: http.Server, opts: FakeDiscordOptions) {
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    this.apiBaseUrl = `http://127.0.0.1:${this.port}/api`;
    this.token = opts.token ?? `fake.${randomBytes(12).toString("base64url")}.token`;
    this.validToken = this.token;
    this.botId = opts.botId ?? this.nextId();
    this.botName = opts.botName ?? "Krill";
    this.heartbeatIntervalMs = opts.heartbeatIntervalMs ?? 1000;
    this.allowMessageContent = opts.allowMessageContent ?? true;
    this.bot = { id: this.botId, username: this.botName, discriminator: "0", global_name: null, avatar: null, bot: true };
    this.wss = new WebSocketServer({ noServer: true });
    this.wss.on("connection", (ws, req) => this.onGatewayConnection(ws, req));
    server.on("request", (req, res) => void this.onRequest(req, res));
    server.on("upgrade", (req, socket, head) => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      if (this.down || (path !== "/gateway" && path !== "/gateway-resume")) {
        socket.end(`HTTP/1.1 ${this.down ? "503 Service Unavailable" : "404 Not Found"}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit("connection", ws, req));
    });
    server.on("connection", (s) => {
      this.httpSockets.add(s);
      s.on("close", () => this.httpSockets.delete(s));
    });
  }

  static async start(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new FakeDiscord(server, opts);
  }

  /** A gateway session is established (READY or RESUMED) on an open socket. */
  get connected(): boolean {
    return this.session?.socket?.readyState === WebSocket.OPEN;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}/gateway`;
  }

  /** A snowflake: milliseconds since the Discord epoch, shifted left 22 bits, plus a counter. */
  nextId(): string {
    this.idCounter = (this.idCounter + 1n) & 0xfffn;
    return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | (1n << 17n) | this.idCounter).toString();
  }

  // --- world ------------------------------------------------------------------------------------

  addGuild(g: { id: string; name: string; channels: FakeChannelSpec[] }): void {
    this.guilds.set(g.id, { id: g.id, name: g.name });
    for (const c of g.channels) this.channels.set(c.id, { id: c.id, name: c.name, type: c.type ?? 0, guildId: g.id, parentId: c.parentId });
    if (this.session) this.dispatch("GUILD_CREATE", this.guildCreate(g.id));
  }

  /**
   * Extra: a channel or thread created later (CHANNEL_CREATE / THREAD_CREATE when connected; `quiet`
   * skips the event, like an archived thread the client never heard of).
   */
  addChannel(guildId: string, c: FakeChannelSpec, opts: { quiet?: boolean } = {}): void {
    const ch: Channel = { id: c.id, name: c.name, type: c.type ?? 0, guildId, parentId: c.parentId };
    this.channels.set(c.id, ch);
    if (this.session && !opts.quiet) this.dispatch(THREAD_TYPES.has(ch.type) ? "THREAD_CREATE" : "CHANNEL_CREATE", this.channelObject(ch));
  }

  /** Extra: a group DM the bot is in (type 3; `userSays` works in it). */
  addGroupDM(g: { id: string; name: string; recipients: Array<{ id: string; username: string }> }): void {
    this.channels.set(g.id, { id: g.id, type: 3, name: g.name, recipients: g.recipients.map((u) => this.user(u)) });
  }

  userSays(m: {
    channelId: string;
    guildId?: string;
    author: { id: string; username: string; global_name?: string; bot?: boolean };
    content: string;
    mentionBot?: boolean;
    replyToMessageId?: string;
    attachments?: Array<{ bytes: Buffer; contentType: string; filename: string }>;
  }): string {
    const ch = this.channels.get(m.channelId);
    if (!ch) throw new Error(`FakeDiscord: unknown channel ${m.channelId} (addGuild it first)`);
    const msg = this.makeMessage(ch, this.user(m.author), m.mentionBot ? `<@${this.botId}> ${m.content}` : m.content, {
      mentions: m.mentionBot ? [this.bot] : [],
      replyTo: m.replyToMessageId,
      attachments: m.attachments,
      guildId: m.guildId,
    });
    this.dispatchMessage(msg);
    return msg.id;
  }

  userDMs(m: { author: { id: string; username: string; global_name?: string }; content: string }): {
    channelId: string;
    messageId: string;
  } {
    const author = this.user(m.author);
    const ch = this.dmChannel(author);
    const msg = this.makeMessage(ch, author, m.content, { mentions: [] });
    this.dispatchMessage(msg);
    return { channelId: ch.id, messageId: msg.id };
  }

  // --- faults -----------------------------------------------------------------------------------

  /** Drops the gateway socket without a close frame; the session stays resumable. */
  dropConnection(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  /** Gateway refuses connections (503 on upgrade) and REST answers 502 until `comeBack()`. */
  goDown(): void {
    this.down = true;
    this.dropConnection();
  }

  comeBack(): void {
    this.down = false;
  }

  /** The next request on `route` gets a 429 asking to retry after this many seconds. */
  rateLimitNext(route: "createMessage", retryAfterSeconds: number): void {
    this.pendingRateLimits.push({ route, seconds: retryAfterSeconds });
  }

  /** Extra: the token stops working (reset in the Developer Portal): REST 401, IDENTIFY/RESUME closed with 4004. */
  revokeToken(): void {
    this.validToken = `revoked.${randomBytes(8).toString("hex")}`;
  }

  /** Extra: op 7, the client should reconnect and resume. */
  requestReconnect(): void {
    this.session?.socket?.send(JSON.stringify({ op: 7, d: null }));
  }

  /** Extra: op 9; `resumable` false forgets the session, so the client must IDENTIFY again. */
  invalidateSession(resumable = false): void {
    const sock = this.session?.socket;
    if (!resumable) this.session = null;
    if (sock?.readyState === WebSocket.OPEN) sock.send(JSON.stringify({ op: 9, d: resumable }));
  }

  waitForSent(n: number, timeoutMs = 5000): Promise<void> {
    if (this.sent.length >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.sentWaiters.indexOf(waiter);
        if (i >= 0) this.sentWaiters.splice(i, 1);
        reject(new Error(`FakeDiscord: ${this.sent.length} of ${n} messages sent after ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        n,
        done: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.sentWaiters.push(waiter);
    });
  }

  async close(): Promise<void> {
    for (const w of this.sentWaiters.splice(0)) w.done();
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    for (const s of this.httpSockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // --- gateway ----------------------------------------------------------------------------------

  private onGatewayConnection(ws: WebSocket, req: http.IncomingMessage): void {
    this.sockets.add(ws);
    this.gatewayUrls.push(req.url ?? "");
    let authed = false;
    ws.on("close", () => {
      this.sockets.delete(ws);
      if (this.session?.socket === ws) this.session.socket = null;
    });
    ws.on("error", () => undefined);
    ws.on("message", (raw) => {
      let p: { op?: number; d?: any };
      try {
        p = JSON.parse(raw.toString());
      } catch {
        ws.close(4002, "Error while decoding payload.");
        return;
      }
      switch (p.op) {
        case 1:
          this.heartbeats++;
          ws.send(JSON.stringify({ op: 11 }));
          return;
        case 2: {
          this.identifies++;
          this.lastIdentify = p.d ?? null;
          if (authed) return ws.close(4005, "Already authenticated.");
          if (p.d?.token !== this.validToken) return ws.close(4004, "Authentication failed.");
          const intents = Number(p.d?.intents ?? 0);
          if (!this.allowMessageContent && intents & INTENT_MESSAGE_CONTENT) return ws.close(4014, "Disallowed intent(s).");
          authed = true;
          this.session?.socket?.terminate();
          this.session = { id: randomBytes(16).toString("hex"), seq: 0, intents, log: [], socket: ws };
          const ready: GatewayReadyDispatchData = {
            v: 10,
            user: this.bot,
            guilds: [...this.guilds.keys()].map((id) => ({ id, unavailable: true })),
            session_id: this.session.id,
            resume_gateway_url: `ws://127.0.0.1:${this.port}/gateway-resume`,
            shard: p.d?.shard,
            application: { id: this.botId, flags: 0 } as unknown as GatewayReadyDispatchData["application"],
          };
          this.dispatch("READY", ready);
          for (const id of this.guilds.keys()) this.dispatch("GUILD_CREATE", this.guildCreate(id));
          return;
        }
        case 6: {
          this.resumes++;
          const s = this.session;
          if (p.d?.token !== this.validToken) return ws.close(4004, "Authentication failed.");
          if (authed || !s || p.d?.session_id !== s.id) {
            ws.send(JSON.stringify({ op: 9, d: false }));
            return;
          }
          authed = true;
          s.socket?.terminate();
          s.socket = ws;
          const from = Number(p.d?.seq ?? 0);
          for (const e of s.log) if (e.s > from) ws.send(JSON.stringify(e));
          this.dispatch("RESUMED", null);
          return;
        }
        case 3:
        case 4:
        case 8:
        case 31:
          return;
        default:
          ws.close(4001, "Unknown opcode.");
      }
    });
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: this.heartbeatIntervalMs } }));
  }

  /** Numbers and sends one event of the current session (kept for replay when the socket is gone). */
  private dispatch(t: string, d: unknown): void {
    const s = this.session;
    if (!s) return;
    const e: Dispatch = { op: 0, t, s: ++s.seq, d };
    s.log.push(e);
    if (s.log.length > 1000) s.log.shift();
    if (s.socket?.readyState === WebSocket.OPEN) s.socket.send(JSON.stringify(e));
  }

  private dispatchMessage(msg: GuildMessage): void {
    const s = this.session;
    if (!s) return;
    const inGuild = Boolean(msg.guild_id);
    if (!(s.intents & (inGuild ? INTENT_GUILD_MESSAGES : INTENT_DIRECT_MESSAGES))) return;
    let d: GuildMessage = msg;
    const readable = !inGuild || msg.author.id === this.botId || msg.mentions.some((u) => u.id === this.botId);
    if (!(s.intents & INTENT_MESSAGE_CONTENT) && !readable) d = { ...msg, content: "", attachments: [], embeds: [] };
    this.dispatch("MESSAGE_CREATE", d);
  }

  private guildCreate(id: string) {
    const g = this.guilds.get(id)!;
    const all = [...this.channels.values()].filter((c) => c.guildId === id);
    return {
      id,
      name: g.name,
      icon: null,
      owner_id: "100000000000000001",
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: [{ id, name: "@everyone", permissions: "0", position: 0, color: 0, hoist: false, managed: false, mentionable: false }],
      emojis: [],
      features: [],
      mfa_level: 0,
      system_channel_id: null,
      premium_tier: 0,
      preferred_locale: "en-US",
      nsfw_level: 0,
      stickers: [],
      joined_at: new Date().toISOString(),
      large: false,
      unavailable: false,
      member_count: 2,
      voice_states: [],
      members: [],
      // In GUILD_CREATE channels come without guild_id; threads (active ones) with it.
      channels: all.filter((c) => !THREAD_TYPES.has(c.type)).map((c) => ({ ...this.channelObject(c), guild_id: undefined })),
      threads: all.filter((c) => THREAD_TYPES.has(c.type)).map((c) => this.channelObject(c)),
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
    };
  }

  private channelObject(c: Channel): Record<string, unknown> {
    if (c.type === 1 || c.type === 3)
      return { id: c.id, type: c.type, name: c.name ?? null, recipients: c.recipients ?? [], last_message_id: null };
    const base = {
      id: c.id,
      type: c.type,
      guild_id: c.guildId,
      name: c.name,
      parent_id: c.parentId ?? null,
      position: 0,
      permission_overwrites: [],
      nsfw: false,
    };
    if (!THREAD_TYPES.has(c.type)) return { ...base, topic: null, last_message_id: null, rate_limit_per_user: 0 };
    return {
      ...base,
      owner_id: "100000000000000001",
      message_count: 0,
      member_count: 1,
      thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false },
    };
  }

  private user(a: { id: string; username: string; global_name?: string; bot?: boolean }): APIUser {
    const u: APIUser = { id: a.id, username: a.username, discriminator: "0", global_name: a.global_name ?? null, avatar: null };
    if (a.bot) u.bot = true;
    return u;
  }

  private dmChannel(u: APIUser): Channel {
    const existing = this.dmByUser.get(u.id);
    if (existing) return this.channels.get(existing)!;
    const ch: Channel = { id: this.nextId(), type: 1, recipients: [u] };
    this.channels.set(ch.id, ch);
    this.dmByUser.set(u.id, ch.id);
    return ch;
  }

  private makeMessage(
    ch: Channel,
    author: APIUser,
    content: string,
    o: {
      mentions: APIUser[];
      replyTo?: string;
      attachments?: Array<{ bytes: Buffer; contentType: string; filename: string }>;
      guildId?: string;
      nonce?: string | number;
    },
  ): GuildMessage {
    const id = this.nextId();
    const attachments: APIAttachment[] = (o.attachments ?? []).map((a) => {
      const aid = this.nextId();
      this.files.set(aid, { bytes: a.bytes, contentType: a.contentType });
      const url = `http://127.0.0.1:${this.port}/attachments/${ch.id}/${aid}/${encodeURIComponent(a.filename)}`;
      return { id: aid, filename: a.filename, size: a.bytes.length, url, proxy_url: url, content_type: a.contentType };
    });
    const guildId = o.guildId ?? ch.guildId;
    const ref = o.replyTo ? this.messages.get(o.replyTo) : undefined;
    const msg: GuildMessage = {
      id,
      channel_id: ch.id,
      author,
      content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: o.mentions,
      mention_roles: [],
      attachments,
      embeds: [],
      pinned: false,
      type: o.replyTo ? 19 : 0,
      channel_type: ch.type as never,
    };
    if (o.nonce !== undefined) msg.nonce = o.nonce;
    if (guildId) {
      msg.guild_id = guildId;
      msg.member = { roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0, nick: null };
    }
    if (o.replyTo) {
      msg.message_reference = { type: 0, message_id: o.replyTo, channel_id: ch.id, ...(guildId ? { guild_id: guildId } : {}) };
      msg.referenced_message = ref ? stripExtras(ref) : null;
    }
    this.messages.set(id, msg);
    return msg;
  }

  // --- REST -------------------------------------------------------------------------------------

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    const raw = await readBody(req);
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      this.requests.push({ method, path: url.pathname, status });
      if (body === undefined) {
        res.writeHead(status, headers).end();
        return;
      }
      res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
    };

    const cdn = /^\/attachments\/\d+\/(\d+)\/[^/]+$/.exec(url.pathname);
    if (cdn && method === "GET") {
      const f = this.files.get(cdn[1]!);
      if (!f) return send(404, { message: "404: Not Found", code: 0 });
      this.downloads++;
      this.requests.push({ method, path: url.pathname, status: 200 });
      res.writeHead(200, { "content-type": f.contentType, "content-length": String(f.bytes.length) }).end(f.bytes);
      return;
    }
    if (this.down) {
      this.requests.push({ method, path: url.pathname, status: 502 });
      res.writeHead(502, { "content-type": "text/html" }).end("<html><body><h1>502 Bad Gateway</h1></body></html>");
      return;
    }
    if (!url.pathname.startsWith("/api/v10/")) return send(404, { message: "404: Not Found", code: 0 });
    const route = url.pathname.slice("/api/v10".length);
    if (route === "/gateway" && method === "GET") return send(200, { url: this.gatewayUrl });
    if (req.headers.authorization !== `Bot ${this.validToken}`) return send(401, { message: "401: Unauthorized", code: 0 });

    if (route === "/gateway/bot" && method === "GET") {
      return send(200, {
        url: this.gatewayUrl,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 1000 - this.identifies, reset_after: 86_400_000, max_concurrency: 1 },
      });
    }
    if (route === "/users/@me" && method === "GET") return send(200, { ...this.bot, verified: true, flags: 0, mfa_enabled: false });
    if (route === "/users/@me/channels" && method === "POST") {
      const body = parseJson(raw);
      const rid = String(body?.recipient_id ?? "");
      if (!/^\d+$/.test(rid)) return send(400, invalidForm("recipient_id", "NUMBER_TYPE_COERCE", "Value is not snowflake."));
      return send(200, this.channelObject(this.dmChannel(this.user({ id: rid, username: `user${rid.slice(-4)}` }))));
    }
    const rm = /^\/channels\/(\d+)\/messages\/(\d+)\/reactions\/([^/]+)\/@me$/.exec(route);
    if (rm && (method === "PUT" || method === "DELETE")) {
      if (!this.channels.get(rm[1]!)) return send(404, { message: "Unknown Channel", code: 10003 });
      this.reactions.push({ channelId: rm[1]!, messageId: rm[2]!, emoji: decodeURIComponent(rm[3]!), removed: method === "DELETE" });
      return send(204);
    }
    const chm = /^\/channels\/(\d+)(\/messages|\/typing)?$/.exec(route);
    if (chm) {
      const ch = this.channels.get(chm[1]!);
      if (!ch) return send(404, { message: "Unknown Channel", code: 10003 });
      if (!chm[2] && method === "GET") return send(200, this.channelObject(ch));
      if (chm[2] === "/typing" && method === "POST") {
        this.typing.push(ch.id);
        return send(204);
      }
      if (chm[2] === "/messages" && method === "POST") return this.createMessage(ch, req, raw, send);
    }
    return send(404, { message: "404: Not Found", code: 0 });
  }

  private async createMessage(
    ch: Channel,
    req: http.IncomingMessage,
    raw: Buffer,
    send: (status: number, body?: unknown, headers?: Record<string, string>) => void,
  ): Promise<void> {
    const rl = this.pendingRateLimits.findIndex((r) => r.route === "createMessage");
    if (rl >= 0) {
      const { seconds } = this.pendingRateLimits.splice(rl, 1)[0]!;
      this.rateLimited++;
      return send(
        429,
        { message: "You are being rate limited.", retry_after: seconds, global: false },
        {
          "retry-after": String(seconds),
          "x-ratelimit-limit": "5",
          "x-ratelimit-remaining": "0",
          "x-ratelimit-reset": String(Date.now() / 1000 + seconds),
          "x-ratelimit-reset-after": String(seconds),
          "x-ratelimit-bucket": "fakecreatemessagebucket",
          "x-ratelimit-scope": "user",
        },
      );
    }
    let body: any;
    const files: Array<{ name: string; size: number }> = [];
    const type = String(req.headers["content-type"] ?? "");
    try {
      if (type.startsWith("multipart/form-data")) {
        const form = await new Response(new Uint8Array(raw), { headers: { "content-type": type } }).formData();
        body = JSON.parse(String(form.get("payload_json") ?? "{}"));
        for (const [key, value] of form) {
          if (key.startsWith("files[") && typeof value !== "string") files.push({ name: value.name, size: value.size });
        }
      } else {
        body = JSON.parse(raw.toString("utf8") || "{}");
      }
    } catch {
      return send(400, { message: "400: Bad Request", code: 0 });
    }
    const content = typeof body.content === "string" ? body.content : "";
    if (content.length > 2000) return send(400, invalidForm("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length."));
    if (!content && files.length === 0) return send(400, { message: "Cannot send an empty message", code: 50006 });
    const replyTo: string | undefined = body.message_reference?.message_id;
    if (replyTo && !this.messages.has(replyTo) && body.message_reference?.fail_if_not_exists !== false) {
      return send(400, invalidForm("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"));
    }
    const nonceKey = body.enforce_nonce && body.nonce !== undefined ? `${ch.id}:${body.nonce}` : undefined;
    const dup = nonceKey ? this.nonces.get(nonceKey) : undefined;
    if (dup) return send(200, stripExtras(this.messages.get(dup)!));

    const msg = this.makeMessage(ch, this.bot, content, {
      mentions: [],
      replyTo: replyTo && this.messages.has(replyTo) ? replyTo : undefined,
      nonce: body.nonce,
      attachments: files.map((f) => ({ bytes: Buffer.alloc(0), contentType: "application/octet-stream", filename: f.name })),
    });
    if (nonceKey) this.nonces.set(nonceKey, msg.id);
    const rec: SentMessage = { channelId: ch.id, content, messageId: msg.id, files: files.length, fileNames: files.map((f) => f.name) };
    if (replyTo) rec.replyTo = replyTo;
    if (body.allowed_mentions !== undefined) rec.allowedMentions = body.allowed_mentions;
    if (body.nonce !== undefined) rec.nonce = body.nonce;
    this.sent.push(rec);
    send(200, stripExtras(msg));
    this.dispatchMessage(msg);
    for (const w of [...this.sentWaiters]) {
      if (this.sent.length >= w.n) {
        this.sentWaiters.splice(this.sentWaiters.indexOf(w), 1);
        w.done();
      }
    }
  }
}

/** A REST message object: no gateway-only fields. */
function stripExtras(m: GuildMessage): APIMessage {
  const { member: _m, channel_type: _t, ...rest } = m;
  return rest;
}

function invalidForm(field: string, code: string, message: string) {
  return { message: "Invalid Form Body", code: 50035, errors: { [field]: { _errors: [{ code, message }] } } };
}

function parseJson(raw: Buffer): any {
  try {
    return JSON.parse(raw.toString("utf8") || "{}");
  } catch {
    return undefined;
  }
}
