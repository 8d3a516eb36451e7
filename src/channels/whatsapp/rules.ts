/**
 * WhatsApp's access config as router rules: DMs by E.164 number (`allowFrom`), groups by jid
 * (`groups.<id@g.us | "*">` with `requireMention` and tools), senders in groups by number
 * (`groupAllowFrom`, falling back to `allowFrom`).
 */
import type { AccessPolicy, ChannelRules, GroupRules, InboundMessage } from "../types.js";
import { normalizeE164 } from "./config.js";

type Obj = Record<string, any>;

/** Numbers written any common way (`+1 555…`, `whatsapp:+1555…`) compare as E.164; `*` stays. */
function numbers(list: unknown): string[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.map((v) => String(v)).map((v) => (v.trim() === "*" ? "*" : (normalizeE164(v) ?? v.trim())));
}

export const whatsappRules: ChannelRules = {
  dm: (cfg) => ({
    enabled: true,
    policy: (cfg.dmPolicy ?? "pairing") as AccessPolicy,
    allowFrom: numbers(cfg.allowFrom) ?? [],
  }),
  group(cfg: Obj, msg: InboundMessage): GroupRules {
    const groups: Obj | undefined = cfg.groups;
    const entry: Obj | undefined = groups?.[msg.chat.id] ?? groups?.["*"];
    const senders = numbers(cfg.groupAllowFrom) ?? numbers(cfg.allowFrom);
    return {
      policy: cfg.groupPolicy ?? whatsappRules.defaultGroupPolicy(true),
      // A `groups` map lists the admitted groups; without one every group is admitted (senders still filtered).
      listed: groups ? Boolean(entry) : true,
      off: false,
      users: senders,
      noUsersReason: "no groupAllowFrom (or allowFrom) configured for WhatsApp groups",
      requireMention: entry?.requireMention ?? true,
      tools: entry?.tools,
      toolsBySender: entry?.toolsBySender,
    };
  },
  groupPeerId: (msg) => msg.chat.id,
  historyLimit: 50,
  defaultGroupPolicy: () => "allowlist",
  keys: { dmPolicy: "dmPolicy", groupList: "groups.<jid@g.us>" },
};
