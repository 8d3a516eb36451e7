/**
 * A Telegram `Message` → `InboundMessage`: chat kind and forum topic, sender, whether the bot was
 * addressed (DM, `@bot` mention, `/cmd@bot`, reply to the bot) with the bot's own mention removed from
 * the text, and photos downloaded as base64 images.
 */
import type { Api } from "grammy";
import type { Message, MessageEntity, PhotoSize, UserFromGetMe } from "grammy/types";
import type { ImageContent } from "../../providers/types.js";
import type { InboundMessage } from "../types.js";
import { apiSignal } from "./errors.js";

/** Text plus what the mention scan found. */
export interface Addressed {
  text: string;
  mentioned: boolean;
}

/**
 * Removes the bot's `@username` mentions and the `@username` suffix of commands aimed at it, using
 * Telegram's entities (offsets in UTF-16 units, which is how JS strings index).
 */
export function stripBotMention(text: string, entities: readonly MessageEntity[] | undefined, me: UserFromGetMe): Addressed {
  const handle = `@${me.username}`.toLowerCase();
  const cuts: Array<[number, number, "mention" | "suffix"]> = [];
  let mentioned = false;
  for (const e of entities ?? []) {
    const part = text.slice(e.offset, e.offset + e.length);
    if (e.type === "mention" && part.toLowerCase() === handle) {
      mentioned = true;
      cuts.push([e.offset, e.offset + e.length, "mention"]);
    } else if (e.type === "text_mention" && e.user?.id === me.id) {
      mentioned = true;
      cuts.push([e.offset, e.offset + e.length, "mention"]);
    } else if (e.type === "bot_command") {
      const at = part.indexOf("@");
      if (at > 0 && part.slice(at).toLowerCase() === handle) {
        mentioned = true;
        cuts.push([e.offset + at, e.offset + e.length, "suffix"]);
      }
    }
  }
  let out = text;
  for (const [a, b, kind] of cuts.sort((x, y) => y[0] - x[0])) {
    const left = out.slice(0, a);
    let right = out.slice(b);
    // `@bot, hi` → `hi`: the punctuation went with the mention; and no doubled or leading space.
    if (kind === "mention") right = right.replace(/^[,:;](?=\s|$)/, "");
    if (left === "" || /\s$/.test(left)) right = right.replace(/^[ \t]+/, "");
    out = left + right;
  }
  return { text: out.trim(), mentioned };
}

/** Service messages (joins, pins, topic edits...) and unsupported media carry none of these. */
export function hasContent(msg: Message): boolean {
  return msg.text !== undefined || msg.caption !== undefined || msg.photo !== undefined || isImageDocument(msg);
}

function isImageDocument(msg: Message): boolean {
  return !!msg.document?.mime_type?.startsWith("image/");
}

/**
 * A reply to the bot counts as addressing it. In forum topics every message "replies" to the topic's
 * creation message; that is not a real reply.
 */
function realReply(msg: Message): Message | undefined {
  const r = msg.reply_to_message;
  if (!r) return undefined;
  if (r.forum_topic_created || (msg.is_topic_message && r.message_id === msg.message_thread_id)) return undefined;
  return r;
}

/**
 * The forum topic of a message, as a string. In forum supergroups the General topic has no
 * `message_thread_id`; it is reported as "1" (what Telegram uses for it), so typing indicators can
 * target it. Plain groups have no topics (their `message_thread_id` marks reply threads, ignored).
 */
export function topicOf(msg: Message): string | undefined {
  if (msg.chat.type === "private") return msg.message_thread_id !== undefined ? String(msg.message_thread_id) : undefined;
  if (msg.chat.type === "supergroup" && msg.chat.is_forum) {
    return msg.is_topic_message && msg.message_thread_id !== undefined ? String(msg.message_thread_id) : "1";
  }
  return undefined;
}

