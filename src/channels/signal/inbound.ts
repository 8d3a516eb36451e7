/**
 * One signal-cli envelope → an `InboundMessage`: who sent it (E.164, or `uuid:<id>` for senders
 * who hide their number), DM or group (`group:<groupId>`), whether the bot was addressed (a native
 * @mention of its number or UUID, or a quote of one of its messages) with its own mention removed,
 * and which image attachments to fetch. Our own messages, sync copies from our other devices,
 * typing and receipt notices, stories and bare reactions carry nothing to answer and are skipped.
 */
import type { InboundMessage } from "../types.js";
import { normalizeE164 } from "./config.js";

export interface SignalAttachment {
  id?: string;
  contentType?: string;
  filename?: string | null;
  size?: number;
}

export interface SignalMention {
  name?: string;
  number?: string | null;
  uuid?: string | null;
  start: number;
  length: number;
}

export interface SignalDataMessage {
  timestamp?: number;
  message?: string | null;
  groupInfo?: { groupId?: string; groupName?: string; type?: string } | null;
  attachments?: SignalAttachment[] | null;
  mentions?: SignalMention[] | null;
  quote?: { id?: number; author?: string; authorNumber?: string | null; authorUuid?: string | null; text?: string | null } | null;
  reaction?: unknown;
}

export interface SignalEnvelope {
  source?: string;
  sourceNumber?: string | null;
  sourceUuid?: string | null;
  sourceName?: string | null;
  timestamp?: number;
  dataMessage?: SignalDataMessage | null;
  editMessage?: { dataMessage?: SignalDataMessage | null } | null;
  syncMessage?: unknown;
  typingMessage?: unknown;
  receiptMessage?: unknown;
  storyMessage?: unknown;
}

/** Who the bot is: its number and, once known, its UUID. */
export interface SignalSelf {
  number?: string;
  uuid?: string;
}

/** What the adapter needs to finish a message: the normalised parts and the attachments to fetch. */
export interface ParsedEnvelope {
  message: Omit<InboundMessage, "channel" | "accountId" | "images">;
  /** The sender as signal-cli addresses them (`+1…` or a bare UUID). */
  recipient: string;
  groupId?: string;
  attachments: SignalAttachment[];
}

const OBJECT_REPLACEMENT = "\uFFFC";

function sameUuid(a: string | null | undefined, b: string | undefined): boolean {
  return Boolean(a && b && a.toLowerCase() === b.toLowerCase());
}

function isSelf(number: string | null | undefined, uuid: string | null | undefined, self: SignalSelf): boolean {
  return Boolean((number && self.number && normalizeE164(number) === self.number) || sameUuid(uuid, self.uuid));
}

/** Replaces mention placeholders: ours are removed (and reported), others read `@name`. */
export function resolveMentions(
  text: string,
  mentions: readonly SignalMention[] | null | undefined,
  self: SignalSelf,
): { text: string; mentioned: boolean } {
  let out = text;
  let mentioned = false;
  const sorted = [...(mentions ?? [])].filter((m) => Number.isInteger(m.start) && m.length > 0).sort((a, b) => b.start - a.start);
  for (const m of sorted) {
    const ours = isSelf(m.number, m.uuid, self);
    if (ours) mentioned = true;
    const left = out.slice(0, m.start);
    let right = out.slice(m.start + m.length);
    if (ours) {
      right = right.replace(/^[,:;](?=\s|$)/, "");
      if (left === "" || /\s$/.test(left)) right = right.replace(/^[ \t]+/, "");
      out = left + right;
    } else {
      out = `${left}@${m.name || m.number || m.uuid || "someone"}${right}`;
    }
  }
  return { text: out.split(OBJECT_REPLACEMENT).join("").trim(), mentioned };
}

/** Null when the envelope carries no message for the agent. */
export function parseEnvelope(env: SignalEnvelope, self: SignalSelf): ParsedEnvelope | null {
  if (env.syncMessage) return null;
  const number = env.sourceNumber?.trim() || (env.source && /^\+?\d+$/.test(env.source) ? env.source : undefined);
  const uuid = env.sourceUuid?.trim() || undefined;
  if (!number && !uuid) return null;
  if (isSelf(number, uuid, self)) return null;
  const data = env.dataMessage ?? env.editMessage?.dataMessage ?? null;
  if (!data) return null;

  const rawText = data.message ?? "";
  const { text, mentioned: atBot } = resolveMentions(rawText, data.mentions, self);
  const attachments = (data.attachments ?? []).filter((a) => a && typeof a === "object");
  if (!text && !attachments.length) return null; // a bare reaction, a group update, an empty edit

  const groupId = data.groupInfo?.groupId ?? undefined;
  const quote = data.quote ?? undefined;
  const quotesUs = Boolean(quote && isSelf(quote.authorNumber ?? quote.author, quote.authorUuid, self));
  const senderId = number ? normalizeE164(number) : `uuid:${uuid!.toLowerCase()}`;
  const timestamp = env.timestamp ?? data.timestamp ?? Date.now();

  const chat: InboundMessage["chat"] = groupId ? { kind: "group", id: `group:${groupId}` } : { kind: "dm", id: senderId };
  if (groupId && data.groupInfo?.groupName) chat.title = data.groupInfo.groupName;
  const sender: InboundMessage["sender"] = { id: senderId };
  if (env.sourceName?.trim()) sender.name = env.sourceName.trim();

  const message: ParsedEnvelope["message"] = {
    messageId: String(timestamp),
    chat,
    sender,
    text,
    mentioned: !groupId || atBot || quotesUs,
    timestamp,
  };
  if (quote?.id !== undefined) message.replyToMessageId = String(quote.id);
  return { message, recipient: number ? normalizeE164(number) : uuid!, ...(groupId ? { groupId } : {}), attachments };
}

/** Stands for attachments the agent does not get as images: `<media:image>`, `<media:audio>`, … */
export function mediaPlaceholder(skipped: readonly SignalAttachment[]): string {
  const kinds = new Set(
    skipped.map(
      (a) => /^(image|audio|video)\//.exec(a.contentType ?? "")?.[1] ?? (a.contentType === "application/pdf" ? "document" : "attachment"),
    ),
  );
  return [...kinds].map((k) => `<media:${k}>`).join(" ");
}
