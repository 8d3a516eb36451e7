/**
 * A streamed conversation call end to end, everything on loopback: the call is placed through a fake
 * Twilio REST API, the signed answer webhook gets `<Connect><Stream>` TwiML, a fake Twilio media
 * client connects to the gateway's stream path with the call's parameter, its μ-law audio reaches a
 * fake OpenAI Realtime transcription server, the transcript goes to the agent (a fake model), and
 * the agent's answer comes back to the caller as μ-law frames made by a fake speech API.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, describe, it } from "node:test";
import { startFakeRealtime, startFakeTts, type FakeRealtime, type FakeTts } from "../fakes/realtime.js";
import { FakeTwilio, twilioWebhook } from "../fakes/twilio.js";
import { FakeMediaClient } from "../fakes/twilio-media.js";
import { fakeConfig, KEYS, startFakes, type Fakes } from "../helpers/agents.js";
import { connect, freePort, startTestGateway, tmpDir, waitFor, type TestGateway } from "../helpers/gateway.js";

const TOKEN = "voice-stream-token";
const FROM = "+15550001111";
const TO = "+15550002222";

describe("a streamed voice conversation through the gateway", { timeout: 60_000 }, () => {
  let fakes: Fakes;
  let twilio: FakeTwilio;
  let realtime: FakeRealtime;
  let tts: FakeTts;
  let gw: TestGateway;
  let stateDir: string;
  let port: number;
  const clients: FakeMediaClient[] = [];

  before(async () => {
    fakes = await startFakes();
    twilio = await FakeTwilio.start();
    realtime = await startFakeRealtime();
    tts = await startFakeTts({ seconds: 0.4 });
    stateDir = tmpDir("oc-voice-stream-");
    port = await freePort();
    gw = await startTestGateway({
      port,
      stateDir,
      env: { ...KEYS, OPENAI_TTS_BASE_URL: tts.openaiBaseUrl },
      config: {
        ...fakeConfig(fakes),
        gateway: { mode: "local", auth: { mode: "token", token: TOKEN } },
        messages: { tts: { provider: "openai", openai: { apiKey: "sk-tts", voice: "nova" } } },
        plugins: twilio.plugins({
          publicUrl: `http://127.0.0.1:${port}/voice/webhook`,
          streaming: { enabled: true, openaiApiKey: "sk-stt", openaiBaseUrl: realtime.baseUrl },
        }),
      },
    });
  });
  after(async () => {
    for (const c of clients) c.ws.terminate();
    await gw?.close();
    await Promise.all([twilio?.close(), realtime?.close(), tts?.close(), fakes?.close()]);
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it("hears the caller through the transcription server and answers in μ-law frames", async () => {
    const c = await connect(gw.wsUrl, { token: TOKEN });
    try {
      await c.request("voicecall.initiate", { to: TO, message: "Hello from the gateway.", mode: "conversation" });
    } finally {
      c.close();
    }
    const [created] = await twilio.waitForCreates(1);
    const sid = created!.sid;
    const answer = await twilioWebhook(
      created!.form.get("Url")!,
      { CallSid: sid, CallStatus: "in-progress", Direction: "outbound-api", From: FROM, To: TO },
      twilio.authToken,
    );
    assert.equal(answer.status, 200);
    const stream = /<Stream url="([^"]+)">/.exec(answer.body);
    assert.ok(stream, answer.body);
    const streamUrl = new URL(stream[1]!.replace(/&amp;/g, "&"));
    assert.equal(streamUrl.pathname, "/voice/stream");
    const callId = /<Parameter name="callId" value="([^"]+)"\/>/.exec(answer.body)?.[1];
    assert.ok(callId, answer.body);

    // Someone who guessed the call sid but not the call's own id is turned away.
    const stranger = await FakeMediaClient.connect(`ws://127.0.0.1:${port}/voice/stream`);
    clients.push(stranger);
    stranger.start(sid, { callId: "guessed" });
    assert.equal(await stranger.closed(), 1008);

    // Twilio's side of the stream.
    const caller = await FakeMediaClient.connect(`ws://127.0.0.1:${port}/voice/stream`);
    clients.push(caller);
    caller.start(sid, { callId });
    caller.sendAudio(sid, 10);
    await waitFor(() => realtime.audioBytes() >= 1600, 10_000, "the caller's audio at the transcription server");
    assert.equal(realtime.sessionUpdates[0]?.session?.input_audio_format, "g711_ulaw");

    fakes.anthropic.enqueue({ text: "Your order ships tomorrow." });
    const framesBefore = caller.media().length;
    realtime.transcribe("When does my order ship?");
    await waitFor(
      () => tts.requests.some((r) => r.body?.input === "Your order ships tomorrow."),
      15_000,
      "the agent's answer sent to the speech API",
    );
    const lastUser = fakes.anthropic.requests
      .at(-1)!
      .messages.filter((m) => m.role === "user")
      .at(-1)!.text;
    assert.match(lastUser, /When does my order ship\?/);
    await waitFor(() => caller.media().length >= framesBefore + 10, 15_000, "the answer's audio frames");
    for (const m of caller.media().slice(framesBefore)) {
      assert.equal(m.streamSid, `MZ${sid}`);
      assert.equal(Buffer.from(m.media.payload, "base64").length, 160, "20 ms of 8 kHz μ-law per frame");
    }

    const s = await connect(gw.wsUrl, { token: TOKEN });
    try {
      const status = (await s.request("voicecall.status", { callId })) as any;
      const said = status.call.transcript.map((t: any) => [t.speaker, t.text]);
      assert.deepEqual(said.slice(-2), [
        ["user", "When does my order ship?"],
        ["bot", "Your order ships tomorrow."],
      ]);
    } finally {
      s.close();
    }
  });
});
