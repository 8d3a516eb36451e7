/** Heartbeat settings and reply reading: the rules OpenClaw applies, checked value by value. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  heartbeatAgentIds,
  heartbeatConfigFor,
  intervalMs,
  isEffectivelyEmpty,
  readReply,
  visibilityFor,
  withinActiveHours,
} from "../../src/heartbeat/settings.js";
import type { OpenClawConfig } from "../../src/config/schema.js";

const cfg = (c: unknown) => c as OpenClawConfig;
const at = (iso: string) => Date.parse(iso);

describe("heartbeat settings", () => {
  it("interval: 30m by default, bare numbers are minutes, 0 disables", () => {
    assert.equal(intervalMs({}), 30 * 60_000);
    assert.equal(intervalMs({ every: "45" }), 45 * 60_000);
    assert.equal(intervalMs({ every: "2h" }), 2 * 3_600_000);
    assert.equal(intervalMs({ every: "1s" }), 1000);
    assert.equal(intervalMs({ every: "0m" }), null);
    assert.equal(intervalMs({ every: "soon" }), null);
  });

  it("only agents with their own heartbeat block beat when any has one; else the default agent", () => {
    assert.deepEqual(heartbeatAgentIds(cfg({})), ["main"]);
    assert.deepEqual(heartbeatAgentIds(cfg({ agents: { list: [{ id: "a" }, { id: "b", default: true }] } })), ["b"]);
    const c = cfg({
      agents: { defaults: { heartbeat: { every: "1h", target: "none" } }, list: [{ id: "a" }, { id: "Ops", heartbeat: { every: "5m" } }] },
    });
    assert.deepEqual(heartbeatAgentIds(c), ["ops"]);
    assert.deepEqual(heartbeatConfigFor(c, "ops"), { every: "5m", target: "none" });
  });

  it("active hours: start inclusive, end exclusive, wrapping midnight, in the named zone", () => {
    const c = cfg({ agents: { defaults: { userTimezone: "America/New_York" } } });
    const day = { activeHours: { start: "09:00", end: "17:00", timezone: "UTC" } };
    assert.equal(withinActiveHours(c, day, at("2026-01-10T09:00:00Z")), true);
    assert.equal(withinActiveHours(c, day, at("2026-01-10T16:59:00Z")), true);
    assert.equal(withinActiveHours(c, day, at("2026-01-10T17:00:00Z")), false);
    const night = { activeHours: { start: "22:00", end: "06:00", timezone: "UTC" } };
    assert.equal(withinActiveHours(c, night, at("2026-01-10T23:30:00Z")), true);
    assert.equal(withinActiveHours(c, night, at("2026-01-10T05:59:00Z")), true);
    assert.equal(withinActiveHours(c, night, at("2026-01-10T12:00:00Z")), false);
    // "user" (the default) is agents.defaults.userTimezone: 14:00 UTC is 09:00 in New York in January.
    const user = { activeHours: { start: "09:00", end: "10:00" } };
    assert.equal(withinActiveHours(c, user, at("2026-01-10T14:30:00Z")), true);
    assert.equal(withinActiveHours(c, user, at("2026-01-10T09:30:00Z")), false);
    assert.equal(
      withinActiveHours(c, { activeHours: { start: "08:00", end: "24:00", timezone: "UTC" } }, at("2026-01-10T23:59:00Z")),
      true,
    );
    assert.equal(withinActiveHours(c, { activeHours: { start: "08:00", end: "08:00" } }, at("2026-01-10T03:00:00Z")), true);
  });

  it("replies: HEARTBEAT_OK at either edge with up to ackMaxChars of text is an acknowledgement", () => {
    assert.deepEqual(readReply("HEARTBEAT_OK", 300), { ok: true, text: "", hadToken: true });
    assert.deepEqual(readReply("**HEARTBEAT_OK**", 300), { ok: true, text: "", hadToken: true });
    assert.equal(readReply("All good. HEARTBEAT_OK", 300).ok, true);
    assert.equal(readReply("HEARTBEAT_OK HEARTBEAT_OK", 300).ok, true);
    assert.deepEqual(readReply("All good. HEARTBEAT_OK", 3), { ok: false, text: "All good.", hadToken: true });
    assert.deepEqual(readReply("Disk full", 300), { ok: false, text: "Disk full", hadToken: false });
    // In the middle of a text the token is just text.
    assert.equal(readReply("Say HEARTBEAT_OK when done", 300).ok, false);
  });

  it("HEARTBEAT.md with only headings and empty items is empty; a missing file is not", () => {
    assert.equal(isEffectivelyEmpty("# Heartbeat\n\n## Tasks\n- [ ]\n* \n"), true);
    assert.equal(isEffectivelyEmpty("# Heartbeat\n- check the disk\n"), false);
    assert.equal(isEffectivelyEmpty("#todo\n"), false);
    assert.equal(isEffectivelyEmpty(null), false);
  });

  it("visibility: account over channel over channels.defaults; alerts on, OK off by default", () => {
    const c = cfg({
      channels: {
        defaults: { heartbeat: { showOk: true } },
        telegram: { heartbeat: { showAlerts: false }, accounts: { work: { heartbeat: { showAlerts: true, useIndicator: false } } } },
      },
    });
    assert.deepEqual(visibilityFor(cfg({}), "telegram", undefined), { showOk: false, showAlerts: true, useIndicator: true });
    assert.deepEqual(visibilityFor(c, "telegram", undefined), { showOk: true, showAlerts: false, useIndicator: true });
    assert.deepEqual(visibilityFor(c, "telegram", "work"), { showOk: true, showAlerts: true, useIndicator: false });
  });
});
