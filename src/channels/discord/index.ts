/**
 * Discord adapter: one bot account over the Discord gateway (`@discordjs/ws`, one in-process shard,
 * JSON, no compression) and REST API (`@discordjs/rest`). Not discord.js: we keep no cache of users,
 * members or messages, only guild and channel names (see cache.ts).
 *
 * Lifecycle: `start()` loads the libraries (only when a token exists), asks GET /gateway/bot for the
 * gateway URL, connects and resolves once READY arrives (or the first failure, or after a while; the
 * connection keeps trying in the background). Lost connections are resumed by the library; we only
 * stretch its retry delay when the gateway stays unreachable, and stop for good on close codes that
 * retrying cannot fix (4004 bad token, 4014 disallowed intents, ...), saying why in `lastError`.
 *
 * Replies go through an Outbox: held while the gateway is down, in order, retried on network errors,
 * 5xx and long 429s (short 429s the REST client waits out itself).
 */
import { randomBytes } from "node:crypto";
import type { REST } from "@discordjs/rest";
import type { SessionInfo, WebSocketManager } from "@discordjs/ws";
import type {
  AllowedMentionsTypes,
  APIChannel,
  APIMessage,
  APIUser,
  GatewayDispatchPayload,
  GatewayMessageCreateDispatchData,
  GatewayReadyDispatchData,
  RESTPostAPIChannelMessageJSONBody,
} from "discord-api-types/v10";
import { chunkText } from "../chunking.js";
import { Outbox } from "../outbox.js";
import { statusWith } from "../status.js";
import type {
  AdapterFactory,
  ChannelAdapter,
  ChannelContext,
  ChannelStatus,
  OutboundContent,
  OutboundTarget,
  ProbeResult,
  SendResult,
} from "../types.js";
import type { ImageContent } from "../../providers/types.js";
import { DiscordCache, THREAD_TYPES, type ChannelInfo, type RawChannel } from "./cache.js";
import {
  DEFAULT_API_BASE_URL,
  DEFAULT_MAX_LINES,
  DEFAULT_MEDIA_MAX_MB,
  DISCORD_MAX_CHARS,
  NO_TOKEN_ERROR,
  resolveToken,
  type DiscordConfig,
  type TokenSource,
} from "./config.js";
import { DM, shouldHandle, toInbound } from "./inbound.js";
import { HttpClient, multipart } from "./http.js";
import { parseDiscordTarget } from "./targets.js";
import { describeError, httpStatus, isRetryable, loadRest, loadWs, retryAfterMs } from "./libs.js";

export type { DiscordConfig } from "./config.js";

/** Guilds | GuildMessages | DirectMessages | MessageContent (privileged: enable it in the Developer Portal). */
export const DISCORD_INTENTS = 1 | (1 << 9) | (1 << 12) | (1 << 15);

/** Gateway close codes after which reconnecting cannot help; the library does not retry them either. */
const FATAL_CLOSE_CODES: Record<number, string> = {
  4004: "invalid bot token (gateway closed with 4004 Authentication failed)",
  4010: "invalid shard (gateway closed with 4010)",
  4011: "sharding required (gateway closed with 4011)",
  4012: "invalid gateway API version (gateway closed with 4012)",
  4013: "invalid intents (gateway closed with 4013)",
  4014: "disallowed intents (gateway closed with 4014): enable Message Content Intent for this bot in the Discord Developer Portal",
};

/** `start()` waits this long for READY before returning (the connection keeps trying afterwards). */
const START_WAIT_MS = 15_000;
/** 429s asking for a longer wait are handed to the Outbox instead of blocking inside the REST client. */
const MAX_INLINE_RATE_LIMIT_MS = 30_000;
/** Failed reconnects in a row (about half a minute) after which a kept session is given up. */
const MAX_RESUME_FAILURES = 8;
/** Longest extra pause between gateway reconnects while it stays unreachable. */
const MAX_RECONNECT_DELAY_MS = 30_000;
const DOWNLOAD_TIMEOUT_MS = 30_000;
const FILES_PER_MESSAGE = 10;

