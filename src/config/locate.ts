/**
 * Where each string value sits in a JSON5 text, by structural path: `gateway.auth.token` is at
 * characters 120–154. This lets an edit touch exactly one value and leave every other byte of the
 * file (comments, key order, quoting, blank lines) as the owner wrote it.
 *
 * A small scanner, not a parser: it follows the nesting and the keys and records string values; it
 * gives up (returns null) on text it cannot follow, which the real parser then reports.
 */

export type PathSegment = string | number;

export interface LocatedString {
  path: PathSegment[];
  /** Offsets of the literal, quotes included: `text.slice(start, end)` is `"…"` or `'…'`. */
  start: number;
  end: number;
  value: string;
}

type Frame = { kind: "object"; key: string | null; expectKey: boolean } | { kind: "array"; index: number };

const ESCAPES: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", 0: "\0" };

/** The value of the string literal at `text[start]` (a quote) and the offset just past it, or null. */
function readString(text: string, start: number): { value: string; end: number } | null {
  const quote = text[start];
  let out = "";
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === quote) return { value: out, end: i + 1 };
    if (c === "\n") return null;
    if (c !== "\\") {
      out += c;
      i++;
      continue;
    }
    const e = text[i + 1];
    if (e === undefined) return null;
    if (e === "\r" && text[i + 2] === "\n")
      i += 3; // line continuation
    else if (e === "\n" || e === "\r" || e === "\u2028" || e === "\u2029") i += 2;
    else if (e === "x") {
      out += String.fromCharCode(parseInt(text.slice(i + 2, i + 4), 16));
      i += 4;
    } else if (e === "u") {
      out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
      i += 6;
    } else {
      out += ESCAPES[e] ?? e;
      i += 2;
    }
  }
  return null;
}

const isIdentChar = (c: string) => /[A-Za-z0-9_$\\]/.test(c) || c > "\u007f";

/** Every string value in `text` with its path, or null when the text cannot be followed. */
export function locateStrings(text: string): LocatedString[] | null {
  const out: LocatedString[] = [];
  const stack: Frame[] = [];
  const path = (): PathSegment[] => stack.map((f) => (f.kind === "object" ? (f.key ?? "") : f.index));
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === "/" && text[i + 1] === "/") {
      const nl = text.indexOf("\n", i);
      i = nl === -1 ? n : nl + 1;
      continue;
    }
    if (c === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      if (close === -1) return null;
      i = close + 2;
      continue;
    }
    if (/\s/.test(c) || c === "\uFEFF") {
      i++;
      continue;
    }
    const top = stack[stack.length - 1];
    if (c === "{" || c === "[") {
      stack.push(c === "{" ? { kind: "object", key: null, expectKey: true } : { kind: "array", index: 0 });
      i++;
      continue;
    }
    if (c === "}" || c === "]") {
      if (!top || (c === "}") !== (top.kind === "object")) return null;
      stack.pop();
      i++;
      continue;
    }
    if (c === ":") {
      if (top?.kind !== "object" || top.key === null) return null;
      top.expectKey = false;
      i++;
      continue;
    }
    if (c === ",") {
      if (!top) return null;
      if (top.kind === "object") {
        top.expectKey = true;
        top.key = null;
      } else top.index++;
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const s = readString(text, i);
      if (!s) return null;
      if (top?.kind === "object" && top.expectKey) top.key = s.value;
      else out.push({ path: path(), start: i, end: s.end, value: s.value });
      i = s.end;
      continue;
    }
    // An unquoted key, a number, or a literal (true, false, null, Infinity, NaN).
    let j = i;
    if (c === "+" || c === "-" || c === ".") j++;
    while (j < n && (isIdentChar(text[j]!) || text[j] === "." || ((text[j] === "+" || text[j] === "-") && /[eE]/.test(text[j - 1]!)))) j++;
    if (j === i) return null;
    if (top?.kind === "object" && top.expectKey)
      top.key = text.slice(i, j).replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    i = j;
  }
  return stack.length === 0 ? out : null;
}

export function samePath(a: readonly PathSegment[], b: readonly PathSegment[]): boolean {
  return a.length === b.length && a.every((s, i) => String(s) === String(b[i]));
}