export function toInbound(msg: Message, me: UserFromGetMe, accountId: string, images: ImageContent[] | undefined): InboundMessage {
  const raw = msg.text ?? msg.caption ?? "";
  const entities = msg.text !== undefined ? msg.entities : msg.caption_entities;
  const stripped = stripBotMention(raw, entities, me);
  const reply = realReply(msg);
  const isDm = msg.chat.type === "private";
  const mentioned = isDm || stripped.mentioned || reply?.from?.id === me.id;

  const chat: InboundMessage["chat"] = {
    kind: isDm ? "dm" : msg.chat.type === "channel" ? "channel" : "group",
    id: String(msg.chat.id),
  };
  const threadId = topicOf(msg);
  if (threadId !== undefined) chat.threadId = threadId;
  if ("title" in msg.chat && msg.chat.title) chat.title = msg.chat.title;

  // Anonymous group admins and linked channels post as a chat, not a user.
  const sender: InboundMessage["sender"] = msg.sender_chat
    ? { id: String(msg.sender_chat.id), name: "title" in msg.sender_chat ? msg.sender_chat.title : undefined }
    : { id: String(msg.from?.id ?? msg.chat.id) };
  if (!msg.sender_chat && msg.from) {
    if (msg.from.username) sender.username = msg.from.username;
    sender.name = [msg.from.first_name, msg.from.last_name].filter(Boolean).join(" ") || undefined;
    if (msg.from.is_bot) sender.isBot = true;
  }
  if (sender.name === undefined) delete sender.name;

  let text = stripped.text;
  if (!text && (msg.photo || isImageDocument(msg)) && !images?.length) text = "<media:image>";

  const out: InboundMessage = {
    channel: "telegram",
    accountId,
    messageId: String(msg.message_id),
    chat,
    sender,
    text,
    mentioned,
    timestamp: msg.date * 1000,
  };
  if (images?.length) out.images = images;
  if (reply) out.replyToMessageId = String(reply.message_id);
  return out;
}

const MIME_BY_EXT: Record<string, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  gif: "image/gif",
};

/** The biggest photo size not over `maxBytes` (sizes without `file_size` are assumed to fit). */
export function pickPhoto(sizes: readonly PhotoSize[], maxBytes: number): PhotoSize | undefined {
  return [...sizes]
    .filter((s) => (s.file_size ?? 0) <= maxBytes)
    .sort((a, b) => a.width * a.height - b.width * b.height || (a.file_size ?? 0) - (b.file_size ?? 0))
    .at(-1);
}

/**
 * Downloads the message's photo (or image document): `getFile`, then
 * `${apiRoot}/file/bot<token>/<file_path>`. Returns nothing when there is no image or it is over the
 * size cap; throws on transport errors (the caller logs and goes on without the image).
 */
export async function downloadImages(
  msg: Message,
  api: Api,
  opts: { apiRoot: string; token: string; maxBytes: number; signal?: AbortSignal },
): Promise<ImageContent[] | undefined> {
  let fileId: string | undefined;
  let declaredMime: string | undefined;
  if (msg.photo?.length) {
    fileId = pickPhoto(msg.photo, opts.maxBytes)?.file_id;
    declaredMime = "image/jpeg";
  } else if (isImageDocument(msg) && (msg.document!.file_size ?? 0) <= opts.maxBytes) {
    fileId = msg.document!.file_id;
    declaredMime = msg.document!.mime_type;
  }
  if (!fileId) return undefined;

  const file = await api.getFile(fileId, opts.signal && apiSignal(opts.signal));
  if (!file.file_path || (file.file_size ?? 0) > opts.maxBytes) return undefined;
  const res = await fetch(`${opts.apiRoot}/file/bot${opts.token}/${file.file_path}`, { signal: opts.signal });
  if (!res.ok) throw new Error(`file download failed (${res.status})`);
  const length = Number(res.headers.get("content-length") ?? 0);
  if (length > opts.maxBytes) {
    await res.body?.cancel();
    return undefined;
  }
  const data = Buffer.from(await res.arrayBuffer());
  if (data.length > opts.maxBytes) return undefined;

  const header = res.headers.get("content-type")?.split(";")[0]?.trim();
  const ext = /\.([a-z0-9]+)$/i.exec(file.file_path)?.[1]?.toLowerCase();
  const mimeType =
    (header?.startsWith("image/") ? header : undefined) ?? (ext ? MIME_BY_EXT[ext] : undefined) ?? declaredMime ?? "image/jpeg";
  return [{ type: "image", mimeType, data: data.toString("base64") }];
}