const never = <T>() => new Promise<T>(() => undefined);
/** Runs `fn`, ignoring what it throws or rejects with. */
const settle = async (fn: () => unknown): Promise<void> => {
  try {
    await fn();
  } catch {
    /* best effort */
  }
};
const nonce = () => randomBytes(8).toString("hex");

/** One outgoing Discord message: a text chunk and/or up to ten images. */
interface OutgoingPart {
  text?: string;
  images: NonNullable<OutboundContent["images"]>;
  nonce: string;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    t.unref?.();
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

class DiscordAdapter implements ChannelAdapter {
  readonly channel = "discord";
  readonly accountId: string;

  private readonly cfg: DiscordConfig;
  private readonly token: string | null;
  private readonly tokenSource: TokenSource;
  private readonly apiBaseUrl: string;
  private readonly cache = new DiscordCache();
  private readonly outbox: Outbox;

  private rest: REST | null = null;
  private ws: WebSocketManager | null = null;
  private http: HttpClient | null = null;
  /** Aborted by stop(): ends the connect loop, parks the library's reconnects, drops stale events. */
  private run: AbortController | null = null;
  private settleStart: () => void = () => undefined;
  private sessions = new Map<number, SessionInfo>();
  /** Connection attempts that failed in a row (reset by READY/RESUMED); stretches the reconnect delay. */
  private failures = 0;
  private reconnectPending = false;
  private networkErrorSinceHello = false;
  /** READY seen in this run (the first one logs "logged in to discord as …"). */
  private loggedIn = false;
  private readonly chains = new Map<string, Promise<void>>();
  private readonly channelLookups = new Map<string, Promise<ChannelInfo | undefined>>();
  private readonly dmChannels = new Map<string, Promise<string>>();

  private running = false;
  private connected = false;
  private reconnectAttempts = 0;
  private lastError: string | undefined;
  private lastConnectedAt: number | undefined;
  private lastStartAt: number | undefined;
  private lastStopAt: number | undefined;
  private lastInboundAt: number | undefined;
  private lastOutboundAt: number | undefined;
  private botId: string | undefined;
  private botName: string | undefined;

  constructor(private readonly ctx: ChannelContext<DiscordConfig>) {
    this.accountId = ctx.accountId;
    this.cfg = ctx.config ?? {};
    const { token, source } = resolveToken(this.cfg, ctx.accountId, ctx.env);
    this.token = token;
    this.tokenSource = source;
    this.apiBaseUrl = (this.cfg.apiBaseUrl?.trim() || DEFAULT_API_BASE_URL).replace(/\/+$/, "");
    this.outbox = new Outbox({
      retryable: isRetryable,
      retryAfterMs,
      now: ctx.now,
      onDrop: (err) => ctx.log.warn(`reply dropped: ${describeError(err)}`),
    });
  }

