/** Serving the Control UI: base path, SPA fallback, content types, caching, policy, the "not built" page. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import WebSocket from "ws";
import { startTestGateway, tmpDir, type TestGateway } from "../helpers/gateway.js";

/** A small stand-in for the built UI, shaped like Vite's output. */
function fakeBuild(): string {
  const dir = tmpDir("oc-ui-");
  fs.mkdirSync(path.join(dir, "assets"));
  fs.writeFileSync(
    path.join(dir, "index.html"),
    `<!doctype html><html><head><script type="module" crossorigin src="./assets/index-abc123.js"></script><link rel="stylesheet" href="./assets/index-def456.css"></head><body><oc-app></oc-app></body></html>`,
  );
  fs.writeFileSync(path.join(dir, "assets", "index-abc123.js"), "console.log('ui')\n");
  fs.writeFileSync(path.join(dir, "assets", "index-def456.css"), "body{}\n");
  fs.writeFileSync(path.join(dir, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
  return dir;
}

describe("Control UI over HTTP", () => {
  let root: string;
  let gw: TestGateway;
  before(async () => {
    root = fakeBuild();
    gw = await startTestGateway({ controlUiRoot: root });
  });
  after(() => gw.close());

  it("serves index.html at / with a strict policy and absolute asset URLs", async () => {
    const res = await fetch(`${gw.httpUrl}/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(res.headers.get("cache-control"), "no-cache");
    const csp = res.headers.get("content-security-policy") ?? "";
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${gw.port} wss://127\\.0\\.0\\.1:${gw.port}`));
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    const body = await res.text();
    assert.match(body, /src="\/assets\/index-abc123\.js"/);
    assert.match(body, /<meta name="openclaw-base-path" content="\/">/);
  });

  it("serves hashed assets with their type and a long cache, other files revalidated", async () => {
    const js = await fetch(`${gw.httpUrl}/assets/index-abc123.js`);
    assert.equal(js.status, 200);
    assert.equal(js.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.match(js.headers.get("cache-control") ?? "", /max-age=31536000, immutable/);
    assert.equal(await js.text(), "console.log('ui')\n");
    const css = await fetch(`${gw.httpUrl}/assets/index-def456.css`);
    assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");
    const svg = await fetch(`${gw.httpUrl}/favicon.svg`);
    assert.equal(svg.headers.get("content-type"), "image/svg+xml");
    assert.equal(svg.headers.get("cache-control"), "no-cache");
  });

  it("falls back to index.html for app routes, but not for missing files or API paths", async () => {
    for (const p of ["/sessions", "/config", "/logs/anything"]) {
      const res = await fetch(gw.httpUrl + p);
      assert.equal(res.status, 200, p);
      assert.match(await res.text(), /<oc-app>/);
    }
    assert.equal((await fetch(`${gw.httpUrl}/assets/missing-123.js`)).status, 404);
    assert.equal((await fetch(`${gw.httpUrl}/missing.png`)).status, 404);
    assert.equal((await fetch(`${gw.httpUrl}/v1/models`)).status, 404);
    assert.equal((await fetch(`${gw.httpUrl}/..%2f..%2fetc%2fpasswd`)).status, 200, "a path out of the folder is just an app route");
    assert.doesNotMatch(await (await fetch(`${gw.httpUrl}/..%2f..%2fetc%2fpasswd`)).text(), /root:/);
    assert.equal((await fetch(`${gw.httpUrl}/`, { method: "POST" })).status, 405);
    assert.equal((await fetch(`${gw.httpUrl}/healthz`)).status, 200);
  });

  it("moves under gateway.controlUi.basePath", async () => {
    const other = await startTestGateway({ controlUiRoot: root, config: { gateway: { controlUi: { basePath: "/openclaw" } } } });
    try {
      const res = await fetch(`${other.httpUrl}/openclaw/`);
      assert.equal(res.status, 200);
      const body = await res.text();
      assert.match(body, /src="\/openclaw\/assets\/index-abc123\.js"/);
      assert.match(body, /content="\/openclaw\/"/);
      assert.equal((await fetch(`${other.httpUrl}/openclaw/assets/index-abc123.js`)).status, 200);
      assert.equal((await fetch(`${other.httpUrl}/openclaw/usage`)).status, 200);
      const bare = await fetch(`${other.httpUrl}/openclaw`, { redirect: "manual" });
      assert.equal(bare.status, 302);
      assert.equal(bare.headers.get("location"), "/openclaw/");
      const rootRes = await fetch(`${other.httpUrl}/`, { redirect: "manual" });
      assert.equal(rootRes.status, 302);
      assert.equal((await fetch(`${other.httpUrl}/assets/index-abc123.js`)).status, 404);
    } finally {
      await other.close();
    }
  });

  it("is off with gateway.controlUi.enabled false", async () => {
    const other = await startTestGateway({ controlUiRoot: root, config: { gateway: { controlUi: { enabled: false } } } });
    try {
      assert.equal((await fetch(`${other.httpUrl}/`)).status, 404);
      assert.equal((await fetch(`${other.httpUrl}/healthz`)).status, 200);
    } finally {
      await other.close();
    }
  });

  it("says how to build the UI when it is missing", async () => {
    const other = await startTestGateway({ controlUiRoot: null });
    try {
      const res = await fetch(`${other.httpUrl}/`);
      assert.equal(res.status, 503);
      const body = await res.text();
      assert.match(body, /Control UI not built/);
      assert.match(body, /npm run build/);
    } finally {
      await other.close();
    }
  });
});

describe("browser connections from other sites", () => {
  it("a page from another origin cannot use a token-less loopback gateway", async () => {
    const gw = await startTestGateway({ controlUiRoot: null });
    try {
      const attempt = (origin: string | undefined) =>
        new Promise<{ ok: boolean; message?: string }>((resolve, reject) => {
          const ws = new WebSocket(gw.wsUrl, origin ? { origin } : {});
          // Refused before the WebSocket opens: the answer is a plain HTTP 403 with the reason.
          ws.on("unexpected-response", (_req, res) => {
            let body = "";
            res.on("data", (d: Buffer) => (body += d));
            res.on("end", () => resolve({ ok: false, message: `${res.statusCode} ${body}` }));
          });
          ws.on("message", (d) => {
            const f = JSON.parse(String(d));
            if (f.type === "event" && f.event === "connect.challenge") {
              ws.send(
                JSON.stringify({
                  type: "req",
                  id: "1",
                  method: "connect",
                  params: { minProtocol: 3, maxProtocol: 3, client: { id: "webchat-ui", version: "1", platform: "web", mode: "ui" } },
                }),
              );
            } else if (f.type === "res") {
              ws.close();
              resolve({ ok: f.ok, message: f.error?.message });
            }
          });
          ws.on("error", reject);
        });
      const evil = await attempt("http://evil.example");
      assert.equal(evil.ok, false);
      assert.match(evil.message ?? "", /^403 .*FORBIDDEN_ORIGIN.*cross-site request refused/);
      assert.equal((await attempt(`http://127.0.0.1:${gw.port}`)).ok, true, "the gateway's own page is fine");
      assert.equal((await attempt(undefined)).ok, true, "non-browser clients send no Origin");
    } finally {
      await gw.close();
    }
  });
});
