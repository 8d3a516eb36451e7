/**
 * Sessions as clients see them: the rows of `sessions.list`, the items of `sessions.preview` and the
 * titles OpenClaw derives, in the shapes its 2026.1.29 clients read. Pure functions over store entries
 * and transcript messages; the agent service supplies both.
 */
import type { SessionEntry } from "./store.js";
import { stripEnvelope } from "../agents/envelope.js";

export type SessionKind = "global" | "unknown" | "group" | "direct";

export function classifySessionKey(key: string, entry?: SessionEntry): SessionKind {
  if (key === "global" || key === "unknown") return key;
  const chatType = entry?.chatType as string | undefined;
  if (chatType === "group" || chatType === "channel" || chatType === "room") return "group";
  if (key.includes(":group:") || key.includes(":channel:")) return "group";
  return "direct";
}

/** `<channel>:group:<id>` / `<channel>:channel:<id>` after the `agent:<id>:` prefix. */
export function parseGroupKey(key: string): { channel: string; kind: string; id: string } | null {
  const rest = /^agent:[^:]+:(.+)$/.exec(key)?.[1] ?? key;
  const [channel, kind, ...id] = rest.split(":").filter(Boolean);
  if (channel && (kind === "group" || kind === "channel") && id.length > 0) return { channel, kind, id: id.join(":") };
  return null;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() ? v : undefined);

function groupDisplayName(channel: string, entry: SessionEntry | undefined, id: string | undefined): string | undefined {
  const subject = str(entry?.subject) ?? str(entry?.groupChannel);
  if (subject) return `${channel}:${subject.replace(/^#/, "")}`;
  return id ? `${channel}:${id}` : undefined;
}

export interface SessionRowExtras {
  agentId: string;
  active: boolean;
  /** The window to report when the entry has none yet (the model the session would use). */
  defaultContextTokens?: number;
}

/** One `sessions.list` row: OpenClaw's fields, then this gateway's (agent, lifetime totals, spend, activity). */
export function sessionRow(key: string, entry: SessionEntry, extras: SessionRowExtras) {
  const group = parseGroupKey(key);
  const channel = str(entry.channel) ?? group?.channel;
  const origin = entry.origin as { label?: string } | undefined;
  const displayName =
    str(entry.displayName) ??
    (channel && group ? groupDisplayName(channel, entry, group.id) : undefined) ??
    str(entry.label) ??
    str(origin?.label);
  const delivery = entry.deliveryContext as { channel?: string; to?: string; accountId?: string } | undefined;
  const input = entry.inputTokens ?? 0;
  const output = entry.outputTokens ?? 0;
  return {
    key,
    kind: classifySessionKey(key, entry),
    label: entry.label,
    displayName,
    channel,
    subject: entry.subject,
    groupChannel: entry.groupChannel,
    space: entry.space,
    chatType: entry.chatType,
    origin: entry.origin,
    updatedAt: entry.updatedAt ?? null,
    sessionId: entry.sessionId,
    systemSent: entry.systemSent,
    abortedLastRun: entry.abortedLastRun,
    thinkingLevel: entry.thinkingLevel,
    verboseLevel: entry.verboseLevel,
    reasoningLevel: entry.reasoningLevel,
    elevatedLevel: entry.elevatedLevel,
    sendPolicy: entry.sendPolicy,
    inputTokens: entry.inputTokens,
    outputTokens: entry.outputTokens,
    totalTokens: entry.totalTokens ?? input + output,
    responseUsage: entry.responseUsage,
    modelProvider: entry.modelProvider,
    model: entry.model,
    contextTokens: entry.contextTokens ?? extras.defaultContextTokens,
    deliveryContext: entry.deliveryContext,
    lastChannel: delivery?.channel ?? entry.lastChannel,
    lastTo: delivery?.to ?? entry.lastTo,
    lastAccountId: delivery?.accountId ?? entry.lastAccountId,
    agentId: extras.agentId,
    modelOverride: entry.modelOverride,
    usageTotals: entry.usageTotals,
    costUsd: entry.costUsd ?? 0,
    compactionCount: entry.compactionCount ?? 0,
    active: extras.active,
  };
}

export type SessionRow = ReturnType<typeof sessionRow> & { derivedTitle?: string; lastMessagePreview?: string };

const TITLE_MAX = 60;

