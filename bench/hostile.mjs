#!/usr/bin/env node
// The worst single inputs thrown at the built gateway, one at a time, with the gateway process's
// resident memory sampled every 10 ms during and after each: the peak per input, and whether the
// gateway is still alive and answering `health` afterwards. The target machine has 256 MB, so no
// single frame, request, file or config may take the process above 200 MB.
//
//   npm run build && node --import tsx bench/hostile.mjs [--json] [--only <substring>]
//
// With --json the last stdout line is {"maxRss": MB, "attacks": [{name, peakMb, survived, outcome}]}.
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { benchModelConfig, launch, targets, procMb, sleep, sseChunk, streamReply, TOKEN, root } from "./lib.mjs";

const args = process.argv.slice(2);
const JSON_OUT = args.includes("--json");
const ONLY = args.includes("--only") ? args[args.indexOf("--only") + 1] : null;
const LIMIT_MB = 200;
const MB = 1024 * 1024;
const log = (...a) => (JSON_OUT ? console.error(...a) : console.log(...a));

if (!fs.existsSync(path.join(root, "dist/index.js"))) {
  console.error("dist/index.js is missing: run `npm run build` first");
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// The model: answers "ok", asks for the `read` tool on the path after "[read:" in the message, after
// "[reads:N:path]" asks for it N times in one reply, or after "[flood]" streams a reply that never ends.

async function modelServer() {
  const server = http.createServer((req, res) => {
    let size = 0;
    const body = [];
    req.on("data", (c) => {
      size += c.length;
      // Keep only the tail: the last message is what decides the answer.
      body.push(c);
      while (size > 4 * MB && body.length > 1) size -= body.shift().length;
    });
    req.on("end", () => {
      const text = Buffer.concat(body).toString("utf8");
      // The last user message decides: a tool result after it is answered with "ok".
      const lastUser = text.lastIndexOf('"role":"user"');
      const lastTool = text.lastIndexOf('"role":"tool"');
      const asked = lastUser > lastTool ? text.slice(lastUser) : "";
      if (asked.includes("[flood]")) return flood(res);
      const many = /\[reads:(\d+):([^\]"\\]+)\]/.exec(asked);
      if (many) return manyReads(res, Number(many[1]), many[2]);
      const m = /\[read:([^\]"\\]+)\]/.exec(asked);
      streamReply(res, m ? m[1] : null);
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { baseUrl: `http://127.0.0.1:${server.address().port}/v1`, close: () => new Promise((r) => server.close(r)) };
}

/** A reply that never ends: text deltas as fast as the gateway reads them, until it hangs up. */
function flood(res) {
  const piece = sseChunk([{ index: 0, delta: { content: "la ".repeat(8) }, finish_reason: null }]);
  res.writeHead(200, { "content-type": "text/event-stream" });
  const pump = () => {
    while (!res.destroyed && res.write(piece));
    if (!res.destroyed) res.once("drain", pump);
  };
  pump();
}

/** One reply that calls `read` on `file` `n` times. */
function manyReads(res, n, file) {
  const calls = Array.from({ length: n }, (_, i) => ({
    index: i,
    id: `call_${i}`,
    type: "function",
    function: { name: "read", arguments: JSON.stringify({ path: file }) },
  }));
  res.writeHead(200, { "content-type": "text/event-stream" });
  res.write(sseChunk([{ index: 0, delta: { role: "assistant", content: null, tool_calls: calls }, finish_reason: null }]));
  res.end(`${sseChunk([{ index: 0, delta: {}, finish_reason: "tool_calls" }])}data: [DONE]\n\n`);
}

/** The bench model (taking images too), with the chat completions endpoint, hooks and voice calls on. */
function gatewayConfig(baseUrl, extra = {}) {
  const base = benchModelConfig(baseUrl);
  for (const m of base.models.providers.bench.models) m.input = ["text", "image"];
  return {
    ...base,
    gateway: { ...base.gateway, http: { endpoints: { chatCompletions: { enabled: true } } } },
    hooks: { enabled: true, token: "hook-secret-0123456789", path: "/hooks" },
    plugins: {
      entries: {
        "voice-call": {
          enabled: true,
          config: {
            provider: "twilio",
            fromNumber: "+15550001111",
            publicUrl: "http://127.0.0.1:9/voice/webhook",
            twilio: { accountSid: "AC0123456789abcdef0123456789abcdef", authToken: "fake-auth-token", apiBaseUrl: "http://127.0.0.1:9" },
          },
        },
      },
    },
    ...extra,
  };
}

// ---------------------------------------------------------------------------------------------
// Memory sampling.

class Sampler {
  constructor(pid) {
    this.pid = pid;
    this.peak = 0;
    this.timer = setInterval(() => this.sample(), 10);
  }
  sample() {
    const v = procMb(this.pid);
    if (Number.isFinite(v) && v > this.peak) this.peak = v;
  }
  reset() {
    this.sample();
    this.peak = procMb(this.pid) || 0;
  }
  stop() {
    clearInterval(this.timer);
  }
}

// ---------------------------------------------------------------------------------------------
// A minimal protocol client.

function openWs(port) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, { maxPayload: 64 * MB });
    const c = { ws, closed: null, events: [], pending: new Map(), challenge: null };
    c.closedP = new Promise((r) => ws.on("close", (code, reason) => r((c.closed = { code, reason: String(reason) }))));
    ws.on("message", (data) => {
      let f;
      try {
        f = JSON.parse(String(data));
      } catch {
        return;
      }
      if (f.type === "event") {
        if (f.event === "connect.challenge") c.challenge = f.payload;
        c.events.push(f);
      } else if (f.type === "res") c.pending.get(f.id)?.(f);
    });
    ws.on("error", () => undefined);
    ws.once("open", () => resolve(c));
    ws.once("close", () => reject(new Error("closed before open")));
  });
}

function request(c, method, params, timeoutMs = 60_000) {
  const id = randomUUID();
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve({ ok: false, error: { message: "no answer (timeout)" } }), timeoutMs);
    c.pending.set(id, (f) => (clearTimeout(t), resolve(f)));
    c.closedP.then((cl) => (clearTimeout(t), resolve({ ok: false, error: { message: `closed ${cl.code} ${cl.reason}` } })));
    c.ws.send(JSON.stringify({ type: "req", id, method, params }));
  });
}

async function connect(port) {
  const c = await openWs(port);
  for (let i = 0; i < 500 && !c.challenge; i++) await sleep(10);
  const r = await request(c, "connect", {
    minProtocol: 3,
    maxProtocol: 3,
    client: { id: "cli", version: "1", platform: "linux", mode: "cli" },
    role: "operator",
    scopes: ["operator.admin"],
    auth: { token: TOKEN },
  });
  if (!r.ok) throw new Error(`connect failed: ${JSON.stringify(r.error)}`);
  return c;
}

async function healthOk(port) {
  try {
    const c = await connect(port);
    const r = await request(c, "health", {}, 15_000);
    c.ws.close();
    return r.ok === true;
  } catch {
    return false;
  }
}

const short = (s) => String(s).replace(/\s+/g, " ").slice(0, 110);
const errText = (r) => (r.ok ? "ok" : short(r.error?.message ?? JSON.stringify(r.error)));

/** Sends a chat message and waits for its final (or error) chat event. */
async function chat(c, sessionKey, message, extra = {}, timeoutMs = 120_000) {
  const idempotencyKey = randomUUID();
  const r = await request(c, "chat.send", { sessionKey, message, idempotencyKey, ...extra }, timeoutMs);
  if (!r.ok) return `refused: ${errText(r)}`;
  const runId = r.payload?.runId ?? idempotencyKey;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ev = c.events.find((e) => e.event === "chat" && e.payload?.runId === runId && e.payload.state !== "delta");
    if (ev) return `${ev.payload.state}${ev.payload.errorMessage ? `: ${short(ev.payload.errorMessage)}` : ""}`;
    if (c.closed) return `connection closed ${c.closed.code}`;
    await sleep(20);
  }
  return "no final event (timeout)";
}

/** Asks the model (see modelServer) for a `read` and returns how the run ended and what the tool said. */
async function readOutcome(port, sessionKey, message) {
  const c = await connect(port);
  const out = await chat(c, sessionKey, message);
  const h = await request(c, "chat.history", { sessionKey, limit: 10 });
  c.ws.close();
  const tool = JSON.stringify(h.payload?.messages ?? []).match(/(Could not read[^"]{0,120}|too large[^"]{0,80})/);
  return `${out}; tool said: ${tool ? tool[1] : "?"}`;
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers.

/** Posts `total` bytes (declared with content-length, or chunked), returns "<status> <body>". */
function post(port, urlPath, { total, headers = {}, chunked = false, body = null, chunk = 256 * 1024 }) {
  return new Promise((resolve) => {
    const h = { "content-type": "application/json", ...headers };
    if (!chunked) h["content-length"] = String(body ? Buffer.byteLength(body) : total);
    const req = http.request({ host: "127.0.0.1", port, path: urlPath, method: "POST", headers: h });
    let done = false;
    const finish = (s) => {
      if (!done) ((done = true), resolve(s));
    };
    req.on("response", (res) => {
      let text = "";
      res.on("data", (d) => (text += d).length > 2000 && (text = text.slice(0, 2000)));
      res.on("end", () => finish(`${res.statusCode} ${short(text)}`));
      res.on("error", () => finish(`${res.statusCode} (reset)`));
      req.destroy();
    });
    req.on("error", (e) => finish(`error ${e.code ?? e.message}`));
    if (body) return void req.end(body);
    const buf = Buffer.alloc(chunk, 0x61);
    buf[0] = 0x7b; // a leading `{` so the bytes look like the start of JSON
    let sent = 0;
    const pump = () => {
      while (!done && sent < total) {
        const n = Math.min(chunk, total - sent);
        sent += n;
        if (!req.write(n === chunk ? buf : buf.subarray(0, n))) return void req.once("drain", pump);
      }
      if (!done) req.end();
    };
    pump();
    setTimeout(() => finish(`no answer after ${sent} bytes`), 60_000);
  });
}

// ---------------------------------------------------------------------------------------------
// The attacks.

const results = [];

async function run(G, name, fn, prep) {
  if (ONLY && !name.includes(ONLY)) return;
  if (prep) await prep();
  const { gw, sampler } = G;
  sampler.reset();
  let outcome;
  try {
    outcome = await fn();
  } catch (e) {
    outcome = `error: ${short(e.message)}`;
  }
  const until = Date.now() + 500;
  while (Date.now() < until) await sleep(10);
  const alive = gw.child.exitCode === null && gw.child.signalCode === null;
  const survived = alive && (await healthOk(gw.port));
  const peakMb = Math.round(sampler.peak * 10) / 10;
  results.push({ name, peakMb, survived, outcome: String(outcome) });
  log(
    `${peakMb > LIMIT_MB || !survived ? "!!" : "  "} ${name.padEnd(44)} ${String(peakMb).padStart(7)} MB  ${survived ? "alive" : "DEAD "}  ${short(outcome)}`,
  );
  // Memory the heap took stays with the process: start afresh so the next figure is its own.
  if (peakMb > LIMIT_MB || !survived) await G.relaunch();
  return survived;
}

function findFiles(dir, re, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) findFiles(p, re, out);
    else if (re.test(e.name)) out.push(p);
  }
  return out;
}