  status(): ChannelStatus {
    return statusWith(
      {
        accountId: this.accountId,
        enabled: this.cfg.enabled !== false,
        configured: this.token !== null,
        running: this.running,
        connected: this.connected,
        reconnectAttempts: this.reconnectAttempts,
        mode: "gateway",
        tokenSource: this.tokenSource,
        baseUrl: this.apiBaseUrl,
        queued: this.outbox.size,
      },
      {
        name: this.cfg.name,
        lastError: this.lastError,
        lastConnectedAt: this.lastConnectedAt,
        lastStartAt: this.lastStartAt,
        lastStopAt: this.lastStopAt,
        lastInboundAt: this.lastInboundAt,
        lastOutboundAt: this.lastOutboundAt,
        botId: this.botId,
        botName: this.botName,
      },
    );
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.lastStartAt = this.ctx.now();
    if (!this.token) {
      this.lastError = NO_TOKEN_ERROR;
      this.ctx.log.warn(NO_TOKEN_ERROR);
      return;
    }
    const run = new AbortController();
    this.run = run;
    this.running = true;
    this.lastError = undefined;
    this.failures = 0;
    this.reconnectPending = false;
    this.networkErrorSinceHello = false;
    this.loggedIn = false;
    this.sessions = new Map();

    let libs: [Awaited<ReturnType<typeof loadWs>>, Awaited<ReturnType<typeof loadRest>>];
    try {
      libs = await Promise.all([loadWs(), loadRest()]);
    } catch (err) {
      this.fail(`cannot load the Discord libraries: ${describeError(err)}`, run);
      return;
    }
    if (run.signal.aborted) return;
    const [{ WebSocketManager, SimpleShardingStrategy, WebSocketShardEvents: E, Encoding }, { REST }] = libs;

    const http = new HttpClient();
    const rest = this.makeRest(REST, http, { rejectOnRateLimit: (rl) => rl.retryAfter > MAX_INLINE_RATE_LIMIT_MS });
    rest.setToken(this.token);
    const ws = new WebSocketManager({
      token: this.token,
      intents: DISCORD_INTENTS,
      rest,
      shardCount: 1,
      buildStrategy: (manager) => new SimpleShardingStrategy(manager),
      encoding: Encoding.JSON,
      compression: null,
      useIdentifyCompression: false,
      identifyProperties: { browser: "openclaw", device: "openclaw", os: process.platform },
      // Our own session store: the library's default one is shared by every manager in the process.
      retrieveSessionInfo: (shardId) => this.sessionFor(shardId, run.signal),
      updateSessionInfo: (shardId, info) => {
        if (info) this.sessions.set(shardId, info);
        // After a network failure the library starts a new session, losing what was said meanwhile.
        // Keep the old one: Discord replays the missed events on RESUME, or answers op 9 (then we
        // IDENTIFY). Not forever, in case it is the resume URL itself that cannot be reached.
        else if (!this.networkErrorSinceHello || this.failures > MAX_RESUME_FAILURES) this.sessions.delete(shardId);
      },
    });
    this.rest = rest;
    this.ws = ws;
    this.http = http;

    const live = () => !run.signal.aborted;
    ws.on(E.Ready, (data) => live() && this.onReady(data));
    ws.on(E.Resumed, () => live() && this.onResumed());
    ws.on(E.Closed, (code) => live() && this.onClosed(code, run));
    ws.on(E.Dispatch, (payload) => live() && this.onDispatch(payload));
    ws.on(E.Error, (err) => live() && this.ctx.log.warn(`gateway error: ${err.message}`));
    ws.on(E.Hello, () => void (this.networkErrorSinceHello = false));
    ws.on(E.SocketError, (err) => {
      if (!live()) return;
      this.networkErrorSinceHello = true;
      this.ctx.log.debug(`gateway socket error: ${describeError(err)}`);
    });
    ws.on(E.Debug, (msg) => live() && this.ctx.log.trace(msg));

    const settled = new Promise<void>((resolve) => (this.settleStart = resolve));
    void this.connectLoop(ws, run);
    await Promise.race([settled, sleep(START_WAIT_MS, run.signal)]);
  }

  async stop(): Promise<void> {
    const run = this.run;
    this.run = null;
    run?.abort();
    this.settleStart();
    if (this.running || run) this.lastStopAt = this.ctx.now();
    this.running = false;
    this.setConnected(false);
    this.outbox.clear(new Error("discord adapter stopped"));
    this.chains.clear();
    this.channelLookups.clear();
    const { ws, rest, http } = this;
    this.ws = null;
    this.rest = null;
    this.http = null;
    if (ws) {
      // A peer that never answers the close frame would keep `ws` waiting for 30 s.
      await Promise.race([settle(() => ws.destroy({ code: 1000, reason: "gateway stopping" })), sleep(3000)]);
      ws.removeAllListeners();
    }
    rest?.clearHashSweeper();
    rest?.clearHandlerSweeper();
    http?.destroy();
  }

