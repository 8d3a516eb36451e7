/**
 * Speech synthesis over HTTP: OpenAI (`POST {base}/audio/speech`, base from OPENAI_TTS_BASE_URL as in
 * OpenClaw) and ElevenLabs (`POST {base}/v1/text-to-speech/{voiceId}`). Two shapes: a whole audio
 * file (mp3) for `tts.convert`, and telephone audio (8 kHz μ-law) streamed chunk by chunk as the
 * provider sends it, for calls.
 */
import { PcmToMulaw } from "../voice-call/media/mulaw.js";
import { OPENAI_TTS_MODELS, type ResolvedTtsConfig, type TtsProviderId } from "./config.js";

/** Largest audio file `synthesizeFile` accepts from a provider. */
export const MAX_AUDIO_BYTES = 20 * 1024 * 1024;

export class TtsError extends Error {}

export interface SynthOptions {
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

interface Req {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

function openaiRequest(cfg: ResolvedTtsConfig, text: string, format: string): Req {
  if (!cfg.openai.apiKey) throw new TtsError("OpenAI text-to-speech needs an API key: set messages.tts.openai.apiKey or OPENAI_API_KEY");
  const custom = cfg.openai.baseUrl !== "https://api.openai.com/v1";
  if (!custom && !OPENAI_TTS_MODELS.includes(cfg.openai.model)) {
    throw new TtsError(`unknown OpenAI speech model "${cfg.openai.model}"; use one of ${OPENAI_TTS_MODELS.join(", ")}`);
  }
  return {
    url: `${cfg.openai.baseUrl}/audio/speech`,
    headers: { authorization: `Bearer ${cfg.openai.apiKey}`, "content-type": "application/json" },
    body: { model: cfg.openai.model, voice: cfg.openai.voice, input: text, response_format: format },
  };
}

function elevenlabsRequest(cfg: ResolvedTtsConfig, text: string, format: string, stream: boolean): Req {
  const e = cfg.elevenlabs;
  if (!e.apiKey) throw new TtsError("ElevenLabs text-to-speech needs an API key: set messages.tts.elevenlabs.apiKey or ELEVENLABS_API_KEY");
  if (!/^[A-Za-z0-9]{10,40}$/.test(e.voiceId)) throw new TtsError(`invalid ElevenLabs voiceId "${e.voiceId}"`);
  const url = new URL(`${e.baseUrl}/v1/text-to-speech/${e.voiceId}${stream ? "/stream" : ""}`);
  url.searchParams.set("output_format", format);
  return {
    url: url.toString(),
    headers: { "xi-api-key": e.apiKey, "content-type": "application/json", accept: "audio/*" },
    body: {
      text,
      model_id: e.modelId,
      ...(e.seed !== undefined ? { seed: e.seed } : {}),
      ...(e.applyTextNormalization ? { apply_text_normalization: e.applyTextNormalization } : {}),
      ...(e.languageCode ? { language_code: e.languageCode } : {}),
      voice_settings: {
        stability: e.voiceSettings.stability,
        similarity_boost: e.voiceSettings.similarityBoost,
        style: e.voiceSettings.style,
        use_speaker_boost: e.voiceSettings.useSpeakerBoost,
        speed: e.voiceSettings.speed,
      },
    },
  };
}

function checkText(cfg: ResolvedTtsConfig, text: string): string {
  const t = text.trim();
  if (!t) throw new TtsError("nothing to speak: text is empty");
  if (t.length > cfg.maxTextLength) throw new TtsError(`text is too long to speak (${t.length} characters, limit ${cfg.maxTextLength})`);
  return t;
}

async function send(cfg: ResolvedTtsConfig, provider: string, req: Req, opts: SynthOptions): Promise<Response> {
  const timeout = AbortSignal.timeout(cfg.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const res = await (opts.fetch ?? fetch)(req.url, { method: "POST", headers: req.headers, body: JSON.stringify(req.body), signal }).catch(
    (e: unknown) => {
      if (opts.signal?.aborted) throw e;
      throw new TtsError(`${provider} text-to-speech request failed: ${(e as Error).message}`);
    },
  );
  if (!res.ok) {
    const detail = (await res.text().catch(() => "")).slice(0, 300);
    throw new TtsError(`${provider} text-to-speech answered ${res.status}${detail ? `: ${detail}` : ""}`);
  }
  if (!res.body) throw new TtsError(`${provider} text-to-speech sent no audio`);
  return res;
}

function unsupported(provider: TtsProviderId): TtsError {
  return new TtsError(`text-to-speech provider "${provider}" is not available in this gateway; use openai or elevenlabs`);
}

/**
 * Speaks `text` as 8 kHz μ-law, yielding audio as it arrives. OpenAI sends 24 kHz PCM16, resampled
 * here; ElevenLabs sends μ-law 8 kHz itself.
 */
export async function* telephonySpeech(
  cfg: ResolvedTtsConfig,
  provider: TtsProviderId,
  text: string,
  opts: SynthOptions = {},
): AsyncGenerator<Buffer> {
  const t = checkText(cfg, text);
  let convert: ((chunk: Uint8Array) => Buffer) | null = null;
  let req: Req;
  if (provider === "openai") {
    req = openaiRequest(cfg, t, "pcm");
    const conv = new PcmToMulaw(24000);
    convert = (c) => conv.push(c);
  } else if (provider === "elevenlabs") req = elevenlabsRequest(cfg, t, "ulaw_8000", true);
  else throw unsupported(provider);
  const res = await send(cfg, provider, req, opts);
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    const out = convert ? convert(chunk) : Buffer.from(chunk);
    if (out.length) yield out;
  }
}

export interface AudioFile {
  audio: Buffer;
  extension: string;
  outputFormat: string;
  voiceCompatible: boolean;
}

/**
 * Speaks `text` into one audio file's bytes: mp3, or Opus for a voice note (`voiceNote`, what
 * Telegram plays as one).
 */
export async function synthesizeFile(
  cfg: ResolvedTtsConfig,
  provider: TtsProviderId,
  text: string,
  opts: SynthOptions & { voiceNote?: boolean } = {},
): Promise<AudioFile> {
  const t = checkText(cfg, text);
  const note = opts.voiceNote === true;
  let req: Req;
  let outputFormat: string;
  if (provider === "openai") req = openaiRequest(cfg, t, (outputFormat = note ? "opus" : "mp3"));
  else if (provider === "elevenlabs") req = elevenlabsRequest(cfg, t, (outputFormat = note ? "opus_48000_64" : "mp3_44100_128"), false);
  else throw unsupported(provider);
  const res = await send(cfg, provider, req, opts);
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > MAX_AUDIO_BYTES) throw new TtsError(`${provider} sent more than ${MAX_AUDIO_BYTES} bytes of audio`);
    parts.push(Buffer.from(chunk));
  }
  return { audio: Buffer.concat(parts), extension: note ? ".opus" : ".mp3", outputFormat, voiceCompatible: note };
}
