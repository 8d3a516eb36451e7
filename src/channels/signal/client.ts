/**
 * signal-cli's HTTP daemon: JSON-RPC calls (`POST /api/v1/rpc`), its health check
 * (`GET /api/v1/check`) and its event stream (`GET /api/v1/events`, server-sent events whose
 * `receive` events carry one envelope each).
 */
import { randomUUID } from "node:crypto";
import { createParser } from "eventsource-parser";

const DEFAULT_TIMEOUT_MS = 10_000;

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

export async function rpc<T = unknown>(
  baseUrl: string,
  method: string,
  params: Record<string, unknown>,
  opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<T | undefined> {
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(`${baseUrl}/api/v1/rpc`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", method, params, id: randomUUID() }),
      signal,
    });
  } catch (err) {
    throw new SignalHttpError(`cannot reach signal-cli at ${baseUrl} (${describeCause(err)})`);
  }
  if (res.status === 201) return undefined;
  const text = await res.text();
  let parsed: { result?: T; error?: { code?: number; message?: string } } | undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed?.error) throw new SignalRpcError(method, parsed.error.code ?? "unknown", parsed.error.message ?? "error");
  if (!res.ok) throw new SignalHttpError(`signal-cli ${method}: HTTP ${res.status}`, res.status);
  if (!parsed) throw new SignalHttpError(`signal-cli ${method}: unreadable answer (HTTP ${res.status})`, res.status);
  return parsed.result;
}

/** `GET /api/v1/check`: null when the daemon is up, else what went wrong. */
export async function check(baseUrl: string, timeoutMs = 2_000): Promise<string | null> {
  try {
    const res = await fetch(`${baseUrl}/api/v1/check`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.ok ? null : `HTTP ${res.status}`;
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
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: "text/event-stream" }, signal: opts.signal });
  } catch (err) {
    if (opts.signal.aborted) return;
    throw new SignalHttpError(`cannot reach signal-cli at ${opts.baseUrl} (${describeCause(err)})`);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new SignalHttpError(`signal-cli event stream refused: HTTP ${res.status}`, res.status);
  }
  opts.onOpen();
  const parser = createParser({ onEvent: (e) => opts.onEvent(e.event, e.data) });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      parser.feed(decoder.decode(chunk, { stream: true }));
    }
  } catch (err) {
    if (opts.signal.aborted) return;
    throw new SignalHttpError(`signal-cli event stream broke (${describeCause(err)})`);
  }
}
