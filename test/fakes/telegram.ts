/**
 * A fake Telegram Bot API on 127.0.0.1 (port 0) that speaks the real HTTP protocol, so tests drive
 * grammY (and the gateway's Telegram adapter) without network.
 *
 * `apiRoot` is what goes into `channels.telegram.apiRoot`. Requests are `GET|POST /bot<token>/<method>`
 * with a query string, JSON, urlencoded or multipart body; answers are `{ok:true,result}` or
 * `{ok:false,error_code,description,parameters?}` with the HTTP status equal to `error_code`. A wrong
 * token gets 401 Unauthorized. Files download from `GET /file/bot<token>/<file_path>`.
 *
 * Methods: getMe, getUpdates (offset confirms, limit, long-poll timeout, allowed_updates remembered
 * like Telegram does; 409 while a webhook is set), setWebhook (updates are then POSTed to the URL with
 * `X-Telegram-Bot-Api-Secret-Token`, retried until a 2xx), deleteWebhook, getWebhookInfo, sendMessage,
 * sendPhoto (multipart upload or file_id), editMessageText, sendChatAction, setMessageReaction, setMyCommands,
 * deleteMyCommands, getMyCommands, getFile. `parse_mode: "HTML"` text is checked like Telegram does
 * (only its tags, properly nested, `<>&` escaped), answering 400 "can't parse entities" otherwise, and
 * the 4096-character limit applies to the rendered text. `message_thread_id` 1 (the General topic) is
 * refused for sends ("message thread not found") but accepted for chat actions.
 *
 * Incoming messages: `userSends(...)` builds a realistic `Message` (entities for @mentions and
 * /commands are filled in when not given; forum-topic messages carry the topic's creation message as
 * `reply_to_message`, as Telegram does; photos come as two `PhotoSize`s, a small thumbnail and the
 * full image) and queues an update.
 *
 * Extras beyond the shared API: `calls` (every request, also refused ones), `callCount(method)`,
 * `webhook` (the current registration), `webhookDeliveries` (status of each push attempt),
 * `pendingUpdates()`, `waitFor(predicate)`, and on each `sent` entry `plain` (the text as a reader
 * sees it: tags removed, entities decoded) and `photoBytes`.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { readBody } from "./http.js";

export interface TelegramErrorSpec {
  error_code: number;
  description: string;
  retry_after?: number;
}

export interface SentRecord {
  method: string;
  chatId: string;
  text?: string;
  parseMode?: string;
  threadId?: number;
  replyTo?: number;
  photo?: boolean;
  messageId: number;
  /** Extra: the rendered text (HTML tags stripped, entities decoded). */
  plain?: string;
  /** Extra: uploaded photo bytes (sendPhoto with a file). */
  photoBytes?: Buffer;
}

export interface UserSendsOptions {
  chatId: number;
  chatType?: "private" | "group" | "supergroup";
  from: { id: number; username?: string; first_name?: string; is_bot?: boolean };
  text?: string;
  threadId?: number;
  replyToBot?: boolean;
  photo?: { bytes: Buffer; mimeType?: string };
  caption?: string;
  entities?: any[];
}

interface Poller {
  res: http.ServerResponse;
  offset: number;
  limit: number;
  timer: NodeJS.Timeout;
}

interface StoredFile {
  file_id: string;
  file_unique_id: string;
  file_path: string;
  bytes: Buffer;
}

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly retryAfter?: number,
  ) {
    super(description);
  }
}

const ALLOWED_TAGS = new Set([
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "span",
  "tg-spoiler",
  "a",
  "tg-emoji",
  "code",
  "pre",
  "blockquote",
]);
const CHAT_ACTIONS = new Set([
  "typing",
  "upload_photo",
  "record_video",
  "upload_video",
  "record_voice",
  "upload_voice",
  "upload_document",
  "choose_sticker",
  "find_location",
  "record_video_note",
  "upload_video_note",
]);
const EXT_BY_MIME: Record<string, string> = { "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif" };

export class FakeTelegram {
  readonly token: string;
  readonly botId: number;
  readonly botUsername: string;

  sent: SentRecord[] = [];
  actions: Array<{ chatId: string; action: string; threadId?: number }> = [];
  /** Reactions set with setMessageReaction (an empty list takes them back). */
  reactions: Array<{ chatId: string; messageId: number; emojis: string[] }> = [];
  commands: Array<{ command: string; description: string }> = [];
  calls: Array<{ method: string; at: number; params: Record<string, any>; authorized: boolean }> = [];
  webhook: { url: string; secret?: string; allowedUpdates?: string[] } | null = null;
  webhookDeliveries: Array<{ updateId: number; status: number }> = [];

