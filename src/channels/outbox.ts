/**
 * Replies that must not be lost: while an adapter is disconnected (or the platform says "slow down"),
 * sends wait here in order and go out once it is back. Each item is retried with backoff until it
 * succeeds, fails with an error that retrying cannot fix, or has waited longer than `maxAgeMs`.
 *
 * Two kinds of waiting differ in what may end them early:
 * - backoff after a network error or 5xx is our own guess, so coming back from an outage
 *   (`setConnected(true)` after `false`) retries at once;
 * - a rate limit ("retry after N seconds", see `hold`) is the platform's rule: nothing is sent
 *   before it has passed, whether the connection comes back, new items are pushed, or the
 *   queue is cleared and refilled.
 */

export interface OutboxOptions {
  /** True for errors worth retrying (network, 5xx, 429). */
  retryable: (err: unknown) => boolean;
  /** Milliseconds the platform asked us to wait (429 retry_after), if the error says. */
  retryAfterMs?: (err: unknown) => number | undefined;
  maxAgeMs?: number;
  now?: () => number;
  onDrop?: (err: unknown) => void;
}

interface Item<T> {
  run: () => Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
  queuedAt: number;
}

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;

/** The timers below run on the monotonic clock, so the hold deadline does too (not `opts.now`). */
const monotonic = () => performance.now();

export class Outbox {
  private items: Array<Item<any>> = [];
  private connected = false;
  private draining = false;
  /** A retry is scheduled: new items queue behind the one waiting for it instead of jumping ahead. */
  private timer: NodeJS.Timeout | null = null;
  private backoffMs = MIN_BACKOFF_MS;
  /** Monotonic time before which nothing may be sent (the platform's rate limit). */
  private holdUntil = 0;

  constructor(private readonly opts: OutboxOptions) {}

  get size(): number {
    return this.items.length;
  }

  /** Milliseconds left of the platform's rate limit (0 when sends may go). */
  get heldMs(): number {
    return Math.max(0, this.holdUntil - monotonic());
  }

  /** Runs `fn` now when connected and idle, otherwise after what is already waiting. */
  push<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.items.push({ run: fn, resolve, reject, queuedAt: (this.opts.now ?? Date.now)() });
      if (!this.timer) void this.drain();
    });
  }

  /**
   * The platform asked for `ms` of silence (a rate limit met outside the queue, e.g. on a typing
   * indicator): nothing is sent before it has passed. A shorter hold never cuts a longer one short.
   */
  hold(ms: number): void {
    this.holdUntil = Math.max(this.holdUntil, monotonic() + ms);
    if (this.timer || this.draining) return; // the pending retry (or the running send) re-checks the hold
    if (this.connected && this.items.length > 0) void this.drain();
  }

  /**
   * Only a change counts: adapters may report "up" after every successful call. Coming back up
   * ends a network backoff early, never a hold.
   */
  setConnected(up: boolean): void {
    const wasUp = this.connected;
    this.connected = up;
    if (!up || wasUp) return;
    this.backoffMs = MIN_BACKOFF_MS;
    this.cancelRetry();
    void this.drain();
  }

  /** Fails everything waiting (adapter stopping). A hold outlives it: the platform still counts. */
  clear(reason: Error): void {
    this.cancelRetry();
    for (const it of this.items.splice(0)) it.reject(reason);
  }

  private async drain(): Promise<void> {
    if (this.draining || !this.connected || this.items.length === 0) return;
    if (this.heldMs > 0) return this.retryIn(this.heldMs);
    this.draining = true;
    try {
      while (this.connected && this.items.length > 0) {
        if (this.heldMs > 0) return this.retryIn(this.heldMs);
        const it = this.items[0]!;
        try {
          const v = await it.run();
          this.items.shift();
          it.resolve(v);
          this.backoffMs = MIN_BACKOFF_MS;
        } catch (err) {
          const age = (this.opts.now ?? Date.now)() - it.queuedAt;
          if (!this.opts.retryable(err) || age > (this.opts.maxAgeMs ?? 15 * 60_000)) {
            this.items.shift();
            this.opts.onDrop?.(err);
            it.reject(err);
            continue;
          }
          const asked = this.opts.retryAfterMs?.(err);
          if (asked !== undefined) this.holdUntil = Math.max(this.holdUntil, monotonic() + asked);
          const wait = Math.max(this.heldMs, asked === undefined ? this.backoffMs : 0);
          this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
          return this.retryIn(wait);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** (Re)schedules the next attempt; the drain it starts checks the hold again. */
  private retryIn(ms: number): void {
    this.cancelRetry();
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.drain();
    }, Math.ceil(ms));
    this.timer.unref?.();
  }

  private cancelRetry(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
