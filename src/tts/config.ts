/**
 * Text-to-speech settings: `messages.tts` (OpenClaw's keys), optionally deep-merged with a plugin's own
 * `tts` block (the voice-call plugin's), resolved with OpenClaw's defaults, plus the owner's
 * preferences file (`settings/tts.json` under the state dir) that `tts.enable|disable|setProvider`
 * write and that win over the config.
 */
import fs from "node:fs";
import path from "node:path";
import { writeFileAtomicSync } from "../infra/atomic.js";
import { readStateFileSync } from "../infra/read-bounded.js";

export const TTS_PROVIDERS = ["openai", "elevenlabs", "edge"] as const;
export type TtsProviderId = (typeof TTS_PROVIDERS)[number];
export type TtsAutoMode = "off" | "always" | "inbound" | "tagged";
const AUTO_MODES = new Set<string>(["off", "always", "inbound", "tagged"]);

export const OPENAI_TTS_MODELS = ["gpt-4o-mini-tts", "tts-1", "tts-1-hd"];
export const OPENAI_TTS_VOICES = ["alloy", "ash", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer"];
export const ELEVENLABS_MODELS = ["eleven_multilingual_v2", "eleven_turbo_v2_5", "eleven_monolingual_v1"];
export const DEFAULT_OPENAI_TTS_BASE_URL = "https://api.openai.com/v1";
export const DEFAULT_ELEVENLABS_BASE_URL = "https://api.elevenlabs.io";

/** Longest text one request may speak. */
export const MAX_TTS_TEXT = 4096;

export interface ResolvedTtsConfig {
  auto: TtsAutoMode;
  provider: TtsProviderId;
  /** Whether `provider` came from the config (otherwise it is picked from the keys present). */
  providerFromConfig: boolean;
  openai: { apiKey?: string; model: string; voice: string; baseUrl: string };
  elevenlabs: {
    apiKey?: string;
    baseUrl: string;
    voiceId: string;
    modelId: string;
    seed?: number;
    applyTextNormalization?: "auto" | "on" | "off";
    languageCode?: string;
    voiceSettings: { stability: number; similarityBoost: number; style: number; useSpeakerBoost: boolean; speed: number };
  };
  edge: { enabled: boolean };
  prefsPath: string;
  maxTextLength: number;
  timeoutMs: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() ? v.trim() : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** `override` deep-merged over `base` (objects merge, everything else replaces). */
export function mergeTts(base: unknown, override: unknown): Obj {
  const out: Obj = isObj(base) ? { ...base } : {};
  if (!isObj(override)) return out;
  for (const [k, v] of Object.entries(override)) {
    if (v === undefined) continue;
    out[k] = isObj(v) && isObj(out[k]) ? mergeTts(out[k], v) : v;
  }
  return out;
}

export function resolveTtsConfig(raw: unknown, opts: { env: Record<string, string | undefined>; stateDir: string }): ResolvedTtsConfig {
  const r = isObj(raw) ? raw : {};
  const openai = isObj(r.openai) ? r.openai : {};
  const el = isObj(r.elevenlabs) ? r.elevenlabs : {};
  const vs = isObj(el.voiceSettings) ? el.voiceSettings : {};
  const edge = isObj(r.edge) ? r.edge : {};
  const env = opts.env;
  const configured = str(r.provider);
  const provider = (TTS_PROVIDERS as readonly string[]).includes(configured ?? "") ? (configured as TtsProviderId) : undefined;
  const auto = str(r.auto)?.toLowerCase();
  const norm = str(el.applyTextNormalization);
  const resolved: ResolvedTtsConfig = {
    auto: auto && AUTO_MODES.has(auto) ? (auto as TtsAutoMode) : r.enabled === true ? "always" : "off",
    provider: provider ?? "edge",
    providerFromConfig: provider !== undefined,
    openai: {
      apiKey: str(openai.apiKey) ?? str(env.OPENAI_API_KEY),
      model: str(openai.model) ?? "gpt-4o-mini-tts",
      voice: str(openai.voice) ?? "alloy",
      baseUrl: (str(env.OPENAI_TTS_BASE_URL) ?? DEFAULT_OPENAI_TTS_BASE_URL).replace(/\/+$/, ""),
    },
    elevenlabs: {
      apiKey: str(el.apiKey) ?? str(env.ELEVENLABS_API_KEY) ?? str(env.XI_API_KEY),
      baseUrl: (str(el.baseUrl) ?? DEFAULT_ELEVENLABS_BASE_URL).replace(/\/+$/, ""),
      voiceId: str(el.voiceId) ?? "pMsXgVXv3BLzUgSXRplE",
      modelId: str(el.modelId) ?? "eleven_multilingual_v2",
      seed: num(el.seed),
      applyTextNormalization: norm === "auto" || norm === "on" || norm === "off" ? norm : undefined,
      languageCode: str(el.languageCode)?.toLowerCase(),
      voiceSettings: {
        stability: num(vs.stability) ?? 0.5,
        similarityBoost: num(vs.similarityBoost) ?? 0.75,
        style: num(vs.style) ?? 0,
        useSpeakerBoost: typeof vs.useSpeakerBoost === "boolean" ? vs.useSpeakerBoost : true,
        speed: num(vs.speed) ?? 1,
      },
    },
    edge: { enabled: edge.enabled !== false },
    prefsPath: resolvePrefsPath(str(r.prefsPath), opts),
    maxTextLength: Math.min(num(r.maxTextLength) ?? MAX_TTS_TEXT, MAX_TTS_TEXT),
    timeoutMs: num(r.timeoutMs) ?? 30_000,
  };
  if (!provider) resolved.provider = resolved.openai.apiKey ? "openai" : resolved.elevenlabs.apiKey ? "elevenlabs" : "edge";
  return resolved;
}

function resolvePrefsPath(configured: string | undefined, opts: { env: Record<string, string | undefined>; stateDir: string }): string {
  const home = opts.env.HOME ?? "";
  const expand = (p: string) => (p.startsWith("~") && home ? path.join(home, p.slice(1)) : path.resolve(p));
  if (configured) return expand(configured);
  const fromEnv = str(opts.env.OPENCLAW_TTS_PREFS);
  if (fromEnv) return expand(fromEnv);
  return path.join(opts.stateDir, "settings", "tts.json");
}

export function hasProviderKey(cfg: ResolvedTtsConfig, provider: TtsProviderId): boolean {
  if (provider === "openai") return Boolean(cfg.openai.apiKey);
  if (provider === "elevenlabs") return Boolean(cfg.elevenlabs.apiKey);
  return false;
}

/** Whether `provider` can speak here. Edge voices are not built in, so edge never is. */
export function isProviderConfigured(cfg: ResolvedTtsConfig, provider: TtsProviderId): boolean {
  return hasProviderKey(cfg, provider);
}

interface Prefs {
  tts?: { auto?: string; enabled?: boolean; provider?: string; [k: string]: unknown };
  [k: string]: unknown;
}

/** The largest preferences file read. */
const MAX_PREFS_BYTES = 256 * 1024;

/** The preferences file; a missing or unreadable one is empty. */
export function readPrefs(prefsPath: string): Prefs {
  try {
    const parsed = JSON.parse(readStateFileSync(prefsPath, MAX_PREFS_BYTES)) as unknown;
    return isObj(parsed) ? (parsed as Prefs) : {};
  } catch {
    return {};
  }
}

export function updatePrefs(prefsPath: string, update: (tts: NonNullable<Prefs["tts"]>) => void): void {
  const prefs = readPrefs(prefsPath);
  const tts = isObj(prefs.tts) ? { ...prefs.tts } : {};
  update(tts);
  prefs.tts = tts;
  fs.mkdirSync(path.dirname(prefsPath), { recursive: true });
  writeFileAtomicSync(prefsPath, JSON.stringify(prefs, null, 2));
}

export function effectiveAuto(cfg: ResolvedTtsConfig): TtsAutoMode {
  const t = readPrefs(cfg.prefsPath).tts;
  const a = str(t?.auto)?.toLowerCase();
  if (a && AUTO_MODES.has(a)) return a as TtsAutoMode;
  if (typeof t?.enabled === "boolean") return t.enabled ? "always" : "off";
  return cfg.auto;
}

export function effectiveProvider(cfg: ResolvedTtsConfig): TtsProviderId {
  const p = str(readPrefs(cfg.prefsPath).tts?.provider);
  if (p && (TTS_PROVIDERS as readonly string[]).includes(p)) return p as TtsProviderId;
  return cfg.provider;
}
