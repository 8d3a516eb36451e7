/**
 * The memory flush before compaction (OpenClaw's `agents.defaults.compaction.memoryFlush`, on by
 * default): when a session's context comes within `softThresholdTokens` (4,000) of the point where it
 * is compacted, the agent gets one silent extra turn asking it to write durable notes to
 * `memory/YYYY-MM-DD.md` first. Once per compaction cycle: the session entry records the
 * `compactionCount` it flushed for (`memoryFlushCompactionCount`, and `memoryFlushAt`).
 *
 * The turn goes to no chat (it has no origin); it is queued in the session's lane right after the
 * turn that crossed the threshold. When that same turn also crossed the compaction threshold, the
 * compactor leaves compaction to the flush turn ({@link memoryFlushDue}), so the notes are
 * written from the full transcript.
 */
import type { OpenClawConfig } from "../config/schema.js";
import type { SessionEntry } from "../sessions/store.js";

const SILENT = "NO_REPLY";
export const DEFAULT_MEMORY_FLUSH_SOFT_TOKENS = 4_000;
export const DEFAULT_MEMORY_FLUSH_PROMPT =
  "Pre-compaction memory flush. Store durable memories now (use memory/YYYY-MM-DD.md; create memory/ if needed). If nothing to store, reply with NO_REPLY.";
export const DEFAULT_MEMORY_FLUSH_SYSTEM_PROMPT =
  "Pre-compaction memory flush turn. The session is near auto-compaction; capture durable memories to disk. You may reply, but usually NO_REPLY is correct.";

export interface MemoryFlushSettings {
  softThresholdTokens: number;
  prompt: string;
  systemPrompt: string;
}

const withSilentHint = (text: string) =>
  text.includes(SILENT) ? text : `${text}\n\nIf no user-visible reply is needed, start with ${SILENT}.`;

/** The flush settings, or null when `compaction.memoryFlush.enabled` is false or memory is off. */
export function memoryFlushSettings(cfg: OpenClawConfig): MemoryFlushSettings | null {
  const c = cfg.agents?.defaults?.compaction?.memoryFlush;
  if (c?.enabled === false) return null;
  const slot = (cfg.plugins as { slots?: { memory?: string } } | undefined)?.slots?.memory;
  if (slot === "none") return null;
  return {
    softThresholdTokens: c?.softThresholdTokens ?? DEFAULT_MEMORY_FLUSH_SOFT_TOKENS,
    prompt: withSilentHint(c?.prompt?.trim() || DEFAULT_MEMORY_FLUSH_PROMPT),
    systemPrompt: withSilentHint(c?.systemPrompt?.trim() || DEFAULT_MEMORY_FLUSH_SYSTEM_PROMPT),
  };
}

/** The window and reserve as the compactor reckons them. */
export function compactionWindow(cfg: OpenClawConfig, modelWindow: number | undefined): { window: number; reserve: number } {
  const window = cfg.agents?.defaults?.contextTokens ?? modelWindow ?? 200_000;
  const reserve = Math.min(cfg.agents?.defaults?.compaction?.reserveTokensFloor ?? 20_000, Math.floor(window * 0.25));
  return { window, reserve };
}

/**
 * Whether a context of `totalTokens` is past the flush threshold (the compaction point less
 * `softThresholdTokens`) while this compaction cycle has not flushed yet.
 */
export function memoryFlushDue(cfg: OpenClawConfig, entry: SessionEntry, totalTokens: number, window: number, reserve: number): boolean {
  const s = memoryFlushSettings(cfg);
  if (!s || !(totalTokens > 0)) return false;
  const threshold = window - reserve - s.softThresholdTokens;
  if (threshold <= 0 || totalTokens < threshold) return false;
  return entry.memoryFlushCompactionCount !== (entry.compactionCount ?? 0);
}

/** {@link memoryFlushDue} for a session entry after its run (its `totalTokens` and window). */
export function shouldFlush(cfg: OpenClawConfig, entry: SessionEntry): boolean {
  const { window, reserve } = compactionWindow(cfg, entry.contextTokens);
  return memoryFlushDue(cfg, entry, entry.totalTokens ?? 0, window, reserve);
}
