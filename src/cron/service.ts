/**
 * The scheduler: the jobs of `cron/jobs.json`, one timer for the earliest due job (however many jobs
 * there are, an idle gateway has one timer and no polling), and the runs.
 *
 * Where it departs from OpenClaw 2026.1.29, on purpose:
 *
 * - A one-shot (`at`) job that fails is tried again with backoff (30 s, 1 min, 5 min, 15 min, 1 h)
 *   and, after {@link MAX_AT_ATTEMPTS} failed attempts, disabled with the last error kept. OpenClaw
 *   leaves it due and re-runs it at once, in a tight loop, until it succeeds.
 * - A job whose previous run is still going is not started again: that occurrence is skipped and a
 *   `skipped` entry in its run log says why.
 * - After downtime, a recurring job that missed runs runs once at start (not once per missed run, and
 *   not silently dropped as OpenClaw does); an `at` job whose time passed while the gateway was down
 *   runs once at start. A restart keeps each job's saved next run (OpenClaw recomputes it, which
 *   pushes an `every` job without an anchor back by a whole interval at each restart).
 * - Up to `cron.maxConcurrentRuns` (default 1) jobs run at the same time; the others wait their turn.
 *   A run asked for with `cron.run` is an operator's explicit request and does not wait.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "../infra/logger.js";
import { AddSchema, assertSupportedJob, type CronAddInput, type CronPatch } from "./normalize.js";
import { RunLog } from "./run-log.js";
import { checkCronSchedule, loadCroner, nextRunAtMs, type CronCtor } from "./schedule.js";
import { loadStore, MAX_JOBS, saveStore, storeText } from "./store.js";
import type { CronEvent, CronJob, CronPayload, CronRunLogEntry, CronRunStatus } from "./types.js";

/** Delays before the 2nd, 3rd, … attempt of a failed one-shot job. */
export const AT_RETRY_BACKOFF_MS = [30_000, 60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000];
/** A one-shot job that failed this many times is disabled. */
export const MAX_AT_ATTEMPTS = 5;
/** setTimeout's limit; a later job is re-armed when this much time has passed. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** While the scheduler is disabled, how often the config is looked at again. */
const CONFIG_RECHECK_MS = 30_000;
/** Summaries kept in run logs and events. */
const MAX_SUMMARY_CHARS = 2000;

export interface RunOutcome {
  status: CronRunStatus;
  error?: string;
  summary?: string;
  /** The agent's full reply (isolated jobs), for `postToMainMode: "full"`. */
  outputText?: string;
}

export interface CronServiceDeps {
  storePath: string;
  /** `cron.enabled` (default true) and not `OPENCLAW_SKIP_CRON=1`; read at each decision. */
  enabled(): boolean;
  /** `cron.maxConcurrentRuns` (default 1). */
  maxConcurrentRuns(): number;
  now(): number;
  log: Pick<Logger, "info" | "warn" | "error">;
  emit(evt: CronEvent): void;
  /** Runs the job's payload: a system event on the main session, or an isolated agent turn. */
  execute(job: CronJob): Promise<RunOutcome>;
  /** After an isolated job: its result as a note on the agent's main session. */
  afterIsolated?(job: CronJob, outcome: RunOutcome): void;
  /** Tests shorten these. */
  retryBackoffMs?: number[];
  maxAtAttempts?: number;
  /** The timer functions (tests count the timers). */
  setTimer?: (fn: () => void, ms: number) => NodeJS.Timeout;
}

export class CronService {
  private jobs: CronJob[] = [];
  private loaded = false;
  /** The text the store file holds (as read or last written); undefined when unknown. */
  private savedText: string | undefined;
  private Cron: CronCtor | undefined;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly running = new Map<string, Promise<void>>();
  /** Failed attempts of one-shot jobs since their last success or edit (not persisted). */
  private readonly attempts = new Map<string, number>();
  readonly runLog: RunLog;

  constructor(private readonly deps: CronServiceDeps) {
    this.runLog = new RunLog(deps.storePath);
  }

  get storePath(): string {
    return this.deps.storePath;
  }

  // ---- life ----------------------------------------------------------------------------------------

