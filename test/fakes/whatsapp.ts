/**
 * A fake WhatsApp for the WhatsApp channel, faked at the socket object Baileys' `makeWASocket` returns.
 *
 * Why this layer and not the wire: Baileys does accept a WebSocket URL (`waWebSocketUrl`), but the
 * server end of its Noise handshake must present a certificate chain whose intermediate is signed by
 * WhatsApp's long-term key (`WA_CERT_DETAILS.PUBLIC_KEY`, verified in `Utils/noise-handler.js`); without
 * that private key no loopback server can complete the handshake, and past it lie the binary node
 * protocol and Signal sessions. So the fake stands where the adapter meets the library: it returns
 * sockets whose `ev` is Baileys' own event emitter (`makeEventBuffer`), emits events in the shapes the
 * real socket emits (`connection.update` with a QR string, `connection: "open"`, a Boom
 * `lastDisconnect.error` with 515 after pairing or 401 when logged out, `creds.update`, and
 * `messages.upsert` carrying WAMessage protos built with Baileys' `proto`), and records what the adapter
 * asked of it (`sendMessage`, `readMessages`, `sendPresenceUpdate`). Everything else the adapter does is
 * real Baileys: `useMultiFileAuthState`, `initAuthCreds`, `BufferJSON`, `makeCacheableSignalKeyStore`,
 * jid helpers, `normalizeMessageContent`, `DisconnectReason`.
 *
 * Standalone use (a benchmark): `const wa = startWhatsAppFake(); wa.gatewayOptions(stateDir)` links the
 * default account in that state dir and returns what `startGateway` needs to run it connected
 * (`channelFactories` and a `channels.whatsapp` block); bench/whatsapp-rss.mjs measures the RSS it adds.
 */
import fs from "node:fs";
import path from "node:path";
import { Boom } from "@hapi/boom";
import {
  BufferJSON,
  DisconnectReason,
  initAuthCreds,
  makeEventBuffer,
  proto,
  type UserFacingSocketConfig,
  type WAMessage,
} from "@whiskeysockets/baileys";
import { whatsappAdapterFactory, type SocketFactory, type WaSocket, type WhatsAppDeps } from "../../src/channels/whatsapp/index.js";

export const OWN_NUMBER = "15550001111";
export const OWN_JID = `${OWN_NUMBER}:7@s.whatsapp.net`;

export interface SentMessage {
  jid: string;
  content: Record<string, any>;
  quotedId?: string;
  id: string;
  /** The text the user sees (text or caption). */
  text?: string;
}

