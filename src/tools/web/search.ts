/**
 * `web_search`: the agent searches the web through Brave Search (titles, URLs, snippets) or
 * Perplexity Sonar (an answer with citations, directly or through OpenRouter). Settings come from
 * `tools.web.search` in the config in force for each run; results are cached in-process for a while
 * (`cacheTtlMinutes`), so the same question asked again costs no API call.
 *
 * Both providers are public APIs reached by name, so unlike web_fetch there is no private-network
 * guard here; every base URL is configurable (a proxy, a regional endpoint, a test server).
 */
import * as z from "zod";
import type { OpenClawConfig } from "../../config/schema.js";
import { defineTool, type Tool, type ToolContext, type ToolResult } from "../registry.js";

export const WEB_SEARCH_DEFAULTS = {
  count: 5,
  timeoutSeconds: 30,
  cacheTtlMinutes: 15,
  braveBaseUrl: "https://api.search.brave.com",
  perplexityModel: "perplexity/sonar-pro",
};
export const PERPLEXITY_DIRECT_BASE_URL = "https://api.perplexity.ai";
export const OPENROUTER_BASE_URL = "https://openrouter.ai/api/v1";
const MAX_COUNT = 10;
const CACHE_ENTRIES = 100;
/** Bytes of a provider's answer read at most (a search answer is a few KB). */
export const DEFAULT_MAX_RESPONSE_BYTES = 2 * 1024 * 1024;
const ERROR_DETAIL_CHARS = 1_000;
const DOCS = "https://docs.openclaw.ai/tools/web";

export type SearchProvider = "brave" | "perplexity";

export interface WebSearchSettings {
  enabled: boolean;
  provider: SearchProvider;
  /** Brave's key (config, else BRAVE_API_KEY). */
  apiKey?: string;
  maxResults?: number;
  timeoutSeconds: number;
  cacheTtlMinutes: number;
  braveBaseUrl: string;
  perplexity: { apiKey?: string; baseUrl: string; model: string };
}

type Env = Record<string, string | undefined>;

function clean(v: unknown): string {
  return typeof v === "string" ? v.trim() : "";
}

/** The Perplexity API a key belongs to when nothing names a base URL. */
function perplexityBaseFor(apiKey: string, source: "config" | "perplexity_env" | "openrouter_env" | "none"): string {
  if (source === "perplexity_env") return PERPLEXITY_DIRECT_BASE_URL;
  if (source === "config" && apiKey.toLowerCase().startsWith("pplx-")) return PERPLEXITY_DIRECT_BASE_URL;
  return OPENROUTER_BASE_URL;
}

/** `tools.web.search` with the defaults and the environment's keys filled in. */
export function webSearchSettings(config: OpenClawConfig | undefined, env: Env): WebSearchSettings {
  const c = config?.tools?.web?.search ?? {};
  const p = c.perplexity ?? {};
  let pKey = clean(p.apiKey);
  let source: "config" | "perplexity_env" | "openrouter_env" | "none" = pKey ? "config" : "none";
  if (!pKey && clean(env.PERPLEXITY_API_KEY)) [pKey, source] = [clean(env.PERPLEXITY_API_KEY), "perplexity_env"];
  if (!pKey && clean(env.OPENROUTER_API_KEY)) [pKey, source] = [clean(env.OPENROUTER_API_KEY), "openrouter_env"];
  const braveKey = clean(c.apiKey) || clean(env.BRAVE_API_KEY);
  return {
    enabled: c.enabled ?? true,
    provider: c.provider === "perplexity" ? "perplexity" : "brave",
    ...(braveKey ? { apiKey: braveKey } : {}),
    ...(c.maxResults !== undefined ? { maxResults: c.maxResults } : {}),
    timeoutSeconds: Math.max(1, Math.floor(c.timeoutSeconds ?? WEB_SEARCH_DEFAULTS.timeoutSeconds)),
    cacheTtlMinutes: Math.max(0, c.cacheTtlMinutes ?? WEB_SEARCH_DEFAULTS.cacheTtlMinutes),
    braveBaseUrl: clean(c.brave?.baseUrl) || WEB_SEARCH_DEFAULTS.braveBaseUrl,
    perplexity: {
      ...(pKey ? { apiKey: pKey } : {}),
      baseUrl: clean(p.baseUrl) || perplexityBaseFor(pKey, source),
      model: clean(p.model) || WEB_SEARCH_DEFAULTS.perplexityModel,
    },
  };
}