/** Writes `bytes` of transcript lines (user/assistant messages of ~1 KB each) to the end of `file`. */
function growTranscript(file, bytes) {
  const fd = fs.openSync(file, "a");
  let parent = null;
  const text = "x".repeat(900);
  let written = 0;
  let batch = [];
  let i = 0;
  while (written < bytes) {
    const id = `h${i++}`;
    const role = i % 2 ? "user" : "assistant";
    const line =
      JSON.stringify({
        type: "message",
        id,
        parentId: parent,
        timestamp: new Date().toISOString(),
        message:
          role === "user"
            ? { role, content: text, timestamp: Date.now() }
            : { role, content: [{ type: "text", text }], timestamp: Date.now() },
      }) + "\n";
    parent = id;
    batch.push(line);
    written += line.length;
    if (batch.length >= 1000) (fs.writeSync(fd, batch.join("")), (batch = []));
  }
  if (batch.length) fs.writeSync(fd, batch.join(""));
  fs.closeSync(fd);
}

/** Writes `bytes` of markdown lines to `file` without holding them all in memory. */
function bigText(file, bytes) {
  const fd = fs.openSync(file, "w");
  const block = Buffer.from("Remember this line of notes about the owner's preferences.\n".repeat(16384));
  for (let w = 0; w < bytes; w += block.length) fs.writeSync(fd, block);
  fs.closeSync(fd);
}

