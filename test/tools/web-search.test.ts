import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createWebSearch, webSearchSettings, OPENROUTER_BASE_URL, PERPLEXITY_DIRECT_BASE_URL } from "../../src/tools/web/search.js";
import { ToolRegistry, type ToolContext, type ToolResult } from "../../src/tools/registry.js";
import type { OpenClawConfig } from "../../src/config/schema.js";
import { startTestGateway } from "../helpers/gateway.js";
import { KEYS, chatClient, fakeConfig, startFakes } from "../helpers/agents.js";
import { readBody } from "../fakes/http.js";

interface Seen {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A fake Brave Search API and a fake Perplexity chat/completions API on one 127.0.0.1 server. */
async function startSearchApis() {
  const seen: Seen[] = [];
  let behaviour: "ok" | "hang" | "refuse" | "huge" = "ok";
  const hung: http.ServerResponse[] = [];
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const body = (await readBody(req)).toString();
    seen.push({ method: req.method ?? "", url, headers: req.headers, body });
    if (behaviour === "hang") return void hung.push(res);
    if (behaviour === "refuse") {
      res.writeHead(401, { "content-type": "application/json" });
      return void res.end('{"error":{"detail":"The subscription token is invalid."}}');
    }
    if (behaviour === "huge") {
      res.writeHead(200, { "content-type": "application/json" });
      return void res.end(`{"pad":"${"x".repeat(64 * 1024)}"}`);
    }
    if (url.pathname === "/brave/res/v1/web/search") {
      const n = Number(url.searchParams.get("count"));
      const results = Array.from({ length: n }, (_, i) => ({
        title: `Tide tables ${i + 1}`,
        url: `https://tides${i + 1}.example.org/harbour`,
        description: `High water at 06:1${i}.`,
        age: "2 days ago",
      }));
      res.writeHead(200, { "content-type": "application/json" });
      return void res.end(JSON.stringify({ type: "search", web: { results } }));
    }
    if (url.pathname === "/pplx/chat/completions") {
      const req = JSON.parse(body);
      res.writeHead(200, { "content-type": "application/json" });
      return void res.end(
        JSON.stringify({
          id: "c1",
          model: req.model,
          choices: [{ index: 0, message: { role: "assistant", content: `High tide is at 06:12 (asked: ${req.messages[0].content}).` } }],
          citations: ["https://tides.example.org/today"],
        }),
      );
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    seen,
    set(b: typeof behaviour) {
      behaviour = b;
    },
    async close() {
      for (const r of hung) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function ctxFor(config: OpenClawConfig, signal = new AbortController().signal): ToolContext {
  return { sessionKey: "agent:main:main", agentId: "main", workspaceDir: "/tmp", signal, now: Date.now, config };
}

describe("web_search", () => {
  let apis: Awaited<ReturnType<typeof startSearchApis>>;
  before(async () => {
    apis = await startSearchApis();
  });
  after(async () => {
    await apis.close();
  });

  const brave = (extra: Record<string, unknown> = {}): OpenClawConfig =>
    ({ tools: { web: { search: { apiKey: "brave-key", brave: { baseUrl: `${apis.base}/brave` }, ...extra } } } }) as OpenClawConfig;
  const pplx = (extra: Record<string, unknown> = {}): OpenClawConfig =>
    ({
      tools: { web: { search: { provider: "perplexity", perplexity: { apiKey: "pplx-abc", baseUrl: `${apis.base}/pplx` }, ...extra } } },
    }) as OpenClawConfig;

  async function search(config: OpenClawConfig, args: Record<string, unknown>, env: Record<string, string> = {}): Promise<ToolResult> {
    const reg = new ToolRegistry().register(createWebSearch({ env }).tool(config));
    return reg.call("web_search", args, ctxFor(config));
  }

  it("returns Brave results in OpenClaw's shape, sending the key and the filters", { timeout: 10_000 }, async () => {
    apis.set("ok");
    const before = apis.seen.length;
    const r = await search(brave(), { query: "tide tables", count: 3, country: "DE", search_lang: "de", ui_lang: "en", freshness: "pw" });
    assert.equal(r.isError, undefined, r.text);
    const payload = JSON.parse(r.text);
    assert.equal(payload.query, "tide tables");
    assert.equal(payload.provider, "brave");
    assert.equal(payload.count, 3);
    assert.equal(typeof payload.tookMs, "number");
    assert.deepEqual(payload.results[0], {
      title: "Tide tables 1",
      url: "https://tides1.example.org/harbour",
      description: "High water at 06:10.",
      published: "2 days ago",
      siteName: "tides1.example.org",
    });
    const req = apis.seen[before]!;
    assert.equal(req.method, "GET");
    assert.equal(req.headers["x-subscription-token"], "brave-key");
    assert.equal(req.url.searchParams.get("q"), "tide tables");
    assert.equal(req.url.searchParams.get("country"), "DE");
    assert.equal(req.url.searchParams.get("search_lang"), "de");
    assert.equal(req.url.searchParams.get("ui_lang"), "en");
    assert.equal(req.url.searchParams.get("freshness"), "pw");
  });

  it("clamps count to 1–10 and defaults to maxResults, then 5", { timeout: 10_000 }, async () => {
    apis.set("ok");
    const counts = async (config: OpenClawConfig, args: Record<string, unknown>) => {
      const before = apis.seen.length;
      const r = await search(config, args);
      assert.equal(r.isError, undefined, r.text);
      return [Number(apis.seen[before]!.url.searchParams.get("count")), JSON.parse(r.text).results.length];
    };
    assert.deepEqual(await counts(brave(), { query: "many", count: 50 }), [10, 10]);
    assert.deepEqual(await counts(brave(), { query: "none", count: 0 }), [1, 1]);
    assert.deepEqual(await counts(brave(), { query: "default" }), [5, 5]);
    assert.deepEqual(await counts(brave({ maxResults: 2 }), { query: "configured" }), [2, 2]);
  });

  it("answers the same search again from its cache without calling the API", { timeout: 10_000 }, async () => {
    apis.set("ok");
    const config = brave();
    const reg = new ToolRegistry().register(createWebSearch({ env: {} }).tool(config));
    const before = apis.seen.length;
    const first = JSON.parse((await reg.call("web_search", { query: "harbour lights" }, ctxFor(config))).text);
    const second = JSON.parse((await reg.call("web_search", { query: "Harbour Lights" }, ctxFor(config))).text);
    assert.equal(apis.seen.length, before + 1, "the second search did not reach the API");
    assert.equal(second.cached, true);
    assert.deepEqual(second.results, first.results);
    await reg.call("web_search", { query: "harbour lights", count: 2 }, ctxFor(config));
    assert.equal(apis.seen.length, before + 2, "another count is another search");
  });

  it("with no key, tells how to set one up instead of failing", { timeout: 10_000 }, async () => {
    const before = apis.seen.length;
    const r = await search({ tools: { web: { search: { brave: { baseUrl: `${apis.base}/brave` } } } } } as OpenClawConfig, { query: "x" });
    const payload = JSON.parse(r.text);
    assert.equal(payload.error, "missing_brave_api_key");
    assert.match(payload.message, /BRAVE_API_KEY/);
    assert.match(payload.message, /tools\.web\.search\.apiKey/);
    const p = JSON.parse((await search(pplx({ perplexity: { baseUrl: `${apis.base}/pplx` } }), { query: "x" })).text);
    assert.equal(p.error, "missing_perplexity_api_key");
    assert.match(p.message, /PERPLEXITY_API_KEY or OPENROUTER_API_KEY/);
    assert.equal(apis.seen.length, before, "nothing was sent without a key");
  });

  it("takes BRAVE_API_KEY from the environment", { timeout: 10_000 }, async () => {
    apis.set("ok");
    const before = apis.seen.length;
    const config = { tools: { web: { search: { brave: { baseUrl: `${apis.base}/brave` } } } } } as OpenClawConfig;
    const r = await search(config, { query: "env key" }, { BRAVE_API_KEY: "from-env" });
    assert.equal(r.isError, undefined, r.text);
    assert.equal(apis.seen[before]!.headers["x-subscription-token"], "from-env");
  });

  it("asks Perplexity through chat/completions and returns its answer with citations", { timeout: 10_000 }, async () => {
    apis.set("ok");
    const before = apis.seen.length;
    const r = await search(pplx(), { query: "when is high tide?" });
    assert.equal(r.isError, undefined, r.text);
    const payload = JSON.parse(r.text);
    assert.equal(payload.provider, "perplexity");
    assert.equal(payload.model, "perplexity/sonar-pro");
    assert.equal(payload.content, "High tide is at 06:12 (asked: when is high tide?).");
    assert.deepEqual(payload.citations, ["https://tides.example.org/today"]);
    const req = apis.seen[before]!;
    assert.equal(req.method, "POST");
    assert.equal(req.headers.authorization, "Bearer pplx-abc");
    assert.deepEqual(JSON.parse(req.body), { model: "perplexity/sonar-pro", messages: [{ role: "user", content: "when is high tide?" }] });
  });

  it("picks the Perplexity endpoint from where the key came from", () => {
    const s = (config: Record<string, unknown>, env: Record<string, string>) =>
      webSearchSettings({ tools: { web: { search: { provider: "perplexity", perplexity: config } } } } as OpenClawConfig, env).perplexity;
    assert.equal(s({}, { PERPLEXITY_API_KEY: "k" }).baseUrl, PERPLEXITY_DIRECT_BASE_URL);
    assert.equal(s({}, { OPENROUTER_API_KEY: "k" }).baseUrl, OPENROUTER_BASE_URL);
    assert.equal(s({ apiKey: "pplx-1" }, {}).baseUrl, PERPLEXITY_DIRECT_BASE_URL);
    assert.equal(s({ apiKey: "sk-or-1" }, {}).baseUrl, OPENROUTER_BASE_URL);
    assert.equal(s({ apiKey: "sk-or-1", baseUrl: "https://proxy.example/v1", model: "sonar" }, {}).baseUrl, "https://proxy.example/v1");
  });

  it("refuses freshness for Perplexity and a malformed freshness for Brave", { timeout: 10_000 }, async () => {
    const before = apis.seen.length;
    const p = await search(pplx(), { query: "news", freshness: "pd" });
    assert.equal(p.isError, true);
    assert.equal(JSON.parse(p.text).error, "unsupported_freshness");
    const b = await search(brave(), { query: "news", freshness: "last tuesday" });
    assert.equal(b.isError, true);
    assert.match(JSON.parse(b.text).message, /pd, pw, pm, py/);
    assert.equal(apis.seen.length, before);
  });

  it("stops waiting after timeoutSeconds", { timeout: 10_000 }, async () => {
    apis.set("hang");
    try {
      const r = await search(brave({ timeoutSeconds: 1 }), { query: "slow" });
      assert.equal(r.isError, true);
      assert.match(r.text, /timed out after 1 s.*tools\.web\.search\.timeoutSeconds/);
    } finally {
      apis.set("ok");
    }
  });

  it("stops when the run is aborted", { timeout: 10_000 }, async () => {
    apis.set("hang");
    try {
      const config = brave();
      const ac = new AbortController();
      const tool = createWebSearch({ env: {} }).tool(config);
      const pending = tool.run({ query: "aborted" }, ctxFor(config, ac.signal));
      const before = apis.seen.length;
      while (apis.seen.length === before) await new Promise((r) => setImmediate(r));
      ac.abort();
      const r = await pending;
      assert.equal(r.isError, true);
      assert.match(r.text, /cancelled/);
    } finally {
      apis.set("ok");
    }
  });

  it("says clearly when the provider refuses", { timeout: 10_000 }, async () => {
    apis.set("refuse");
    try {
      const r = await search(brave({ apiKey: "wrong" }), { query: "refused" });
      assert.equal(r.isError, true);
      assert.match(r.text, /Brave Search API error \(401\).*subscription token is invalid.*check it/);
      const p = await search(pplx(), { query: "refused" });
      assert.match(p.text, /Perplexity API error \(401\)/);
    } finally {
      apis.set("ok");
    }
  });

  it("does not read an oversized answer", { timeout: 10_000 }, async () => {
    apis.set("huge");
    try {
      const config = brave();
      const tool = createWebSearch({ env: {}, maxResponseBytes: 1024 }).tool(config);
      const r = await tool.run({ query: "huge" }, ctxFor(config));
      assert.equal(r.isError, true);
      assert.match(r.text, /larger than 1024 bytes/);
    } finally {
      apis.set("ok");
    }
  });

  it("is not offered when tools.web.search.enabled is false", () => {
    const tool = createWebSearch({ env: {} }).tool(undefined);
    const at = (config: OpenClawConfig) => tool.available!({ config, agentId: "main", provider: "anthropic", modelId: "m" });
    assert.equal(at({ tools: { web: { search: { enabled: false } } } } as OpenClawConfig), false);
    assert.equal(at({} as OpenClawConfig), true);
  });
});

describe("web_search through the gateway", () => {
  it("gives the model the search results", { timeout: 60_000 }, async () => {
    const apis = await startSearchApis();
    const f = await startFakes();
    const gw = await startTestGateway({
      config: { ...fakeConfig(f), tools: { web: { search: { apiKey: "brave-key", brave: { baseUrl: `${apis.base}/brave` } } } } },
      env: KEYS,
    });
    try {
      f.anthropic.enqueue(
        { toolCalls: [{ name: "web_search", arguments: { query: "harbour tide tables", count: 2 } }] },
        { text: "High water is at 06:10." },
      );
      const c = await chatClient(gw);
      const out = await c.send("when is high water?", "agent:main:search");
      assert.equal(out.text, "High water is at 06:10.");
      assert.ok(f.anthropic.requests[0]!.toolNames.includes("web_search"), "the model is offered web_search");
      const payload = JSON.parse(f.anthropic.requests[1]!.toolResults[0]!.content);
      assert.equal(payload.count, 2);
      assert.equal(payload.results[0].url, "https://tides1.example.org/harbour");
      c.client.close();
    } finally {
      await gw.close();
      await f.close();
      await apis.close();
    }
  });
});
