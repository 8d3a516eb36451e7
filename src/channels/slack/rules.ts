/** Slack's access config (`dm.*`, `channels.<id|#name>`) as router rules. No Slack library here. */
import type { AccessPolicy, ChannelRules, GroupRules, InboundMessage } from "../types.js";

type Obj = Record<string, any>;

/** The `channels` entry for a channel: by id, `#name`, bare name (any case), then `*`. */
export function channelEntry(channels: Obj | undefined, id: string, name?: string): Obj | undefined {
  if (!channels) return undefined;
  if (channels[id]) return channels[id];
  if (name) {
    const want = name.toLowerCase().replace(/^#/, "");
    for (const [k, v] of Object.entries(channels)) {
      const key = k.toLowerCase();
      if (key === `#${want}` || key === want) return v as Obj;
    }
  }
  const upper = Object.entries(channels).find(([k]) => k.toUpperCase() === id.toUpperCase())?.[1];
  return (upper as Obj | undefined) ?? channels["*"];
}

export const slackRules: ChannelRules = {
  dm(cfg: Obj) {
    const dm: Obj = cfg.dm ?? {};
    return {
      enabled: dm.enabled !== false,
      policy: (dm.policy ?? "pairing") as AccessPolicy,
      allowFrom: dm.allowFrom ?? [],
    };
  },
  group(cfg: Obj, msg: InboundMessage, sectionPresent: boolean): GroupRules {
    if (msg.chat.kind === "group") {
      // Group DMs (mpim): off unless dm.groupEnabled; dm.groupChannels narrows them.
      const dm: Obj = cfg.dm ?? {};
      const allowed: Array<string | number> | undefined = dm.groupChannels;
      const names = [msg.chat.id, msg.chat.channelName, msg.chat.channelName && `#${msg.chat.channelName}`].filter(Boolean);
      return {
        policy: "allowlist",
        listed: dm.groupEnabled === true && (!allowed || allowed.some((a) => names.includes(String(a)))),
        off: false,
        requireMention: false,
      };
    }
    const entry = channelEntry(cfg.channels, msg.chat.id, msg.chat.channelName);
    return {
      policy: cfg.groupPolicy ?? slackRules.defaultGroupPolicy(sectionPresent),
      listed: Boolean(entry),
      off: entry?.enabled === false || entry?.allow === false,
      users: entry?.users,
      requireMention: entry?.requireMention ?? cfg.requireMention ?? true,
      systemPrompt: entry?.systemPrompt,
      tools: entry?.tools,
      toolsBySender: entry?.toolsBySender,
    };
  },
  groupPeerId: (msg) => msg.chat.id,
  historyLimit: 50,
  // Tokens from the environment and no channels.slack section at all: OpenClaw treats channels as open.
  defaultGroupPolicy: (sectionPresent) => (sectionPresent ? "allowlist" : "open"),
  keys: { dmPolicy: "dm.policy", groupList: "channels.<id|#name>" },
};
