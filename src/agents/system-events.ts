/**
 * System events: short notes for the agent ("Backup finished", "Node: studio (10.0.0.5) · app 2.1"),
 * queued per session and put in front of that session's next prompt as `System: [time] text` lines.
 *
 * As in OpenClaw they are ephemeral: kept in memory only (a restart drops them), at most
 * {@link MAX_SYSTEM_EVENTS} per session (the oldest go first), and a note identical to the one queued
 * just before it is dropped.
 *
 * `requestWake` asks for a session's events to be acted on now rather than at its next turn
 * (OpenClaw's heartbeat wake). Whatever runs heartbeats registers itself with `onWake`; without one,
 * nothing is woken and the events wait for the next turn of their session.
 */
import { formatEnvelopeTime } from "./envelope.js";
import type { OpenClawConfig } from "../config/schema.js";
import type { UserMessage } from "../providers/types.js";

export const MAX_SYSTEM_EVENTS = 20;
/** Wake requests arriving this close together are answered once. */
export const WAKE_COALESCE_MS = 250;
/** A wake that found the agent busy (or failed) is tried again after this long. */
export const WAKE_RETRY_MS = 1000;

export interface SystemEvent {
  text: string;
  ts: number;
}

/** What a wake handler did: `skipped` with `requests-in-flight` means "busy, try again shortly". */
export type WakeResult = { status: "ran" } | { status: "skipped"; reason: string };
export type WakeHandler = (req: { reason: string }) => Promise<WakeResult>;

interface Queue {
  events: SystemEvent[];
  lastText: string | null;
  lastContextKey: string | null;
}