export interface WebSearchDeps {
  /** Where BRAVE_API_KEY, PERPLEXITY_API_KEY and OPENROUTER_API_KEY are read (default: the process's environment, which the gateway loads `.env` files into). */
  env?: Env;
  maxResponseBytes?: number;
}

export interface BraveResult {
  title: string;
  url: string;
  description: string;
  published?: string;
  siteName?: string;
}

export type WebSearchPayload =
  | { query: string; provider: "brave"; count: number; tookMs: number; results: BraveResult[]; cached?: boolean }
  | { query: string; provider: "perplexity"; model: string; tookMs: number; content: string; citations: string[]; cached?: boolean };

const webSearchArgs = () =>
  z.object({
    query: z.string().trim().min(1).describe("Search query string."),
    count: z.number().optional().describe("Number of results to return (1-10)."),
    country: z.string().optional().describe("2-letter country code for region-specific results (e.g. 'DE', 'US', 'ALL'). Default: 'US'."),
    search_lang: z.string().optional().describe("ISO language code for search results (e.g. 'de', 'en', 'fr')."),
    ui_lang: z.string().optional().describe("ISO language code for UI elements."),
    freshness: z
      .string()
      .optional()
      .describe(
        "Only results discovered within a period (Brave only): 'pd' (past day), 'pw' (past week), 'pm' (past month), 'py' (past year), or a date range 'YYYY-MM-DDtoYYYY-MM-DD'.",
      ),
  });
type Args = z.infer<ReturnType<typeof webSearchArgs>>;

function isIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** `pd|pw|pm|py` or a valid `YYYY-MM-DDtoYYYY-MM-DD` range, else undefined. */
export function normalizeFreshness(raw: string): string | undefined {
  const v = raw.trim();
  if (["pd", "pw", "pm", "py"].includes(v.toLowerCase())) return v.toLowerCase();
  const m = /^(\d{4}-\d{2}-\d{2})to(\d{4}-\d{2}-\d{2})$/.exec(v);
  if (!m || !isIsoDate(m[1]!) || !isIsoDate(m[2]!) || m[1]! > m[2]!) return undefined;
  return `${m[1]}to${m[2]}`;
}

function json(payload: unknown, isError = false): ToolResult {
  return { text: JSON.stringify(payload, null, 2), ...(isError ? { isError: true } : {}) };
}

function missingKey(provider: SearchProvider): ToolResult {
  return json(
    provider === "perplexity"
      ? {
          error: "missing_perplexity_api_key",
          message:
            "web_search is set to use Perplexity but has no API key. Put PERPLEXITY_API_KEY or OPENROUTER_API_KEY in the gateway's environment, or set tools.web.search.perplexity.apiKey in the config.",
          docs: DOCS,
        }
      : {
          error: "missing_brave_api_key",
          message:
            "web_search needs a Brave Search API key. Set tools.web.search.apiKey in the config, or put BRAVE_API_KEY in the gateway's environment.",
          docs: DOCS,
        },
    true,
  );
}

/** A failure the model should read as is. */
class SearchError extends Error {}

function siteName(url: string): string | undefined {
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return undefined;
  }
}

