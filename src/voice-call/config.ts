/**
 * `plugins.entries.voice-call.config`: OpenClaw 2026.1.29's voice-call keys and defaults, the
 * provider credentials' environment fallbacks, and the checks that say, by full config path, what a
 * provider still needs before a call can be placed.
 *
 * Ours (additive): `twilio.apiBaseUrl`, `telnyx.apiBaseUrl`, `plivo.apiBaseUrl` (the providers' REST
 * endpoints, for a regional edge or a local stand-in; default the real APIs).
 */
import * as z from "zod";

export const CONFIG_PATH = "plugins.entries.voice-call.config";
export const ENTRY_PATH = "plugins.entries.voice-call";

export const DEFAULT_API = {
  twilio: "https://api.twilio.com",
  telnyx: "https://api.telnyx.com/v2",
  plivo: "https://api.plivo.com/v1",
} as const;

/** The plugin's config schema, built when a voice-call config is first read (most gateways never do). */
function buildSchema() {
  const E164 = z.string().regex(/^\+[1-9]\d{1,14}$/, "must be an E.164 phone number such as +15550001234");
  const Url = z.string().url("must be an absolute URL such as https://example.com");

  const Twilio = z.strictObject({
    accountSid: z.string().min(1).optional(),
    authToken: z.string().min(1).optional(),
    /** Ours: the REST API's base URL. */
    apiBaseUrl: Url.optional(),
  });
  const Telnyx = z.strictObject({
    apiKey: z.string().min(1).optional(),
    connectionId: z.string().min(1).optional(),
    publicKey: z.string().min(1).optional(),
    /** Ours: the REST API's base URL. */
    apiBaseUrl: Url.optional(),
  });
  const Plivo = z.strictObject({
    authId: z.string().min(1).optional(),
    authToken: z.string().min(1).optional(),
    /** Ours: the REST API's base URL. */
    apiBaseUrl: Url.optional(),
  });

  const Serve = z.strictObject({
    /** Unset: the webhook is served on the gateway's own port. */
    port: z.number().int().positive().max(65535).optional(),
    bind: z.string().default("127.0.0.1"),
    path: z.string().min(1).startsWith("/", "must start with /").default("/voice/webhook"),
  });
  const Tailscale = z.strictObject({
    mode: z.enum(["off", "serve", "funnel"]).default("off"),
    path: z.string().min(1).default("/voice/webhook"),
  });
  const Tunnel = z.strictObject({
    provider: z.enum(["none", "ngrok", "tailscale-serve", "tailscale-funnel"]).default("none"),
    ngrokAuthToken: z.string().min(1).optional(),
    ngrokDomain: z.string().min(1).optional(),
    allowNgrokFreeTierLoopbackBypass: z.boolean().default(false),
    allowNgrokFreeTier: z.boolean().optional(),
  });
  const Outbound = z.strictObject({
    defaultMode: z.enum(["notify", "conversation"]).default("notify"),
    notifyHangupDelaySec: z.number().int().nonnegative().default(3),
  });
  const Streaming = z.strictObject({
    enabled: z.boolean().default(false),
    sttProvider: z.enum(["openai-realtime"]).default("openai-realtime"),
    openaiApiKey: z.string().min(1).optional(),
    sttModel: z.string().min(1).default("gpt-4o-transcribe"),
    silenceDurationMs: z.number().int().positive().default(800),
    vadThreshold: z.number().min(0).max(1).default(0.5),
    streamPath: z.string().min(1).default("/voice/stream"),
    /** Ours: where the Realtime transcription API lives (default wss://api.openai.com). */
    openaiBaseUrl: z.string().min(1).optional(),
  });
  const Stt = z.strictObject({
    provider: z.literal("openai").default("openai"),
    model: z.string().min(1).default("whisper-1"),
  });

  const VoiceCallConfigSchema = z.strictObject({
    enabled: z.boolean().default(false),
    provider: z.enum(["telnyx", "twilio", "plivo", "mock"]).optional(),
    telnyx: Telnyx.optional(),
    twilio: Twilio.optional(),
    plivo: Plivo.optional(),
    fromNumber: E164.optional(),
    toNumber: E164.optional(),
    inboundPolicy: z.enum(["disabled", "allowlist", "pairing", "open"]).default("disabled"),
    allowFrom: z.array(E164).max(1000).default([]),
    inboundGreeting: z.string().max(4000).optional(),
    outbound: Outbound.prefault({}),
    maxDurationSeconds: z.number().int().positive().default(300),
    silenceTimeoutMs: z.number().int().positive().default(800),
    transcriptTimeoutMs: z.number().int().positive().default(180_000),
    ringTimeoutMs: z.number().int().positive().default(30_000),
    maxConcurrentCalls: z.number().int().positive().default(1),
    serve: Serve.prefault({}),
    tailscale: Tailscale.prefault({}),
    tunnel: Tunnel.prefault({}),
    streaming: Streaming.prefault({}),
    publicUrl: Url.optional(),
    skipSignatureVerification: z.boolean().default(false),
    stt: Stt.prefault({}),
    /** Text-to-speech settings; read by the media-stream side, passed through here. */
    tts: z.record(z.string(), z.unknown()).optional(),
    store: z.string().optional(),
    responseModel: z.string().default("openai/gpt-4o-mini"),
    responseSystemPrompt: z.string().optional(),
    responseTimeoutMs: z.number().int().positive().default(30_000),
  });
  return VoiceCallConfigSchema;
}

