/**
 * Text-to-speech as a built-in feature: the `tts.*` gateway methods (OpenClaw 2026.1.29's names and
 * payloads). `tts.status` and `tts.providers` report the settings in force; `tts.enable`,
 * `tts.disable` and `tts.setProvider` write the owner's preferences file; `tts.convert` speaks text
 * into an audio file under the system temp dir and answers its path. Settings come from
 * `messages.tts`; speech goes to OpenAI or ElevenLabs (Edge voices are not built in).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as z from "zod";
import { defineMethod, type MethodTable } from "../gateway/context.js";
import { ErrorCodes, MethodError } from "../gateway/protocol/frames.js";
import type { GatewayServices, LateServices } from "../gateway/services.js";
import type { BuiltinPlugin } from "../plugins/builtin.js";
import {
  ELEVENLABS_MODELS,
  OPENAI_TTS_MODELS,
  OPENAI_TTS_VOICES,
  TTS_PROVIDERS,
  effectiveAuto,
  effectiveProvider,
  hasProviderKey,
  isProviderConfigured,
  resolveTtsConfig,
  updatePrefs,
  type ResolvedTtsConfig,
  type TtsProviderId,
} from "./config.js";

const Params = z.record(z.string(), z.unknown()).optional();

function settings(s: GatewayServices): ResolvedTtsConfig {
  return resolveTtsConfig(s.config().messages?.tts, { env: s.env, stateDir: s.stateDir });
}

function unavailable(e: unknown): never {
  if (e instanceof MethodError) throw e;
  throw new MethodError(ErrorCodes.UNAVAILABLE, (e as Error)?.message ?? String(e));
}

function writePrefs(cfg: ResolvedTtsConfig, update: Parameters<typeof updatePrefs>[1]): void {
  try {
    updatePrefs(cfg.prefsPath, update);
  } catch (e) {
    throw new MethodError(ErrorCodes.UNAVAILABLE, `could not write the TTS preferences (${cfg.prefsPath}): ${(e as Error).message}`);
  }
}

export function ttsMethods(services: LateServices): MethodTable {
  const get = () => settings(services.get("tts"));
  return {
    "tts.status": defineMethod({
      scope: "operator.read",
      params: Params,
      handler: () => {
        const cfg = get();
        const provider = effectiveProvider(cfg);
        const fallbackProviders = TTS_PROVIDERS.filter((p) => p !== provider && isProviderConfigured(cfg, p));
        return {
          enabled: effectiveAuto(cfg) !== "off",
          auto: effectiveAuto(cfg),
          provider,
          fallbackProvider: fallbackProviders[0] ?? null,
          fallbackProviders,
          prefsPath: cfg.prefsPath,
          hasOpenAIKey: hasProviderKey(cfg, "openai"),
          hasElevenLabsKey: hasProviderKey(cfg, "elevenlabs"),
          edgeEnabled: false,
        };
      },
    }),
    "tts.providers": defineMethod({
      scope: "operator.read",
      params: Params,
      handler: () => {
        const cfg = get();
        return {
          providers: [
            {
              id: "openai",
              name: "OpenAI",
              configured: hasProviderKey(cfg, "openai"),
              models: [...OPENAI_TTS_MODELS],
              voices: [...OPENAI_TTS_VOICES],
            },
            { id: "elevenlabs", name: "ElevenLabs", configured: hasProviderKey(cfg, "elevenlabs"), models: [...ELEVENLABS_MODELS] },
            { id: "edge", name: "Edge TTS", configured: false, models: [] },
          ],
          active: effectiveProvider(cfg),
        };
      },
    }),
    "tts.enable": defineMethod({
      scope: "operator.write",
      params: Params,
      handler: () => {
        writePrefs(get(), (t) => {
          delete t.enabled;
          t.auto = "always";
        });
        return { enabled: true };
      },
    }),
    "tts.disable": defineMethod({
      scope: "operator.write",
      params: Params,
      handler: () => {
        writePrefs(get(), (t) => {
          delete t.enabled;
          t.auto = "off";
        });
        return { enabled: false };
      },
    }),
    "tts.setProvider": defineMethod({
      scope: "operator.write",
      params: Params,
      handler: (p) => {
        const provider = typeof p?.provider === "string" ? p.provider.trim() : "";
        if (!(TTS_PROVIDERS as readonly string[]).includes(provider))
          throw new MethodError(ErrorCodes.INVALID_REQUEST, "Invalid provider. Use openai, elevenlabs, or edge.");
        writePrefs(get(), (t) => {
          t.provider = provider;
        });
        return { provider };
      },
    }),
    "tts.convert": defineMethod({
      scope: "operator.write",
      params: Params,
      handler: async (p) => {
        const text = typeof p?.text === "string" ? p.text.trim() : "";
        if (!text) throw new MethodError(ErrorCodes.INVALID_REQUEST, "tts.convert requires text");
        const channel = typeof p?.channel === "string" ? p.channel.trim().toLowerCase() : "";
        const cfg = get();
        const primary = effectiveProvider(cfg);
        const order: TtsProviderId[] = [primary, ...TTS_PROVIDERS.filter((x) => x !== primary && isProviderConfigured(cfg, x))];
        // The speech client loads on first use only.
        const { synthesizeFile, TtsError } = await import("./speech.js");
        const errors: string[] = [];
        for (const provider of order) {
          try {
            const file = await synthesizeFile(cfg, provider, text, { voiceNote: channel === "telegram" });
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tts-"));
            const audioPath = path.join(dir, `voice-${Date.now()}${file.extension}`);
            fs.writeFileSync(audioPath, file.audio);
            return { audioPath, provider, outputFormat: file.outputFormat, voiceCompatible: file.voiceCompatible };
          } catch (e) {
            if (!(e instanceof TtsError)) unavailable(e);
            errors.push(`${provider}: ${e.message}`);
          }
        }
        throw new MethodError(ErrorCodes.UNAVAILABLE, `TTS conversion failed (${errors.join("; ")})`);
      },
    }),
  };
}

export function ttsPlugin(services: LateServices): BuiltinPlugin {
  return {
    id: "tts",
    name: "Text to speech",
    description: "tts.* methods: speech settings and text-to-speech conversion",
    register(api) {
      for (const [name, def] of Object.entries(ttsMethods(services))) api.registerGatewayMethod(name, def);
    },
  };
}
