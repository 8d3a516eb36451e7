/**
 * Message envelopes, as OpenClaw writes them: a message from a chat starts with a header saying where
 * it came from and when, `[Telegram Alice id:42 2026-01-05 16:26 GMT+1] text`. The time of a message
 * goes there, not in the system prompt: the prompt then stays the same from one message to the next,
 * and so does the start of every request, which is what a provider's prompt cache (Anthropic's
 * `cache_control` on the system prompt and the conversation) matches on. With a clock in the prompt,
 * the cache could hold only within one minute, and each new minute paid for writing it again.
 *
 * `agents.defaults.envelopeTimezone` picks the zone (`local`, the default: the host's; `utc`; `user`:
 * `agents.defaults.userTimezone`; or an IANA name) and `envelopeTimestamp: "off"` leaves the time
 * out. Clients are shown messages without their header ({@link stripEnvelope}), as OpenClaw's
 * `chat.history` and Control UI show them.
 */
import type { OpenClawConfig } from "../config/schema.js";
import { knownTimeZone } from "../infra/time-zone.js";
import { hostZoneName, loadZone, wallClock } from "../infra/zoneinfo.js";

/** Where a message came from, for its header: the channel's label, the sender or chat, when it was sent. */
export interface EnvelopeSource {
  label: string;
  from?: string;
  /** When the platform says it was sent (epoch ms); default: when it arrived. */
  at?: number;
}

/** `{ utc: true }`, or the zone to show times in (undefined: the host's). */
export function envelopeZone(cfg: OpenClawConfig): { utc: true } | { utc: false; zone: string | undefined } {
  const setting = cfg.agents?.defaults?.envelopeTimezone?.trim();
  const raw = setting?.toLowerCase();
  if (raw === "utc" || raw === "gmt") return { utc: true };
  if (raw === "user") return { utc: false, zone: knownTimeZone(cfg.agents?.defaults?.userTimezone?.trim()) };
  if (setting && raw !== "local" && raw !== "host") {
    const zone = knownTimeZone(setting);
    // A zone no one knows shows UTC, as in OpenClaw, rather than the host's time under another name.
    return zone ? { utc: false, zone } : { utc: true };
  }
  return { utc: false, zone: undefined };
}

/** The host's zone, looked up at most once a minute (it is a file system call, and messages are many). */
let host: { name: string | undefined; at: number } | null = null;
function hostZone(): string | undefined {
  const now = Date.now();
  if (!host || now - host.at > 60_000) host = { name: hostZoneName(), at: now };
  return host.name;
}

/** The time zone the owner lives in, for the system prompt: `userTimezone`, else the host's. */
export function ownerTimeZone(cfg: OpenClawConfig): string {
  return knownTimeZone(cfg.agents?.defaults?.userTimezone?.trim()) ?? hostZone() ?? "UTC";
}

/**
 * `ts` for a header: `2026-01-05 16:26 GMT+1` in a zone, `2026-01-05T16:26Z` in UTC; with `seconds`,
 * `2026-01-05 16:26:07 GMT+1` and `2026-01-05T16:26:07Z`. Undefined for an invalid time.
 */
export function formatEnvelopeTime(ts: number, cfg: OpenClawConfig, seconds = false): string | undefined {
  const date = new Date(ts);
  if (Number.isNaN(date.getTime())) return undefined;
  const where = envelopeZone(cfg);
  if (where.utc) return `${date.toISOString().slice(0, seconds ? 19 : 16)}Z`;
  return zoned(date, where.zone, seconds);
}

/** The header for a message from `source` at `ts`, e.g. `[Telegram Alice 2026-01-05 16:26 GMT+1]`. */
export function envelopeHeader(source: EnvelopeSource, ts: number, cfg: OpenClawConfig): string {
  const parts = [headerPart(source.label) || "Channel"];
  const from = headerPart(source.from);
  if (from) parts.push(from);
  if (cfg.agents?.defaults?.envelopeTimestamp !== "off") {
    const time = formatEnvelopeTime(ts, cfg);
    if (time) parts.push(time);
  }
  return `[${parts.join(" ")}]`;
}

/** When `source` says its message was sent (seconds are taken for seconds), else `now`. */
export function sentAt(source: EnvelopeSource, now: number): number {
  const at = source.at;
  if (!at || !Number.isFinite(at) || at < 0) return now;
  return at < 1e12 ? Math.round(at * 1000) : at;
}

/**
 * A name as the header shows it: on one line, at most {@link MAX_PART_CHARS} characters, with square
 * brackets made round, so that a display name (chosen by whoever sent the message) cannot end the
 * header early or pass for one.
 */
