/**
 * Telegram channel adapter (Bot API through grammY).
 *
 * Life cycle: `start()` resolves the token, calls `getMe` once (so the status it leaves behind says
 * whether the bot is reachable), registers the bot menu commands, then either long-polls `getUpdates`
 * (default; the webhook is deleted first) or listens for webhook calls (`webhookUrl` set). A background
 * loop keeps it alive: network errors retry with backoff (1 s doubling to 30 s) and leave `connected`
 * false meanwhile; a rejected token (401/404) stops everything with a clear `lastError` instead of
 * retrying. Replies go through an `Outbox`, so sends made while disconnected (or rate limited) are
 * delivered in order once Telegram answers again. A 429 "retry after N" holds every send of the account,
 * typing indicators included, for those N seconds: polls returning, reconnects or new replies do not
 * end it early.
 *
 * Ids the router sees: chat ids, sender ids and message ids are Telegram's numbers as decimal strings
 * (groups are negative, e.g. "-1001234567890"); `threadId` is the forum topic id ("1" = General).
 */
import { randomBytes } from "node:crypto";
import { Api, Bot, GrammyError, HttpError, InputFile } from "grammy";
import type { Message, UserFromGetMe } from "grammy/types";
import { chunkText } from "../chunking.js";
import { Outbox } from "../outbox.js";
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
import { menuCommands, resolveSettings, resolveToken, type ResolvedToken, type TelegramConfig, type TelegramSettings } from "./config.js";
import { markdownToTelegramHtml } from "./format.js";
import { downloadImages, hasContent, toInbound } from "./inbound.js";
import { apiSignal, isBadToken, isChatNotFound, isParseError, retryable, retryAfterMs } from "./errors.js";
import { parseTelegramTarget } from "./targets.js";
import { listenWebhook, type WebhookListener } from "./webhook.js";
import { stageClock, stageSince } from "../../infra/stages.js";

export type { TelegramConfig } from "./config.js";
export { markdownToTelegramHtml } from "./format.js";

const MIN_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;
const ALLOWED_UPDATES = ["message"] as const;

export const createTelegramAdapter: AdapterFactory<TelegramConfig> = (ctx) => new TelegramAdapter(ctx);

