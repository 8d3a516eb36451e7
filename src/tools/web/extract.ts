/**
 * Page text for the model: Readability picks the article out of the page (loaded only when a page
 * is fetched), and a small converter turns HTML into markdown or plain text when it cannot.
 */

export type ExtractMode = "markdown" | "text";

export interface Extracted {
  text: string;
  title?: string;
  extractor: "readability" | "html";
}

const ENTITIES: Record<string, string> = { nbsp: " ", amp: "&", quot: '"', apos: "'", lt: "<", gt: ">" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

const stripTags = (s: string) => decodeEntities(s.replace(/<[^>]*>/g, ""));

function tidy(s: string): string {
  return s
    .replace(/\r/g, "")
    .replace(/[ \t\u00a0]+/g, " ")
    .replace(/ *\n */g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** A plain HTML → markdown conversion: headings, links, list items, paragraphs; scripts dropped. */
export function htmlToMarkdown(html: string): { text: string; title?: string } {
  const titleMatch = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html);
  const title = titleMatch ? tidy(stripTags(titleMatch[1]!)) || undefined : undefined;
  const inline = (s: string) => tidy(stripTags(s)).replace(/\n+/g, " ");
  let s = html
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<(script|style|noscript|template|svg|head)\b[\s\S]*?<\/\1>/gi, "")
    .replace(/<a\b[^>]*?href\s*=\s*["']([^"']+)["'][^>]*>([\s\S]*?)<\/a>/gi, (_m, href: string, body: string) => {
      const label = inline(body);
      return label ? `[${label}](${href})` : "";
    })
    .replace(
      /<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1>/gi,
      (_m, level: string, body: string) => `\n\n${"#".repeat(Number(level))} ${inline(body)}\n\n`,
    )
    .replace(/<li\b[^>]*>([\s\S]*?)<\/li>/gi, (_m, body: string) => `\n- ${inline(body)}`)
    .replace(/<(br|hr)\b[^>]*>/gi, "\n")
    .replace(/<\/(p|div|section|article|header|footer|main|aside|nav|table|tr|ul|ol|pre|blockquote|h[1-6])>/gi, "\n\n");
  s = tidy(stripTags(s));
  return { text: s, ...(title ? { title } : {}) };
}

/** Markdown reduced to plain text (links become their labels, markers go). */
export function markdownToText(md: string): string {
  return tidy(
    md
      .replace(/!\[[^\]]*]\([^)]*\)/g, "")
      .replace(/\[([^\]]+)]\([^)]*\)/g, "$1")
      .replace(/```[^\n]*\n?/g, "")
      .replace(/`([^`]+)`/g, "$1")
      .replace(/^#{1,6}\s+/gm, "")
      .replace(/^\s*[-*+]\s+/gm, "")
      .replace(/^\s*\d+\.\s+/gm, ""),
  );
}

function fallback(html: string, mode: ExtractMode): Extracted {
  const md = htmlToMarkdown(html);
  return { text: mode === "text" ? markdownToText(md.text) : md.text, ...(md.title ? { title: md.title } : {}), extractor: "html" };
}

/** The readable part of a page; falls back to converting the whole page. */
export async function extractReadable(html: string, url: string, mode: ExtractMode): Promise<Extracted> {
  try {
    // Loaded here, on the first fetched page, so an idle gateway never holds a DOM implementation.
    const [readability, { parseHTML }] = await Promise.all([import("@mozilla/readability"), import("linkedom")]);
    // A CommonJS module: bundled, its exports are only on `default`.
    const Readability = readability.Readability ?? (readability as unknown as { default: typeof readability }).default.Readability;
    const { document } = parseHTML(html);
    try {
      (document as unknown as { baseURI: string }).baseURI = url;
    } catch {
      // Relative links stay relative.
    }
    const article = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0], { charThreshold: 0 }).parse();
    if (!article?.content) return fallback(html, mode);
    const title = article.title?.trim() || htmlToMarkdown(html).title;
    const text = mode === "text" ? tidy(article.textContent ?? "") : htmlToMarkdown(article.content).text;
    if (!text) return fallback(html, mode);
    return { text, ...(title ? { title } : {}), extractor: "readability" };
  } catch {
    return fallback(html, mode);
  }
}
