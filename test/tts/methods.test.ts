/**
 * The `tts.*` gateway methods against a fake speech API: status and providers reflect
 * `messages.tts` and the keys present, enable/disable/setProvider persist in the preferences file,
 * and convert writes the audio the provider sent.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { connect, refused, startTestGateway, type TestGateway } from "../helpers/gateway.js";
import type { GatewayClient } from "../../src/cli/client.js";
import { startFakeTts, type FakeTts } from "../fakes/realtime.js";

describe("tts.* methods", { timeout: 60_000 }, () => {
  const token = "tts-methods-token-123456";
  let tts: FakeTts;
  let gw: TestGateway;
  let c: GatewayClient;
  const written: string[] = [];

  before(async () => {
    tts = await startFakeTts();
    gw = await startTestGateway({
      token,
      env: { OPENAI_TTS_BASE_URL: tts.openaiBaseUrl, OPENAI_API_KEY: "" },
      config: {
        gateway: { mode: "local" },
        messages: {
          tts: {
            provider: "elevenlabs",
            elevenlabs: { apiKey: "xi-key", baseUrl: tts.baseUrl, voiceId: "Voice1234567" },
            openai: { apiKey: "sk-speech", voice: "nova" },
          },
        },
      },
    });
    c = await connect(gw.wsUrl, { token });
  });

  after(async () => {
    c?.close();
    await gw?.close();
    await tts?.close();
    for (const f of written) fs.rmSync(path.dirname(f), { recursive: true, force: true });
  });

  it("reports the configured provider, keys and fallbacks", async () => {
    const st = await c.request<any>("tts.status", {});
    assert.equal(st.enabled, false);
    assert.equal(st.auto, "off");
    assert.equal(st.provider, "elevenlabs");
    assert.deepEqual(st.fallbackProviders, ["openai"]);
    assert.equal(st.fallbackProvider, "openai");
    assert.equal(st.hasOpenAIKey, true);
    assert.equal(st.hasElevenLabsKey, true);
    assert.equal(st.prefsPath, path.join(gw.stateDir, "settings", "tts.json"));
    const pr = await c.request<any>("tts.providers", {});
    assert.equal(pr.active, "elevenlabs");
    assert.deepEqual(
      pr.providers.map((p: any) => [p.id, p.configured]),
      [
        ["openai", true],
        ["elevenlabs", true],
        ["edge", false],
      ],
    );
    assert.ok(pr.providers[0].voices.includes("nova"));
  });

  it("converts text with the active provider and writes the audio", async () => {
    const r = await c.request<any>("tts.convert", { text: "Good morning" });
    written.push(r.audioPath);
    assert.equal(r.provider, "elevenlabs");
    assert.equal(r.outputFormat, "mp3_44100_128");
    assert.equal(r.voiceCompatible, false);
    assert.match(r.audioPath, /voice-\d+\.mp3$/);
    assert.equal(fs.readFileSync(r.audioPath).subarray(0, 3).toString(), "ID3");
    const req = tts.requests.at(-1)!;
    assert.equal(req.path, "/v1/text-to-speech/Voice1234567?output_format=mp3_44100_128");
    assert.equal(req.headers["xi-api-key"], "xi-key");
    assert.equal(req.body.text, "Good morning");
    assert.equal(req.body.model_id, "eleven_multilingual_v2");
  });

  it("persists enable, disable and the provider choice", async () => {
    assert.deepEqual(await c.request("tts.enable", {}), { enabled: true });
    assert.equal((await c.request<any>("tts.status", {})).auto, "always");
    assert.deepEqual(await c.request("tts.setProvider", { provider: "openai" }), { provider: "openai" });
    const prefs = JSON.parse(fs.readFileSync(path.join(gw.stateDir, "settings", "tts.json"), "utf8"));
    assert.deepEqual(prefs, { tts: { auto: "always", provider: "openai" } });
    assert.equal((await c.request<any>("tts.status", {})).provider, "openai");

    const r = await c.request<any>("tts.convert", { text: "Hello there", channel: "telegram" });
    written.push(r.audioPath);
    assert.equal(r.provider, "openai");
    assert.equal(r.outputFormat, "opus");
    assert.equal(r.voiceCompatible, true);
    assert.match(r.audioPath, /\.opus$/);
    assert.deepEqual(tts.requests.at(-1)!.body, { model: "gpt-4o-mini-tts", voice: "nova", input: "Hello there", response_format: "opus" });

    assert.deepEqual(await c.request("tts.disable", {}), { enabled: false });
    assert.equal((await c.request<any>("tts.status", {})).enabled, false);
  });

  it("says what is wrong with bad input", async () => {
    assert.match(
      (await refused(c.request("tts.setProvider", { provider: "robot" }))).message,
      /Invalid provider\. Use openai, elevenlabs, or edge\./,
    );
    assert.match((await refused(c.request("tts.convert", {}))).message, /tts\.convert requires text/);
    const e = await refused(c.request("tts.convert", { text: "x".repeat(5000) }));
    assert.equal(e.code, "UNAVAILABLE");
    assert.match(e.message, /too long to speak/);
  });
});
