/**
 * WhatsApp channel adapter: one linked device per account, through Baileys (WhatsApp Web's protocol).
 *
 * Life cycle: `start()` looks for the account's credentials (Baileys' multi-file layout under
 * `$OPENCLAW_STATE_DIR/credentials/whatsapp/<accountId>/`, or `authDir`). Without them the account is
 * reported as not linked and opens no socket: linking is an explicit step (`openclaw channels login`,
 * or Link in the Control UI, both through `login`). With them it connects, and on a dropped connection
 * reconnects with OpenClaw's backoff (2 s growing ×1.8 to 30 s, ±25 % jitter, 12 attempts, then it
 * stops with the reason). A logout from the phone (401) or a ban (403) stops the account at once:
 * retrying cannot help, and a storm of attempts would only look worse to WhatsApp.
 *
 * creds.json is written atomically with `creds.json.bak` kept from the previous save; a torn or empty
 * creds.json is restored from that backup before Baileys reads it.
 *
 * Ids the router sees: chat ids are jids (`15551234567@s.whatsapp.net`, `1203…@g.us`); senders are
 * E.164 numbers (`+15551234567`) when WhatsApp tells us the number, else their jid.
 */
import fs from "node:fs";
import makeWASocket, {
  BufferJSON,
  DisconnectReason,
  isJidGroup,
  jidNormalizedUser,
  makeCacheableSignalKeyStore,
  useMultiFileAuthState,
  type AnyMessageContent,
  type ConnectionState,
  type UserFacingSocketConfig,
  type WAMessage,
  type WAMessageKey,
} from "@whiskeysockets/baileys";
import { chunkText } from "../chunking.js";
import { Outbox } from "../outbox.js";
import type {
  AdapterFactory,
  ChannelAdapter,
  ChannelContext,
  ChannelLogin,
  ChannelStatus,
  LoginStart,
  OutboundContent,
  OutboundTarget,
  ProbeResult,
  SendResult,
} from "../types.js";
import type { Logger } from "../../infra/logger.js";
import {
  backoffDelay,
  DEFAULT_MEDIA_MAX_MB,
  DEFAULT_RECONNECT,
  DEFAULT_TEXT_CHUNK_LIMIT,
  jidToE164,
  notLinkedError,
  readLinkedIdentity,
  resolveAuthDir,
  restoreCredsFromBackup,
  writeCredsAtomic,
  type ReconnectPolicy,
  type WhatsAppConfig,
} from "./config.js";
import { markdownToWhatsApp } from "./format.js";
import { downloadImage, toInbound } from "./inbound.js";
import { parseWhatsAppTarget, toJid } from "./targets.js";

export type { WhatsAppConfig } from "./config.js";
export { markdownToWhatsApp } from "./format.js";

export type WaSocket = ReturnType<typeof makeWASocket>;
/** Opens a socket: Baileys' `makeWASocket` unless a test (or an embedder) passes its own. */
export type SocketFactory = (config: UserFacingSocketConfig) => WaSocket;

export interface WhatsAppDeps {
  makeSocket?: SocketFactory;
  reconnect?: Partial<ReconnectPolicy>;
  /** How an inbound image is fetched (default: Baileys' downloadMediaMessage from WhatsApp's media servers). */
  downloadImage?: typeof downloadImage;
  /** Version string in the linked-device name (`openclaw cli <version>`). */
  version?: string;
}

const QR_TIMEOUT_MS = 30_000;
const LOGIN_WAIT_MS = 120_000;
/** A QR older than this is stale (WhatsApp rotates them); a new start opens a fresh socket. */
const LOGIN_TTL_MS = 3 * 60_000;
const RECENT_LIMIT = 500;

export function whatsappAdapterFactory(deps: WhatsAppDeps = {}): AdapterFactory<WhatsAppConfig> {
  return (ctx) => new WhatsAppAdapter(ctx, deps);
}

export const createWhatsAppAdapter: AdapterFactory<WhatsAppConfig> = whatsappAdapterFactory();

/** Status code of a Baileys disconnect (a Boom error's `output.statusCode`). */
export function statusCode(err: unknown): number | undefined {
  const e = err as { output?: { statusCode?: number }; status?: number } | undefined;
  return e?.output?.statusCode ?? e?.status;
}

