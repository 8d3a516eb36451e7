/**
 * Model output as HTML. Markdown (GitHub flavour) is rendered by marked with raw HTML in the source
 * shown as text, never as markup; the result then goes through DOMPurify as a second line of defence
 * (`javascript:` links and the like). Links open in a new tab without a referrer; remote images, which
 * the page's policy blocks anyway, become plain links. Results are cached, since a chat re-renders
 * the same messages often.
 */
import DOMPurify from "dompurify";
import { Marked } from "marked";

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const marked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    html: ({ text }) => escapeHtml(text),
  },
});

DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A") {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer nofollow");
  } else if (node.tagName === "IMG") {
    const src = node.getAttribute("src") ?? "";
    if (!/^data:image\/(png|jpe?g|gif|webp);/i.test(src)) {
      const a = node.ownerDocument.createElement("a");
      a.textContent = node.getAttribute("alt") || src;
      if (/^https?:/i.test(src)) a.setAttribute("href", src);
      a.setAttribute("target", "_blank");
      a.setAttribute("rel", "noopener noreferrer nofollow");
      node.replaceWith(a);
    }
  }
});

const PURIFY = {
  FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select", "option", "iframe", "object", "embed", "svg", "math"],
  FORBID_ATTR: ["style", "class", "id"],
  ALLOW_DATA_ATTR: false,
};

const cache = new Map<string, string>();
const CACHE_MAX = 300;

export function renderMarkdown(src: string): string {
  const hit = cache.get(src);
  if (hit !== undefined) return hit;
  const html = DOMPurify.sanitize(marked.parse(src) as string, PURIFY) as unknown as string;
  cache.set(src, html);
  if (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value!);
  return html;
}
