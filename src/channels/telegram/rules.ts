/** Telegram's access config (`dmPolicy`, `allowFrom`, `groups.<chatId>.topics.<id>`) as router rules. */
import type { AccessPolicy, ChannelRules, GroupRules, InboundMessage } from "../types.js";

type Obj = Record<string, any>;

export const telegramRules: ChannelRules = {
  dm: (cfg) => ({ enabled: true, policy: (cfg.dmPolicy ?? "pairing") as AccessPolicy, allowFrom: cfg.allowFrom ?? [] }),
  group(cfg: Obj, msg: InboundMessage): GroupRules {
    const groups: Obj | undefined = cfg.groups;
    const entry: Obj | undefined = groups?.[msg.chat.id] ?? groups?.["*"];
    const topic: Obj | undefined = msg.chat.threadId ? entry?.topics?.[msg.chat.threadId] : undefined;
    const pick = <K extends string>(k: K) => topic?.[k] ?? entry?.[k];
    return {
      policy: cfg.groupPolicy ?? telegramRules.defaultGroupPolicy(true),
      // A `groups` map lists the admitted groups; without one every group is admitted (senders still filtered).
      listed: groups ? Boolean(entry) : true,
      off: pick("enabled") === false,
      users: pick("allowFrom") ?? cfg.groupAllowFrom,
      // Telegram's allowlist is about senders: without groupAllowFrom nobody is admitted.
      noUsersReason: "no groupAllowFrom configured for Telegram groups",
      requireMention: pick("requireMention") ?? true,
      systemPrompt: pick("systemPrompt"),
      tools: pick("tools"),
      toolsBySender: pick("toolsBySender"),
    };
  },
  groupPeerId: (msg) => msg.chat.id + (msg.chat.threadId ? `:topic:${msg.chat.threadId}` : ""),
  historyLimit: 50,
  defaultGroupPolicy: () => "allowlist",
  keys: { dmPolicy: "dmPolicy", groupList: "groups.<chatId>" },
};