  async start(): Promise<void> {
    this.stopped = false;
    await this.ensureLoaded();
    const now = this.deps.now();
    for (const job of this.jobs) {
      // Nothing runs before start: a marker left by a process that stopped mid-run is stale.
      delete job.state.runningAtMs;
      job.state.nextRunAtMs = this.initialNextRun(job, now);
    }
    this.persistQuietly();
    const enabled = this.deps.enabled();
    if (enabled) {
      const missed = this.jobs.filter((j) => j.enabled && j.state.nextRunAtMs !== undefined && j.state.nextRunAtMs <= now).length;
      this.deps.log.info(
        `cron: ${this.jobs.length} job(s)${missed ? `, ${missed} missed while the gateway was down (running each once now)` : ""}`,
      );
    } else if (this.jobs.length) this.deps.log.info(`cron: disabled (cron.enabled or OPENCLAW_SKIP_CRON); ${this.jobs.length} job(s) wait`);
    this.arm();
  }

  /** Stops the timer and waits (up to `waitMs`) for runs in progress. */
  async stop(waitMs = 5000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.running.size) return;
    let t: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.running.values()]),
      new Promise((r) => {
        t = setTimeout(r, waitMs);
        t.unref?.();
      }),
    ]);
    clearTimeout(t);
  }

  private async ensureLoaded(): Promise<void> {
    if (this.loaded) return;
    const { jobs, problem, raw } = loadStore(this.deps.storePath, this.deps.now());
    // No file and no jobs is what an empty file would say: nothing is written until a job is added.
    this.savedText = raw ?? (jobs.length ? undefined : storeText([]));
    if (problem) this.deps.log.warn(`cron: ${problem}`);
    if (jobs.some((j) => j.schedule?.kind === "cron")) await this.croner();
    this.jobs = jobs;
    this.loaded = true;
  }

  private async croner(): Promise<CronCtor> {
    return (this.Cron ??= await loadCroner());
  }

  /**
   * The next run of a job found in the store at start: a run missed while the gateway was down stays
   * due (it runs once, now); otherwise the schedule's next time.
   */
  private initialNextRun(job: CronJob, now: number): number | undefined {
    if (!job.enabled) return undefined;
    if (job.schedule.kind === "at") return job.state.lastStatus === "ok" && job.state.lastRunAtMs ? undefined : job.schedule.atMs;
    const stored = job.state.nextRunAtMs;
    if (typeof stored === "number" && stored <= now) return stored;
    // A saved time still ahead stays, unless the schedule now says sooner: an `every` job without
    // an anchor is not pushed back a whole interval by a restart.
    const next = this.next(job, now);
    return typeof stored === "number" && next !== undefined && stored < next ? stored : next;
  }

  private next(job: CronJob, now: number): number | undefined {
    if (!job.enabled) return undefined;
    try {
      return nextRunAtMs(job.schedule, now, this.Cron);
    } catch (e) {
      this.deps.log.warn(`cron: job ${job.id} (${job.name}) has a schedule that cannot be read: ${(e as Error).message}`);
      return undefined;
    }
  }

  // ---- the timer -----------------------------------------------------------------------------------

  private get slotsFree(): boolean {
    return this.running.size < Math.max(1, this.deps.maxConcurrentRuns());
  }

  /** One timer for the earliest job that can act (a free slot, or a running job whose next time comes). */
  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped) return;
    if (!this.deps.enabled()) {
      // Disabled in the config: look again now and then, so turning it back on needs no restart.
      this.timer = (this.deps.setTimer ?? setTimeout)(() => this.arm(), CONFIG_RECHECK_MS);
      this.timer.unref?.();
      return;
    }
    const free = this.slotsFree;
    let earliest: number | undefined;
    for (const j of this.jobs) {
      const at = j.state.nextRunAtMs;
      if (!j.enabled || typeof at !== "number") continue;
      if (!free && !this.running.has(j.id)) continue;
      if (earliest === undefined || at < earliest) earliest = at;
    }
    if (earliest === undefined) return;
    const delay = Math.min(Math.max(0, earliest - this.deps.now()), MAX_TIMEOUT_MS);
    this.timer = (this.deps.setTimer ?? setTimeout)(() => this.tick(), delay);
    this.timer.unref?.();
  }

  private tick(): void {
    this.timer = null;
    if (this.stopped) return;
    if (!this.deps.enabled()) return this.arm();
    const now = this.deps.now();
    const due = this.jobs
      .filter((j) => j.enabled && typeof j.state.nextRunAtMs === "number" && j.state.nextRunAtMs <= now)
      .sort((a, b) => a.state.nextRunAtMs! - b.state.nextRunAtMs!);
    let changed = false;
    for (const job of due) {
      if (this.running.has(job.id)) {
        this.skipOverlap(job, now);
        changed = true;
      } else if (this.slotsFree) void this.launch(job, false);
    }
    if (changed) this.persistQuietly();
    this.arm();
  }

  private skipOverlap(job: CronJob, now: number): void {
    const scheduledAt = job.state.nextRunAtMs;
    job.state.nextRunAtMs = job.schedule.kind === "at" ? undefined : this.next(job, now);
    const error = "skipped: the previous run of this job was still going";
    this.deps.log.warn(`cron: job ${job.id} (${job.name}) ${error}`);
    void this.runLog
      .append({
        ts: now,
        jobId: job.id,
        action: "finished",
        status: "skipped",
        error,
        runAtMs: scheduledAt,
        durationMs: 0,
        nextRunAtMs: job.state.nextRunAtMs,
      })
      .catch((e) => this.deps.log.warn(`cron: cannot write the run log of ${job.id}: ${(e as Error).message}`));
  }

  // ---- runs ----------------------------------------------------------------------------------------

  /** Starts a run; the returned promise settles when it has finished and been recorded. */
  private launch(job: CronJob, forced: boolean): Promise<void> {
    const run = this.runJob(job, forced).finally(() => {
      this.running.delete(job.id);
      if (!this.stopped) this.tick();
    });
    this.running.set(job.id, run);
    return run;
  }

  private async runJob(job: CronJob, forced: boolean): Promise<void> {
    const startedAt = this.deps.now();
    job.state.runningAtMs = startedAt;
    delete job.state.lastError;
    // While it runs, its next time is already the one after this run (an `at` job has none).
    if (job.schedule.kind !== "at" && !forced) job.state.nextRunAtMs = this.next(job, startedAt);
    if (job.schedule.kind === "at") job.state.nextRunAtMs = undefined;
    this.persistQuietly();
    this.emit({ jobId: job.id, action: "started", runAtMs: startedAt });

    let outcome: RunOutcome;
    try {
      outcome = await this.deps.execute(job);
    } catch (e) {
      outcome = { status: "error", error: (e as Error)?.message ?? String(e) };
    }
    const endedAt = this.deps.now();
    const durationMs = Math.max(0, endedAt - startedAt);
    const stillListed = this.jobs.includes(job);
    delete job.state.runningAtMs;
    job.state.lastRunAtMs = startedAt;
    job.state.lastStatus = outcome.status;
    job.state.lastDurationMs = durationMs;
    let error = outcome.error;
    let removed = false;

    if (job.schedule.kind === "at") {
      if (outcome.status === "ok") {
        this.attempts.delete(job.id);
        if (job.deleteAfterRun === true && stillListed) {
          this.jobs = this.jobs.filter((j) => j !== job);
          removed = true;
        } else job.enabled = false;
        job.state.nextRunAtMs = undefined;
      } else if (job.enabled) {
        const n = (this.attempts.get(job.id) ?? 0) + 1;
        const max = this.deps.maxAtAttempts ?? MAX_AT_ATTEMPTS;
        const backoff = this.deps.retryBackoffMs ?? AT_RETRY_BACKOFF_MS;
        if (n >= max) {
          this.attempts.delete(job.id);
          job.enabled = false;
          job.state.nextRunAtMs = undefined;
          error = `${error ?? outcome.status} (gave up after ${n} attempts; the job is disabled: fix the cause, then enable it or run it with cron.run)`;
        } else {
          this.attempts.set(job.id, n);
          job.state.nextRunAtMs = endedAt + backoff[Math.min(n - 1, backoff.length - 1)]!;
        }
      }
    } else if (job.enabled) {
      job.state.nextRunAtMs = this.next(job, endedAt);
    } else job.state.nextRunAtMs = undefined;
    if (error !== undefined) job.state.lastError = error;
    job.updatedAtMs = endedAt;

    const summary = outcome.summary ? clip(outcome.summary, MAX_SUMMARY_CHARS) : undefined;
    const entry: CronRunLogEntry = {
      ts: endedAt,
      jobId: job.id,
      action: "finished",
      status: outcome.status,
      ...(error !== undefined ? { error } : {}),
      ...(summary !== undefined ? { summary } : {}),
      runAtMs: startedAt,
      durationMs,
      ...(job.state.nextRunAtMs !== undefined ? { nextRunAtMs: job.state.nextRunAtMs } : {}),
    };
    if (stillListed) this.persistQuietly();
    await this.runLog
      .append(entry)
      .catch((e) => this.deps.log.warn(`cron: cannot write the run log of ${job.id}: ${(e as Error).message}`));
    this.emit({
      jobId: job.id,
      action: "finished",
      status: outcome.status,
      error,
      summary,
      runAtMs: startedAt,
      durationMs,
      nextRunAtMs: job.state.nextRunAtMs,
    });
    if (removed) this.emit({ jobId: job.id, action: "removed" });
    if (job.sessionTarget === "isolated") {
      try {
        this.deps.afterIsolated?.(job, { ...outcome, error });
      } catch (e) {
        this.deps.log.warn(`cron: cannot post the result of ${job.id} to the main session: ${(e as Error).message}`);
      }
    }
  }

  private emit(evt: CronEvent): void {
    const clean = Object.fromEntries(Object.entries(evt).filter(([, v]) => v !== undefined)) as unknown as CronEvent;
    try {
      this.deps.emit(clean);
    } catch {
      // a listener's failure is not the job's
    }
  }

  /** Writes the jobs when they differ from what the file holds (a start that changes nothing writes nothing). */
  private persist(): void {
    this.savedText = saveStore(this.deps.storePath, this.jobs, this.savedText);
  }

  /** For the timer's own changes: a failed write is logged, and the jobs keep running from memory. */
  private persistQuietly(): void {
    try {
      this.persist();
    } catch (e) {
      this.deps.log.error(`cron: ${(e as Error).message}`);
    }
  }

  /** For a request's change: a failed write undoes the change and fails the request. */
  private commit(undo: () => void): void {
    try {
      this.persist();
    } catch (e) {
      undo();
      throw e;
    }
  }

  // ---- operations (methods, tool) ------------------------------------------------------------------

  async status(): Promise<{ enabled: boolean; storePath: string; jobs: number; nextWakeAtMs: number | null }> {
    await this.ensureLoaded();
    const enabled = this.deps.enabled();
    let next: number | null = null;
    for (const j of this.jobs) {
      const at = j.state.nextRunAtMs;
      if (j.enabled && typeof at === "number" && (next === null || at < next)) next = at;
    }
    return { enabled, storePath: this.deps.storePath, jobs: this.jobs.length, nextWakeAtMs: enabled ? next : null };
  }

  async list(opts: { includeDisabled?: boolean } = {}): Promise<CronJob[]> {
    await this.ensureLoaded();
    return this.jobs
      .filter((j) => opts.includeDisabled === true || j.enabled)
      .sort((a, b) => (a.state.nextRunAtMs ?? 0) - (b.state.nextRunAtMs ?? 0));
  }

  async get(id: string): Promise<CronJob | undefined> {
    await this.ensureLoaded();
    return this.jobs.find((j) => j.id === id);
  }

  private find(id: string): CronJob {
    const job = this.jobs.find((j) => j.id === id);
    if (!job) throw new CronInputError(`unknown cron job id: ${id} (see cron.list for the ids)`);
    return job;
  }

  private async checkSchedule(schedule: CronJob["schedule"]): Promise<void> {
    if (schedule.kind !== "cron") return;
    try {
      checkCronSchedule(schedule, await this.croner());
    } catch (e) {
      throw new CronInputError((e as Error).message);
    }
  }

  async add(input: CronAddInput): Promise<CronJob> {
    await this.ensureLoaded();
    const parsed = AddSchema.parse(input);
    if (this.jobs.length >= MAX_JOBS)
      throw new CronInputError(
        `this gateway already has ${this.jobs.length} scheduled jobs (the limit is ${MAX_JOBS}); remove some with cron.remove first`,
      );
    await this.checkSchedule(parsed.schedule);
    const now = this.deps.now();
    const job: CronJob = {
      id: randomUUID(),
      ...(parsed.agentId ? { agentId: parsed.agentId } : {}),
      name: parsed.name.trim() || "job",
      ...(parsed.description?.trim() ? { description: parsed.description.trim() } : {}),
      enabled: parsed.enabled !== false,
      ...(parsed.deleteAfterRun !== undefined ? { deleteAfterRun: parsed.deleteAfterRun } : {}),
      createdAtMs: now,
      updatedAtMs: now,
      schedule: parsed.schedule,
      sessionTarget: parsed.sessionTarget,
      wakeMode: parsed.wakeMode,
      payload: parsed.payload as CronPayload,
      ...(parsed.isolation ? { isolation: parsed.isolation } : {}),
      ...(parsed.budget ? { budget: parsed.budget } : {}),
      state: {},
    };
    this.guard(() => assertSupportedJob(job));
    job.state.nextRunAtMs = job.enabled ? (job.schedule.kind === "at" ? job.schedule.atMs : this.next(job, now)) : undefined;
    this.jobs.push(job);
    this.commit(() => (this.jobs = this.jobs.filter((j) => j !== job)));
    this.arm();
    this.emit({ jobId: job.id, action: "added", nextRunAtMs: job.state.nextRunAtMs });
    return job;
  }

  async update(id: string, patch: CronPatch): Promise<CronJob> {
    await this.ensureLoaded();
    const job = this.find(id);
    if (patch.schedule) await this.checkSchedule(patch.schedule);
    const before = structuredClone(job);
    const now = this.deps.now();
    this.guard(() => applyPatch(job, patch));
    job.updatedAtMs = now;
    if (patch.schedule || patch.enabled !== undefined) this.attempts.delete(job.id);
    if (job.enabled) {
      if (job.schedule.kind === "at") {
        const done = job.state.lastStatus === "ok" && job.state.lastRunAtMs && !patch.schedule && patch.enabled === undefined;
        job.state.nextRunAtMs = done ? undefined : job.schedule.atMs;
      } else if (!this.running.has(job.id) || patch.schedule) job.state.nextRunAtMs = this.next(job, now);
    } else {
      job.state.nextRunAtMs = undefined;
    }
    this.commit(() => Object.assign(job, before));
    this.arm();
    this.emit({ jobId: job.id, action: "updated", nextRunAtMs: job.state.nextRunAtMs });
    return job;
  }

  async remove(id: string): Promise<{ ok: true; removed: boolean }> {
    await this.ensureLoaded();
    const before = this.jobs;
    this.jobs = this.jobs.filter((j) => j.id !== id);
    const removed = this.jobs.length !== before.length;
    if (removed) {
      this.commit(() => (this.jobs = before));
      this.attempts.delete(id);
      this.arm();
      this.emit({ jobId: id, action: "removed" });
    }
    return { ok: true, removed };
  }

  /**
   * `cron.run`: `due` (default) runs the job only if its time has come; `force` runs it now. Waits for
   * the run to finish, as OpenClaw does. A job already running is not started twice.
   */
  async run(id: string, mode: "due" | "force" = "due"): Promise<{ ok: true; ran: boolean; reason?: string }> {
    await this.ensureLoaded();
    const job = this.find(id);
    const now = this.deps.now();
    const forced = mode === "force";
    const due = forced || (job.enabled && typeof job.state.nextRunAtMs === "number" && now >= job.state.nextRunAtMs);
    if (!due) return { ok: true, ran: false, reason: "not-due" };
    if (this.running.has(job.id)) return { ok: true, ran: false, reason: "already-running" };
    await this.launch(job, forced);
    return { ok: true, ran: true };
  }

  async runs(id: string, limit?: number) {
    return this.runLog.read(id, limit ?? 200);
  }

  /** Whether the job is running now (for tests and status). */
  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      throw new CronInputError((e as Error).message);
    }
  }
}