/** Baileys logs through pino's interface; its chatter goes to our debug log only. */
function baileysLogger(log: Logger): any {
  const sink = (level: "trace" | "debug") => (obj: unknown, msg?: string) => {
    const text = msg ?? (typeof obj === "string" ? obj : "");
    if (level === "debug" && text) log.debug(`baileys: ${text}`);
  };
  const logger = {
    level: "warn",
    child: () => logger,
    trace: sink("trace"),
    debug: sink("trace"),
    info: sink("trace"),
    warn: sink("debug"),
    error: sink("debug"),
  };
  return logger;
}

interface LoginState {
  startedAt: number;
  qr?: string;
  qrDataUrl?: string;
  /** Settles when the phone finished linking (resolves) or linking failed (rejects). */
  done: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
  restarted: boolean;
  settled: boolean;
  onQr?: (qr: string) => void;
}

export class WhatsAppAdapter implements ChannelAdapter {
  readonly channel = "whatsapp";
  readonly accountId: string;
  readonly login: ChannelLogin;

  private readonly authDir: string;
  private readonly policy: ReconnectPolicy;
  private readonly makeSocket: SocketFactory;
  private readonly outbox: Outbox;
  private readonly st: ChannelStatus;
  private sock: WaSocket | null = null;
  private generation = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private loginState: LoginState | null = null;
  private selfJid: string | null = null;
  private selfLid: string | undefined;
  /** Ids of messages we sent (self-chat mode must not answer its own replies). */
  private readonly sentIds = new Set<string>();
  /** Recent inbound messages by id, so replies can quote them and reactions can address them. */
  private readonly recent = new Map<string, WAMessage>();

  constructor(
    private readonly ctx: ChannelContext<WhatsAppConfig>,
    private readonly deps: WhatsAppDeps = {},
  ) {
    this.accountId = ctx.accountId;
    this.authDir = resolveAuthDir(ctx.config, ctx.accountId, ctx.stateDir, ctx.env);
    this.policy = { ...DEFAULT_RECONNECT, ...deps.reconnect };
    this.makeSocket = deps.makeSocket ?? makeWASocket;
    this.st = {
      accountId: ctx.accountId,
      ...(ctx.config.name ? { name: ctx.config.name } : {}),
      enabled: ctx.config.enabled !== false,
      configured: false,
      running: false,
      connected: false,
      mode: "web",
    };
    this.outbox = new Outbox({
      retryable: (err) => !this.st.connected || [408, 428, 440, 500, 503].includes(statusCode(err) ?? 0),
      now: ctx.now,
      onDrop: (err) => ctx.log.warn(`whatsapp reply dropped: ${(err as Error).message}`),
    });
    this.login = {
      start: (opts) => this.loginStart(opts),
      wait: (opts) => this.loginWait(opts),
    };
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.st.lastStartAt = this.ctx.now();
    this.st.reconnectAttempts = 0;
    const restored = this.restore();
    const me = readLinkedIdentity(this.authDir);
    if (!me) {
      this.st.configured = false;
      this.st.running = false;
      this.st.lastError = notLinkedError(this.accountId);
      if (restored !== "missing") this.ctx.log.warn(`whatsapp: ${this.st.lastError}`);
      return;
    }
    this.st.configured = true;
    this.st.running = true;
    this.st.botId = me.jid;
    this.st.botName = me.e164 ?? me.jid;
    delete this.st.lastError;
    await this.open();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.closeSocket();
    this.failLogin(new Error("the WhatsApp account was stopped"));
    this.outbox.setConnected(false);
    this.outbox.clear(new Error("whatsapp adapter stopped"));
    if (this.st.running) this.st.lastStopAt = this.ctx.now();
    this.st.running = false;
    this.st.connected = false;
  }

  status(): ChannelStatus {
    // Stopped and unlinked since (`channels.logout`, a deleted directory): say so, with the fix.
    if (!this.st.running && !(this.loginState && !this.loginState.settled) && this.st.configured && !readLinkedIdentity(this.authDir)) {
      this.st.configured = false;
      this.st.lastError = notLinkedError(this.accountId);
    }
    return { ...this.st, ...(this.outbox.size ? { queued: this.outbox.size } : {}) };
  }

