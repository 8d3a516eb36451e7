/**
 * Time zones from TZif files: offsets as `Intl` gives them, for files with transitions written out and
 * for slim files that leave later years to the footer's rule; names that are not zones are refused.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { hostZoneName, loadZone, parsePosixTz, parseTzif, zoneDir } from "../../src/infra/zoneinfo.js";
import { isTimeZone } from "../../src/infra/time-zone.js";

const T = { timeout: 30_000 };
const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/zoneinfo");
process.env.TZDIR = FIXTURES;

/** The offset `Intl` gives for `ms` in `tz`, in ms (whole seconds, as Intl formats them). */
function intlOffset(tz: string, ms: number): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: tz,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(new Date(ms));
  const n = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second")) - Math.floor(ms / 1000) * 1000;
}

function random(seed: number): () => number {
  return () => (seed = (seed * 48271) % 2147483647) / 2147483647;
}

const ZONES = [
  "Europe/Berlin",
  "Europe/Dublin", // winter is its "daylight" time: a negative DST
  "America/New_York",
  "America/Los_Angeles",
  "America/Nuuk", // transitions at -1:00 and 0:00 local
  "Australia/Sydney", // southern hemisphere: DST spans the new year
  "Australia/Lord_Howe", // a 30-minute DST
  "Pacific/Chatham", // +12:45 / +13:45
  "Asia/Kolkata",
  "Asia/Tokyo",
  "Antarctica/Troll", // +00 / +02
  "UTC",
];

describe("time zones from the tz database", () => {
  it("gives the offsets Intl gives, 1990 to 2090, at DST changes too", T, () => {
    const rnd = random(11);
    for (const name of [...ZONES, "slim/Europe/Berlin", "slim/Australia/Sydney"]) {
      const zone = loadZone(name);
      assert.ok(zone, name);
      const tz = name.replace(/^slim\//, "");
      const instants: number[] = [];
      for (let i = 0; i < 1500; i++) instants.push(Math.floor(Date.UTC(1990, 0, 1) + rnd() * 100 * 365.25 * 86_400_000));
      // Around the changes: every 30 minutes through the weeks they fall in, in a year past the files' 2037.
      for (const month of [2, 3, 8, 9, 10]) {
        for (let ms = Date.UTC(2041, month, 1); ms < Date.UTC(2041, month + 1, 8); ms += 1_800_000) instants.push(ms - 1000, ms);
      }
      for (const ms of instants) assert.equal(zone.offsetMs(ms), intlOffset(tz, ms), `${name} at ${new Date(ms).toISOString()}`);
    }
  });

  it("reads footer rules: POSIX forms, RFC 8536 extensions, and refuses what it cannot read", T, () => {
    const at = (iso: string) => Date.parse(iso) / 1000;
    const us = parsePosixTz("EST5EDT,M3.2.0,M11.1.0");
    assert.equal(us.offsetMs(at("2026-03-08T06:59:59Z")), -5 * 3_600_000);
    assert.equal(us.offsetMs(at("2026-03-08T07:00:00Z")), -4 * 3_600_000, "02:00 EST on the second Sunday of March");
    assert.equal(us.offsetMs(at("2026-11-01T05:59:59Z")), -4 * 3_600_000);
    assert.equal(us.offsetMs(at("2026-11-01T06:00:00Z")), -5 * 3_600_000, "02:00 EDT on the first Sunday of November");
    // Julian days: J60 is March 1 in every year; a plain 59 is March 1 only in a leap year.
    const julian = parsePosixTz("AAA0BBB,J60/0,J305/0");
    assert.equal(julian.offsetMs(at("2028-02-29T12:00:00Z")), 0);
    assert.equal(julian.offsetMs(at("2028-03-01T00:00:00Z")), 3_600_000);
    const zeroBased = parsePosixTz("AAA0BBB,59/0,305/0");
    assert.equal(zeroBased.offsetMs(at("2028-02-29T12:00:00Z")), 3_600_000);
    assert.equal(zeroBased.offsetMs(at("2027-02-28T12:00:00Z")), 0);
    assert.equal(parsePosixTz("<+0545>-5:45").offsetMs(0), (5 * 60 + 45) * 60_000, "quoted name, minutes");
    // Transition times beyond 24 hours (RFC 8536): J297 is 2026-10-24, and 25:00 there (-02) is 03:00 UTC on the 25th.
    const late = parsePosixTz("<-03>3<-02>,M3.5.0/-2,J297/25");
    assert.equal(late.offsetMs(at("2026-10-25T02:59:59Z")), -2 * 3_600_000);
    assert.equal(late.offsetMs(at("2026-10-25T03:00:00Z")), -3 * 3_600_000);
    for (const bad of ["", "X5", "EST5EDT,M3.2.0", "EST5EDT,Q1,Q2", "EST5EDT,M3.2.0,M11.1.0junk"]) {
      assert.throws(() => parsePosixTz(bad), /unreadable time zone rule/, bad);
    }
  });

  it("refuses names that are not zones and files that are not TZif", T, () => {
    assert.equal(zoneDir(), FIXTURES);
    for (const name of [
      "",
      "Mars/Olympus",
      "../README.md",
      "Europe/../UTC",
      "README.md",
      "Broken",
      "posix/UTC",
      "right/UTC",
      "a".repeat(65),
    ]) {
      assert.equal(loadZone(name), undefined, name);
    }
    assert.throws(() => parseTzif("x", Buffer.from("TZif2")), RangeError, "a truncated header");
    const berlin = fs.readFileSync(path.join(FIXTURES, "Europe/Berlin"));
    assert.throws(() => parseTzif("x", berlin.subarray(0, 300)), "a truncated file");
    const huge = Buffer.from(berlin.subarray(0, 44));
    huge.writeUInt32BE(0xffffffff, 32); // a version-1 header claiming four billion transitions
    huge[4] = 0;
    assert.throws(() => parseTzif("x", huge), /truncated/);
    assert.equal(isTimeZone("Europe/Berlin"), true);
    assert.equal(isTimeZone("Mars/Olympus"), false);
    // A spelling only ICU knows still counts, through Intl.
    assert.equal(isTimeZone("europe/paris"), true);
  });

  it("names the host's zone from TZ, in each of its spellings, and leaves the rest to Intl", T, () => {
    assert.equal(hostZoneName({ TZ: "Asia/Tokyo" }), "Asia/Tokyo");
    assert.equal(hostZoneName({ TZ: ":Asia/Tokyo" }), "Asia/Tokyo");
    assert.equal(hostZoneName({ TZ: "/usr/share/zoneinfo/Asia/Tokyo" }), "Asia/Tokyo");
    assert.equal(hostZoneName({ TZ: "CET-1CEST,M3.5.0,M10.5.0/3" }), undefined, "a POSIX rule, not a zone name");
    assert.equal(hostZoneName({ TZ: "Mars/Olympus" }), undefined);
  });
});