/** A request the caller can fix (unknown id, bad schedule, limit reached). */
export class CronInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CronInputError";
  }
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function applyPatch(job: CronJob, patch: CronPatch): void {
  if (patch.name !== undefined) job.name = patch.name.trim() || job.name;
  if ("description" in patch) {
    const d = patch.description?.trim();
    if (d) job.description = d;
    else delete job.description;
  }
  if (typeof patch.enabled === "boolean") job.enabled = patch.enabled;
  if (typeof patch.deleteAfterRun === "boolean") job.deleteAfterRun = patch.deleteAfterRun;
  if (patch.schedule) job.schedule = patch.schedule;
  if (patch.sessionTarget) job.sessionTarget = patch.sessionTarget;
  if (patch.wakeMode) job.wakeMode = patch.wakeMode;
  if (patch.payload) job.payload = mergePayload(job.payload, patch.payload);
  if (patch.isolation) job.isolation = patch.isolation;
  if (patch.budget) job.budget = patch.budget;
  if (patch.state) job.state = { ...job.state, ...patch.state };
  if ("agentId" in patch) {
    if (patch.agentId) job.agentId = patch.agentId;
    else delete job.agentId;
  }
  assertSupportedJob(job);
}

function mergePayload(existing: CronPayload, patch: NonNullable<CronPatch["payload"]>): CronPayload {
  if (patch.kind === "systemEvent") {
    const text = patch.text ?? (existing.kind === "systemEvent" ? existing.text : undefined);
    if (!text) throw new Error('cron.update payload.kind="systemEvent" requires text');
    return { kind: "systemEvent", text };
  }
  const base = existing.kind === "agentTurn" ? existing : undefined;
  const message = patch.message ?? base?.message;
  if (!message) throw new Error('cron.update payload.kind="agentTurn" requires message');
  const next: CronPayload = { ...(base ?? {}), kind: "agentTurn", message };
  for (const k of ["model", "thinking", "timeoutSeconds", "deliver", "channel", "to", "bestEffortDeliver"] as const)
    if (patch[k] !== undefined) (next as Record<string, unknown>)[k] = patch[k];
  return next;
}
