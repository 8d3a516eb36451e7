/**
 * Slack `message` / `app_mention` events → InboundMessage. Pure functions: the adapter looks up names
 * (conversations.info, users.info) and downloads images; everything here only reads the event.
 *
 * Shapes: a DM (channel D…, `channel_type: "im"`) is kind "dm"; a group DM (`mpim`) is kind "group";
 * public and private channels are kind "channel" with `channelName` for `#name` config keys. A reply in
 * a thread carries the thread's root ts as `chat.threadId`; so does a top-level DM when replyToMode says
 * replies start a thread.
 */
import type { ChatKind, InboundMessage } from "../types.js";
import type { ReplyToMode } from "./config.js";

/** The event fields we read (Slack's message and app_mention events share them). */
export interface SlackMessageEvent {
  type: string;
  subtype?: string;
  channel: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  username?: string;
  text?: string;
  ts: string;
  event_ts?: string;
  thread_ts?: string;
  parent_user_id?: string;
  files?: SlackFile[];
}

export interface SlackFile {
  id?: string;
  name?: string;
  title?: string;
  mimetype?: string;
  size?: number;
  url_private?: string;
  url_private_download?: string;
}

/** Subtypes a person (or, with allowBots, a bot) writes. Edits, deletions, joins and the like are skipped. */
const HANDLED_SUBTYPES: ReadonlySet<string | undefined> = new Set([
  undefined,
  "file_share",
  "thread_broadcast",
  "bot_message",
  "me_message",
]);

/**
 * Cheap checks before any lookup: our own messages, other bots unless allowed, system subtypes, empty
 * events. Returns why an event is skipped, or null to handle it.
 */
export function skipReason(ev: SlackMessageEvent, self: { userId?: string; botId?: string }, allowBots: boolean): string | null {
  if (!HANDLED_SUBTYPES.has(ev.subtype)) return `subtype ${ev.subtype}`;
  if (!ev.channel || !ev.ts) return "no channel or ts";
  if ((self.userId && ev.user === self.userId) || (self.botId && ev.bot_id === self.botId)) return "own message";
  if (isBotEvent(ev) && !allowBots) return "sent by a bot";
  if (!ev.user && !ev.bot_id) return "no sender";
  if (!ev.text?.trim() && !ev.files?.length) return "empty";
  return null;
}

export function isBotEvent(ev: SlackMessageEvent): boolean {
  return Boolean(ev.bot_id) || ev.subtype === "bot_message";
}

export function chatKind(ev: SlackMessageEvent, info?: { isIm?: boolean; isMpim?: boolean }): ChatKind {
  if (ev.channel_type === "im" || info?.isIm || (!ev.channel_type && /^D/.test(ev.channel))) return "dm";
  if (ev.channel_type === "mpim" || info?.isMpim) return "group";
  return "channel";
}

/** The thread a message sits in (its root's ts), when it is a reply inside one. */
export function threadOf(ev: SlackMessageEvent): string | undefined {
  const t = ev.thread_ts;
  if (!t) return undefined;
  return t !== ev.ts || ev.parent_user_id ? t : undefined;
}

/** `<@U123>` / `<@U123|name>` for this user. */
export function mentionsUser(text: string, userId: string): boolean {
  return new RegExp(`<@${userId}(\\|[^>]*)?>`, "i").test(text);
}

/** Removes the bot's mention (`<@U1> hi` → `hi`) and the spaces around it. */
export function stripMention(text: string, userId: string): string {
  const re = new RegExp(`[ \\t]*<@${userId}(\\|[^>]*)?>[ \\t]*`, "gi");
  return text
    .replace(re, (match: string, _name: string, offset: number, all: string) => {
      const atLineStart = offset === 0 || all[offset - 1] === "\n";
      const atLineEnd = offset + match.length === all.length || all[offset + match.length] === "\n";
      return atLineStart || atLineEnd ? "" : " ";
    })
    .replace(/^\n+|\n+$/g, "")
    .trim();
}

/** Slack's escaping and tokens in incoming text, read back: `&amp;` → `&`, `<url|text>` → `text (url)`, `<#C1|general>` → `#general`. */
export function readableText(text: string): string {
  return text
    .replace(/<#([A-Z0-9]+)\|([^>]*)>/gi, (_m, id: string, name: string) => `#${name || id}`)
    .replace(/<!(here|channel|everyone)(\|[^>]*)?>/g, "@$1")
    .replace(/<((?:https?|mailto):[^|>]+)\|([^>]+)>/g, (_m, url: string, label: string) => (label === url ? url : `${label} (${url})`))
    .replace(/<((?:https?|mailto):[^>]+)>/g, "$1")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

export interface InboundLookup {
  kind: ChatKind;
  channelName?: string;
  senderName?: string;
  senderUsername?: string;
  replyToMode: ReplyToMode;
}

export function toInbound(
  ev: SlackMessageEvent,
  opts: { accountId: string; botUserId: string; now: () => number },
  look: InboundLookup,
): InboundMessage {
  const chat: InboundMessage["chat"] = { kind: look.kind, id: ev.channel };
  if (look.channelName) {
    chat.channelName = look.channelName;
    chat.title = look.kind === "channel" ? `#${look.channelName}` : look.channelName;
  }
  const inThread = threadOf(ev);
  // In DMs, replyToMode "first"/"all" makes the reply start a thread under this message. In channels
  // that is decided when sending (from the reply's replyToMessageId), so that top-level messages keep
  // sharing the channel's history instead of each becoming a thread of its own.
  const threadId = inThread ?? (look.kind === "dm" && look.replyToMode !== "off" ? ev.ts : undefined);
  if (threadId) chat.threadId = threadId;

  const raw = ev.text ?? "";
  const mentioned =
    look.kind === "dm" ||
    ev.type === "app_mention" ||
    mentionsUser(raw, opts.botUserId) ||
    (Boolean(inThread) && ev.parent_user_id === opts.botUserId);

  const sender: InboundMessage["sender"] = { id: ev.user ?? ev.bot_id ?? "unknown" };
  if (look.senderUsername ?? ev.username) sender.username = look.senderUsername ?? ev.username;
  if (look.senderName) sender.name = look.senderName;
  if (isBotEvent(ev)) sender.isBot = true;

  const msg: InboundMessage = {
    channel: "slack",
    accountId: opts.accountId,
    messageId: ev.ts,
    chat,
    sender,
    text: readableText(stripMention(raw, opts.botUserId)),
    mentioned,
    timestamp: Math.round(Number(ev.ts) * 1000) || opts.now(),
  };
  if (inThread) msg.replyToMessageId = inThread;
  return msg;
}
