/**
 * Twilio media streams: the WebSocket a `<Connect><Stream url=…>` call opens to us. Twilio sends
 * `connected`, `start` (stream and call ids, the custom parameters from the TwiML), `media` (20 ms of
 * base64 μ-law caller audio), `mark` (echoing ours once played) and `stop`; we send `media` frames of
 * synthesized speech, a `mark` after each utterance, and `clear` to cut playback when the caller
 * talks over it.
 *
 * The WebSocket path is public, so the owner of the call authenticates each stream in `onStart`
 * (the call manager issued a token in the custom parameters); returning null ends the stream.
 * Sockets that never say `start` are dropped, frames are size-bounded, and bad JSON is ignored.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocket, WebSocketServer } from "ws";
import type { Logger } from "../../infra/logger.js";
import { mergeTts, resolveTtsConfig, type ResolvedTtsConfig } from "../../tts/config.js";
import { telephonySpeech } from "../../tts/speech.js";
import { Framer } from "./mulaw.js";
import { RealtimeStt } from "./stt-openai-realtime.js";

/** Largest WebSocket message accepted from Twilio (a media frame is well under 1 KiB). */
export const MAX_STREAM_FRAME = 64 * 1024;
/** Largest decoded audio payload in one `media` message. */
const MAX_MEDIA_BYTES = 16 * 1024;
const MAX_PARAMS = 32;
const MAX_PARAM_CHARS = 1024;

/** The `streaming` keys of the voice-call config (OpenClaw's, plus `openaiBaseUrl`, which is ours). */
export interface StreamingKeys {
  enabled?: boolean;
  sttProvider?: "openai-realtime";
  openaiApiKey?: string;
  sttModel?: string;
  silenceDurationMs?: number;
  vadThreshold?: number;
  streamPath?: string;
  /** Ours: where the Realtime transcription API lives (default wss://api.openai.com); http(s) or ws(s). */
  openaiBaseUrl?: string;
}

export interface VoiceStreamingConfig {
  streaming?: StreamingKeys;
  /** The voice-call plugin's `tts` block, deep-merged over `messagesTts`. */
  tts?: Record<string, unknown>;
  /** The gateway's `messages.tts`. */
  messagesTts?: Record<string, unknown>;
  /** The state dir (TTS preferences file); default "." */
  stateDir?: string;
}

export interface StreamStartInfo {
  streamSid: string;
  callSid: string;
  customParameters: Record<string, string>;
}

export interface MediaStreamHandlers {
  onStart(info: StreamStartInfo): MediaCallbacks | null;
}

export interface MediaCallbacks {
  onTranscript(text: string, final: boolean): void;
  onSpeechStart?(): void;
  onClose(): void;
}

export interface MediaSession {
  speak(text: string, opts?: { signal?: AbortSignal }): Promise<void>;
  clear(): void;
  close(): void;
}

export interface MediaStreamServerOptions {
  config: VoiceStreamingConfig;
  env: Record<string, string | undefined>;
  log: Logger;
  handlers: MediaStreamHandlers;
  sessions: Map<string, MediaSession>;
  /** How long a socket may stay without `start` (default 5 s). */
  startTimeoutMs?: number;
}

