/** Baileys messages → `InboundMessage`: who wrote, where, what (text, images, media placeholders, quotes). */
import {
  areJidsSameUser,
  downloadMediaMessage,
  isJidBroadcast,
  isJidGroup,
  isJidNewsletter,
  isJidStatusBroadcast,
  isPnUser,
  normalizeMessageContent,
  type WAMessage,
  type proto,
} from "@whiskeysockets/baileys";
import type { ImageContent } from "../../providers/types.js";
import type { InboundMessage } from "../types.js";
import { jidToE164 } from "./config.js";

/** Chats we never answer: status updates, broadcast lists, channels (newsletters). */
export function ignoredChat(jid: string | null | undefined): boolean {
  return !jid || isJidStatusBroadcast(jid) || Boolean(isJidBroadcast(jid)) || Boolean(isJidNewsletter(jid));
}

const PLACEHOLDERS: Array<[keyof proto.IMessage, string]> = [
  ["imageMessage", "<media:image>"],
  ["videoMessage", "<media:video>"],
  ["audioMessage", "<media:audio>"],
  ["documentMessage", "<media:document>"],
  ["stickerMessage", "<media:sticker>"],
  ["locationMessage", "<media:location>"],
  ["liveLocationMessage", "<media:location>"],
  ["contactMessage", "<media:contact>"],
  ["contactsArrayMessage", "<media:contacts>"],
];

/** The text a message carries (body or caption). */
export function messageText(m: proto.IMessage | null | undefined): string {
  if (!m) return "";
  return (
    m.conversation ??
    m.extendedTextMessage?.text ??
    m.imageMessage?.caption ??
    m.videoMessage?.caption ??
    m.documentMessage?.caption ??
    ""
  ).trim();
}

export function mediaPlaceholder(m: proto.IMessage | null | undefined): string | undefined {
  if (!m) return undefined;
  for (const [key, label] of PLACEHOLDERS) if (m[key]) return label;
  return undefined;
}

function contextInfo(m: proto.IMessage | null | undefined): proto.IContextInfo | undefined {
  if (!m) return undefined;
  for (const v of Object.values(m)) {
    const ci = (v as { contextInfo?: proto.IContextInfo } | null)?.contextInfo;
    if (ci) return ci;
  }
  return undefined;
}

/** The phone-number jid of a key's author when Baileys gives one (v7 may address people by LID). */
function senderJid(key: proto.IMessageKey & { participantAlt?: string; remoteJidAlt?: string }, group: boolean): string {
  const primary = (group ? key.participant : key.remoteJid) ?? "";
  const alt = group ? key.participantAlt : key.remoteJidAlt;
  if (!isPnUser(primary) && alt && isPnUser(alt)) return alt;
  return primary;
}

export interface Self {
  /** Our own jid (`1555…:12@s.whatsapp.net`) and LID when known. */
  jid: string;
  lid?: string;
}

export interface Normalized {
  inbound: InboundMessage;
  /** An image worth downloading (within the size cap), to attach before handing the message on. */
  image?: { mimeType: string };
}

/** Normalises one message, or returns null for what carries nothing to answer. */
export function toInbound(msg: WAMessage, self: Self, accountId: string, prefix?: string): Normalized | null {
  const chatJid = msg.key.remoteJid;
  if (!chatJid || ignoredChat(chatJid)) return null;
  const content = normalizeMessageContent(msg.message);
  if (!content || content.protocolMessage || content.reactionMessage) return null;
  const group = Boolean(isJidGroup(chatJid));
  const from = msg.key.fromMe ? self.jid : senderJid(msg.key, group);
  const ci = contextInfo(content);
  const isSelf = (jid: string | null | undefined) =>
    Boolean(jid && (areJidsSameUser(jid, self.jid) || (self.lid && areJidsSameUser(jid, self.lid))));

  let text = messageText(content);
  const placeholder = mediaPlaceholder(content);
  const image = content.imageMessage ? { mimeType: content.imageMessage.mimetype ?? "image/jpeg" } : undefined;
  if (!text && placeholder) text = placeholder;
  else if (text && placeholder && !image) text = `${placeholder} ${text}`;
  if (!text && !image) return null;

  const mentionedJid = ci?.mentionedJid ?? [];
  const mentioned = !group || mentionedJid.some(isSelf) || Boolean(ci?.stanzaId && isSelf(ci.participant));
  // The mention itself (`@15551234567`) is noise to the agent.
  const selfUser = /^(\d+)/.exec(self.jid)?.[1];
  if (selfUser) text = text.replace(new RegExp(`@${selfUser}\\b\\s*`, "g"), "").trim() || text;
  if (ci?.quotedMessage) {
    const quoted = messageText(normalizeMessageContent(ci.quotedMessage)) || mediaPlaceholder(ci.quotedMessage) || "";
    if (quoted) {
      const who = ci.participant ? (jidToE164(ci.participant) ?? ci.participant) : "someone";
      text = `${text}\n\n[Replying to ${who}]\n${quoted}\n[/Replying]`;
    }
  }
  if (prefix) text = `${prefix} ${text}`;

  const ts = Number(msg.messageTimestamp ?? 0);
  const inbound: InboundMessage = {
    channel: "whatsapp",
    accountId,
    messageId: msg.key.id ?? "",
    chat: { kind: group ? "group" : "dm", id: chatJid },
    sender: { id: jidToE164(from) ?? from, ...(msg.pushName ? { name: msg.pushName } : {}) },
    text,
    mentioned,
    ...(ci?.stanzaId ? { replyToMessageId: ci.stanzaId } : {}),
    timestamp: ts > 0 ? ts * 1000 : Date.now(),
  };
  return { inbound, ...(image ? { image } : {}) };
}

/** Downloads an image message as base64, or undefined when it is larger than `maxBytes`. */
export async function downloadImage(msg: WAMessage, maxBytes: number, mimeType: string): Promise<ImageContent | undefined> {
  const declared = Number(normalizeMessageContent(msg.message)?.imageMessage?.fileLength ?? 0);
  if (declared > maxBytes) return undefined;
  const buf = (await downloadMediaMessage(msg, "buffer", {})) as Buffer;
  if (buf.length > maxBytes) return undefined;
  return { type: "image", data: buf.toString("base64"), mimeType };
}
