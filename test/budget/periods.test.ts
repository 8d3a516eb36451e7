/** Budget periods in a time zone: day and month keys, when a period ends, and how its reset reads. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describeReset, periodEnd, periodKeys } from "../../src/budget/periods.js";

const T = { timeout: 20_000 };
// Zones come from the project's copy of the tz database, not the host's.
process.env.TZDIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/zoneinfo");

const intlDay = (tz: string, ms: number) =>
  new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" }).format(ms);

describe("budget periods", () => {
  it("file usage under the day and month of its zone, and end them when that zone's day or month ends", T, () => {
    for (const tz of ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Pacific/Chatham"]) {
      // Every 5 h 7 min through 2026: DST changes and month ends included.
      for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 307 * 60_000) {
        const day = intlDay(tz, ms);
        assert.deepEqual(periodKeys(ms, tz), { day, month: day.slice(0, 7) }, `${tz} ${new Date(ms).toISOString()}`);
        const end = periodEnd(ms, tz, "daily");
        assert.notEqual(intlDay(tz, end), day);
        assert.equal(intlDay(tz, end - 60_000), day, `${tz}: the day ends on the minute`);
      }
    }
  });

  it("say when a period resets in the zone's wall clock", T, () => {
    const berlinMidnight = Date.parse("2026-11-30T23:00:00Z");
    assert.equal(describeReset(berlinMidnight, "Europe/Berlin", "daily"), "00:00 Europe/Berlin");
    assert.equal(describeReset(berlinMidnight, "Europe/Berlin", "monthly"), "1 December 00:00 Europe/Berlin");
    assert.equal(describeReset(Date.parse("2026-07-01T00:00:00Z"), "UTC", "monthly"), "1 July 00:00 UTC");
    const chatham = Date.parse("2026-03-31T11:15:00Z");
    const intl = `${new Intl.DateTimeFormat("en-GB", { timeZone: "Pacific/Chatham", day: "numeric", month: "long" }).format(chatham)} ${new Intl.DateTimeFormat("en-GB", { timeZone: "Pacific/Chatham", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(chatham)} Pacific/Chatham`;
    assert.equal(describeReset(chatham, "Pacific/Chatham", "monthly"), intl);
  });
});
