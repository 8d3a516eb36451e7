/**
 * signal-cli's HTTP daemon: JSON-RPC calls (`POST /api/v1/rpc`), its health check
 * (`GET /api/v1/check`) and its event stream (`GET /api/v1/events`, server-sent events whose
 * `receive` events carry one envelope each).
 */
import { randomUUID } from "node:crypto";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { createParser } from "eventsource-parser";

const DEFAULT_TIMEOUT_MS = 10_000;
/** Largest answer read: an attachment of 64 MB, base64-encoded. */
const MAX_ANSWER_BYTES = 90 * 1024 * 1024;
/** Longest server-sent event kept while it arrives. */
const MAX_EVENT_CHARS = 4 * 1024 * 1024;

/** The daemon answered with a JSON-RPC error (retrying the same call cannot help). */
export class SignalRpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: number | string,
    message: string,
  ) {
    super(`signal-cli ${method} failed (${code}): ${message}`);
    this.name = "SignalRpcError";
  }
}

/** The daemon could not be reached or answered with an HTTP error (worth retrying). */
export class SignalHttpError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "SignalHttpError";
  }
}

function describeCause(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string }; code?: string };
  return e.cause?.code ?? e.code ?? e.cause?.message ?? e.message ?? String(err);
}

/**
 * One request over node:http(s). Kept off the global `fetch`, whose first use loads a whole HTTP
 * client (about 13 MB of resident memory) that nothing else on an idle gateway needs.
 */
function request(
  url: URL,
  opts: { method?: string; headers?: Record<string, string>; body?: string; signal: AbortSignal },
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === "https:" ? https : http;
    const req = mod.request(url, { method: opts.method ?? "GET", headers: opts.headers, signal: opts.signal }, resolve);
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** The whole body, refused past `maxBytes` (an answer that large is not one signal-cli gives). */
async function readText(res: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      res.destroy();
      throw new SignalHttpError(`signal-cli answered with more than ${Math.round(maxBytes / 1048576)} MB`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export async function rpc<T = unknown>(
  baseUrl: string,
  method: string,
  params: Record<string, unknown>,
  opts: { timeoutMs?: number; signal?: AbortSignal; maxBytes?: number } = {},
): Promise<T | undefined> {
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let res: IncomingMessage;
  let text: string;
  try {
    res = await request(new URL(`${baseUrl}/api/v1/rpc`), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", method, params, id: randomUUID() }),
      signal,
    });
    if (res.statusCode === 201) {
      res.resume();
      return undefined;
    }
    text = await readText(res, opts.maxBytes ?? MAX_ANSWER_BYTES);
  } catch (err) {
    if (err instanceof SignalHttpError) throw err;
    throw new SignalHttpError(`cannot reach signal-cli at ${baseUrl} (${describeCause(err)})`);
  }
  const status = res.statusCode ?? 0;
  let parsed: { result?: T; error?: { code?: number; message?: string } } | undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed?.error) throw new SignalRpcError(method, parsed.error.code ?? "unknown", parsed.error.message ?? "error");
  if (status < 200 || status > 299) throw new SignalHttpError(`signal-cli ${method}: HTTP ${status}`, status);
  if (!parsed) throw new SignalHttpError(`signal-cli ${method}: unreadable answer (HTTP ${status})`, status);
  return parsed.result;
}

/** `GET /api/v1/check`: null when the daemon is up, else what went wrong. */
export async function check(baseUrl: string, timeoutMs = 2_000): Promise<string | null> {
  try {
    const res = await request(new URL(`${baseUrl}/api/v1/check`), { signal: AbortSignal.timeout(timeoutMs) });
    res.resume();
    const status = res.statusCode ?? 0;
    return status >= 200 && status < 300 ? null : `HTTP ${status}`;
  } catch (err) {
    return describeCause(err);
  }
}

/**
 * Reads the event stream until it ends (resolves) or fails (rejects). `onOpen` runs once the daemon
 * has accepted the stream; `onEvent` gets each event's name and data.
 */
export async function streamEvents(opts: {
  baseUrl: string;
  account?: string;
  signal: AbortSignal;
  onOpen: () => void;
  onEvent: (event: string | undefined, data: string) => void;
}): Promise<void> {
  const url = new URL(`${opts.baseUrl}/api/v1/events`);
  if (opts.account) url.searchParams.set("account", opts.account);
  let res: IncomingMessage;
  try {
    res = await request(url, { headers: { accept: "text/event-stream" }, signal: opts.signal });
  } catch (err) {
    if (opts.signal.aborted) return;
    throw new SignalHttpError(`cannot reach signal-cli at ${opts.baseUrl} (${describeCause(err)})`);
  }
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 299) {
    res.resume();
    throw new SignalHttpError(`signal-cli event stream refused: HTTP ${status}`, status);
  }
  opts.onOpen();
  const parser = createParser({
    onEvent: (e) => opts.onEvent(e.event, e.data),
    // One event past this is not an envelope (attachments come through getAttachment): drop the stream.
    maxBufferSize: MAX_EVENT_CHARS,
    onError: (e) => {
      if (e.type === "max-buffer-size-exceeded") res.destroy(new Error(`an event longer than ${MAX_EVENT_CHARS} characters`));
    },
  });
  res.setEncoding("utf8");
  try {
    for await (const chunk of res as AsyncIterable<string>) parser.feed(chunk);
  } catch (err) {
    if (opts.signal.aborted) return;
    throw new SignalHttpError(`signal-cli event stream broke (${describeCause(err)})`);
  }
}
