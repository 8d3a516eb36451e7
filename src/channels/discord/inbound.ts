/**
 * MESSAGE_CREATE → InboundMessage. Pure functions: the adapter looks up the channel (cache, then
 * REST) and downloads images; everything here only reads the payload.
 *
 * Shapes: a DM is kind "dm" with `chat.id` the DM channel; a guild channel is kind "channel" with the
 * guild and channel names; a thread is kind "channel" with `chat.id` = `threadId` = the thread and
 * `parentId`/`parentName` its parent channel; a group DM is kind "group".
 */
import type { GatewayMessageCreateDispatchData } from "discord-api-types/v10";
import type { InboundMessage } from "../types.js";
import { THREAD_TYPES, type ChannelInfo } from "./cache.js";

const DM = 1;
const GROUP_DM = 3;
/** Message types a person writes: default and reply. Joins, pins, boosts and the like are skipped. */
const USER_MESSAGE_TYPES: ReadonlySet<number> = new Set([0, 19]);
const FORWARD = 1;

/** Cheap checks before any lookup: the bot's own messages, other bots (unless allowed), system messages. */
export function shouldHandle(m: GatewayMessageCreateDispatchData, botId: string, allowBots: boolean): boolean {
  if (!m.author || m.author.id === botId) return false;
  if ((m.author.bot || m.webhook_id) && !allowBots) return false;
  if (m.author.system) return false;
  return USER_MESSAGE_TYPES.has(m.type);
}

/** `<@id>` / `<@!id>` for this user. */
export function mentionPattern(userId: string, flags = "g"): RegExp {
  return new RegExp(`<@!?${userId}>`, flags);
}

export interface InboundLookup {
  channel?: ChannelInfo;
  parent?: ChannelInfo;
  guildName?: string;
}

export function toInbound(
  m: GatewayMessageCreateDispatchData,
  opts: { accountId: string; botId: string; now: () => number },
  look: InboundLookup,
): InboundMessage {
  const { botId } = opts;
  const type = m.channel_type ?? look.channel?.type;
  const chat: InboundMessage["chat"] = { kind: "channel", id: m.channel_id };
  if (!m.guild_id) {
    chat.kind = type === GROUP_DM ? "group" : "dm";
    if (chat.kind === "group" && look.channel?.name) chat.title = look.channel.name;
  } else {
    chat.guildId = m.guild_id;
    const guildName = look.guildName;
    if (guildName) chat.guildName = guildName;
    const name = look.channel?.name;
    if (name) {
      chat.channelName = name;
      chat.title = name;
    }
    if (type !== undefined && THREAD_TYPES.has(type)) {
      chat.threadId = m.channel_id;
      const parentId = look.channel?.parentId ?? look.parent?.id;
      if (parentId) chat.parentId = parentId;
      if (look.parent?.name) chat.parentName = look.parent.name;
    }
  }

  const isReply = m.type === 19 && (m.message_reference?.type ?? 0) !== FORWARD;
  const repliesToBot = isReply && m.referenced_message?.author?.id === botId;
  const mentioned =
    chat.kind === "dm" || m.mentions.some((u) => u.id === botId) || mentionPattern(botId, "").test(m.content) || repliesToBot;

  let text = stripMention(m.content, botId);
  const forwarded = m.message_reference?.type === FORWARD ? m.message_snapshots?.[0]?.message?.content : undefined;
  if (forwarded) text = [text, `[forwarded message]\n${forwarded}`].filter(Boolean).join("\n\n");

  const sender: InboundMessage["sender"] = { id: m.author.id, username: m.author.username };
  const display = m.member?.nick ?? m.author.global_name;
  if (display) sender.name = display;
  if (m.author.bot || m.webhook_id) sender.isBot = true;

  const msg: InboundMessage = {
    channel: "discord",
    accountId: opts.accountId,
    messageId: m.id,
    chat,
    sender,
    text,
    mentioned,
    timestamp: Date.parse(m.timestamp) || opts.now(),
  };
  if (isReply && m.message_reference?.message_id) msg.replyToMessageId = m.message_reference.message_id;
  return msg;
}

/**
 * Removes the bot's mention (`<@123> hi` → `hi`, `hey <@123> there` → `hey there`) and the spaces
 * around it, leaving the rest of the text (indentation, line breaks) as written.
 */
export function stripMention(content: string, botId: string): string {
  const re = new RegExp(`[ \\t]*<@!?${botId}>[ \\t]*`, "g");
  return content
    .replace(re, (match: string, offset: number, all: string) => {
      const end = offset + match.length;
      const lineEdge = offset === 0 || all[offset - 1] === "\n" || end === all.length || all[end] === "\n";
      return lineEdge ? "" : " ";
    })
    .trim();
}

export { DM };
