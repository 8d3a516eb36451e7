/**
 * The voice-call runtime, loaded on first use (a call placed, a webhook received): the provider's
 * client, the call store and manager, and the webhook route's work (read the body, check the
 * signature against the public URL, hand the event to the manager, answer in the provider's format).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../infra/logger.js";
import { readBodyUpTo } from "../gateway/http/body.js";
import { proxyMatcher } from "../gateway/trust.js";
import { apiBase, blockingPieces, CONFIG_PATH, type VoiceCallConfig } from "./config.js";
import { CallManager, type AgentBridge } from "./manager.js";
import { PlivoProvider } from "./providers/plivo.js";
import { TelnyxProvider } from "./providers/telnyx.js";
import { TwilioProvider } from "./providers/twilio.js";
import type { MediaSession, MediaStreamServer, VoiceCallSeams } from "./seams.js";
import type { Params } from "./signatures.js";
import { CallStore } from "./store.js";
import type { VoiceProvider, WebhookRequest } from "./types.js";

/** The largest webhook body read (providers send a few kilobytes). */
export const MAX_WEBHOOK_BODY = 64 * 1024;

export interface RuntimeOptions {
  config: VoiceCallConfig;
  storeDir: string;
  env: Record<string, string | undefined>;
  log: Logger;
  now(): number;
  agent: AgentBridge | null;
  trustedProxies: readonly string[];
  seams: VoiceCallSeams;
  /** The gateway's `messages.tts` and state directory, for the media side's speech. */
  messagesTts?: Record<string, unknown>;
  stateDir?: string;
}

