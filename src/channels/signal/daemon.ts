/**
 * Runs `signal-cli daemon --http` for an account when the gateway manages it: spawns it, reports its
 * log lines (warnings and errors as errors), waits for `/api/v1/check` to answer, restarts it with
 * backoff when it exits on its own, and kills it on stop.
 */
import { spawn, type ChildProcess } from "node:child_process";
import type { Logger } from "../../infra/logger.js";
import { check } from "./client.js";
import type { DaemonSpawn } from "./config.js";

const MIN_RESTART_MS = 1_000;
const MAX_RESTART_MS = 30_000;
const CHECK_EVERY_MS = 150;
const KILL_GRACE_MS = 5_000;

/** `error` for lines signal-cli marks as warnings or failures, `log` for the rest, null for blank. */
export function classifyLogLine(line: string): "error" | "log" | null {
  const t = line.trim();
  if (!t) return null;
  if (/\b(ERROR|WARN|WARNING)\b/.test(t) || /\b(FAILED|SEVERE|EXCEPTION)\b/i.test(t)) return "error";
  return "log";
}

export class SignalDaemon {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private stopped = true;
  private restartTimer: NodeJS.Timeout | null = null;
  private restartMs = MIN_RESTART_MS;
  /** Why the last run ended or could not start (for status and the startup wait). */
  lastError: string | null = null;

  constructor(
    private readonly spec: DaemonSpawn,
    private readonly baseUrl: string,
    private readonly log: Logger,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.spawnOnce();
  }

  private spawnOnce(): void {
    this.restartTimer = null;
    if (this.stopped) return;
    const { cliPath, args } = this.spec;
    this.log.info(`starting ${cliPath} ${args.join(" ")}`);
    const child = spawn(cliPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    const onData = (data: Buffer) => {
      for (const line of data.toString().split(/\r?\n/)) {
        const kind = classifyLogLine(line);
        if (kind === "error") this.log.error(`signal-cli: ${line.trim()}`);
        else if (kind === "log") this.log.debug(`signal-cli: ${line.trim()}`);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    this.exited = new Promise<void>((resolve) => {
      let spawnError: string | null = null;
      let finished = false;
      const finish = (how: string) => {
        if (finished) return;
        finished = true;
        if (this.child === child) this.child = null;
        resolve();
        if (this.stopped) return;
        if (!spawnError) {
          this.lastError = `signal-cli exited (${how})`;
          this.log.error(`${this.lastError}; restarting in ${Math.round(this.restartMs / 1000)}s`);
        }
        this.restartTimer = setTimeout(() => this.spawnOnce(), this.restartMs);
        this.restartMs = Math.min(this.restartMs * 2, MAX_RESTART_MS);
      };
      child.on("error", (err: NodeJS.ErrnoException) => {
        spawnError =
          err.code === "ENOENT"
            ? `cannot run ${cliPath} (not found): install signal-cli, set channels.signal.cliPath, or point channels.signal.httpUrl at a running daemon`
            : `cannot run ${cliPath}: ${err.message}`;
        this.lastError = spawnError;
        this.log.error(spawnError);
        // A process that never started emits no close of its own.
        if (child.pid === undefined) finish("not started");
      });
      child.on("close", (code, signal) => finish(signal ?? `code ${code}`));
    });
  }

  /**
   * Resolves once the daemon answers its health check; rejects after the startup timeout (or when
   * `signal` aborts) with what went wrong. A restart in between is waited for too.
   */
  async waitReady(signal: AbortSignal): Promise<void> {
    const deadline = performance.now() + this.spec.startupTimeoutMs;
    let last: string | null = "not started";
    for (;;) {
      if (signal.aborted || this.stopped) throw new Error("stopped");
      if (this.child) {
        last = await check(this.baseUrl, 1_000);
        if (last === null) {
          this.restartMs = MIN_RESTART_MS;
          this.lastError = null;
          return;
        }
      }
      if (performance.now() > deadline) {
        const why = this.lastError ?? last;
        throw new Error(
          `signal-cli did not answer on ${this.baseUrl} within ${Math.round(this.spec.startupTimeoutMs / 1000)}s (${why}); raise channels.signal.startupTimeoutMs for slow starts`,
        );
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, CHECK_EVERY_MS);
        function done() {
          clearTimeout(t);
          signal.removeEventListener("abort", done);
          resolve();
        }
        signal.addEventListener("abort", done, { once: true });
      });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const child = this.child;
    if (!child) return;
    const exited = this.exited;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
    await exited;
    clearTimeout(timer);
    this.restartMs = MIN_RESTART_MS;
  }
}
