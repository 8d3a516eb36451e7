/**
 * Signal channel adapter, through signal-cli's HTTP daemon (JSON-RPC + server-sent events).
 *
 * Life cycle: `start()` spawns `signal-cli daemon --http` when this gateway manages it (`cliPath` /
 * `autoStart`; never when only `httpUrl` is given), then a background loop waits for the daemon's
 * health check, opens the event stream and keeps it open: when it drops (or the daemon is not up
 * yet) it reconnects with backoff (1 s doubling to 10 s), `connected` false meanwhile. A managed
 * daemon that exits is restarted with its own backoff. Replies go through an `Outbox`, so what is
 * sent while the daemon is away goes out once it is back.
 *
 * Ids the router sees: DM chats and senders are E.164 numbers (`+15551234567`) or `uuid:<id>`;
 * group chats are `group:<groupId>`; message ids are Signal timestamps (what reactions target).
 */
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
import type { ImageContent } from "../../providers/types.js";
import { check, rpc, SignalHttpError, SignalRpcError, streamEvents } from "./client.js";
import { resolveSettings, type SignalConfig, type SignalSettings } from "./config.js";
import { SignalDaemon } from "./daemon.js";
import { markdownToSignal, textStyleParam } from "./format.js";
import { mediaPlaceholder, parseEnvelope, type SignalAttachment, type SignalEnvelope, type SignalSelf } from "./inbound.js";
import { parseSignalTarget, rpcTarget } from "./targets.js";

export type { SignalConfig } from "./config.js";

const MIN_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 10_000;
/** Message authors remembered for reactions (Signal needs the author of the message reacted to). */
const AUTHORS_KEPT = 500;

export const NO_ACCOUNT_ERROR = "no Signal account: set channels.signal.account to the bot's number (E.164, e.g. +15551234567)";

export const createSignalAdapter: AdapterFactory<SignalConfig> = (ctx) => new SignalAdapter(ctx);

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

function retryable(err: unknown): boolean {
  return err instanceof SignalHttpError && (err.status === undefined || err.status >= 500 || err.status === 429);
}

export class SignalAdapter implements ChannelAdapter {
  readonly channel = "signal";
  readonly accountId: string;