export interface MediaStreamServer {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

const escapeXml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");

/** TwiML connecting the call's audio to the media stream at `url`, with custom parameters. */
export function twimlStream(url: string, params: Record<string, string> = {}): string {
  const p = Object.entries(params)
    .map(([name, value]) => `<Parameter name="${escapeXml(name)}" value="${escapeXml(value)}"/>`)
    .join("");
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="${escapeXml(url)}">${p}</Stream></Connect></Response>`;
}

const str = (v: unknown, max = 256): string => (typeof v === "string" ? v.slice(0, max) : "");

function customParameters(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof raw !== "object" || raw === null) return out;
  for (const [k, v] of Object.entries(raw).slice(0, MAX_PARAMS))
    if (typeof v === "string") out[k.slice(0, 128)] = v.slice(0, MAX_PARAM_CHARS);
  return out;
}

export function createMediaStreamServer(opts: MediaStreamServerOptions): MediaStreamServer {
  let wss: WebSocketServer | null = null;
  let closing = false;
  const loading = import("ws").then((m) => {
    wss = new m.WebSocketServer({ noServer: true, maxPayload: MAX_STREAM_FRAME, perMessageDeflate: false });
    return wss;
  });
  return {
    handleUpgrade(req, socket, head) {
      if (closing) return void socket.destroy();
      socket.on("error", () => undefined);
      void loading.then((server) => {
        if (closing) return void socket.destroy();
        server.handleUpgrade(req, socket, head, (ws) => accept(ws, opts));
      });
    },
    async close() {
      closing = true;
      const server = wss ?? (await loading);
      for (const ws of server.clients) ws.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function accept(ws: WebSocket, opts: MediaStreamServerOptions): void {
  const { log } = opts;
  let session: StreamSession | null = null;
  const timer = setTimeout(() => {
    log.warn("media stream closed: no start message");
    ws.close(1008, "start expected");
  }, opts.startTimeoutMs ?? 5000);
  ws.on("error", (e) => log.debug(`media stream socket error: ${e.message}`));
  ws.on("close", () => {
    clearTimeout(timer);
    session?.ended();
  });
  ws.on("message", (data, isBinary) => {
    if (isBinary) return;
    let msg: Record<string, unknown>;
    try {
      const parsed = JSON.parse(data.toString()) as unknown;
      if (typeof parsed !== "object" || parsed === null) return;
      msg = parsed as Record<string, unknown>;
    } catch {
      log.debug("media stream: ignored a message that is not JSON");
      return;
    }
    switch (msg.event) {
      case "connected":
        return;
      case "start": {
        if (session) return;
        clearTimeout(timer);
        const start = (msg.start ?? {}) as Record<string, unknown>;
        const info: StreamStartInfo = {
          streamSid: str(start.streamSid) || str(msg.streamSid),
          callSid: str(start.callSid),
          customParameters: customParameters(start.customParameters),
        };
        if (!info.streamSid || !info.callSid) {
          log.warn("media stream closed: start without streamSid or callSid");
          return void ws.close(1008, "invalid start");
        }
        let callbacks: MediaCallbacks | null = null;
        try {
          callbacks = opts.handlers.onStart(info);
        } catch (e) {
          log.error(`media stream start handler failed: ${(e as Error).message}`);
        }
        if (!callbacks) {
          log.warn(`media stream for call ${info.callSid} refused`);
          return void ws.close(1008, "stream refused");
        }
        session = new StreamSession(ws, info, callbacks, opts);
        return;
      }
      case "media": {
        const media = (msg.media ?? {}) as Record<string, unknown>;
        if (!session || (media.track !== undefined && media.track !== "inbound")) return;
        const payload = str(media.payload, (MAX_MEDIA_BYTES * 4) / 3 + 4);
        if (payload) session.audio(Buffer.from(payload, "base64"));
        return;
      }
      case "mark": {
        const mark = (msg.mark ?? {}) as Record<string, unknown>;
        session?.marked(str(mark.name));
        return;
      }
      case "stop":
        ws.close(1000);
        return;
    }
  });
}

interface Utterance {
  controller: AbortController;
  mark: string;
  done: () => void;
}

class StreamSession implements MediaSession {
  private readonly stt: RealtimeStt | null = null;
  private readonly tts: ResolvedTtsConfig;
  private queue: Promise<void> = Promise.resolve();
  private current: Utterance | null = null;
  private generation = 0;
  private count = 0;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly info: StreamStartInfo,
    private readonly callbacks: MediaCallbacks,
    private readonly opts: MediaStreamServerOptions,
  ) {
    const { config, env, log } = opts;
    const s = config.streaming ?? {};
    this.tts = resolveTtsConfig(mergeTts(config.messagesTts, config.tts), { env, stateDir: config.stateDir ?? "." });
    const apiKey = s.openaiApiKey?.trim() || env.OPENAI_API_KEY?.trim();
    if (apiKey) {
      this.stt = new RealtimeStt({
        baseUrl: s.openaiBaseUrl,
        apiKey,
        model: s.sttModel ?? "gpt-4o-transcribe",
        vadThreshold: s.vadThreshold ?? 0.5,
        silenceDurationMs: s.silenceDurationMs ?? 800,
        log,
        onSpeechStart: () => this.speechStarted(),
        onTranscript: (text, final) => this.safely(() => callbacks.onTranscript(text, final)),
      });
      void this.stt.start().catch((e: unknown) => log.error(`speech-to-text could not start: ${(e as Error).message}`));
    } else {
      log.warn(
        `call ${info.callSid}: no OpenAI key for speech-to-text (streaming.openaiApiKey or OPENAI_API_KEY); the caller will not be heard`,
      );
    }
    opts.sessions.set(info.callSid, this);
  }

  audio(bytes: Buffer): void {
    this.stt?.send(bytes);
  }

  marked(name: string): void {
    if (this.current && this.current.mark === name) this.current.done();
  }

  speak(text: string, o: { signal?: AbortSignal } = {}): Promise<void> {
    const gen = this.generation;
    const run = () => (this.closed || gen !== this.generation || o.signal?.aborted ? Promise.resolve() : this.utter(text, o.signal));
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  clear(): void {
    this.generation++;
    if (!this.closed) this.send({ event: "clear", streamSid: this.info.streamSid });
    this.stopCurrent();
  }

  close(): void {
    if (!this.closed) this.ws.close(1000);
    this.ended();
  }

  ended(): void {
    if (this.closed) return;
    this.closed = true;
    this.generation++;
    this.stopCurrent();
    this.stt?.close();
    if (this.opts.sessions.get(this.info.callSid) === this) this.opts.sessions.delete(this.info.callSid);
    this.safely(() => this.callbacks.onClose());
  }

  private stopCurrent(): void {
    const u = this.current;
    if (!u) return;
    u.controller.abort();
    u.done();
  }

  private speechStarted(): void {
    if (this.current) {
      this.opts.log.debug(`call ${this.info.callSid}: caller spoke over playback; clearing`);
      this.clear();
    }
    this.safely(() => this.callbacks.onSpeechStart?.());
  }

  private async utter(text: string, signal: AbortSignal | undefined): Promise<void> {
    const controller = new AbortController();
    const onAbort = () => this.clear();
    signal?.addEventListener("abort", onAbort, { once: true });
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const u: Utterance = { controller, mark: `utterance-${++this.count}`, done };
    this.current = u;
    try {
      const framer = new Framer();
      try {
        for await (const chunk of telephonySpeech(this.tts, this.tts.provider, text, { signal: controller.signal })) {
          if (controller.signal.aborted) break;
          for (const frame of framer.push(chunk)) this.sendFrame(frame);
        }
      } catch (e) {
        if (controller.signal.aborted) return;
        throw e;
      }
      if (controller.signal.aborted) return;
      for (const frame of framer.flush()) this.sendFrame(frame);
      this.send({ event: "mark", streamSid: this.info.streamSid, mark: { name: u.mark } });
      await finished;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      if (this.current === u) this.current = null;
    }
  }

  private sendFrame(frame: Buffer): void {
    this.send({ event: "media", streamSid: this.info.streamSid, media: { payload: frame.toString("base64") } });
  }

  private send(msg: unknown): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.opts.log.error(`call ${this.info.callSid}: media handler failed: ${(e as Error).message}`);
    }
  }
}
