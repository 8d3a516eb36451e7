/**
 * HTTP for the Discord adapter on `node:http`/`node:https`, with keep-alive agents per adapter.
 *
 * Why not `fetch`: in Node 20 the first `fetch` (or `Headers`, `FormData`, `Response`) loads undici
 * and its WebAssembly HTTP parser, about 20 MB of RSS, for a process meant to idle near 60 MB. The
 * REST client takes this as its `makeRequest`, and uploads are encoded here as multipart bodies so it
 * never builds a `FormData` either.
 */
import http from "node:http";
import https from "node:https";
import { randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

export interface HttpResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface HttpRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | null;
  signal?: AbortSignal | null;
  /** Fail (and stop reading) once the response body is larger than this. */
  maxBytes?: number;
}

/** The response shape `@discordjs/rest` reads (a subset of fetch's `Response`). */
export interface ResponseLike {
  status: number;
  statusText: string;
  ok: boolean;
  headers: { get(name: string): string | null; has(name: string): boolean };
  body: null;
  bodyUsed: boolean;
  arrayBuffer(): Promise<ArrayBuffer>;
  json(): Promise<unknown>;
  text(): Promise<string>;
}

export class HttpClient {
  private readonly agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 8 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 8 }),
  };

  request(url: string, opts: HttpRequest = {}, redirects = 3): Promise<HttpResponse> {
    const u = new URL(url);
    const secure = u.protocol === "https:";
    if (!secure && u.protocol !== "http:") return Promise.reject(new TypeError(`unsupported URL ${u.protocol}`));
    const body = opts.body ?? null;
    const headers: Record<string, string> = { ...opts.headers };
    if (body !== null) headers["Content-Length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
    return new Promise<HttpResponse>((resolve, reject) => {
      const req = (secure ? https : http).request(
        u,
        { method: opts.method ?? "GET", headers, agent: secure ? this.agents.https : this.agents.http, signal: opts.signal ?? undefined },
        (res) => {
          const status = res.statusCode ?? 0;
          const location = res.headers.location;
          if (status >= 300 && status < 400 && location && redirects > 0 && (opts.method ?? "GET") === "GET") {
            res.resume();
            this.request(new URL(location, u).href, opts, redirects - 1).then(resolve, reject);
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (c: Buffer) => {
            size += c.length;
            if (opts.maxBytes !== undefined && size > opts.maxBytes) {
              res.destroy();
              reject(Object.assign(new Error(`response larger than ${opts.maxBytes} bytes`), { code: "ETOOBIG" }));
              return;
            }
            chunks.push(c);
          });
          res.on("end", () => resolve({ status, statusText: res.statusMessage ?? "", headers: res.headers, body: Buffer.concat(chunks) }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body ?? undefined);
    });
  }

  /** `makeRequest` for `@discordjs/rest`: string or byte bodies only (uploads come pre-encoded). */
  readonly makeRequest = async (
    url: string,
    init: { method?: string; headers?: unknown; body?: unknown; signal?: AbortSignal | null },
  ): Promise<ResponseLike> => {
    const body = init.body ?? null;
    if (body !== null && typeof body !== "string" && !(body instanceof Uint8Array)) throw new TypeError("unsupported request body");
    const res = await this.request(url, {
      method: init.method,
      headers: init.headers as Record<string, string>,
      body,
      signal: init.signal,
    });
    return toResponseLike(res);
  };

  destroy(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

function toResponseLike(res: HttpResponse): ResponseLike {
  const header = (name: string) => {
    const v = res.headers[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
  };
  return {
    status: res.status,
    statusText: res.statusText,
    ok: res.status >= 200 && res.status < 300,
    headers: { get: header, has: (name) => header(name) !== null },
    body: null,
    bodyUsed: false,
    arrayBuffer: async () => res.body.buffer.slice(res.body.byteOffset, res.body.byteOffset + res.body.byteLength) as ArrayBuffer,
    json: async () => JSON.parse(res.body.toString("utf8")),
    text: async () => res.body.toString("utf8"),
  };
}

/** A `multipart/form-data` body: named JSON/text fields first, then files. */
export function multipart(
  fields: Record<string, string>,
  files: Array<{ field: string; name: string; contentType: string; data: Uint8Array }>,
): { body: Buffer; contentType: string } {
  const boundary = `----openclaw${randomBytes(12).toString("hex")}`;
  const parts: Buffer[] = [];
  const quote = (s: string) => s.replace(/["\r\n\\]/g, "_");
  for (const [name, value] of Object.entries(fields)) {
    const type = name === "payload_json" ? "\r\nContent-Type: application/json" : "";
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"${type}\r\n\r\n${value}\r\n`));
  }
  for (const f of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${quote(f.field)}"; filename="${quote(f.name)}"\r\nContent-Type: ${f.contentType}\r\n\r\n`,
      ),
      Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength),
      Buffer.from("\r\n"),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
