/**
 * Fakes for call audio on 127.0.0.1 (port 0):
 *
 * - `startFakeRealtime()`: an OpenAI Realtime transcription server (WebSocket at
 *   `/v1/realtime?intent=transcription`). It records the headers, the `transcription_session.update`
 *   and the μ-law audio appended with `input_audio_buffer.append`. `speechStarted()` and
 *   `transcribe(text)` emit `input_audio_buffer.speech_started` and a delta + completed transcription;
 *   with `autoTranscript`, both happen once `afterFrames` audio messages have arrived. `drop()` closes
 *   every connection (to test reconnecting).
 * - `startFakeTts()`: OpenAI `POST /v1/audio/speech` answering PCM16 24 kHz of a 440 Hz tone (mp3
 *   requests get fake mp3 bytes) and ElevenLabs `POST /v1/text-to-speech/{voice}[/stream]`. With
 *   `hold`, a response sends its first chunk and then waits until `release()` or the client aborts.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { readBody } from "./http.js";

export interface FakeRealtime {
  /** `streaming.openaiBaseUrl`: http://127.0.0.1:PORT */
  baseUrl: string;
  headers: http.IncomingHttpHeaders[];
  sessionUpdates: any[];
  /** μ-law audio received, all connections together. */
  audio: Buffer[];
  audioBytes(): number;
  connections(): number;
  speechStarted(): void;
  transcribe(text: string): void;
  drop(): void;
  close(): Promise<void>;
}

export async function startFakeRealtime(opts: { autoTranscript?: string; afterFrames?: number } = {}): Promise<FakeRealtime> {
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<WebSocket>();
  const headers: http.IncomingHttpHeaders[] = [];
  const sessionUpdates: any[] = [];
  const audio: Buffer[] = [];
  let frames = 0;
  let item = 0;
  let connections = 0;
  const broadcast = (msg: unknown) => {
    for (const ws of sockets) ws.send(JSON.stringify(msg));
  };
  const fake: FakeRealtime = {
    baseUrl: "",
    headers,
    sessionUpdates,
    audio,
    audioBytes: () => audio.reduce((n, b) => n + b.length, 0),
    connections: () => connections,
    speechStarted: () => broadcast({ type: "input_audio_buffer.speech_started", audio_start_ms: 0, item_id: `item_${item + 1}` }),
    transcribe(text) {
      const id = `item_${++item}`;
      broadcast({ type: "conversation.item.input_audio_transcription.delta", item_id: id, content_index: 0, delta: text.slice(0, 3) });
      broadcast({ type: "conversation.item.input_audio_transcription.completed", item_id: id, content_index: 0, transcript: text });
    },
    drop() {
      for (const ws of sockets) ws.terminate();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.close(() => resolve());
      }),
  };
  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname !== "/v1/realtime" || url.searchParams.get("intent") !== "transcription") {
      socket.end("HTTP/1.1 404 Not Found\r\n\r\n");
      return;
    }
    headers.push(req.headers);
    wss.handleUpgrade(req, socket, head, (ws) => {
      connections++;
      sockets.add(ws);
      ws.on("close", () => sockets.delete(ws));
      ws.send(JSON.stringify({ type: "transcription_session.created", session: {} }));
      ws.on("message", (data) => {
        let msg: any;
        try {
          msg = JSON.parse(data.toString());
        } catch {
          return;
        }
        if (msg.type === "transcription_session.update") {
          sessionUpdates.push(msg);
          ws.send(JSON.stringify({ type: "transcription_session.updated", session: msg.session }));
        } else if (msg.type === "input_audio_buffer.append" && typeof msg.audio === "string") {
          audio.push(Buffer.from(msg.audio, "base64"));
          frames++;
          if (opts.autoTranscript && frames === (opts.afterFrames ?? 5)) {
            fake.speechStarted();
            fake.transcribe(opts.autoTranscript);
          }
        }
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

export interface FakeTtsRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
}

export interface FakeTts {
  /** OPENAI_TTS_BASE_URL: http://127.0.0.1:PORT/v1 */
  openaiBaseUrl: string;
  /** messages.tts.elevenlabs.baseUrl: http://127.0.0.1:PORT */
  baseUrl: string;
  requests: FakeTtsRequest[];
  /** Responses cut short because the client went away. */
  aborted(): number;
  hold: boolean;
  release(): void;
  close(): Promise<void>;
}

/** PCM16 little-endian samples of a tone. */
export function tonePcm(rate: number, seconds: number, freq = 440, amp = 8000): Buffer {
  const n = Math.round(rate * seconds);
  const out = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) out.writeInt16LE(Math.round(amp * Math.sin((2 * Math.PI * freq * i) / rate)), 2 * i);
  return out;
}

export async function startFakeTts(opts: { seconds?: number; hold?: boolean } = {}): Promise<FakeTts> {
  const requests: FakeTtsRequest[] = [];
  let waiting: Array<() => void> = [];
  let aborted = 0;
  const server = http.createServer(async (req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    let body: any;
    try {
      body = JSON.parse((await readBody(req)).toString() || "{}");
    } catch {
      res.writeHead(400).end();
      return;
    }
    requests.push({ path: req.url ?? "/", headers: req.headers, body });
    let audio: Buffer;
    let type = "audio/mpeg";
    if (path === "/v1/audio/speech") {
      if (!String(req.headers.authorization ?? "").startsWith("Bearer ")) return void res.writeHead(401).end();
      if (body.response_format === "pcm") {
        audio = tonePcm(24000, opts.seconds ?? 0.5);
        type = "audio/pcm";
      } else audio = Buffer.concat([Buffer.from("ID3"), Buffer.alloc(500, 7)]);
    } else if (/^\/v1\/text-to-speech\/[^/]+(\/stream)?$/.test(path)) {
      if (!req.headers["xi-api-key"]) return void res.writeHead(401).end();
      const format = new URL(req.url ?? "/", "http://x").searchParams.get("output_format");
      audio =
        format === "ulaw_8000"
          ? Buffer.alloc(Math.round(8000 * (opts.seconds ?? 0.5)), 0x55)
          : Buffer.concat([Buffer.from("ID3"), Buffer.alloc(500, 9)]);
    } else {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": type });
    const half = Math.floor(audio.length / 2) & ~1;
    res.write(audio.subarray(0, half));
    if (fake.hold) {
      res.on("close", () => {
        if (!res.writableEnded) aborted++;
      });
      await new Promise<void>((r) => {
        waiting.push(r);
        req.socket.once("close", r);
      });
      if (res.destroyed) return;
    }
    res.end(audio.subarray(half));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const fake: FakeTts = {
    openaiBaseUrl: `http://127.0.0.1:${port}/v1`,
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    aborted: () => aborted,
    hold: opts.hold ?? false,
    release() {
      const w = waiting;
      waiting = [];
      for (const r of w) r();
    },
    close: () =>
      new Promise<void>((resolve) => {
        fake.release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}
