import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { mergeTts, resolveTtsConfig } from "../../src/tts/config.js";
import { telephonySpeech, TtsError } from "../../src/tts/speech.js";
import { startFakeTts, type FakeTts } from "../fakes/realtime.js";

describe("telephone speech", { timeout: 20_000 }, () => {
  let tts: FakeTts;
  before(async () => void (tts = await startFakeTts({ seconds: 0.25 })));
  after(() => tts.close());

  const collect = async (gen: AsyncGenerator<Buffer>) => {
    const parts: Buffer[] = [];
    for await (const p of gen) parts.push(p);
    return Buffer.concat(parts);
  };

  it("deep-merges the plugin's tts block over messages.tts", () => {
    const merged = mergeTts(
      { provider: "openai", openai: { apiKey: "a", voice: "nova" } },
      { openai: { voice: "onyx" }, elevenlabs: { voiceId: "x" } },
    );
    assert.deepEqual(merged, { provider: "openai", openai: { apiKey: "a", voice: "onyx" }, elevenlabs: { voiceId: "x" } });
  });

  it("asks ElevenLabs for μ-law 8 kHz and passes it through", async () => {
    const cfg = resolveTtsConfig(
      { provider: "elevenlabs", elevenlabs: { apiKey: "xi", baseUrl: tts.baseUrl, voiceId: "VoiceAbcdef12" } },
      { env: {}, stateDir: "." },
    );
    const audio = await collect(telephonySpeech(cfg, "elevenlabs", "hi"));
    assert.equal(audio.length, 2000);
    assert.ok(audio.every((b) => b === 0x55));
    assert.equal(tts.requests.at(-1)!.path, "/v1/text-to-speech/VoiceAbcdef12/stream?output_format=ulaw_8000");
  });

  it("resamples OpenAI's 24 kHz PCM to 8 kHz μ-law", async () => {
    const cfg = resolveTtsConfig({ openai: { apiKey: "sk" } }, { env: { OPENAI_TTS_BASE_URL: tts.openaiBaseUrl }, stateDir: "." });
    assert.equal(cfg.provider, "openai");
    const audio = await collect(telephonySpeech(cfg, "openai", "hi"));
    assert.equal(audio.length, 2000);
  });

  it("explains a missing key and an answer that is not audio", async () => {
    const none = resolveTtsConfig({}, { env: {}, stateDir: "." });
    await assert.rejects(
      collect(telephonySpeech(none, "openai", "hi")),
      (e: Error) => e instanceof TtsError && /OPENAI_API_KEY/.test(e.message),
    );
    await assert.rejects(collect(telephonySpeech(none, "edge", "hi")), /not available in this gateway; use openai or elevenlabs/);
    const wrong = resolveTtsConfig({ openai: { apiKey: "sk" } }, { env: { OPENAI_TTS_BASE_URL: `${tts.baseUrl}/nowhere` }, stateDir: "." });
    await assert.rejects(collect(telephonySpeech(wrong, "openai", "hi")), /openai text-to-speech answered 404/);
  });
});
