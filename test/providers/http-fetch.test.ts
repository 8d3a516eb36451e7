/** The fetch the model SDKs use: the global fetch's contract over Node's HTTP client. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createHttpFetch } from "../../src/providers/http-fetch.js";

describe("http fetch", { timeout: 20_000 }, () => {
  let server: http.Server;
  let base = "";
  let release: (() => void) | null = null;
  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        if (req.url === "/stream") {
          res.writeHead(200, { "content-type": "text/event-stream", "x-first": "1" });
          res.write("data: one\n\n");
          release = () => res.end("data: two\n\n");
          return;
        }
        if (req.url === "/hang") return; // never answers
        res.writeHead(201, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            method: req.method,
            type: req.headers["content-type"],
            auth: req.headers.authorization,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });

  it("sends method, headers and body, and answers with status, headers and JSON", async () => {
    const f = createHttpFetch();
    const res = await f(`${base}/echo`, {
      method: "POST",
      headers: new Headers({ "Content-Type": "application/json", Authorization: "Bearer k" }),
      body: JSON.stringify({ a: 1 }),
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.deepEqual(await res.json(), { method: "POST", type: "application/json", auth: "Bearer k", body: '{"a":1}' });
  });

  it("streams the body as it arrives", async () => {
    const res = await createHttpFetch()(`${base}/stream`);
    assert.equal(res.headers.get("x-first"), "1");
    const reader = res.body!.getReader();
    const first = await reader.read();
    assert.equal(Buffer.from(first.value!).toString(), "data: one\n\n", "the first event before the response ends");
    release!();
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += Buffer.from(r.value).toString();
    assert.equal(rest, "data: two\n\n");
  });

  it("an abort rejects with the signal's reason, and a refused connection is a TypeError as fetch's is", async () => {
    const controller = new AbortController();
    const pending = createHttpFetch()(`${base}/hang`, { signal: controller.signal });
    setImmediate(() => controller.abort(new Error("run stopped")));
    await assert.rejects(pending, /run stopped/);
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await assert.rejects(
      createHttpFetch()(`http://127.0.0.1:${port}/`),
      (e: Error) => e instanceof TypeError && /fetch failed/.test(e.message),
    );
  });
});
