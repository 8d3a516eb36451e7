/**
 * Markdown as the agent writes it → WhatsApp's own formatting: `*bold*`, `_italic_`, `~strike~`,
 * ```` ```mono``` ````, `` `code` `` kept. Code spans and fences pass through untouched; headings become
 * bold lines; links become `text (url)`.
 */
const FENCE = /^(\s*)(```+|~~~+)/;

function inline(line: string): string {
  const parts = line.split(/(`[^`]+`)/g);
  return parts
    .map((p, i) => {
      if (i % 2 === 1) return p; // inline code
      return (
        p
          // links
          .replace(/!?\[([^\]]+)\]\((\S+?)\)/g, (_m, text: string, url: string) => (text === url ? url : `${text} (${url})`))
          // bold: **x** or __x__ (placeholders so the italic pass leaves them alone)
          .replace(/\*\*(?=\S)(.+?)(?<=\S)\*\*/g, "\u0001$1\u0001")
          .replace(/__(?=\S)(.+?)(?<=\S)__/g, "\u0001$1\u0001")
          // italic: *x* → _x_
          .replace(/(^|[^*\w])\*(?=\S)([^*]+?)(?<=\S)\*(?!\*)/g, "$1_$2_")
          // strike: ~~x~~ → ~x~
          .replace(/~~(?=\S)(.+?)(?<=\S)~~/g, "~$1~")
          .replace(/\u0001/g, "*")
      );
    })
    .join("");
}

export function markdownToWhatsApp(markdown: string): string {
  const out: string[] = [];
  let fence: string | null = null;
  for (const line of markdown.split("\n")) {
    const m = FENCE.exec(line);
    if (fence) {
      if (m && m[2]!.startsWith(fence[0]!) && m[2]!.length >= fence.length) {
        fence = null;
        out.push("```");
      } else out.push(line);
      continue;
    }
    if (m) {
      fence = m[2]!;
      out.push("```");
      continue;
    }
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      out.push(`*${inline(heading[1]!).replace(/\*/g, "")}*`);
      continue;
    }
    out.push(inline(line.replace(/^(\s*)[-+*]\s+/, "$1• ")));
  }
  if (fence) out.push("```");
  return out.join("\n");
}
