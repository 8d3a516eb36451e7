/**
 * IANA time zones read from the system's tz database (the TZif files under `/usr/share/zoneinfo`, or
 * `$TZDIR`; RFC 8536) rather than through `Intl`.
 *
 * The first `Intl.DateTimeFormat` a process makes loads ICU's data, and it stays: about 8 MB of RSS
 * for the gateway's life, which is what one cron job "0 7 * * *" in Europe/Berlin used to cost. A
 * zone's file is a few KB, read once and kept. Where no file answers (a system without tzdata, a name
 * only ICU knows such as a lower-case spelling), `loadZone` returns undefined and callers use `Intl`.
 */
import fs from "node:fs";
import path from "node:path";

export interface Zone {
  readonly name: string;
  /** The zone's UTC offset at the instant `ms` (east of Greenwich positive), in ms. */
  offsetMs(ms: number): number;
}

/** Zone files are a few KB; anything larger is not one. */
const MAX_FILE_BYTES = 64 * 1024;
/** Loaded zones (and names that are not one), up to this many; a full cache starts over. */
const MAX_CACHED = 256;
/** `Area/Location` names as the tz database writes them; no dots, so no `..` and no `zone.tab`. */
const ZONE_NAME = /^[A-Za-z0-9_+-]+(?:\/[A-Za-z0-9_+-]+){0,3}$/;

const cache = new Map<string, Zone | null>();

export function zoneDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.TZDIR?.trim() || "/usr/share/zoneinfo";
}

/** The zone `name` from the tz database, or undefined when the system has no such zone file. */
export function loadZone(name: string): Zone | undefined {
  const dir = zoneDir();
  const key = `${dir}\0${name}`;
  let zone = cache.get(key);
  if (zone === undefined) {
    // UTC needs no file: a system without tzdata still files budgets (UTC by default) without ICU.
    zone = readZone(dir, name) ?? (/^(Etc\/)?UTC$/.test(name) ? { name, offsetMs: () => 0 } : null);
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, zone);
  }
  return zone ?? undefined;
}

/** A Date whose UTC fields read `zone`'s wall clock at the instant `ms`. */
export function wallClock(zone: Zone, ms: number): Date {
  return new Date(ms + zone.offsetMs(ms));
}

/** English month and weekday names, as `Intl` writes them for en-US and en-GB. */
export const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
export const WEEKDAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/**
 * The host's own zone name: `$TZ` when it names a zone file, else the zone `/etc/localtime` links to;
 * undefined when neither does (the caller asks `Intl`).
 */
