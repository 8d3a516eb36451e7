/**
 * When a conversation is over by itself: the `session.reset*` policy. A session whose last activity is
 * before the daily reset hour (default 4:00 local time), or older than the idle limit, starts a new
 * conversation (a new transcript) on its next message; its label, model override and display name
 * carry over.
 *
 * Which policy applies, most specific first: `session.resetByChannel.<channel>`, then
 * `session.resetByType.dm|group`, then `session.reset`; with none of them, the legacy
 * `session.idleMinutes` (idle-only) or the daily default.
 */
import { randomUUID } from "node:crypto";
import type { OpenClawConfig } from "../config/schema.js";
import { chatTypeOf } from "./keys.js";
import type { SessionEntry } from "./store.js";

type SessionConfig = NonNullable<OpenClawConfig["session"]>;

/** The reset hour when a daily policy does not name one. */
export const DEFAULT_RESET_HOUR = 4;

/** True when the session's reset policy says its conversation is over (daily or idle) at `now`. */
export function isStale(key: string, entry: SessionEntry, session: SessionConfig | undefined, now: number): boolean {
  const type = chatTypeOf(key) === "direct" ? "dm" : "group";
  const channel = key.split(":")[2];
  const policy = (channel && session?.resetByChannel?.[channel]) || session?.resetByType?.[type] || session?.reset;
  const idleMinutes = policy?.idleMinutes ?? (!policy ? session?.idleMinutes : undefined);
  if (idleMinutes && now - entry.updatedAt > idleMinutes * 60_000) return true;
  const mode = policy?.mode ?? (policy || !session?.idleMinutes ? "daily" : "idle");
  if (mode === "daily") {
    const boundary = new Date(now);
    boundary.setHours(policy?.atHour ?? DEFAULT_RESET_HOUR, 0, 0, 0);
    if (boundary.getTime() > now) boundary.setDate(boundary.getDate() - 1);
    return entry.updatedAt < boundary.getTime();
  }
  return false;
}

/** A new conversation for `key` at `now`, keeping what the user chose for the one before (`prev`). */
export function freshEntry(key: string, now: number, prev?: SessionEntry): SessionEntry {
  return {
    ...(prev?.label ? { label: prev.label } : {}),
    ...(prev?.modelOverride ? { modelOverride: prev.modelOverride } : {}),
    ...(prev?.displayName ? { displayName: prev.displayName } : {}),
    sessionId: randomUUID(),
    createdAt: now,
    updatedAt: now,
    chatType: chatTypeOf(key),
  };
}
