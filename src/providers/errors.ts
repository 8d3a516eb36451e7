/**
 * Maps whatever an SDK (or fetch) threw into a `ProviderError` whose `kind` failover decides on.
 *
 * Duck-typed on purpose: this file imports no SDK, so the gateway can classify errors without loading
 * one. It understands the shapes of `@anthropic-ai/sdk` and `openai` (`APIError` with `status`,
 * `headers`, `error` body), `@google/genai` (`ApiError` whose message is the JSON error body),
 * undici's `fetch failed` with a `cause.code`, and DOM `AbortError` / `TimeoutError`.
 */
import { ProviderError, type ProviderErrorKind } from "./types.js";

export interface ErrorContext {
  provider: string;
  model: string;
}

const CONTEXT_OVERFLOW =
  /prompt is too long|context[_ ]length[_ ]exceeded|maximum context length|context window|exceeds the maximum number of tokens|input is too long|too many (input )?tokens|reduce the length of the messages|request_too_large|input token count.*exceeds/i;
const BILLING = /credit balance|billing|insufficient[_ ]quota|payment required|out of credits/i;
const AUTH =
  /api[_ ]key[_ ]invalid|api key not valid|invalid[_ -]api[_ -]key|invalid x-api-key|incorrect api key|authentication_error|unauthenticated|permission_error/i;
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "ECONNRESET",
  "EAI_AGAIN",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);
const TIMEOUT_CODES = new Set(["ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null;
const str = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);

/** The error and its `cause` chain (bounded, cycle-safe). */
function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  let cur: unknown = err;
  while (cur !== undefined && cur !== null && out.length < 8 && !out.includes(cur)) {
    out.push(cur);
    cur = isObj(cur) ? cur.cause : undefined;
  }
  return out;
}