export class SystemEvents {
  private readonly queues = new Map<string, Queue>();
  private wakeHandler: WakeHandler | null = null;
  private wakeReason: string | null = null;
  private wakeTimer: NodeJS.Timeout | null = null;
  private waking = false;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Queues `text` for the session. `contextKey` names what the note is about (a node's presence key)
   * so callers can tell whether the context changed since the last note. Returns false when nothing
   * was queued (empty text, or the same text as the note before it).
   */
  enqueue(sessionKey: string, text: string, contextKey?: string): boolean {
    const key = requireKey(sessionKey);
    const cleaned = text.trim();
    if (!cleaned) return false;
    let q = this.queues.get(key);
    if (!q) this.queues.set(key, (q = { events: [], lastText: null, lastContextKey: null }));
    q.lastContextKey = normalizeContextKey(contextKey);
    if (q.lastText === cleaned) return false;
    q.lastText = cleaned;
    q.events.push({ text: cleaned, ts: this.now() });
    if (q.events.length > MAX_SYSTEM_EVENTS) q.events.shift();
    return true;
  }

  /** True when `contextKey` differs from the one the session's last note was queued with. */
  contextChanged(sessionKey: string, contextKey?: string): boolean {
    return normalizeContextKey(contextKey) !== (this.queues.get(requireKey(sessionKey))?.lastContextKey ?? null);
  }

  /** The session's queued notes, oldest first, without taking them. */
  peek(sessionKey: string): string[] {
    return this.queues.get(requireKey(sessionKey))?.events.map((e) => e.text) ?? [];
  }

  /** Takes the session's queued notes, oldest first. */
  drain(sessionKey: string): SystemEvent[] {
    const key = requireKey(sessionKey);
    const q = this.queues.get(key);
    this.queues.delete(key);
    return q?.events ?? [];
  }

  /**
   * Takes the session's queued notes and writes them in front of the user's message as `System:`
   * lines, the way the model sees them in OpenClaw. A message with no text (images only) gets them
   * as its first text block.
   */
  prepend(sessionKey: string, user: UserMessage, cfg: OpenClawConfig): void {
    const lines = systemEventLines(this.drain(sessionKey), cfg);
    if (lines.length === 0) return;
    const block = lines.map((l) => `System: ${l}`).join("\n");
    if (typeof user.content === "string") {
      user.content = user.content ? `${block}\n\n${user.content}` : block;
      return;
    }
    const first = user.content[0];
    if (first?.type === "text") user.content = [{ type: "text", text: `${block}\n\n${first.text}` }, ...user.content.slice(1)];
    else user.content = [{ type: "text", text: block }, ...user.content];
  }

  // ---- waking --------------------------------------------------------------------------------------

  /** Registers what runs when a wake is requested (the heartbeat runner); returns the unregister. */
  onWake(handler: WakeHandler): () => void {
    this.wakeHandler = handler;
    if (this.wakeReason) this.scheduleWake(WAKE_COALESCE_MS);
    return () => {
      if (this.wakeHandler === handler) this.wakeHandler = null;
    };
  }

  /** Whether something is registered to act on wake requests. */
  get canWake(): boolean {
    return this.wakeHandler !== null;
  }

  /**
   * Asks for a wake soon (requests within {@link WAKE_COALESCE_MS} are answered once). Returns false
   * when nothing is registered to act on it: the request is kept and answered once a handler registers.
   */
  requestWake(reason = "requested"): boolean {
    this.wakeReason = reason;
    if (!this.wakeHandler) return false;
    this.scheduleWake(WAKE_COALESCE_MS);
    return true;
  }

  /** Drops a pending wake (gateway stopping). */
  close(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    this.wakeHandler = null;
    this.wakeReason = null;
  }

  private scheduleWake(ms: number): void {
    if (this.wakeTimer) return;
    this.wakeTimer = setTimeout(() => void this.runWake(), ms);
    this.wakeTimer.unref?.();
  }

  private async runWake(): Promise<void> {
    this.wakeTimer = null;
    const handler = this.wakeHandler;
    const reason = this.wakeReason;
    if (!handler || !reason) return;
    if (this.waking) return this.scheduleWake(WAKE_COALESCE_MS);
    this.wakeReason = null;
    this.waking = true;
    let retry = false;
    try {
      const r = await handler({ reason });
      retry = r.status === "skipped" && r.reason === "requests-in-flight";
    } catch {
      retry = true; // the handler logs its own failures
    } finally {
      this.waking = false;
    }
    if (retry) {
      this.wakeReason ??= reason;
      this.scheduleWake(WAKE_RETRY_MS);
    } else if (this.wakeReason) this.scheduleWake(WAKE_COALESCE_MS);
  }
}

/**
 * The queued notes as prompt lines (`[2026-01-30 09:15:02 UTC] text`), leaving out heartbeat noise
 * and the "last input" part of node presence lines, as OpenClaw does.
 */
export function systemEventLines(events: SystemEvent[], cfg: OpenClawConfig): string[] {
  const out: string[] = [];
  for (const e of events) {
    const text = compact(e.text);
    if (text) out.push(`[${formatTimestamp(e.ts, cfg)}] ${text}`);
  }
  return out;
}

function compact(line: string): string | null {
  const trimmed = line.trim();
  if (!trimmed) return null;
  const lower = trimmed.toLowerCase();
  if (lower.includes("reason periodic")) return null;
  if (lower.startsWith("read heartbeat.md")) return null;
  if (lower.includes("heartbeat poll") || lower.includes("heartbeat wake")) return null;
  if (trimmed.startsWith("Node:")) return trimmed.replace(/ \u00b7 last input [^\u00b7]*?(?=\s*\u00b7|$)/i, "").trim();
  return trimmed;
}

/** `agents.defaults.envelopeTimezone`: `utc`, `local` (default), `user` or an IANA zone; to the second. */
function formatTimestamp(ts: number, cfg: OpenClawConfig): string {
  return formatEnvelopeTime(ts, cfg, true) ?? "unknown-time";
}

function requireKey(sessionKey: string): string {
  const key = sessionKey.trim();
  if (!key) throw new Error("system events need a session key");
  return key;
}

function normalizeContextKey(key: string | undefined): string | null {
  const trimmed = key?.trim();
  return trimmed ? trimmed.toLowerCase() : null;
}
