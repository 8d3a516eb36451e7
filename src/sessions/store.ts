/**
 * `agents/<agentId>/sessions/sessions.json`: session key → entry (current transcript id, activity,
 * overrides, token and cost counters). Fields this gateway does not know are kept as they are, so a
 * store shared with OpenClaw round-trips. Writes are atomic and coalesced (many turns a second would
 * otherwise rewrite the file each time), and the coalesced ones run off the event loop; `flush()`
 * forces one at once.
 *
 * What must survive a crash is where each session's transcript is: a new session, or a session that
 * moved to a new transcript (`/new`, reset), is written through at once (`persistPointers`), before
 * anything is said in it. Counters (tokens, cost, timestamps) ride on the coalesced writes.
 *
 * A failed write (full disk, read-only volume) never throws out of a timer: the store stays dirty,
 * reports the failure, and tries again with backoff until it succeeds.
 */
import fs from "node:fs";
import { writeFileAtomic, writeFileAtomicSync } from "../infra/atomic.js";
import { StorageError } from "../infra/faults.js";
import { FileTooLargeError, NotRegularFileError, readStateFileSync } from "../infra/read-bounded.js";

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
  /** The last run's input tokens (OpenClaw's meaning). */
  inputTokens?: number;
  /** The last run's output tokens. */
  outputTokens?: number;
  /** The last run's prompt size (input + cache read + cache write): how full the context is. */
  totalTokens?: number;
  /** The model's context window. */
  contextTokens?: number;
  /** Model id and provider of the last run (`claude-sonnet-4-5`, `anthropic`). */
  model?: string;
  modelProvider?: string;
  abortedLastRun?: boolean;
  /** Token counts over the session's lifetime (this gateway's addition). */
  usageTotals?: UsageTotals;
  /** Estimated spend in USD over the session's lifetime. */
  costUsd?: number;
  compactionCount?: number;
  [key: string]: unknown;
}

export interface UsageTotals {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  total: number;
}

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/**
 * An entry written by earlier versions of this gateway, which kept lifetime token counters in
 * OpenClaw's per-run fields and the context use in `contextTokens`, under `lastModel`/`lastProvider`.
 * Moves each value to where OpenClaw keeps it (lifetime counters to `usageTotals`, the context use
 * to `totalTokens`, the model to `model`/`modelProvider`); the window is filled in by the next run.
 * Returns the entry unchanged when it is already in the current shape.
 */
export function migrateEntry(e: SessionEntry): SessionEntry {
  if (!("lastModel" in e) && !("lastProvider" in e) && !("cacheReadTokens" in e) && !("cacheWriteTokens" in e)) return e;
  const { lastModel, lastProvider, cacheReadTokens, cacheWriteTokens, inputTokens, outputTokens, totalTokens, contextTokens, ...rest } = e;
  const next: SessionEntry = { ...rest };
  if (!next.usageTotals)
    next.usageTotals = {
      input: num(inputTokens),
      output: num(outputTokens),
      cacheRead: num(cacheReadTokens),
      cacheWrite: num(cacheWriteTokens),
      total: num(totalTokens),
    };
  if (typeof contextTokens === "number") next.totalTokens = contextTokens;
  if (typeof lastModel === "string" && !next.model) {
    const slash = lastModel.indexOf("/");
    next.model = slash > 0 ? lastModel.slice(slash + 1) : lastModel;
    next.modelProvider = typeof lastProvider === "string" ? lastProvider : slash > 0 ? lastModel.slice(0, slash) : undefined;
    if (next.modelProvider === undefined) delete next.modelProvider;
  }
  return next;
}

export interface SessionStoreOptions {
  flushDelayMs?: number;
  /** The clock (names the copy of an unreadable file); default the system's. */
  now?: () => number;
  /** Problems worth a log line (an unreadable file set aside). */
  onError?: (msg: string) => void;
  /** A write failed (called once per failure streak) / succeeded again after failing. */
  onWriteFailure?: (err: StorageError) => void;
  onWriteRecovered?: () => void;
}

