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

export function writeFileAtomicSync(target: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  const dir = path.dirname(target);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  let mode = opts.mode ?? 0o600;
  try {
    mode = fs.statSync(target).mode & 0o777;
  } catch {
    /* new file */
  }
  const fd = fs.openSync(tmp, "w", mode);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    if (opts.backup && fs.existsSync(target)) fs.copyFileSync(target, `${target}.bak`);
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(dir);
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
