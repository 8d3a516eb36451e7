/**
 * Where each agent's conversations live: the session store (`agents/<id>/sessions/sessions.json`, or
 * `session.store`) and one JSONL transcript per conversation beside it. Hands out the current
 * conversation of a session key under the reset policy, starts new ones (`/new`, `sessions.reset`),
 * removes them, and keeps a bounded set of transcripts open for appending.
 *
 * Reading never creates anything: listings and previews of a read-only volume show what is there.
 *
 * `lifecycle` hears every conversation that starts or ends here (first message, reset policy, reset,
 * delete), whoever asked for it.
 */
import fs from "node:fs";
import path from "node:path";
import type { OpenClawConfig } from "../config/schema.js";
import type { FaultBoard } from "../infra/faults.js";
import type { Logger } from "../infra/logger.js";
import { expandHome, type Env } from "../infra/paths.js";
import { freshEntry, isStale } from "./reset.js";
import { SessionStore, type SessionEntry } from "./store.js";
import { LOAD_SLICE_CHARS, MAX_TRANSCRIPT_BYTES, Transcript, type MessageEntry } from "./transcript.js";

/**
 * At most this many transcripts stay open, holding at most this many bytes of files between them
 * (each is in memory while open, at two to three times its file's size); the least recently used one
 * is closed first. With 100 conversations taking turns, 3 MB keeps the gateway's RSS within 10 % from
 * the 1,000th message to the 10,000th: +5–8 %, against +10–13 % with 4 MB, at the same per-message
 * p50 and p99 within the spread of runs.
 */
const MAX_OPEN_TRANSCRIPTS = 128;
const MAX_OPEN_TRANSCRIPT_BYTES = 3 * 1024 * 1024;

export interface SessionLifecycle {
  /** A conversation began under `key`. */
  onStart?(e: { agentId: string; key: string; entry: SessionEntry }): void;
  /**
   * A conversation under `key` ended (reset, reset policy, delete). `messageCount()` reads its
   * transcript, so it costs something only when called.
   */
  onEnd?(e: { agentId: string; key: string; entry: SessionEntry; messageCount: () => number }): void;
}

export interface SessionDirectoryDeps {
  config(): OpenClawConfig;
  stateDir: string;
  env: Env;
  log: Logger;
  now: () => number;
  /** Where failed store writes are reported (shown by `/readyz`). */
  faults?: FaultBoard;
  lifecycle?: SessionLifecycle;
}

export class SessionDirectory {
  private readonly stores = new Map<string, SessionStore>();
  private readonly open = new Map<string, Transcript>(); // by file, least recently used first
  /**
   * Transcripts closed to keep the budget, by file. A turn may still hold one: until it is collected it
   * is taken back instead of a second copy being read, so a conversation never has two writers.
   */
  private readonly closed = new Map<string, WeakRef<Transcript>>();
  /** Transcripts being read by {@link loadTranscript}, by file: one read however many turns wait on it. */
  private readonly loading = new Map<string, Promise<Transcript | null>>();

  constructor(private readonly deps: SessionDirectoryDeps) {}

  /** The folder of an agent's sessions and transcripts. */
  sessionsDir(agentId: string): string {
    return path.join(this.deps.stateDir, "agents", agentId, "sessions");
  }

  store(agentId: string): SessionStore {
    let s = this.stores.get(agentId);
    if (!s) {
      const custom = this.deps.config().session?.store;
      const file = custom
        ? path.resolve(expandHome(custom.replace(/\{agentId\}/g, agentId), this.deps.env))
        : path.join(this.sessionsDir(agentId), "sessions.json");
      const fault = `storage:${file}`;
      s = new SessionStore(file, {
        now: this.deps.now,
        onError: (m) => this.deps.log.error(m),
        onWriteFailure: (e) => {
          this.deps.log.error(`${e.message}; sessions are kept in memory and written again once it works`);
          this.deps.faults?.set(fault, e.message);
        },
        onWriteRecovered: () => {
          this.deps.log.info(`${file}: written again`);
          this.deps.faults?.clear(fault);
        },
      });
      this.stores.set(agentId, s);
    }
    return s;
  }

  /** The stores opened so far. */
  openStores(): SessionStore[] {
    return [...this.stores.values()];
  }

  transcriptFile(agentId: string, entry: SessionEntry): string {
    if (entry.sessionFile)
      return path.isAbsolute(entry.sessionFile) ? entry.sessionFile : path.join(this.sessionsDir(agentId), entry.sessionFile);
    return path.join(this.sessionsDir(agentId), `${entry.sessionId}.jsonl`);
  }