export function hostZoneName(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const tz = env.TZ?.trim().replace(/^:/, "");
  if (tz) {
    const name = tz.includes("/zoneinfo/") ? tz.slice(tz.lastIndexOf("/zoneinfo/") + 10) : tz;
    return loadZone(name) ? name : undefined;
  }
  try {
    const target = fs.readlinkSync("/etc/localtime");
    const at = target.lastIndexOf("/zoneinfo/");
    const name = at >= 0 ? target.slice(at + 10) : "";
    return name && loadZone(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

function readZone(dir: string, name: string): Zone | null {
  // posix/ and right/ are copies for other conventions (right/ counts leap seconds); ICU knows neither.
  if (name.length > 64 || !ZONE_NAME.test(name) || /^(posix|right)\//.test(name)) return null;
  try {
    const file = path.join(dir, name);
    const st = fs.statSync(file);
    if (!st.isFile() || st.size > MAX_FILE_BYTES) return null;
    return parseTzif(name, fs.readFileSync(file));
  } catch {
    return null;
  }
}

/** A TZif file (versions 1 to 4) as a zone; throws on anything else. */
export function parseTzif(name: string, b: Buffer): Zone {
  if (b.toString("latin1", 0, 4) !== "TZif") throw new Error(`${name}: not a TZif file`);
  const counts = (at: number) => ({
    isut: b.readUInt32BE(at + 20),
    isstd: b.readUInt32BE(at + 24),
    leap: b.readUInt32BE(at + 28),
    time: b.readUInt32BE(at + 32),
    type: b.readUInt32BE(at + 36),
    chars: b.readUInt32BE(at + 40),
  });
  let c = counts(0);
  let at = 44;
  let timeSize = 4;
  if (b[4]! >= 0x32) {
    // Version 2 and later repeat the data with 64-bit times, then add the footer rule.
    at += c.time * 5 + c.type * 6 + c.chars + c.leap * 8 + c.isstd + c.isut;
    if (b.toString("latin1", at, at + 4) !== "TZif") throw new Error(`${name}: bad second header`);
    c = counts(at);
    at += 44;
    timeSize = 8;
  }
  if (c.leap) throw new Error(`${name}: leap-second zones are not supported`);
  if (!c.type || c.type > 256) throw new Error(`${name}: bad type count`);
  // Counts come from the file: check they fit in it before sizing anything by them.
  if (at + c.time * (timeSize + 1) + c.type * 6 + c.chars > b.length) throw new Error(`${name}: truncated`);
  const times = new Float64Array(c.time);
  for (let i = 0; i < c.time; i++) times[i] = timeSize === 8 ? Number(b.readBigInt64BE(at + i * 8)) : b.readInt32BE(at + i * 4);
  at += c.time * timeSize;
  const types = Uint8Array.from(b.subarray(at, at + c.time));
  if (types.length !== c.time || types.some((t) => t >= c.type)) throw new Error(`${name}: bad transition types`);
  at += c.time;
  const offsets: number[] = [];
  for (let i = 0; i < c.type; i++) offsets.push(b.readInt32BE(at + i * 6) * 1000);
  at += c.type * 6 + c.chars + c.leap * (timeSize + 4) + c.isstd + c.isut;
  let rule: PosixRule | undefined;
  if (timeSize === 8 && b[at] === 0x0a) {
    const end = b.indexOf(0x0a, at + 1);
    const text = end > at ? b.toString("latin1", at + 1, end) : "";
    if (text) rule = parsePosixTz(text);
  }
  const last = times.length - 1;
  return {
    name,
    offsetMs(ms: number): number {
      const s = Math.floor(ms / 1000);
      // After the last transition the footer's rule holds; before the first, the first type.
      if (rule && (last < 0 || s >= times[last]!)) return rule.offsetMs(s);
      if (last < 0 || s < times[0]!) return offsets[0]!;
      let lo = 0;
      let hi = last;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (times[mid]! <= s) lo = mid;
        else hi = mid - 1;
      }
      return offsets[types[lo]!]!;
    },
  };
}

interface PosixRule {
  offsetMs(unixSeconds: number): number;
}

type RuleDate = { kind: "J"; n: number } | { kind: "n"; n: number } | { kind: "M"; m: number; w: number; d: number };

/**
 * The rule in a TZif footer: POSIX TZ syntax with RFC 8536's extensions (`<+03>` names, transition
 * times from -167 to 167 hours), e.g. `CET-1CEST,M3.5.0,M10.5.0/3`.
 */
export function parsePosixTz(text: string): PosixRule {
  let i = 0;
  const fail = (): never => {
    throw new Error(`unreadable time zone rule "${text}"`);
  };
  const zoneName = () => {
    if (text[i] === "<") {
      const end = text.indexOf(">", i);
      if (end < 0) fail();
      i = end + 1;
      return;
    }
    const start = i;
    while (i < text.length && /[A-Za-z]/.test(text[i]!)) i++;
    if (i - start < 3) fail();
  };
  /** `[+-]hh[:mm[:ss]]` as seconds. */
  const hms = () => {
    let sign = 1;
    if (text[i] === "+" || text[i] === "-") sign = text[i++] === "-" ? -1 : 1;
    const m = /^(\d{1,3})(?::(\d{1,2}))?(?::(\d{1,2}))?/.exec(text.slice(i));
    if (!m) return fail();
    i += m[0].length;
    return sign * (Number(m[1]) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0));
  };
  const date = (): RuleDate => {
    let m: RegExpExecArray | null;
    const rest = text.slice(i);
    if ((m = /^J(\d{1,3})/.exec(rest))) {
      i += m[0].length;
      return { kind: "J", n: Number(m[1]) };
    }
    if ((m = /^M(\d{1,2})\.(\d)\.(\d)/.exec(rest))) {
      i += m[0].length;
      return { kind: "M", m: Number(m[1]), w: Number(m[2]), d: Number(m[3]) };
    }
    if ((m = /^(\d{1,3})/.exec(rest))) {
      i += m[0].length;
      return { kind: "n", n: Number(m[1]) };
    }
    return fail();
  };
  zoneName();
  // POSIX offsets count west of Greenwich; ours count east.
  const std = (0 - hms()) * 1000;
  if (i >= text.length) return { offsetMs: () => std };
  zoneName();
  let dst = std + 3_600_000;
  if (i < text.length && text[i] !== ",") dst = (0 - hms()) * 1000;
  // A DST name with no rule: nothing to go by but the standard offset (zic always writes the rule).
  if (text[i] !== ",") return { offsetMs: () => std };
  i++;
  const startDate = date();
  const startTime = text[i] === "/" ? (i++, hms()) : 7200;
  if (text[i++] !== ",") fail();
  const endDate = date();
  const endTime = text[i] === "/" ? (i++, hms()) : 7200;
  if (i !== text.length) fail();
  const years = new Map<number, [number, number]>();
  return {
    offsetMs(s: number): number {
      const year = new Date(s * 1000 + std).getUTCFullYear();
      let span = years.get(year);
      if (!span) {
        // DST starts at a local standard time and ends at a local daylight time.
        span = [dayStartS(year, startDate) + startTime - std / 1000, dayStartS(year, endDate) + endTime - dst / 1000];
        if (years.size > 64) years.clear();
        years.set(year, span);
      }
      const [start, end] = span;
      const inDst = start < end ? s >= start && s < end : !(s >= end && s < start);
      return inDst ? dst : std;
    },
  };
}

/** The UTC midnight (seconds) of the day `d` names in `year`. */
function dayStartS(year: number, d: RuleDate): number {
  const jan1 = Date.UTC(year, 0, 1) / 1000;
  if (d.kind === "n") return jan1 + d.n * 86400;
  if (d.kind === "J") {
    // Jn counts 1..365 and never counts February 29.
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return jan1 + (d.n - 1 + (leap && d.n >= 60 ? 1 : 0)) * 86400;
  }
  const first = new Date(Date.UTC(year, d.m - 1, 1));
  const daysInMonth = new Date(Date.UTC(year, d.m, 0)).getUTCDate();
  let day = 1 + ((d.d - first.getUTCDay() + 7) % 7) + (d.w - 1) * 7;
  while (day > daysInMonth) day -= 7;
  return Date.UTC(year, d.m - 1, day) / 1000;
}
