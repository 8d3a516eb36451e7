/**
 * What `openclaw security audit` says about webhooks: the routes that answer without the gateway
 * token (they check the hook token instead), and hook settings that weaken that check.
 */
import type { OpenClawConfig } from "../config/schema.js";
import type { AuditFinding } from "../ops/audit.js";
import type { Effective } from "../ops/context.js";
import { HooksConfigError, resolveHooksConfig } from "./config.js";

const MIN_HOOK_TOKEN = 24;

export function webhookFindings(cfg: OpenClawConfig, e: Effective): AuditFinding[] {
  if (cfg.hooks?.enabled !== true) return [];
  const out: AuditFinding[] = [];
  const exposure = e.publicBind ? `Anyone who reaches port ${e.port.value}` : "Any program on this machine";
  let resolved;
  try {
    resolved = resolveHooksConfig(cfg);
  } catch (err) {
    if (!(err instanceof HooksConfigError)) throw err;
    const root = cfg.hooks.path?.trim() === "/";
    return [
      {
        checkId: root ? "hooks.path_root" : "hooks.config_refused",
        severity: "medium",
        title: root ? "Hooks base path is '/'" : "Webhooks are enabled but refused",
        detail: `${err.message}. The gateway serves no webhooks until this is fixed.`,
        remediation: root ? "Use a dedicated path such as /hooks." : "Fix the hooks settings named above, or set hooks.enabled to false.",
      },
    ];
  }
  if (!resolved) return [];
  const routes = ["wake", "agent", ...new Set(resolved.mappings.map((m) => m.path))].map((s) => `${resolved.basePath}/${s}`);
  out.push({
    checkId: "hooks.routes.public",
    severity: e.publicBind ? "medium" : "low",
    title: "Webhook routes answer without the gateway token",
    detail: `webhooks: ${routes.join(", ")}. ${exposure} can call them with hooks.token; they can wake the agent and start agent turns.`,
    remediation: "Keep hooks.token long and secret, keep the gateway on loopback or a tailnet, or set hooks.enabled to false.",
  });
  const token = resolved.token;
  if (token.length < MIN_HOOK_TOKEN)
    out.push({
      checkId: "hooks.token_too_short",
      severity: e.publicBind ? "medium" : "low",
      title: "Hooks token looks short",
      detail: `hooks.token is ${token.length} characters; prefer at least ${MIN_HOOK_TOKEN} random characters.`,
      remediation: "Generate one with `openssl rand -hex 32`.",
    });
  const gatewaySecret = e.auth.mode === "token" ? e.auth.token : e.auth.mode === "password" ? e.auth.password : undefined;
  if (gatewaySecret && gatewaySecret.trim() === token)
    out.push({
      checkId: "hooks.token_reuse_gateway_token",
      severity: "medium",
      title: "Hooks token reuses the gateway token",
      detail: "hooks.token equals the gateway's token: whoever holds a webhook URL's token can operate the whole gateway.",
      remediation: "Give hooks.token a value of its own (`openssl rand -hex 32`).",
    });
  return out;
}