/** Sleeps, waking early (resolving) when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

export class TelegramAdapter implements ChannelAdapter {
  readonly channel = "telegram";
  readonly accountId: string;

  private readonly config: TelegramConfig;
  private readonly settings: TelegramSettings;
  private readonly token: ResolvedToken;
  private readonly outbox: Outbox;
  private readonly st: ChannelStatus;

  private bot: Bot | null = null;
  private me: UserFromGetMe | null = null;
  private abort: AbortController | null = null;
  private loop: Promise<void> | null = null;
  /** getMe + webhook set-up done; after this the loop only polls (or watches). */
  private ready = false;
  /** A rejected token: nothing is retried until the next start(). */
  private fatal: string | null = null;
  private backoffMs = MIN_BACKOFF_MS;
  private offset = 0;
  private webhook: WebhookListener | null = null;
  /** Webhook mode: wakes the loop to check the connection after a send hit a network error. */
  private wake: (() => void) | null = null;
  /** Webhook secret used when `webhookSecret` is not configured. */
  private generatedSecret: string | undefined;

  constructor(private readonly ctx: ChannelContext<TelegramConfig>) {
    this.accountId = ctx.accountId;
    this.config = ctx.config ?? {};
    this.settings = resolveSettings(this.config, ctx.env);
    this.token = resolveToken(this.config, ctx.accountId, ctx.env);
    this.outbox = new Outbox({
      retryable,
      retryAfterMs,
      now: ctx.now,
      onDrop: (err) => this.ctx.log.warn(`telegram send dropped: ${this.describe(err)}`),
    });
    this.st = {
      accountId: ctx.accountId,
      enabled: this.config.enabled !== false,
      configured: this.token.token !== null,
      running: false,
      connected: false,
      reconnectAttempts: 0,
      mode: this.settings.mode,
      tokenSource: this.token.source,
      baseUrl: this.settings.apiRoot,
    };
    if (this.config.name) this.st.name = this.config.name;
    if (!this.token.token) this.st.lastError = this.token.error;
  }

  status(): ChannelStatus {
    return { ...this.st, queued: this.outbox.size };
  }

  async start(): Promise<void> {
    if (this.st.running) return;
    if (!this.st.enabled) return;
    const token = this.token.token;
    if (!token) {
      this.st.lastError = this.token.error;
      return;
    }

    this.fatal = null;
    this.ready = false;
    this.me = null;
    this.backoffMs = MIN_BACKOFF_MS;
    this.st.running = true;
    this.st.connected = false;
    this.st.reconnectAttempts = 0;
    this.st.lastStartAt = this.ctx.now();
    delete this.st.lastError;

    const abort = new AbortController();
    this.abort = abort;
    const bot = new Bot(token, { client: this.clientOptions() });
    bot.on("message", async (c) => {
      try {
        await this.handleMessage(c.message, bot.api, abort.signal);
      } catch (err) {
        this.ctx.log.error(`telegram inbound message failed: ${this.describe(err)}`);
      }
    });
    this.bot = bot;

    // The first attempt runs inline so the status start() leaves behind is meaningful.
    let first = true;
    try {
      await this.setup(bot, abort.signal);
    } catch (err) {
      first = false;
      if (!abort.signal.aborted) this.onFailure(err);
    }
    if (this.fatal || abort.signal.aborted) return;
    this.loop = this.run(bot, abort.signal, !first);
  }

  async stop(): Promise<void> {
    const abort = this.abort;
    const bot = this.bot;
    this.abort = null;
    this.wake?.();
    abort?.abort();
    await this.loop?.catch(() => {});
    this.loop = null;
    // Confirm the updates already handled so a restart does not see them again.
    if (bot && this.settings.mode === "polling" && this.offset > 0 && this.st.connected) {
      await bot.api.getUpdates({ offset: this.offset, limit: 1, timeout: 0 }, apiSignal(AbortSignal.timeout(3_000))).catch(() => {});
    }
    await this.webhook?.close();
    this.webhook = null;
    this.outbox.setConnected(false);
    this.outbox.clear(new Error("telegram adapter stopped"));
    this.bot = null;
    this.ready = false;
    const wasRunning = this.st.running;
    this.st.running = false;
    this.st.connected = false;
    if (wasRunning || abort) this.st.lastStopAt = this.ctx.now();
  }

  parseTarget(raw: string): OutboundTarget {
    return parseTelegramTarget(raw);
  }

  async send(to: OutboundTarget, content: OutboundContent): Promise<SendResult> {
    const bot = this.bot;
    if (!bot || !this.st.running) {
      throw new Error(this.fatal ?? this.st.lastError ?? `telegram account ${this.accountId} is not running`);
    }
    const chunks = chunkText(content.text ?? "", { limit: this.settings.textChunkLimit, mode: this.settings.chunkMode });
    // Telegram refuses message_thread_id for the General topic ("1").
    const thread = to.threadId && to.threadId !== "1" ? Number(to.threadId) : undefined;
    let replyTo = to.replyToMessageId ? Number(to.replyToMessageId) : undefined;
    const common = () => {
      const opts: { message_thread_id?: number; reply_parameters?: { message_id: number; allow_sending_without_reply: boolean } } = {};
      if (thread !== undefined && Number.isFinite(thread)) opts.message_thread_id = thread;
      if (replyTo !== undefined && Number.isFinite(replyTo))
        opts.reply_parameters = { message_id: replyTo, allow_sending_without_reply: true };
      replyTo = undefined; // only the first message replies
      return opts;
    };

    const jobs: Array<Promise<Message>> = [];
    for (const chunk of chunks) {
      const opts = common();
      jobs.push(this.queue(() => this.sendChunk(bot, to.chatId, chunk, opts)));
    }
    for (const img of content.images ?? []) {
      const opts = common();
      jobs.push(
        this.queue(async () => {
          const msg = await bot.api.sendPhoto(to.chatId, new InputFile(img.data, img.fileName), opts);
          this.st.lastOutboundAt = this.ctx.now();
          return msg;
        }),
      );
    }
    const results = await Promise.allSettled(jobs);
    const ids: string[] = [];
    let chat: string | undefined;
    for (const r of results) {
      if (r.status === "rejected") {
        if (!isChatNotFound(r.reason)) throw r.reason;
        throw new Error(
          `telegram: chat not found (chat_id=${to.chatId}): the bot was never started in that DM, was removed from the group or channel, or the group moved to a new -100… id`,
        );
      }
      ids.push(String(r.value.message_id));
      chat = String(r.value.chat.id);
    }
    return { messageIds: ids, ...(chat ? { delivered: { chatId: chat } } : {}) };
  }

  /** A reaction from Telegram's emoji set (Telegram refuses others with a 400 that names it). */
  async react(to: OutboundTarget, messageId: string, emoji: string, remove: boolean): Promise<void> {
    const bot = this.bot;
    if (!bot) throw new Error("telegram is not connected");
    const id = Number(messageId);
    if (!Number.isInteger(id)) throw new Error(`telegram message ids are numbers (got "${messageId}")`);
    await bot.api.setMessageReaction(to.chatId, id, remove ? [] : [{ type: "emoji", emoji: emoji as never }]);
  }

  async typing(to: OutboundTarget): Promise<void> {
    const bot = this.bot;
    // During a rate limit an indicator would only be refused (or lengthen the wait); the reply matters more.
    if (!bot || !this.st.connected || this.outbox.heldMs > 0) return;
    // Unlike sends, chat actions accept the General topic id.
    const thread = to.threadId ? Number(to.threadId) : undefined;
    try {
      await bot.api.sendChatAction(
        to.chatId,
        "typing",
        thread !== undefined && Number.isFinite(thread) ? { message_thread_id: thread } : {},
      );
    } catch (err) {
      const wait = retryAfterMs(err);
      if (wait !== undefined) {
        this.outbox.hold(wait);
        this.logRateLimit(wait);
      } else this.ctx.log.debug(`telegram typing failed: ${this.describe(err)}`);
    }
  }

  async probe(): Promise<ProbeResult> {
    const token = this.token.token;
    if (!token) return { ok: false, detail: this.token.error };
    const api = this.bot?.api ?? new Api(token, this.clientOptions());
    const t0 = performance.now();
    try {
      const me = await api.getMe(apiSignal(AbortSignal.timeout(10_000)));
      return { ok: true, latencyMs: Math.round(performance.now() - t0), bot: { id: String(me.id), name: me.username } };
    } catch (err) {
      return { ok: false, latencyMs: Math.round(performance.now() - t0), detail: this.describeFailure(err) };
    }
  }

  // --- internals -------------------------------------------------------------------------------

  private clientOptions() {
    const min = this.settings.pollTimeoutSeconds + 10;
    const timeoutSeconds = this.settings.timeoutSeconds !== undefined ? Math.max(this.settings.timeoutSeconds, min) : undefined;
    return { apiRoot: this.settings.apiRoot, ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}) };
  }

  /** Keeps the connection alive until stop() or a rejected token. */
  private async run(bot: Bot, signal: AbortSignal, failedFirst: boolean): Promise<void> {
    if (failedFirst) await this.backoff(signal);
    while (!signal.aborted && !this.fatal) {
      try {
        if (!this.ready) await this.setup(bot, signal);
        else if (this.settings.mode === "polling") await this.pollOnce(bot, signal);
        else await this.watchWebhook(bot, signal);
      } catch (err) {
        if (signal.aborted) break;
        this.onFailure(err);
        if (this.fatal) break;
        await this.backoff(signal);
      }
    }
  }

  private async backoff(signal: AbortSignal): Promise<void> {
    await sleep(this.backoffMs, signal);
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }

  /** getMe, menu commands, then webhook registration (or removal, for polling). */
  private async setup(bot: Bot, signal: AbortSignal): Promise<void> {
    const me = await bot.api.getMe(apiSignal(signal));
    if (!this.me || this.me.id !== me.id) this.ctx.log.info(`logged in to telegram as @${me.username}`);
    this.me = me;
    bot.botInfo = me;
    this.st.botId = String(me.id);
    this.st.botName = me.username;

    await this.registerCommands(bot, signal);

    const hook = this.settings.webhook;
    if (hook) {
      // Without a configured secret, a random one still keeps strangers from posting fake updates.
      const secret = hook.secret ?? (this.generatedSecret ??= randomSecret());
      if (!this.webhook) {
        this.webhook = await listenWebhook(bot, {
          host: hook.host,
          port: hook.port,
          path: hook.path,
          secret,
          onError: (err) => this.ctx.log.error(`telegram webhook update failed: ${this.describe(err)}`),
        });
        this.ctx.log.info(`telegram webhook listening on ${hook.host}:${this.webhook.port}${hook.path}`);
      }
      await bot.api.setWebhook(hook.url, { secret_token: secret, allowed_updates: [...ALLOWED_UPDATES] }, apiSignal(signal));
    } else {
      await bot.api.deleteWebhook({}, apiSignal(signal));
    }
    this.ready = true;
    this.markUp();
  }

  private async registerCommands(bot: Bot, signal: AbortSignal): Promise<void> {
    const { commands, skipped } = menuCommands(this.config, this.ctx.commands?.() ?? []);
    for (const s of skipped) this.ctx.log.warn(`telegram custom command skipped: ${s}`);
    try {
      if (commands.length) await bot.api.setMyCommands(commands, {}, apiSignal(signal));
      else await bot.api.deleteMyCommands({}, apiSignal(signal));
    } catch (err) {
      if (isBadToken(err) || signal.aborted) throw err;
      this.ctx.log.warn(`telegram setMyCommands failed: ${this.describe(err)}`);
    }
  }

  private async pollOnce(bot: Bot, signal: AbortSignal): Promise<void> {
    const timeout = this.settings.pollTimeoutSeconds;
    // A hung connection must not stall polling for grammY's 500 s request timeout.
    const guard = new AbortController();
    const cancel = () => guard.abort();
    const timer = setTimeout(cancel, (timeout + 15) * 1000);
    signal.addEventListener("abort", cancel, { once: true });
    let updates;
    try {
      updates = await bot.api.getUpdates({ offset: this.offset, timeout, allowed_updates: [...ALLOWED_UPDATES] }, apiSignal(guard.signal));
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", cancel);
    }
    this.markUp();
    for (const update of updates) {
      if (signal.aborted) return;
      this.offset = update.update_id + 1;
      try {
        await bot.handleUpdate(update);
      } catch (err) {
        this.ctx.log.error(`telegram update ${update.update_id} failed: ${this.describe(err)}`);
      }
    }
  }

  /** Webhook mode has no poll to notice an outage: after a failed send, getMe until Telegram answers. */
  private async watchWebhook(bot: Bot, signal: AbortSignal): Promise<void> {
    if (this.st.connected) {
      const woken = new Promise<void>((resolve) => (this.wake = resolve));
      const aborted = () => this.wake?.();
      signal.addEventListener("abort", aborted, { once: true });
      await woken;
      signal.removeEventListener("abort", aborted);
      this.wake = null;
      return;
    }
    await bot.api.getMe(apiSignal(signal));
    this.markUp();
  }

  private markUp(): void {
    if (!this.abort || this.abort.signal.aborted) return; // stop() won the race
    if (!this.st.connected) {
      if (this.st.reconnectAttempts) this.ctx.log.info("telegram connection restored");
      this.st.connected = true;
      this.st.lastConnectedAt = this.ctx.now();
    }
    this.st.reconnectAttempts = 0;
    this.backoffMs = MIN_BACKOFF_MS;
    delete this.st.lastError;
    this.outbox.setConnected(true);
  }

  private onFailure(err: unknown): void {
    if (isBadToken(err)) {
      const code = (err as GrammyError).error_code;
      this.fatal = `invalid bot token (${code} ${code === 401 ? "Unauthorized" : "Not Found"})`;
      this.st.lastError = this.fatal;
      this.st.connected = false;
      this.st.running = false;
      this.outbox.setConnected(false);
      this.outbox.clear(new Error(this.fatal));
      void this.webhook?.close();
      this.webhook = null;
      this.ctx.log.error(`telegram: ${this.fatal}; check channels.telegram.botToken (not retrying)`);
      return;
    }
    const detail = this.describeFailure(err);
    const wasConnected = this.st.connected;
    this.st.connected = false;
    this.st.lastError = detail;
    this.st.reconnectAttempts = (this.st.reconnectAttempts ?? 0) + 1;
    this.outbox.setConnected(false);
    const msg = `telegram connection failed: ${detail}; retrying in ${Math.round(this.backoffMs / 1000)}s`;
    if (wasConnected || this.st.reconnectAttempts === 1) this.ctx.log.warn(msg);
    else this.ctx.log.debug(msg);
  }

  /** Queues one send; the outbox retries it, and a 429 is worth telling the operator about. */
  private queue<T>(send: () => Promise<T>): Promise<T> {
    return this.outbox.push(async () => {
      try {
        return await send();
      } catch (err) {
        const wait = retryAfterMs(err);
        if (wait !== undefined) this.logRateLimit(wait);
        throw err;
      }
    });
  }

  private logRateLimit(waitMs: number): void {
    this.ctx.log.warn(`telegram rate limit (429): sends wait ${Math.ceil(waitMs / 1000)}s as Telegram asks`);
  }

  /** Sends one chunk as HTML; if Telegram cannot parse it, sends the same chunk as plain text. */
  private async sendChunk(bot: Bot, chatId: string, markdown: string, opts: object): Promise<Message> {
    const linkPreview = this.settings.linkPreview ? {} : { link_preview_options: { is_disabled: true } };
    try {
      const msg = await bot.api.sendMessage(chatId, markdownToTelegramHtml(markdown), { ...opts, ...linkPreview, parse_mode: "HTML" });
      this.st.lastOutboundAt = this.ctx.now();
      return msg;
    } catch (err) {
      if (isParseError(err)) {
        this.ctx.log.warn(`telegram rejected HTML (${(err as GrammyError).description}); sending as plain text`);
        const msg = await bot.api.sendMessage(chatId, markdown, { ...opts, ...linkPreview });
        this.st.lastOutboundAt = this.ctx.now();
        return msg;
      }
      if (err instanceof HttpError && this.settings.mode === "webhook" && this.st.connected) {
        this.onFailure(err);
        this.wake?.();
      }
      throw err;
    }
  }

  private async handleMessage(msg: Message, api: Api, signal: AbortSignal): Promise<void> {
    const receivedAt = stageClock();
    const me = this.me;
    if (!me || !hasContent(msg)) return;
    if (msg.from?.id === me.id) return;
    let images;
    if (msg.photo || msg.document) {
      try {
        images = await downloadImages(msg, api, {
          apiRoot: this.settings.apiRoot,
          token: this.token.token!,
          maxBytes: this.settings.mediaMaxBytes,
          signal,
        });
      } catch (err) {
        this.ctx.log.warn(`telegram image download failed: ${this.describe(err)}`);
      }
    }
    const inbound = toInbound(msg, me, this.accountId, images);
    this.st.lastInboundAt = this.ctx.now();
    stageSince("intake", receivedAt);
    this.ctx.onInbound(inbound);
  }

  /** A status-worthy description of a failed call. */
  private describeFailure(err: unknown): string {
    if (err instanceof GrammyError) {
      if (isBadToken(err)) return `invalid bot token (${err.error_code} ${err.error_code === 401 ? "Unauthorized" : "Not Found"})`;
      if (err.error_code === 409) return "conflict (409): another instance is polling this bot, or a webhook is set";
      return `${err.method}: ${err.error_code} ${err.description}`;
    }
    if (err instanceof HttpError) {
      const inner = err.error as (Error & { code?: string }) | undefined;
      const reason = inner?.code ?? /reason: (.*)$/.exec(inner?.message ?? "")?.[1] ?? inner?.message ?? err.message;
      return `cannot reach ${this.settings.apiRoot} (${this.describe(reason)})`;
    }
    return this.describe(err);
  }

  /** Error text with the bot token masked (fetch errors include the request URL). */
  private describe(err: unknown): string {
    const text =
      err instanceof GrammyError
        ? `${err.method}: ${err.error_code} ${err.description}`
        : err instanceof Error
          ? (err as NodeJS.ErrnoException).code
            ? `${err.message} [${(err as NodeJS.ErrnoException).code}]`
            : err.message
          : String(err);
    const token = this.token.token;
    return token ? text.split(token).join("<token>") : text;
  }
}

function randomSecret(): string {
  return randomBytes(24).toString("base64url");
}