/** The largest session index read whole (an entry is well under 1 KB: more than 16,000 sessions). */
export const MAX_STORE_BYTES = 16 * 1024 * 1024;
/** How long changes wait to share one write (counters only: new transcripts are written through). */
const FLUSH_DELAY_MS = 1000;
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30_000;

export class SessionStore {
  private entries: Record<string, SessionEntry> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Changes made in memory, and how many of them the file holds. */
  private changes = 0;
  private writtenChanges = 0;
  /** A coalesced write on its way, off the event loop. */
  private writing: Promise<void> | null = null;
  /** Keys whose transcript pointer (sessionId / sessionFile) changed since the last write, with the change count then. */
  private moved = new Map<string, number>();
  private failing: StorageError | null = null;
  private retryMs = RETRY_MIN_MS;
  /**
   * Each entry's part of the file, kept while the key holds the same entry object: a write then
   * serializes only the entries that changed since the last one, not the whole store. Entries are
   * replaced, never changed in place (`update` copies); `set` forgets the key's part in any case.
   */
  private parts = new Map<string, { entry: SessionEntry; text: string }>();

  constructor(
    readonly file: string,
    private readonly opts: SessionStoreOptions = {},
  ) {}

  /** The last write error while writes are failing, else null. */
  get writeError(): StorageError | null {
    return this.failing;
  }

  private load(): Record<string, SessionEntry> {
    if (this.entries) return this.entries;
    let text: string | null = null;
    try {
      text = readStateFileSync(this.file, MAX_STORE_BYTES);
    } catch (err) {
      if (err instanceof FileTooLargeError || err instanceof NotRegularFileError) return this.setAside(err);
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    this.entries = {};
    if (text?.trim()) {
      try {
        const parsed = JSON.parse(text) as unknown;
        if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
          const all = parsed as Record<string, SessionEntry>;
          for (const [k, v] of Object.entries(all)) if (v && typeof v === "object") all[k] = migrateEntry(v);
          this.entries = all;
        }
      } catch (err) {
        // Never silently lose a user's sessions: keep the unreadable file aside and say so.
        const aside = `${this.file}.unreadable-${(this.opts.now ?? Date.now)()}`;
        let kept = `kept a copy at ${aside}`;
        try {
          fs.copyFileSync(this.file, aside);
        } catch (e) {
          kept = `could not keep a copy (${(e as Error).message}); the file is left as it is until the next write`;
        }
        this.opts.onError?.(`${this.file} is not valid JSON (${(err as Error).message}); ${kept}, and started an empty store`);
      }
    }
    return this.entries;
  }

