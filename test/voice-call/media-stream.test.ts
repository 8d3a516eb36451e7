import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { WebSocket } from "ws";
import type { Logger } from "../../src/infra/logger.js";
import {
  createMediaStreamServer,
  encodeMulaw,
  twimlStream,
  type MediaSession,
  type MediaStreamServer,
} from "../../src/voice-call/media/index.js";
import { startFakeRealtime, startFakeTts, tonePcm, type FakeRealtime, type FakeTts } from "../fakes/realtime.js";
import { FakeMediaClient } from "../fakes/twilio-media.js";
import { connect, startTestGateway, tmpDir, waitFor } from "../helpers/gateway.js";

function testLogger(lines: string[]): Logger {
  const log: Logger = {
    subsystem: "voice-call",
    trace: () => undefined,
    debug: () => undefined,
    info: (m: string) => void lines.push(`info ${m}`),
    warn: (m: string) => void lines.push(`warn ${m}`),
    error: (m: string) => void lines.push(`error ${m}`),
    child: () => log,
  } as unknown as Logger;
  return log;
}

describe("Twilio media streams", { timeout: 30_000 }, () => {
  let realtime: FakeRealtime;
  let tts: FakeTts;
  let server: http.Server;
  let media: MediaStreamServer;
  let url: string;
  const logs: string[] = [];
  const sessions = new Map<string, MediaSession>();
  const transcripts: Array<{ callSid: string; text: string; final: boolean }> = [];
  const closedCalls: string[] = [];
  const speechStarts: string[] = [];
  /** What the call manager would do: speak a reply to each final transcript. */
  let reply: ((callSid: string, text: string) => void) | null = null;
  const stateDir = tmpDir();

  before(async () => {
    realtime = await startFakeRealtime();
    tts = await startFakeTts({ seconds: 0.5 });
    media = createMediaStreamServer({
      config: {
        streaming: {
          openaiApiKey: "sk-stt",
          sttModel: "gpt-4o-transcribe",
          vadThreshold: 0.6,
          silenceDurationMs: 700,
          openaiBaseUrl: realtime.baseUrl,
        },
        messagesTts: { provider: "openai", openai: { apiKey: "sk-tts", voice: "nova" } },
        tts: { openai: { model: "tts-1" } },
        stateDir,
      },
      env: { OPENAI_TTS_BASE_URL: tts.openaiBaseUrl },
      log: testLogger(logs),
      sessions,
      startTimeoutMs: 300,
      handlers: {
        onStart(info) {
          if (info.customParameters.token !== `token-for-${info.callSid}`) return null;
          return {
            onTranscript(text, final) {
              transcripts.push({ callSid: info.callSid, text, final });
              if (final) reply?.(info.callSid, text);
            },
            onSpeechStart: () => void speechStarts.push(info.callSid),
            onClose: () => void closedCalls.push(info.callSid),
          };
        },
      },
    });
    server = http.createServer((_req, res) => res.writeHead(404).end());
    server.on("upgrade", (req, socket, head) => {
      if (req.url?.split("?")[0] === "/voice/stream") media.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/voice/stream`;
  });

  after(async () => {
    await media.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await realtime.close();
    await tts.close();
  });

  it("produces TwiML that connects the call to the stream with its parameters", () => {
    assert.equal(
      twimlStream("wss://example.test/voice/stream", { token: 'a&b"c' }),
      '<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://example.test/voice/stream"><Parameter name="token" value="a&amp;b&quot;c"/></Stream></Connect></Response>',
    );
  });

  it("transcribes the caller and speaks the reply as μ-law frames followed by a mark", async () => {
    const spoken: Array<Promise<void>> = [];
    reply = (callSid) => spoken.push(sessions.get(callSid)!.speak("hello"));
    const twilio = await FakeMediaClient.connect(url);
    twilio.start("CA1", { token: "token-for-CA1" });
    twilio.sendAudio("CA1", 10);
    await waitFor(() => realtime.audioBytes() >= 1600, 5000, "caller audio at the transcription server");
    assert.equal(realtime.headers[0]!.authorization, "Bearer sk-stt");
    assert.equal(realtime.headers[0]!["openai-beta"], "realtime=v1");
    assert.deepEqual(realtime.sessionUpdates[0].session, {
      input_audio_format: "g711_ulaw",
      input_audio_transcription: { model: "gpt-4o-transcribe" },
      turn_detection: { type: "server_vad", threshold: 0.6, prefix_padding_ms: 300, silence_duration_ms: 700 },
    });
    // The caller's μ-law goes through untouched.
    const sent = encodeMulaw(new Int16Array(tonePcm(8000, 0.2).buffer.slice(0)));
    assert.deepEqual(Buffer.concat(realtime.audio).subarray(0, 1600), sent);

    realtime.speechStarted();
    realtime.transcribe("what time is it");
    await waitFor(() => transcripts.find((t) => t.final), 5000, "final transcript");
    assert.deepEqual(
      transcripts.map((t) => [t.callSid, t.text, t.final]),
      [
        ["CA1", "wha", false],
        ["CA1", "what time is it", true],
      ],
    );
    assert.deepEqual(speechStarts, ["CA1"]);

    await waitFor(() => spoken.length === 1, 5000, "speak called");
    await spoken[0];
    const frames = twilio.media();
    // 0.5 s of speech is 25 frames of 20 ms.
    assert.equal(frames.length, 25);
    for (const f of frames) {
      assert.equal(f.streamSid, "MZCA1");
      assert.match(f.media.payload, /^[A-Za-z0-9+/]+=*$/);
      assert.equal(Buffer.from(f.media.payload, "base64").length, 160);
    }
    // A tone, not silence.
    assert.ok(Buffer.from(frames[10].media.payload, "base64").some((b: number) => b !== 0xff));
    const mark = twilio.received.findIndex((m) => m.event === "mark");
    assert.ok(mark > twilio.received.lastIndexOf(frames.at(-1)), "mark comes after the audio");
    const req = tts.requests.at(-1)!;
    assert.equal(req.path, "/v1/audio/speech");
    assert.deepEqual(req.body, { model: "tts-1", voice: "nova", input: "hello", response_format: "pcm" });
    assert.equal(req.headers.authorization, "Bearer sk-tts");

    twilio.send({ event: "stop", streamSid: "MZCA1", stop: { callSid: "CA1" } });
    await twilio.closed();
    await waitFor(() => closedCalls.includes("CA1"), 5000, "onClose");
    assert.equal(sessions.has("CA1"), false);
    reply = null;
  });

  it("stops speaking when the caller talks over it (barge-in)", async () => {
    tts.hold = true;
    try {
      const twilio = await FakeMediaClient.connect(url);
      twilio.start("CA2", { token: "token-for-CA2" });
      await waitFor(() => sessions.get("CA2"), 5000, "session");
      const speaking = sessions.get("CA2")!.speak("a long answer");
      const queued = sessions.get("CA2")!.speak("and more");
      await waitFor(() => twilio.media().length > 0, 5000, "first audio frames");
      const requestsBefore = tts.requests.length;
      twilio.sendAudio("CA2", 3);
      await waitFor(() => realtime.connections() >= 2 && realtime.audioBytes() > 0, 5000, "stream connected to transcription");
      realtime.speechStarted();
      await speaking;
      await queued;
      const clear = await waitFor(() => twilio.received.find((m) => m.event === "clear"), 5000, "clear");
      assert.deepEqual(clear, { event: "clear", streamSid: "MZCA2" });
      assert.equal(
        twilio.received.some((m) => m.event === "mark"),
        false,
      );
      await waitFor(() => tts.aborted() === 1, 5000, "speech request aborted");
      assert.equal(tts.requests.length, requestsBefore, "queued speech dropped");
      twilio.ws.close();
      await waitFor(() => closedCalls.includes("CA2"), 5000, "onClose");
    } finally {
      tts.hold = false;
      tts.release();
    }
  });

  it("refuses a stream without the token its call was given", async () => {
    const twilio = await FakeMediaClient.connect(url);
    twilio.start("CA3", { token: "guess" });
    assert.equal(await twilio.closed(), 1008);
    assert.equal(sessions.has("CA3"), false);
    assert.ok(logs.some((l) => l.includes("CA3 refused")));
  });

  it("drops a socket that never starts, and survives bad JSON and oversized frames", async () => {
    const idle = await FakeMediaClient.connect(url);
    idle.send("{not json");
    idle.send("42");
    idle.send({ event: "media", media: { payload: "AAAA" } });
    assert.equal(await idle.closed(), 1008);

    const big = await FakeMediaClient.connect(url);
    big.send("x".repeat(70 * 1024));
    assert.equal(await big.closed(), 1009);

    // Still serving.
    const twilio = await FakeMediaClient.connect(url);
    twilio.start("CA4", { token: "token-for-CA4" });
    await waitFor(() => sessions.get("CA4"), 5000, "session after bad clients");
    sessions.get("CA4")!.close();
    assert.equal(await twilio.closed(), 1000);
  });

  it("reconnects to the transcription server once when it drops", async () => {
    const twilio = await FakeMediaClient.connect(url);
    twilio.start("CA5", { token: "token-for-CA5" });
    const before = realtime.connections();
    twilio.sendAudio("CA5", 1);
    await waitFor(() => realtime.connections() === before + 1, 5000, "connected");
    const updates = realtime.sessionUpdates.length;
    realtime.drop();
    await waitFor(() => realtime.connections() === before + 2, 5000, "reconnected");
    await waitFor(() => realtime.sessionUpdates.length === updates + 1, 5000, "session configured again");
    assert.ok(logs.some((l) => l.includes("reconnecting")));
    twilio.ws.close();
    await waitFor(() => closedCalls.includes("CA5"), 5000, "onClose");
  });
});

describe("media streams through the gateway's WebSocket route", { timeout: 60_000 }, () => {
  it("serves a stream on the plugin's path without the gateway token, and refuses a bad stream token", async () => {
    const realtime = await startFakeRealtime({ autoTranscript: "hello gateway", afterFrames: 3 });
    const dir = tmpDir("oc-media-plugin-");
    const media = path.resolve("src/voice-call/media/index.ts");
    fs.writeFileSync(path.join(dir, "openclaw.plugin.json"), JSON.stringify({ id: "media-test", configSchema: { type: "object" } }));
    fs.writeFileSync(
      path.join(dir, "index.ts"),
      `import { createMediaStreamServer } from ${JSON.stringify(media)};
      export default function register(api: any) {
        const heard: string[] = [];
        const server = createMediaStreamServer({
          config: { streaming: { openaiApiKey: "sk-stt", openaiBaseUrl: ${JSON.stringify(realtime.baseUrl)} } },
          env: {},
          log: { debug() {}, info() {}, warn() {}, error() {}, trace() {}, child() { return this; } } as any,
          sessions: new Map(),
          handlers: {
            onStart: (info) => info.customParameters.token === "issued" ? { onTranscript: (t, final) => { if (final) heard.push(t); }, onClose() {} } : null,
          },
        });
        api.registerWebSocketRoute({ path: "/voice/stream", handler: (req: any, socket: any, head: any) => server.handleUpgrade(req, socket, head) });
        api.registerGatewayMethod("mediatest.heard", ({ respond }: any) => respond(true, { heard }));
        api.registerService({ id: "media-test", stop: () => server.close() });
      }`,
    );
    const token = "media-gateway-token-123456";
    const gw = await startTestGateway({ token, config: { gateway: { mode: "local" }, plugins: { load: { paths: [dir] } } } });
    try {
      const bad = await FakeMediaClient.connect(`${gw.wsUrl}/voice/stream`);
      bad.start("CA9", { token: "forged" });
      assert.equal(await bad.closed(), 1008);

      const twilio = await FakeMediaClient.connect(`${gw.wsUrl}/voice/stream`);
      twilio.start("CA8", { token: "issued" });
      twilio.sendAudio("CA8", 3);
      const c = await connect(gw.wsUrl, { token });
      const heard = await waitFor(
        async () => {
          const r = await c.request<{ heard: string[] }>("mediatest.heard", {});
          return r.heard.length ? r.heard : null;
        },
        5000,
        "transcript inside the gateway",
      );
      assert.deepEqual(heard, ["hello gateway"]);
      c.close();
      twilio.ws.close();
    } finally {
      await gw.close();
      await realtime.close();
    }
  });
});
