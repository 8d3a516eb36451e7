/**
 * Replies that must not be lost: while an adapter is disconnected (or the platform says "slow down"),
 * sends wait here in order and go out once it is back. Each item is retried with backoff until it
 * succeeds, fails with an error that retrying cannot fix, or has waited longer than `maxAgeMs`.
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

export class Outbox {
  private items: Array<Item<any>> = [];
  private connected = false;
  private draining = false;
  private timer: NodeJS.Timeout | null = null;
  private backoffMs = 500;

  constructor(private readonly opts: OutboxOptions) {}

  get size(): number {
    return this.items.length;
  }

  /** Runs `fn` now when connected and idle, otherwise after what is already waiting. */
  push<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.items.push({ run: fn, resolve, reject, queuedAt: (this.opts.now ?? Date.now)() });
      void this.drain();
    });
  }

  setConnected(up: boolean): void {
    this.connected = up;
    if (up) {
      this.backoffMs = 500;
      void this.drain();
    }
  }

  /** Fails everything waiting (adapter stopping). */
  clear(reason: Error): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const it of this.items.splice(0)) it.reject(reason);
  }

  private async drain(): Promise<void> {
    if (this.draining || !this.connected) return;
    this.draining = true;
    try {
      while (this.connected && this.items.length > 0) {
        const it = this.items[0]!;
        try {
          const v = await it.run();
          this.items.shift();
          it.resolve(v);
          this.backoffMs = 500;
        } catch (err) {
          const age = (this.opts.now ?? Date.now)() - it.queuedAt;
          if (!this.opts.retryable(err) || age > (this.opts.maxAgeMs ?? 15 * 60_000)) {
            this.items.shift();
            this.opts.onDrop?.(err);
            it.reject(err);
            continue;
          }
          const wait = this.opts.retryAfterMs?.(err) ?? this.backoffMs;
          this.backoffMs = Math.min(this.backoffMs * 2, 30_000);
          this.timer = setTimeout(() => {
            this.timer = null;
            void this.drain();
          }, wait);
          this.timer.unref?.();
          return;
        }
      }
    } finally {
      this.draining = false;
    }
  }
}
