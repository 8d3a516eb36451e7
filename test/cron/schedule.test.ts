/** Schedule arithmetic: when `at`, `every` and `cron` (with a time zone) jobs fire next, and input times. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkCronSchedule, loadCroner, nextRunAtMs, parseAbsoluteTimeMs, parseDurationMs } from "../../src/cron/schedule.js";
import { normalizeJobInput } from "../../src/cron/normalize.js";
import { PROMPT_TIME_FORMAT, formatNow } from "../../src/cron/runner.js";

const T = { timeout: 10_000 };
// The zones these tests use come from the project's copy of the tz database, not the host's.
process.env.TZDIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/zoneinfo");

describe("cron schedules", () => {
  it("at: its time while it is ahead, nothing once passed", T, () => {
    assert.equal(nextRunAtMs({ kind: "at", atMs: 5000 }, 1000), 5000);
    assert.equal(nextRunAtMs({ kind: "at", atMs: 5000 }, 5000), undefined);
  });

  it("every: the next multiple after the anchor, strictly after now", T, () => {
    const s = { kind: "every" as const, everyMs: 1000, anchorMs: 10_000 };
    assert.equal(nextRunAtMs(s, 5000), 10_000, "before the anchor: the anchor");
    assert.equal(nextRunAtMs(s, 10_000), 11_000);
    assert.equal(nextRunAtMs(s, 10_001), 11_000);
    assert.equal(nextRunAtMs(s, 12_500), 13_000);
    assert.equal(nextRunAtMs({ kind: "every", everyMs: 60_000 }, 7), 60_007, "no anchor: one interval from now");
  });

  it("cron: 5 fields in the job's time zone, across a DST change", T, async () => {
    const Cron = await loadCroner();
    // 2026-03-08 is the US spring-forward day: 07:00 Los Angeles is 14:00 UTC after it, 15:00 UTC before.
    const before = Date.parse("2026-03-07T16:00:00Z");
    assert.equal(
      new Date(nextRunAtMs({ kind: "cron", expr: "0 7 * * *", tz: "America/Los_Angeles" }, before, Cron)!).toISOString(),
      "2026-03-08T14:00:00.000Z",
    );
    assert.equal(
      new Date(
        nextRunAtMs({ kind: "cron", expr: "0 7 * * *", tz: "America/Los_Angeles" }, Date.parse("2026-03-06T16:00:00Z"), Cron)!,
      ).toISOString(),
      "2026-03-07T15:00:00.000Z",
    );
    assert.equal(
      new Date(nextRunAtMs({ kind: "cron", expr: "30 9 * * 1", tz: "UTC" }, Date.parse("2026-01-01T00:00:00Z"), Cron)!).toISOString(),
      "2026-01-05T09:30:00.000Z",
    );
    assert.equal(
      new Date(nextRunAtMs({ kind: "cron", expr: "*/10 * * * * *", tz: "UTC" }, Date.parse("2026-01-01T00:00:01Z"), Cron)!).toISOString(),
      "2026-01-01T00:00:10.000Z",
      "6 fields: seconds",
    );
  });

  it("bad expressions and zones get errors saying what to write", T, async () => {
    const Cron = await loadCroner();
    assert.throws(
      () => checkCronSchedule({ kind: "cron", expr: "every monday" }, Cron),
      /invalid cron expression "every monday".*5 fields/,
    );
    assert.throws(
      () => checkCronSchedule({ kind: "cron", expr: "0 7 * * *", tz: "Mars/Olympus" }, Cron),
      /unknown time zone "Mars\/Olympus".*IANA/,
    );
  });

  it("times and durations as the CLI and cron.add read them (ISO without a zone is UTC)", T, () => {
    assert.equal(parseAbsoluteTimeMs("2026-01-12T18:00:00"), Date.parse("2026-01-12T18:00:00Z"));
    assert.equal(parseAbsoluteTimeMs("2026-01-12"), Date.parse("2026-01-12T00:00:00Z"));
    assert.equal(parseAbsoluteTimeMs("2026-01-12T18:00:00+01:00"), Date.parse("2026-01-12T17:00:00Z"));
    assert.equal(parseAbsoluteTimeMs("1767225600000"), 1767225600000);
    assert.equal(parseAbsoluteTimeMs("tomorrow"), null);
    assert.equal(parseDurationMs("20m"), 1_200_000);
    assert.equal(parseDurationMs("1.5h"), 5_400_000);
    assert.equal(parseDurationMs("500ms"), 500);
    assert.equal(parseDurationMs("10 minutes"), null);
  });

  it("cron.add input is normalized like OpenClaw's", T, () => {
    const n = normalizeJobInput(
      {
        job: {
          name: "x",
          enabled: "false",
          schedule: { at: "2026-02-01T08:00:00" },
          payload: { kind: "agentTurn", message: "hi", provider: "Telegram" },
        },
      },
      true,
    ) as any;
    assert.deepEqual(n.schedule, { kind: "at", atMs: Date.parse("2026-02-01T08:00:00Z") });
    assert.equal(n.enabled, false);
    assert.equal(n.sessionTarget, "isolated");
    assert.equal(n.wakeMode, "next-heartbeat");
    assert.equal(n.payload.channel, "telegram");
    assert.equal("provider" in n.payload, false);
  });

  it("cron in a zone from the tz database fires when croner's own time zone handling says, DST changes included", T, async () => {
    const Cron = await loadCroner();
    const zones = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Europe/Dublin", "Australia/Lord_Howe", "Pacific/Chatham"];
    const exprs = ["0 7 * * *", "30 2 * * *", "0 * * * *", "*/15 1-3 * * 0", "0 0 1 * *", "15 0,1,2,3 * * *", "30 1 L * *"];
    // Each 2026 DST change of these zones, and a day either side of it, every 97 minutes.
    const changes = ["2026-03-08", "2026-03-29", "2026-04-05", "2026-09-27", "2026-10-04", "2026-10-25", "2026-11-01"].map(Date.parse);
    for (const tz of zones) {
      for (const expr of exprs) {
        for (const change of changes) {
          for (let now = change - 86_400_000; now < change + 86_400_000; now += 97 * 60_000) {
            const want = new Cron(expr, { timezone: tz, catch: false }).nextRun(new Date(now))?.getTime();
            assert.equal(nextRunAtMs({ kind: "cron", expr, tz }, now, Cron), want, `${expr} in ${tz} after ${new Date(now).toISOString()}`);
          }
        }
      }
    }
  });

  it("a cron run's prompt gives the time as Intl writes it", T, () => {
    const at = Date.parse("2026-01-05T23:07:00Z");
    for (const tz of ["UTC", "Europe/Berlin", "Asia/Kolkata", "Pacific/Chatham"]) {
      const intl = new Intl.DateTimeFormat("en-US", { timeZone: tz, ...PROMPT_TIME_FORMAT }).format(at);
      assert.equal(formatNow(at, tz), intl, tz);
    }
    assert.equal(formatNow(at, "Europe/Berlin"), "Tuesday, January 6, 2026 at 00:07");
  });
});
