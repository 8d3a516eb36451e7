/**
 * Reading a file whole, but never more than a bound: the size is checked on the open descriptor and
 * the reading stops one byte past the bound, since what a file reports as its size is not always
 * what reading it gives (`/dev/zero` and `/dev/urandom` report 0 bytes and never end, `/proc` files
 * report 0, a file being written grows while it is read).
 */
import fs from "node:fs";

/** A file over the bound: `size` is what it reported, or undefined when reading it went past the bound. */
export class FileTooLargeError extends Error {
  constructor(
    readonly size: number | undefined,
    readonly max: number,
  ) {
    super(size === undefined ? `more than ${max} bytes` : `${size} bytes, more than ${max}`);
    this.name = "FileTooLargeError";
  }
}

/**
 * A state file that is not a regular file: a device, a FIFO or a socket, where a symlink in the state
 * directory can lead (`/dev/zero` never ends, a FIFO blocks until someone writes to it).
 */
export class NotRegularFileError extends Error {
  readonly code = "ENOTREG";
  constructor() {
    super("not a regular file");
    this.name = "NotRegularFileError";
  }
}

export interface ReadOptions {
  /**
   * Refuse anything but a regular file ({@link NotRegularFileError}) before reading a byte. The file is
   * opened without blocking, so a FIFO is refused rather than waited on.
   */
  regularOnly?: boolean;
}

const openFlags = (opts: ReadOptions): string | number => (opts.regularOnly ? fs.constants.O_RDONLY | fs.constants.O_NONBLOCK : "r");

/**
 * Where reading starts. A regular file of known size is read whole in one call (a short read there
 * means its end), into room for one byte more than its size, so that a file that has grown reads on.
 * Otherwise there is room for the bound at once: the pages of a buffer that are never written take no
 * memory.
 */
function firstBuffer(st: fs.Stats, max: number, opts: ReadOptions): { buf: Buffer; known: boolean } {
  if (opts.regularOnly && !st.isFile()) throw new NotRegularFileError();
  if (st.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
  if (st.size > max) throw new FileTooLargeError(st.size, max);
  const known = st.isFile() && st.size > 0;
  return { buf: Buffer.allocUnsafe(known ? st.size + 1 : max + 1), known };
}

/** After a read into `buf` (now `length` bytes): done, or the buffer to read on into. */
function readOn(buf: Buffer, length: number, bytesRead: number, known: boolean, size: number, max: number): Buffer | null {
  if (length > max) throw new FileTooLargeError(undefined, max);
  if (bytesRead === 0 || (known && length <= size)) return null;
  if (length < buf.length) return buf;
  const room = Buffer.allocUnsafe(max + 1);
  buf.copy(room, 0, 0, length);
  return room;
}

/**
 * The bytes of `file`, at most `max` of them: a {@link FileTooLargeError} when there are more, an
 * `EISDIR` error for a directory. Off the event loop, in as few steps as it can (open, stat, one read
 * for a file whose size holds, close).
 */
export async function readFileBounded(file: string, max: number, opts: ReadOptions = {}): Promise<Buffer> {
  const fh = await fs.promises.open(file, openFlags(opts));
  try {
    const st = await fh.stat();
    const { known, buf: first } = firstBuffer(st, max, opts);
    let buf = first;
    let length = 0;
    for (let next: Buffer | null = buf; next;) {
      buf = next;
      const { bytesRead } = await fh.read(buf, length, buf.length - length, null);
      length += bytesRead;
      next = readOn(buf, length, bytesRead, known, st.size, max);
    }
    return buf.subarray(0, length);
  } finally {
    await fh.close();
  }
}

/** {@link readFileBounded}, blocking (for files read while loading, such as the config). */
export function readFileBoundedSync(file: string, max: number, opts: ReadOptions = {}): Buffer {
  const fd = fs.openSync(file, openFlags(opts));
  try {
    const st = fs.fstatSync(fd);
    const { known, buf: first } = firstBuffer(st, max, opts);
    let buf = first;
    let length = 0;
    for (let next: Buffer | null = buf; next;) {
      buf = next;
      const bytesRead = fs.readSync(fd, buf, length, buf.length - length, null);
      length += bytesRead;
      next = readOn(buf, length, bytesRead, known, st.size, max);
    }
    return buf.subarray(0, length);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The text of a file that is only ever a regular file: the gateway's state files (session index,
 * pairing, devices, credentials, preferences) and the workspace files it reads whole (a SKILL.md, a
 * memory note). Anything else ({@link NotRegularFileError}) or more
 * than `max` bytes ({@link FileTooLargeError}) is never read; a missing file is the usual `ENOENT`.
 */
export function readStateFileSync(file: string, max: number): string {
  return readFileBoundedSync(file, max, { regularOnly: true }).toString("utf8");
}