  parseTarget(raw: string): OutboundTarget {
    return parseDiscordTarget(raw);
  }

  async send(to: OutboundTarget, content: OutboundContent): Promise<SendResult> {
    if (!this.running || !this.rest) throw new Error(this.lastError ?? "discord adapter is not running");
    const limit = Math.min(this.cfg.textChunkLimit ?? DISCORD_MAX_CHARS, DISCORD_MAX_CHARS);
    const chunks = content.text.trim()
      ? chunkText(content.text, { limit, mode: this.cfg.chunkMode, maxLines: this.cfg.maxLinesPerMessage ?? DEFAULT_MAX_LINES })
      : [];
    const parts: OutgoingPart[] = chunks.map((text) => ({ text, images: [], nonce: nonce() }));
    // Images ride on the last text message, ten per message (Discord's cap); more follow on their own.
    const images = content.images ?? [];
    for (let i = 0; i < images.length; i += FILES_PER_MESSAGE) {
      const group = images.slice(i, i + FILES_PER_MESSAGE);
      const last = parts[parts.length - 1];
      if (i === 0 && last) last.images = group;
      else parts.push({ images: group, nonce: nonce() });
    }
    if (parts.length === 0) return { messageIds: [] };
    const ids = await Promise.all(
      parts.map((part, i) => this.outbox.push(() => this.postMessage(to, part, i === 0 ? to.replyToMessageId : undefined))),
    );
    this.lastOutboundAt = this.ctx.now();
    return { messageIds: ids, delivered: { channelId: await this.channelFor(to) } };
  }

  /** A unicode emoji, or a custom one as `name:id`. */
  async react(to: OutboundTarget, messageId: string, emoji: string, remove: boolean): Promise<void> {
    const rest = this.rest;
    if (!rest) throw new Error("discord is not connected");
    const route =
      `/channels/${await this.channelFor(to)}/messages/${messageId}/reactions/${encodeURIComponent(emoji.replace(/^<a?:|>$/g, ""))}/@me` as const;
    await (remove ? rest.delete(route) : rest.put(route));
  }

  async typing(to: OutboundTarget): Promise<void> {
    const rest = this.rest;
    if (!rest || !this.connected) return;
    try {
      await rest.post(`/channels/${await this.channelFor(to)}/typing`);
    } catch (err) {
      this.ctx.log.debug(`typing indicator failed: ${describeError(err)}`);
    }
  }

  async probe(): Promise<ProbeResult> {
    if (!this.token) return { ok: false, detail: NO_TOKEN_ERROR };
    let rest = this.rest;
    const temporary = rest ? null : new HttpClient();
    const t0 = performance.now();
    try {
      if (!rest) rest = this.makeRest((await loadRest()).REST, temporary!, { retries: 1 });
      rest.setToken(this.token); // the REST client forgets the token after a 401
      const me = (await rest.get("/users/@me")) as APIUser;
      return { ok: true, latencyMs: Math.round(performance.now() - t0), bot: { id: me.id, name: me.username } };
    } catch (err) {
      const detail = httpStatus(err) === 401 ? `invalid bot token (${describeError(err)})` : describeError(err);
      return { ok: false, detail, latencyMs: Math.round(performance.now() - t0) };
    } finally {
      if (temporary) {
        rest?.clearHashSweeper();
        rest?.clearHandlerSweeper();
        temporary.destroy();
      }
    }
  }

  private makeRest(Rest: typeof REST, http: HttpClient, extra: Partial<ConstructorParameters<typeof REST>[0]>): REST {
    return new Rest({ api: this.apiBaseUrl, version: "10", makeRequest: http.makeRequest as never, ...extra });
  }

  // --- connection -----------------------------------------------------------------------------

