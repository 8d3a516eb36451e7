/**
 * Concurrency: one run at a time per session (a lane), and at most `maxConcurrent` runs across all
 * sessions. Work waits in order; nothing is dropped.
 */

export class Semaphore {
  private active = 0;
  private queue: Array<() => void> = [];

  constructor(private max: number) {}

  setMax(n: number): void {
    this.max = Math.max(1, n);
    this.pump();
  }

  get running(): number {
    return this.active;
  }

  get waiting(): number {
    return this.queue.length;
  }

  async acquire(): Promise<() => void> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.pump();
    };
  }

  private pump(): void {
    while (this.active < this.max && this.queue.length > 0) {
      this.active++;
      this.queue.shift()!();
    }
  }
}

/** Serializes work per key. */
export class KeyedMutex {
  private tails = new Map<string, Promise<unknown>>();

  isBusy(key: string): boolean {
    return this.tails.has(key);
  }

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}