export function createProvider(cfg: VoiceCallConfig): VoiceProvider {
  const problems = blockingPieces(cfg);
  if (problems.length) throw new Error(problems.join("; "));
  switch (cfg.provider) {
    case "twilio":
      return new TwilioProvider({
        accountSid: cfg.twilio!.accountSid!,
        authToken: cfg.twilio!.authToken!,
        apiBaseUrl: apiBase(cfg, "twilio"),
        skipSignatureVerification: cfg.skipSignatureVerification,
      });
    case "plivo":
      return new PlivoProvider({
        authId: cfg.plivo!.authId!,
        authToken: cfg.plivo!.authToken!,
        apiBaseUrl: apiBase(cfg, "plivo"),
        skipSignatureVerification: cfg.skipSignatureVerification,
      });
    case "telnyx":
      return new TelnyxProvider({
        apiKey: cfg.telnyx!.apiKey!,
        connectionId: cfg.telnyx!.connectionId!,
        publicKey: cfg.telnyx?.publicKey,
        apiBaseUrl: apiBase(cfg, "telnyx"),
        skipSignatureVerification: cfg.skipSignatureVerification,
      });
    default:
      throw new Error(`${CONFIG_PATH}.provider "${cfg.provider}" is not supported by this gateway; use twilio, telnyx or plivo`);
  }
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.split(",")[0]?.trim();

export class VoiceCallRuntime {
  readonly manager: CallManager;
  readonly provider: VoiceProvider;
  readonly store: CallStore;
  private tunnelUrl: string | null = null;
  private readonly trusted: (ip: string) => boolean;
  private readonly sessions = new Map<string, MediaSession>();
  private stopTunnel: (() => Promise<void>) | null = null;
  private mediaServer: MediaStreamServer | null = null;

  constructor(private readonly o: RuntimeOptions) {
    this.provider = createProvider(o.config);
    this.store = new CallStore(o.storeDir);
    this.trusted = proxyMatcher(o.trustedProxies);
    const media = o.config.streaming.enabled ? o.seams.media : undefined;
    this.manager = new CallManager({
      config: o.config,
      provider: this.provider,
      store: this.store,
      webhookUrl: () => this.publicWebhookUrl(),
      agent: o.agent,
      log: o.log,
      now: o.now,
      media: media
        ? {
            sessions: this.sessions,
            streamTwiml: (callId) => media.twimlStream(this.streamUrl() ?? "", { callId }),
          }
        : undefined,
    });
    if (media)
      this.mediaServer = media.createMediaStreamServer({
        config: { streaming: o.config.streaming, tts: o.config.tts, messagesTts: o.messagesTts, stateDir: o.stateDir },
        env: o.env,
        log: o.log,
        handlers: { onStart: (info) => this.manager.mediaStarted(info.callSid, info.customParameters.callId) },
        sessions: this.sessions,
      });
    try {
      const restored = this.manager.restore();
      if (restored) o.log.info(`voice calls: ${restored} call(s) still active from before the restart`);
    } catch (e) {
      o.log.error(`voice calls: could not read the call log ${this.store.file}: ${(e as Error).message}`);
    }
  }

  /** The media-stream server (for the WebSocket upgrade on `streaming.streamPath`), when streaming is on. */
  get media(): MediaStreamServer | null {
    return this.mediaServer;
  }

  /** A URL a tunnel hands over once it is up. */
  setTunnelUrl(url: string | null): void {
    this.tunnelUrl = url;
  }

  async startTunnel(port: number): Promise<void> {
    const t = this.o.config.tunnel;
    if (t.provider === "none" || !this.o.seams.startTunnel) return;
    const tunnel = await this.o.seams.startTunnel({
      provider: t.provider,
      port,
      path: this.o.config.serve.path,
      ngrokAuthToken: t.ngrokAuthToken,
      ngrokDomain: t.ngrokDomain,
      env: this.o.env,
      log: this.o.log,
      onUrlChange: (url) => {
        this.o.log.info(`voice webhook now reached at ${url}`);
        this.setTunnelUrl(url);
      },
    });
    this.stopTunnel = () => tunnel.stop();
    this.setTunnelUrl(tunnel.publicUrl);
  }

  /** `publicUrl` (a full webhook URL; a bare origin gets `serve.path`), else the tunnel's. */
  publicWebhookUrl(): string | null {
    const given = this.o.config.publicUrl ?? this.tunnelUrl;
    if (!given) return null;
    const u = new URL(given);
    if (u.pathname === "/" || u.pathname === "") u.pathname = this.o.config.serve.path;
    u.search = "";
    return u.toString();
  }

  private streamUrl(): string | null {
    const base = this.publicWebhookUrl();
    if (!base) return null;
    const u = new URL(base);
    u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
    u.pathname = this.o.config.streaming.streamPath;
    return u.toString();
  }

  /**
   * The webhook URL this request was sent to: the configured or tunnel URL; else, only when the
   * peer is a trusted proxy, its X-Forwarded-Proto/Host; else the Host header over plain HTTP.
   */
  private requestBase(req: IncomingMessage): string {
    const known = this.publicWebhookUrl();
    if (known) return known;
    const path = (req.url ?? "/").split("?")[0]!;
    const peer = req.socket.remoteAddress ?? "";
    if (this.trusted(peer)) {
      const proto = first(req.headers["x-forwarded-proto"]);
      const host = first(req.headers["x-forwarded-host"]) ?? first(req.headers.host);
      if (host) return `${proto === "https" ? "https" : proto === "http" ? "http" : "https"}://${host}${path}`;
    }
    return `http://${req.headers.host ?? "localhost"}${path}`;
  }

  async handleWebhook(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const log = this.o.log;
    if (req.method !== "POST") return void text(res, 405, "Method Not Allowed", { allow: "POST" });
    const body = (await readBodyUpTo(req, MAX_WEBHOOK_BODY))?.toString("utf8") ?? null;
    if (body === null) return void text(res, 413, `webhook body larger than ${MAX_WEBHOOK_BODY} bytes`, { connection: "close" });
    const base = this.requestBase(req);
    const query = new URL(req.url ?? "/", "http://x").searchParams;
    const full = new URL(base);
    full.search = query.toString() ? `?${(req.url ?? "").split("?").slice(1).join("?")}` : "";
    const ctype = String(req.headers["content-type"] ?? "");
    const params: Params = ctype.includes("application/x-www-form-urlencoded") ? [...new URLSearchParams(body).entries()] : [];
    const wr: WebhookRequest = { method: "POST", url: full.toString(), query, headers: req.headers, rawBody: body, params };
    const verdict = this.provider.verify(wr, this.o.now());
    if (!verdict.ok) {
      log.warn(`voice webhook from ${req.socket.remoteAddress ?? "?"} refused: ${verdict.reason}`);
      return void text(res, 401, "Unauthorized");
    }
    try {
      const event = this.provider.parse(wr);
      const reply = await this.manager.handle(event, base);
      const out = this.provider.render(reply ?? {});
      res.writeHead(200, { "content-type": out.contentType });
      res.end(out.body);
      if (reply && this.provider.act && event.kind !== "ignore")
        await this.provider
          .act(event.providerCallId, reply)
          .catch((e: Error) => log.warn(`voice call ${event.providerCallId}: ${e.message}`));
    } catch (e) {
      log.error(`voice webhook: ${(e as Error).message}`);
      text(res, 500, "could not handle the webhook; see the gateway log");
    }
  }

  async stop(): Promise<void> {
    this.manager.stop();
    this.provider.stop?.();
    await this.mediaServer?.close().catch(() => undefined);
    await this.stopTunnel?.().catch(() => undefined);
  }
}

function text(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
  res.end(body);
}
