#!/usr/bin/env node
// Gateway overhead per chat message, two ways:
// 1. in process, with a model client that answers instantly: the time is the gateway's own (protocol,
//    session store, transcript append + fsync, events);
// 2. the real `node dist/index.js gateway` process, its OpenAI provider pointed at a tiny streaming
//    server on loopback that answers at once: round trip through the real SDK, and the gateway
//    process's RSS after N messages over M sessions.
//
//   node --optimize-for-size --expose-gc bench/messages.mjs [--messages 1000] [--sessions 100]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import http from "node:http";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const args = process.argv.slice(2);
const arg = (name, def) => Number(args[args.indexOf(name) + 1]) || def;
const MESSAGES = arg("--messages", 1000);
const SESSIONS = arg("--sessions", 100);

const { startGateway } = await import(path.join(root, "dist/gateway/start.js"));
const { GatewayClient } = await import(path.join(root, "dist/cli/client.js"));

/** A model that answers at once with a short streamed reply. */
const instant = {
  async *stream(req) {
    const last = req.messages[req.messages.length - 1];
    const text = `ok: ${typeof last.content === "string" ? last.content.slice(0, 20) : "…"}`;
    yield { type: "text_delta", delta: text };
    const usage = {
      input: 10,
      output: 5,
      cacheRead: 0,
      cacheWrite: 0,
      totalTokens: 15,
      cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 },
    };
    yield {
      type: "done",
      message: {
        role: "assistant",
        content: [{ type: "text", text }],
        api: req.model.api,
        provider: req.model.provider,
        model: req.model.id,
        usage,
        stopReason: "stop",
        timestamp: Date.now(),
      },
    };
  },
};

const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "oc-bench-msg-"));
fs.writeFileSync(
  path.join(stateDir, "openclaw.json"),
  JSON.stringify({ gateway: { mode: "local" }, agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } } }),
);
const gw = await startGateway({
  env: { HOME: stateDir, OPENCLAW_STATE_DIR: stateDir, ANTHROPIC_API_KEY: "bench" },
  port: 0,
  stdout: () => {},
  stderr: () => {},
  loadClient: async () => instant,
});
const waiting = new Map();
const client = new GatewayClient({
  url: `ws://127.0.0.1:${gw.port}`,
  onEvent: (event, p) => {
    if (event === "chat" && p.state !== "delta") waiting.get(p.runId)?.(p);
  },
});
await client.connect();

/** Sends MESSAGES chat messages round-robin over SESSIONS sessions, one at a time; returns sorted ms. */
async function drive(client, waiting) {
  const times = [];
  const t0 = performance.now();
  for (let i = 0; i < MESSAGES; i++) {
    const runId = randomUUID();
    const done = new Promise((r) => waiting.set(runId, r));
    const start = performance.now();
    await client.request("chat.send", { sessionKey: `agent:main:bench-${i % SESSIONS}`, message: `message ${i}`, idempotencyKey: runId });
    const ev = await done;
    if (ev.state !== "final") throw new Error(`run failed: ${JSON.stringify(ev)}`);
    times.push(performance.now() - start);
    waiting.delete(runId);
  }
  const total = performance.now() - t0;
  times.sort((a, b) => a - b);
  const pct = (p) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))].toFixed(2);
  return `p50 ${pct(50)} ms   p90 ${pct(90)} ms   p99 ${pct(99)} ms   max ${times[times.length - 1].toFixed(2)} ms   (${(MESSAGES / (total / 1000)).toFixed(0)} msg/s)`;
}