  parseTarget(raw: string): OutboundTarget {
    return parseWhatsAppTarget(raw);
  }

  async send(to: OutboundTarget, content: OutboundContent): Promise<SendResult> {
    if (!this.st.running && !this.sock) throw new Error(this.st.lastError ?? `whatsapp account ${this.accountId} is not running`);
    const jid = toJid(to.chatId);
    const limit = this.ctx.config.textChunkLimit ?? DEFAULT_TEXT_CHUNK_LIMIT;
    const chunks = content.text?.trim() ? chunkText(markdownToWhatsApp(content.text), { limit, mode: this.ctx.config.chunkMode }) : [];
    let quoted = to.replyToMessageId ? this.recent.get(to.replyToMessageId) : undefined;
    const jobs: Array<Promise<string>> = [];
    const images = content.images ?? [];
    // A single image carries the text as its caption when it fits in one message.
    const captioned = images.length === 1 && chunks.length === 1;
    if (!captioned) for (const chunk of chunks) (jobs.push(this.queue(jid, { text: chunk }, quoted)), (quoted = undefined));
    images.forEach((img, i) => {
      const msg: AnyMessageContent = {
        image: img.data,
        mimetype: img.mimeType,
        ...(captioned && i === 0 ? { caption: chunks[0] } : {}),
      };
      jobs.push(this.queue(jid, msg, quoted));
      quoted = undefined;
    });
    const ids = await Promise.all(jobs);
    return { messageIds: ids, delivered: { chatId: jid, toJid: jid } };
  }

  async react(to: OutboundTarget, messageId: string, emoji: string, remove: boolean): Promise<void> {
    const sock = this.requireSocket();
    const jid = toJid(to.chatId);
    const known = this.recent.get(messageId)?.key;
    const key: WAMessageKey = known ?? { remoteJid: jid, id: messageId, fromMe: this.sentIds.has(messageId) };
    await sock.sendMessage(jid, { react: { text: remove ? "" : emoji, key } });
  }

  async typing(to: OutboundTarget): Promise<void> {
    const sock = this.sock;
    if (!sock || !this.st.connected) return;
    try {
      await sock.sendPresenceUpdate("composing", toJid(to.chatId));
    } catch (err) {
      this.ctx.log.debug(`whatsapp typing failed: ${(err as Error).message}`);
    }
  }

  async probe(): Promise<ProbeResult> {
    const me = readLinkedIdentity(this.authDir);
    if (!me) return { ok: false, detail: notLinkedError(this.accountId) };
    if (!this.st.connected)
      return { ok: false, detail: this.st.lastError ?? "linked, not connected yet", bot: { id: me.jid, name: me.e164 ?? me.jid } };
    return { ok: true, bot: { id: me.jid, name: me.e164 ?? me.jid } };
  }

  // --- linking ---------------------------------------------------------------------------------

  private async loginStart(opts: { force?: boolean; timeoutMs?: number }): Promise<LoginStart> {
    const me = readLinkedIdentity(this.authDir);
    if (me && !opts.force) {
      return { message: `WhatsApp is already linked (${me.e164 ?? me.jid}). Use --force (or Relink) for a fresh QR.` };
    }
    const active = this.loginState;
    if (active && !active.settled && active.qrDataUrl && this.ctx.now() - active.startedAt < LOGIN_TTL_MS) {
      return { qrDataUrl: active.qrDataUrl, qr: active.qr, message: "QR already active. Scan it in WhatsApp → Linked Devices." };
    }
    // One socket per account: the running connection (or an older login) goes first.
    this.stopped = true;
    this.closeSocket();
    this.failLogin(new Error("a new login was started"));
    if (opts.force) await fs.promises.rm(this.authDir, { recursive: true, force: true });
    this.st.connected = false;
    this.st.running = false;

    let resolve!: () => void;
    let reject!: (err: Error) => void;
    const done = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    done.catch(() => undefined);
    const login: LoginState = { startedAt: this.ctx.now(), done, resolve, reject, restarted: false, settled: false };
    done.then(
      () => (login.settled = true),
      () => (login.settled = true),
    );
    this.loginState = login;
    let qrTimer: NodeJS.Timeout | undefined;
    const qr = new Promise<string>((res, rej) => {
      login.onQr = res;
      done.catch(rej);
      const wait = Math.max(opts.timeoutMs ?? QR_TIMEOUT_MS, 5_000);
      qrTimer = setTimeout(() => rej(new Error("timed out waiting for a QR code from WhatsApp")), wait);
    });
    this.stopped = false;
    await this.open();
    let text: string;
    try {
      text = await qr;
    } catch (err) {
      clearTimeout(qrTimer);
      this.stopped = true;
      this.closeSocket();
      this.failLogin(err as Error);
      return { message: `Failed to get a QR code: ${(err as Error).message}` };
    }
    clearTimeout(qrTimer);
    // The QR encoder is only needed while linking: loaded then, not with every linked account.
    const { default: QRCode } = await import("qrcode");
    login.qrDataUrl = await QRCode.toDataURL(text, { margin: 1, width: 320 });
    this.ctx.log.info("whatsapp: QR code ready; scan it in WhatsApp → Linked Devices");
    return { qrDataUrl: login.qrDataUrl, qr: text, message: "Scan this QR in WhatsApp → Linked Devices." };
  }

