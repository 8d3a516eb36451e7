/**
 * The `fetch` the model SDKs are given: the same contract as the global one, over `node:http` and
 * `node:https` with kept-alive connections. The global `fetch` runs every request through undici's
 * spec machinery and a WebAssembly HTTP parser, which costs about a millisecond of CPU per model
 * call and well over 10 MB of memory from the first call on; Node's own HTTP client does the same
 * job for a fraction of both.
 *
 * The response is a `Response` whose body is Node's response stream itself, as node-fetch gives it:
 * an async iterable of byte chunks, in the order they arrive. That is how the model SDKs read a body
 * (they look for `Symbol.asyncIterator` before `getReader()`), and it spares every chunk of a streamed
 * reply the trip through a web stream adapter: about a quarter of the CPU a streamed call costs here.
 * `text()`, `json()`, `arrayBuffer()` and `blob()` read it whole.
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

/** Reads a Node stream to its end. */
async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `Response` as a base class (the DOM typings declare its methods as properties, not methods). */
const ResponseBase = Response as unknown as new (body: null, init: ResponseInit) => { readonly headers: Headers };

/** A response whose body is a Node stream (see the module's comment). */
class NodeBodyResponse extends ResponseBase {
  readonly #stream: Readable | null;
  readonly #url: string;
  #used = false;

  constructor(stream: Readable | null, init: ResponseInit, url: string) {
    super(null, init);
    this.#stream = stream;
    this.#url = url;
  }

  get url(): string {
    return this.#url;
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.#stream as unknown as ReadableStream<Uint8Array> | null;
  }

  get bodyUsed(): boolean {
    return this.#used || Boolean(this.#stream?.readableDidRead);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.#consume();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
  }

  async text(): Promise<string> {
    return (await this.#consume()).toString("utf8");
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async blob(): Promise<Blob> {
    return new Blob([await this.arrayBuffer()], { type: this.headers.get("content-type") ?? "" });
  }

  clone(): Response {
    throw new TypeError("this response's body is a stream that can be read once; it cannot be cloned");
  }

  async #consume(): Promise<Buffer> {
    if (this.bodyUsed) throw new TypeError("Body is unusable: Body has already been read");
    this.#used = true;
    return this.#stream ? readAll(this.#stream) : Buffer.alloc(0);
  }
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
      let reply: http.IncomingMessage | undefined;
      const req = mod.request(url, { method, headers, agent }, (res) => {
        reply = res;
        const status = res.statusCode ?? 0;
        const responseHeaders = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        const empty = method === "HEAD" || status === 204 || status === 304;
        if (empty) res.resume();
        // A reader learns of a failed body from its read; one that stopped reading (the reply was cut
        // off, the run aborted) must not have the stream's late error thrown at the process.
        res.on("error", () => {});
        const init = { status, statusText: res.statusMessage ?? "", headers: responseHeaders };
        resolve(new NodeBodyResponse(empty ? null : res, init, url.href) as unknown as Response);
      });
      // Once the reply has begun, the abort ends its body (a reader gets the reason from its next
      // read); destroying the request then would throw the socket's error at nobody.
      const abort = () => {
        const reason = signal?.reason instanceof Error ? signal.reason : new DOMException("This operation was aborted", "AbortError");
        if (reply) reply.destroy(reason);
        else req.destroy(reason);
      };
      signal?.addEventListener("abort", abort, { once: true });
      req.once("close", () => signal?.removeEventListener("abort", abort));
      req.once("error", (e) => reject(signal?.aborted ? (signal.reason ?? e) : new TypeError("fetch failed", { cause: e })));
      if (body instanceof Readable) body.pipe(req);
      else req.end(body ?? undefined);
    });
  };
  return httpFetch as typeof fetch;
}
