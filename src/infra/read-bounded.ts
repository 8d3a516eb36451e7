/**
 * Reading a file whole, but never more than a bound: the size is checked on the open descriptor and
 * the reading stops one byte past the bound, since what a file reports as its size is not always
 * what reading it gives (`/dev/zero` reports 0 bytes and never ends, `/proc` files report 0, a file
 * being written grows while it is read).
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

/** The bytes of `file`, at most `max` of them; a {@link FileTooLargeError} when there are more. */
export function readBoundedSync(file: string, max: number): Buffer {
  const fd = fs.openSync(file, "r");
  try {
    const size = fs.fstatSync(fd).size;
    if (size > max) throw new FileTooLargeError(size, max);
    // Room for one byte past the bound, which tells a file that goes on apart. Pages of the buffer
    // that are never written take no memory.
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