  /** Connects; retries with backoff when the REST side (GET /gateway/bot) fails, gives up on a bad token. */
  private async connectLoop(ws: WebSocketManager, run: AbortController): Promise<void> {
    let delay = 1000;
    while (!run.signal.aborted) {
      try {
        await ws.connect();
        return;
      } catch (err) {
        if (run.signal.aborted || !this.running) return;
        if (httpStatus(err) === 401) return this.fail(`invalid bot token (${describeError(err)})`, run);
        this.lastError = describeError(err);
        this.reconnectAttempts++;
        this.ctx.log.warn(`cannot connect to Discord: ${this.lastError}; retrying in ${Math.round(delay / 1000)} s`);
        this.settleStart();
        await sleep(delay, run.signal);
        delay = Math.min(delay * 2, 60_000);
      }
    }
  }

  /**
   * The library asks for the stored session right before every (re)connect: the place to pause
   * while the gateway keeps failing (it alone would retry every 500 ms), and to stop it for good
   * once we are stopped.
   */
  private sessionFor(shardId: number, signal: AbortSignal): SessionInfo | null | Promise<SessionInfo | null> {
    if (signal.aborted) return never();
    if (!this.reconnectPending) return this.sessions.get(shardId) ?? null;
    this.reconnectPending = false;
    const wait = this.failures < 2 ? 0 : Math.min(500 * 2 ** (this.failures - 2), MAX_RECONNECT_DELAY_MS);
    if (!wait) return this.sessions.get(shardId) ?? null;
    return sleep(wait, signal).then(() => (signal.aborted ? never() : (this.sessions.get(shardId) ?? null)));
  }

  private onReady(data: GatewayReadyDispatchData): void {
    const first = !this.loggedIn;
    this.loggedIn = true;
    this.botId = data.user.id;
    this.botName = data.user.username;
    this.failures = 0;
    this.lastError = undefined;
    this.lastConnectedAt = this.ctx.now();
    this.setConnected(true);
    if (first) this.ctx.log.info(`logged in to discord as ${data.user.username}`);
    else this.ctx.log.info(`reconnected to discord as ${data.user.username} (new session)`);
    this.settleStart();
  }

  private onResumed(): void {
    this.failures = 0;
    this.lastError = undefined;
    this.lastConnectedAt = this.ctx.now();
    this.setConnected(true);
    this.ctx.log.info("gateway session resumed");
    this.settleStart();
  }

  private onClosed(code: number, run: AbortController): void {
    const fatal = FATAL_CLOSE_CODES[code];
    if (fatal) return this.fail(fatal, run);
    if (this.connected) this.ctx.log.warn(`gateway connection closed (code ${code}); reconnecting`);
    this.setConnected(false);
    this.reconnectAttempts++;
    this.failures++;
    this.reconnectPending = true;
    this.lastError = `gateway connection closed (code ${code})`;
  }

  /** Stops for good (bad token, disallowed intents): no retries, the reason in `lastError`. */
  private fail(reason: string, run: AbortController): void {
    if (run.signal.aborted) return;
    this.lastError = reason;
    this.ctx.log.error(reason);
    this.running = false;
    this.setConnected(false);
    this.outbox.clear(new Error(reason));
    run.abort();
    if (this.run === run) this.run = null;
    const { ws, rest, http } = this;
    this.ws = null;
    this.rest = null;
    this.http = null;
    rest?.clearHashSweeper();
    rest?.clearHandlerSweeper();
    void settle(() => ws?.destroy()).then(() => http?.destroy());
    this.settleStart();
  }

  private setConnected(up: boolean): void {
    this.connected = up;
    this.outbox.setConnected(up);
  }

  // --- events -----------------------------------------------------------------------------------

