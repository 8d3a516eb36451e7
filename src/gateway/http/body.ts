/**
 * A cap on request bodies that a library reads on its own (Slack's Bolt buffers the whole body before
 * it checks the signature): the body is read here first, refused with 413 as soon as it passes the
 * cap (or when its declared length already does), and handed on already buffered as `req.rawBody`,
 * which such libraries use instead of reading the stream again.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

function refuse(res: ServerResponse, maxBytes: number, what: string): void {
  if (res.headersSent) return void res.end();
  const text = JSON.stringify({
    error: {
      code: "PAYLOAD_TOO_LARGE",
      message: `request body is larger than ${maxBytes} bytes, the limit for ${what}; send a smaller payload`,
    },
  });
  // `connection: close` so the rest of an oversized body is not read into the next request.
  res.writeHead(413, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), connection: "close" });
  res.end(text);
}

/** The request ended before its body did. */
export class BodyAbortedError extends Error {
  constructor() {
    super("the request was aborted");
    this.name = "BodyAbortedError";
  }
}

/**
 * The request's body, or null when its declared length or, as soon as it passes, what arrives exceeds
 * `maxBytes` (nothing past the cap is kept; the stream is left for the caller to pause or drain).
 * Rejects with the stream's error, or a {@link BodyAbortedError} when the client goes away mid-body.
 */
export function readBodyUpTo(req: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      settle();
    };
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        return finish(() => resolve(null));
      }
      chunks.push(chunk);
    });
    req.on("end", () => finish(() => resolve(Buffer.concat(chunks))));
    req.on("error", (e) => finish(() => reject(e)));
    req.on("aborted", () => finish(() => reject(new BodyAbortedError())));
  });
}

/** Wraps `handler` so that it only ever sees bodies of at most `maxBytes`, buffered in `req.rawBody`. */
export function withBodyLimit(handler: Handler, maxBytes: number, what: string): Handler {
  return async (req, res) => {
    let body: Buffer | null;
    try {
      body = await readBodyUpTo(req, maxBytes);
    } catch {
      return; // the client went away
    }
    if (!body) {
      refuse(res, maxBytes, what);
      return void req.pause();
    }
    (req as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
    await handler(req, res);
  };
}

/**
 * Bytes of request bodies held in memory at once, across requests: each request's cap alone does not
 * stop twenty of them arriving together. A request that would pass the budget is refused (503, retry
 * later) instead of being read.
 */
export class BodyBudget {
  used = 0;
  constructor(readonly maxBytes: number) {}
  /** Reserves `n` bytes; false (nothing reserved) when that would pass the budget. */
  take(n: number): boolean {
    if (this.used + n > this.maxBytes) return false;
    this.used += n;
    return true;
  }
  give(n: number): void {
    this.used = Math.max(0, this.used - n);
  }
}
