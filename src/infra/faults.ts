/**
 * Things that are wrong right now and that an operator should see: a state file that cannot be
 * written (full disk, read-only volume), and so on. Parts of the gateway report a fault when it starts
 * and clear it when it heals; `/readyz` is not ready while any is open, and names them.
 */
export interface Fault {
  /** Stable id of what is failing, e.g. `write:/data/agents/main/sessions/sessions.json`. */
  id: string;
  message: string;
  since: number;
}

export class FaultBoard {
  private readonly open = new Map<string, Fault>();
  constructor(private readonly now: () => number = Date.now) {}

  /** Opens (or updates) a fault. Returns true when it is new. */
  set(id: string, message: string): boolean {
    const cur = this.open.get(id);
    this.open.set(id, { id, message, since: cur?.since ?? this.now() });
    return !cur;
  }

  /** Closes a fault. Returns true when it was open. */
  clear(id: string): boolean {
    return this.open.delete(id);
  }

  list(): Fault[] {
    return [...this.open.values()];
  }

  get size(): number {
    return this.open.size;
  }
}

/** A person-readable reason for a failed write: `no space left on device (ENOSPC)`. */
export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const plain: Record<string, string> = {
    ENOSPC: "no space left on device",
    EROFS: "read-only file system",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EDQUOT: "disk quota exceeded",
    EMFILE: "too many open files",
    ENFILE: "too many open files in the system",
    EIO: "input/output error",
  };
  if (err?.code && plain[err.code]) return `${plain[err.code]} (${err.code})`;
  return err?.message ?? String(e);
}

const FS_CODES = new Set(["ENOSPC", "EROFS", "EACCES", "EPERM", "EDQUOT", "EMFILE", "ENFILE", "EIO"]);

/** True for a file-system failure that is the environment's fault (full disk, read-only volume, ...). */
export function isStorageFailure(e: unknown): boolean {
  return e instanceof StorageError || FS_CODES.has((e as NodeJS.ErrnoException)?.code ?? "");
}

/** A state write that failed; the message names the file and the reason in plain words. */
export class StorageError extends Error {
  readonly code: string;
  constructor(
    readonly file: string,
    cause: unknown,
    what = "write",
  ) {
    super(`cannot ${what} ${file}: ${describeFsError(cause)}`);
    this.name = "StorageError";
    this.code = (cause as NodeJS.ErrnoException)?.code ?? "EIO";
  }
}
