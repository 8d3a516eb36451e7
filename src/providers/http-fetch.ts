/**
 * The `fetch` the model SDKs are given: the same contract as the global one, over `node:http` and
 * `node:https` with kept-alive connections. The global `fetch` runs every request through undici's
 * spec machinery and a WebAssembly HTTP parser, which costs about a millisecond of CPU per model
 * call and well over 10 MB of memory from the first call on; Node's own HTTP client does the same
 * job for a fraction of both. The response is a standard `Response` whose body streams as it arrives.
 */
import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";

type FetchInput = string | URL | Request;

export interface HttpFetchOptions {
  /** Sockets kept open per host between calls (default 8). */
  maxFreeSockets?: number;
}

function headerRecord(h: RequestInit["headers"] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  if (typeof (h as Headers).forEach === "function" && !Array.isArray(h)) {
    (h as Headers).forEach((v, k) => (out[k] = v));
    return out;
  }
  const entries: Array<[string, unknown]> = Array.isArray(h)
    ? (h as Array<[string, string]>).map(([k, v]) => [k, v])
    : Object.entries(h as Record<string, unknown>);
  for (const [k, v] of entries) if (v !== undefined && v !== null) out[k.toLowerCase()] = String(v);
  return out;
}

async function bodyBytes(body: RequestInit["body"] | undefined, headers: Record<string, string>): Promise<Buffer | Readable | null> {
  if (body === undefined || body === null) return null;
  if (typeof body === "string") return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (body instanceof URLSearchParams) {
    headers["content-type"] ??= "application/x-www-form-urlencoded;charset=UTF-8";
    return Buffer.from(body.toString());
  }
  if (typeof (body as ReadableStream).getReader === "function") return Readable.fromWeb(body as never);
  // FormData, Blob and anything else: let the platform encode it, with its content type.
  const encoded = new Response(body as ConstructorParameters<typeof Response>[0]);
  const type = encoded.headers.get("content-type");
  if (type && !headers["content-type"]) headers["content-type"] = type;
  return Buffer.from(await encoded.arrayBuffer());
}

/** A `fetch` over Node's HTTP client with kept-alive connections (one pool per returned function). */
export function createHttpFetch(opts: HttpFetchOptions = {}): typeof fetch {
  const agents = {
    "http:": new http.Agent({ keepAlive: true, maxFreeSockets: opts.maxFreeSockets ?? 8 }),
    "https:": new https.Agent({ keepAlive: true, maxFreeSockets: opts.maxFreeSockets ?? 8 }),
  };
  const httpFetch = async (input: FetchInput, init: RequestInit = {}): Promise<Response> => {
    if (typeof input !== "string" && !(input instanceof URL)) {
      // A Request object: rare from the SDKs; the platform's fetch handles it whole.
      return fetch(input, init);
    }
    const url = new URL(input);
    const agent = agents[url.protocol as "http:" | "https:"];
    if (!agent) throw new TypeError(`fetch: unsupported protocol ${url.protocol}`);
    const signal = init.signal ?? undefined;
    signal?.throwIfAborted();
    const headers = headerRecord(init.headers);
    const body = await bodyBytes(init.body, headers);
    if (Buffer.isBuffer(body)) headers["content-length"] = String(body.length);
    const method = (init.method ?? "GET").toUpperCase();
    return new Promise<Response>((resolve, reject) => {
      const mod = url.protocol === "https:" ? https : http;
      const req = mod.request(url, { method, headers, agent }, (res) => {
        const status = res.statusCode ?? 0;
        const responseHeaders = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        const empty = method === "HEAD" || status === 204 || status === 304;
        if (empty) res.resume();
        const response = new Response(empty ? null : (Readable.toWeb(res) as ReadableStream), {
          status,
          statusText: res.statusMessage ?? "",
          headers: responseHeaders,
        });
        Object.defineProperty(response, "url", { value: url.href });
        resolve(response);
      });
      const abort = () =>
        req.destroy(signal?.reason instanceof Error ? signal.reason : new DOMException("This operation was aborted", "AbortError"));
      signal?.addEventListener("abort", abort, { once: true });
      req.once("close", () => signal?.removeEventListener("abort", abort));
      req.once("error", (e) => reject(signal?.aborted ? (signal.reason ?? e) : new TypeError("fetch failed", { cause: e })));
      if (body instanceof Readable) body.pipe(req);
      else req.end(body ?? undefined);
    });
  };
  return httpFetch as typeof fetch;
}
