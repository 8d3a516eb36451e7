/**
 * The processes `exec` started: each runs detached in its own process group (so stopping it stops
 * everything it spawned), its combined output kept up to a cap (the tail survives), and it stays
 * listed for the `process` tool until removed or, once finished, until its time to live passes.
 * In memory only: a gateway restart forgets them (and `dispose` stops every one still running).
 */
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";

/** Most characters of output kept per process (the tail). */
export const MAX_OUTPUT_CHARS = 200_000;
/** Most processes tracked at once; the oldest finished ones go first. */
export const MAX_SESSIONS = 64;
/** How long a stopped process group gets between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 2_000;

export type SessionStatus = "running" | "completed" | "failed";

export interface ProcessSession {
  readonly id: string;
  /** The agent it belongs to: only that agent's `process` calls see it. */
  readonly scope: string;
  readonly sessionKey: string;
  readonly command: string;
  readonly cwd: string;
  readonly pid: number | undefined;
  readonly startedAt: number;
  endedAt?: number;
  status: SessionStatus;
  exitCode: number | null;
  exitSignal: string | null;
  /** Combined stdout and stderr, its head dropped beyond the cap. */
  aggregated: string;
  /** Characters dropped from the head of `aggregated`. */
  droppedChars: number;
  /** Output since the last poll. */
  unread: string;
  backgrounded: boolean;
  timedOut: boolean;
  notifyOnExit: boolean;
  readonly child: ChildProcess;
  /** Settles when the process has exited and its output is complete. */
  readonly exited: Promise<void>;
  readonly done: boolean;
}

interface Internal extends ProcessSession {
  done: boolean;
  killed?: boolean;
  timer?: NodeJS.Timeout;
  killTimer?: NodeJS.Timeout;
}

export interface SpawnOptions {
  argv: string[];
  command: string;
  cwd: string;
  env: Record<string, string>;
  scope: string;
  sessionKey: string;
  timeoutSec: number;
  notifyOnExit: boolean;
  /** Called once when the process has exited (after its output is complete). */
  onExit?: (s: ProcessSession) => void;
}

function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  // A zombie (exited, not yet reaped) counts as gone.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}

/** Whether a process is gone (no longer running, or a zombie). */
export function processGone(pid: number): boolean {
  return isGone(pid);
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

export class ProcessRegistry {
  private readonly sessions = new Map<string, Internal>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly opts: { maxOutputChars?: number; maxSessions?: number; killGraceMs?: number } = {},
  ) {}

  spawn(o: SpawnOptions): ProcessSession {
    const running = [...this.sessions.values()].filter((s) => !s.done).length;
    const max = this.opts.maxSessions ?? MAX_SESSIONS;
    if (running >= max) throw new Error(`too many processes running (${max}); kill or wait for some (process list)`);
    while (this.sessions.size >= max) {
      const oldest = [...this.sessions.values()].filter((s) => s.done).sort((a, b) => a.startedAt - b.startedAt)[0];
      if (!oldest) break;
      this.sessions.delete(oldest.id);
    }
    const child = spawn(o.argv[0]!, o.argv.slice(1), {
      cwd: o.cwd,
      env: o.env,
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let markExited!: () => void;
    const exited = new Promise<void>((r) => (markExited = r));
    const s: Internal = {
      id: crypto.randomUUID(),
      scope: o.scope,
      sessionKey: o.sessionKey,
      command: o.command,
      cwd: o.cwd,
      pid: child.pid,
      startedAt: this.now(),
      status: "running",
      exitCode: null,
      exitSignal: null,
      aggregated: "",
      droppedChars: 0,
      unread: "",
      backgrounded: false,
      timedOut: false,
      notifyOnExit: o.notifyOnExit,
      child,
      exited,
      done: false,
    };
    const cap = this.opts.maxOutputChars ?? MAX_OUTPUT_CHARS;
    const append = (chunk: Buffer | string) => {
      const text = chunk.toString();
      s.aggregated += text;
      if (s.aggregated.length > cap) {
        s.droppedChars += s.aggregated.length - cap;
        s.aggregated = s.aggregated.slice(-cap);
      }
      s.unread = (s.unread + text).slice(-cap);
    };
    child.stdout?.on("data", append);
    child.stderr?.on("data", append);
    child.stdin?.on("error", () => undefined);
    const finish = (code: number | null, signal: string | null) => {
      if (s.done) return;
      s.done = true;
      s.exitCode = code;
      s.exitSignal = signal;
      s.endedAt = this.now();
      s.status = code === 0 && !signal && !s.timedOut ? "completed" : "failed";
      clearTimeout(s.timer);
      // A stopped process's group goes whole: nothing it started outlives it.
      if (s.killed) signalGroup(s.pid, "SIGKILL");
      clearTimeout(s.killTimer);
      markExited();
      o.onExit?.(s);
    };
    child.on("error", (err) => {
      append(`${err.message}\n`);
      finish(127, null);
    });
    child.on("close", (code, signal) => finish(code, signal));
    // Output pipes held open by something it left running in the background do not keep it pending.
    child.on("exit", (code, signal) => {
      const t = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish(code, signal);
      }, 500);
      t.unref();
    });
    if (o.timeoutSec > 0) {
      s.timer = setTimeout(() => {
        s.timedOut = true;
        this.kill(s);
      }, o.timeoutSec * 1000);
      s.timer.unref();
    }
    this.sessions.set(s.id, s);
    return s;
  }

  /** Stops a process and everything it started: SIGTERM to its group, SIGKILL after a grace period. */
  kill(s: ProcessSession): void {
    const i = s as Internal;
    if (i.done) return;
    i.killed = true;
    signalGroup(i.pid, "SIGTERM");
    clearTimeout(i.killTimer);
    i.killTimer = setTimeout(() => signalGroup(i.pid, "SIGKILL"), this.opts.killGraceMs ?? KILL_GRACE_MS);
    i.killTimer.unref();
  }

  get(id: string, scope: string): ProcessSession | undefined {
    const s = this.sessions.get(id);
    return s && s.scope === scope ? s : undefined;
  }

  list(scope: string): ProcessSession[] {
    return [...this.sessions.values()].filter((s) => s.scope === scope);
  }

  remove(id: string): void {
    this.sessions.delete(id);
  }

  /** Forgets finished processes older than `ttlMs` since they ended. */
  sweep(ttlMs: number): void {
    const now = this.now();
    for (const s of this.sessions.values()) if (s.done && s.endedAt !== undefined && now - s.endedAt > ttlMs) this.sessions.delete(s.id);
  }

  /** Stops every process and forgets them all. */
  dispose(): void {
    for (const s of this.sessions.values()) {
      if (!s.done) signalGroup(s.pid, "SIGKILL");
      clearTimeout(s.timer);
      clearTimeout(s.killTimer);
    }
    this.sessions.clear();
  }
}
