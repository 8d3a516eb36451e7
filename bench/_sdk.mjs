const { instantModelServer, percentile } = await import("/work/main/bench/lib.mjs");
const { default: OpenAI } = await import("openai");
const { createHttpFetch } = await import("/work/main/src/providers/http-fetch.ts");
const m = await instantModelServer();
async function run(name, c) {
  const once = async () => { const t = performance.now(); const s = await c.chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }], stream: true, stream_options: { include_usage: true } }); let n = 0; for await (const _ of s) n++; if (n < 2) throw new Error("no chunks"); return performance.now() - t; };
  for (let i = 0; i < 100; i++) await once();
  const cpu0 = process.cpuUsage();
  const xs = []; for (let i = 0; i < 1000; i++) xs.push(await once());
  const cpu = process.cpuUsage(cpu0);
  xs.sort((a, b) => a - b);
  console.log(name.padEnd(12), "p50", percentile(xs, 50).toFixed(2), "p90", percentile(xs, 90).toFixed(2), "p99", percentile(xs, 99).toFixed(2), "cpu/call ms", ((cpu.user + cpu.system) / 1000 / 1000).toFixed(2));
}
const a = () => new OpenAI({ baseURL: m.baseUrl, apiKey: "x", maxRetries: 0, logLevel: "off" });
const b = () => new OpenAI({ baseURL: m.baseUrl, apiKey: "x", maxRetries: 0, logLevel: "off", fetch: createHttpFetch() });
const order = process.argv[2] === "b" ? [["http-fetch", b], ["global", a]] : [["global", a], ["http-fetch", b]];
for (const [n, f] of [...order, ...order]) await run(n, f());
console.log("rss", (process.memoryUsage().rss / 1048576).toFixed(1));
await m.close(); process.exit(0);