  private readonly config: SignalConfig;
  readonly settings: SignalSettings;
  private readonly outbox: Outbox;
  private readonly st: ChannelStatus;
  private readonly self: SignalSelf;
  private daemon: SignalDaemon | null = null;
  private abort: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private backoffMs = MIN_BACKOFF_MS;
  /** Signal timestamp → author (`+1…` or a bare UUID), for reactions. */
  private authors = new Map<string, string>();
  /** Envelopes are handled one after another, so an image being fetched does not let later text overtake it. */
  private inbound: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: ChannelContext<SignalConfig>) {
    this.accountId = ctx.accountId;
    this.config = ctx.config ?? {};
    this.settings = resolveSettings(this.config);
    this.self = { number: this.settings.account };
    this.outbox = new Outbox({
      retryable,
      now: ctx.now,
      onDrop: (err) => this.ctx.log.warn(`signal send dropped: ${(err as Error).message ?? String(err)}`),
    });
    this.st = {
      accountId: ctx.accountId,
      enabled: this.config.enabled !== false,
      configured: Boolean(this.settings.account),
      running: false,
      connected: false,
      reconnectAttempts: 0,
      mode: this.settings.daemon ? "daemon" : "http",
      tokenSource: "none",
      baseUrl: this.settings.baseUrl,
    };
    if (this.config.name) this.st.name = this.config.name;
    if (this.settings.account) this.st.botId = this.settings.account;
    if (!this.settings.account) this.st.lastError = NO_ACCOUNT_ERROR;
  }

  status(): ChannelStatus {
    return { ...this.st, queued: this.outbox.size };
  }

  async start(): Promise<void> {
    if (this.st.running || !this.st.enabled) return;
    if (!this.settings.account) {
      this.st.lastError = NO_ACCOUNT_ERROR;
      return;
    }
    this.backoffMs = MIN_BACKOFF_MS;
    this.st.running = true;
    this.st.connected = false;
    this.st.reconnectAttempts = 0;
    this.st.lastStartAt = this.ctx.now();
    delete this.st.lastError;
    const abort = new AbortController();
    this.abort = abort;
    if (this.settings.daemon) {
      this.daemon = new SignalDaemon(this.settings.daemon, this.settings.baseUrl, this.ctx.log);
      this.daemon.start();
    }
    this.loop = this.run(abort.signal);
  }

  async stop(): Promise<void> {
    const abort = this.abort;
    this.abort = null;
    abort?.abort();
    await this.loop?.catch(() => {});
    this.loop = null;
    await this.daemon?.stop();
    this.daemon = null;
    this.outbox.setConnected(false);
    this.outbox.clear(new Error("signal adapter stopped"));
    const wasRunning = this.st.running;
    this.st.running = false;
    this.st.connected = false;
    if (wasRunning) this.st.lastStopAt = this.ctx.now();
  }

  parseTarget(raw: string): OutboundTarget {
    return parseSignalTarget(raw);
  }

  async send(to: OutboundTarget, content: OutboundContent): Promise<SendResult> {
    if (!this.st.running) throw new Error(this.st.lastError ?? `signal account ${this.accountId} is not running`);
    const chunks = chunkText(content.text ?? "", { limit: this.settings.textChunkLimit, mode: this.settings.chunkMode });
    const jobs: Array<Promise<string | undefined>> = [];
    for (const chunk of chunks) {
      const { text, styles } = markdownToSignal(chunk);
      if (!text.trim()) continue;
      const params: Record<string, unknown> = { message: text };
      if (styles.length) params["text-style"] = textStyleParam(styles);
      jobs.push(this.outbox.push(() => this.sendOne(to.chatId, params)));
    }
    const images = content.images ?? [];
    if (images.length) {
      const attachments = images.map((img) => {
        const name = img.fileName ? `;filename=${encodeURIComponent(img.fileName)}` : "";
        return `data:${img.mimeType}${name};base64,${img.data.toString("base64")}`;
      });
      jobs.push(this.outbox.push(() => this.sendOne(to.chatId, { message: "", attachments })));
    }
    const ids = (await Promise.all(jobs)).filter((id): id is string => Boolean(id));
    return { messageIds: ids, delivered: { chatId: to.chatId } };
  }

  async react(to: OutboundTarget, messageId: string, emoji: string, remove: boolean): Promise<void> {
    if (!this.settings.reactions)
      throw new Error("signal reactions are off for this account (channels.signal.actions.reactions / reactionLevel)");
    const ts = Number(messageId);
    if (!Number.isSafeInteger(ts) || ts <= 0) throw new Error(`signal message ids are timestamps (got "${messageId}")`);
    const target = rpcTarget(to.chatId);
    let author = this.authors.get(messageId);
    if (!author && "recipient" in target) author = target.recipient[0];
    if (!author) throw new Error(`signal: cannot tell who wrote message ${messageId} in this group, so cannot react to it`);
    await rpc(this.settings.baseUrl, "sendReaction", {
      account: this.settings.account,
      ...target,
      emoji,
      targetAuthor: author,
      targetTimestamp: ts,
      ...(remove ? { remove: true } : {}),
    });
  }

  async typing(to: OutboundTarget): Promise<void> {
    if (!this.st.connected || to.chatId.startsWith("username:")) return;
    try {
      await rpc(this.settings.baseUrl, "sendTyping", { account: this.settings.account, ...rpcTarget(to.chatId) });
    } catch (err) {
      this.ctx.log.debug(`signal typing failed: ${(err as Error).message}`);
    }
  }

  async probe(): Promise<ProbeResult> {
    if (!this.settings.account) return { ok: false, detail: NO_ACCOUNT_ERROR };
    const t0 = performance.now();
    const down = await check(this.settings.baseUrl, 5_000);
    const latencyMs = Math.round(performance.now() - t0);
    if (down !== null) return { ok: false, latencyMs, detail: `signal-cli at ${this.settings.baseUrl} does not answer (${down})` };
    let version: string | undefined;
    try {
      const v = await rpc<{ version?: string }>(this.settings.baseUrl, "version", {}, { timeoutMs: 5_000 });
      version = v?.version;
    } catch {
      // an old daemon without `version` still works
    }
    return {
      ok: true,
      latencyMs,
      ...(version ? { detail: `signal-cli ${version}` } : {}),
      bot: { id: this.settings.account, name: this.settings.account },
    };
  }

  // --- internals -------------------------------------------------------------------------------

  private async sendOne(chatId: string, params: Record<string, unknown>): Promise<string | undefined> {
    const res = await rpc<{ timestamp?: number }>(this.settings.baseUrl, "send", {
      account: this.settings.account,
      ...params,
      ...rpcTarget(chatId),
    });
    this.st.lastOutboundAt = this.ctx.now();
    const id = res?.timestamp !== undefined ? String(res.timestamp) : undefined;
    if (id && this.settings.account) this.remember(id, this.settings.account);
    return id;
  }

  private remember(messageId: string, author: string): void {
    this.authors.set(messageId, author);
    if (this.authors.size > AUTHORS_KEPT) this.authors.delete(this.authors.keys().next().value!);
  }

  /** Keeps the event stream open until stop(). */
  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        if (this.daemon) await this.daemon.waitReady(signal);
        await streamEvents({
          baseUrl: this.settings.baseUrl,
          account: this.settings.account,
          signal,
          onOpen: () => this.markUp(signal),
          onEvent: (event, data) => this.onEvent(event, data, signal),
        });
        if (signal.aborted) break;
        this.markDown("the event stream closed");
      } catch (err) {
        if (signal.aborted) break;
        this.markDown((err as Error).message);
      }
      await sleep(this.backoffMs, signal);
      this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    }
  }

  private markUp(signal: AbortSignal): void {
    if (signal.aborted) return;
    if (this.st.reconnectAttempts) this.ctx.log.info("signal event stream restored");
    else this.ctx.log.info(`connected to signal-cli at ${this.settings.baseUrl} as ${this.settings.account}`);
    this.st.connected = true;
    this.st.lastConnectedAt = this.ctx.now();
    this.st.reconnectAttempts = 0;
    this.backoffMs = MIN_BACKOFF_MS;
    delete this.st.lastError;
    this.outbox.setConnected(true);
    if (!this.self.uuid) void this.learnUuid(signal);
  }

  private markDown(reason: string): void {
    const was = this.st.connected;
    this.st.connected = false;
    this.st.lastError = reason;
    this.st.reconnectAttempts = (this.st.reconnectAttempts ?? 0) + 1;
    this.outbox.setConnected(false);
    const msg = `signal: ${reason}; reconnecting in ${Math.round(this.backoffMs / 1000)}s`;
    if (was || this.st.reconnectAttempts === 1) this.ctx.log.warn(msg);
    else this.ctx.log.debug(msg);
  }

  /** The bot's own UUID, so mentions and quotes by UUID are recognised too (best effort). */
  private async learnUuid(signal: AbortSignal): Promise<void> {
    try {
      const res = await rpc<Array<{ number?: string; uuid?: string }>>(
        this.settings.baseUrl,
        "getUserStatus",
        { account: this.settings.account, recipient: [this.settings.account] },
        { signal },
      );
      const uuid = Array.isArray(res) ? res.find((r) => r.uuid)?.uuid : undefined;
      if (uuid) this.self.uuid = uuid.toLowerCase();
    } catch (err) {
      this.ctx.log.debug(`signal: own UUID unknown (${(err as Error).message}); mentions by number still work`);
    }
  }

  private onEvent(event: string | undefined, data: string, signal: AbortSignal): void {
    if (event !== undefined && event !== "receive") return;
    let payload: { envelope?: SignalEnvelope; exception?: { message?: string } };
    try {
      payload = JSON.parse(data);
    } catch {
      this.ctx.log.warn("signal: unreadable event from signal-cli skipped");
      return;
    }
    if (payload.exception?.message) this.ctx.log.warn(`signal-cli receive error: ${payload.exception.message}`);
    if (!payload.envelope) return;
    const envelope = payload.envelope;
    this.inbound = this.inbound
      .then(() => this.handleEnvelope(envelope, signal))
      .catch((err: Error) => this.ctx.log.error(`signal inbound message failed: ${err.message}`));
  }

  private async handleEnvelope(env: SignalEnvelope, signal: AbortSignal): Promise<void> {
    const parsed = parseEnvelope(env, this.self);
    if (!parsed) return;
    const { message } = parsed;
    this.remember(message.messageId, parsed.recipient);
    const images: ImageContent[] = [];
    const skipped: SignalAttachment[] = [];
    for (const a of parsed.attachments) {
      const img = this.settings.ignoreAttachments ? undefined : await this.fetchImage(a, parsed, signal);
      if (img) images.push(img);
      else skipped.push(a);
    }
    let text = message.text;
    const placeholder = mediaPlaceholder(skipped);
    if (!text && placeholder) text = placeholder;
    if (!text && !images.length) return;
    if (this.settings.readReceipts && message.chat.kind === "dm") {
      rpc(this.settings.baseUrl, "sendReceipt", {
        account: this.settings.account,
        recipient: [parsed.recipient],
        targetTimestamp: Number(message.messageId),
        type: "read",
      }).catch((err: Error) => this.ctx.log.debug(`signal read receipt failed: ${err.message}`));
    }
    this.st.lastInboundAt = this.ctx.now();
    this.ctx.onInbound({
      channel: "signal",
      accountId: this.accountId,
      ...message,
      text,
      ...(images.length ? { images } : {}),
    });
  }

  /** An image attachment within `mediaMaxMb`, fetched from the daemon; undefined for anything else. */
  private async fetchImage(a: SignalAttachment, parsed: { recipient: string; groupId?: string }, signal: AbortSignal) {
    if (!a.id || !a.contentType?.startsWith("image/")) return undefined;
    const max = this.settings.mediaMaxBytes;
    if (a.size !== undefined && a.size > max) {
      this.ctx.log.info(`signal: image ${a.id} (${a.size} bytes) is over mediaMaxMb; not passed on`);
      return undefined;
    }
    try {
      const res = await rpc<{ data?: string } | string>(
        this.settings.baseUrl,
        "getAttachment",
        { account: this.settings.account, id: a.id, ...(parsed.groupId ? { groupId: parsed.groupId } : { recipient: parsed.recipient }) },
        { signal, timeoutMs: 30_000 },
      );
      const data = typeof res === "string" ? res : res?.data;
      if (!data) return undefined;
      if (Math.floor((data.length * 3) / 4) > max) return undefined;
      return { type: "image" as const, mimeType: a.contentType, data };
    } catch (err) {
      if (!(err instanceof SignalRpcError || err instanceof SignalHttpError)) throw err;
      this.ctx.log.warn(`signal attachment ${a.id} could not be fetched: ${err.message}`);
      return undefined;
    }
  }
}
