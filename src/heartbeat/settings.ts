/**
 * Heartbeat settings as OpenClaw reads them: `agents.defaults.heartbeat` merged shallowly with an
 * agent's `agents.list[].heartbeat`; which agents beat; the interval; active hours in a time zone;
 * the prompt; and what each channel shows (`channels.defaults|<ch>|<ch>.accounts.<id>.heartbeat`).
 */
import { knownTimeZone } from "../infra/time-zone.js";
import type { OpenClawConfig } from "../config/schema.js";

/** The token a model answers with when nothing needs attention. */
export const HEARTBEAT_TOKEN = "HEARTBEAT_OK";
export const DEFAULT_HEARTBEAT_EVERY = "30m";
export const DEFAULT_ACK_MAX_CHARS = 300;
/** Shortest interval accepted: anything faster would keep the model busy for nothing. */
export const MIN_INTERVAL_MS = 1000;
/** The workspace file the default prompt points at. */
export const HEARTBEAT_FILE = "HEARTBEAT.md";
export const DEFAULT_HEARTBEAT_PROMPT =
  "If HEARTBEAT.md exists in your workspace, read it and do what it asks now; do not pick up old tasks from earlier chats. When nothing needs attention, reply HEARTBEAT_OK.";

export interface HeartbeatConfig {
  every?: string;
  activeHours?: { start?: string; end?: string; timezone?: string };
  model?: string;
  session?: string;
  includeReasoning?: boolean;
  target?: string;
  to?: string;
  prompt?: string;
  ackMaxChars?: number;
}

type AgentEntry = { id: string; heartbeat?: HeartbeatConfig; default?: boolean };

const norm = (id: string) => id.trim().toLowerCase();

function agentList(cfg: OpenClawConfig): AgentEntry[] {
  return (cfg.agents?.list ?? []) as AgentEntry[];
}

function defaultAgentId(cfg: OpenClawConfig): string {
  const list = agentList(cfg);
  return norm((list.find((a) => a.default) ?? list[0])?.id ?? "main");
}

/** The agent's heartbeat settings (defaults, then the agent's own keys over them). */
export function heartbeatConfigFor(cfg: OpenClawConfig, agentId: string): HeartbeatConfig {
  const own = agentList(cfg).find((a) => norm(a.id) === norm(agentId))?.heartbeat;
  return { ...((cfg.agents?.defaults?.heartbeat ?? {}) as HeartbeatConfig), ...(own ?? {}) };
}

/**
 * Which agents beat: when any `agents.list[]` entry has a `heartbeat` block, exactly those;
 * otherwise the default agent alone.
 */