let schema: ReturnType<typeof buildSchema> | null = null;

export type VoiceCallConfig = z.infer<ReturnType<typeof buildSchema>>;
export type ProviderName = NonNullable<VoiceCallConfig["provider"]>;

export class VoiceCallConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("; "));
    this.name = "VoiceCallConfigError";
  }
}

type Env = Record<string, string | undefined>;

/** `plugins.entries.voice-call` of a whole config (or undefined). */
export function voiceCallEntry(config: unknown): { enabled?: unknown; config?: unknown } | undefined {
  const plugins = (config as { plugins?: { entries?: Record<string, unknown> } } | undefined)?.plugins;
  const entry = plugins?.entries?.["voice-call"];
  return entry && typeof entry === "object" ? (entry as { enabled?: unknown; config?: unknown }) : undefined;
}

/**
 * Whether the plugin runs: `plugins.entries.voice-call.enabled: true` (or the original's
 * `config.enabled: true`), unless either says false.
 */
export function voiceCallEnabled(config: unknown): boolean {
  const entry = voiceCallEntry(config);
  if (!entry) return false;
  const inner = (entry.config as { enabled?: unknown } | undefined)?.enabled;
  if (entry.enabled === false || inner === false) return false;
  return entry.enabled === true || inner === true;
}

/** Parses the raw config; problems name their full path. */
export function parseVoiceCallConfig(raw: unknown): VoiceCallConfig {
  const r = (schema ??= buildSchema()).safeParse(raw ?? {});
  if (!r.success)
    throw new VoiceCallConfigError(
      r.error.issues.slice(0, 10).map((i) => `${[CONFIG_PATH, ...i.path.map(String)].join(".")}: ${i.message}`),
    );
  return r.data;
}

/** Fills credentials from the environment where the config leaves them out (as the original does). */
export function withEnvFallbacks(cfg: VoiceCallConfig, env: Env): VoiceCallConfig {
  const out: VoiceCallConfig = structuredClone(cfg);
  if (out.provider === "twilio") {
    out.twilio = { ...out.twilio };
    out.twilio.accountSid ??= env.TWILIO_ACCOUNT_SID || undefined;
    out.twilio.authToken ??= env.TWILIO_AUTH_TOKEN || undefined;
  }
  if (out.provider === "telnyx") {
    out.telnyx = { ...out.telnyx };
    out.telnyx.apiKey ??= env.TELNYX_API_KEY || undefined;
    out.telnyx.connectionId ??= env.TELNYX_CONNECTION_ID || undefined;
    out.telnyx.publicKey ??= env.TELNYX_PUBLIC_KEY || undefined;
  }
  if (out.provider === "plivo") {
    out.plivo = { ...out.plivo };
    out.plivo.authId ??= env.PLIVO_AUTH_ID || undefined;
    out.plivo.authToken ??= env.PLIVO_AUTH_TOKEN || undefined;
  }
  out.tunnel.allowNgrokFreeTierLoopbackBypass = out.tunnel.allowNgrokFreeTierLoopbackBypass || out.tunnel.allowNgrokFreeTier === true;
  out.tunnel.ngrokAuthToken ??= env.NGROK_AUTHTOKEN || undefined;
  out.tunnel.ngrokDomain ??= env.NGROK_DOMAIN || undefined;
  return out;
}

