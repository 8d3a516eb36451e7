/**
 * Crash-safe file writes: write a temp file beside the target, fsync it, rename over the target,
 * fsync the directory. A kill -9 at any instant leaves either the old or the new file, never half.
 */
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";

export interface AtomicWriteOptions {
  /** File mode for a new file (default 0o600: config and state hold secrets). */
  mode?: number;
  /** Copy the previous file to `<target>.bak` before replacing it. */
  backup?: boolean;
}

/**
 * The target's folder (created if missing), a fresh temp file name beside the target, and the mode to
 * give it: the target's own when it exists, so a replaced file keeps what its owner set.
 */
function tempFor(target: string, opts: AtomicWriteOptions): { dir: string; tmp: string; mode: number } {
  const dir = path.dirname(target);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  let mode = opts.mode ?? 0o600;
  try {
    mode = fs.statSync(target).mode & 0o777;
  } catch {
    /* new file */
  }
  return { dir, tmp, mode };
}

/** Removes a temp file that will not become the target (a full disk fails half-way). */
function dropTemp(tmp: string): void {
  try {
    fs.rmSync(tmp, { force: true });
  } catch {
    /* a read-only volume never got the file */
  }
}

export function writeFileAtomicSync(target: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  const { dir, tmp, mode } = tempFor(target, opts);
  try {
    const fd = fs.openSync(tmp, "w", mode);
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (opts.backup && fs.existsSync(target)) fs.copyFileSync(target, `${target}.bak`);
    fs.renameSync(tmp, target);
  } catch (err) {
    dropTemp(tmp);
    throw err;
  }
  fsyncDir(dir);
}

/** Above this size the temp file's data is written on the thread pool too; below, in one quick call. */
const ASYNC_WRITE_BYTES = 256 * 1024;

/** `fs.fsync` as a promise: the disk flush runs on libuv's thread pool. */
function fsyncAsync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fsync(fd, (e) => (e ? reject(e) : resolve())));
}

function writeAsync(fd: number, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => fs.writeFile(fd, data, (e) => (e ? reject(e) : resolve())));
}

/**
 * {@link writeFileAtomicSync} with the waits off the event loop: both fsyncs (and the write of a large
 * file) run on libuv's thread pool, so other work goes on meanwhile. The other steps are single quick
 * system calls made in place: a round trip through the pool for each would cost more than the call.
 * `stillWanted` is asked just before the rename (which is synchronous, so nothing can slip in between):
 * when it says no — a newer version was written while this one was on its way — the temp file is
 * dropped and the target left alone. Resolves `true` when the file was replaced and its directory
 * synced.
 */
export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  opts: AtomicWriteOptions & { stillWanted?: () => boolean } = {},
): Promise<boolean> {
  const { dir, tmp, mode } = tempFor(target, opts);
  try {
    const fd = fs.openSync(tmp, "w", mode);
    try {
      if (data.length > ASYNC_WRITE_BYTES) await writeAsync(fd, data);
      else fs.writeFileSync(fd, data);
      await fsyncAsync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (opts.stillWanted && !opts.stillWanted()) {
      fs.rmSync(tmp, { force: true });
      return false;
    }
    if (opts.backup && fs.existsSync(target)) fs.copyFileSync(target, `${target}.bak`);
    fs.renameSync(tmp, target);
  } catch (err) {
    dropTemp(tmp);
    throw err;
  }
  try {
    const fd = fs.openSync(dir, "r");
    try {
      await fsyncAsync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* some filesystems refuse directory fsync; the rename is still atomic */
  }
  return true;
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* some filesystems refuse directory fsync; the rename is still atomic */
  }
}

/** Our temp files: `.<name>.<pid>.<8 hex>.tmp`; OpenClaw's: `<name>.<uuid>.tmp`. */
const OUR_TEMP = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;
const THEIR_TEMP = /^(.+)\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.tmp$/;

/** True while a process with this pid exists (one we may not signal still exists). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes temp files that a crash left behind in `dir` (not recursive): ours when the writing process
 * is gone, OpenClaw's when older than a minute. Returns the names removed. Never throws.
 */
export function removeStaleTempFiles(dir: string, now = Date.now()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.endsWith(".tmp")) continue;
    const ours = OUR_TEMP.exec(name);
    let stale = false;
    if (ours) stale = Number(ours[2]) === process.pid ? false : !isAlive(Number(ours[2]));
    else if (THEIR_TEMP.test(name)) {
      try {
        stale = now - fs.statSync(path.join(dir, name)).mtimeMs > 60_000;
      } catch {
        stale = false;
      }
    }
    if (!stale) continue;
    try {
      fs.rmSync(path.join(dir, name), { force: true });
      removed.push(name);
    } catch {
      /* leave it; it harms nothing */
    }
  }
  return removed;
}

/** True when `dir` takes a small durable write right now (the file is removed again). */
export function probeWritable(dir: string): boolean {
  const file = path.join(dir, `.write-probe.${process.pid}.00000000.tmp`);
  try {
    const fd = fs.openSync(file, "w", 0o600);
    try {
      fs.writeSync(fd, "ok\n");
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.rmSync(file, { force: true });
    return true;
  } catch {
    try {
      fs.rmSync(file, { force: true });
    } catch {
      /* nothing was created */
    }
    return false;
  }
}
