/**
 * `logs.tail`: reads the JSON log file from a byte cursor. The first call (no cursor) returns the last
 * `maxBytes`; later calls pass the returned cursor and get only what was appended. When the file was
 * rotated or truncated, `reset: true` tells the client to start over.
 */
import fs from "node:fs";
import * as z from "zod";
import { defineMethod } from "../context.js";
import { MethodError, ErrorCodes } from "../protocol/frames.js";

const params = () =>
  z
    .strictObject({
      cursor: z.number().int().min(0).optional(),
      limit: z.number().int().min(1).max(5000).optional(),
      maxBytes: z.number().int().min(1).max(1_000_000).optional(),
    })
    .optional();

export function tailFile(file: string, opts: { cursor?: number; limit?: number; maxBytes?: number }) {
  const limit = opts.limit ?? 500;
  const maxBytes = opts.maxBytes ?? 250_000;
  let size = 0;
  try {
    size = fs.statSync(file).size;
  } catch {
    return { file, cursor: 0, size: 0, lines: [] as string[], truncated: false, reset: false };
  }
  let start: number;
  let reset = false;
  if (opts.cursor === undefined) start = Math.max(0, size - maxBytes);
  else if (opts.cursor > size) {
    reset = true;
    start = Math.max(0, size - maxBytes);
  } else start = opts.cursor;
  let truncated = false;
  if (size - start > maxBytes) {
    start = size - maxBytes;
    truncated = true;
  }
  const len = size - start;
  const buf = Buffer.alloc(len);
  const fd = fs.openSync(file, "r");
  try {
    fs.readSync(fd, buf, 0, len, start);
  } finally {
    fs.closeSync(fd);
  }
  // Drop a partial first line when we jumped into the middle of the file; stop at the last full line.
  const jumped = start > 0 && (opts.cursor === undefined || truncated || reset);
  const nl = buf.indexOf(10);
  const skip = jumped ? (nl >= 0 ? nl + 1 : len) : 0;
  const lastNl = buf.lastIndexOf(10);
  const hasLines = lastNl >= skip;
  let lines = hasLines ? buf.subarray(skip, lastNl).toString("utf8").split("\n") : [];
  // As OpenClaw: `truncated` means the file held more than `maxBytes`; `limit` only trims lines.
  if (lines.length > limit) lines = lines.slice(-limit);
  const cursor = start + (hasLines ? lastNl + 1 : skip);
  return { file, cursor, size, lines, truncated, reset };
}

export const logsMethods = {
  "logs.tail": defineMethod({
    scope: "operator.read",
    params,
    handler: (p, ctx) => {
      const file = ctx.logs.currentFile();
      if (!file) throw new MethodError(ErrorCodes.UNAVAILABLE, "file logging is off (logging.level is silent)");
      return tailFile(file, p ?? {});
    },
  }),
};
