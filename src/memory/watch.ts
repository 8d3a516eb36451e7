/**
 * Whether anything may have changed in the memory folders since the last full look at them, told by
 * the kernel's file events instead of a `stat` of every file on every search (with thousands of notes
 * that is thousands of system calls on the event loop per search).
 *
 * Only on Linux, where inotify queues an event during the very system call that changes a file: two
 * turns of the event loop later its callback has run, so a note written just before a search is
 * never missed. Elsewhere (coalesced, delayed events), when a folder cannot be watched, or when the
 * last full look is older than {@link TRUST_MS}, the answer is "maybe": the caller looks at every file
 * again, as it always did.
 */
import type fs from "node:fs";
import { tryWatch } from "../infra/watch.js";

/** A full look at least this often, in case the kernel dropped events (a full inotify queue). */
const TRUST_MS = 30_000;
/** More folders than this and the files are simply stat-ed on each search. */
const MAX_WATCHED_DIRS = 256;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class ChangeWatch {
  private readonly watchers = new Map<string, fs.FSWatcher>();
  /** Something changed (or may have) since {@link beginLook}. */
  private changed = true;
  /** A folder that should be watched is not: every search looks. */
  private blind = process.platform !== "linux";
  private lookedAt = 0;

  /**
   * Resolves true when nothing in the watched folders changed since the last full look: after two
   * turns of the event loop, so that events already queued by the kernel have been delivered.
   */
  async unchanged(): Promise<boolean> {
    if (!this.trusted()) return false;
    await nextTurn();
    await nextTurn();
    return this.trusted();
  }

  private trusted(): boolean {
    return !this.blind && !this.changed && this.watchers.size > 0 && Date.now() - this.lookedAt < TRUST_MS;
  }

  /** Called just before listing the files: a change from here on makes the next search look again. */
  beginLook(): void {
    this.changed = false;
    this.lookedAt = Date.now();
  }

  /**
   * Watches exactly `dirs` (the folders the listing read, and those whose entries it checked) and
   * stops watching the rest. A folder newly watched may have changed between the listing and its
   * watch: the next search looks once more.
   */
  track(dirs: Iterable<string>): void {
    if (process.platform !== "linux") return;
    const wanted = new Set(dirs);
    for (const [dir, w] of this.watchers) {
      if (!wanted.has(dir)) {
        w.close();
        this.watchers.delete(dir);
      }
    }
    if (wanted.size > MAX_WATCHED_DIRS) {
      this.close();
      this.blind = true;
      return;
    }
    this.blind = false;
    for (const dir of wanted) {
      if (this.watchers.has(dir)) continue;
      this.changed = true;
      const w = tryWatch(dir, (event) => {
        this.changed = true;
        if (event !== "error" || typeof w === "string") return;
        // The folder went away or cannot be read: look again, and watch again after that look.
        w.close();
        if (this.watchers.get(dir) === w) this.watchers.delete(dir);
      });
      // Absent, not a folder, or out of inotify watches: no answer from events for now.
      if (typeof w === "string") this.blind = true;
      else this.watchers.set(dir, w);
    }
  }

  close(): void {
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    this.changed = true;
  }
}
