/**
 * Markdown into overlapping chunks, line-aligned, the way OpenClaw cuts its memory files: a chunk
 * holds about `tokens` tokens (4 characters each), the next one repeats the last `overlap` tokens'
 * worth of lines, and a line longer than a chunk is split into chunk-sized pieces. Line numbers are
 * 1-based, so a result points at `path#Lstart-Lend`.
 */
import crypto from "node:crypto";

export interface Chunk {
  startLine: number;
  endLine: number;
  text: string;
  hash: string;
}

export interface ChunkingSettings {
  tokens: number;
  overlap: number;
}

export function hashText(text: string): string {
  return crypto.createHash("sha256").update(text).digest("hex");
}

export function chunkMarkdown(content: string, chunking: ChunkingSettings): Chunk[] {
  const maxChars = Math.max(32, chunking.tokens * 4);
  const overlapChars = Math.max(0, chunking.overlap * 4);
  const chunks: Chunk[] = [];
  let current: { line: string; lineNo: number }[] = [];
  let currentChars = 0;
  const flush = () => {
    if (current.length === 0) return;
    const text = current.map((e) => e.line).join("\n");
    chunks.push({ startLine: current[0]!.lineNo, endLine: current[current.length - 1]!.lineNo, text, hash: hashText(text) });
  };
  const carryOverlap = () => {
    const kept: typeof current = [];
    let acc = 0;
    for (let i = current.length - 1; i >= 0 && overlapChars > 0; i--) {
      acc += current[i]!.line.length + 1;
      kept.unshift(current[i]!);
      if (acc >= overlapChars) break;
    }
    current = kept;
    currentChars = kept.reduce((sum, e) => sum + e.line.length + 1, 0);
  };
  const lines = content.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const segments: string[] = [];
    if (line.length === 0) segments.push("");
    else for (let start = 0; start < line.length; start += maxChars) segments.push(line.slice(start, start + maxChars));
    for (const segment of segments) {
      if (currentChars + segment.length + 1 > maxChars && current.length > 0) {
        flush();
        carryOverlap();
      }
      current.push({ line: segment, lineNo: i + 1 });
      currentChars += segment.length + 1;
    }
  }
  flush();
  return chunks;
}