function headerPart(value: string | undefined): string {
  const part = (value ?? "").replace(/\s+/g, " ").replace(/\[/g, "(").replace(/\]/g, ")").trim();
  return part.length > MAX_PART_CHARS ? `${part.slice(0, MAX_PART_CHARS - 1)}…` : part;
}
const MAX_PART_CHARS = 80;

/** `text` with its header in front. */
export function withEnvelope(text: string, source: EnvelopeSource, ts: number, cfg: OpenClawConfig): string {
  const header = envelopeHeader(source, ts, cfg);
  return text ? `${header} ${text}` : header;
}

const ENVELOPE_PREFIX = /^\[([^\]]+)\]\s*/;
/** Labels OpenClaw's own clients recognise a header by, when it carries no time. */
const ENVELOPE_LABELS = [
  "WebChat",
  "WhatsApp",
  "Telegram",
  "Signal",
  "Slack",
  "Discord",
  "Google Chat",
  "iMessage",
  "Teams",
  "Matrix",
  "Zalo",
  "Zalo Personal",
  "BlueBubbles",
];

function looksLikeHeader(header: string): boolean {
  if (/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z\b/.test(header)) return true;
  if (/\d{4}-\d{2}-\d{2} \d{2}:\d{2}\b/.test(header)) return true;
  return ENVELOPE_LABELS.some((label) => header.startsWith(`${label} `));
}

/** `text` without a leading envelope header (ours or OpenClaw's); anything else is left as it is. */
export function stripEnvelope(text: string): string {
  const match = ENVELOPE_PREFIX.exec(text);
  if (!match || !looksLikeHeader(match[1]!)) return text;
  return text.slice(match[0].length);
}

/** A user message as clients are shown it: its text without the envelope header. */
export function stripEnvelopeFromMessage<T>(message: T): T {
  const m = message as { role?: unknown; content?: unknown };
  if (!m || typeof m !== "object" || m.role !== "user") return message;
  if (typeof m.content === "string") {
    const text = stripEnvelope(m.content);
    return text === m.content ? message : ({ ...m, content: text } as T);
  }
  if (!Array.isArray(m.content)) return message;
  let changed = false;
  const content = (m.content as Array<{ type?: unknown; text?: unknown }>).map((c) => {
    if (c?.type !== "text" || typeof c.text !== "string") return c;
    const text = stripEnvelope(c.text);
    if (text === c.text) return c;
    changed = true;
    return { ...c, text };
  });
  return changed ? ({ ...m, content } as T) : message;
}

/**
 * `YYYY-MM-DD HH:MM[:SS] TZ` in `timeZone` (the host's when undefined). TZ is `UTC`, `GMT` or the
 * offset (`GMT+9`, `GMT-3:30`); zones the tz database lacks go through `Intl` (see src/infra/zoneinfo.ts),
 * which names a few zones by abbreviation (`EST`) instead.
 */
function zoned(date: Date, timeZone: string | undefined, seconds: boolean): string | undefined {
  const zone = loadZone(timeZone ?? hostZone() ?? "");
  if (zone) {
    const wall = wallClock(zone, date.getTime()).toISOString();
    return `${wall.slice(0, 10)} ${wall.slice(11, seconds ? 19 : 16)} ${offsetName(zone.name, zone.offsetMs(date.getTime()))}`;
  }
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    ...(seconds ? { second: "2-digit" as const } : {}),
    hourCycle: "h23",
    timeZoneName: "short",
  }).formatToParts(date);
  const pick = (type: string) => parts.find((p) => p.type === type)?.value;
  const [y, mo, d, h, mi, s] = ["year", "month", "day", "hour", "minute", "second"].map(pick);
  if (!y || !mo || !d || !h || !mi || (seconds && !s)) return undefined;
  const tz = pick("timeZoneName")?.trim();
  return `${y}-${mo}-${d} ${h}:${mi}${seconds ? `:${s}` : ""}${tz ? ` ${tz}` : ""}`;
}

function offsetName(zone: string, offsetMs: number): string {
  if (offsetMs === 0) return /^(Etc\/)?(UTC|UCT|Universal|Zulu|GMT)$/i.test(zone) ? "UTC" : "GMT";
  const abs = Math.abs(Math.round(offsetMs / 60_000));
  const minutes = abs % 60;
  return `GMT${offsetMs < 0 ? "-" : "+"}${Math.floor(abs / 60)}${minutes ? `:${String(minutes).padStart(2, "0")}` : ""}`;
}
