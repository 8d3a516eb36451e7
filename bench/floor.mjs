#!/usr/bin/env node
// The floor under the per-message rows: the model call alone, with no gateway around it. The same
// instant model server as bench/run.mjs (in this process), called from a process of its own the way
// the gateway calls it, one call at a time after five warm-up calls:
//
// - over plain `node:http` with a kept-alive connection, reading the streamed answer to its end;
// - through the OpenAI SDK (`chat.completions.create({ stream: true })`, its default fetch), reading
//   every chunk, as a gateway built on the official SDK does.
//
// A gateway's message cannot come back sooner than its model call: what these take on a machine is
// the part of the per-message figures no gateway code can remove.
//
//   node bench/floor.mjs [--calls 2000] [--json]
import { spawn } from "node:child_process";
import { instantModelServer, root, summarize, track } from "./lib.mjs";

const args = process.argv.slice(2);
const CALLS = Number(args[args.indexOf("--calls") + 1]) || 2000;
const WARM_UP = 5;

const caller = `
import http from "node:http";
import OpenAI from "openai";
const [baseUrl, calls, warmUp] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const agent = new http.Agent({ keepAlive: true });
const url = new URL(baseUrl + "/chat/completions");
const body = (i) => JSON.stringify({ model: "instant", stream: true, messages: [{ role: "user", content: "message " + i }] });
function plain(i) {
  return new Promise((resolve, reject) => {
    const data = body(i);
    const req = http.request(url, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(data) } }, (res) => {
      res.on("data", () => {});
      res.on("end", resolve);
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(data);
  });
}
const client = new OpenAI({ apiKey: "bench", baseURL: baseUrl, maxRetries: 0 });
async function sdk(i) {
  const stream = await client.chat.completions.create({ model: "instant", stream: true, messages: [{ role: "user", content: "message " + i }] });
  let text = "";
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
  if (!text) throw new Error("empty answer");
}
const out = {};
for (const [name, call] of [["http", plain], ["sdk", sdk]]) {
  for (let i = 0; i < warmUp; i++) await call(-1 - i);
  const times = [];
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await call(i);
    times.push(performance.now() - t);
  }
  out[name] = times;
}
process.stdout.write(JSON.stringify(out));
`;

const model = await instantModelServer();
try {
  const child = spawn(process.execPath, ["--input-type=module", "-e", caller, model.baseUrl, String(CALLS), String(WARM_UP)], {
    cwd: root,
    env: { PATH: process.env.PATH, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  track(child);
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  const code = await new Promise((r) => child.on("exit", r));
  if (code !== 0) throw new Error(`the calling process ended with ${code}`);
  const times = JSON.parse(out);
  const result = { calls: CALLS, http: summarize(times.http), sdk: summarize(times.sdk) };
  if (args.includes("--json")) console.log(JSON.stringify(result));
  else {
    const f = (r) => `p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms`;
    console.log(`model call alone, ${CALLS} calls one at a time:`);
    console.log(`  plain node:http: ${f(result.http)}`);
    console.log(`  OpenAI SDK:      ${f(result.sdk)}`);
  }
} finally {
  await model.close();
}
