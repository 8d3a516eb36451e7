/**
 * `openclaw doctor`'s voice-call findings: with `plugins.entries.voice-call.enabled`, every piece a
 * call still needs (provider, fromNumber, the provider's credentials, the ngrok token for an ngrok
 * tunnel), each naming its config key and environment variable, and how the provider will reach the
 * webhook.
 */
import {
  CONFIG_PATH,
  describeMissing,
  missingDetails,
  parseVoiceCallConfig,
  voiceCallEnabled,
  voiceCallEntry,
  VoiceCallConfigError,
  withEnvFallbacks,
} from "./config.js";

export interface VoiceCallFinding {
  id: string;
  level: "ok" | "warn" | "error";
  message: string;
  fix?: string;
}

/** Providers this gateway places calls through. */
const SUPPORTED = new Set(["twilio", "telnyx", "plivo"]);

export function checkVoiceCall(config: unknown, env: Record<string, string | undefined>): VoiceCallFinding[] {
  if (!voiceCallEnabled(config)) return [];
  let parsed;
  try {
    parsed = parseVoiceCallConfig(voiceCallEntry(config)?.config);
  } catch (e) {
    if (!(e instanceof VoiceCallConfigError)) throw e;
    return [
      {
        id: "voice-call.config",
        level: "error",
        message: `voice calls are enabled but their config is invalid:\n${e.problems.join("\n")}`,
        fix: "correct each key named above; voice calls stay off until then",
      },
    ];
  }
  const cfg = withEnvFallbacks(parsed, env);
  const out: VoiceCallFinding[] = [];
  for (const m of missingDetails(cfg)) {
    const key = `${CONFIG_PATH}.${m.key}`;
    out.push({
      id: `voice-call.${m.key}`,
      level: "error",
      message: `voice calls: ${describeMissing(m)}`,
      fix: m.env
        ? `set ${m.env} (on Fly: \`fly secrets set ${m.env}=…\`), or ${key} in openclaw.json`
        : `set ${key} (\`openclaw config set ${key} …\`)`,
    });
  }
  if (cfg.provider && cfg.provider !== "mock" && !SUPPORTED.has(cfg.provider))
    out.push({
      id: "voice-call.provider",
      level: "error",
      message: `voice calls: provider "${cfg.provider}" is not supported by this gateway yet`,
      fix: `use twilio, telnyx or plivo (${CONFIG_PATH}.provider)`,
    });
  if (!cfg.publicUrl && cfg.tunnel.provider === "none")
    out.push({
      id: "voice-call.publicUrl",
      level: "warn",
      message: `voice calls: no public URL, so the provider cannot reach the webhook at ${cfg.serve.path} (calls cannot be placed)`,
      fix: `set ${CONFIG_PATH}.publicUrl to the https URL the provider can reach (e.g. https://<app>.fly.dev${cfg.serve.path}), or ${CONFIG_PATH}.tunnel.provider`,
    });
  if (cfg.skipSignatureVerification)
    out.push({
      id: "voice-call.signatures",
      level: "warn",
      message: "voice calls: skipSignatureVerification is on, so anyone who finds the webhook URL can drive calls",
      fix: `remove ${CONFIG_PATH}.skipSignatureVerification outside local testing`,
    });
  if (!out.some((f) => f.level === "error"))
    out.push({
      id: "voice-call",
      level: "ok",
      message: `voice calls through ${cfg.provider}${cfg.fromNumber ? ` from ${cfg.fromNumber}` : ""}; webhook ${cfg.publicUrl ?? (cfg.tunnel.provider !== "none" ? `via ${cfg.tunnel.provider}` : cfg.serve.path)}`,
    });
  return out;
}