  /** The conversation's transcript, opened (and created) for appending. */
  transcript(agentId: string, entry: SessionEntry): Transcript {
    const file = this.transcriptFile(agentId, entry);
    let t = this.open.get(file);
    if (t) {
      this.open.delete(file);
    } else {
      t = this.reclaim(file) ?? undefined;
      if (!t) {
        t = Transcript.open(file, entry.sessionId, this.deps.now);
        this.warnSkipped(t);
      }
    }
    this.open.set(file, t);
    this.trimOpen();
    return t;
  }

  /**
   * {@link transcript} for a turn or a history view: a large transcript that is not open is read and
   * parsed without holding up the event loop (a conversation's file may be megabytes, and it is read
   * again whenever it has left the open set), so other conversations go on meanwhile. A small one is
   * read at once.
   */
  async loadTranscript(agentId: string, entry: SessionEntry): Promise<Transcript> {
    const file = this.transcriptFile(agentId, entry);
    if (!this.isAtHand(file) && (fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0) > LOAD_SLICE_CHARS) {
      let pending = this.loading.get(file);
      if (!pending) {
        pending = Transcript.load(file, entry.sessionId, this.deps.now).finally(() => this.loading.delete(file));
        this.loading.set(file, pending);
      }
      const loaded = await pending;
      // Whoever opened it meanwhile (a synchronous caller, or another waiter on the same load) wins.
      if (loaded && !this.isAtHand(file)) {
        this.warnSkipped(loaded);
        this.open.set(file, loaded);
      }
    }
    return this.transcript(agentId, entry);
  }

  /** Says so when a transcript just read from its file had lines it could not read. */
  private warnSkipped(t: Transcript): void {
    if (t.skippedLines) this.deps.log.warn(`${t.file}: skipped ${t.skippedLines} unreadable line(s)`);
  }

  /** Whether the transcript is open, or closed but still in memory (see {@link reclaim}). */
  private isAtHand(file: string): boolean {
    return this.open.has(file) || this.closed.get(file)?.deref() !== undefined;
  }

  /**
   * Closes the least recently used transcripts until the open ones fit the budget again. Checked on
   * every use, not only when one is opened: open conversations grow with each turn.
   */
  private trimOpen(): void {
    let bytes = 0;
    for (const o of this.open.values()) bytes += o.bytes;
    while (this.open.size > 1 && (this.open.size > MAX_OPEN_TRANSCRIPTS || bytes > MAX_OPEN_TRANSCRIPT_BYTES)) {
      const [oldest, ot] = this.open.entries().next().value as [string, Transcript];
      bytes -= ot.bytes;
      ot.close();
      this.open.delete(oldest);
      this.closed.set(oldest, new WeakRef(ot));
    }
    if (this.closed.size > 4 * MAX_OPEN_TRANSCRIPTS) {
      for (const [file, ref] of this.closed) if (!ref.deref()) this.closed.delete(file);
    }
  }

  /** A transcript closed for the budget and still in memory, if the file has not changed since. */
  private reclaim(file: string): Transcript | null {
    const t = this.closed.get(file)?.deref();
    this.closed.delete(file);
    if (!t || fs.statSync(file, { throwIfNoEntry: false })?.size !== t.bytes) return null;
    t.reopen();
    return t;
  }

  /** Whether the conversation's transcript has grown past what a conversation may load. */
  private outgrown(agentId: string, entry: SessionEntry): boolean {
    const file = this.transcriptFile(agentId, entry);
    const bytes = this.open.get(file)?.bytes ?? fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    return bytes > MAX_TRANSCRIPT_BYTES;
  }

  /** Whether the conversation's transcript exists (open, or on disk). */
  hasTranscript(agentId: string, entry: SessionEntry): boolean {
    const file = this.transcriptFile(agentId, entry);
    return this.open.has(file) || fs.existsSync(file);
  }

  /**
   * Transcript messages, read without opening the transcript for writing (nothing is created): from
   * memory when it is open, else the first or last `bytes` of the file (all of it without a window).
   */
  readMessages(file: string, window?: { from: "head" | "tail"; bytes: number }): unknown[] {
    const t = this.open.get(file);
    if (t) return t.messages().map((e: MessageEntry) => e.message);
    if (!fs.existsSync(file)) return [];
    try {
      return Transcript.readMessages(file, window);
    } catch {
      return [];
    }
  }

  /** Whether the transcript file is open (its messages are all in memory). */
  isOpen(file: string): boolean {
    return this.open.has(file);
  }

