/**
 * Loading the discord.js building blocks, only once an account with a token starts, and telling
 * apart the errors they throw (retry later, or give up and say why).
 *
 * `@discordjs/rest` has two builds with the same API: the Node one makes requests with the `undici`
 * npm package (a second copy of the HTTP client Node already ships, about 6 MB of RSS), the web one
 * with Node's built-in `fetch`. The package's export map hands Node the first, so we load the second
 * by path, falling back to the package entry if a future layout moves it.
 */
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

export type RestModule = typeof import("@discordjs/rest");
export type WsModule = typeof import("@discordjs/ws");

let restModule: Promise<RestModule> | null = null;

/** Set by the production bundle, which already resolves `@discordjs/rest` to its web build. */
declare const __OPENCLAW_BUNDLED__: boolean | undefined;

export function loadRest(): Promise<RestModule> {
  restModule ??= (async () => {
    if (typeof __OPENCLAW_BUNDLED__ !== "undefined" && __OPENCLAW_BUNDLED__) return import("@discordjs/rest");
    try {
      const entry = createRequire(import.meta.url).resolve("@discordjs/rest");
      const web = path.join(path.dirname(entry), "web.mjs");
      if (fs.existsSync(web)) return (await import(pathToFileURL(web).href)) as RestModule;
    } catch {
      /* fall through to the package entry */
    }
    return import("@discordjs/rest");
  })();
  return restModule;
}

export function loadWs(): Promise<WsModule> {
  return import("@discordjs/ws");
}

/** HTTP status of a REST failure (DiscordAPIError, HTTPError), if it has one. */
export function httpStatus(err: unknown): number | undefined {
  const s = (err as { status?: unknown } | null)?.status;
  return typeof s === "number" ? s : undefined;
}

/**
 * A 429 the REST client handed back to us (`rejectOnRateLimit`) instead of waiting it out itself. Its
 * name carries the route: `RateLimitError[/channels/:id/messages]`.
 */
export function isRateLimitError(err: unknown): err is Error & { retryAfter: number } {
  return err instanceof Error && /^RateLimitError\b/.test(err.name) && typeof (err as { retryAfter?: unknown }).retryAfter === "number";
}

/** Worth trying again later: network failures, timeouts, 5xx and 429. Not: 4xx (bad request, no access, bad token). */
export function isRetryable(err: unknown): boolean {
  if (isRateLimitError(err)) return true;
  const status = httpStatus(err);
  if (status !== undefined) return status === 429 || status >= 500;
  if (!(err instanceof Error)) return false;
  if (/token to be set/.test(err.message)) return false; // the REST client dropped the token after a 401
  if (err.name === "AbortError" || err.name === "TimeoutError") return true;
  // fetch's network failures: `TypeError: fetch failed` with the socket error as `cause`.
  return (err instanceof TypeError && (err.cause !== undefined || /fetch failed|terminated/.test(err.message))) || "code" in err;
}

export function retryAfterMs(err: unknown): number | undefined {
  return isRateLimitError(err) ? Math.max(0, err.retryAfter) : undefined;
}

/** One line for status/logs: `401 Unauthorized on GET /gateway/bot`, `fetch failed (ECONNREFUSED)`. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { status?: number; method?: string; url?: string; code?: unknown; cause?: { code?: string } };
  const where = e.method && e.url ? ` on ${e.method.toUpperCase()} ${routeOf(e.url)}` : "";
  if (typeof e.status === "number") {
    const msg = e.message && !e.message.startsWith(String(e.status)) ? `${e.status} ${e.message}` : e.message || String(e.status);
    return `${msg}${where}`;
  }
  const cause = e.cause?.code ? ` (${e.cause.code})` : "";
  return `${e.message || e.name}${cause}${where}`;
}

function routeOf(url: string): string {
  try {
    return new URL(url).pathname.replace(/^.*?\/v\d+(?=\/)/, "");
  } catch {
    return url;
  }
}