const silent: any = { level: "silent", child: () => silent, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

export class FakeWaSocket {
  readonly ev = makeEventBuffer(silent);
  user: { id: string; name?: string } | undefined;
  ended = false;
  constructor(
    readonly fake: WhatsAppFake,
    readonly config: UserFacingSocketConfig,
  ) {}

  /** As the real socket does on its own, shortly after it opens: a QR when unlinked, else `open`. */
  boot(): void {
    setImmediate(() => {
      if (this.ended) return;
      const creds = this.config.auth.creds;
      this.ev.emit("connection.update", { connection: "connecting" });
      if (this.fake.nextClose) {
        const code = this.fake.nextClose;
        this.fake.nextClose = undefined;
        return this.close(code);
      }
      if (!creds.me) this.ev.emit("connection.update", { qr: `2@fake-qr-${this.fake.sockets.length},${OWN_NUMBER}` });
      else {
        this.user = { id: creds.me.id, name: creds.me.name };
        this.ev.emit("connection.update", { connection: "open" });
      }
    });
  }

  close(statusCode: number, message = "Connection Failure"): void {
    this.ev.emit("connection.update", {
      connection: "close",
      lastDisconnect: { error: new Boom(message, { statusCode }), date: new Date() },
    });
    this.ended = true;
  }

  async sendMessage(jid: string, content: Record<string, any>, opts: { quoted?: { key: { id?: string } } } = {}) {
    if (this.ended) throw new Boom("Connection Closed", { statusCode: DisconnectReason.connectionClosed });
    const id = `3EB0${(++this.fake.seq).toString(16).padStart(8, "0").toUpperCase()}`;
    const sent: SentMessage = { jid, content, id, quotedId: opts.quoted?.key?.id ?? undefined, text: content.text ?? content.caption };
    this.fake.sent.push(sent);
    this.fake.emitter.emit();
    return proto.WebMessageInfo.fromObject({ key: { remoteJid: jid, fromMe: true, id }, messageTimestamp: Math.floor(Date.now() / 1000) });
  }

  async readMessages(keys: Array<Record<string, any>>) {
    this.fake.reads.push(...keys);
    this.fake.emitter.emit();
  }

  async sendPresenceUpdate(type: string, jid?: string) {
    this.fake.presence.push({ type, jid });
    this.fake.emitter.emit();
  }

  end(_err?: Error): void {
    if (this.ended) return;
    this.close(DisconnectReason.connectionClosed, "Connection Closed");
  }

  async logout(): Promise<void> {
    this.close(DisconnectReason.loggedOut, "Intentional Logout");
  }
}

/** Wakes waiters when something is recorded. */
class Signal {
  private waiters: Array<() => void> = [];
  emit(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
  async until<T>(fn: () => T | undefined | false, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = fn();
      if (v) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((res) => {
        const t = setTimeout(res, Math.min(left, 200));
        this.waiters.push(() => (clearTimeout(t), res()));
      });
    }
  }
}

export class WhatsAppFake {
  readonly sockets: FakeWaSocket[] = [];
  readonly sent: SentMessage[] = [];
  readonly reads: Array<Record<string, any>> = [];
  readonly presence: Array<{ type: string; jid?: string }> = [];
  readonly emitter = new Signal();
  seq = 0;
  /** The next socket closes with this status instead of connecting (a network drop, a logout...). */
  nextClose: number | undefined;

  /** The factory an adapter uses in place of Baileys' `makeWASocket`. */
  readonly makeSocket: SocketFactory = (config) => {
    const s = new FakeWaSocket(this, config);
    this.sockets.push(s);
    this.emitter.emit();
    s.boot();
    return s as unknown as WaSocket;
  };

  adapterFactory(deps: Omit<WhatsAppDeps, "makeSocket"> = {}) {
    return whatsappAdapterFactory({ ...deps, makeSocket: this.makeSocket });
  }

  get current(): FakeWaSocket | undefined {
    return [...this.sockets].reverse().find((s) => !s.ended);
  }

  waitFor<T>(fn: () => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
    return this.emitter.until(fn, timeoutMs, what);
  }

  async waitForSent(count: number, timeoutMs = 5000): Promise<SentMessage[]> {
    return this.waitFor(
      () => this.sent.length >= count && this.sent,
      `${count} sent WhatsApp messages (have ${this.sent.length})`,
      timeoutMs,
    );
  }

  /**
   * The phone scans the QR: WhatsApp sends the new identity (`creds.update`), then closes the socket
   * with 515 "restart required", as it does after pairing.
   */
  scan(number = OWN_NUMBER): void {
    const s = this.current;
    if (!s) throw new Error("no open socket to scan");
    const me = { id: `${number}:7@s.whatsapp.net`, name: "Owner" };
    Object.assign(s.config.auth.creds, { me, registered: true, platform: "android" });
    s.ev.emit("creds.update", { me, registered: true, platform: "android" });
    setTimeout(() => s.close(DisconnectReason.restartRequired, "Stream Errored (restart required)"), 5);
  }

  /** Writes linked credentials, as a finished pairing leaves them, into an account's auth dir. */
  link(authDir: string, number = OWN_NUMBER): void {
    fs.mkdirSync(authDir, { recursive: true });
    const creds = { ...initAuthCreds(), me: { id: `${number}:7@s.whatsapp.net`, name: "Owner" }, registered: true };
    fs.writeFileSync(path.join(authDir, "creds.json"), JSON.stringify(creds, BufferJSON.replacer));
  }

  /** Links the default account in `stateDir` and returns the gateway options that run it against this fake. */
  gatewayOptions(stateDir: string) {
    this.link(path.join(stateDir, "credentials", "whatsapp", "default"));
    return {
      channels: { whatsapp: { dmPolicy: "open", allowFrom: ["*"] } },
      channelFactories: { whatsapp: this.adapterFactory() },
    };
  }

  /** A person writes: a `messages.upsert` of type notify with a real WAMessage proto. */
  inbound(opts: {
    from: string; // E.164 digits of the author
    text?: string;
    group?: string; // jid of a group
    mentions?: string[];
    replyTo?: { id: string; participant: string; text: string };
    fromMe?: boolean;
    chat?: string;
    image?: boolean;
    pushName?: string;
  }): string {
    const s = this.current;
    if (!s) throw new Error("no open socket");
    const id = `IN${(++this.seq).toString(16).padStart(10, "0").toUpperCase()}`;
    const author = `${opts.from}@s.whatsapp.net`;
    const contextInfo =
      opts.mentions || opts.replyTo
        ? {
            mentionedJid: opts.mentions ?? [],
            ...(opts.replyTo
              ? { stanzaId: opts.replyTo.id, participant: opts.replyTo.participant, quotedMessage: { conversation: opts.replyTo.text } }
              : {}),
          }
        : undefined;
    const message = opts.image
      ? { imageMessage: { caption: opts.text, mimetype: "image/png", fileLength: 68, contextInfo } }
      : contextInfo
        ? { extendedTextMessage: { text: opts.text, contextInfo } }
        : { conversation: opts.text };
    const msg = proto.WebMessageInfo.fromObject({
      key: {
        remoteJid: opts.chat ?? opts.group ?? author,
        fromMe: Boolean(opts.fromMe),
        id,
        ...(opts.group ? { participant: author } : {}),
      },
      message,
      messageTimestamp: Math.floor(Date.now() / 1000),
      pushName: opts.pushName ?? "Someone",
    });
    s.ev.emit("messages.upsert", { messages: [msg as WAMessage], type: "notify" });
    return id;
  }

  /** WhatsApp ends the session: 401 logged out (unlinked from the phone), 403, or a plain drop. */
  disconnect(statusCode: number): void {
    const s = this.current;
    if (!s) throw new Error("no open socket");
    s.close(statusCode);
  }

  close(): void {
    for (const s of this.sockets) if (!s.ended) s.end();
  }
}

export function startWhatsAppFake(): WhatsAppFake {
  return new WhatsAppFake();
}
