/** Discord's access config (`dm.*`, `guilds.<id>.channels.<name>`) as router rules. */
import type { AccessPolicy, ChannelRules, GroupRules, InboundMessage } from "../types.js";

type Obj = Record<string, any>;

export const discordRules: ChannelRules = {
  dm(cfg: Obj) {
    const dm: Obj = cfg.dm ?? {};
    return {
      enabled: dm.enabled !== false,
      policy: (dm.policy ?? cfg.dmPolicy ?? "pairing") as AccessPolicy,
      allowFrom: dm.allowFrom ?? cfg.allowFrom ?? [],
    };
  },
  group(cfg: Obj, msg: InboundMessage, sectionPresent: boolean): GroupRules {
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
    const policy = cfg.groupPolicy ?? discordRules.defaultGroupPolicy(sectionPresent);
    return {
      policy,
      listed: Boolean(guild) && (!channels || Boolean(chan)),
      off: chan?.allow === false || chan?.enabled === false || guild?.enabled === false,
      users: chan?.users ?? guild?.users,
      requireMention: chan?.requireMention ?? guild?.requireMention ?? true,
      systemPrompt: chan?.systemPrompt,
      tools: chan?.tools ?? guild?.tools,
      toolsBySender: chan?.toolsBySender ?? guild?.toolsBySender,
    };
  },
  groupPeerId: (msg) => msg.chat.id,
  historyLimit: 20,
  // Only a DISCORD_BOT_TOKEN and no channels.discord section at all: OpenClaw treats guilds as open.
  defaultGroupPolicy: (sectionPresent) => (sectionPresent ? "allowlist" : "open"),
  keys: { dmPolicy: "dm.policy", groupList: "guilds.<id>" },
};
