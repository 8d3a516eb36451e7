/**
 * Streaming speech-to-text through an OpenAI Realtime transcription session over WebSocket:
 * `{base}/v1/realtime?intent=transcription`, configured with `transcription_session.update` for
 * μ-law input (the caller's audio goes through untouched), the transcription model and server-side
 * voice activity detection. The caller's speech starting and each finished utterance come back as
 * events. A dropped connection is reopened once; audio sent meanwhile is buffered (bounded).
 */
import type { Logger } from "../../infra/logger.js";

export const DEFAULT_REALTIME_BASE_URL = "wss://api.openai.com";
/** μ-law bytes held while the connection opens (10 s at 8 kHz); older audio is dropped. */
const MAX_BUFFERED_BYTES = 80_000;
/** Largest message accepted from the transcription server. */
const MAX_SERVER_MESSAGE = 1024 * 1024;

export interface RealtimeSttOptions {
  /** `streaming.openaiBaseUrl` (http(s) or ws(s)); default wss://api.openai.com. */
  baseUrl?: string;
  apiKey: string;
  model: string;
  vadThreshold: number;
  silenceDurationMs: number;
  log: Logger;
  onSpeechStart(): void;
  onTranscript(text: string, final: boolean): void;
  /** The session gave up (failed twice, or the server refused it). */
  onError?(message: string): void;
}

export function realtimeUrl(baseUrl: string | undefined): string {
  const base = (baseUrl?.trim() || DEFAULT_REALTIME_BASE_URL).replace(/\/+$/, "").replace(/^http(s?):\/\//i, "ws$1://");
  const root = base.endsWith("/v1") ? base : `${base}/v1`;
  return `${root}/realtime?intent=transcription`;
}

export class RealtimeStt {
  private ws: import("ws").WebSocket | null = null;
  private open = false;
  private closed = false;
  private reconnects = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private partial = "";

  constructor(private readonly opts: RealtimeSttOptions) {}

  async start(): Promise<void> {
    const { WebSocket } = await import("ws");
    if (this.closed) return;
    const ws = new WebSocket(realtimeUrl(this.opts.baseUrl), {
      headers: { authorization: `Bearer ${this.opts.apiKey}`, "OpenAI-Beta": "realtime=v1" },
      maxPayload: MAX_SERVER_MESSAGE,
      handshakeTimeout: 10_000,
    });
    this.ws = ws;
    ws.on("open", () => {
      this.open = true;
      ws.send(
        JSON.stringify({
          type: "transcription_session.update",
          session: {
            input_audio_format: "g711_ulaw",
            input_audio_transcription: { model: this.opts.model },
            turn_detection: {
              type: "server_vad",
              threshold: this.opts.vadThreshold,
              prefix_padding_ms: 300,
              silence_duration_ms: this.opts.silenceDurationMs,
            },
          },
        }),
      );
      const queued = this.pending;
      this.pending = [];
      this.pendingBytes = 0;
      for (const audio of queued) this.sendNow(audio);
    });
    ws.on("message", (data) => this.onMessage(data.toString()));
    ws.on("error", (e) => this.opts.log.warn(`speech-to-text connection error: ${e.message}`));
    ws.on("close", (code) => {
      this.open = false;
      if (this.ws !== ws || this.closed) return;
      if (this.reconnects < 1) {
        this.reconnects++;
        this.opts.log.warn(`speech-to-text connection closed (${code}); reconnecting`);
        void this.start();
      } else {
        this.opts.log.error(`speech-to-text connection closed again (${code}); transcription stopped for this call`);
        this.opts.onError?.(`speech-to-text connection closed (${code})`);
      }
    });
  }

  /** Sends caller audio (8 kHz μ-law). */
  send(audio: Buffer): void {
    if (this.closed) return;
    if (this.open) return this.sendNow(audio);
    this.pending.push(audio);
    this.pendingBytes += audio.length;
    while (this.pendingBytes > MAX_BUFFERED_BYTES && this.pending.length) this.pendingBytes -= this.pending.shift()!.length;
  }

  close(): void {
    this.closed = true;
    this.open = false;
    this.pending = [];
    this.ws?.close();
    this.ws = null;
  }

  private sendNow(audio: Buffer): void {
    this.ws?.send(JSON.stringify({ type: "input_audio_buffer.append", audio: audio.toString("base64") }));
  }

  private onMessage(text: string): void {
    let msg: { type?: unknown; delta?: unknown; transcript?: unknown; error?: { message?: unknown } };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    switch (msg.type) {
      case "input_audio_buffer.speech_started":
        this.partial = "";
        this.opts.onSpeechStart();
        break;
      case "conversation.item.input_audio_transcription.delta":
        if (typeof msg.delta === "string" && msg.delta) {
          this.partial = (this.partial + msg.delta).slice(-4000);
          this.opts.onTranscript(this.partial, false);
        }
        break;
      case "conversation.item.input_audio_transcription.completed": {
        const t = typeof msg.transcript === "string" ? msg.transcript.trim() : "";
        this.partial = "";
        if (t) this.opts.onTranscript(t, true);
        break;
      }
      case "error":
        this.opts.log.warn(`speech-to-text error: ${String(msg.error?.message ?? "unknown")}`);
        break;
    }
  }
}