  private async loginWait(opts: { timeoutMs?: number }): Promise<{ connected: boolean; message: string }> {
    const login = this.loginState;
    if (!login) {
      if (this.st.connected) return { connected: true, message: "WhatsApp is linked and connected." };
      return { connected: false, message: "No active WhatsApp login in progress." };
    }
    if (!login.settled && this.ctx.now() - login.startedAt > LOGIN_TTL_MS) {
      this.failLogin(new Error("the QR code expired"));
      this.stopped = true;
      this.closeSocket();
      return { connected: false, message: "The login QR expired. Start the login again for a new one." };
    }
    const timeoutMs = Math.max(opts.timeoutMs ?? LOGIN_WAIT_MS, 1_000);
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      login.done.then(
        () => "ok" as const,
        (err: Error) => err,
      ),
      new Promise<"timeout">((res) => (timer = setTimeout(() => res("timeout"), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (outcome === "timeout") return { connected: false, message: "Still waiting for the QR scan." };
    if (this.loginState === login) this.loginState = null;
    if (outcome === "ok") {
      const who = this.st.botName ? ` as ${this.st.botName}` : "";
      return { connected: true, message: `Linked${who}. WhatsApp is ready.` };
    }
    return { connected: false, message: `WhatsApp login failed: ${outcome.message}` };
  }

  private failLogin(err: Error): void {
    const login = this.loginState;
    if (login && !login.settled) login.reject(err);
  }

  // --- connection ------------------------------------------------------------------------------

  private restore(): "ok" | "restored" | "missing" {
    try {
      const r = restoreCredsFromBackup(this.authDir);
      if (r === "restored")
        this.ctx.log.warn(`whatsapp: creds.json was missing or damaged; restored it from creds.json.bak (${this.authDir})`);
      return r;
    } catch (err) {
      this.ctx.log.error(`whatsapp: could not restore creds.json from its backup: ${(err as Error).message}`);
      return "missing";
    }
  }

  /** Opens one socket with the account's credentials and wires its events. */
  private async open(): Promise<void> {
    const gen = ++this.generation;
    let sock: WaSocket;
    try {
      fs.mkdirSync(this.authDir, { recursive: true, mode: 0o700 });
      this.restore();
      const { state } = await useMultiFileAuthState(this.authDir);
      if (gen !== this.generation || this.stopped) return;
      const logger = baileysLogger(this.ctx.log);
      const saveCreds = async () => {
        try {
          writeCredsAtomic(this.authDir, JSON.stringify(state.creds, BufferJSON.replacer));
        } catch (err) {
          this.ctx.log.error(`whatsapp: could not save credentials in ${this.authDir}: ${(err as Error).message}`);
        }
      };
      sock = this.makeSocket({
        auth: { creds: state.creds, keys: makeCacheableSignalKeyStore(state.keys, logger) },
        browser: ["openclaw", "cli", this.deps.version ?? "2026.1.29"],
        printQRInTerminal: false,
        syncFullHistory: false,
        markOnlineOnConnect: false,
        logger,
      });
      sock.ev.on("creds.update", () => void saveCreds());
    } catch (err) {
      this.onClosed(gen, err);
      return;
    }
    this.sock = sock;
    sock.ev.on("connection.update", (u) => this.onConnectionUpdate(gen, u));
    sock.ev.on("messages.upsert", (up) => {
      if (gen !== this.generation || up.type !== "notify") return;
      for (const m of up.messages)
        void this.onMessage(m).catch((err) => this.ctx.log.error(`whatsapp inbound failed: ${(err as Error).message}`));
    });
  }

  private closeSocket(): void {
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const sock = this.sock;
    this.sock = null;
    if (!sock) return;
    try {
      sock.end(undefined);
    } catch {
      // already closed
    }
  }

  private onConnectionUpdate(gen: number, u: Partial<ConnectionState>): void {
    if (gen !== this.generation) return;
    const login = this.loginState && !this.loginState.settled ? this.loginState : null;
    if (u.qr) {
      if (login) {
        if (!login.qr) {
          login.qr = u.qr;
          login.onQr?.(u.qr);
        }
        return;
      }
      // A running account that is asked for a QR has lost its link: say so, and never print QRs unasked.
      this.fatal(notLinkedError(this.accountId), false);
      return;
    }
    if (u.connection === "open") {
      const user = this.sock?.user;
      this.selfJid = user?.id ?? readLinkedIdentity(this.authDir)?.jid ?? null;
      this.selfLid = (user as { lid?: string } | undefined)?.lid;
      if (this.selfJid) {
        this.st.botId = this.selfJid;
        this.st.botName = jidToE164(this.selfJid) ?? this.selfJid;
      }
      const wasReconnect = (this.st.reconnectAttempts ?? 0) > 0;
      this.st.configured = true;
      this.st.running = true;
      this.st.connected = true;
      this.st.lastConnectedAt = this.ctx.now();
      this.st.reconnectAttempts = 0;
      delete this.st.lastError;
      this.outbox.setConnected(true);
      this.ctx.log.info(`${wasReconnect ? "reconnected" : "connected"} to whatsapp as ${this.st.botName ?? "?"}`);
      if (login) {
        this.loginState = login;
        login.resolve();
      }
      return;
    }
    if (u.connection === "close") this.onClosed(gen, u.lastDisconnect?.error);
  }

  private onClosed(gen: number, err: unknown): void {
    if (gen !== this.generation) return;
    this.sock = null;
    this.st.connected = false;
    this.outbox.setConnected(false);
    if (this.stopped) return;
    const code = statusCode(err);
    const reason = (err as Error | undefined)?.message ?? "connection closed";
    const login = this.loginState && !this.loginState.settled ? this.loginState : null;
    if (code === DisconnectReason.loggedOut) {
      if (login) {
        login.reject(new Error("WhatsApp refused the link (logged out, 401); start the login again"));
        this.stopped = true;
        return;
      }
      return this.fatal("logged out from the phone (401): run `openclaw channels login --channel whatsapp` to link again", true);
    }
    if (code === DisconnectReason.forbidden) {
      login?.reject(new Error("WhatsApp refused this number (403)"));
      return this.fatal("WhatsApp refused this account (403 forbidden; the number may be banned); not reconnecting", true);
    }
    if (code === DisconnectReason.restartRequired) {
      // After the phone scans the QR, WhatsApp asks for one fresh connection with the new credentials.
      if (login) {
        if (login.restarted) {
          login.reject(new Error("WhatsApp asked for a restart twice (515)"));
          this.stopped = true;
          return;
        }
        login.restarted = true;
        this.ctx.log.info("whatsapp: linked; reconnecting once as WhatsApp asks after pairing (515)");
      }
      void this.open();
      return;
    }
    if (login) {
      login.reject(new Error(`connection closed (${code ?? "no status"}: ${reason})`));
      this.stopped = true;
      return;
    }
    const attempt = (this.st.reconnectAttempts ?? 0) + 1;
    this.st.reconnectAttempts = attempt;
    this.st.lastError = `connection closed (${code ?? "no status"}): ${reason}`;
    if (attempt > this.policy.maxAttempts) {
      return this.fatal(`gave up after ${this.policy.maxAttempts} reconnect attempts; last: ${this.st.lastError}`, true);
    }
    const delay = backoffDelay(this.policy, attempt);
    this.ctx.log.warn(
      `whatsapp ${this.st.lastError}; reconnecting in ${Math.round(delay / 100) / 10}s (attempt ${attempt}/${this.policy.maxAttempts})`,
    );
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.stopped && gen === this.generation) void this.open();
    }, delay);
    this.timer.unref?.();
  }

