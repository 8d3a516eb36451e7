/**
 * Session keys, OpenClaw's grammar: `agent:<agentId>:<rest>`, where rest is the main key (`main`),
 * `dm:<peer>`, `<channel>:dm:<peer>`, `<channel>:<account>:dm:<peer>`, `<channel>:group:<id>` or
 * `<channel>:channel:<id>`. Other sources use `cron:<id>`, `hook:<id>`, `node-<id>`. A bare `main` (or
 * any key without the `agent:` prefix) belongs to the default agent.
 */

export const DEFAULT_MAIN_KEY = "main";

export interface ParsedSessionKey {
  agentId: string;
  /** Everything after `agent:<id>:`. */
  rest: string;
  /** The key in canonical `agent:<id>:<rest>` form. */
  canonical: string;
}

export function normalizeAgentId(id: string): string {
  return id.trim().toLowerCase();
}

/** Parses any accepted form; keys without the prefix are scoped to `defaultAgentId`. */
export function parseSessionKey(key: string, defaultAgentId: string): ParsedSessionKey {
  const trimmed = key.trim();
  const m = /^agent:([^:]+):(.+)$/.exec(trimmed);
  if (m) {
    const agentId = normalizeAgentId(m[1]!);
    return { agentId, rest: m[2]!, canonical: `agent:${agentId}:${m[2]}` };
  }
  const agentId = normalizeAgentId(defaultAgentId);
  return { agentId, rest: trimmed, canonical: `agent:${agentId}:${trimmed}` };
}

export function mainSessionKey(agentId: string, mainKey = DEFAULT_MAIN_KEY): string {
  return `agent:${normalizeAgentId(agentId)}:${mainKey}`;
}

export type DmScope = "main" | "per-peer" | "per-channel-peer" | "per-account-channel-peer";

export interface PeerRef {
  agentId: string;
  channel: string;
  accountId?: string;
  kind: "dm" | "group" | "channel";
  id: string;
}

/** The session key for an inbound conversation, following `session.dmScope` for direct messages. */
export function sessionKeyFor(peer: PeerRef, dmScope: DmScope = "main", mainKey = DEFAULT_MAIN_KEY): string {
  const agent = normalizeAgentId(peer.agentId);
  if (peer.kind !== "dm") return `agent:${agent}:${peer.channel}:${peer.kind}:${peer.id}`;
  switch (dmScope) {
    case "main":
      return `agent:${agent}:${mainKey}`;
    case "per-peer":
      return `agent:${agent}:dm:${peer.id}`;
    case "per-channel-peer":
      return `agent:${agent}:${peer.channel}:dm:${peer.id}`;
    case "per-account-channel-peer":
      return `agent:${agent}:${peer.channel}:${peer.accountId ?? "default"}:dm:${peer.id}`;
  }
}

/** `direct`, `group` or `room` as OpenClaw's store records it. */
export function chatTypeOf(key: string): "direct" | "group" | "room" {
  if (/:group:/.test(key)) return "group";
  if (/:(channel|room):/.test(key)) return "room";
  return "direct";
}
