/**
 * Who may talk to the agent, from the channel's config and the pairing store.
 *
 * Direct messages follow the DM policy: `pairing` (default: strangers get a code, nothing runs),
 * `allowlist`, `open` or `disabled`. Group messages follow the group policy (`allowlist` by default:
 * the group, guild or channel must be listed) and mention gating (`requireMention`, default on):
 * a message that passes the policy but does not mention the bot is kept as context, not answered.
 *
 * Each channel words its config its own way; the channel's folder turns it into the same rules
 * (`ChannelRules`, from its descriptor).
 */
import type { ChannelRules, InboundMessage } from "../channels/types.js";
import type { PairingStore } from "./pairing.js";

export type Decision =
  | { action: "allow"; requireMention: boolean; systemPrompt?: string }
  | { action: "context"; reason: string }
  | { action: "pair"; reason: string }
  | { action: "drop"; reason: string };

type Obj = Record<string, any>;

/** Matches ids, `@username`s and `*`, case-insensitively. */
export function senderMatches(list: Array<string | number> | undefined, sender: InboundMessage["sender"]): boolean {
  if (!list?.length) return false;
  const names = [sender.id, sender.username, sender.username ? `@${sender.username}` : undefined]
    .filter(Boolean)
    .map((s) => String(s).toLowerCase());
  return list.some((e) => {
    const v = String(e).trim().toLowerCase();
    return v === "*" || names.includes(v) || names.includes(v.replace(/^@/, ""));
  });
}

export interface AccessOptions {
  /** The channel's merged account config. */
  config: Obj;
  /** Whether `channels.<name>` exists in the config file (not just an env token). */
  sectionPresent: boolean;
  pairing: PairingStore;
  /** How this channel's config reads. */
  rules: ChannelRules;
}

export function decide(msg: InboundMessage, o: AccessOptions): Decision {
  const cfg = o.config;
  if (msg.sender.isBot && cfg.allowBots !== true) return { action: "drop", reason: "sender is a bot" };

  if (msg.chat.kind === "dm") {
    const r = o.rules.dm(cfg);
    if (!r.enabled || r.policy === "disabled") return { action: "drop", reason: "direct messages are disabled" };
    if (r.policy === "open") return { action: "allow", requireMention: false };
    const approved = senderMatches(r.allowFrom, msg.sender) || o.pairing.isApproved(msg.channel, msg.sender.id);
    if (approved) return { action: "allow", requireMention: false };
    if (r.policy === "allowlist") return { action: "drop", reason: `sender ${msg.sender.id} is not in the allowlist` };
    return { action: "pair", reason: `sender ${msg.sender.id} is not paired yet` };
  }

  const g = o.rules.group(cfg, msg, o.sectionPresent);
  if (g.policy === "disabled") return { action: "drop", reason: "group messages are disabled (groupPolicy: disabled)" };
  if (g.off) return { action: "drop", reason: "this group or channel is switched off in config" };
  if (g.policy === "allowlist" && !g.listed) return { action: "drop", reason: `chat ${msg.chat.id} is not in the allowlist` };
  if (g.users && !senderMatches(g.users, msg.sender))
    return { action: "drop", reason: `sender ${msg.sender.id} is not allowed in this chat` };
  if (!g.users && g.policy === "allowlist" && g.noUsersReason) return { action: "drop", reason: g.noUsersReason };
  if (g.requireMention && !msg.mentioned) return { action: "context", reason: "not mentioned" };
  return { action: "allow", requireMention: g.requireMention, ...(g.systemPrompt ? { systemPrompt: g.systemPrompt } : {}) };
}
