/**
 * Markdown as the agent writes it → Signal's plain text plus style ranges (`start:length:STYLE`, the
 * form signal-cli's `text-style` takes; offsets in UTF-16 units, as JS strings count). Bold, italic,
 * strikethrough, spoiler (`||x||`) and code (inline or fenced, as MONOSPACE) become styles; headings
 * become bold lines; links read `label (url)`. Markers that do not close stay as written.
 */
import { byCodeUnits } from "../../infra/compare.js";

export type SignalStyleName = "BOLD" | "ITALIC" | "STRIKETHROUGH" | "MONOSPACE" | "SPOILER";

export interface SignalStyle {
  start: number;
  length: number;
  style: SignalStyleName;
}

export interface SignalText {
  text: string;
  styles: SignalStyle[];
}

const PAIRS: Array<[string, SignalStyleName]> = [
  ["**", "BOLD"],
  ["__", "BOLD"],
  ["~~", "STRIKETHROUGH"],
  ["||", "SPOILER"],
  ["*", "ITALIC"],
  ["_", "ITALIC"],
];

const FENCE = /^\s*(```+|~~~+)/;

export function markdownToSignal(markdown: string): SignalText {
  const out: SignalText = { text: "", styles: [] };
  const lines = markdown.replace(/\r\n/g, "\n").split("\n");
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (i > 0) out.text += "\n";
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1]!;
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.trim().startsWith(marker)) body.push(lines[i++]!);
      i++; // the closing fence (or the end)
      const code = body.join("\n");
      if (code) {
        out.styles.push({ start: out.text.length, length: code.length, style: "MONOSPACE" });
        out.text += code;
      }
      continue;
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      const inner = inline(heading[1]!.replace(/\s+#+\s*$/, ""));
      append(out, inner);
      if (inner.text) out.styles.push({ start: out.text.length - inner.text.length, length: inner.text.length, style: "BOLD" });
    } else {
      append(out, inline(line));
    }
    i++;
  }
  out.styles = merge(out.styles.filter((s) => s.length > 0));
  return out;
}

/** The ranges as signal-cli's `text-style` parameter takes them. */
export function textStyleParam(styles: SignalStyle[]): string[] {
  return styles.map((s) => `${s.start}:${s.length}:${s.style}`);
}

function append(out: SignalText, part: SignalText): void {
  const base = out.text.length;
  out.text += part.text;
  for (const s of part.styles) out.styles.push({ ...s, start: s.start + base });
}

function inline(src: string): SignalText {
  const out: SignalText = { text: "", styles: [] };
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === "\\" && i + 1 < src.length && /[\\`*_~|[\]()#]/.test(src[i + 1]!)) {
      out.text += src[i + 1];
      i += 2;
      continue;
    }
    if (c === "`") {
      const end = src.indexOf("`", i + 1);
      if (end > i + 1) {
        const code = src.slice(i + 1, end);
        out.styles.push({ start: out.text.length, length: code.length, style: "MONOSPACE" });
        out.text += code;
        i = end + 1;
        continue;
      }
    }
    if (c === "[") {
      const link = /^\[([^\]]+)\]\(([^)\s]+)\)/.exec(src.slice(i));
      if (link) {
        const label = inline(link[1]!);
        append(out, label);
        if (label.text !== link[2]) out.text += ` (${link[2]})`;
        i += link[0].length;
        continue;
      }
    }
    const pair = PAIRS.find(([m]) => src.startsWith(m, i));
    if (pair) {
      const [marker, style] = pair;
      const end = closing(src, i, marker);
      if (end > 0) {
        const inner = inline(src.slice(i + marker.length, end));
        const start = out.text.length;
        append(out, inner);
        out.styles.push({ start, length: inner.text.length, style });
        i = end + marker.length;
        continue;
      }
    }
    out.text += c;
    i++;
  }
  return out;
}

/** Where `marker` opened at `at` closes, or -1. Single `*`/`_` must hug their text; `_` must sit at word edges. */
function closing(src: string, at: number, marker: string): number {
  const from = at + marker.length;
  if (from >= src.length || /\s/.test(src[from]!)) return -1;
  const single = marker.length === 1;
  if (marker === "_" && at > 0 && /[\p{L}\p{N}]/u.test(src[at - 1]!)) return -1;
  let j = from;
  for (;;) {
    j = src.indexOf(marker, j + (j === from ? 1 : 0));
    if (j < 0) return -1;
    if (single && src[j + 1] === marker) {
      j += 2;
      continue;
    }
    if (/\s/.test(src[j - 1]!)) {
      j += 1;
      continue;
    }
    if (marker === "_" && j + 1 < src.length && /[\p{L}\p{N}]/u.test(src[j + 1]!)) {
      j += 1;
      continue;
    }
    return j;
  }
}

/** Overlapping or touching ranges of one style become one. */
function merge(styles: SignalStyle[]): SignalStyle[] {
  const sorted = [...styles].sort((a, b) => a.start - b.start || a.length - b.length || byCodeUnits(a.style, b.style));
  const out: SignalStyle[] = [];
  for (const s of sorted) {
    const prev = [...out].reverse().find((p) => p.style === s.style);
    if (prev && s.start <= prev.start + prev.length) {
      prev.length = Math.max(prev.start + prev.length, s.start + s.length) - prev.start;
      continue;
    }
    out.push({ ...s });
  }
  return out.sort((a, b) => a.start - b.start || byCodeUnits(a.style, b.style));
}