  private onDispatch(p: GatewayDispatchPayload): void {
    switch (p.t) {
      case "GUILD_CREATE":
      case "GUILD_UPDATE":
        if (!("unavailable" in p.d && p.d.unavailable))
          this.cache.setGuild(p.d as { id: string; name: string; channels?: RawChannel[]; threads?: RawChannel[] });
        break;
      case "GUILD_DELETE":
        if (!p.d.unavailable) this.cache.deleteGuild(p.d.id);
        break;
      case "CHANNEL_CREATE":
      case "CHANNEL_UPDATE":
      case "THREAD_CREATE":
      case "THREAD_UPDATE":
        this.cache.setChannel(p.d as APIChannel);
        break;
      case "CHANNEL_DELETE":
      case "THREAD_DELETE":
        this.cache.deleteChannel(p.d.id);
        break;
      case "THREAD_LIST_SYNC":
        for (const t of p.d.threads) this.cache.setChannel(t as APIChannel, p.d.guild_id);
        break;
      case "MESSAGE_CREATE":
        this.onMessage(p.d);
        break;
      default:
        break;
    }
  }

  private onMessage(m: GatewayMessageCreateDispatchData): void {
    const botId = this.botId;
    if (!botId || !shouldHandle(m, botId, this.cfg.allowBots === true)) return;
    // One channel's messages are handled in order even when a lookup or a download is slow.
    const key = m.channel_id;
    const next: Promise<void> = (this.chains.get(key) ?? Promise.resolve())
      .then(() => this.handleMessage(m, botId))
      .catch((err) => this.ctx.log.warn(`inbound message ${m.id} failed: ${describeError(err)}`))
      .finally(() => {
        if (this.chains.get(key) === next) this.chains.delete(key);
      });
    this.chains.set(key, next);
  }

  private async handleMessage(m: GatewayMessageCreateDispatchData, botId: string): Promise<void> {
    const channel = await this.channelInfo(m.channel_id, m.guild_id, m.channel_type);
    const isThread = channel ? THREAD_TYPES.has(channel.type) : m.channel_type !== undefined && THREAD_TYPES.has(m.channel_type);
    const parent = isThread && channel?.parentId ? await this.channelInfo(channel.parentId, m.guild_id) : undefined;
    const msg = toInbound(
      m,
      { accountId: this.accountId, botId, now: this.ctx.now },
      { channel, parent, guildName: this.cache.guildName(m.guild_id) },
    );
    const { images, notes } = await this.attachments(m);
    if (notes.length) msg.text = [msg.text, ...notes].filter(Boolean).join("\n");
    if (images.length) msg.images = images;
    if (!msg.text && !images.length) return;
    if (!this.running) return;
    this.lastInboundAt = this.ctx.now();
    this.ctx.onInbound(msg);
  }

  /** Channel name/type/parent: cache, else one GET /channels/{id} (shared by concurrent misses). */
  private channelInfo(id: string, guildId?: string, typeHint?: number): Promise<ChannelInfo | undefined> | ChannelInfo | undefined {
    const hit = this.cache.channel(id);
    if (hit) return hit;
    if (!guildId && typeHint === DM) return { id, type: DM };
    const pending = this.channelLookups.get(id);
    if (pending) return pending;
    const rest = this.rest;
    if (!rest) return undefined;
    const lookup = (async () => {
      try {
        const ch = (await rest.get(`/channels/${id}`)) as APIChannel;
        return this.cache.setChannel(ch, guildId) ?? { id, type: ch.type };
      } catch (err) {
        this.ctx.log.debug(`channel ${id} lookup failed: ${describeError(err)}`);
        const status = httpStatus(err);
        // No access or gone: remember that, so every message does not ask again.
        if (status === 403 || status === 404) {
          const stub: ChannelInfo = { id, type: typeHint ?? (guildId ? 0 : DM), ...(guildId ? { guildId } : {}) };
          this.cache.remember(stub);
          return stub;
        }
        return undefined;
      } finally {
        this.channelLookups.delete(id);
      }
    })();
    this.channelLookups.set(id, lookup);
    return lookup;
  }