  private close(agentId: string, entry: SessionEntry): void {
    const file = this.transcriptFile(agentId, entry);
    this.open.get(file)?.close();
    this.open.delete(file);
    this.closed.delete(file);
  }

  private started(agentId: string, key: string, entry: SessionEntry): void {
    this.deps.lifecycle?.onStart?.({ agentId, key, entry });
  }

  private ended(agentId: string, key: string, entry: SessionEntry): void {
    const file = this.transcriptFile(agentId, entry);
    this.deps.lifecycle?.onEnd?.({ agentId, key, entry, messageCount: () => this.readMessages(file).length });
  }

  /** The conversation to run in: the current one, or a new one once the reset policy says so. */
  current(agentId: string, key: string): SessionEntry {
    const store = this.store(agentId);
    const cur = store.get(key);
    const stale = cur && isStale(key, cur, this.deps.config().session, this.deps.now());
    const outgrown = cur && !stale && this.outgrown(agentId, cur);
    if (cur && !stale && !outgrown) return cur;
    if (cur) {
      this.deps.log.info(
        outgrown
          ? `session ${key}: the conversation passed ${MAX_TRANSCRIPT_BYTES / 1048576} MB; it goes on in a new one (the old transcript is kept)`
          : `session ${key}: reset policy started a new conversation`,
      );
      this.ended(agentId, key, cur);
      if (outgrown) this.close(agentId, cur);
    }
    const entry = store.set(key, freshEntry(key, this.deps.now(), cur));
    this.started(agentId, key, entry);
    return entry;
  }

  /**
   * Creates the session's entry if there is none, and writes where its transcript is before anything
   * is said in it. Throws a StorageError when that write fails.
   */
  ensure(agentId: string, key: string): SessionEntry {
    const store = this.store(agentId);
    let entry = store.get(key);
    if (!entry) {
      entry = store.set(key, freshEntry(key, this.deps.now()));
      this.started(agentId, key, entry);
    }
    store.persistPointers();
    return entry;
  }

  /**
   * {@link ensure} without holding up the event loop: creates the entry if there is none and returns a
   * promise that resolves once where its transcript is is on disk (rejects with a StorageError), or
   * null when nothing needed writing.
   */
  ensureDurable(agentId: string, key: string): Promise<void> | null {
    const store = this.store(agentId);
    if (!store.get(key)) this.started(agentId, key, store.set(key, freshEntry(key, this.deps.now())));
    return store.hasMovedPointers ? store.persistPointersAsync() : null;
  }

  /** Creates the session's entry if there is none (written with the next store write). */
  touch(agentId: string, key: string): SessionEntry {
    const store = this.store(agentId);
    const cur = store.get(key);
    if (cur) return cur;
    const entry = store.set(key, freshEntry(key, this.deps.now()));
    this.started(agentId, key, entry);
    return entry;
  }

  /**
   * Ends the session's conversation and starts a new one (`/new`, `/reset`, `sessions.reset`), written
   * through at once. `modelOverride` replaces the one carried over.
   */
  startNew(agentId: string, key: string, opts: { modelOverride?: string } = {}): SessionEntry {
    const store = this.store(agentId);
    const prev = store.get(key);
    if (prev) {
      this.ended(agentId, key, prev);
      this.close(agentId, prev);
    }
    const entry = freshEntry(key, this.deps.now(), prev);
    if (opts.modelOverride) entry.modelOverride = opts.modelOverride;
    store.set(key, entry);
    store.flushOrThrow();
    this.started(agentId, key, entry);
    return entry;
  }

  /**
   * Removes the session. Its transcript is kept, renamed `.deleted.<ts>` (returned as `archived`),
   * unless `deleteTranscript`.
   */
  remove(agentId: string, key: string, entry: SessionEntry, deleteTranscript: boolean): { archived?: string } {
    this.ended(agentId, key, entry);
    this.close(agentId, entry);
    const file = this.transcriptFile(agentId, entry);
    let archived: string | undefined;
    if (fs.existsSync(file)) {
      if (deleteTranscript) fs.rmSync(file, { force: true });
      else {
        archived = `${file}.deleted.${this.deps.now()}`;
        fs.renameSync(file, archived);
      }
    }
    const store = this.store(agentId);
    store.delete(key);
    store.flushOrThrow();
    return archived ? { archived } : {};
  }

  /** Writes every store's pending changes (failures are retried by the store). */
  flush(): void {
    for (const s of this.stores.values()) s.flush();
  }

  /** Writes the stores and closes the transcripts. */
  closeAll(): void {
    this.flush();
    for (const t of this.open.values()) t.close();
    this.open.clear();
    this.closed.clear();
  }
}
