/**
 * `bindings[]`: which agent answers a conversation. The most specific matching binding wins (a peer,
 * then a guild or team, then an account, then a whole channel); ties go to the first listed; nothing
 * matching means the default agent.
 */
import type { OpenClawConfig } from "../config/schema.js";
import type { InboundMessage } from "../channels/types.js";

type Binding = NonNullable<OpenClawConfig["bindings"]>[number];

function score(b: Binding, msg: InboundMessage): number {
  const m = b.match ?? {};
  if (m.channel && m.channel !== msg.channel) return -1;
  if (m.accountId && m.accountId !== msg.accountId) return -1;
  let s = m.channel ? 1 : 0;
  if (m.accountId) s = 2;
  if (m.guildId) {
    if (m.guildId !== msg.chat.guildId) return -1;
    s = 3;
  }
  if ((m as { teamId?: string }).teamId) return -1; // Slack teams: no Slack channel here yet
  if (m.peer) {
    const peerId = msg.chat.kind === "dm" ? msg.sender.id : msg.chat.id;
    if (m.peer.kind && m.peer.kind !== msg.chat.kind) return -1;
    if (m.peer.id !== peerId && m.peer.id !== msg.chat.parentId) return -1;
    s = 4;
  }
  return s;
}

export function resolveAgentId(cfg: OpenClawConfig, msg: InboundMessage, defaultAgentId: string): string {
  let best: { agentId: string; s: number } | null = null;
  for (const b of cfg.bindings ?? []) {
    const s = score(b, msg);
    if (s >= 0 && (!best || s > best.s)) best = { agentId: b.agentId, s };
  }
  return best?.agentId ?? defaultAgentId;
}
