/**
 * One HTTP(S) GET to an address that was already checked. node:http's `lookup` option pins the
 * connection to that address (the URL's name still goes into the Host header and TLS SNI, so
 * certificates are verified against the name). It needs no HTTP client library: the bundle avoids
 * undici, and Node 20 does not expose the copy inside its own fetch.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { LookupFunction } from "node:net";
import type { ResolvedAddress } from "./ssrf.js";

export interface PinnedResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  /** The body, up to `maxBytes` (empty for redirects). */
  body: Buffer;
  /** True when the body was longer than `maxBytes` and reading stopped there. */
  overflow: boolean;
}

export interface PinnedRequest {
  url: URL;
  to: ResolvedAddress;
  headers: Record<string, string>;
  signal: AbortSignal;
  maxBytes: number;
  /** Return without reading the body (a redirect). */
  skipBody?: (status: number) => boolean;
}

export async function pinnedGet(r: PinnedRequest): Promise<PinnedResponse> {
  const mod = r.url.protocol === "https:" ? await import("node:https") : await import("node:http");
  const lookup: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as any)(null, [{ address: r.to.address, family: r.to.family }]);
    else callback(null, r.to.address, r.to.family);
  };
  return new Promise<PinnedResponse>((resolve, reject) => {
    const req = mod.get(r.url, { headers: r.headers, lookup, signal: r.signal, agent: false }, (res) => {
      const status = res.statusCode ?? 0;
      const head = { status, statusText: res.statusMessage ?? "", headers: res.headers };
      if (r.skipBody?.(status)) {
        resolve({ ...head, body: Buffer.alloc(0), overflow: false });
        res.destroy();
        return;
      }
      const declared = Number(res.headers["content-length"]);
      if (Number.isFinite(declared) && declared > r.maxBytes) {
        resolve({ ...head, body: Buffer.alloc(0), overflow: true });
        res.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        if (size + chunk.length > r.maxBytes) {
          chunks.push(chunk.subarray(0, r.maxBytes - size));
          size = r.maxBytes;
          resolve({ ...head, body: Buffer.concat(chunks), overflow: true });
          res.destroy(); // stop reading: nothing past the cap is downloaded
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on("end", () => resolve({ ...head, body: Buffer.concat(chunks), overflow: false }));
      res.on("error", reject);
      res.on("aborted", () => reject(r.signal.aborted ? r.signal.reason : new Error("the server closed the connection mid-response")));
    });
    req.on("error", (e) => reject(r.signal.aborted ? r.signal.reason : e));
  });
}
