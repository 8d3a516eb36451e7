import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createWebFetch, type WebFetchDeps } from "../../src/tools/web/fetch.js";
import { isBlockedHostname, isPrivateAddress } from "../../src/tools/web/ssrf.js";
import { unimplementedPaths } from "../../src/config/support.js";
import type { ToolContext, ToolResult } from "../../src/tools/registry.js";
import { cli, spawnGateway, startTestGateway, tmpDir, writeConfig } from "../helpers/gateway.js";
import { KEYS, chatClient, fakeConfig, startFakes } from "../helpers/agents.js";

const ARTICLE = `<!doctype html>
<html><head><title>The Quiet Harbour</title><script>window.tracking = "should not appear";</script></head>
<body>
<nav><a href="/">Home</a> <a href="/about">About</a></nav>
<article>
<h1>The Quiet Harbour</h1>
<p>At dawn the fishing boats slip out past the lighthouse, their engines barely audible over the gulls.</p>
<p>The harbour master has kept the same ledger for thirty years, noting every vessel that comes and goes.</p>
<p>Visitors often remark that the town seems to run on tide tables rather than clocks.</p>
</article>
<footer>Copyright the harbour</footer>
</body></html>`;

interface Site {
  base: string;
  port: number;
  requests: string[];
  /** Bytes written for /big before the client hung up. */
  bigSent: Promise<number>;
  close(): Promise<void>;
}

