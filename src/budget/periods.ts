/**
 * Days and months in a time zone: the keys usage is filed under, and when each period ends. Zones come
 * from the tz database when it has them (src/infra/zoneinfo.ts), else from `Intl`.
 */
import { MONTH_NAMES, loadZone, wallClock } from "../infra/zoneinfo.js";

export interface PeriodKeys {
  /** YYYY-MM-DD */
  day: string;
  /** YYYY-MM */
  month: string;
}

/** Building a formatter costs far more than using one: keep one per time zone (there are few). */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", { timeZone: timezone, year: "numeric", month: "2-digit", day: "2-digit" });
    if (formatters.size < 64) formatters.set(timezone, f);
  }
  return f;
}

/** `YYYY-MM-DD` of `ts` in `timezone`. */
function dayKeyIn(timezone: string): (ts: number) => string {
  const zone = loadZone(timezone);
  if (zone) return (ts) => wallClock(zone, ts).toISOString().slice(0, 10);
  const f = formatter(timezone);
  return (ts) => dayKey(f, ts);
}

function dayKey(f: Intl.DateTimeFormat, ts: number): string {
  const parts = Object.fromEntries(f.formatToParts(new Date(ts)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/**
 * Every time zone's days start on a quarter hour, so the keys of one quarter hour are the keys of
 * the next call in it: the last answer per zone is kept (formatting a date in a zone is not free).
 */
const QUARTER_HOUR = 15 * 60_000;
const lastKeys = new Map<string, { slot: number; keys: PeriodKeys }>();

export function periodKeys(ts: number, timezone: string): PeriodKeys {
  const slot = Math.floor(ts / QUARTER_HOUR);
  const hit = lastKeys.get(timezone);
  if (hit?.slot === slot) return hit.keys;
  const day = dayKeyIn(timezone)(ts);
  const keys = { day, month: day.slice(0, 7) };
  if (lastKeys.size < 64 || lastKeys.has(timezone)) lastKeys.set(timezone, { slot, keys });
  return keys;
}

const HOUR = 3_600_000;

/**
 * The first instant after `ts` whose day (or month) differs from `ts`'s, to the minute: walks
 * forward an hour (or a day) at a time, then narrows down.
 */
export function periodEnd(ts: number, timezone: string, period: "daily" | "monthly"): number {
  const dayOf = dayKeyIn(timezone);
  const key = (t: number) => (period === "daily" ? dayOf(t) : dayOf(t).slice(0, 7));
  const start = key(ts);
  const step = period === "daily" ? HOUR : 24 * HOUR;
  let lo = ts;
  let hi = ts + step;
  while (key(hi) === start) {
    lo = hi;
    hi += step;
  }
  // Days start on a whole minute in every time zone: narrow down over whole minutes.
  const MIN = 60_000;
  lo = Math.floor(lo / MIN) * MIN;
  hi = Math.ceil(hi / MIN) * MIN;
  while (hi - lo > MIN) {
    const mid = lo + Math.floor((hi - lo) / 2 / MIN) * MIN;
    if (key(mid) === start) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** "00:00 UTC" for a day's end, "1 December 00:00 UTC" for a month's. */
export function describeReset(at: number, timezone: string, period: "daily" | "monthly"): string {
  const zone = loadZone(timezone);
  if (zone) {
    const wall = wallClock(zone, at);
    const time = wall.toISOString().slice(11, 16);
    return period === "daily" ? `${time} ${timezone}` : `${wall.getUTCDate()} ${MONTH_NAMES[wall.getUTCMonth()]} ${time} ${timezone}`;
  }
  const time = new Intl.DateTimeFormat("en-GB", { timeZone: timezone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(
    new Date(at),
  );
  if (period === "daily") return `${time} ${timezone}`;
  const date = new Intl.DateTimeFormat("en-GB", { timeZone: timezone, day: "numeric", month: "long" }).format(new Date(at));
  return `${date} ${time} ${timezone}`;
}
