/**
 * `agents/<agentId>/sessions/sessions.json`: session key → entry (current transcript id, activity,
 * overrides, token and cost counters). Fields this gateway does not know are kept as they are, so a
 * store shared with OpenClaw round-trips. Writes are atomic and coalesced (many turns a second would
 * otherwise rewrite the file each time); `flush()` forces one.
 */
import fs from "node:fs";
import { writeFileAtomicSync } from "../infra/atomic.js";

export interface SessionEntry {
  sessionId: string;
  updatedAt: number;
  createdAt?: number;
  sessionFile?: string;
  chatType?: "direct" | "group" | "room";
  channel?: string;
  displayName?: string;
  label?: string;
  modelOverride?: string;
  providerOverride?: string;
  authProfileOverride?: string;
  thinkingLevel?: string;
  verboseLevel?: string;
  reasoningLevel?: string;
  elevatedLevel?: string;
  sendPolicy?: "allow" | "deny";
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  totalTokens?: number;
  contextTokens?: number;
  /** Estimated spend in USD over the session's lifetime. */
  costUsd?: number;
  compactionCount?: number;
  lastModel?: string;
  lastProvider?: string;
  [key: string]: unknown;
}

export class SessionStore {
  private entries: Record<string, SessionEntry> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private dirty = false;

  constructor(
    readonly file: string,
    private readonly opts: { flushDelayMs?: number; onError?: (msg: string) => void } = {},
  ) {}

  private load(): Record<string, SessionEntry> {
    if (this.entries) return this.entries;
    let text: string | null = null;
    try {
      text = fs.readFileSync(this.file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    this.entries = {};
    if (text?.trim()) {
      try {
        const parsed = JSON.parse(text) as unknown;
        if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) this.entries = parsed as Record<string, SessionEntry>;
      } catch (err) {
        // Never silently lose a user's sessions: keep the unreadable file aside and say so.
        const aside = `${this.file}.unreadable-${Date.now()}`;
        fs.copyFileSync(this.file, aside);
        this.opts.onError?.(
          `${this.file} is not valid JSON (${(err as Error).message}); kept a copy at ${aside} and started an empty store`,
        );
      }
    }
    return this.entries;
  }

  get(key: string): SessionEntry | undefined {
    return this.load()[key];
  }

  keys(): string[] {
    return Object.keys(this.load());
  }

  list(): Array<[string, SessionEntry]> {
    return Object.entries(this.load());
  }

  set(key: string, entry: SessionEntry): SessionEntry {
    this.load()[key] = entry;
    this.schedule();
    return entry;
  }

  /** Merges `patch` into the entry (`undefined` values delete fields). */
  update(key: string, patch: Partial<SessionEntry>): SessionEntry | undefined {
    const cur = this.load()[key];
    if (!cur) return undefined;
    const next = { ...cur };
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) delete next[k];
      else next[k] = v;
    }
    return this.set(key, next);
  }

  delete(key: string): boolean {
    const had = key in this.load();
    if (had) {
      delete this.load()[key];
      this.schedule();
    }
    return had;
  }

  private schedule(): void {
    this.dirty = true;
    const delay = this.opts.flushDelayMs ?? 50;
    if (delay <= 0) return this.flush();
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), delay);
    this.timer.unref();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.dirty || !this.entries) return;
    this.dirty = false;
    writeFileAtomicSync(this.file, JSON.stringify(this.entries, null, 2) + "\n");
  }
}