  /** Image attachments (within mediaMaxMb) as base64; other files and skipped images as text notes. */
  private async attachments(m: GatewayMessageCreateDispatchData): Promise<{ images: ImageContent[]; notes: string[] }> {
    const images: ImageContent[] = [];
    const notes: string[] = [];
    const maxMb = this.cfg.mediaMaxMb ?? DEFAULT_MEDIA_MAX_MB;
    const maxBytes = maxMb * 1024 * 1024;
    for (const a of m.attachments ?? []) {
      const type = (a.content_type ?? "").split(";")[0]!.trim().toLowerCase();
      if (!type.startsWith("image/") || type === "image/svg+xml") {
        notes.push(`[attachment: ${a.filename}]`);
        continue;
      }
      if (a.size > maxBytes) {
        notes.push(`[image not loaded: ${a.filename} is larger than ${maxMb} MB]`);
        continue;
      }
      try {
        const http = this.http;
        if (!http) return { images, notes };
        const res = await http.request(a.url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS), maxBytes });
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
        images.push({ type: "image", data: res.body.toString("base64"), mimeType: type });
      } catch (err) {
        this.ctx.log.warn(`could not download image ${a.filename}: ${describeError(err)}`);
        notes.push(`[image not loaded: ${a.filename}]`);
      }
    }
    return { images, notes };
  }

  // --- sending ----------------------------------------------------------------------------------

  /**
   * The channel to post in: the thread when given, else `chatId` (a channel or DM channel id).
   * `user:<id>` opens (once) the DM channel with that user; `channel:<id>` / `discord:<id>` are accepted.
   */
  private async channelFor(to: OutboundTarget): Promise<string> {
    const target = (to.threadId || to.chatId).trim();
    const user = /^user:(\d+)$/.exec(target)?.[1];
    if (!user) return target.replace(/^(channel|discord):/, "");
    let dm = this.dmChannels.get(user);
    if (!dm) {
      const rest = this.rest;
      if (!rest) throw new Error("discord adapter is not running");
      dm = (rest.post("/users/@me/channels", { body: { recipient_id: user } }) as Promise<APIChannel>).then((ch) => ch.id);
      this.dmChannels.set(user, dm);
      dm.catch(() => this.dmChannels.delete(user));
    }
    return dm;
  }

  private async postMessage(to: OutboundTarget, part: OutgoingPart, replyTo: string | undefined): Promise<string> {
    const rest = this.rest;
    if (!rest) throw new Error(this.lastError ?? "discord adapter is not running");
    const channelId = await this.channelFor(to);
    const body: RESTPostAPIChannelMessageJSONBody = {
      // Users may be pinged; @everyone, @here and roles never (an agent quoting them must not page a server).
      allowed_mentions: { parse: ["users" as AllowedMentionsTypes.User], replied_user: true },
      // Same nonce on every retry of this part: Discord keeps one message if an earlier attempt got through.
      nonce: part.nonce,
      enforce_nonce: true,
    };
    if (part.text) body.content = part.text;
    if (replyTo) body.message_reference = { message_id: replyTo, fail_if_not_exists: false };
    const route = `/channels/${channelId}/messages` as const;
    let msg: APIMessage;
    if (part.images.length === 0) {
      msg = (await rest.post(route, { body })) as APIMessage;
    } else {
      const files = part.images.map((img, i) => ({
        field: `files[${i}]`,
        name: img.fileName ?? `image-${i + 1}.${img.mimeType.split("/")[1]?.replace("jpeg", "jpg") || "png"}`,
        contentType: img.mimeType,
        data: img.data,
      }));
      body.attachments = files.map((f, i) => ({ id: i, filename: f.name }));
      const form = multipart({ payload_json: JSON.stringify(body) }, files);
      msg = (await rest.post(route, {
        body: form.body,
        passThroughBody: true,
        headers: { "Content-Type": form.contentType },
      })) as APIMessage;
    }
    this.lastOutboundAt = this.ctx.now();
    return msg.id;
  }
}

export const createDiscordAdapter: AdapterFactory<DiscordConfig> = (ctx) => new DiscordAdapter(ctx);
