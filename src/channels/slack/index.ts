/**
 * Slack adapter: one Slack app (bot token) through Bolt, in Socket Mode (a WebSocket the app opens:
 * no inbound port) or HTTP mode (Slack posts events to `webhookPath` on the gateway's own port, Bolt's
 * HTTPReceiver checks the signing secret).
 *
 * Lifecycle: `start()` loads Bolt (only when the account has its credentials), asks `auth.test` who the
 * bot is (a revoked or wrong token stops here for good, saying why), then connects. In Socket Mode the
 * reconnects are ours, not the library's: its own loop waits on timers that `stop()` cannot cancel, so
 * it is switched off and a lost socket (Slack drops them routinely to rotate servers) is reopened here,
 * at once the first time and with backoff after that.
 *
 * Replies go through an Outbox: held while disconnected, in order, retried on network errors and 5xx.
 */
import { withBodyLimit } from "../../gateway/http/body.js";
import type { App, HTTPReceiver, SocketModeReceiver, webApi } from "@slack/bolt";
import { chunkText } from "../chunking.js";
import { Outbox } from "../outbox.js";
import { statusWith } from "../status.js";
import type {
  AdapterFactory,
  ChatKind,
  ChannelAdapter,
  ChannelContext,
  ChannelStatus,
  OutboundContent,
  OutboundTarget,
  ProbeResult,
  SendResult,
} from "../types.js";
import type { ImageContent } from "../../providers/types.js";
import {
  DEFAULT_API_BASE_URL,
  DEFAULT_MEDIA_MAX_MB,
  DEFAULT_WEBHOOK_PATH,
  SLACK_TEXT_LIMIT,
  missingCredentials,
  modeOf,
  replyToModeFor,
  resolveTokens,
  type SlackConfig,
  type SlackTokens,
} from "./config.js";
import { markdownToMrkdwn } from "./format.js";
import { chatKind, isBotEvent, skipReason, toInbound, type SlackFile, type SlackMessageEvent } from "./inbound.js";
import { channelEntry } from "./rules.js";
import { parseSlackTarget } from "./targets.js";
import { loadBolt, type BoltLibs } from "./libs.js";

export type { SlackConfig } from "./config.js";

type WebClient = webApi.WebClient;
type Bolt = BoltLibs;

const START_WAIT_MS = 15_000;
const MAX_RECONNECT_DELAY_MS = 60_000;
const DOWNLOAD_TIMEOUT_MS = 30_000;
/** Slack's own hard limit on message text. */
const SLACK_MAX_TEXT = 40_000;
/** Largest Events API body read in HTTP mode; Slack's event payloads are a few kilobytes. */
export const MAX_EVENT_BODY_BYTES = 1024 * 1024;
/** Remembered message keys, so a mention that arrives as both `message` and `app_mention` is answered once. */
const SEEN_MAX = 500;
const LOOKUP_CACHE_MAX = 2000;

/** Platform errors after which retrying cannot help: the token is wrong, revoked, or of the wrong kind. */
const FATAL_AUTH_ERRORS = new Set([
  "invalid_auth",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "token_expired",
  "not_allowed_token_type",
  "no_permission",
  "missing_scope",
]);

const EMOJI_NAMES: Record<string, string> = {
  "👍": "thumbsup",
  "👎": "thumbsdown",
  "👀": "eyes",
  "✅": "white_check_mark",
  "❤️": "heart",
  "❤": "heart",
  "🎉": "tada",
  "😂": "joy",
  "🙏": "pray",
  "🔥": "fire",
  "🤔": "thinking_face",
  "⏳": "hourglass_flowing_sand",
  "❌": "x",
  "👋": "wave",
  "🚀": "rocket",
  "💯": "100",
};

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

/** The Slack error code of a Web API failure (`invalid_auth`, `channel_not_found`, …) if it has one. */
function slackError(err: unknown): string | undefined {
  const e = err as { data?: { error?: unknown } } | null;
  return typeof e?.data?.error === "string" ? e.data.error : undefined;
}

