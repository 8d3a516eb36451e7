/**
 * `read`: a file's text, a window of lines at a time. One call returns at most READ_MAX_LINES lines
 * or READ_MAX_BYTES bytes, whichever comes first, and says which `offset` continues from there.
 */
import * as z from "zod";
import { defineTool, type ToolResult } from "../registry.js";
import { arg, displayPath, fail, formatSize, fsFailure, readBounded, resolvePath, withAliases } from "./files.js";

export const READ_MAX_LINES = 2000;
export const READ_MAX_BYTES = 50 * 1024;

/** The image formats `read` recognizes, by their first bytes. */
function imageType(head: Buffer): string | undefined {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "image/jpeg";
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "image/png";
  if (head.length >= 6 && /^GIF8[79]a$/.test(head.subarray(0, 6).toString("latin1"))) return "image/gif";
  if (head.length >= 12 && head.subarray(0, 4).toString("latin1") === "RIFF" && head.subarray(8, 12).toString("latin1") === "WEBP") {
    return "image/webp";
  }
  return undefined;
}

/** Lines `from` (0-based) onwards, cut to the line and byte bounds; whole lines only. */
function window(lines: string[], from: number, limit: number | undefined) {
  const end = Math.min(lines.length, limit === undefined ? lines.length : from + limit);
  const out: string[] = [];
  let bytes = 0;
  let by: "lines" | "bytes" | undefined;
  for (let i = from; i < end; i++) {
    if (out.length >= READ_MAX_LINES) {
      by = "lines";
      break;
    }
    const size = Buffer.byteLength(lines[i]!, "utf8") + (out.length ? 1 : 0);
    if (bytes + size > READ_MAX_BYTES) {
      by = "bytes";
      break;
    }
    out.push(lines[i]!);
    bytes += size;
  }
  return { out, end, by };
}

export const readTool = defineTool({
  name: "read",
  description:
    `Read a file's contents. Text output stops at ${READ_MAX_LINES} lines or ${READ_MAX_BYTES / 1024} KB, whichever comes first; ` +
    "use offset and limit to read a large file in parts. Relative paths start at the workspace.",
  args: () =>
    withAliases(
      ["path"],
      { path: "Path of the file to read (relative to the workspace, or absolute)" },
      {
        offset: z.number().int().min(1).optional().describe("Line number to start at (1 = first line)"),
        limit: z.number().int().min(1).optional().describe("Most lines to return"),
      },
    ),
  async run(args, ctx): Promise<ToolResult> {
    const given = arg(args, "path");
    const file = resolvePath(given, ctx.workspaceDir);
    const shown = displayPath(file, ctx.workspaceDir);
    let buf: Buffer;
    try {
      buf = await readBounded(file);
    } catch (err) {
      return fsFailure("read", shown, err);
    }
    const image = imageType(buf.subarray(0, 16));
    if (image) {
      return {
        text:
          `${shown} is an image [${image}, ${formatSize(buf.length)}]. ` +
          "Images cannot be returned from a tool here yet, so its pixels are not shown; describe what you need from it another way.",
        details: { image: { mimeType: image, bytes: buf.length } },
      };
    }
    const lines = buf.toString("utf8").split("\n");
    const from = (args.offset ?? 1) - 1;
    if (from >= lines.length) {
      return fail(
        `Offset ${args.offset} is past the end of ${shown}, which has ${lines.length} lines. Use an offset from 1 to ${lines.length}.`,
      );
    }
    const { out, end, by } = window(lines, from, args.limit);
    const first = from + 1;
    if (!out.length && by === "bytes") {
      const size = formatSize(Buffer.byteLength(lines[from]!, "utf8"));
      return fail(
        `Line ${first} of ${shown} is ${size}, more than the ${READ_MAX_BYTES / 1024} KB one read returns, so it cannot be shown.`,
      );
    }
    const last = from + out.length;
    let text = out.join("\n");
    if (by) {
      const bound = by === "lines" ? `${READ_MAX_LINES} lines` : `${READ_MAX_BYTES / 1024} KB`;
      text += `\n\n[Lines ${first}-${last} of ${lines.length} shown (one read returns at most ${bound}). Continue with offset=${last + 1}.]`;
    } else if (end < lines.length) {
      text += `\n\n[${lines.length - end} more lines in the file. Continue with offset=${end + 1}.]`;
    }
    return { text, ...(by ? { details: { truncated: by, shownLines: [first, last], totalLines: lines.length } } : {}) };
  },
});
