/**
 * Who may talk to the agent, from the channel's config and the pairing store.
 *
 * Direct messages follow the DM policy: `pairing` (default: strangers get a code, nothing runs),
 * `allowlist`, `open` or `disabled`. Group messages follow the group policy (`allowlist` by default:
 * the group, guild or channel must be listed) and mention gating (`requireMention`, default on):
 * a message that passes the policy but does not mention the bot is kept as context, not answered.
 *
 * Channels word their config differently (Telegram `dmPolicy` + `groups`, Discord `dm.policy` +
 * `guilds.<id>.channels`); each has a small reader below that turns it into the same rules.
 */
import type { InboundMessage } from "../channels/types.js";
import type { PairingStore } from "./pairing.js";

export type Decision =
  | { action: "allow"; requireMention: boolean; systemPrompt?: string }
  | { action: "context"; reason: string }
  | { action: "pair"; reason: string }
  | { action: "drop"; reason: string };

type Obj = Record<string, any>;
type Policy = "pairing" | "allowlist" | "open" | "disabled";

interface DmRules {
  enabled: boolean;
  policy: Policy;
  allowFrom: Array<string | number>;
}

interface GroupRules {
  policy: "allowlist" | "open" | "disabled";
  /** Whether the group/guild/channel itself is admitted (listed, or the policy is open). */
  listed: boolean;
  /** An entry switched off explicitly (`enabled: false`, `allow: false`). */
  off: boolean;
  /** Senders admitted in this group (undefined: anyone who reaches the group). */
  users?: Array<string | number>;
  requireMention: boolean;
  systemPrompt?: string;
}

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

function telegramDm(cfg: Obj): DmRules {
  return { enabled: true, policy: (cfg.dmPolicy ?? "pairing") as Policy, allowFrom: cfg.allowFrom ?? [] };
}

function telegramGroup(cfg: Obj, msg: InboundMessage): GroupRules {
  const groups: Obj | undefined = cfg.groups;
  const entry: Obj | undefined = groups?.[msg.chat.id] ?? groups?.["*"];
  const topic: Obj | undefined = msg.chat.threadId ? entry?.topics?.[msg.chat.threadId] : undefined;
  const pick = <K extends string>(k: K) => topic?.[k] ?? entry?.[k];
  return {
    policy: cfg.groupPolicy ?? "allowlist",
    // A `groups` map lists the admitted groups; without one every group is admitted (senders still filtered).
    listed: groups ? Boolean(entry) : true,
    off: pick("enabled") === false,
    users: pick("allowFrom") ?? cfg.groupAllowFrom,
    requireMention: pick("requireMention") ?? true,
    systemPrompt: pick("systemPrompt"),
  };
}

function discordDm(cfg: Obj): DmRules {
  const dm: Obj = cfg.dm ?? {};
  return {
    enabled: dm.enabled !== false,
    policy: (dm.policy ?? cfg.dmPolicy ?? "pairing") as Policy,
    allowFrom: dm.allowFrom ?? cfg.allowFrom ?? [],
  };
}

function discordGroup(cfg: Obj, msg: InboundMessage, sectionPresent: boolean): GroupRules {
  if (msg.chat.kind === "group") {
    // Group DMs: off unless dm.groupEnabled; dm.groupChannels narrows them.
    const dm: Obj = cfg.dm ?? {};
    const allowed: string[] | undefined = dm.groupChannels;
    return {
      policy: "open",
      listed: dm.groupEnabled === true && (!allowed || allowed.includes(msg.chat.id)),
      off: false,
      requireMention: false,
    };
  }
  const guilds: Obj | undefined = cfg.guilds;
  const guildName = msg.chat.guildName?.toLowerCase();
  const guild: Obj | undefined =
    (msg.chat.guildId && guilds?.[msg.chat.guildId]) ||
    (guildName &&
      guilds &&
      Object.entries(guilds).find(([k, g]) => k.toLowerCase() === guildName || (g as Obj)?.slug?.toLowerCase() === guildName)?.[1]) ||
    guilds?.["*"];
  const channels: Obj | undefined = guild?.channels;
  // Threads inherit their parent channel's rules unless listed themselves.
  const keys = [msg.chat.id, msg.chat.channelName, msg.chat.parentId, msg.chat.parentName].filter(Boolean) as string[];
  const chan: Obj | undefined = channels ? (keys.map((k) => channels[k] ?? channels[`#${k}`]).find(Boolean) ?? channels["*"]) : undefined;
  // Only a DISCORD_BOT_TOKEN and no channels.discord section at all: OpenClaw treats guilds as open.
  const policy = cfg.groupPolicy ?? (sectionPresent ? "allowlist" : "open");
  return {
    policy,
    listed: Boolean(guild) && (!channels || Boolean(chan)),
    off: chan?.allow === false || chan?.enabled === false || guild?.enabled === false,
    users: chan?.users ?? guild?.users,
    requireMention: chan?.requireMention ?? guild?.requireMention ?? true,
    systemPrompt: chan?.systemPrompt,
  };
}

export interface AccessOptions {
  /** The channel's merged account config. */
  config: Obj;
  /** Whether `channels.<name>` exists in the config file (not just an env token). */
  sectionPresent: boolean;
  pairing: PairingStore;
}

export function decide(msg: InboundMessage, o: AccessOptions): Decision {
  const cfg = o.config;
  if (msg.sender.isBot && cfg.allowBots !== true) return { action: "drop", reason: "sender is a bot" };

  if (msg.chat.kind === "dm") {
    const r = msg.channel === "discord" ? discordDm(cfg) : telegramDm(cfg);
    if (!r.enabled || r.policy === "disabled") return { action: "drop", reason: "direct messages are disabled" };
    if (r.policy === "open") return { action: "allow", requireMention: false };
    const approved = senderMatches(r.allowFrom, msg.sender) || o.pairing.isApproved(msg.channel, msg.sender.id);
    if (approved) return { action: "allow", requireMention: false };
    if (r.policy === "allowlist") return { action: "drop", reason: `sender ${msg.sender.id} is not in the allowlist` };
    return { action: "pair", reason: `sender ${msg.sender.id} is not paired yet` };
  }

  const g = msg.channel === "discord" ? discordGroup(cfg, msg, o.sectionPresent) : telegramGroup(cfg, msg);
  if (g.policy === "disabled") return { action: "drop", reason: "group messages are disabled (groupPolicy: disabled)" };
  if (g.off) return { action: "drop", reason: "this group or channel is switched off in config" };
  if (g.policy === "allowlist" && !g.listed) return { action: "drop", reason: `chat ${msg.chat.id} is not in the allowlist` };
  if (g.users && !senderMatches(g.users, msg.sender))
    return { action: "drop", reason: `sender ${msg.sender.id} is not allowed in this chat` };
  if (!g.users && g.policy === "allowlist" && msg.channel === "telegram") {
    // Telegram's allowlist is about senders: without groupAllowFrom nobody is admitted.
    return { action: "drop", reason: "no groupAllowFrom configured for Telegram groups" };
  }
  if (g.requireMention && !msg.mentioned) return { action: "context", reason: "not mentioned" };
  return { action: "allow", requireMention: g.requireMention, ...(g.systemPrompt ? { systemPrompt: g.systemPrompt } : {}) };
}
