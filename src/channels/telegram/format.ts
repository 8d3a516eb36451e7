/**
 * Markdown as LLMs write it → the HTML subset Telegram accepts (`parse_mode: "HTML"`).
 *
 * Telegram renders only inline styles (b, i, s, code, a) plus `pre` and `blockquote`, so block
 * structure is flattened: headings become bold lines, list items keep a bullet or their number, rules
 * become a line. Everything that is not markup is escaped (`&`, `<`, `>`), so raw HTML in a reply shows
 * as text. Inline parsing is recursive and every tag it opens is closed in the same call, so the output
 * is always well nested; an unmatched `*` or `_` is kept as a literal character.
 */

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function escapeAttr(text: string): string {
  return escapeHtml(text).replace(/"/g, "&quot;");
}

const FENCE_OPEN = /^\s{0,3}(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/;

/** Converts one chunk of Markdown. Chunk first (see `chunkText`), then convert, so fences stay balanced. */
export function markdownToTelegramHtml(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  let quote: string[] = [];
  const flushQuote = () => {
    if (quote.length) out.push(`<blockquote>${quote.join("\n")}</blockquote>`);
    quote = [];
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;

    const fence = FENCE_OPEN.exec(line);
    if (fence) {
      flushQuote();
      const marker = fence[1]!;
      const lang = fence[2]!;
      const body: string[] = [];
      let j = i + 1;
      for (; j < lines.length; j++) {
        const l = lines[j]!;
        if (l.trim().startsWith(marker[0]!.repeat(marker.length)) && /^\s{0,3}(`{3,}|~{3,})\s*$/.test(l)) break;
        body.push(l);
      }
      const code = escapeHtml(body.join("\n"));
      out.push(lang ? `<pre><code class="language-${escapeAttr(lang)}">${code}</code></pre>` : `<pre>${code}</pre>`);
      i = j; // skip the closing fence (or run to the end when it is missing)
      continue;
    }

    const q = /^\s{0,3}>\s?(.*)$/.exec(line);
    if (q) {
      quote.push(inline(q[1]!));
      continue;
    }
    flushQuote();

    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      out.push(`<b>${inline(heading[1]!)}</b>`);
      continue;
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      out.push("──────────");
      continue;
    }
    const bullet = /^(\s*)[-*+]\s+(\[[ xX]\]\s+)?(.*)$/.exec(line);
    if (bullet) {
      const box = bullet[2] ? (/\[[xX]\]/.test(bullet[2]) ? "☑ " : "☐ ") : "";
      out.push(`${bullet[1]}• ${box}${inline(bullet[3]!)}`);
      continue;
    }
    const numbered = /^(\s*)(\d{1,9})[.)]\s+(.*)$/.exec(line);
    if (numbered) {
      out.push(`${numbered[1]}${numbered[2]}. ${inline(numbered[3]!)}`);
      continue;
    }
    out.push(inline(line));
  }
  flushQuote();
  return out.join("\n");
}

interface Delim {
  marker: string;
  open: string;
  close: string;
}

// Longest first, so `***` wins over `**` and `**` over `*`.
const DELIMS: Delim[] = [
  { marker: "***", open: "<b><i>", close: "</i></b>" },
  { marker: "___", open: "<b><i>", close: "</i></b>" },
  { marker: "**", open: "<b>", close: "</b>" },
  { marker: "__", open: "<b>", close: "</b>" },
  { marker: "~~", open: "<s>", close: "</s>" },
  { marker: "*", open: "<i>", close: "</i>" },
  { marker: "_", open: "<i>", close: "</i>" },
];

const LINK = /^\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^\s()<>]+(?:\([^\s()]*\)[^\s()<>]*)*)>?(?:\s+"[^"]*")?\s*\)/;
const AUTOLINK = /^<((?:https?|mailto|tg):[^\s<>]+)>/i;
const SAFE_URL = /^(https?:|mailto:|tg:)/i;

const isWord = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}_]/u.test(c);
const isSpace = (c: string | undefined) => c === undefined || /\s/.test(c);

/** Inline Markdown (one line) → Telegram HTML. */
export function inline(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;

    if (c === "\\" && i + 1 < text.length && /[\\`*_{}\[\]()#+\-.!~|>]/.test(text[i + 1]!)) {
      out += escapeHtml(text[i + 1]!);
      i += 2;
      continue;
    }

    if (c === "`") {
      const run = /^`+/.exec(text.slice(i))![0];
      const end = text.indexOf(run, i + run.length);
      if (end > i) {
        let code = text.slice(i + run.length, end);
        if (run.length > 1 && code.startsWith(" ") && code.endsWith(" ") && code.trim()) code = code.slice(1, -1);
        out += `<code>${escapeHtml(code)}</code>`;
        i = end + run.length;
        continue;
      }
      out += escapeHtml(run);
      i += run.length;
      continue;
    }

    if (c === "[") {
      const m = LINK.exec(text.slice(i));
      if (m && SAFE_URL.test(m[2]!)) {
        out += `<a href="${escapeAttr(m[2]!)}">${inline(m[1]!)}</a>`;
        i += m[0].length;
        continue;
      }
    }

    if (c === "<") {
      const m = AUTOLINK.exec(text.slice(i));
      if (m) {
        out += `<a href="${escapeAttr(m[1]!)}">${escapeHtml(m[1]!)}</a>`;
        i += m[0].length;
        continue;
      }
    }

    if (c === "*" || c === "_" || c === "~") {
      const span = matchDelimited(text, i);
      if (span) {
        out += span.delim.open + inline(span.inner) + span.delim.close;
        i = span.end;
        continue;
      }
      // An unmatched run is literal text.
      const run = /^([*_~])\1*/.exec(text.slice(i))![0];
      out += escapeHtml(run);
      i += run.length;
      continue;
    }

    out += escapeHtml(c);
    i++;
  }
  return out;
}

/** A `**bold**`-style span opening at `start`, if it has a valid closing marker on this line. */
function matchDelimited(text: string, start: number): { delim: Delim; inner: string; end: number } | null {
  for (const delim of DELIMS) {
    const m = delim.marker;
    if (!text.startsWith(m, start)) continue;
    // The full run of this character must be exactly the marker (e.g. `****` is no bold opener).
    const runChar = m[0]!;
    let runEnd = start;
    while (text[runEnd] === runChar) runEnd++;
    if (runEnd - start !== m.length) continue;
    const after = text[start + m.length];
    if (isSpace(after)) continue;
    // `_` inside words (snake_case) is not emphasis.
    if (runChar === "_" && isWord(text[start - 1])) continue;

    let j = start + m.length;
    while (j < text.length) {
      const ch = text[j]!;
      if (ch === "\\") {
        j += 2;
        continue;
      }
      if (ch === "`") {
        // Skip code spans: markers inside them do not count.
        const run = /^`+/.exec(text.slice(j))![0];
        const end = text.indexOf(run, j + run.length);
        j = end > j ? end + run.length : j + run.length;
        continue;
      }
      if (ch === runChar) {
        let k = j;
        while (text[k] === runChar) k++;
        const len = k - j;
        // Only a run of exactly the marker closes: in `*a **b** c*` the `**` runs belong to a nested span.
        const closes = len === m.length && !isSpace(text[j - 1]) && j > start + m.length && !(runChar === "_" && isWord(text[k]));
        if (closes) return { delim, inner: text.slice(start + m.length, j), end: k };
        j = k;
        continue;
      }
      j++;
    }
  }
  return null;
}
