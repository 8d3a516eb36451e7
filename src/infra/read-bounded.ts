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
 * The bytes of `file`, at most `max` of them: a {@link FileTooLargeError} when there are more, an
 * `EISDIR` error for a directory. Off the event loop, in as few steps as it can (open, stat, one read
 * for a file whose size holds, close).
 */
export async function readFileBounded(file: string, max: number): Promise<Buffer> {
  const fh = await fs.promises.open(file, "r");
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    if (st.size > max) throw new FileTooLargeError(st.size, max);
    // A regular file of known size is read whole in one call: a short read there means its end. One
    // byte more than its size is asked for, so that a file that has grown reads on. Otherwise there is
    // room for the bound at once: the pages of a buffer that are never written take no memory.
    const known = st.isFile() && st.size > 0;
    let buf = Buffer.allocUnsafe(known ? st.size + 1 : max + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, length, buf.length - length, null);
      length += bytesRead;
      if (length > max) throw new FileTooLargeError(undefined, max);
      if (bytesRead === 0 || (known && length <= st.size)) break;
      if (length === buf.length) {
        const room = Buffer.allocUnsafe(max + 1);
        buf.copy(room, 0, 0, length);
        buf = room;
      }
    }
    return buf.subarray(0, length);
  } finally {
    await fh.close();
  }
}

/** {@link readFileBounded}, blocking (for files read while loading, such as the config). */
export function readFileBoundedSync(file: string, max: number): Buffer {
  const fd = fs.openSync(file, "r");
  try {
    const size = fs.fstatSync(fd).size;
    if (size > max) throw new FileTooLargeError(size, max);
    const buf = Buffer.allocUnsafe(max + 1);
    let length = 0;
    while (length < buf.length) {
      const n = fs.readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > max) throw new FileTooLargeError(undefined, max);
    return buf.subarray(0, length);
  } finally {
    fs.closeSync(fd);
  }
}
