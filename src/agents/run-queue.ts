/**
 * The order runs happen in: one at a time per session (its lane), at most `maxConcurrent` model runs
 * across all sessions, messages that arrive while their session is busy collected into one follow-up
 * turn, and the runs in flight (to abort, to wait for, to count).
 *
 * Also remembers recent runs by id for ten minutes (the last thousand at most), so a repeated idempotency key gets the same run
 * and `wait` can answer for a run that already ended.
 */
import { ProviderError } from "../providers/types.js";
import { KeyedMutex, Semaphore } from "./lanes.js";
import type { RunHandle, RunResult, SendRequest } from "./types.js";

const IDEMPOTENCY_TTL_MS = 10 * 60_000;
/** At most this many finished runs are remembered (with their results), however recent. */
const MAX_RECENT_RUNS = 1000;

/** A run holding one of the `maxConcurrent` slots. */
export interface ActiveRun {
  runId: string;
  sessionKey: string;
  controller: AbortController;
  startedAt: number;
  done: Promise<RunResult>;
}

/** A message waiting for its busy session, to be merged into the next turn. */
interface Collected {
  req: SendRequest;
  runId: string;
  resolve: (r: RunResult) => void;
}

export class RunQueue {
  private readonly lanes = new KeyedMutex();
  private readonly sem: Semaphore;
  private readonly active = new Map<string, ActiveRun>(); // by runId
  private readonly activeBySession = new Map<string, ActiveRun>();
  private readonly collected = new Map<string, Collected[]>(); // by session key
  private readonly recent = new Map<string, { handle: RunHandle; at: number }>();
  private readonly results = new Map<string, RunResult>();

  constructor(
    maxConcurrent: number,
    private readonly now: () => number,
  ) {
    this.sem = new Semaphore(maxConcurrent);
  }

  setMaxConcurrent(n: number): void {
    this.sem.setMax(n);
  }

  /** Model runs holding a slot / waiting for one. */
  get running(): number {
    return this.sem.running;
  }
  get waiting(): number {
    return this.sem.waiting;
  }

  /** Runs `fn` in the session's lane, after the work queued there before it. */
  inLane<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.lanes.run(key, fn);
  }

  /** Whether a model run is in progress in the session. */
  isRunning(key: string): boolean {
    return this.activeBySession.has(key);
  }

  /**
   * Waits for a slot, then registers the run as active. `finish` must be called when it ends (it
   * frees the slot); `settle` resolves `done` for those waiting on it.
   */
  async begin(runId: string, sessionKey: string, startedAt: number) {
    const release = await this.sem.acquire();
    const controller = new AbortController();
    let settle!: (r: RunResult) => void;
    const run: ActiveRun = { runId, sessionKey, controller, startedAt, done: new Promise((r) => (settle = r)) };
    this.active.set(runId, run);
    this.activeBySession.set(sessionKey, run);
    return {
      controller,
      settle,
      finish: () => {
        this.active.delete(runId);
        if (this.activeBySession.get(sessionKey) === run) this.activeBySession.delete(sessionKey);
        release();
      },
    };
  }

  /** Aborts the session's active run (or only `runId`). Returns the aborted run ids. */
  abort(sessionKey: string, runId?: string): string[] {
    const out: string[] = [];
    for (const run of this.active.values()) {
      if (run.sessionKey !== sessionKey) continue;
      if (runId && run.runId !== runId) continue;
      run.controller.abort(new ProviderError("aborted", "aborted by request"));
      out.push(run.runId);
    }
    return out;
  }

  /** Aborts every run and waits (at most `graceMs`) for them to end. */
  async abortAll(reason: Error, graceMs: number): Promise<void> {
    const runs = [...this.active.values()];
    for (const run of runs) run.controller.abort(reason);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(runs.map((r) => r.done)), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
  }

  // ---- messages that arrive while the session is busy ---------------------------------------------

  /** Keeps a message for the session's next turn; its handle resolves with that turn's result. */
  collect(key: string, req: SendRequest, runId: string): RunHandle {
    let resolve!: (r: RunResult) => void;
    const done = new Promise<RunResult>((r) => (resolve = r));
    const list = this.collected.get(key) ?? [];
    list.push({ req: { ...req, sessionKey: key }, runId, resolve });
    this.collected.set(key, list);
    return this.remember({ runId, sessionKey: key, done });
  }

  /**
   * Runs the messages collected while the session was busy as one turn (`run`, in the session's
   * lane). The first message's run answers it; the others get the same result under their own run
   * id with `mergedInto`, each passed to `onMerged`.
   */
  runCollected(key: string, run: (merged: SendRequest, runId: string) => Promise<RunResult>, onMerged: (r: RunResult) => void): void {
    const list = this.collected.get(key);
    if (!list?.length) return;
    this.collected.delete(key);
    const [first, ...rest] = list as [Collected, ...Collected[]];
    const merged: SendRequest = {
      ...first.req,
      text: list
        .map((p) => p.req.text)
        .filter((t) => t.trim())
        .join("\n\n"),
      images: list.flatMap((p) => p.req.images ?? []),
    };
    void this.inLane(key, () => run(merged, first.runId)).then((r) => {
      first.resolve(r);
      for (const p of rest) {
        const mine = { ...r, runId: p.runId, mergedInto: r.runId };
        p.resolve(mine);
        onMerged(mine);
      }
    });
  }

  // ---- recent runs by id ----------------------------------------------------------------------------

  /** The handle of a recent run with this id (an idempotency key seen before). */
  recall(runId: string): RunHandle | undefined {
    return this.recent.get(runId)?.handle;
  }

  remember(handle: RunHandle, result?: RunResult): RunHandle {
    this.recent.set(handle.runId, { handle, at: this.now() });
    if (result) this.results.set(handle.runId, result);
    void handle.done.then((r) => this.results.set(handle.runId, r));
    return handle;
  }

  /**
   * Forgets runs older than the idempotency window, and the oldest beyond the newest
   * {@link MAX_RECENT_RUNS} (runs still going are kept either way).
   */
  prune(): void {
    const cutoff = this.now() - IDEMPOTENCY_TTL_MS;
    let over = this.recent.size - MAX_RECENT_RUNS;
    for (const [id, v] of this.recent) {
      if (v.at >= cutoff && over <= 0) break;
      if (this.active.has(id)) continue;
      this.recent.delete(id);
      this.results.delete(id);
      over--;
    }
  }

  /** Waits for a run's result (null on timeout or an unknown run). */
  async wait(runId: string, timeoutMs: number): Promise<RunResult | null> {
    const known = this.results.get(runId);
    if (known) return known;
    const handle = this.recent.get(runId)?.handle;
    if (!handle) return null;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((r) => (timer = setTimeout(() => r(null), timeoutMs)));
    try {
      return await Promise.race([handle.done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
