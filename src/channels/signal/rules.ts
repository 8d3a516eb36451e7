/**
 * Signal's access config (`dmPolicy`, `allowFrom`, `groupPolicy`, `groupAllowFrom`) as router rules.
 * Senders are E.164 numbers (`+15551234567`) or, for people who hide their number, `uuid:<id>`;
 * allowlist entries are read in any of the ways OpenClaw accepts them (`signal:+1…`, a bare UUID,
 * `uuid:<id>`, a number with spaces) and compared in that one form.
 */
import type { AccessPolicy, ChannelRules, GroupRules, InboundMessage } from "../types.js";
import { normalizeE164 } from "./config.js";

type Obj = Record<string, any>;

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** An allowlist entry in the form sender ids take: `*`, `+15551234567` or `uuid:<id>`. */
export function normalizeSignalId(entry: string | number): string {
  const s = String(entry).trim();
  if (!s || s === "*") return s;
  const bare = s.replace(/^signal:/i, "").trim();
  if (/^uuid:/i.test(bare)) return `uuid:${bare.slice(5).trim().toLowerCase()}`;
  if (UUID.test(bare)) return `uuid:${bare.toLowerCase()}`;
  if (/^\+?[\d\s().-]+$/.test(bare)) return normalizeE164(bare);
  return bare;
}

function normalizeList(list: unknown): string[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.map((e) => normalizeSignalId(e as string | number)).filter(Boolean);
}

export const signalRules: ChannelRules = {
  dm: (cfg: Obj) => ({
    enabled: true,
    policy: (cfg.dmPolicy ?? "pairing") as AccessPolicy,
    allowFrom: normalizeList(cfg.allowFrom) ?? [],
  }),
  group(cfg: Obj, _msg: InboundMessage): GroupRules {
    // Like OpenClaw, group senders fall back to the DM allowlist when groupAllowFrom is not set.
    const groupAllow = normalizeList(cfg.groupAllowFrom);
    const dmAllow = normalizeList(cfg.allowFrom);
    return {
      policy: cfg.groupPolicy ?? signalRules.defaultGroupPolicy(true),
      // Signal has no per-group config: the allowlist is about senders.
      listed: true,
      off: false,
      users: groupAllow ?? (dmAllow?.length ? dmAllow : undefined),
      noUsersReason: "no groupAllowFrom configured for Signal groups",
      requireMention: true,
    };
  },
  groupPeerId: (msg) => msg.chat.id.replace(/^group:/, ""),
  historyLimit: 50,
  defaultGroupPolicy: () => "allowlist",
  keys: { dmPolicy: "dmPolicy", groupList: "groupAllowFrom" },
};