async function main() {
  const model = await modelServer();
  const started = Date.now();

  // ---- 1. Config files at start.
  for (const [name, write] of [
    ["config: 50 MB openclaw.json at start", (f) => bigConfig(f, 50 * MB)],
    ["config: deeply nested openclaw.json at start", (f) => fs.writeFileSync(f, `{"x":${"[".repeat(500_000)}${"]".repeat(500_000)}}`)],
  ]) {
    if (ONLY && !name.includes(ONLY)) continue;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "oc-hostile-cfg-"));
    const file = path.join(dir, "openclaw.json");
    write(file);
    let peak = 0;
    let outcome;
    let survived = false;
    try {
      const gw = await launch(targets.ours, { config: file, timeoutMs: 30_000 });
      const s = new Sampler(gw.child.pid);
      await sleep(500);
      peak = s.peak;
      survived = await healthOk(gw.port);
      outcome = `started; ${short(
        gw
          .output()
          .split("\n")
          .find((l) => /too large|limit|deep/i.test(l)) ?? "no complaint",
      )}`;
      s.stop();
      await gw.stop();
    } catch (e) {
      outcome = `refused to start: ${short(e.message.split("\n").slice(1).join(" "))}`;
      survived = /limit/.test(e.message); // a clear refusal is the right answer at start
    }
    fs.rmSync(dir, { recursive: true, force: true });
    results.push({ name, peakMb: Math.round(peak * 10) / 10, survived, outcome });
    log(`   ${name.padEnd(44)} ${String(Math.round(peak * 10) / 10).padStart(7)} MB  ${survived ? "ok   " : "BAD  "}  ${short(outcome)}`);
  }

  // ---- 2. The main gateway, with Slack in HTTP mode against the test suite's fake Slack.
  const { startSlackFake } = await import(path.join(root, "test/fakes/slack.ts"));
  const slack = await startSlackFake({ botName: "krill" });
  const slackCfg = { mode: "http", botToken: slack.botToken, signingSecret: slack.signingSecret, apiBaseUrl: slack.apiBaseUrl };
  const G = { gw: null, sampler: null };
  let port;
  G.relaunch = async () => {
    if (G.gw) {
      G.sampler.stop();
      await G.gw.stop();
    }
    G.gw = await launch(targets.ours, { config: gatewayConfig(model.baseUrl, { channels: { slack: slackCfg } }) });
    for (let i = 0; i < 500 && !G.gw.output().includes("/slack/events"); i++) await sleep(20);
    G.sampler = new Sampler(G.gw.child.pid);
    port = G.gw.port;
  };
  await G.relaunch();
  const gw = {
    get stateDir() {
      return G.gw.stateDir;
    },
    output: () => G.gw.output(),
    get child() {
      return G.gw.child;
    },
  };
  log(`gateway pid ${gw.child.pid} on port ${port}, idle RSS ${procMb(gw.child.pid).toFixed(1)} MB`);
  const auth = { authorization: `Bearer ${TOKEN}` };
  const hookAuth = { authorization: "Bearer hook-secret-0123456789" };
  try {
    // WebSocket frames.
    await run(G, "ws: 64 KB pre-connect frame (unauth)", async () => {
      const c = await openWs(port);
      c.ws.send(JSON.stringify({ type: "req", id: "1", method: "connect", params: { pad: "a".repeat(64 * 1024 - 80) } }));
      const cl = await Promise.race([c.closedP, sleep(5000).then(() => null)]);
      c.ws.terminate();
      return cl ? `closed ${cl.code} ${cl.reason}` : "kept open";
    });
    await run(G, "ws: 512 KB frame (unauth)", async () => {
      const c = await openWs(port);
      c.ws.send("a".repeat(512 * 1024));
      const cl = await c.closedP;
      return `closed ${cl.code} ${cl.reason}`;
    });
    await run(G, "ws: 64 MB frame (unauth, over the cap)", async () => {
      const c = await openWs(port);
      c.ws.send(Buffer.alloc(64 * MB, 0x61));
      const cl = await c.closedP;
      return `closed ${cl.code} ${cl.reason}`;
    });
    await run(G, "ws: 512 KB request frame (auth)", async () => {
      const c = await connect(port);
      const r = await request(c, "health", { pad: "a".repeat(512 * 1024 - 200) });
      c.ws.close();
      return errText(r);
    });
    await run(G, "ws: 513 KB frame (auth, over the cap)", async () => {
      const c = await connect(port);
      c.ws.send("a".repeat(513 * 1024));
      const cl = await c.closedP;
      return `closed ${cl.code} ${cl.reason}`;
    });
    await run(G, "ws: deeply nested JSON frame (auth)", async () => {
      const c = await connect(port);
      const depth = 250_000;
      c.ws.send(`{"type":"req","id":"n","method":"health","params":{"x":${"[".repeat(depth)}${"]".repeat(depth)}}}`);
      const cl = await Promise.race([c.closedP, sleep(3000).then(() => null)]);
      const r = cl ? null : await request(c, "health", {});
      c.ws.close();
      return cl ? `closed ${cl.code} ${cl.reason}` : `connection kept; next health ${errText(r)}`;
    });
    await run(G, "ws: 50,000 small frames fast (auth)", async () => {
      const c = await connect(port);
      for (let i = 0; i < 50_000; i++) c.ws.send(JSON.stringify({ type: "req", id: `f${i}`, method: "health" }));
      const cl = await Promise.race([c.closedP, sleep(5000).then(() => null)]);
      c.ws.close();
      return cl ? `closed ${cl.code} ${cl.reason}` : "answered";
    });
    await run(G, "ws: chat.send with a 500 KB message", async () => {
      const c = await connect(port);
      const out = await chat(c, "agent:main:hostile-big", "a ".repeat(250_000));
      c.ws.close();
      return out;
    });
    await run(G, "ws: chat.send with 500 KB base64 image", async () => {
      const c = await connect(port);
      const data = Buffer.alloc(370 * 1024, 7).toString("base64");
      const out = await chat(c, "agent:main:hostile-img", "look", {
        attachments: [{ type: "image", mimeType: "image/png", content: data }],
      });
      c.ws.close();
      return out;
    });

    // HTTP bodies.
    const v1 = "/v1/chat/completions";
    const routes = [
      ["openai", v1, auth],
      ["hooks", "/hooks/agent", hookAuth],
      ["hooks unauth", "/hooks/agent", {}],
      ["voice webhook", "/voice/webhook", {}],
      ["slack events", "/slack/events", {}],
      ["unknown route", "/nowhere", {}],
    ];
    for (const [label, p, headers] of routes) {
      await run(G, `http ${label}: declared 1 GB`, () => post(port, p, { total: 1024 * MB, headers }));
      await run(G, `http ${label}: streamed 300 MB chunked`, () => post(port, p, { total: 300 * MB, headers, chunked: true }));
    }
    await run(G, "http openai: 15 MB message (under the cap)", () =>
      post(port, v1, {
        headers: auth,
        body: JSON.stringify({ model: "openclaw", messages: [{ role: "user", content: "a ".repeat(7.5 * MB) }] }),
      }),
    );
    await run(G, "http openai: 30,000 messages (under the cap)", () =>
      post(port, v1, {
        headers: auth,
        body: JSON.stringify({
          model: "openclaw",
          messages: Array.from({ length: 30_000 }, () => ({ role: "user", content: "a".repeat(400) })),
        }),
      }),
    );
    await run(G, "http hooks: 256 KB agent message", () =>
      post(port, "/hooks/agent", { headers: hookAuth, body: JSON.stringify({ message: "a ".repeat(120 * 1024), name: "x" }) }),
    );
    await run(G, "http: 20 open 15 MB openai bodies (slow)", async () => {
      const socks = [];
      for (let i = 0; i < 20; i++) {
        const s = net.connect(port, "127.0.0.1");
        await new Promise((r) => s.once("connect", r));
        s.on("error", () => undefined);
        s.write(
          `POST ${v1} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${TOKEN}\r\ncontent-type: application/json\r\ncontent-length: ${15 * MB + 10}\r\n\r\n`,
        );
        const buf = Buffer.alloc(MB, 0x61);
        for (let k = 0; k < 15; k++) if (!s.write(buf)) await new Promise((r) => s.once("drain", r));
        socks.push(s);
      }
      await sleep(1000);
      const open = socks.filter((s) => !s.destroyed).length;
      for (const s of socks) s.destroy();
      return `${open} of 20 still open`;
    });
    await run(G, "http: 1,000 slow-loris sockets", async () => {
      const socks = [];
      for (let i = 0; i < 1000; i++) {
        const s = net.connect(port, "127.0.0.1");
        s.on("error", () => undefined);
        s.write(`POST /hooks/agent HTTP/1.1\r\nhost: x\r\ncontent-length: 100000\r\n`);
        socks.push(s);
      }
      await sleep(3000);
      const open = socks.filter((s) => !s.destroyed).length;
      for (const s of socks) s.destroy();
      return `${open} of 1000 still open after 3 s`;
    });

    // Files. Each attack sets up its file first (not sampled), on whichever gateway is running.
    const TKEY = "agent:main:hostile-transcript";
    const bigTranscript = async () => {
      const c = await connect(port);
      await chat(c, TKEY, "hello");
      const sessions = await request(c, "sessions.list", {});
      c.ws.close();
      const entry = sessions.payload?.sessions?.find((s) => s.key === TKEY);
      const file = findFiles(gw.stateDir, /\.jsonl$/).find((f) => entry?.sessionId && f.includes(entry.sessionId));
      if (!file) throw new Error("no transcript found for the session");
      if (fs.statSync(file).size < 100 * MB) growTranscript(file, 200 * MB);
    };
    await run(
      G,
      "file: 200 MB transcript, chat.history",
      async () => {
        const c = await connect(port);
        const r = await request(c, "chat.history", { sessionKey: TKEY, limit: 200 });
        c.ws.close();
        return r.ok ? `${r.payload.messages?.length} messages` : errText(r);
      },
      bigTranscript,
    );
    await run(
      G,
      "file: 200 MB transcript, sessions.preview",
      async () => {
        const c = await connect(port);
        const r = await request(c, "sessions.preview", { keys: [TKEY] });
        c.ws.close();
        return errText(r);
      },
      bigTranscript,
    );
    await run(
      G,
      "file: 200 MB transcript, new message",
      async () => {
        const c = await connect(port);
        const out = await chat(c, TKEY, "one more");
        c.ws.close();
        return out;
      },
      bigTranscript,
    );

    const workspace = () => {
      const dir = path.dirname(findFiles(gw.stateDir, /^AGENTS\.md$/)[0] ?? path.join(gw.stateDir, "workspace", "AGENTS.md"));
      fs.mkdirSync(dir, { recursive: true });
      return dir;
    };
    for (const name of ["AGENTS.md", "MEMORY.md"]) {
      let file;
      let saved = null;
      await run(
        G,
        `file: 100 MB ${name} in the prompt`,
        async () => {
          const c = await connect(port);
          const out = await chat(c, `agent:main:hostile-${name}`, "hi");
          c.ws.close();
          return out;
        },
        () => {
          file = path.join(workspace(), name);
          saved = fs.existsSync(file) ? fs.readFileSync(file) : null;
          bigText(file, 100 * MB);
        },
      );
      if (file && fs.existsSync(path.dirname(file))) {
        if (saved) fs.writeFileSync(file, saved);
        else fs.rmSync(file, { force: true });
      }
    }
    let sparse;
    await run(
      G,
      "tool: read on a 1 GB sparse file",
      () => readOutcome(port, "agent:main:hostile-read", "[read:huge.bin]"),
      () => {
        sparse = path.join(workspace(), "huge.bin");
        fs.closeSync(fs.openSync(sparse, "w"));
        fs.truncateSync(sparse, 1024 * MB);
      },
    );
    if (sparse) fs.rmSync(sparse, { force: true });
    await run(G, "model: a reply that never ends", async () => {
      const c = await connect(port);
      const out = await chat(c, "agent:main:hostile-flood", "[flood]");
      c.ws.close();
      return out;
    });
    let fifty;
    await run(
      G,
      "model: one reply asking for 2,000 reads of a 50 KB file",
      async () => {
        const c = await connect(port);
        const out = await chat(c, "agent:main:hostile-reads", "[reads:2000:fifty.txt]");
        c.ws.close();
        return out;
      },
      () => {
        fifty = path.join(workspace(), "fifty.txt");
        fs.writeFileSync(fifty, `${"z".repeat(99)}\n`.repeat(500));
      },
    );
    if (fifty) fs.rmSync(fifty, { force: true });
    if (fs.existsSync("/dev/zero")) {
      await run(G, "tool: read on /dev/zero (reports 0 bytes, never ends)", () =>
        readOutcome(port, "agent:main:hostile-zero", "[read:/dev/zero]"),
      );
    }

    const cfgFile = () => path.join(gw.stateDir, "openclaw.json");
    const goodCfg = fs.readFileSync(cfgFile());
    for (const [name, write] of [
      ["config: 50 MB openclaw.json live reload", (f) => bigConfig(f, 50 * MB)],
      ["config: nested openclaw.json live reload", (f) => fs.writeFileSync(f, `{"x":${"[".repeat(500_000)}${"]".repeat(500_000)}}`)],
      ["config: $include of /dev/zero live reload", (f) => fs.writeFileSync(f, JSON.stringify({ $include: "/dev/zero" }))],
    ]) {
      await run(G, name, async () => {
        const before = gw.output().length;
        write(cfgFile() + ".tmp");
        fs.renameSync(cfgFile() + ".tmp", cfgFile());
        for (let i = 0; i < 300 && !/too large|limit|levels|deep|invalid|config/i.test(gw.output().slice(before)); i++) await sleep(20);
        await sleep(1500);
        return short(
          gw
            .output()
            .slice(before)
            .split("\n")
            .find((l) => l.trim()) ?? "no log line",
        );
      });
      fs.writeFileSync(cfgFile(), goodCfg);
      await sleep(1500);
    }
  } finally {
    G.sampler.stop();
    await G.gw.stop();
    await model.close();
    await slack.close?.();
  }

  const maxRss = Math.round(Math.max(0, ...results.map((r) => r.peakMb)) * 10) / 10;
  log(`\n${results.length} attacks in ${((Date.now() - started) / 1000).toFixed(0)} s; highest peak ${maxRss} MB (limit ${LIMIT_MB} MB)`);
  const bad = results.filter((r) => r.peakMb > LIMIT_MB || !r.survived);
  log(
    bad.length
      ? `over the limit or fatal: ${bad.map((r) => r.name).join("; ")}`
      : "every attack stayed under the limit and the gateway kept answering",
  );
  if (JSON_OUT) console.log(JSON.stringify({ maxRss, attacks: results }));
}

/** A syntactically valid openclaw.json of about `bytes`, written in pieces. */
function bigConfig(file, bytes) {
  const fd = fs.openSync(file, "w");
  fs.writeSync(fd, '{"gateway":{"mode":"local"},"env":{"vars":{');
  const pad = "v".repeat(1000);
  let w = 0;
  let i = 0;
  while (w < bytes) {
    const part = [];
    for (let k = 0; k < 1000; k++) part.push(`"K${i++}":"${pad}"`);
    const s = (w ? "," : "") + part.join(",");
    fs.writeSync(fd, s);
    w += s.length;
  }
  fs.writeSync(fd, "}}}");
  fs.closeSync(fd);
}

await main();