function truncateTitle(text: string): string {
  if (text.length <= TITLE_MAX) return text;
  const cut = text.slice(0, TITLE_MAX - 1);
  const space = cut.lastIndexOf(" ");
  return (space > TITLE_MAX * 0.6 ? cut.slice(0, space) : cut) + "…";
}

/** A title for a session: its name or subject, else its first user message, else its id and date. */
export function deriveSessionTitle(entry: SessionEntry, firstUserMessage: string | undefined): string | undefined {
  const named = str(entry.displayName)?.trim() ?? str(entry.subject)?.trim();
  if (named) return named;
  const first = firstUserMessage && stripEnvelope(firstUserMessage.trim());
  if (first?.trim()) return truncateTitle(first.replace(/\s+/g, " ").trim());
  if (!entry.sessionId) return undefined;
  const prefix = entry.sessionId.slice(0, 8);
  return entry.updatedAt > 0 ? `${prefix} (${new Date(entry.updatedAt).toISOString().slice(0, 10)})` : prefix;
}

interface LooseMessage {
  role?: string;
  content?: unknown;
  text?: unknown;
  toolName?: unknown;
}

/** The text of a message: a string content, its text blocks joined, or `text`. */
export function messageText(m: LooseMessage): string | undefined {
  if (typeof m.content === "string") return m.content.trim() || undefined;
  if (Array.isArray(m.content)) {
    const parts = (m.content as Array<{ text?: unknown }>).map((c) => (typeof c?.text === "string" ? c.text : "")).filter((t) => t.trim());
    if (parts.length) return parts.join("\n").trim();
  }
  return typeof m.text === "string" ? m.text.trim() || undefined : undefined;
}

export type PreviewRole = "user" | "assistant" | "system" | "tool" | "other";

function toolNames(m: LooseMessage): string[] {
  const names: string[] = [];
  if (Array.isArray(m.content))
    for (const c of m.content as Array<{ type?: unknown; name?: unknown }>)
      if (typeof c?.name === "string" && c.name.trim()) names.push(c.name.trim());
  if (typeof m.toolName === "string" && m.toolName.trim()) names.push(m.toolName.trim());
  return names;
}

function isToolCall(m: LooseMessage): boolean {
  if (m.toolName) return true;
  return (
    Array.isArray(m.content) &&
    (m.content as Array<{ type?: unknown; name?: unknown }>).some((c) => {
      const t = typeof c?.type === "string" ? c.type.toLowerCase() : "";
      return Boolean(c?.name) || t === "toolcall" || t === "tool_call";
    })
  );
}

function roleOf(m: LooseMessage, tool: boolean): PreviewRole {
  if (tool) return "tool";
  const r = (m.role ?? "").toLowerCase();
  if (r === "toolresult") return "tool";
  return r === "user" || r === "assistant" || r === "system" || r === "tool" ? r : "other";
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return max <= 3 ? text.slice(0, max) : `${text.slice(0, max - 3)}...`;
}

/** `sessions.preview` items: the last `maxItems` messages with something to show, `maxChars` each. */
export function previewItems(messages: readonly unknown[], maxItems = 12, maxChars = 240): Array<{ role: PreviewRole; text: string }> {
  const items: Array<{ role: PreviewRole; text: string }> = [];
  const limit = Math.max(1, Math.min(maxItems, 50));
  const chars = Math.max(20, Math.min(maxChars, 2000));
  for (const raw of messages) {
    const m = (raw ?? {}) as LooseMessage;
    const tool = isToolCall(m);
    let text = messageText(m);
    if (!text) {
      const names = toolNames(m);
      if (names.length) text = `call ${names.slice(0, 2).join(", ")}${names.length > 2 ? ` +${names.length - 2}` : ""}`;
    }
    if (!text && Array.isArray(m.content)) {
      const media = (m.content as Array<{ type?: unknown }>).find((c) => {
        const t = typeof c?.type === "string" ? c.type.toLowerCase() : "";
        return t && t !== "text" && t !== "toolcall" && t !== "tool_call";
      });
      if (media) text = `[${String(media.type).toLowerCase()}]`;
    }
    const role = roleOf(m, tool);
    if (role === "user" && text) text = stripEnvelope(text);
    if (!text?.trim()) continue;
    items.push({ role, text: truncate(text.trim(), chars) });
  }
  return items.slice(-limit);
}