async function startSite(): Promise<Site> {
  const requests: string[] = [];
  let bigDone!: (n: number) => void;
  const bigSent = new Promise<number>((r) => (bigDone = r));
  const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    requests.push(url);
    const redirect = /^\/hop\/(\d+)$/.exec(url);
    if (url === "/article") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(ARTICLE);
    } else if (redirect) {
      const n = Number(redirect[1]);
      res.writeHead(302, { location: n > 0 ? `/hop/${n - 1}` : "/article" });
      res.end();
    } else if (url === "/to-metadata") {
      res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" });
      res.end();
    } else if (url === "/to-localhost") {
      res.writeHead(301, { location: `http://localhost:${(server.address() as AddressInfo).port}/article` });
      res.end();
    } else if (url === "/loop") {
      res.writeHead(302, { location: "/loop" });
      res.end();
    } else if (url === "/data.json") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"tide":"high","at":"06:12"}');
    } else if (url === "/missing") {
      res.writeHead(404, { "content-type": "text/html" });
      res.end("<html><head><title>Not here</title></head><body><p>No such page on this site.</p></body></html>");
    } else if (url === "/big") {
      // No Content-Length: the client must stop reading on its own.
      res.writeHead(200, { "content-type": "text/plain" });
      const chunk = Buffer.alloc(64 * 1024, "a");
      let sent = 0;
      const pump = () => {
        while (sent < 64 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      res.on("close", () => bigDone(sent));
      pump();
    } else if (url === "/slow") {
      // Never answers; the client's timeout must end the request.
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    requests,
    bigSent,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function ctx(signal = new AbortController().signal): ToolContext {
  return { sessionKey: "agent:main:main", agentId: "main", workspaceDir: "/nonexistent", signal, now: Date.now };
}

async function fetchWith(
  args: { url: string; extractMode?: "markdown" | "text"; maxChars?: number },
  config: Record<string, unknown> = {},
  deps: WebFetchDeps = {},
  signal?: AbortSignal,
): Promise<ToolResult> {
  return createWebFetch(deps)
    .tool({ tools: { web: { fetch: config } } } as never)
    .run(args, ctx(signal));
}

/** Only the test server's address passes the guard; everything else private is still refused. */
const onlyLoopbackServer: WebFetchDeps = { allowAddress: (a) => a === "127.0.0.1" };

describe("web_fetch", () => {
  let site: Site;
  before(async () => {
    site = await startSite();
  });
  after(async () => {
    await site.close();
  });

  it("refuses a loopback address by default and names the key that allows it", { timeout: 10_000 }, async () => {
    const before = site.requests.length;
    const out = await fetchWith({ url: `${site.base}/article` });
    assert.equal(out.isError, true);
    assert.match(out.text, /127\.0\.0\.1/);
    assert.match(out.text, /private, loopback or link-local/);
    assert.match(out.text, /tools\.web\.fetch\.allowPrivateNetwork/);
    assert.equal(site.requests.length, before, "no request reached the server");

    const named = await fetchWith({ url: `http://localhost:${site.port}/article` });
    assert.equal(named.isError, true);
    assert.match(named.text, /local or internal host/);
  });

  it("fetches a page as readable markdown with its title once allowPrivateNetwork is set", { timeout: 10_000 }, async () => {
    const out = await fetchWith({ url: `${site.base}/article` }, { allowPrivateNetwork: true });
    assert.equal(out.isError, undefined, out.text);
    const p = JSON.parse(out.text);
    assert.equal(p.title, "The Quiet Harbour");
    assert.equal(p.status, 200);
    assert.equal(p.extractMode, "markdown");
    assert.equal(p.extractor, "readability");
    assert.equal(p.url, `${site.base}/article`);
    assert.equal(p.finalUrl, `${site.base}/article`);
    assert.match(p.contentType, /text\/html/);
    assert.match(p.text, /harbour master has kept the same ledger/);
    assert.doesNotMatch(p.text, /should not appear/);
    assert.doesNotMatch(p.text, /<p>/);
    assert.equal(p.truncated, false);
    assert.equal(p.length, p.text.length);
    assert.ok(!Number.isNaN(Date.parse(p.fetchedAt)));
    assert.equal(typeof p.tookMs, "number");

    const short = JSON.parse(
      (await fetchWith({ url: `${site.base}/article`, extractMode: "text", maxChars: 100 }, { allowPrivateNetwork: true })).text,
    );
    assert.equal(short.extractMode, "text");
    assert.equal(short.truncated, true);
    assert.equal(short.text.length, 100);
  });

  it("answers from its cache within cacheTtlMinutes", { timeout: 10_000 }, async () => {
    const tool = createWebFetch().tool({ tools: { web: { fetch: { allowPrivateNetwork: true } } } } as never);
    const url = `${site.base}/data.json`;
    const first = JSON.parse((await tool.run({ url }, ctx())).text);
    const seen = site.requests.filter((r) => r === "/data.json").length;
    const second = JSON.parse((await tool.run({ url }, ctx())).text);
    assert.equal(first.extractor, "json");
    assert.deepEqual(JSON.parse(first.text), { tide: "high", at: "06:12" });
    assert.equal(second.cached, true);
    assert.equal(site.requests.filter((r) => r === "/data.json").length, seen, "the second call did not reach the site");
  });

  it("follows redirects up to maxRedirects and stops beyond", { timeout: 10_000 }, async () => {
    const ok = JSON.parse((await fetchWith({ url: `${site.base}/hop/2` }, {}, onlyLoopbackServer)).text);
    assert.equal(ok.finalUrl, `${site.base}/article`, "three redirects are within the default limit of 3");
    assert.equal(ok.title, "The Quiet Harbour");

    const tooMany = await fetchWith({ url: `${site.base}/hop/3` }, {}, onlyLoopbackServer);
    assert.equal(tooMany.isError, true);
    assert.match(tooMany.text, /Too many redirects.*more than 3 times.*tools\.web\.fetch\.maxRedirects/);

    const none = await fetchWith({ url: `${site.base}/hop/0` }, { maxRedirects: 0 }, onlyLoopbackServer);
    assert.match(none.text, /more than 0 times/);

    const loop = await fetchWith({ url: `${site.base}/loop` }, {}, onlyLoopbackServer);
    assert.match(loop.text, /Redirect loop/);
  });

  it("refuses a redirect from an allowed host to a private address or local name", { timeout: 10_000 }, async () => {
    const meta = await fetchWith({ url: `${site.base}/to-metadata` }, {}, onlyLoopbackServer);
    assert.equal(meta.isError, true);
    assert.match(meta.text, /169\.254\.169\.254/);
    assert.match(meta.text, /allowPrivateNetwork/);

    const local = await fetchWith({ url: `${site.base}/to-localhost` }, {}, onlyLoopbackServer);
    assert.equal(local.isError, true);
    assert.match(local.text, /Refused to fetch localhost/);
  });

  it("resolves a name once and connects to the address it checked", { timeout: 10_000 }, async () => {
    const asked: string[] = [];
    const deps: WebFetchDeps = {
      ...onlyLoopbackServer,
      resolve: async (host) => {
        asked.push(host);
        return [{ address: "127.0.0.1", family: 4 }];
      },
    };
    // "harbour.test" is not in any DNS: the page can only come from the pinned address.
    const out = JSON.parse((await fetchWith({ url: `http://harbour.test:${site.port}/article` }, {}, deps)).text);
    assert.equal(out.title, "The Quiet Harbour");
    assert.deepEqual(asked, ["harbour.test"]);

    const mixed = await fetchWith(
      { url: `http://mixed.test:${site.port}/article` },
      {},
      {
        resolve: async () => [
          { address: "93.184.216.34", family: 4 },
          { address: "10.0.0.7", family: 4 },
        ],
      },
    );
    assert.equal(mixed.isError, true, "one private address among the answers is enough to refuse");
    assert.match(mixed.text, /10\.0\.0\.7/);
  });

  it("stops reading a body past the size cap", { timeout: 15_000 }, async () => {
    const out = await fetchWith({ url: `${site.base}/big` }, {}, { ...onlyLoopbackServer, maxBytes: 256 * 1024 });
    assert.equal(out.isError, true);
    assert.match(out.text, /larger than 0\.25 MB.*reading stopped/);
    const sent = await site.bigSent;
    assert.ok(sent < 16 * 1024 * 1024, `the server was cut off early (it sent ${sent} bytes of 64 MB)`);
  });

  it("times out after timeoutSeconds, and stops when the run is aborted", { timeout: 15_000 }, async () => {
    const t0 = Date.now();
    const out = await fetchWith({ url: `${site.base}/slow` }, { timeoutSeconds: 1 }, onlyLoopbackServer);
    assert.equal(out.isError, true);
    assert.match(out.text, /Timed out after 1 s.*tools\.web\.fetch\.timeoutSeconds/);
    assert.ok(Date.now() - t0 < 5_000);

    const stop = new AbortController();
    const pending = fetchWith({ url: `${site.base}/slow` }, {}, onlyLoopbackServer, stop.signal);
    const seen = site.requests.filter((r) => r === "/slow").length;
    while (site.requests.filter((r) => r === "/slow").length === seen) await new Promise((r) => setImmediate(r));
    stop.abort();
    const aborted = await pending;
    assert.equal(aborted.isError, true);
    assert.match(aborted.text, /cancelled/);
  });

  it("reports HTTP errors, bad URLs and a disabled tool", { timeout: 10_000 }, async () => {
    const missing = await fetchWith({ url: `${site.base}/missing` }, {}, onlyLoopbackServer);
    assert.equal(missing.isError, true);
    assert.match(missing.text, /HTTP 404.*Check the URL/);
    assert.match(missing.text, /No such page on this site/);
    assert.doesNotMatch(missing.text, /<p>/);

    const ftp = await fetchWith({ url: "ftp://example.com/file" });
    assert.match(ftp.text, /only http:\/\/ and https:\/\//);
    const junk = await fetchWith({ url: "not a url" });
    assert.match(junk.text, /Invalid URL/);

    const tool = createWebFetch().tool({} as never);
    const offered = (config: unknown) =>
      tool.available!({ config: config as never, agentId: "main", provider: "anthropic", modelId: "claude-opus-4-5" });
    assert.equal(offered({}), true);
    assert.equal(offered({ tools: { web: { fetch: { enabled: false } } } }), false, "tools.web.fetch.enabled: false is followed at once");
  });

  it("counts the web tools as implemented in the start-up warning, naming what is not", () => {
    const paths = unimplementedPaths({
      tools: { web: { fetch: { maxChars: 1000, firecrawl: { enabled: true } }, search: { enabled: true } }, exec: {}, media: {} },
    } as never);
    assert.deepEqual(paths.sort(), ["tools.media", "tools.web.fetch.firecrawl"]);
  });
});

describe("private address classifier", () => {
  it("treats internal IPv4 and IPv6 addresses as private", () => {
    for (const a of [
      "10.0.0.1",
      "10.255.255.255",
      "172.16.0.1",
      "172.20.10.5",
      "172.31.255.255",
      "192.168.1.1",
      "127.0.0.1",
      "127.8.9.10",
      "169.254.169.254",
      "169.254.0.1",
      "100.64.0.1",
      "100.127.255.254",
      "0.0.0.0",
      "224.0.0.1",
      "255.255.255.255",
      "::1",
      "::",
      "fe80::1",
      "fe80::1%eth0",
      "febf::1",
      "fc00::1",
      "fd12:3456:789a::1",
      "ff02::1",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "::ffff:10.1.2.3",
      "::ffff:169.254.169.254",
      "[::ffff:192.168.0.1]",
      "::127.0.0.1",
      "64:ff9b::10.0.0.1",
      "2002:c0a8:0101::1",
      "not-an-ip",
    ]) {
      assert.equal(isPrivateAddress(a), true, a);
    }
  });

  it("treats public addresses as public", () => {
    for (const a of [
      "8.8.8.8",
      "1.1.1.1",
      "93.184.216.34",
      "172.15.255.255",
      "172.32.0.1",
      "100.63.255.255",
      "100.128.0.1",
      "169.253.1.1",
      "192.169.0.1",
      "11.0.0.1",
      "2606:4700:4700::1111",
      "2001:4860:4860::8888",
      "::ffff:8.8.8.8",
      "64:ff9b::8.8.8.8",
    ]) {
      assert.equal(isPrivateAddress(a), false, a);
    }
  });

  it("blocks local and internal names", () => {
    for (const h of ["localhost", "LOCALHOST.", "app.localhost", "printer.local", "db.internal", "metadata.google.internal"])
      assert.equal(isBlockedHostname(h), true, h);
    for (const h of ["example.com", "localhost.example.com", "internal.example.org"]) assert.equal(isBlockedHostname(h), false, h);
  });
});

describe("web_fetch through the gateway", () => {
  it("lets the model fetch a page and read its text", { timeout: 60_000 }, async () => {
    const site = await startSite();
    const f = await startFakes();
    const gw = await startTestGateway({
      config: { ...fakeConfig(f), tools: { web: { fetch: { allowPrivateNetwork: true } } } },
      env: KEYS,
    });
    try {
      f.anthropic.enqueue(
        { toolCalls: [{ name: "web_fetch", arguments: { url: `${site.base}/article`, extractMode: "text" } }] },
        { text: "It is about a harbour." },
      );
      const c = await chatClient(gw);
      const out = await c.send("what is on that page?", "agent:main:web");
      assert.equal(out.text, "It is about a harbour.");
      assert.ok(f.anthropic.requests[0]!.toolNames.includes("web_fetch"), "the model is offered web_fetch");
      const result = f.anthropic.requests[1]!.toolResults[0]!;
      const payload = JSON.parse(result.content);
      assert.equal(payload.title, "The Quiet Harbour");
      assert.match(payload.text, /run on tide tables rather than clocks/);
      c.client.close();
    } finally {
      await gw.close();
      await f.close();
      await site.close();
    }
  });

  it("extracts with Readability in the built gateway too (dist/, bundled)", { timeout: 60_000 }, async () => {
    const site = await startSite();
    const f = await startFakes();
    const dir = tmpDir();
    writeConfig(dir, { ...fakeConfig(f), tools: { web: { fetch: { allowPrivateNetwork: true } } } });
    const env: Record<string, string> = { OPENCLAW_STATE_DIR: dir, HOME: dir, ...KEYS };
    const gw = await spawnGateway(["--port", "0"], env);
    try {
      f.anthropic.enqueue({ toolCalls: [{ name: "web_fetch", arguments: { url: `${site.base}/article` } }] }, { text: "Read it." });
      const r = await cli(["agent", "--message", "read the page"], { ...env, OPENCLAW_GATEWAY_PORT: String(gw.port) });
      assert.equal(r.code, 0, r.stderr);
      const payload = JSON.parse(f.anthropic.requests[1]!.toolResults[0]!.content);
      assert.equal(payload.extractor, "readability");
      assert.equal(payload.title, "The Quiet Harbour");
      assert.match(payload.text, /harbour master has kept the same ledger/);
    } finally {
      gw.proc.kill("SIGTERM");
      await gw.exit;
      await f.close();
      await site.close();
    }
  });
});