  /** Stops the account for a reason retrying cannot fix. */
  private fatal(reason: string, configured: boolean): void {
    this.stopped = true;
    this.closeSocket();
    this.st.configured = configured;
    this.st.running = false;
    this.st.connected = false;
    this.st.lastError = reason;
    this.st.lastStopAt = this.ctx.now();
    this.outbox.setConnected(false);
    this.outbox.clear(new Error(reason));
    this.ctx.log.error(`whatsapp: ${reason}`);
  }

  // --- messages --------------------------------------------------------------------------------

  private async onMessage(msg: WAMessage): Promise<void> {
    const self = this.selfJid;
    if (!self || !msg.key) return;
    const chat = msg.key.remoteJid;
    if (msg.key.fromMe) {
      // Only the owner writing in their own "message yourself" chat, and never our own replies.
      const selfChat = this.ctx.config.selfChatMode || this.allowFromHasSelf();
      if (!selfChat || !chat || jidNormalizedUser(chat) !== jidNormalizedUser(self) || this.sentIds.has(msg.key.id ?? "")) return;
    }
    const n = toInbound(msg, { jid: self, lid: this.selfLid }, this.accountId, this.ctx.config.messagePrefix);
    if (!n) return;
    this.remember(msg);
    if (n.image) {
      const maxBytes = Math.floor((this.ctx.config.mediaMaxMb ?? DEFAULT_MEDIA_MAX_MB) * 1024 * 1024);
      try {
        const img = await (this.deps.downloadImage ?? downloadImage)(msg, maxBytes, n.image.mimeType);
        if (img) n.inbound.images = [img];
        else n.inbound.text = n.inbound.text || "<media:image> (larger than mediaMaxMb)";
      } catch (err) {
        this.ctx.log.warn(`whatsapp image download failed: ${(err as Error).message}`);
      }
      if (!n.inbound.images && !n.inbound.text) n.inbound.text = "<media:image>";
    }
    if (this.ctx.config.sendReadReceipts !== false && !msg.key.fromMe && this.sock) {
      this.sock.readMessages([msg.key]).catch((err) => this.ctx.log.debug(`whatsapp read receipt failed: ${(err as Error).message}`));
    }
    this.st.lastInboundAt = this.ctx.now();
    this.ctx.onInbound(n.inbound);
  }