/** Worth trying again later: network failures and 5xx (rate limits the Web API client waits out itself). */
function isRetryable(err: unknown): boolean {
  const e = err as { code?: string; statusCode?: number } | null;
  if (e?.code === "slack_webapi_request_error") return true;
  if (e?.code === "slack_webapi_http_error") return (e.statusCode ?? 0) >= 500 || e.statusCode === 429;
  if (e?.code === "slack_webapi_rate_limited_error") return true;
  return false;
}

function retryAfterMs(err: unknown): number | undefined {
  const e = err as { code?: string; retryAfter?: number } | null;
  return e?.code === "slack_webapi_rate_limited_error" && typeof e.retryAfter === "number" ? e.retryAfter * 1000 : undefined;
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = slackError(err);
  if (code) return `${code}${(err as { data?: { needed?: string } }).data?.needed ? ` (needs ${(err as any).data.needed})` : ""}`;
  const cause = (err as { original?: { code?: string; message?: string } }).original;
  return cause?.code ? `${err.message} (${cause.code})` : err.message;
}

/** Bolt's and the Web API client's logger, routed to ours (their info/debug chatter is our trace). */
function boltLogger(log: ChannelContext["log"], LogLevel: Bolt["LogLevel"]) {
  let level = LogLevel.INFO;
  const text = (args: unknown[]) =>
    args.map((a) => (typeof a === "string" ? a : a instanceof Error ? a.message : JSON.stringify(a))).join(" ");
  return {
    debug: (...a: unknown[]) => log.trace(text(a)),
    info: (...a: unknown[]) => log.trace(text(a)),
    warn: (...a: unknown[]) => log.debug(text(a)),
    error: (...a: unknown[]) => log.debug(text(a)),
    setLevel: (l: typeof level) => void (level = l),
    getLevel: () => level,
    setName: () => undefined,
  };
}

