/**
 * The scheduler on its own, with a scripted job runner and short intervals: OpenClaw's jobs.json read
 * as is and written back in its format, runs and their log, one-shot retries with backoff, no overlap,
 * a missed run run once after downtime, and 1,000 jobs on one timer.
 */
import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { CronService, type RunOutcome } from "../../src/cron/service.js";
import { MAX_JOBS } from "../../src/cron/store.js";
import type { CronEvent, CronJob } from "../../src/cron/types.js";
import { fixture, tmpDir, waitFor } from "../helpers/gateway.js";

const T = { timeout: 20_000 };
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

interface Harness {
  cron: CronService;
  events: CronEvent[];
  runs: Array<{ id: string; at: number }>;
  storePath: string;
}

const services: CronService[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop(1000);
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function harness(
  opts: {
    execute?: (job: CronJob) => Promise<RunOutcome>;
    storePath?: string;
    backoff?: number[];
    maxAttempts?: number;
    max?: number;
    setTimer?: (fn: () => void, ms: number) => NodeJS.Timeout;
  } = {},
): Harness {
  let storePath = opts.storePath;
  if (!storePath) {
    const dir = tmpDir("oc-cron-");
    dirs.push(dir);
    storePath = path.join(dir, "cron", "jobs.json");
  }
  const events: CronEvent[] = [];
  const runs: Array<{ id: string; at: number }> = [];
  const cron = new CronService({
    storePath,
    enabled: () => true,
    maxConcurrentRuns: () => opts.max ?? 1,
    now: Date.now,
    log: quiet,
    emit: (e) => events.push(e),
    execute: async (job) => {
      runs.push({ id: job.id, at: Date.now() });
      return opts.execute ? opts.execute(job) : { status: "ok", summary: "done" };
    },
    retryBackoffMs: opts.backoff,
    setTimer: opts.setTimer,
    maxAtAttempts: opts.maxAttempts,
  });
  services.push(cron);
  return { cron, events, runs, storePath };
}

const reminder = (atMs: number) => ({
  name: "reminder",
  schedule: { kind: "at" as const, atMs },
  sessionTarget: "main" as const,
  wakeMode: "now" as const,
  payload: { kind: "systemEvent" as const, text: "stand up" },
});
const every = (everyMs: number, name = "tick") => ({
  name,
  schedule: { kind: "every" as const, everyMs },
  sessionTarget: "main" as const,
  wakeMode: "next-heartbeat" as const,
  payload: { kind: "systemEvent" as const, text: name },
});

describe("cron store", () => {
  it("reads OpenClaw's jobs.json as is and writes it back in the same format", T, async () => {
    const dir = tmpDir("oc-cron-store-");
    dirs.push(dir);
    const storePath = path.join(dir, "cron", "jobs.json");
    fs.mkdirSync(path.dirname(storePath), { recursive: true });
    const original = JSON.parse(fixture("cron/jobs.json"));
    // No saved next run for the recurring job, so this test is about the file, not missed runs.
    delete original.jobs[0].state.nextRunAtMs;
    fs.writeFileSync(storePath, JSON.stringify(original));
    const { cron } = harness({ storePath });
    await cron.start();
    const all = await cron.list({ includeDisabled: true });
    assert.deepEqual(all.map((j) => j.name).sort(), ["Check inbox", "Morning brief", "Reminder"]);
    assert.equal((await cron.list()).length, 2, "disabled jobs are left out by default");
    const brief = all.find((j) => j.name === "Morning brief")!;
    assert.deepEqual(brief.schedule, { kind: "cron", expr: "0 7 * * *", tz: "America/Los_Angeles" });
    assert.equal(brief.payload.kind === "agentTurn" && brief.payload.to, "-1001234567890:topic:123");
    assert.equal(
      new Date(brief.state.nextRunAtMs!).toLocaleString("en-US", { timeZone: "America/Los_Angeles", hour: "numeric", hourCycle: "h23" }),
      "07",
    );

    await cron.update(brief.id, { payload: { kind: "agentTurn", message: "Summarize overnight updates and weather." } });
    const saved = JSON.parse(fs.readFileSync(storePath, "utf8"));
    assert.equal(saved.version, 1);
    assert.equal(saved.jobs.length, 3);
    const savedBrief = saved.jobs.find((j: any) => j.id === brief.id);
    assert.equal(savedBrief.payload.message, "Summarize overnight updates and weather.");
    assert.equal(savedBrief.payload.to, "-1001234567890:topic:123", "a payload patch merges within its kind");
    for (const j of saved.jobs) {
      const extra = Object.keys(j).filter(
        (k) =>
          ![
            "id",
            "agentId",
            "name",
            "description",
            "enabled",
            "deleteAfterRun",
            "createdAtMs",
            "updatedAtMs",
            "schedule",
            "sessionTarget",
            "wakeMode",
            "payload",
            "isolation",
            "state",
          ].includes(k),
      );
      assert.deepEqual(extra, [], "only OpenClaw's job fields");
    }
    assert.ok(fs.existsSync(`${storePath}.bak`), "a backup copy is kept");
    assert.deepEqual(
      fs.readdirSync(path.dirname(storePath)).filter((f) => f.endsWith(".tmp")),
      [],
      "no temp files left",
    );

    // A second service on the same file sees the same jobs.
    const again = harness({ storePath }).cron;
    assert.deepEqual((await again.list({ includeDisabled: true })).map((j) => j.id).sort(), all.map((j) => j.id).sort());
  });

  it("an unreadable jobs.json is set aside (not overwritten), and the job count is bounded", T, async () => {
    const h = harness();
    fs.mkdirSync(path.dirname(h.storePath), { recursive: true });
    fs.writeFileSync(h.storePath, "{ not json");
    await h.cron.start();
    assert.equal((await h.cron.status()).jobs, 0);
    assert.ok(
      fs.readdirSync(path.dirname(h.storePath)).some((f) => f.startsWith("jobs.json.unreadable-")),
      "the old file is kept",
    );

    await assert.rejects(
      h.cron.add({ ...every(1000), payload: { kind: "agentTurn", message: "x" } } as any),
      /main cron jobs require payload.kind="systemEvent"/,
    );
    await h.cron.stop();

    // One that reports 0 bytes and never ends is set aside too, not read forever.
    const endless = harness();
    fs.mkdirSync(path.dirname(endless.storePath), { recursive: true });
    fs.symlinkSync("/dev/zero", endless.storePath);
    await endless.cron.start();
    assert.equal((await endless.cron.status()).jobs, 0);
    assert.ok(fs.readdirSync(path.dirname(endless.storePath)).some((f) => f.startsWith("jobs.json.unreadable-")));
    await endless.cron.stop();

    // 1,000 jobs (as a file written earlier) idle on one timer; the next one is refused.
    const now = Date.now();
    const jobs = Array.from({ length: MAX_JOBS }, (_, i) => ({
      ...every(3_600_000 + i, `job ${i}`),
      id: `job-${i}`,
      enabled: true,
      createdAtMs: now,
      updatedAtMs: now,
      state: {},
    }));
    fs.writeFileSync(h.storePath, JSON.stringify({ version: 1, jobs }));
    const delays: number[] = [];
    const setTimer = (fn: () => void, ms: number) => (delays.push(ms), setTimeout(fn, ms));
    const full = harness({ storePath: h.storePath, setTimer }).cron;
    await full.start();
    assert.equal((await full.status()).jobs, MAX_JOBS);
    assert.equal(delays.length, 1, `one timer for ${MAX_JOBS} jobs`);
    assert.ok(delays[0]! > 3_500_000, "armed for the earliest job, an hour away");
    await assert.rejects(full.add(every(1000)), /already has 1000 scheduled jobs \(the limit is 1000\); remove some/);
  });

  it("a start that changes nothing writes nothing; the first job added creates the file", T, async () => {
    const h = harness();
    await h.cron.start();
    await h.cron.stop();
    assert.equal(fs.existsSync(path.dirname(h.storePath)), false, "no jobs, no file");

    const again = harness({ storePath: h.storePath });
    await again.cron.start();
    const job = await again.cron.add({ ...reminder(Date.now() + 3_600_000), name: "later" });
    assert.deepEqual(
      JSON.parse(fs.readFileSync(h.storePath, "utf8")).jobs.map((j: CronJob) => j.id),
      [job.id],
    );
    await again.cron.stop();

    // Unchanged since it was written: a restart leaves the file and its time alone.
    const past = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    fs.utimesSync(h.storePath, past, past);
    const written = fs.readFileSync(h.storePath, "utf8");
    const third = harness({ storePath: h.storePath });
    await third.cron.start();
    assert.equal(fs.readFileSync(h.storePath, "utf8"), written);
    assert.equal(fs.statSync(h.storePath).mtimeMs, past.getTime());
  });
});

describe("cron scheduler", () => {
  it("an every job runs on time, logs each run and emits started/finished", T, async () => {
    const h = harness();
    await h.cron.start();
    const job = await h.cron.add(every(150));
    assert.deepEqual(h.events[0], { jobId: job.id, action: "added", nextRunAtMs: job.state.nextRunAtMs });
    await waitFor(() => h.runs.length >= 3, 5000, "three runs");
    const entries = await waitFor(async () => {
      const e = await h.cron.runs(job.id);
      return e.length >= 3 ? e : null;
    });
    assert.equal(entries![0]!.status, "ok");
    assert.equal(entries![0]!.summary, "done");
    assert.ok(h.events.some((e) => e.action === "started" && e.jobId === job.id));
    const fin = h.events.find((e) => e.action === "finished")!;
    assert.equal(fin.status, "ok");
    assert.ok(typeof fin.durationMs === "number" && typeof fin.nextRunAtMs === "number");
  });

  it("a failing one-shot job retries with backoff, then succeeds once and is disabled", T, async () => {
    let calls = 0;
    const h = harness({
      backoff: [200, 400],
      execute: async () => (++calls <= 2 ? { status: "error", error: `boom ${calls}` } : { status: "ok", summary: "sent" }),
    });
    await h.cron.start();
    const job = await h.cron.add(reminder(Date.now() + 50));
    await waitFor(() => h.events.some((e) => e.action === "finished" && e.status === "ok"), 5000, "the job to succeed");
    assert.equal((await h.cron.get(job.id))!.enabled, false, "done: disabled");
    assert.equal(h.runs.length, 3, "two failures and one success, no loop");
    assert.ok(h.runs[1]!.at - h.runs[0]!.at >= 190, `first retry after the first backoff (${h.runs[1]!.at - h.runs[0]!.at} ms)`);
    assert.ok(h.runs[2]!.at - h.runs[1]!.at >= 390, `second retry after the second backoff (${h.runs[2]!.at - h.runs[1]!.at} ms)`);
    const entries = await h.cron.runs(job.id);
    assert.deepEqual(
      entries.map((e) => [e.status, e.error]),
      [
        ["error", "boom 1"],
        ["error", "boom 2"],
        ["ok", undefined],
      ],
    );
  });

  it("a one-shot job that keeps failing is disabled after the last attempt, with the error kept", T, async () => {
    const h = harness({ backoff: [50], maxAttempts: 3, execute: async () => ({ status: "error", error: "no network" }) });
    await h.cron.start();
    const job = await h.cron.add(reminder(Date.now()));
    await waitFor(() => h.events.filter((e) => e.action === "finished").length === 3, 5000, "the job to be given up");
    const done = (await h.cron.get(job.id))!;
    assert.equal(done.enabled, false);
    assert.equal(h.runs.length, 3);
    assert.match(done.state.lastError!, /no network \(gave up after 3 attempts; the job is disabled/);
  });

  it("a job still running is not started again: the overlapping occurrence is skipped and logged", T, async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const h = harness({ execute: async () => (await gate, { status: "ok" }) });
    await h.cron.start();
    const job = await h.cron.add(every(100));
    const skipped = await waitFor(
      async () => {
        const e = await h.cron.runs(job.id);
        return e.find((x) => x.status === "skipped");
      },
      5000,
      "a skipped entry",
    );
    assert.match(skipped!.error!, /previous run of this job was still going/);
    assert.equal(h.runs.length, 1, "only one run started");
    assert.deepEqual(await h.cron.run(job.id, "force"), { ok: true, ran: false, reason: "already-running" });
    release();
    await waitFor(() => h.events.some((e) => e.action === "finished" && e.status === "ok"), 5000, "the run to finish");
  });

  it("after downtime a missed recurring run runs once at start, and a passed one-shot runs once", T, async () => {
    const dir = tmpDir("oc-cron-missed-");
    dirs.push(dir);
    const storePath = path.join(dir, "jobs.json");
    const now = Date.now();
    const base = { enabled: true, createdAtMs: now - 3_600_000, updatedAtMs: now - 3_600_000, sessionTarget: "main", wakeMode: "now" };
    fs.writeFileSync(
      storePath,
      JSON.stringify({
        version: 1,
        jobs: [
          // Due 10 minutes ago at a one-minute interval: ten runs missed.
          {
            ...base,
            id: "hourly",
            name: "every minute",
            schedule: { kind: "every", everyMs: 60_000, anchorMs: now - 3_600_000 - 1000 },
            payload: { kind: "systemEvent", text: "tick" },
            state: { nextRunAtMs: now - 600_000 },
          },
          {
            ...base,
            id: "once",
            name: "one-shot",
            schedule: { kind: "at", atMs: now - 120_000 },
            payload: { kind: "systemEvent", text: "late" },
            state: { nextRunAtMs: now - 120_000 },
          },
        ],
      }),
    );
    const h = harness({ storePath });
    await h.cron.start();
    await waitFor(() => h.events.filter((e) => e.action === "finished").length >= 2, 5000, "both jobs to run");
    assert.deepEqual(h.runs.map((r) => r.id).sort(), ["hourly", "once"], "each once");
    const hourly = (await h.cron.get("hourly"))!;
    assert.ok(hourly.state.nextRunAtMs! > Date.now(), "the next run is the next scheduled time, not another catch-up");
    assert.equal((await h.cron.get("once"))!.enabled, false, "the one-shot is done");
    assert.equal((await h.cron.status()).nextWakeAtMs, hourly.state.nextRunAtMs);
  });

  it("cron.run: due mode waits for the time, force runs now and waits for the result", T, async () => {
    const h = harness();
    await h.cron.start();
    const job = await h.cron.add(every(3_600_000));
    assert.deepEqual(await h.cron.run(job.id), { ok: true, ran: false, reason: "not-due" });
    assert.deepEqual(await h.cron.run(job.id, "force"), { ok: true, ran: true });
    assert.equal((await h.cron.runs(job.id)).length, 1);
    await assert.rejects(h.cron.run("nope"), /unknown cron job id: nope/);
    assert.deepEqual(await h.cron.remove(job.id), { ok: true, removed: true });
    assert.deepEqual(await h.cron.remove(job.id), { ok: true, removed: false });
  });
});
