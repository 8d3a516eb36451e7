/**
 * The HTTP side of a webhook request: the hook token (from `Authorization: Bearer`, the
 * `x-openclaw-token` header or, deprecated, `?token=`), POST-only, a JSON body read with a size cap
 * enforced while it streams in, and a nesting cap on what it parses to.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyAbortedError, readBodyUpTo } from "../gateway/http/body.js";

export const MAX_JSON_DEPTH = 32;

export function extractHookToken(req: IncomingMessage, url: URL): { token?: string; fromQuery: boolean } {
  const auth = typeof req.headers.authorization === "string" ? req.headers.authorization.trim() : "";
  if (auth.toLowerCase().startsWith("bearer ")) {
    const token = auth.slice(7).trim();
    if (token) return { token, fromQuery: false };
  }
  const header = req.headers["x-openclaw-token"];
  const headerToken = typeof header === "string" ? header.trim() : "";
  if (headerToken) return { token: headerToken, fromQuery: false };
  const query = url.searchParams.get("token")?.trim();
  if (query) return { token: query, fromQuery: true };
  return { fromQuery: false };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers });
  res.end(text);
}

/** True for `application/json`, `application/*+json` and a missing content type (read as JSON). */
export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return true;
  const type = value.split(";")[0]!.trim().toLowerCase();
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

function depthOf(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (!v || typeof v !== "object") continue;
    if (d > limit) return false;
    for (const child of Object.values(v)) if (child && typeof child === "object") stack.push([child, d + 1]);
  }
  return true;
}

export type BodyResult = { ok: true; value: unknown } | { ok: false; status: 400 | 413; error: string };

/** Reads the body up to `maxBytes` (refusing as soon as more arrives) and parses it as JSON; empty is `{}`. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  let body: Buffer | null;
  try {
    body = await readBodyUpTo(req, maxBytes);
  } catch (e) {
    const error = e instanceof BodyAbortedError ? e.message : `could not read the body: ${(e as Error).message}`;
    return { ok: false, status: 400, error };
  }
  if (!body) {
    req.pause();
    return { ok: false, status: 413, error: "payload too large" };
  }
  const raw = body.toString("utf8").trim();
  if (!raw) return { ok: true, value: {} };
  try {
    const value: unknown = JSON.parse(raw);
    if (!depthOf(value, MAX_JSON_DEPTH)) return { ok: false, status: 400, error: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` };
    return { ok: true, value };
  } catch (e) {
    return { ok: false, status: 400, error: `body is not valid JSON: ${(e as Error).message}` };
  }
}

/** Request headers as lower-cased strings, for templates. */
export function headerMap(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (k === "authorization" || k === "x-openclaw-token") continue;
    if (typeof v === "string") out[k.toLowerCase()] = v;
    else if (Array.isArray(v) && v.length) out[k.toLowerCase()] = v.join(", ");
  }
  return out;
}
