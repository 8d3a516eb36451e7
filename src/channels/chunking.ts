/**
 * Splitting long replies for platforms with a message size limit. Splits prefer paragraph breaks,
 * then line breaks, then spaces; a split inside a fenced code block closes the fence at the end of
 * one chunk and reopens it (same language) at the start of the next, so code never renders broken.
 */
import { stageClock, stageSince } from "../infra/stages.js";

export type ChunkMode = "length" | "newline";

interface Options {
  /** Maximum characters per chunk (the platform limit). */
  limit: number;
  /** `newline` starts a new message at every paragraph break even when it would fit. */
  mode?: ChunkMode;
  /** Also split when a chunk has more lines than this (for platforms that fold tall messages). */
  maxLines?: number;
}

const FENCE = /^(\s*)(```+|~~~+)(.*)$/;

export function chunkText(text: string, opts: Options): string[] {
  const start = stageClock();
  const chunks = chunkAll(text, opts);
  stageSince("chunking", start);
  return chunks;
}

function chunkAll(text: string, opts: Options): string[] {
  const limit = Math.max(20, opts.limit);
  const paragraphs = opts.mode === "newline" ? text.split(/\n{2,}/) : [text];
  const out: string[] = [];
  for (const p of paragraphs) {
    if (!p.trim()) continue;
    out.push(...chunkOne(p, limit, opts.maxLines));
  }
  return out.length ? out : text.trim() ? [text.slice(0, limit)] : [];
}

function chunkOne(text: string, limit: number, maxLines?: number): string[] {
  const lines = text.split("\n");
  const chunks: string[] = [];
  let cur: string[] = [];
  let curLen = 0;
  let fence: { marker: string; info: string } | null = null; // open fence at the end of `cur`

  const closing = () => (fence ? `\n${fence.marker}` : "");
  const flush = () => {
    if (cur.length === 0) return;
    chunks.push(cur.join("\n") + closing());
    cur = fence ? [`${fence.marker}${fence.info}`] : [];
    curLen = cur.length ? cur[0]!.length : 0;
  };
  const room = () => limit - curLen - (cur.length ? 1 : 0) - closing().length;

  for (let line of lines) {
    // A single line longer than a chunk: cut it at spaces (or hard) into pieces.
    while (line.length > 0) {
      const tooManyLines = maxLines !== undefined && cur.length >= maxLines;
      if (tooManyLines || (line.length > room() && cur.length > (fence ? 1 : 0))) {
        flush();
        continue;
      }
      if (line.length <= room()) {
        cur.push(line);
        curLen += line.length + (cur.length > 1 ? 1 : 0);
        const m = FENCE.exec(line);
        if (m) fence = fence ? null : { marker: m[2]!, info: m[3]!.trim() };
        line = "";
        break;
      }
      const r = Math.max(1, room());
      let cut = line.lastIndexOf(" ", r);
      if (cut < r * 0.5) cut = r;
      cur.push(line.slice(0, cut));
      curLen += cut + (cur.length > 1 ? 1 : 0);
      line = line.slice(cut).replace(/^ /, "");
      flush();
    }
  }
  flush();
  return dropEmpty(chunks);
}

/** Drops chunks left empty, or holding only a reopened-and-closed fence. */
function dropEmpty(chunks: string[]): string[] {
  return chunks.filter((c) => c.trim().length > 0 && !/^(```+|~~~+)[^\n]*\n(```+|~~~+)$/.test(c.trim()));
}
