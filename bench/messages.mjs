#!/usr/bin/env node
// Gateway overhead per chat message, in process, with a model client that answers instantly: the time
// is the gateway's own (protocol, session store, transcript append + fsync, events). The same figure
// through the real gateway process and a real SDK, beside OpenClaw's, is in `bench/run.mjs`.
//
//   node --import tsx --semi-space-growth-factor=1 --expose-gc bench/messages.mjs [--messages 1000] [--sessions 100]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const args = process.argv.slice(2);
const arg = (name, def) => Number(args[args.indexOf(name) + 1]) || def;
const MESSAGES = arg("--messages", 1000);
const SESSIONS = arg("--sessions", 100);

const { startGateway } = await import(path.join(root, "src/gateway/start.ts"));
const { GatewayClient } = await import(path.join(root, "src/cli/client.ts"));

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