export function heartbeatAgentIds(cfg: OpenClawConfig): string[] {
  const explicit = agentList(cfg).filter((a) => a.heartbeat);
  return explicit.length ? [...new Set(explicit.map((a) => norm(a.id)))] : [defaultAgentId(cfg)];
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30m`, `1h`, `45` (minutes) → ms; null when disabled (`0m`) or unreadable. */
export function intervalMs(hb: HeartbeatConfig): number | null {
  const raw = (hb.every ?? DEFAULT_HEARTBEAT_EVERY).trim();
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/i.exec(raw);
  if (!m) return null;
  const ms = Math.round(Number(m[1]) * UNIT_MS[(m[2] ?? "m").toLowerCase()]!);
  if (!Number.isFinite(ms) || ms <= 0) return null;
  return Math.max(MIN_INTERVAL_MS, ms);
}

export function promptFor(hb: HeartbeatConfig): string {
  return hb.prompt?.trim() || DEFAULT_HEARTBEAT_PROMPT;
}

export function ackMaxCharsFor(hb: HeartbeatConfig): number {
  return Math.max(0, hb.ackMaxChars ?? DEFAULT_ACK_MAX_CHARS);
}

/**
 * What `health` and `status` report about an agent's heartbeat (OpenClaw's summary): whether it
 * beats, how often, and its prompt, target, model and ack limit.
 */
export function heartbeatSummary(cfg: OpenClawConfig, agentId: string) {
  const beats = heartbeatAgentIds(cfg).includes(norm(agentId));
  const hb = beats ? heartbeatConfigFor(cfg, agentId) : ((cfg.agents?.defaults?.heartbeat ?? {}) as HeartbeatConfig);
  const everyMs = beats ? intervalMs(hb) : null;
  return {
    enabled: beats,
    every: beats ? (hb.every ?? DEFAULT_HEARTBEAT_EVERY) : "disabled",
    everyMs,
    prompt: promptFor(hb),
    target: hb.target ?? "last",
    ...(hb.model ? { model: hb.model } : {}),
    ackMaxChars: ackMaxCharsFor(hb),
  };
}

// ---- active hours --------------------------------------------------------------------------------

function minutesOf(raw: string | undefined, allow24: boolean): number | null {
  const m = raw ? /^([01]\d|2[0-3]|24):([0-5]\d)$/.exec(raw) : null;
  if (!m) return null;
  if (m[1] === "24") return allow24 && m[2] === "00" ? 24 * 60 : null;
  return Number(m[1]) * 60 + Number(m[2]);
}

/** `user` (default: `agents.defaults.userTimezone`, else the host's), `local` (the host's) or an IANA zone. */
function activeZone(cfg: OpenClawConfig, raw: string | undefined): string | undefined {
  const z = raw?.trim();
  const user = () => knownTimeZone(cfg.agents?.defaults?.userTimezone?.trim());
  if (!z || z === "user") return user();
  if (z === "local") return undefined;
  return knownTimeZone(z) ?? user();
}

function minuteOfDay(nowMs: number, timeZone: string | undefined): number | null {
  try {
    const parts = new Intl.DateTimeFormat("en-US", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(
      new Date(nowMs),
    );
    const h = Number(parts.find((p) => p.type === "hour")?.value);
    const m = Number(parts.find((p) => p.type === "minute")?.value);
    return Number.isFinite(h) && Number.isFinite(m) ? h * 60 + m : null;
  } catch {
    return null;
  }
}

/**
 * Whether `nowMs` falls in `activeHours` (start inclusive, end exclusive, wrapping past midnight when
 * end < start). No window, an unreadable one, or start == end means always.
 */
export function withinActiveHours(cfg: OpenClawConfig, hb: HeartbeatConfig, nowMs: number): boolean {
  const a = hb.activeHours;
  if (!a) return true;
  const start = minutesOf(a.start, false);
  const end = minutesOf(a.end, true);
  if (start === null || end === null || start === end) return true;
  const cur = minuteOfDay(nowMs, activeZone(cfg, a.timezone));
  if (cur === null) return true;
  return end > start ? cur >= start && cur < end : cur >= start || cur < end;
}

// ---- visibility ----------------------------------------------------------------------------------

export interface Visibility {
  /** Send `HEARTBEAT_OK` to the chat when all is well (default false). */
  showOk: boolean;
  /** Send alerts (default true). */
  showAlerts: boolean;
  /** Emit ok/alert/error indicators on the `heartbeat` event (default true). */
  useIndicator: boolean;
}

type VisibilityCfg = Partial<Visibility> | undefined;

export function visibilityFor(cfg: OpenClawConfig, channel: string | undefined, accountId: string | undefined): Visibility {
  const channels = (cfg.channels ?? {}) as Record<
    string,
    { heartbeat?: VisibilityCfg; accounts?: Record<string, { heartbeat?: VisibilityCfg }> }
  >;
  const defaults = (channels.defaults?.heartbeat ?? {}) as Partial<Visibility>;
  const section = channel && channel !== "webchat" ? channels[channel] : undefined;
  const per = section?.heartbeat ?? {};
  const acct = (accountId ? section?.accounts?.[accountId]?.heartbeat : undefined) ?? {};
  return {
    showOk: acct.showOk ?? per.showOk ?? defaults.showOk ?? false,
    showAlerts: acct.showAlerts ?? per.showAlerts ?? defaults.showAlerts ?? true,
    useIndicator: acct.useIndicator ?? per.useIndicator ?? defaults.useIndicator ?? true,
  };
}

// ---- replies -------------------------------------------------------------------------------------

/**
 * True when HEARTBEAT.md exists but holds nothing to do: only blank lines, Markdown headings and
 * empty list items. A missing file is not empty (the model still decides).
 */
export function isEffectivelyEmpty(content: string | null): boolean {
  if (content === null) return false;
  for (const line of content.split("\n")) {
    const t = line.trim();
    if (!t || /^#+(\s|$)/.test(t) || /^[-*+]\s*(\[[\sXx]?\]\s*)?$/.test(t)) continue;
    return false;
  }
  return true;
}

function stripEdges(raw: string): { text: string; stripped: boolean } {
  let text = raw.trim();
  let stripped = false;
  for (let changed = true; changed && text;) {
    changed = false;
    if (text.startsWith(HEARTBEAT_TOKEN)) {
      text = text.slice(HEARTBEAT_TOKEN.length).trim();
      stripped = changed = true;
    } else if (text.endsWith(HEARTBEAT_TOKEN)) {
      text = text.slice(0, -HEARTBEAT_TOKEN.length).trim();
      stripped = changed = true;
    }
  }
  return { text: text.replace(/\s+/g, " ").trim(), stripped };
}

/**
 * A heartbeat reply with `HEARTBEAT_OK` taken off its start and end (also when wrapped in Markdown or
 * HTML). `ok` when what remains is at most `ackMaxChars` long: an acknowledgement, not an alert. The
 * token in the middle of a text is ordinary text.
 */
export function readReply(raw: string, ackMaxChars: number): { ok: boolean; text: string; hadToken: boolean } {
  const trimmed = raw.trim();
  if (!trimmed) return { ok: true, text: "", hadToken: false };
  const loose = trimmed
    .replace(/<[^>]*>/g, " ")
    .replace(/&nbsp;/gi, " ")
    .replace(/^[*`~_]+/, "")
    .replace(/[*`~_]+$/, "");
  if (!trimmed.includes(HEARTBEAT_TOKEN) && !loose.includes(HEARTBEAT_TOKEN)) return { ok: false, text: trimmed, hadToken: false };
  const a = stripEdges(trimmed);
  const picked = a.stripped && a.text ? a : stripEdges(loose);
  if (!picked.stripped) return { ok: false, text: trimmed, hadToken: false };
  if (picked.text.length <= ackMaxChars) return { ok: true, text: "", hadToken: true };
  return { ok: false, text: picked.text, hadToken: true };
}