const rssBefore = process.memoryUsage().rss;
const line = await drive(client, waiting);
await new Promise((r) => setTimeout(r, 500));
globalThis.gc?.();
const rss = process.memoryUsage().rss;
const heap = process.memoryUsage().heapUsed;
console.log(`${MESSAGES} messages over ${SESSIONS} sessions, round trip chat.send → final chat event`);
console.log(`in process, instant model (gateway overhead only):`);
console.log(`  ${line}`);
console.log(
  `  RSS ${(rssBefore / 1048576).toFixed(1)} MB before → ${(rss / 1048576).toFixed(1)} MB after, heap in use ${(heap / 1048576).toFixed(1)} MB (gateway and client in one process)`,
);
client.close();
await gw.close();
fs.rmSync(stateDir, { recursive: true, force: true });

// ---- 2. the real gateway process, real OpenAI SDK, instant streaming server on loopback ----------
const fake = http.createServer((req, res) => {
  let body = "";
  req.on("data", (d) => (body += d));
  req.on("end", () => {
    const chunk = (delta, extra = {}) =>
      `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(chunk({ role: "assistant", content: "ok" }));
    res.write(
      `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\n`,
    );
    res.write(
      `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 0, model: "m", choices: [], usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 } })}\n\n`,
    );
    res.end("data: [DONE]\n\n");
  });
});
await new Promise((r) => fake.listen(0, "127.0.0.1", r));
const dir2 = fs.mkdtempSync(path.join(os.tmpdir(), "oc-bench-proc-"));
fs.writeFileSync(
  path.join(dir2, "openclaw.json"),
  JSON.stringify({
    gateway: { mode: "local" },
    models: { providers: { openai: { baseUrl: `http://127.0.0.1:${fake.address().port}/v1`, api: "openai-completions", models: [] } } },
    agents: { defaults: { model: { primary: "openai/gpt-4o-mini" } } },
  }),
);
const child = spawn(process.execPath, [path.join(root, "dist/index.js"), "gateway", "--port", "0"], {
  env: {
    PATH: process.env.PATH,
    HOME: dir2,
    OPENCLAW_STATE_DIR: dir2,
    OPENAI_API_KEY: "bench",
    NODE_ENV: "production",
    ...(process.env.MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX } : {}),
  },
  stdio: ["ignore", "pipe", "inherit"],
});
const port = await new Promise((resolve) => {
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
    const m = /listening on ws:\/\/[^:]+:(\d+)/.exec(out);
    if (m) resolve(Number(m[1]));
  });
});
const statusOf = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${child.pid}/status`, "utf8"))[1]) / 1024;
const rssOf = () => statusOf("VmRSS");
const waiting2 = new Map();
const c2 = new GatewayClient({
  url: `ws://127.0.0.1:${port}`,
  onEvent: (e, p) => e === "chat" && p.state !== "delta" && waiting2.get(p.runId)?.(p),
});
await c2.connect();
const rss0 = rssOf();
const line2 = await drive(c2, waiting2);
await new Promise((r) => setTimeout(r, 1000));
const rss1 = rssOf();
await new Promise((r) => setTimeout(r, 15000));
const rss2 = rssOf();
const mem = (await c2.request("status")).memory;
const mb = (n) => (n / 1048576).toFixed(1);
console.log(`gateway process, real OpenAI SDK, instant streaming server on loopback:`);
console.log(
  `  heap ${mb(mem.heapUsed)} MB used of ${mb(mem.heapTotal)} MB; ${Object.entries(mem.heapSpaces)
    .map(([k, v]) => `${k} ${mb(v.size)}`)
    .join(", ")}; external ${mb(mem.external)} MB`,
);
console.log(`  ${line2}`);
console.log(
  `  after: ${statusOf("RssAnon").toFixed(1)} MB anonymous, ${statusOf("RssFile").toFixed(1)} MB file-backed (the node binary's pages)`,
);
console.log(`  gateway RSS ${rss0.toFixed(1)} MB idle → ${rss1.toFixed(1)} MB right after → ${rss2.toFixed(1)} MB after 15 s idle`);
c2.close();
child.kill("SIGTERM");
await new Promise((r) => child.on("exit", r));
fake.close();
fs.rmSync(dir2, { recursive: true, force: true });
