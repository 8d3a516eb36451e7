/**
 * `web_fetch`: the agent reads a web page as markdown or plain text. Every request is bounded (time,
 * bytes, characters, redirects) and guarded: names and addresses inside the gateway's network are
 * refused unless `tools.web.fetch.allowPrivateNetwork` says otherwise, on every redirect hop too.
 */
import * as z from "zod";
import type { OpenClawConfig } from "../../config/schema.js";
import { defineTool, type Tool, type ToolContext, type ToolResult } from "../registry.js";
import { extractReadable, htmlToMarkdown, markdownToText, type ExtractMode } from "./extract.js";
import { pinnedGet, type PinnedResponse } from "./http.js";
import { FetchRefusedError, resolveAllowedHost, systemResolver, type HostResolver } from "./ssrf.js";

export const WEB_FETCH_DEFAULTS = {
  maxChars: 50_000,
  timeoutSeconds: 30,
  cacheTtlMinutes: 15,
  maxRedirects: 3,
  userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7_2) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
};
/** Bytes of a response body read at most; the rest is never downloaded. */
export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
const MIN_CHARS = 100;
const CACHE_ENTRIES = 100;
const ERROR_DETAIL_CHARS = 1_000;

export interface WebFetchSettings {
  enabled: boolean;
  maxChars: number;
  timeoutSeconds: number;
  cacheTtlMinutes: number;
  maxRedirects: number;
  userAgent: string;
  allowPrivateNetwork: boolean;
}

/** `tools.web.fetch` with the defaults filled in. */
export function webFetchSettings(config: OpenClawConfig | undefined): WebFetchSettings {
  const c = config?.tools?.web?.fetch ?? {};
  return {
    enabled: c.enabled ?? true,
    maxChars: Math.max(MIN_CHARS, c.maxChars ?? WEB_FETCH_DEFAULTS.maxChars),
    timeoutSeconds: c.timeoutSeconds ?? WEB_FETCH_DEFAULTS.timeoutSeconds,
    cacheTtlMinutes: c.cacheTtlMinutes ?? WEB_FETCH_DEFAULTS.cacheTtlMinutes,
    maxRedirects: c.maxRedirects ?? WEB_FETCH_DEFAULTS.maxRedirects,
    userAgent: c.userAgent?.trim() || WEB_FETCH_DEFAULTS.userAgent,
    allowPrivateNetwork: c.allowPrivateNetwork === true,
  };
}

export interface WebFetchDeps {
  /** DNS resolution (the system resolver by default). */
  resolve?: HostResolver;
  /** Private addresses to allow anyway (tests serve pages on 127.0.0.1). */
  allowAddress?: (address: string) => boolean;
  maxBytes?: number;
}

export interface WebFetchPayload {
  url: string;
  finalUrl: string;
  status: number;
  contentType: string;
  title?: string;
  extractMode: ExtractMode;
  extractor: string;
  truncated: boolean;
  length: number;
  fetchedAt: string;
  tookMs: number;
  text: string;
  cached?: boolean;
}

/** A failure the model should read as is (no "web_fetch failed:" stack of prefixes). */
class FetchError extends Error {}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const webFetchArgs = () =>
  z.object({
    url: z.string().min(1).describe("HTTP or HTTPS URL to fetch."),
    extractMode: z.enum(["markdown", "text"]).optional().describe('Extraction mode ("markdown" or "text"); default markdown.'),
    maxChars: z.number().int().min(MIN_CHARS).optional().describe("Maximum characters to return (the text is truncated beyond it)."),
  });

const TEXTUAL = /^(text\/|application\/(json|[\w.+-]*\+json|xml|[\w.+-]*\+xml|javascript|x-javascript|ecmascript|x-ndjson))/i;

function decode(body: Buffer, contentType: string): string {
  const charset = /charset\s*=\s*"?([\w-]+)/i.exec(contentType)?.[1];
  try {
    return new TextDecoder(charset ?? "utf-8").decode(body);
  } catch {
    return new TextDecoder("utf-8").decode(body);
  }
}

function megabytes(n: number): string {
  return `${(n / 1024 / 1024).toFixed(n < 1024 * 1024 ? 2 : 0)} MB`;
}

/**
 * The tool, one per gateway (its cache lives here).
 */
