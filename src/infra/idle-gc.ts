/**
 * One full garbage collection once the gateway has been quiet for a while after doing work.
 *
 * V8's memory reducer is meant to give memory back when a process goes idle, but whether it runs
 * depends on when the last major collection happened: a gateway that has just answered some
 * thousands of messages may hold 20 MB or more of garbage for as long as it then stays idle, or may
 * not. On a 256 MB machine one collection (a few milliseconds, while nothing else is running) is
 * worth it. Node exposes no collection call without `--expose-gc`; the flag is set when the first
 * collection is due, and the function is taken from a fresh context, the only one that then has it.
 */
import v8 from "node:v8";
import vm from "node:vm";

/** Quiet time after the last piece of work before collecting. */
export const IDLE_GC_AFTER_MS = 5_000;

let gc: (() => void) | null | undefined;

function fullCollection(): void {
  if (gc === undefined) {
    try {
      v8.setFlagsFromString("--expose-gc");
      const fn: unknown = vm.runInNewContext("typeof gc === 'function' ? gc : null");
      gc = typeof fn === "function" ? (fn as () => void) : null;
    } catch {
      gc = null;
    }
  }
  gc?.();
}

export class IdleCollector {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly quietMs = IDLE_GC_AFTER_MS,
    private readonly collect: () => void = fullCollection,
  ) {}

  /** Work just ended: collect once `quietMs` pass without more (each call starts the wait again). */
  touch(): void {
    if (this.timer) {
      this.timer.refresh();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.collect();
    }, this.quietMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