  private root = "";
  private server: http.Server;
  private sockets = new Set<Socket>();
  private updates: any[] = [];
  private nextUpdateId = 1;
  private nextMessageId = 1;
  private nextFileId = 1;
  private pollers = new Set<Poller>();
  private failures = new Map<string, TelegramErrorSpec[]>();
  private down = false;
  private closed = false;
  private files = new Map<string, StoredFile>();
  private chats = new Map<number, any>();
  private messages = new Map<string, any>();
  private allowedUpdates: string[] = [];
  private listeners = new Set<() => void>();
  private pushing = false;

  private constructor(opts: { token?: string; botUsername?: string; botId?: number }) {
    this.botId = opts.botId ?? 7000001;
    this.token = opts.token ?? `${this.botId}:AAFakeTokenForTests_abcdefghijklmnopq`;
    this.botUsername = opts.botUsername ?? "openclaw_test_bot";
    this.server = http.createServer((req, res) => {
      void this.handle(req, res).catch((err) => {
        if (!res.headersSent) this.reply(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${String(err)}` });
      });
    });
    this.server.on("connection", (s: Socket) => {
      if (this.down) {
        s.destroy();
        return;
      }
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
  }

  static async start(opts: { token?: string; botUsername?: string; botId?: number } = {}): Promise<FakeTelegram> {
    const fake = new FakeTelegram(opts);
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    fake.root = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  /** `http://127.0.0.1:PORT`: what goes in `channels.telegram.apiRoot`. */
  get apiRoot(): string {
    return this.root;
  }

  /** The bot as `getMe` returns it. */
  get botUser() {
    return {
      id: this.botId,
      is_bot: true,
      first_name: "OpenClaw Test",
      username: this.botUsername,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
    };
  }

  // --- test controls ---------------------------------------------------------------------------

  userSends(m: UserSendsOptions): number {
    const chat = this.chatFor(m);
    const from: Record<string, unknown> = {
      id: m.from.id,
      is_bot: m.from.is_bot ?? false,
      first_name: m.from.first_name ?? m.from.username ?? "User",
    };
    if (m.from.username) from.username = m.from.username;
    const message: any = { message_id: this.nextMessageId++, from, chat, date: Math.floor(Date.now() / 1000) };

    if (m.threadId !== undefined && chat.type !== "private") {
      message.message_thread_id = m.threadId;
      message.is_topic_message = true;
      // Telegram attaches the topic's creation message as the reply target of every topic message.
      message.reply_to_message = {
        message_id: m.threadId,
        from,
        chat,
        date: message.date - 60,
        message_thread_id: m.threadId,
        forum_topic_created: { name: `Topic ${m.threadId}`, icon_color: 7322096 },
        is_topic_message: true,
      };
    } else if (m.threadId !== undefined) {
      message.message_thread_id = m.threadId;
    }
    if (m.replyToBot) message.reply_to_message = this.lastBotMessage(chat) ?? this.syntheticBotMessage(chat);

    if (m.photo) {
      const mime = m.photo.mimeType ?? "image/jpeg";
      const thumb = this.storeFile(Buffer.from(`thumbnail-of-${m.photo.bytes.length}-bytes`), "photos", "jpg");
      const full = this.storeFile(m.photo.bytes, "photos", EXT_BY_MIME[mime] ?? "jpg");
      message.photo = [
        { file_id: thumb.file_id, file_unique_id: thumb.file_unique_id, width: 90, height: 68, file_size: thumb.bytes.length },
        { file_id: full.file_id, file_unique_id: full.file_unique_id, width: 1280, height: 960, file_size: full.bytes.length },
      ];
      if (m.caption !== undefined || m.text !== undefined) {
        message.caption = m.caption ?? m.text;
        message.caption_entities = m.entities ?? detectEntities(message.caption);
        if (!message.caption_entities.length) delete message.caption_entities;
      }
    } else if (m.text !== undefined) {
      message.text = m.text;
      const entities = m.entities ?? detectEntities(m.text);
      if (entities.length) message.entities = entities;
    }

    this.remember(message);
    this.updates.push({ update_id: this.nextUpdateId++, message });
    this.deliver();
    return message.message_id;
  }

  failNext(method: string, err: TelegramErrorSpec, times = 1): void {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(err);
    this.failures.set(method, list);
  }

  goDown(): void {
    this.down = true;
    for (const p of this.pollers) clearTimeout(p.timer);
    this.pollers.clear();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  comeBack(): void {
    this.down = false;
    this.deliver();
  }

  callCount(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  /** Updates not yet confirmed by a getUpdates offset (or a webhook 2xx). */
  pendingUpdates(): any[] {
    return [...this.updates];
  }

  waitForSent(n: number, timeoutMs = 5000): Promise<void> {
    return this.waitFor(
      () => this.sent.length >= n,
      timeoutMs,
      () => `${n} sent messages (have ${this.sent.length}: ${JSON.stringify(this.sent.map((s) => s.plain ?? s.text))})`,
    );
  }

  waitFor(predicate: () => boolean, timeoutMs = 5000, what: string | (() => string) = "condition"): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake telegram: timed out after ${timeoutMs}ms waiting for ${typeof what === "string" ? what : what()}`));
      }, timeoutMs);
      const poll = setInterval(check, 25);
      const cleanup = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of [...this.pollers]) this.answerPoller(p, []);
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
      this.server.closeAllConnections();
    });
  }

  // --- HTTP --------------------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (this.down) {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? "/", "http://fake");
    const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (fileMatch) {
      const file = [...this.files.values()].find((f) => f.file_path === decodeURIComponent(fileMatch[2]!));
      if (fileMatch[1] !== this.token || !file) {
        res
          .writeHead(404, { "content-type": "application/json" })
          .end(JSON.stringify({ ok: false, error_code: 404, description: "Not Found" }));
        return;
      }
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": file.bytes.length }).end(file.bytes);
      return;
    }
    const m = /^\/bot([^/]*)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!m) {
      this.reply(res, 404, { ok: false, error_code: 404, description: "Not Found" });
      return;
    }
    const [, token, method] = m as unknown as [string, string, string];
    const body = await readBody(req);
    const { params, files } = parseParams(req.headers["content-type"], body, url.searchParams);
    const authorized = token === this.token;
    this.calls.push({ method, at: Date.now(), params, authorized });
    if (!authorized) {
      this.reply(res, 401, { ok: false, error_code: 401, description: "Unauthorized" });
      return;
    }
    const failure = this.failures.get(method)?.shift();
    if (failure) {
      this.replyError(res, new ApiError(failure.error_code, failure.description, failure.retry_after));
      return;
    }
    try {
      if (method === "getUpdates") {
        this.getUpdates(res, params);
        return;
      }
      const result = this.call(method, params, files);
      this.reply(res, 200, { ok: true, result });
    } catch (err) {
      if (err instanceof ApiError) this.replyError(res, err);
      else throw err;
    } finally {
      this.notify();
    }
  }

  private reply(res: http.ServerResponse, status: number, body: unknown): void {
    if (res.writableEnded || res.destroyed) return;
    const json = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(json) }).end(json);
  }

  private replyError(res: http.ServerResponse, err: ApiError): void {
    const body: Record<string, unknown> = { ok: false, error_code: err.code, description: err.description };
    if (err.retryAfter !== undefined) body.parameters = { retry_after: err.retryAfter };
    this.reply(res, err.code, body);
  }

  // --- methods -----------------------------------------------------------------------------------

  private call(method: string, p: Record<string, any>, files: Map<string, Buffer>): unknown {
    switch (method) {
      case "getMe":
        return this.botUser;
      case "setWebhook": {
        const url = typeof p.url === "string" ? p.url : "";
        if (!url) {
          this.webhook = null;
          return true;
        }
        if (!/^https?:\/\//.test(url)) throw new ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook");
        if (p.secret_token !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(String(p.secret_token))) {
          throw new ApiError(400, "Bad Request: secret token contains unallowed characters");
        }
        if (p.drop_pending_updates === true || p.drop_pending_updates === "true") this.updates = [];
        this.webhook = {
          url,
          secret: p.secret_token !== undefined ? String(p.secret_token) : undefined,
          allowedUpdates: p.allowed_updates,
        };
        if (Array.isArray(p.allowed_updates)) this.allowedUpdates = p.allowed_updates;
        for (const poller of [...this.pollers]) this.answerPoller(poller, null);
        setImmediate(() => this.deliver());
        return true;
      }
      case "deleteWebhook":
        this.webhook = null;
        if (p.drop_pending_updates === true || p.drop_pending_updates === "true") this.updates = [];
        return true;
      case "getWebhookInfo":
        return { url: this.webhook?.url ?? "", has_custom_certificate: false, pending_update_count: this.updates.length };
      case "sendMessage":
        return this.sendMessage(p);
      case "sendPhoto":
        return this.sendPhoto(p, files);
      case "editMessageText":
        return this.editMessageText(p);
      case "setMessageReaction": {
        const chatId = requireChat(p);
        const reaction = Array.isArray(p.reaction) ? p.reaction : [];
        this.reactions.push({ chatId, messageId: Number(p.message_id), emojis: reaction.map((r: any) => String(r.emoji)) });
        return true;
      }
      case "sendChatAction": {
        const chatId = requireChat(p);
        if (!CHAT_ACTIONS.has(String(p.action))) throw new ApiError(400, "Bad Request: wrong parameter action in request");
        const entry: { chatId: string; action: string; threadId?: number } = { chatId, action: String(p.action) };
        if (p.message_thread_id !== undefined) entry.threadId = Number(p.message_thread_id);
        this.actions.push(entry);
        return true;
      }
      case "setMyCommands": {
        const commands = p.commands;
        if (!Array.isArray(commands)) throw new ApiError(400, "Bad Request: commands must be an array");
        for (const c of commands) {
          if (
            !/^[a-z0-9_]{1,32}$/.test(String(c?.command)) ||
            typeof c?.description !== "string" ||
            !c.description ||
            c.description.length > 256
          ) {
            throw new ApiError(400, "Bad Request: BOT_COMMAND_INVALID");
          }
        }
        this.commands = commands.map((c: any) => ({ command: c.command, description: c.description }));
        return true;
      }
      case "deleteMyCommands":
        this.commands = [];
        return true;
      case "getMyCommands":
        return this.commands;
      case "getFile": {
        const file = this.files.get(String(p.file_id));
        if (!file) throw new ApiError(400, "Bad Request: invalid file_id");
        return { file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.bytes.length, file_path: file.file_path };
      }
      default:
        throw new ApiError(404, "Not Found: method not found");
    }
  }

  private getUpdates(res: http.ServerResponse, p: Record<string, any>): void {
    if (this.webhook) {
      throw new ApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    }
    const offset = p.offset !== undefined ? Number(p.offset) : 0;
    const limit = Math.min(Math.max(p.limit !== undefined ? Number(p.limit) : 100, 1), 100);
    const timeout = p.timeout !== undefined ? Number(p.timeout) : 0;
    if (Array.isArray(p.allowed_updates)) this.allowedUpdates = p.allowed_updates;
    // Calling with an offset confirms every update before it.
    if (offset > 0) this.updates = this.updates.filter((u) => u.update_id >= offset);
    const ready = this.deliverable(offset, limit);
    if (ready.length || timeout <= 0 || this.closed) {
      this.reply(res, 200, { ok: true, result: ready });
      return;
    }
    const poller: Poller = {
      res,
      offset,
      limit,
      timer: setTimeout(() => this.answerPoller(poller, []), timeout * 1000),
    };
    this.pollers.add(poller);
    res.on("close", () => {
      clearTimeout(poller.timer);
      this.pollers.delete(poller);
    });
  }

  private deliverable(offset: number, limit: number): any[] {
    return this.updates
      .filter((u) => u.update_id >= offset)
      .filter((u) => this.allowedUpdates.length === 0 || this.allowedUpdates.some((k) => k in u))
      .slice(0, limit);
  }

  /** `result` null answers the poller with 409 (a webhook was set meanwhile). */
  private answerPoller(p: Poller, result: any[] | null): void {
    clearTimeout(p.timer);
    this.pollers.delete(p);
    if (result === null) {
      this.replyError(p.res, new ApiError(409, "Conflict: terminated by setWebhook request"));
    } else {
      this.reply(p.res, 200, { ok: true, result });
    }
  }

  private deliver(): void {
    if (this.down || this.closed) return;
    if (this.webhook) {
      void this.pushWebhook();
      return;
    }
    for (const p of [...this.pollers]) {
      const ready = this.deliverable(p.offset, p.limit);
      if (ready.length) this.answerPoller(p, ready);
    }
  }

  private async pushWebhook(): Promise<void> {
    if (this.pushing) return;
    this.pushing = true;
    try {
      let attempts = 0;
      while (this.webhook && !this.down && !this.closed && this.updates.length) {
        const update = this.updates.find((u) => this.allowedUpdates.length === 0 || this.allowedUpdates.some((k) => k in u));
        if (!update) break;
        const hook = this.webhook;
        let status = 0;
        try {
          const headers: Record<string, string> = { "content-type": "application/json" };
          if (hook.secret) headers["x-telegram-bot-api-secret-token"] = hook.secret;
          const res = await fetch(hook.url, { method: "POST", headers, body: JSON.stringify(update), signal: AbortSignal.timeout(5000) });
          status = res.status;
          await res.arrayBuffer().catch(() => undefined);
        } catch {
          status = 0;
        }
        this.webhookDeliveries.push({ updateId: update.update_id, status });
        this.notify();
        if (status >= 200 && status < 300) {
          this.updates = this.updates.filter((u) => u !== update);
          attempts = 0;
        } else if (++attempts >= 50) {
          break;
        } else {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    } finally {
      this.pushing = false;
    }
  }

  private sendMessage(p: Record<string, any>): unknown {
    const chatId = requireChat(p);
    const text = p.text === undefined ? "" : String(p.text);
    const parseMode = p.parse_mode !== undefined ? String(p.parse_mode) : undefined;
    const plain = parseMode === "HTML" ? parseHtml(text) : text;
    if (!plain.trim()) throw new ApiError(400, "Bad Request: message text is empty");
    if (plain.length > 4096) throw new ApiError(400, "Bad Request: message is too long");
    const threadId = this.threadFor(p);
    const replyTo = replyTarget(p);
    const message = this.botMessage(chatId, threadId, { text: plain });
    this.record({ method: "sendMessage", chatId, text, parseMode, threadId, replyTo, messageId: message.message_id, plain });
    return message;
  }

  private sendPhoto(p: Record<string, any>, files: Map<string, Buffer>): unknown {
    const chatId = requireChat(p);
    let bytes: Buffer | undefined;
    const photo = p.photo;
    if (typeof photo === "string" && photo.startsWith("attach://")) bytes = files.get(photo.slice("attach://".length));
    else if (typeof photo === "string") bytes = this.files.get(photo)?.bytes;
    if (!bytes || !bytes.length) throw new ApiError(400, "Bad Request: there is no photo in the request");
    const caption = p.caption !== undefined ? String(p.caption) : undefined;
    const parseMode = p.parse_mode !== undefined ? String(p.parse_mode) : undefined;
    const plain = caption !== undefined && parseMode === "HTML" ? parseHtml(caption) : caption;
    if (plain && plain.length > 1024) throw new ApiError(400, "Bad Request: message caption is too long");
    const threadId = this.threadFor(p);
    const replyTo = replyTarget(p);
    const file = this.storeFile(bytes, "photos", "jpg");
    const extra: Record<string, unknown> = {
      photo: [{ file_id: file.file_id, file_unique_id: file.file_unique_id, width: 1280, height: 960, file_size: bytes.length }],
    };
    if (plain) extra.caption = plain;
    const message = this.botMessage(chatId, threadId, extra);
    const rec: SentRecord = {
      method: "sendPhoto",
      chatId,
      parseMode,
      threadId,
      replyTo,
      photo: true,
      messageId: message.message_id,
      photoBytes: bytes,
    };
    if (caption !== undefined) {
      rec.text = caption;
      rec.plain = plain;
    }
    this.record(rec);
    return message;
  }

  private editMessageText(p: Record<string, any>): unknown {
    const chatId = requireChat(p);
    const id = Number(p.message_id);
    const existing = this.messages.get(`${chatId}:${id}`);
    if (!existing) throw new ApiError(400, "Bad Request: message to edit not found");
    const text = String(p.text ?? "");
    const parseMode = p.parse_mode !== undefined ? String(p.parse_mode) : undefined;
    const plain = parseMode === "HTML" ? parseHtml(text) : text;
    if (!plain.trim()) throw new ApiError(400, "Bad Request: message text is empty");
    if (existing.text === plain) throw new ApiError(400, "Bad Request: message is not modified");
    existing.text = plain;
    existing.edit_date = Math.floor(Date.now() / 1000);
    this.record({ method: "editMessageText", chatId, text, parseMode, threadId: existing.message_thread_id, messageId: id, plain });
    return existing;
  }

  // --- helpers -----------------------------------------------------------------------------------

  private record(rec: SentRecord): void {
    for (const k of Object.keys(rec) as Array<keyof SentRecord>) if (rec[k] === undefined) delete rec[k];
    this.sent.push(rec);
  }

  private notify(): void {
    for (const fn of [...this.listeners]) fn();
  }

  private threadFor(p: Record<string, any>): number | undefined {
    if (p.message_thread_id === undefined) return undefined;
    const id = Number(p.message_thread_id);
    if (!Number.isInteger(id) || id === 1) throw new ApiError(400, "Bad Request: message thread not found");
    return id;
  }

  private chatFor(m: UserSendsOptions): any {
    const type = m.chatType ?? (m.chatId > 0 ? "private" : "group");
    const known = this.chats.get(m.chatId);
    if (known && known.type === type) {
      if (m.threadId !== undefined && type === "supergroup") known.is_forum = true;
      return known;
    }
    const chat: any =
      type === "private"
        ? {
            id: m.chatId,
            type,
            first_name: m.from.first_name ?? m.from.username ?? "User",
            ...(m.from.username ? { username: m.from.username } : {}),
          }
        : { id: m.chatId, type, title: `Test ${type} ${m.chatId}` };
    if (type === "supergroup" && m.threadId !== undefined) chat.is_forum = true;
    this.chats.set(m.chatId, chat);
    return chat;
  }

  private chatById(chatId: string): any {
    const id = Number(chatId);
    return this.chats.get(id) ?? (id > 0 ? { id, type: "private", first_name: "User" } : { id, type: "supergroup", title: `Chat ${id}` });
  }

  private botMessage(chatId: string, threadId: number | undefined, extra: Record<string, unknown>): any {
    const chat = this.chatById(chatId);
    const message: any = { message_id: this.nextMessageId++, from: this.botUser, chat, date: Math.floor(Date.now() / 1000), ...extra };
    if (threadId !== undefined) {
      message.message_thread_id = threadId;
      if (chat.is_forum) message.is_topic_message = true;
    }
    this.remember(message);
    return message;
  }

  private lastBotMessage(chat: any): any | undefined {
    let last: any;
    for (const msg of this.messages.values()) if (msg.chat.id === chat.id && msg.from?.id === this.botId) last = msg;
    return last;
  }

  private syntheticBotMessage(chat: any): any {
    const message = {
      message_id: this.nextMessageId++,
      from: this.botUser,
      chat,
      date: Math.floor(Date.now() / 1000) - 30,
      text: "an earlier reply",
    };
    this.remember(message);
    return message;
  }

  private remember(message: any): void {
    this.messages.set(`${message.chat.id}:${message.message_id}`, message);
  }

  private storeFile(bytes: Buffer, dir: string, ext: string): StoredFile {
    const n = this.nextFileId++;
    const file: StoredFile = {
      file_id: `AgACAgQAAxk-fake-${n}`,
      file_unique_id: `AQAD-fake-${n}`,
      file_path: `${dir}/file_${n}.${ext}`,
      bytes,
    };
    this.files.set(file.file_id, file);
    return file;
  }
}

// --- parsing -------------------------------------------------------------------------------------

/** Form values that hold JSON (arrays, objects) are decoded, as the Bot API does. */
function formValue(v: string): unknown {
  if (/^\s*[\[{]/.test(v)) {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  return v;
}

function parseParams(
  contentType: string | undefined,
  body: Buffer,
  query: URLSearchParams,
): { params: Record<string, any>; files: Map<string, Buffer> } {
  const params: Record<string, any> = {};
  const files = new Map<string, Buffer>();
  for (const [k, v] of query) params[k] = formValue(v);
  const ct = (contentType ?? "").toLowerCase();
  if (!body.length) return { params, files };
  if (ct.startsWith("application/json")) {
    Object.assign(params, JSON.parse(body.toString("utf8")));
  } else if (ct.startsWith("application/x-www-form-urlencoded")) {
    for (const [k, v] of new URLSearchParams(body.toString("utf8"))) params[k] = formValue(v);
  } else if (ct.startsWith("multipart/form-data")) {
    const boundary = /boundary=("?)([^";]+)\1/i.exec(contentType ?? "")?.[2];
    if (!boundary) throw new Error("multipart body without boundary");
    for (const part of parseMultipart(body, boundary)) {
      if (part.filename !== undefined) files.set(part.name, part.data);
      else params[part.name] = formValue(part.data.toString("utf8"));
    }
  }
  return { params, files };
}

/** A small multipart/form-data reader (grammY writes compact headers and unquoted filenames). */
function parseMultipart(body: Buffer, boundary: string): Array<{ name: string; filename?: string; data: Buffer }> {
  const delim = Buffer.from(`--${boundary}`);
  const parts: Array<{ name: string; filename?: string; data: Buffer }> = [];
  let pos = body.indexOf(delim);
  while (pos !== -1) {
    let start = pos + delim.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    if (body.subarray(start, start + 2).toString() === "\r\n") start += 2;
    const next = body.indexOf(delim, start);
    if (next === -1) break;
    let end = next;
    if (body.subarray(end - 2, end).toString() === "\r\n") end -= 2;
    const part = body.subarray(start, end);
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString("utf8");
      const disposition = /content-disposition:\s*([^\r\n]*)/i.exec(headers)?.[1] ?? "";
      const name = /\bname="?([^";\r\n]+)"?/i.exec(disposition)?.[1];
      const filename = /\bfilename="?([^";\r\n]*)"?/i.exec(disposition)?.[1];
      if (name) parts.push({ name, filename, data: part.subarray(headerEnd + 4) });
    }
    pos = next;
  }
  return parts;
}

function requireChat(p: Record<string, any>): string {
  if (p.chat_id === undefined || p.chat_id === "") throw new ApiError(400, "Bad Request: chat_id is empty");
  return String(p.chat_id);
}

function replyTarget(p: Record<string, any>): number | undefined {
  const rp = p.reply_parameters;
  if (rp && typeof rp === "object" && rp.message_id !== undefined) return Number(rp.message_id);
  if (p.reply_to_message_id !== undefined) return Number(p.reply_to_message_id);
  return undefined;
}

/**
 * Telegram's HTML rules: only its tags, properly nested, `<`, `>` and `&` escaped outside tags.
 * Returns the rendered text; throws "can't parse entities" like Telegram does.
 */
export function parseHtml(html: string): string {
  const fail = (why: string, at: number) => {
    throw new ApiError(400, `Bad Request: can't parse entities: ${why} at byte offset ${Buffer.byteLength(html.slice(0, at))}`);
  };
  const stack: string[] = [];
  let out = "";
  let i = 0;
  while (i < html.length) {
    const c = html[i]!;
    if (c === "<") {
      const m = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*>/.exec(html.slice(i));
      if (!m) fail("Unexpected end name token", i);
      const [whole, closing, rawName] = m!;
      const name = rawName!.toLowerCase();
      if (!ALLOWED_TAGS.has(name)) fail(`Unsupported start tag "${name}"`, i);
      if (closing) {
        if (stack.pop() !== name) fail(`Unmatched end tag "${name}"`, i);
      } else {
        stack.push(name);
      }
      i += whole!.length;
      continue;
    }
    if (c === "&") {
      const m = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);/.exec(html.slice(i));
      if (!m) fail('Character "&" must be escaped', i);
      const ent = m![1]!;
      out +=
        ent === "lt"
          ? "<"
          : ent === "gt"
            ? ">"
            : ent === "amp"
              ? "&"
              : ent === "quot"
                ? '"'
                : String.fromCodePoint(ent.startsWith("#x") ? parseInt(ent.slice(2), 16) : Number(ent.slice(1)));
      i += m![0].length;
      continue;
    }
    if (c === ">") fail('Character ">" must be escaped', i);
    out += c;
    i++;
  }
  if (stack.length) fail(`Can't find end tag corresponding to start tag "${stack.at(-1)}"`, html.length);
  return out;
}

/** The entities Telegram adds to a plain message: @mentions and /commands (UTF-16 offsets). */
export function detectEntities(text: string): any[] {
  const out: any[] = [];
  for (const m of text.matchAll(/(^|[^\w@/])(@[A-Za-z][A-Za-z0-9_]{3,31})\b/g)) {
    out.push({ type: "mention", offset: m.index! + m[1]!.length, length: m[2]!.length });
  }
  for (const m of text.matchAll(/(^|\s)(\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z][A-Za-z0-9_]{3,31})?)(?![\w@/])/g)) {
    out.push({ type: "bot_command", offset: m.index! + m[1]!.length, length: m[2]!.length });
  }
  return out.sort((a, b) => a.offset - b.offset);
}