export function createWebFetch(deps: WebFetchDeps = {}) {
  const cache = new Map<string, { expires: number; payload: WebFetchPayload }>();
  const resolve = deps.resolve ?? systemResolver;
  const maxBytes = deps.maxBytes ?? DEFAULT_MAX_BYTES;

  async function get(url: URL, s: WebFetchSettings, signal: AbortSignal): Promise<{ res: PinnedResponse; finalUrl: URL }> {
    const seen = new Set<string>([url.href]);
    let current = url;
    for (let hop = 0; ; hop++) {
      if (current.protocol !== "http:" && current.protocol !== "https:")
        throw new FetchError(
          `Refused to follow a redirect to ${current.protocol} (${current.href}): only http and https URLs are fetched.`,
        );
      const to = await resolveAllowedHost(current.hostname, {
        allowPrivateNetwork: s.allowPrivateNetwork,
        resolve,
        ...(deps.allowAddress ? { allowAddress: deps.allowAddress } : {}),
      });
      const res = await pinnedGet({
        url: current,
        to,
        signal,
        maxBytes,
        headers: { Accept: "*/*", "User-Agent": s.userAgent, "Accept-Language": "en-US,en;q=0.9" },
        skipBody: (status) => REDIRECTS.has(status),
      });
      if (!REDIRECTS.has(res.status)) return { res, finalUrl: current };
      const location = res.headers.location;
      if (!location) throw new FetchError(`${current.href} answered ${res.status} (a redirect) without a Location header.`);
      if (hop + 1 > s.maxRedirects)
        throw new FetchError(
          `Too many redirects: ${url.href} redirected more than ${s.maxRedirects} times (tools.web.fetch.maxRedirects). Fetch the final URL directly or raise the limit.`,
        );
      const next = new URL(location, current);
      if (seen.has(next.href)) throw new FetchError(`Redirect loop: ${current.href} redirects back to ${next.href}.`);
      seen.add(next.href);
      current = next;
    }
  }

  async function run(args: z.infer<ReturnType<typeof webFetchArgs>>, s: WebFetchSettings, ctx: ToolContext): Promise<ToolResult> {
    const mode: ExtractMode = args.extractMode ?? "markdown";
    const maxChars = args.maxChars ?? s.maxChars;
    let url: URL;
    try {
      url = new URL(args.url.trim());
    } catch {
      return { text: `Invalid URL "${args.url}": give a full http:// or https:// URL.`, isError: true };
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
      return { text: `Invalid URL "${args.url}": only http:// and https:// URLs can be fetched.`, isError: true };

    const key = `${url.href}:${mode}:${maxChars}`;
    const hit = cache.get(key);
    if (hit && hit.expires > ctx.now()) return { text: JSON.stringify({ ...hit.payload, cached: true }, null, 2) };
    if (hit) cache.delete(key);

    const started = ctx.now();
    const timeout = AbortSignal.timeout(s.timeoutSeconds * 1000);
    const signal = AbortSignal.any([ctx.signal, timeout]);
    let fetched: { res: PinnedResponse; finalUrl: URL };
    try {
      fetched = await get(url, s, signal);
    } catch (e) {
      if (ctx.signal.aborted) return { text: `web_fetch of ${url.href} was cancelled: the run was stopped.`, isError: true };
      if (timeout.aborted)
        return {
          text: `Timed out after ${s.timeoutSeconds} s fetching ${url.href} (tools.web.fetch.timeoutSeconds). The site may be slow or unreachable; try again later or another URL.`,
          isError: true,
        };
      if (e instanceof FetchRefusedError || e instanceof FetchError) return { text: e.message, isError: true };
      const code = (e as NodeJS.ErrnoException).code;
      return {
        text: `Could not fetch ${url.href}: ${(e as Error).message}${code && !(e as Error).message.includes(code) ? ` (${code})` : ""}. Check the URL.`,
        isError: true,
      };
    }
    const { res, finalUrl } = fetched;
    const contentType = String(res.headers["content-type"] ?? "application/octet-stream");
    if (res.overflow)
      return {
        text: `${finalUrl.href} is larger than ${megabytes(maxBytes)}, the most web_fetch reads; reading stopped there. Fetch a smaller or more specific page.`,
        isError: true,
      };
    if (res.status < 200 || res.status >= 300) {
      let detail = decode(res.body, contentType);
      if (/html/i.test(contentType) || /^\s*<(!doctype|html)/i.test(detail)) {
        const md = htmlToMarkdown(detail);
        detail = markdownToText(md.title ? `${md.title}\n${md.text}` : md.text);
      }
      detail = detail.trim().slice(0, ERROR_DETAIL_CHARS);
      const hint =
        res.status === 404
          ? "Check the URL."
          : res.status >= 500
            ? "The site has a problem; try again later."
            : "The site refused the request.";
      return {
        text: `Fetching ${finalUrl.href} failed with HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}. ${hint}${detail ? `\n\n${detail}` : ""}`,
        isError: true,
      };
    }
    if (!TEXTUAL.test(contentType))
      return {
        text: `${finalUrl.href} is ${contentType.split(";")[0]} (${res.body.length} bytes), not a text page; web_fetch only reads HTML, text and JSON.`,
        isError: true,
      };

    const body = decode(res.body, contentType);
    let text = body;
    let title: string | undefined;
    let extractor = "raw";
    if (/html/i.test(contentType)) {
      const page = await extractReadable(body, finalUrl.href, mode);
      text = page.text;
      title = page.title;
      extractor = page.extractor;
    } else if (/json/i.test(contentType)) {
      try {
        text = JSON.stringify(JSON.parse(body), null, 2);
        extractor = "json";
      } catch {
        // Not valid JSON after all: pass it through.
      }
    }
    const truncated = text.length > maxChars;
    if (truncated) text = text.slice(0, maxChars);
    const payload: WebFetchPayload = {
      url: url.href,
      finalUrl: finalUrl.href,
      status: res.status,
      contentType,
      ...(title ? { title } : {}),
      extractMode: mode,
      extractor,
      truncated,
      length: text.length,
      fetchedAt: new Date(ctx.now()).toISOString(),
      tookMs: ctx.now() - started,
      text,
    };
    if (s.cacheTtlMinutes > 0) {
      if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
      cache.set(key, { expires: ctx.now() + s.cacheTtlMinutes * 60_000, payload });
    }
    return { text: JSON.stringify(payload, null, 2) };
  }

  return {
    /**
     * The tool, reading `tools.web.fetch` from the config in force for each run (`config`, from
     * when the gateway made its tools, serves callers that pass none).
     */
    tool(config: OpenClawConfig | undefined): Tool<z.infer<ReturnType<typeof webFetchArgs>>> {
      const s = webFetchSettings(config);
      return defineTool({
        name: "web_fetch",
        description:
          "Fetch a web page (http/https) and return its readable content as markdown or plain text, with its title. For reading a page you have the URL of; it does not run scripts.",
        args: webFetchArgs,
        available: ({ config: current }) => webFetchSettings(current).enabled,
        run: (args, ctx) => run(args, ctx.config ? webFetchSettings(ctx.config) : s, ctx),
      });
    },
  };
}
