#!/usr/bin/env node
// The scheduler's idle cost with 1,000 jobs: a gateway (in process, no channels) whose jobs.json holds
// 1,000 recurring jobs (every hour, daily cron expressions in several time zones), none due during the
// measurement. Prints the process's CPU time over an idle window and RSS, beside the same gateway
// with no jobs.
//
//   node --import tsx --semi-space-growth-factor=1 bench/cron.mjs [--jobs 1000] [--idle 10] [--settle 15] [--json]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { root } from "./lib.mjs";

const args = process.argv.slice(2);
const arg = (name, dflt) => Number(args[args.indexOf(name) + 1]) || dflt;
const JOBS = arg("--jobs", 1000);
const IDLE_S = arg("--idle", 10);
const SETTLE_S = arg("--settle", 15);
const { startGateway } = await import(path.join(root, "src/gateway/start.ts"));

function jobsFile(n, now) {
  const zones = ["UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo"];
  const jobs = Array.from({ length: n }, (_, i) => ({
    id: `bench-${i}`,
    name: `job ${i}`,
    enabled: true,
    createdAtMs: now,
    updatedAtMs: now,
    schedule:
      i % 2
        ? { kind: "every", everyMs: 3_600_000, anchorMs: now + 60_000 }
        : { kind: "cron", expr: `${i % 60} ${i % 24} * * *`, tz: zones[i % 4] },
    sessionTarget: "isolated",
    wakeMode: "next-heartbeat",
    payload: { kind: "agentTurn", message: "check in" },
    state: {},
  }));
  return { version: 1, jobs };
}

async function measure(jobs) {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "oc-bench-cron-"));
  fs.writeFileSync(
    path.join(stateDir, "openclaw.json"),
    JSON.stringify({ gateway: { mode: "local" }, agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } } }),
  );
  if (jobs) {
    fs.mkdirSync(path.join(stateDir, "cron"), { recursive: true });
    fs.writeFileSync(path.join(stateDir, "cron", "jobs.json"), JSON.stringify(jobsFile(jobs, Date.now())));
  }
  const gw = await startGateway({
    env: { HOME: stateDir, OPENCLAW_STATE_DIR: stateDir, ANTHROPIC_API_KEY: "bench" },
    port: 0,
    stdout: () => {},
    stderr: () => {},
  });
  // Start-up settles first: jobs loaded, next runs computed, and V8's memory reducer done with the
  // garbage of start-up (it runs a few full collections some seconds after allocation stops). Those are
  // a cost of starting, not of idling, and would otherwise land in the window or not depending on timing.
  await new Promise((r) => setTimeout(r, SETTLE_S * 1000));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, IDLE_S * 1000));
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  const rss = process.memoryUsage().rss / 1048576;
  await gw.close();
  fs.rmSync(stateDir, { recursive: true, force: true });
  return { cpuPct: ((cpu.user + cpu.system) / 1000 / wall) * 100, rss };
}

const none = await measure(0);
const many = await measure(JOBS);
if (args.includes("--json"))
  console.log(JSON.stringify({ jobs: JOBS, idleS: IDLE_S, cpuPct: many.cpuPct, cpuPctNoJobs: none.cpuPct, rss: many.rss }));
else {
  console.log(`scheduler idle cost over ${IDLE_S} s, ${SETTLE_S} s after start (gateway in process, nothing due):`);
  console.log(`  no jobs:     CPU ${none.cpuPct.toFixed(2)} %   RSS ${none.rss.toFixed(1)} MB`);
  console.log(
    `  ${JOBS} jobs: CPU ${many.cpuPct.toFixed(2)} %   RSS ${many.rss.toFixed(1)} MB (RSS includes the first gateway's leftovers)`,
  );
}