/** Reads a response body, at most `max` bytes; throws when it is longer. */
async function readCapped(res: Response, max: number, what: string): Promise<string> {
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => {});
    throw new SearchError(`${what} sent an answer larger than ${max} bytes; it was not read.`);
  }
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw new SearchError(`${what} sent an answer larger than ${max} bytes; reading stopped there.`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function endpoint(base: string, suffix: string, key: string): URL {
  try {
    return new URL(`${base.replace(/\/+$/, "")}${suffix}`);
  } catch {
    throw new SearchError(`${key} "${base}" is not a valid URL; give a full https:// URL.`);
  }
}

/** The tool factory, one per gateway (its cache lives here). */
export function createWebSearch(deps: WebSearchDeps = {}) {
  const cache = new Map<string, { expires: number; payload: WebSearchPayload }>();
  const env = deps.env ?? process.env;
  const maxBytes = deps.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;

  async function call(url: URL, init: RequestInit, what: string, signal: AbortSignal): Promise<unknown> {
    const res = await fetch(url, { ...init, signal });
    const body = await readCapped(res, maxBytes, what);
    if (!res.ok) {
      const detail = body.trim().slice(0, ERROR_DETAIL_CHARS) || res.statusText;
      const hint =
        res.status === 401 || res.status === 403
          ? " The API key was refused; check it."
          : res.status === 429
            ? " The rate limit or quota was reached; try again later."
            : res.status >= 500
              ? " The service has a problem; try again later."
              : "";
      throw new SearchError(`${what} error (${res.status}): ${detail}.${hint}`);
    }
    try {
      return JSON.parse(body);
    } catch {
      throw new SearchError(`${what} answered with something that is not JSON: ${body.slice(0, 200)}`);
    }
  }

  async function brave(args: Args, count: number, freshness: string | undefined, s: WebSearchSettings, signal: AbortSignal) {
    const url = endpoint(s.braveBaseUrl, "/res/v1/web/search", "tools.web.search.brave.baseUrl");
    url.searchParams.set("q", args.query);
    url.searchParams.set("count", String(count));
    if (args.country) url.searchParams.set("country", args.country);
    if (args.search_lang) url.searchParams.set("search_lang", args.search_lang);
    if (args.ui_lang) url.searchParams.set("ui_lang", args.ui_lang);
    if (freshness) url.searchParams.set("freshness", freshness);
    const data = (await call(
      url,
      { method: "GET", headers: { Accept: "application/json", "X-Subscription-Token": s.apiKey! } },
      "Brave Search API",
      signal,
    )) as { web?: { results?: Array<Record<string, unknown>> } } | null;
    const raw = Array.isArray(data?.web?.results) ? data!.web!.results! : [];
    return raw.map((r): BraveResult => {
      const link = typeof r.url === "string" ? r.url : "";
      const site = siteName(link);
      return {
        title: typeof r.title === "string" ? r.title : "",
        url: link,
        description: typeof r.description === "string" ? r.description : "",
        ...(typeof r.age === "string" ? { published: r.age } : {}),
        ...(site ? { siteName: site } : {}),
      };
    });
  }

  async function perplexity(query: string, s: WebSearchSettings, signal: AbortSignal) {
    const url = endpoint(s.perplexity.baseUrl, "/chat/completions", "tools.web.search.perplexity.baseUrl");
    const data = (await call(
      url,
      {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Authorization: `Bearer ${s.perplexity.apiKey!}`,
          "HTTP-Referer": "https://openclaw.ai",
          "X-Title": "OpenClaw Web Search",
        },
        body: JSON.stringify({ model: s.perplexity.model, messages: [{ role: "user", content: query }] }),
      },
      "Perplexity API",
      signal,
    )) as { choices?: Array<{ message?: { content?: unknown } }>; citations?: unknown } | null;
    const content = data?.choices?.[0]?.message?.content;
    const citations = Array.isArray(data?.citations) ? data!.citations.filter((c): c is string => typeof c === "string") : [];
    return { content: typeof content === "string" ? content : "No response", citations };
  }

  async function run(args: Args, s: WebSearchSettings, ctx: ToolContext): Promise<ToolResult> {
    const provider = s.provider;
    const key = provider === "perplexity" ? s.perplexity.apiKey : s.apiKey;
    if (!key) return missingKey(provider);
    if (args.freshness?.trim() && provider !== "brave")
      return json(
        {
          error: "unsupported_freshness",
          message: `freshness works only with the Brave provider; this gateway searches with ${provider}. Call web_search again without freshness.`,
          docs: DOCS,
        },
        true,
      );
    const freshness = args.freshness?.trim() ? normalizeFreshness(args.freshness) : undefined;
    if (args.freshness?.trim() && !freshness)
      return json(
        {
          error: "invalid_freshness",
          message: `freshness "${args.freshness}" is not valid: use pd, pw, pm, py, or a range like 2026-01-01to2026-01-31.`,
          docs: DOCS,
        },
        true,
      );
    const wanted = args.count ?? s.maxResults ?? WEB_SEARCH_DEFAULTS.count;
    const count = Math.max(1, Math.min(MAX_COUNT, Math.floor(Number.isFinite(wanted) ? wanted : WEB_SEARCH_DEFAULTS.count)));

    const where = provider === "brave" ? s.braveBaseUrl : `${s.perplexity.baseUrl}:${s.perplexity.model}`;
    const cacheKey = [provider, where, args.query, count, args.country, args.search_lang, args.ui_lang, freshness]
      .map((v) => String(v ?? "default"))
      .join(":")
      .trim()
      .toLowerCase();
    const hit = cache.get(cacheKey);
    if (hit && hit.expires > ctx.now()) return json({ ...hit.payload, cached: true });
    if (hit) cache.delete(cacheKey);

    const started = ctx.now();
    const timeout = AbortSignal.timeout(s.timeoutSeconds * 1000);
    const signal = AbortSignal.any([ctx.signal, timeout]);
    let payload: WebSearchPayload;
    try {
      if (provider === "perplexity") {
        const { content, citations } = await perplexity(args.query, s, signal);
        payload = { query: args.query, provider, model: s.perplexity.model, tookMs: ctx.now() - started, content, citations };
      } else {
        const results = await brave(args, count, freshness, s, signal);
        payload = { query: args.query, provider, count: results.length, tookMs: ctx.now() - started, results };
      }
    } catch (e) {
      const name = provider === "brave" ? "Brave Search" : "Perplexity";
      if (ctx.signal.aborted) return { text: `web_search was cancelled: the run was stopped.`, isError: true };
      if (timeout.aborted)
        return {
          text: `web_search timed out after ${s.timeoutSeconds} s waiting for ${name} (tools.web.search.timeoutSeconds). Try again later.`,
          isError: true,
        };
      if (e instanceof SearchError) return { text: e.message, isError: true };
      const err = e as Error & { cause?: { code?: string; message?: string } };
      const why = err.cause?.code ?? err.cause?.message ?? err.message;
      return {
        text: `web_search could not reach ${name} (${why}). Check the network and the base URL in tools.web.search.`,
        isError: true,
      };
    }
    if (s.cacheTtlMinutes > 0) {
      if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
      cache.set(cacheKey, { expires: ctx.now() + s.cacheTtlMinutes * 60_000, payload });
    }
    return json(payload);
  }

  return {
    /**
     * The tool, reading `tools.web.search` from the config in force for each run (`config`, from
     * when the gateway made its tools, serves callers that pass none).
     */
    tool(config: OpenClawConfig | undefined): Tool<Args> {
      const s = webSearchSettings(config, env);
      return defineTool({
        name: "web_search",
        description:
          s.provider === "perplexity"
            ? "Search the web with Perplexity Sonar: returns an answer written from a live web search, with the URLs it cites."
            : "Search the web with the Brave Search API: returns titles, URLs and snippets. Supports region and language (country, search_lang, ui_lang) and recency (freshness).",
        args: webSearchArgs,
        // The search enforces tools.web.search.timeoutSeconds itself and honours the run's abort.
        timeoutMs: 0,
        available: ({ config: current }) => webSearchSettings(current, env).enabled,
        run: (args, ctx) => run(args, webSearchSettings(ctx.config ?? config, deps.env ?? ctx.env ?? env), ctx),
      });
    },
  };
}