export interface MissingPiece {
  /** The key under `plugins.entries.voice-call.config`. */
  key: string;
  /** The environment variable that may give it instead. */
  env?: string;
  why: string;
}

/** What is missing before calls can be placed, each naming the key (and its variable). */
export function missingDetails(cfg: VoiceCallConfig): MissingPiece[] {
  const out: MissingPiece[] = [];
  const need = (key: string, why: string, env?: string) => out.push({ key, why, ...(env ? { env } : {}) });
  if (!cfg.provider) need("provider", "is required (twilio, telnyx, plivo or mock)");
  if (!cfg.fromNumber && cfg.provider !== "mock") need("fromNumber", "is required (the E.164 number calls come from, e.g. +15550001234)");
  if (cfg.provider === "twilio") {
    if (!cfg.twilio?.accountSid) need("twilio.accountSid", "is required", "TWILIO_ACCOUNT_SID");
    if (!cfg.twilio?.authToken) need("twilio.authToken", "is required", "TWILIO_AUTH_TOKEN");
  }
  if (cfg.provider === "telnyx") {
    if (!cfg.telnyx?.apiKey) need("telnyx.apiKey", "is required", "TELNYX_API_KEY");
    if (!cfg.telnyx?.connectionId) need("telnyx.connectionId", "is required", "TELNYX_CONNECTION_ID");
    if (!cfg.telnyx?.publicKey && !cfg.skipSignatureVerification)
      need("telnyx.publicKey", "is required to verify Telnyx webhooks", "TELNYX_PUBLIC_KEY");
  }
  if (cfg.provider === "plivo") {
    if (!cfg.plivo?.authId) need("plivo.authId", "is required", "PLIVO_AUTH_ID");
    if (!cfg.plivo?.authToken) need("plivo.authToken", "is required", "PLIVO_AUTH_TOKEN");
  }
  if (cfg.tunnel.provider === "ngrok" && !cfg.tunnel.ngrokAuthToken)
    need("tunnel.ngrokAuthToken", 'is required for tunnel.provider "ngrok" (the ngrok auth token)', "NGROK_AUTHTOKEN");
  return out;
}

export function describeMissing(m: MissingPiece): string {
  return `${CONFIG_PATH}.${m.key} ${m.why}${m.env ? ` (or set ${m.env})` : ""}`;
}

export function missingPieces(cfg: VoiceCallConfig): string[] {
  return missingDetails(cfg).map(describeMissing);
}

/**
 * The missing pieces without which no call can be placed. A tunnel's token and Telnyx's public key
 * are not among them: without them calls can still be placed, but webhooks do not arrive (or are
 * refused), which doctor reports.
 */
export function blockingPieces(cfg: VoiceCallConfig): string[] {
  return missingDetails(cfg)
    .filter((m) => !m.key.startsWith("tunnel.") && m.key !== "telnyx.publicKey")
    .map(describeMissing);
}

/** The whole resolution: parse, environment fallbacks. Throws {@link VoiceCallConfigError}. */
export function resolveVoiceCallConfig(raw: unknown, env: Env): VoiceCallConfig {
  return withEnvFallbacks(parseVoiceCallConfig(raw), env);
}

export function apiBase(cfg: VoiceCallConfig, provider: "twilio" | "telnyx" | "plivo"): string {
  return (cfg[provider]?.apiBaseUrl ?? DEFAULT_API[provider]).replace(/\/+$/, "");
}