  private allowFromHasSelf(): boolean {
    const me = this.selfJid ? jidToE164(this.selfJid) : null;
    return Boolean(me && (this.ctx.config.allowFrom ?? []).some((v) => String(v).replace(/[^\d+]/g, "") === me));
  }

  private remember(msg: WAMessage): void {
    const id = msg.key.id;
    if (!id) return;
    this.recent.set(id, msg);
    if (this.recent.size > RECENT_LIMIT) this.recent.delete(this.recent.keys().next().value!);
  }

  private requireSocket(): WaSocket {
    if (!this.sock || !this.st.connected) throw new Error(this.st.lastError ?? "whatsapp is not connected");
    return this.sock;
  }

  private queue(jid: string, content: AnyMessageContent, quoted?: WAMessage): Promise<string> {
    return this.outbox.push(async () => {
      const sock = this.requireSocket();
      const sent = await sock.sendMessage(jid, content, quoted ? { quoted } : {});
      const id = sent?.key?.id ?? "";
      if (id) {
        this.sentIds.add(id);
        if (this.sentIds.size > RECENT_LIMIT) this.sentIds.delete(this.sentIds.values().next().value!);
      }
      this.st.lastOutboundAt = this.ctx.now();
      return id;
    });
  }
}

/** Whether a jid names a group (for callers outside this module). */
export const isGroupJid = (jid: string): boolean => Boolean(isJidGroup(jid));