/** Parses a JSON body embedded in a message (`@google/genai` puts the whole error body there). */
function embeddedJson(message: string): Obj | undefined {
  const start = message.indexOf("{");
  if (start < 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(message.slice(start));
    return isObj(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function header(headers: unknown, name: string): string | undefined {
  if (!isObj(headers)) return undefined;
  if (typeof headers.get === "function") return str((headers.get as (n: string) => unknown).call(headers, name));
  return str(headers[name]);
}

/** `retry-after-ms`, `retry-after` (seconds or HTTP date), Google RetryInfo, or "try again in 20s". */
function retryAfter(headers: unknown, body: Obj | undefined, message: string): number | undefined {
  const ms = Number(header(headers, "retry-after-ms"));
  if (Number.isFinite(ms) && ms >= 0 && header(headers, "retry-after-ms") !== undefined) return ms;
  const ra = header(headers, "retry-after");
  if (ra !== undefined) {
    const secs = Number(ra);
    if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
    const date = Date.parse(ra);
    if (!Number.isNaN(date)) return Math.max(0, date - Date.now());
  }
  const details = isObj(body?.error) ? (body.error as Obj).details : undefined;
  if (Array.isArray(details)) {
    for (const d of details) {
      const delay = isObj(d) ? str(d.retryDelay) : undefined;
      const m = delay && /^([\d.]+)s$/.exec(delay);
      if (m) return Number(m[1]) * 1000;
    }
  }
  const m = /try again in ([\d.]+)\s*(ms|s)\b/i.exec(message);
  if (m) return Number(m[1]) * (m[2]!.toLowerCase() === "ms" ? 1 : 1000);
  return undefined;
}

export function classifyError(err: unknown, ctx: ErrorContext): ProviderError {
  if (err instanceof ProviderError) return err;
  const links = chain(err);
  const top = isObj(err) ? err : {};
  const name = str(top.name) ?? "";
  const rawMessage = err instanceof Error ? err.message : typeof err === "string" ? err : String(err);

  // Status: SDK APIError.status (Anthropic/OpenAI), genai ApiError.status, or an embedded body's code.
  let body: Obj | undefined = isObj(top.error) ? (top.error as Obj) : undefined;
  const embedded = body ? undefined : embeddedJson(rawMessage);
  if (!body && embedded) body = embedded;
  // Anthropic keeps the whole body ({type:"error", error:{type,message}}); OpenAI keeps the inner
  // object ({message,type,code}); Gemini's body is {error:{code,message,status}}.
  const inner: Obj | undefined = body ? (isObj(body.error) ? (body.error as Obj) : body) : undefined;
  let status = typeof top.status === "number" ? top.status : undefined;
  if (status === undefined && typeof inner?.code === "number") status = inner.code;
  const apiType = str(top.type) ?? str(inner?.type) ?? str(inner?.status) ?? "";
  const apiCode = str(top.code) ?? str(inner?.code) ?? "";
  const apiMessage = str(inner?.message) ?? str(top.apiMessage) ?? rawMessage;
  const haystack = `${apiType} ${apiCode} ${apiMessage} ${rawMessage}`;
  const retryAfterMs = retryAfter(top.headers, embedded ?? (isObj(top.error) ? (top.error as Obj) : undefined), apiMessage);

  const make = (kind: ProviderErrorKind, message = apiMessage) => {
    const label = [status, apiType && apiType !== "error" ? apiType : undefined].filter(Boolean).join(" ");
    const text = `${ctx.provider}/${ctx.model}: ${label ? `${label}: ` : ""}${message}`;
    return new ProviderError(kind, text, {
      status,
      retryAfterMs: kind === "rate_limit" || kind === "overloaded" ? retryAfterMs : undefined,
      provider: ctx.provider,
      model: ctx.model,
      cause: err,
    });
  };

  // Caller aborts and timeouts first: they carry no status.
  if (name === "APIUserAbortError" || name === "AbortError") {
    const reason = isObj(top.cause) ? str(top.cause.name) : undefined;
    return reason === "TimeoutError" ? make("timeout", "request timed out") : make("aborted", "request aborted");
  }
  if (name === "TimeoutError" || name === "APIConnectionTimeoutError") return make("timeout", "request timed out");

  if (status !== undefined) {
    if (CONTEXT_OVERFLOW.test(haystack) || status === 413) return make("context_overflow");
    if (status === 402) return make("billing");
    if (status === 429) return make(/insufficient_quota/i.test(`${apiType} ${apiCode}`) ? "billing" : "rate_limit");
    if (status === 401 || status === 403) return make("auth");
    if (status === 529 || status === 503 || /overloaded/i.test(apiType)) return make("overloaded");
    if (status === 408 || status === 504) return make("timeout");
    if (status >= 500) return make("server");
    if (BILLING.test(haystack)) return make("billing"); // Anthropic: 400 "Your credit balance is too low"
    if (AUTH.test(haystack)) return make("auth"); // Gemini answers a bad key with 400 API_KEY_INVALID
    return make("bad_request");
  }

  // Errors sent inside an open stream (Anthropic `event: error`, OpenAI `data: {"error":...}`) have
  // a type but no status.
  if (apiType || apiCode) {
    const t = `${apiType} ${apiCode}`;
    if (CONTEXT_OVERFLOW.test(haystack)) return make("context_overflow");
    if (/overloaded/i.test(t)) return make("overloaded");
    if (/billing|insufficient_quota/i.test(t)) return make("billing");
    if (/rate_limit|rate limit|resource_exhausted/i.test(t)) return make("rate_limit");
    if (/authentication|permission|unauthenticated/i.test(t)) return make("auth");
    if (/timeout|deadline/i.test(t)) return make("timeout");
    if (/api_error|server_error|internal|unavailable/i.test(t)) return make("server");
    if (/invalid_request|invalid_argument|not_found/i.test(t)) return make("bad_request");
  }

  for (const link of links) {
    if (!isObj(link)) continue;
    const code = str(link.code) ?? str(link.errno);
    if (code && TIMEOUT_CODES.has(code)) return make("timeout", `connection timed out (${code})`);
    if (code && NETWORK_CODES.has(code)) return make("network", `${code}: ${str(link.message) ?? "connection failed"}`);
  }
  if (name === "APIConnectionError" || /fetch failed|socket hang up|network|terminated|other side closed|ECONN/i.test(rawMessage)) {
    return make("network");
  }
  if (/timed? ?out/i.test(rawMessage)) return make("timeout", "request timed out");
  if (CONTEXT_OVERFLOW.test(haystack)) return make("context_overflow");
  // Anything else (an SDK's unexpected JSON, a truncated stream): the provider misbehaved, so another
  // profile or model may well succeed.
  return make("server");
}