/** A capped map that forgets its oldest entries. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(k: string): V | undefined {
    return this.map.get(k);
  }
  has(k: string): boolean {
    return this.map.has(k);
  }
  set(k: string, v: V): void {
    this.map.delete(k);
    if (this.map.size >= this.max) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
    this.map.set(k, v);
  }
  delete(k: string): void {
    this.map.delete(k);
  }
  clear(): void {
    this.map.clear();
  }
}

interface ChannelInfo {
  name?: string;
  isIm?: boolean;
  isMpim?: boolean;
}

class SlackAdapter implements ChannelAdapter {
  readonly channel = "slack";
  readonly accountId: string;

  private readonly cfg: SlackConfig;
  private readonly tokens: SlackTokens;
  private readonly mode: "socket" | "http";
  private readonly apiBaseUrl: string;
  private readonly webhookPath: string;
  private readonly outbox: Outbox;

  private app: App | null = null;
  private web: WebClient | null = null;
  private socket: SocketModeReceiver | null = null;
  private unmount: (() => void) | null = null;
  private run: AbortController | null = null;
  private settleStart: () => void = () => undefined;
  /** A connect loop is running (a disconnect seen meanwhile is its own doing, not a new outage). */
  private connecting = false;

  private readonly seen = new Lru<true>(SEEN_MAX);
  private readonly channelInfo = new Lru<Promise<ChannelInfo>>(LOOKUP_CACHE_MAX);
  private readonly userInfo = new Lru<Promise<{ name?: string; username?: string }>>(LOOKUP_CACHE_MAX);
  private readonly dmChannels = new Lru<Promise<string>>(LOOKUP_CACHE_MAX);
  /** What kind of chat each channel id we heard from is (for the per-kind replyToMode when replying). */
  private readonly kinds = new Lru<ChatKind>(LOOKUP_CACHE_MAX);

  private running = false;
  private connected = false;
  private reconnectAttempts = 0;
  private lastError: string | undefined;
  private lastConnectedAt: number | undefined;
  private lastStartAt: number | undefined;
  private lastStopAt: number | undefined;
  private lastInboundAt: number | undefined;
  private lastOutboundAt: number | undefined;
  private botUserId: string | undefined;
  private botId: string | undefined;
  private botName: string | undefined;
  private teamId: string | undefined;

  constructor(private readonly ctx: ChannelContext<SlackConfig>) {
    this.accountId = ctx.accountId;
    this.cfg = ctx.config ?? {};
    this.tokens = resolveTokens(this.cfg, ctx.accountId, ctx.env);
    this.mode = modeOf(this.cfg);
    const base = this.cfg.apiBaseUrl?.trim() || DEFAULT_API_BASE_URL;
    this.apiBaseUrl = base.endsWith("/") ? base : `${base}/`;
    this.webhookPath = this.cfg.webhookPath?.trim() || DEFAULT_WEBHOOK_PATH;
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
        configured: missingCredentials(this.cfg, this.accountId, this.ctx.env) === null,
        running: this.running,
        connected: this.connected,
        reconnectAttempts: this.reconnectAttempts,
        mode: this.mode,
        tokenSource: this.tokens.source,
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
        botId: this.botUserId,
        botName: this.botName,
      },
    );
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.lastStartAt = this.ctx.now();
    const missing = missingCredentials(this.cfg, this.accountId, this.ctx.env);
    if (missing) {
      this.lastError = missing;
      this.ctx.log.warn(`not starting: ${missing}`);
      return;
    }
    const run = new AbortController();
    this.run = run;
    this.running = true;
    this.lastError = undefined;

    let bolt: Bolt;
    try {
      bolt = loadBolt();
    } catch (err) {
      this.fail(`cannot load @slack/bolt: ${describeError(err)}`, run);
      return;
    }
    if (run.signal.aborted) return;
    const settled = new Promise<void>((resolve) => (this.settleStart = resolve));
    void this.boot(bolt, run);
    await Promise.race([settled, sleep(START_WAIT_MS, run.signal)]);
  }

  /** auth.test (retried while Slack is unreachable), then the receiver for this mode. */
  private async boot(bolt: Bolt, run: AbortController): Promise<void> {
    const logger = boltLogger(this.ctx.log, bolt.LogLevel);
    const web = new bolt.WebClient(this.tokens.botToken!, {
      slackApiUrl: this.apiBaseUrl,
      logger,
      retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 2000 },
    });
    this.web = web;
    let delay = 1000;
    for (;;) {
      try {
        const me = await web.auth.test();
        this.botUserId = me.user_id;
        this.botId = me.bot_id;
        this.botName = me.user;
        this.teamId = me.team_id;
        break;
      } catch (err) {
        if (run.signal.aborted) return;
        const code = slackError(err);
        if (code && FATAL_AUTH_ERRORS.has(code)) return this.fail(`Slack refused the bot token (auth.test: ${code})`, run);
        this.lastError = `auth.test failed: ${describeError(err)}`;
        this.reconnectAttempts++;
        this.ctx.log.warn(`cannot reach Slack: ${this.lastError}; retrying in ${Math.round(delay / 1000)} s`);
        this.settleStart();
        await sleep(delay, run.signal);
        if (run.signal.aborted) return;
        delay = Math.min(delay * 2, MAX_RECONNECT_DELAY_MS);
      }
    }
    if (run.signal.aborted) return;
    this.ctx.log.info(`logged in to slack as ${this.botName ?? this.botUserId} (${this.mode === "socket" ? "Socket Mode" : "HTTP mode"})`);

    const auth = { botToken: this.tokens.botToken!, botId: this.botId, botUserId: this.botUserId, teamId: this.teamId };
    const clientOptions = { slackApiUrl: this.apiBaseUrl, logger };
    let receiver: SocketModeReceiver | HTTPReceiver;
    try {
      if (this.mode === "socket") {
        receiver = new bolt.SocketModeReceiver({
          appToken: this.tokens.appToken!,
          logger,
          autoReconnectEnabled: false,
          installerOptions: { clientOptions: { ...clientOptions, retryConfig: { retries: 0 } } },
        });
      } else {
        receiver = new bolt.HTTPReceiver({
          signingSecret: this.tokens.signingSecret!,
          endpoints: this.webhookPath,
          logger,
          unhandledRequestTimeoutMillis: 10_000,
        });
      }
      const app = new bolt.App({ receiver, authorize: async () => auth, logger, clientOptions });
      app.event("message", async ({ event }) => this.onEvent(event as unknown as SlackMessageEvent, run));
      app.event("app_mention", async ({ event }) => this.onEvent(event as unknown as SlackMessageEvent, run));
      app.error(async (err) => this.ctx.log.warn(`event handling failed: ${describeError(err)}`));
      this.app = app;
    } catch (err) {
      return this.fail(`cannot set up Slack: ${describeError(err)}`, run);
    }

    if (receiver instanceof bolt.HTTPReceiver) {
      if (!this.ctx.http) return this.fail("HTTP mode needs the gateway's HTTP server, which is not available here", run);
      try {
        this.unmount = this.ctx.http.route(this.webhookPath, withBodyLimit(receiver.requestListener, MAX_EVENT_BODY_BYTES, "Slack events"));
      } catch (err) {
        return this.fail(describeError(err), run);
      }
      this.ctx.log.info(`receiving Slack events at ${this.webhookPath} on the gateway port`);
      this.setConnected(true);
      this.settleStart();
      return;
    }

    this.socket = receiver;
    const client = receiver.client;
    client.on("connected", () => {
      // A connect that was under way when stop() ran finishes afterwards: close it at once.
      if (run.signal.aborted) return void client.disconnect().catch(() => undefined);
      this.reconnectAttempts = 0;
      this.setConnected(true);
      this.settleStart();
    });
    client.on("disconnected", () => {
      if (run.signal.aborted) return;
      this.setConnected(false);
      if (!this.connecting) {
        this.ctx.log.info("Socket Mode connection closed; reconnecting");
        void this.connectLoop(receiver as SocketModeReceiver, run);
      }
    });
    await this.connectLoop(receiver, run);
  }

  /** Opens the Socket Mode connection; on failure retries with backoff, giving up on a bad app token. */
  private async connectLoop(receiver: SocketModeReceiver, run: AbortController): Promise<void> {
    if (this.connecting) return;
    this.connecting = true;
    let delay = 1000;
    try {
      while (!run.signal.aborted) {
        try {
          await receiver.start();
          return;
        } catch (err) {
          if (run.signal.aborted) return;
          const code = slackError(err);
          if (code && FATAL_AUTH_ERRORS.has(code))
            return this.fail(`Slack refused the app-level token (apps.connections.open: ${code}); it needs connections:write`, run);
          this.lastError = `cannot open the Socket Mode connection: ${describeError(err ?? "closed before hello")}`;
          this.reconnectAttempts++;
          this.ctx.log.warn(`${this.lastError}; retrying in ${Math.round(delay / 1000)} s`);
          this.settleStart();
          await sleep(delay, run.signal);
          delay = Math.min(delay * 2, MAX_RECONNECT_DELAY_MS);
        }
      }
    } finally {
      this.connecting = false;
    }
  }

  private fail(reason: string, run: AbortController): void {
    if (run.signal.aborted) return;
    this.lastError = reason;
    this.ctx.log.error(reason);
    this.settleStart();
    void this.stop().then(() => (this.lastError = reason));
  }

  private setConnected(up: boolean): void {
    if (up && !this.connected) this.lastConnectedAt = this.ctx.now();
    if (up) this.lastError = undefined;
    this.connected = up;
    this.outbox.setConnected(up);
  }

  async stop(): Promise<void> {
    const run = this.run;
    this.run = null;
    run?.abort();
    this.settleStart();
    if (this.running || run) this.lastStopAt = this.ctx.now();
    this.running = false;
    this.setConnected(false);
    this.outbox.clear(new Error("slack adapter stopped"));
    this.unmount?.();
    this.unmount = null;
    const { socket } = this;
    this.socket = null;
    this.app = null;
    this.web = null;
    this.seen.clear();
    this.channelInfo.clear();
    this.userInfo.clear();
    this.dmChannels.clear();
    this.kinds.clear();
    if (socket) {
      const client = socket.client;
      // A peer that never answers the close frame would keep the socket waiting for 30 s.
      await Promise.race([client.disconnect().catch(() => undefined), sleep(3000)]);
      (client as unknown as { websocket?: { terminate(): void } }).websocket?.terminate();
    }
  }

  parseTarget(raw: string): OutboundTarget {
    return parseSlackTarget(raw);
  }

  // --- inbound ----------------------------------------------------------------------------------

  private async onEvent(ev: SlackMessageEvent, run: AbortController): Promise<void> {
    if (run.signal.aborted || !this.botUserId) return;
    const entry = channelEntry(this.cfg.channels, ev.channel);
    const allowBots = this.cfg.allowBots === true || entry?.allowBots === true;
    const skip = skipReason(ev, { userId: this.botUserId, botId: this.botId }, allowBots);
    if (skip) {
      this.ctx.log.trace(`skipped event ${ev.type} ${ev.channel}/${ev.ts}: ${skip}`);
      return;
    }
    // A mention arrives twice (message + app_mention) when the app subscribes to both: answer once.
    const key = `${ev.channel}:${ev.ts}`;
    if (this.seen.has(key)) return;
    this.seen.set(key, true);
    this.lastInboundAt = this.ctx.now();

    const [info, user, media] = await Promise.all([
      this.lookupChannel(ev.channel),
      ev.user ? this.lookupUser(ev.user) : Promise.resolve(undefined),
      this.attachments(ev.files ?? []),
    ]);
    if (run.signal.aborted) return;
    const kind = chatKind(ev, info);
    this.kinds.set(ev.channel, kind);
    const msg = toInbound(
      ev,
      { accountId: this.accountId, botUserId: this.botUserId, now: this.ctx.now },
      {
        kind,
        channelName: info.name,
        senderName: user?.name,
        senderUsername: user?.username,
        replyToMode: replyToModeFor(this.cfg, kind),
      },
    );
    // A bot admitted by a channel's own allowBots passes the router's account-wide bot check too.
    if (msg.sender.isBot && allowBots && this.cfg.allowBots !== true && isBotEvent(ev)) delete msg.sender.isBot;
    if (media.notes.length) msg.text = [msg.text, ...media.notes].filter(Boolean).join("\n");
    if (media.images.length) msg.images = media.images;
    this.ctx.onInbound(msg);
  }

  private lookupChannel(id: string): Promise<ChannelInfo> {
    if (/^D/.test(id)) return Promise.resolve({ isIm: true });
    let hit = this.channelInfo.get(id);
    if (!hit) {
      const web = this.web;
      hit = web
        ? web.conversations.info({ channel: id }).then(
            (r) => {
              const c = (r.channel ?? {}) as { name?: string; is_im?: boolean; is_mpim?: boolean };
              return { ...(c.name ? { name: c.name } : {}), isIm: c.is_im === true, isMpim: c.is_mpim === true };
            },
            (err) => {
              this.ctx.log.debug(`conversations.info ${id} failed: ${describeError(err)}`);
              this.channelInfo.set(id, Promise.resolve({})); // keep the miss, do not ask on every message
              return {};
            },
          )
        : Promise.resolve({});
      this.channelInfo.set(id, hit);
    }
    return hit;
  }

  private lookupUser(id: string): Promise<{ name?: string; username?: string }> {
    let hit = this.userInfo.get(id);
    if (!hit) {
      const web = this.web;
      hit = web
        ? web.users.info({ user: id }).then(
            (r) => {
              const u = (r.user ?? {}) as { name?: string; real_name?: string; profile?: { display_name?: string; real_name?: string } };
              const name = u.profile?.display_name || u.profile?.real_name || u.real_name;
              return { ...(name ? { name } : {}), ...(u.name ? { username: u.name } : {}) };
            },
            (err) => {
              this.ctx.log.debug(`users.info ${id} failed: ${describeError(err)}`);
              return {};
            },
          )
        : Promise.resolve({});
      this.userInfo.set(id, hit);
    }
    return hit;
  }

  /** Images (within mediaMaxMb) fetched with the bot token; other files and skipped images as notes. */
  private async attachments(files: SlackFile[]): Promise<{ images: ImageContent[]; notes: string[] }> {
    const images: ImageContent[] = [];
    const notes: string[] = [];
    const maxMb = this.cfg.mediaMaxMb ?? DEFAULT_MEDIA_MAX_MB;
    const maxBytes = maxMb * 1024 * 1024;
    for (const f of files) {
      const name = f.name ?? f.title ?? f.id ?? "file";
      const type = (f.mimetype ?? "").split(";")[0]!.trim().toLowerCase();
      const url = f.url_private_download ?? f.url_private;
      if (!type.startsWith("image/") || type === "image/svg+xml" || !url) {
        notes.push(`[attachment: ${name}]`);
        continue;
      }
      if ((f.size ?? 0) > maxBytes) {
        notes.push(`[image not loaded: ${name} is larger than ${maxMb} MB]`);
        continue;
      }
      try {
        const data = await this.download(url, maxBytes);
        images.push({ type: "image", data: data.toString("base64"), mimeType: type });
      } catch (err) {
        this.ctx.log.warn(`could not download image ${name}: ${describeError(err)}`);
        notes.push(`[image not loaded: ${name}]`);
      }
    }
    return { images, notes };
  }

  /** GET with the bot token (Slack's file URLs are private); redirects are followed without it to other hosts. */
  private async download(url: string, maxBytes: number, redirects = 3): Promise<Buffer> {
    const { default: http } = await import("node:http");
    const { default: https } = await import("node:https");
    const u = new URL(url);
    const sameHost = /(^|\.)slack(-edge)?\.com$/.test(u.hostname) || u.origin === new URL(this.apiBaseUrl).origin;
    const headers: Record<string, string> = sameHost ? { authorization: `Bearer ${this.tokens.botToken}` } : {};
    return new Promise<Buffer>((resolve, reject) => {
      const req = (u.protocol === "https:" ? https : http).get(u, { headers, signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) }, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location && redirects > 0) {
          res.resume();
          this.download(new URL(res.headers.location, u).href, maxBytes, redirects - 1).then(resolve, reject);
          return;
        }
        if (status !== 200) {
          res.resume();
          reject(new Error(`HTTP ${status}`));
          return;
        }
        if (/text\/html/.test(String(res.headers["content-type"]))) {
          res.resume();
          reject(new Error("got a login page instead of the file (the bot token lacks files:read?)"));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) {
            res.destroy();
            reject(new Error(`larger than ${maxBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on("end", () => resolve(Buffer.concat(chunks)));
        res.on("error", reject);
      });
      req.on("error", reject);
    });
  }

  // --- outbound ---------------------------------------------------------------------------------

  async send(to: OutboundTarget, content: OutboundContent): Promise<SendResult> {
    if (!this.running || !this.web) throw new Error(this.lastError ?? "slack adapter is not running");
    const limit = Math.min(this.cfg.textChunkLimit ?? SLACK_TEXT_LIMIT, SLACK_MAX_TEXT);
    const chunks = content.text.trim() ? chunkText(content.text, { limit, mode: this.cfg.chunkMode }) : [];
    const ids: string[] = [];
    for (const chunk of chunks) ids.push(await this.outbox.push(() => this.postMessage(to, markdownToMrkdwn(chunk))));
    for (const img of content.images ?? []) ids.push(await this.outbox.push(() => this.upload(to, img)));
    this.lastOutboundAt = this.ctx.now();
    return { messageIds: ids, delivered: { channelId: await this.channelFor(to) } };
  }

  /** The channel to post in: `chatId` (C…/G…/D…), or for `user:<id>` the DM opened (once) with conversations.open. */
  private channelFor(to: OutboundTarget): Promise<string> {
    const target = to.chatId.trim();
    const user = /^user:([A-Z0-9]+)$/i.exec(target)?.[1];
    if (!user) return Promise.resolve(target.replace(/^(channel|slack):/i, ""));
    let dm = this.dmChannels.get(user);
    if (!dm) {
      const web = this.web;
      if (!web) return Promise.reject(new Error("slack adapter is not running"));
      dm = web.conversations.open({ users: user }).then((r) => {
        const id = (r.channel as { id?: string } | undefined)?.id;
        if (!id) throw new Error(`conversations.open gave no channel for ${user}`);
        return id;
      });
      this.dmChannels.set(user, dm);
      dm.catch(() => this.dmChannels.delete(user)); // a failed open is asked again next time
    }
    return dm;
  }

  /**
   * The thread a reply goes in: the message's thread when it was in one, else (replyToMode "first" or
   * "all" for this kind of chat) a new thread under the message it answers; else none.
   */
  private threadFor(to: OutboundTarget, channel: string): string | undefined {
    if (to.threadId) return to.threadId;
    if (!to.replyToMessageId) return undefined;
    const kind = this.kinds.get(channel) ?? (/^D/.test(channel) ? "dm" : "channel");
    return replyToModeFor(this.cfg, kind) === "off" ? undefined : to.replyToMessageId;
  }

  private async postMessage(to: OutboundTarget, text: string): Promise<string> {
    const web = this.web;
    if (!web) throw new Error(this.lastError ?? "slack adapter is not running");
    const channel = await this.channelFor(to);
    const threadTs = this.threadFor(to, channel);
    const r = await web.chat.postMessage({ channel, text, mrkdwn: true, ...(threadTs ? { thread_ts: threadTs } : {}) });
    this.lastOutboundAt = this.ctx.now();
    return r.ts ?? "";
  }

  private async upload(to: OutboundTarget, img: NonNullable<OutboundContent["images"]>[number]): Promise<string> {
    const web = this.web;
    if (!web) throw new Error(this.lastError ?? "slack adapter is not running");
    const channel = await this.channelFor(to);
    const ext = img.mimeType.split("/")[1]?.replace("jpeg", "jpg") || "png";
    const filename = img.fileName ?? `image.${ext}`;
    const threadTs = this.threadFor(to, channel);
    const r = (await web.files.uploadV2({
      channel_id: channel,
      file: img.data,
      filename,
      ...(threadTs ? { thread_ts: threadTs } : {}),
    } as Parameters<WebClient["files"]["uploadV2"]>[0])) as { files?: Array<{ files?: Array<{ id?: string }> }> };
    return r.files?.[0]?.files?.[0]?.id ?? "";
  }

  /** A Slack emoji name (`thumbsup`, `:eyes:`) or a common unicode emoji. */
  async react(to: OutboundTarget, messageId: string, emoji: string, remove: boolean): Promise<void> {
    const web = this.web;
    if (!web) throw new Error("slack is not connected");
    const trimmed = emoji.trim();
    const name = EMOJI_NAMES[trimmed] ?? trimmed.replace(/^:|:$/g, "");
    if (!/^[a-z0-9_+'-]+$/i.test(name)) throw new Error(`"${emoji}" is not a Slack emoji name (use a name such as thumbsup or :eyes:)`);
    const args = { channel: await this.channelFor(to), timestamp: messageId, name };
    await (remove ? web.reactions.remove(args) : web.reactions.add(args));
  }

  /** Slack shows no typing indicator for apps outside its assistant threads: nothing to do. */
  async typing(_to: OutboundTarget): Promise<void> {}

  async probe(): Promise<ProbeResult> {
    const missing = missingCredentials(this.cfg, this.accountId, this.ctx.env);
    if (missing) return { ok: false, detail: missing };
    const t0 = performance.now();
    try {
      const web =
        this.web ??
        new (loadBolt().WebClient)(this.tokens.botToken!, {
          slackApiUrl: this.apiBaseUrl,
          retryConfig: { retries: 0 },
        });
      const me = await web.auth.test();
      return { ok: true, latencyMs: Math.round(performance.now() - t0), bot: { id: me.user_id ?? "", name: me.user ?? "" } };
    } catch (err) {
      return { ok: false, detail: describeError(err), latencyMs: Math.round(performance.now() - t0) };
    }
  }
}

export const createSlackAdapter: AdapterFactory<SlackConfig> = (ctx) => new SlackAdapter(ctx);