  /**
   * A store that cannot be read at all (too large, or not a file) is moved aside whole, never copied
   * (a link to a device would copy forever), and the store starts empty.
   */
  private setAside(err: FileTooLargeError | NotRegularFileError): Record<string, SessionEntry> {
    this.entries = {};
    const why =
      err instanceof FileTooLargeError
        ? `is larger than the ${MAX_STORE_BYTES / (1024 * 1024)} MB a session index may be`
        : "is not a regular file";
    const aside = `${this.file}.unreadable-${(this.opts.now ?? Date.now)()}`;
    let kept = `moved it to ${aside}`;
    try {
      fs.renameSync(this.file, aside);
    } catch (e) {
      kept = `could not move it aside (${(e as Error).message}); it is replaced at the next write`;
    }
    this.opts.onError?.(`${this.file} ${why}; ${kept}, and started an empty store`);
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
    const all = this.load();
    const prev = all[key];
    all[key] = entry;
    this.parts.delete(key);
    // The change about to be counted by schedule().
    if (!prev || prev.sessionId !== entry.sessionId || prev.sessionFile !== entry.sessionFile) this.moved.set(key, this.changes + 1);
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
      this.moved.delete(key);
      this.parts.delete(key);
      this.schedule();
    }
    return had;
  }

  private get dirty(): boolean {
    return this.changes > this.writtenChanges;
  }

  private schedule(): void {
    this.changes++;
    const delay = this.opts.flushDelayMs ?? FLUSH_DELAY_MS;
    if (delay <= 0) return void this.flush();
    if (this.timer || this.writing) return;
    this.timer = setTimeout(() => void this.writeLater(), this.failing ? this.retryMs : delay);
    this.timer.unref();
  }

  /** The coalesced write: the file is written and synced on the thread pool. Never throws. */
  private async writeLater(): Promise<void> {
    this.timer = null;
    if (!this.dirty || !this.entries) return;
    const upTo = this.changes;
    const text = this.text();
    this.writing = writeFileAtomic(this.file, text, { stillWanted: () => this.writtenChanges < upTo }).then(
      (replaced) => {
        if (replaced) this.wrote(upTo);
      },
      (e) => {
        this.writeFailed(e);
      },
    );
    await this.writing;
    this.writing = null;
    if (this.dirty && !this.timer) {
      this.timer = setTimeout(() => void this.writeLater(), this.failing ? this.retryMs : (this.opts.flushDelayMs ?? FLUSH_DELAY_MS));
      this.timer.unref();
    }
  }

  /** Writes pending changes now. Never throws: a failure is reported and retried with backoff. */
  flush(): boolean {
    try {
      this.write();
      return true;
    } catch (e) {
      return false;
    }
  }

  /**
   * Writes now if a session moved to a new transcript since the last write, so that what is about to
   * be said in it can be found after a crash. Throws a {@link StorageError} when that write fails.
   */
  persistPointers(): void {
    if (this.moved.size > 0) this.write();
  }

  /**
   * {@link persistPointers} off the event loop: resolves once every moved pointer is on disk (one
   * write carries all the sessions that moved meanwhile); rejects with a {@link StorageError}.
   */
  async persistPointersAsync(): Promise<void> {
    while (this.moved.size > 0) {
      if (this.writing) {
        await this.writing;
        continue;
      }
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      await this.writeLater();
      if (this.failing && this.moved.size > 0) throw this.failing;
    }
  }

  /** Whether a session moved to a new transcript since the last write. */
  get hasMovedPointers(): boolean {
    return this.moved.size > 0;
  }

  /** Writes pending changes now; throws a {@link StorageError} when the write fails. */
  flushOrThrow(): void {
    this.write();
  }

  private write(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.dirty || !this.entries) return;
    const upTo = this.changes;
    try {
      writeFileAtomicSync(this.file, this.text());
    } catch (e) {
      throw this.writeFailed(e);
    }
    this.wrote(upTo);
  }

  /**
   * The file's text: the same as `JSON.stringify(entries, null, 2)` (plus a newline), put together
   * from each entry's kept part.
   */
  private text(): string {
    const all = this.entries ?? {};
    const lines: string[] = [];
    for (const key of Object.keys(all)) {
      const entry = all[key];
      if (entry === undefined) continue;
      let part = this.parts.get(key);
      if (part?.entry !== entry) {
        // One level deep in the file: every line of the entry after its first is indented once more.
        part = { entry, text: `  ${JSON.stringify(key)}: ${JSON.stringify(entry, null, 2).replaceAll("\n", "\n  ")}` };
        this.parts.set(key, part);
      }
      lines.push(part.text);
    }
    return lines.length ? `{\n${lines.join(",\n")}\n}\n` : "{}\n";
  }

  private wrote(upTo: number): void {
    this.writtenChanges = Math.max(this.writtenChanges, upTo);
    for (const [key, at] of this.moved) if (at <= upTo) this.moved.delete(key);
    this.retryMs = RETRY_MIN_MS;
    if (this.failing) {
      this.failing = null;
      this.opts.onWriteRecovered?.();
    }
  }

  /** Keeps the changes and tries again later; the next successful write carries them all. */
  private writeFailed(e: unknown): StorageError {
    const err = e instanceof StorageError ? e : new StorageError(this.file, e);
    const first = !this.failing;
    this.failing = err;
    if (first) this.opts.onWriteFailure?.(err);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.writeLater(), this.retryMs);
    this.timer.unref();
    this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
    return err;
  }
}
