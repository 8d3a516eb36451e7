/**
 * One gateway per state directory. The lock file `$STATE_DIR/gateway.<hash>.lock` records the owner's
 * pid and its kernel start time, so a lock left by a crashed process, or by a pid that has since been
 * reused by something else (common in containers, where the gateway is often pid 1 or 7), is reclaimed
 * without anyone having to delete it by hand.
 */
import fs from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import { isAlive } from "../infra/atomic.js";
import { readStateFileSync } from "../infra/read-bounded.js";

export interface LockInfo {
  pid: number;
  createdAt: string;
  configPath: string;
  /** Process start time in clock ticks since boot (Linux `/proc/<pid>/stat` field 22). */
  startTime?: number;
}

export class GatewayLockError extends Error {
  readonly code = "GATEWAY_LOCKED";
  constructor(
    message: string,
    readonly ownerPid?: number,
  ) {
    super(message);
    this.name = "GatewayLockError";
  }
}

export function lockPathFor(stateDir: string, configPath: string): string {
  const hash = createHash("sha1").update(configPath).digest("hex").slice(0, 8);
  return path.join(stateDir, `gateway.${hash}.lock`);
}

/** Start time of `pid` from /proc, or null where /proc is unavailable. */
export function processStartTime(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 2 (comm) may contain spaces and parentheses: count fields after its closing paren.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const v = Number.parseInt(rest[19] ?? "", 10); // field 22 overall
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

/** A lock file holds a pid, a start time and a path. */
export const MAX_LOCK_BYTES = 64 * 1024;

function readLock(file: string): LockInfo | null {
  try {
    const parsed = JSON.parse(readStateFileSync(file, MAX_LOCK_BYTES)) as Partial<LockInfo>;
    return typeof parsed.pid === "number" ? (parsed as LockInfo) : null;
  } catch {
    return null;
  }
}

/** True when the lock's owner is still the same live process that wrote it. */
export function lockOwnerAlive(info: LockInfo): boolean {
  if (info.pid === process.pid) return false; // our own pid: a previous life of this container
  if (!isAlive(info.pid)) return false;
  if (info.startTime === undefined) return true;
  const now = processStartTime(info.pid);
  return now === null || now === info.startTime;
}

export interface GatewayLock {
  path: string;
  release(): void;
}

/**
 * Takes the lock or throws `GatewayLockError("gateway already running (pid N)")`. Creation is
 * exclusive (O_EXCL), so two gateways starting at the same instant cannot both win.
 */
export function acquireGatewayLock(stateDir: string, configPath: string): GatewayLock {
  fs.mkdirSync(stateDir, { recursive: true });
  const file = lockPathFor(stateDir, configPath);
  const info: LockInfo = {
    pid: process.pid,
    createdAt: new Date().toISOString(),
    configPath,
    startTime: processStartTime(process.pid) ?? undefined,
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, "wx", 0o600);
      // No fsync: exclusion comes from O_EXCL in the kernel, and the lock only matters while its
      // owner runs; one torn by a power cut reads as unreadable and is taken over as stale.
      fs.writeSync(fd, JSON.stringify(info) + "\n");
      fs.closeSync(fd);
      let released = false;
      return {
        path: file,
        release() {
          if (released) return;
          released = true;
          const cur = readLock(file);
          if (cur?.pid === process.pid) fs.rmSync(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const owner = readLock(file);
    if (owner && lockOwnerAlive(owner)) {
      throw new GatewayLockError(`gateway already running (pid ${owner.pid}); lock: ${file}`, owner.pid);
    }
    if (!owner) {
      // Unreadable: maybe another gateway is between create and write. Give it a moment.
      const age = Date.now() - (fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0);
      if (age < 2000 && attempt < 2) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
        continue;
      }
    }
    // Stale: its owner is gone. Remove it only if it is still the same stale lock we just judged.
    const again = readLock(file);
    if (JSON.stringify(again) === JSON.stringify(owner)) fs.rmSync(file, { force: true });
  }
  throw new GatewayLockError(`could not take the gateway lock ${file}`);
}
