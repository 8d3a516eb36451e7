/**
 * When a schedule fires next. `cron` expressions are read by croner (5 fields, or 6 with seconds) in
 * the job's time zone (the host's when none is given), as OpenClaw does; croner is loaded only when
 * a gateway has a `cron` job, and passed in here.
 *
 * A job's time zone comes from the system's tz database when it has the zone (src/infra/zoneinfo.ts):
 * croner then matches the expression against the zone's wall clock, and the match is mapped back to
 * an instant the way croner maps it itself. Only a zone the database lacks goes through croner's own
 * `Intl`-based time zone support, which loads ICU's data for the rest of the process's life.
 */
import { isTimeZone } from "../infra/time-zone.js";
import { loadZone, type Zone } from "../infra/zoneinfo.js";
import type { CronSchedule } from "./types.js";

export type CronCtor = typeof import("croner").Cron;

export function loadCroner(): Promise<CronCtor> {
  return import("croner").then((m) => m.Cron);
}

/** The next time strictly after `nowMs` (at or after, for `at`), or undefined when there is none. */
export function nextRunAtMs(schedule: CronSchedule, nowMs: number, Cron?: CronCtor): number | undefined {
  if (schedule.kind === "at") return schedule.atMs > nowMs ? schedule.atMs : undefined;
  if (schedule.kind === "every") {
    const every = Math.max(1, Math.floor(schedule.everyMs));
    const anchor = Math.max(0, Math.floor(schedule.anchorMs ?? nowMs));
    if (nowMs < anchor) return anchor;
    const steps = Math.max(1, Math.ceil((nowMs - anchor) / every));
    return anchor + steps * every;
  }
  if (!Cron) throw new Error("cron expressions need croner loaded");
  const expr = schedule.expr.trim();
  if (!expr) return undefined;
  const tz = schedule.tz?.trim() || undefined;
  const zone = tz ? wallClockZone(expr, tz) : undefined;
  if (zone) {
    // croner with a zero UTC offset reads a Date's UTC fields as the wall clock.
    const next = new Cron(expr, { utcOffset: 0, catch: false }).nextRun(new Date(nowMs + zone.offsetMs(nowMs)));
    return next ? instantOfWallTime(zone, next.getTime()) : undefined;
  }
  const next = new Cron(expr, { timezone: tz, catch: false }).nextRun(new Date(nowMs));
  return next ? next.getTime() : undefined;
}

/**
 * The zone to match `expr` on by wall clock, when the tz database has it. An expression with croner's
 * `?` (filled in from the current time in the job's zone) keeps croner's own time zone handling.
 */
function wallClockZone(expr: string, tz: string): Zone | undefined {
  return expr.includes("?") ? undefined : loadZone(tz);
}

/**
 * The instant a wall-clock time (given as if it were UTC) names in `zone`, resolved as croner resolves
 * it: a time that occurs twice (clocks going back) maps through the offset in force at the wall time
 * read as UTC, and a time that does not exist (clocks going forward) moves on by the change.
 */
export function instantOfWallTime(zone: Zone, wallMs: number): number {
  const first = zone.offsetMs(wallMs);
  const guess = wallMs - first;
  const atGuess = zone.offsetMs(guess);
  if (atGuess === first) return guess;
  const retry = wallMs - atGuess;
  const atRetry = zone.offsetMs(retry);
  return atRetry >= atGuess ? retry : guess;
}

/** Throws a clear error for an expression or time zone croner cannot read. */
export function checkCronSchedule(schedule: CronSchedule, Cron: CronCtor): void {
  if (schedule.kind !== "cron") return;
  const tz = schedule.tz?.trim();
  if (tz && !isTimeZone(tz)) throw new Error(`unknown time zone "${tz}": use an IANA name such as Europe/Berlin or America/New_York`);
  try {
    const expr = schedule.expr.trim();
    new Cron(expr, tz && wallClockZone(expr, tz) ? { utcOffset: 0, catch: false } : { timezone: tz || undefined, catch: false });
  } catch (e) {
    throw new Error(`invalid cron expression "${schedule.expr}": ${(e as Error).message} (use 5 fields: minute hour day month weekday)`);
  }
}

/** `^\d+(\.\d+)?(ms|s|m|h|d)$` as milliseconds (the CLI's `--every` and `--at +20m`), or null. */
export function parseDurationMs(raw: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/i.exec(raw.trim());
  if (!m) return null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2]!.toLowerCase() as "ms"];
  const ms = Math.floor(Number(m[1]) * unit);
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}

/** An absolute time: digits are epoch ms; ISO without a zone is UTC; a date alone is midnight UTC. */
export function parseAbsoluteTimeMs(input: string): number | null {
  const raw = input.trim();
  if (!raw) return null;
  if (/^\d+$/.test(raw)) {
    const n = Number(raw);
    return Number.isFinite(n) && n > 0 ? Math.floor(n) : null;
  }
  let iso = raw;
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(raw)) {
    if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) iso = `${raw}T00:00:00Z`;
    else if (/^\d{4}-\d{2}-\d{2}T/.test(raw)) iso = `${raw}Z`;
  }
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}
