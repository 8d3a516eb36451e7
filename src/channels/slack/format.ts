/**
 * Markdown as LLMs write it → Slack mrkdwn. Slack renders `*bold*`, `_italic_`, `~strike~`, `` `code` ``,
 * fenced code blocks, `> quotes` and `<url|text>` links; everything else is plain text in which `&`, `<`
 * and `>` must be escaped. Headings become bold lines, list bullets become `•`. Code (inline and fenced)
 * is only escaped, never restyled. Slack's own tokens that a reply may carry on purpose (`<@U123>`,
 * `<#C123>`, `<!here>`, `<https://…|text>`) pass through unescaped.
 */

export function escapeSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
const SLACK_TOKEN = /^<(?:[@#!][A-Z0-9^|:._-][^<>\s]*|(?:https?|mailto):[^<>\s]+(?:\|[^<>]+)?)>/i;

/** Converts one chunk of Markdown (chunk first, then convert, so fences stay balanced). */
export function markdownToMrkdwn(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  let fence: string | null = null;
  for (const line of lines) {
    const f = FENCE.exec(line);
    if (fence) {
      if (f && f[1]![0] === fence[0] && f[1]!.length >= fence.length && !line.trim().slice(f[1]!.length).trim()) {
        out.push("```");
        fence = null;
      } else out.push(escapeSlack(line));
      continue;
    }
    if (f) {
      fence = f[1]!;
      out.push("```"); // Slack ignores a language tag: it would show as the first line of code
      continue;
    }
    out.push(convertLine(line));
  }
  if (fence) out.push("```");
  return out.join("\n");
}

function convertLine(line: string): string {
  const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
  if (heading) return `*${inline(heading[1]!.replace(/^\*\*(.*)\*\*$/, "$1"))}*`;
  if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) return "──────────";
  const quote = /^(\s{0,3}>\s?)(.*)$/.exec(line);
  if (quote) return `> ${convertLine(quote[2]!)}`;
  const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(line);
  if (bullet) {
    const task = /^\[([ xX])\]\s+(.*)$/.exec(bullet[2]!);
    const body = task ? `${task[1] === " " ? "☐" : "☑"} ${task[2]}` : bullet[2]!;
    return `${bullet[1]}• ${inline(body)}`;
  }
  return inline(line);
}

/** Inline spans: code, links, bold, italic, strike; the rest escaped. */
export function inline(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const ch = text[i]!;
    if (ch === "`") {
      const m = /^(`+)([\s\S]*?[^`])\1(?!`)/.exec(rest);
      if (m) {
        out += "`" + escapeSlack(m[2]!.replace(/^ (.*) $/, "$1")) + "`";
        i += m[0].length;
        continue;
      }
    }
    if (ch === "<") {
      const tok = SLACK_TOKEN.exec(rest);
      if (tok) {
        out += tok[0];
        i += tok[0].length;
        continue;
      }
      const auto = /^<((?:https?|mailto):[^<>\s]+)>/.exec(rest);
      if (auto) {
        out += `<${auto[1]}>`;
        i += auto[0].length;
        continue;
      }
    }
    if (ch === "!" && rest[1] === "[") {
      const img = /^!\[([^\]]*)\]\(\s*<?([^\s)>]+)>?(?:\s+"[^"]*")?\s*\)/.exec(rest);
      if (img) {
        out += link(img[2]!, img[1]! || img[2]!);
        i += img[0].length;
        continue;
      }
    }
    if (ch === "[") {
      const m = /^\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^\s)>]+)>?(?:\s+"[^"]*")?\s*\)/.exec(rest);
      if (m) {
        out += link(m[2]!, m[1]!);
        i += m[0].length;
        continue;
      }
    }
    if (ch === "*" || ch === "_") {
      const strong = ch === "*" ? /^\*\*(?!\s)([\s\S]*?[^\s])\*\*/.exec(rest) : /^__(?!\s)([\s\S]*?[^\s])__(?!\w)/.exec(rest);
      if (strong && (ch === "*" || !/\w/.test(text[i - 1] ?? ""))) {
        out += `*${inline(strong[1]!)}*`;
        i += strong[0].length;
        continue;
      }
      const em = ch === "*" ? /^\*(?![\s*])([^*]*?[^\s*])\*(?!\*)/.exec(rest) : /^_(?![\s_])([^_]*?[^\s_])_(?!\w)/.exec(rest);
      if (em && !/\w/.test(ch === "_" ? (text[i - 1] ?? "") : "")) {
        out += `_${inline(em[1]!)}_`;
        i += em[0].length;
        continue;
      }
    }
    if (ch === "~") {
      const m = /^~~(?!\s)([\s\S]*?[^\s])~~/.exec(rest);
      if (m) {
        out += `~${inline(m[1]!)}~`;
        i += m[0].length;
        continue;
      }
    }
    out += escapeSlack(ch);
    i++;
  }
  return out;
}

function link(url: string, label: string): string {
  const safeUrl = url.replace(/[<>|]/g, encodeURIComponent);
  const text = label.replace(/\*\*|__|`/g, "").trim();
  if (!text || text === url) return `<${safeUrl}>`;
  return `<${safeUrl}|${escapeSlack(text).replace(/\|/g, "¦")}>`;
}
