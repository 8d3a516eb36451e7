/**
 * The configured agents (`agents.list`, or the one `main` agent) and how any accepted form of a
 * session key (`main`, `agent:<id>:<rest>`, a bare key) names one agent's session.
 */
import type { OpenClawConfig } from "../config/schema.js";
import { mainSessionKey, normalizeAgentId, parseSessionKey } from "../sessions/keys.js";
import { AgentError } from "./types.js";

export function defaultAgentId(cfg: OpenClawConfig): string {
  const list = cfg.agents?.list ?? [];
  return normalizeAgentId((list.find((a) => a.default) ?? list[0])?.id ?? "main");
}

export function agentIds(cfg: OpenClawConfig): string[] {
  const list = cfg.agents?.list ?? [];
  return list.length ? list.map((a) => normalizeAgentId(a.id)) : ["main"];
}

export function mainKeyOf(cfg: OpenClawConfig): string {
  return cfg.session?.mainKey ?? "main";
}

/** Canonical key and agent for any accepted key form; unknown agents are an error. */
export function resolveKey(cfg: OpenClawConfig, sessionKey: string | undefined, agentId?: string): { key: string; agentId: string } {
  const fallbackAgent = agentId ? normalizeAgentId(agentId) : defaultAgentId(cfg);
  const key = sessionKey?.trim() || mainSessionKey(fallbackAgent, mainKeyOf(cfg));
  const parsed = parseSessionKey(key === "main" ? mainKeyOf(cfg) : key, fallbackAgent);
  const known = agentIds(cfg);
  if (!known.includes(parsed.agentId)) {
    throw new AgentError("UNKNOWN_AGENT", `unknown agent "${parsed.agentId}" (configured: ${known.join(", ")})`);
  }
  return { key: parsed.canonical, agentId: parsed.agentId };
}

/** `agents.list`: the agents with their names, the default one and the session scope. */
export function listAgents(cfg: OpenClawConfig) {
  const list = cfg.agents?.list ?? [];
  return {
    defaultId: defaultAgentId(cfg),
    mainKey: mainKeyOf(cfg),
    scope: cfg.session?.scope ?? "per-sender",
    agents: (list.length ? list : [{ id: "main" }]).map((a) => ({
      id: normalizeAgentId(a.id),
      ...((a as { name?: string }).name ? { name: (a as { name?: string }).name } : {}),
    })),
  };
}
