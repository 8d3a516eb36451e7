/** The spending ledger and the budget checks on it, with a fake clock and no gateway. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { tmpDir } from "../helpers/gateway.js";
import { budgetWarning, checkBudget, UsageLedger } from "../../src/budget/index.js";
import { periodEnd } from "../../src/budget/periods.js";
import { budgetSchema } from "../../src/budget/config.js";
import type { OpenClawConfig } from "../../src/config/schema.js";

const T0 = Date.parse("2026-03-31T22:30:00Z");
const HOUR = 3_600_000;

function logger() {
  const lines: string[] = [];
  const log = (level: string) => (m: string) => void lines.push(`${level}: ${m}`);
  return { lines, log: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") } as any };
}

describe("usage ledger", { timeout: 10_000 }, () => {
  it("sums per agent and per session, per day and per month, in the budget's time zone", () => {
    const stateDir = tmpDir();
    const ledger = new UsageLedger({ stateDir });
    const rec = (sessionKey: string, at: number, tokens: number, usd: number, timezone = "UTC") =>
      ledger.record({ agentId: "main", sessionKey, at, tokens, usd, timezone });
    rec("agent:main:main", T0, 100, 0.5);
    rec("agent:main:main", T0 + 2 * HOUR, 50, 0.25); // 1 April UTC: a new day and a new month
    rec("agent:main:other", T0 + 3 * HOUR, 10, 0.1);

    const march = ledger.month("main", "2026-03");
    assert.deepEqual(march.agent.month, { usd: 0.5, tokens: 100, runs: 1 });
    assert.deepEqual(Object.keys(march.agent.days), ["2026-03-31"]);
    const april = ledger.month("main", "2026-04");
    assert.equal(april.agent.month.tokens, 60);
    assert.equal(april.agent.days["2026-04-01"]!.runs, 2);
    assert.equal(april.sessions["agent:main:main"]!.month.tokens, 50);
    assert.equal(april.sessions["agent:main:other"]!.days["2026-04-01"]!.usd, 0.1);

    // On disk (written shortly after, or at once by flush), readable by another ledger over the same state directory.
    ledger.flush();
    const file = path.join(stateDir, "usage", "main", "2026-04.json");
    assert.ok(fs.existsSync(file));
    const other = new UsageLedger({ stateDir });
    assert.equal(other.month("main", "2026-04").agent.month.tokens, 60);
    rec("agent:main:main", T0 + 4 * HOUR, 5, 0);
    ledger.flush();
    assert.equal(other.month("main", "2026-04").agent.month.tokens, 65, "sees writes made after its first read");

    // In Tokyo (UTC+9), 22:30 UTC on 31 March is already 1 April.
    const tokyo = new UsageLedger({ stateDir: tmpDir() });
    tokyo.record({ agentId: "main", sessionKey: "k", at: T0, tokens: 1, usd: 0, timezone: "Asia/Tokyo" });
    assert.deepEqual(Object.keys(tokyo.month("main", "2026-04").agent.days), ["2026-04-01"]);
  });

  it("logs a failed write, keeps counting in memory, and starts over from a corrupt file", () => {
    const stateDir = tmpDir();
    fs.writeFileSync(path.join(stateDir, "usage"), "a file where the folder should be");
    const { lines, log } = logger();
    const ledger = new UsageLedger({ stateDir, log });
    ledger.record({ agentId: "main", sessionKey: "k", at: T0, tokens: 10, usd: 1, timezone: "UTC" });
    ledger.flush();
    ledger.record({ agentId: "main", sessionKey: "k", at: T0, tokens: 10, usd: 1, timezone: "UTC" });
    ledger.flush();
    assert.equal(ledger.month("main", "2026-03").agent.month.tokens, 20);
    assert.equal(lines.filter((l) => l.startsWith("error: cannot write usage ledger")).length, 1, lines.join("\n"));

    const dir2 = tmpDir();
    fs.mkdirSync(path.join(dir2, "usage", "main"), { recursive: true });
    fs.writeFileSync(path.join(dir2, "usage", "main", "2026-03.json"), "{not json");
    const l2 = new UsageLedger({ stateDir: dir2, log });
    assert.equal(l2.month("main", "2026-03").agent.month.tokens, 0);
    l2.record({ agentId: "main", sessionKey: "k", at: T0, tokens: 3, usd: 0, timezone: "UTC" });
    l2.flush();
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir2, "usage", "main", "2026-03.json"), "utf8")).agent.month.tokens, 3);
    // A month file that reports 0 bytes and never ends is unreadable, not read forever.
    const dir3 = tmpDir();
    fs.mkdirSync(path.join(dir3, "usage", "main"), { recursive: true });
    fs.symlinkSync("/dev/zero", path.join(dir3, "usage", "main", "2026-03.json"));
    const l3 = new UsageLedger({ stateDir: dir3, log });
    assert.equal(l3.month("main", "2026-03").agent.month.tokens, 0);
    assert.ok(
      lines.some((l) => /usage ledger .*2026-03\.json unreadable, starting it over: more than/.test(l)),
      lines.join("\n"),
    );
    // An agent id that is not a plain name never becomes a path.
    l2.record({ agentId: "../x", sessionKey: "k", at: T0, tokens: 3, usd: 0, timezone: "UTC" });
    assert.ok(!fs.existsSync(path.join(dir2, "x")));
  });

  it("refuses at a limit, names the setting and the reset, warns once at 80% and resets the next day", () => {
    const stateDir = tmpDir();
    const ledger = new UsageLedger({ stateDir });
    const config = {
      agents: {
        defaults: { budget: { daily: { usd: 5 }, session: { monthly: { tokens: 1000 } } } },
        list: [{ id: "main" }, { id: "cheap", budget: { daily: { usd: 1 } } }],
      },
    } as unknown as OpenClawConfig;
    const day = Date.parse("2026-03-10T12:00:00Z");
    const input = (now: number, agentId = "main", sessionKey = "s1") => ({ config, agentId, sessionKey, now, ledger });
    const spend = (usd: number, tokens = 0, now = day, agentId = "main", sessionKey = "s1") =>
      ledger.record({ agentId, sessionKey, at: now, tokens, usd, timezone: "UTC" });

    assert.equal(checkBudget(input(day)).ok, true);
    spend(3.9);
    assert.equal(budgetWarning(input(day)), undefined, "78% is below the warning share");
    spend(0.2);
    const warning = budgetWarning(input(day));
    assert.match(warning ?? "", /This agent has used 82% of its daily budget \(\$4\.10 of \$5\.00; resets at 00:00 UTC\)/);
    spend(0.1);
    assert.equal(budgetWarning(input(day)), undefined, "warned once per period");
    assert.equal(checkBudget(input(day)).ok, true);
    spend(0.82);
    const refused = checkBudget(input(day));
    assert.equal(refused.ok, false);
    assert.equal(
      refused.message,
      "This agent has reached its daily budget of $5.00 (spent $5.02 today, resets at 00:00 UTC). Raise agents.defaults.budget.daily.usd or wait.",
    );
    // Another agent of its own budget; the next day starts over.
    assert.equal(checkBudget(input(day, "cheap")).ok, true);
    const tomorrow = day + 12 * HOUR + 1;
    assert.equal(checkBudget(input(tomorrow)).ok, true);
    spend(4.5, 0, tomorrow);
    assert.match(budgetWarning(input(tomorrow)) ?? "", /82%|90%/, "a new day, a new warning");

    // Session limits count each session on its own; the agent's own entry overrides the defaults.
    spend(0, 1000, tomorrow, "cheap", "s2");
    const s = checkBudget(input(tomorrow, "cheap", "s2"));
    assert.match(
      s.message ?? "",
      /^This conversation has reached its monthly budget of 1,000 tokens \(spent 1,000 tokens this month, resets on 1 April 00:00 UTC\)\. Raise agents\.defaults\.budget\.session\.monthly\.tokens or wait\.$/,
    );
    assert.equal(checkBudget(input(tomorrow, "cheap", "s3")).ok, true);
    spend(1, 0, tomorrow, "cheap", "s3");
    assert.match(checkBudget(input(tomorrow, "cheap", "s3")).message ?? "", /Raise agents\.list\[1\]\.budget\.daily\.usd/);
  });

  it("checks a cron job's own budget on its session", () => {
    const ledger = new UsageLedger({ stateDir: tmpDir() });
    const config = {} as OpenClawConfig;
    const now = Date.parse("2026-05-02T08:00:00Z");
    const job = { config, agentId: "main", sessionKey: "agent:main:cron:nightly", now, ledger, jobBudget: { daily: { tokens: 500 } } };
    assert.equal(checkBudget(job).ok, true);
    assert.deepEqual(checkBudget({ ...job, jobBudget: undefined }).lines, [], "no budgets: nothing to check");
    ledger.record({ agentId: "main", sessionKey: "agent:main:cron:nightly", at: now, tokens: 600, usd: 0, timezone: "UTC" });
    const r = checkBudget({ ...job, jobSetting: "cron job nightly budget" });
    assert.equal(r.ok, false);
    assert.match(
      r.message ?? "",
      /^This cron job has reached its daily budget of 500 tokens .* Raise cron job nightly budget\.daily\.tokens or wait\.$/,
    );
    assert.equal(checkBudget({ ...job, sessionKey: "agent:main:main" }).ok, true, "other sessions do not count");
  });

  it("finds period ends across time zones and validates the config", () => {
    assert.equal(periodEnd(Date.parse("2026-03-10T12:00:00Z"), "UTC", "daily"), Date.parse("2026-03-11T00:00:00Z"));
    assert.equal(periodEnd(Date.parse("2026-03-10T23:59:30.5Z"), "UTC", "daily"), Date.parse("2026-03-11T00:00:00Z"));
    assert.equal(periodEnd(Date.parse("2026-03-10T12:00:00Z"), "UTC", "monthly"), Date.parse("2026-04-01T00:00:00Z"));
    assert.equal(periodEnd(Date.parse("2026-03-10T12:00:00Z"), "Asia/Kolkata", "daily"), Date.parse("2026-03-10T18:30:00Z"));
    assert.equal(budgetSchema().safeParse({ daily: { usd: 5 }, warnAt: 0.9, timezone: "Europe/Berlin" }).success, true);
    const bad = budgetSchema().safeParse({ timezone: "Mars/Olympus" });
    assert.equal(bad.success, false);
    assert.match(JSON.stringify(bad.error?.issues), /IANA time zone/);
    assert.equal(budgetSchema().safeParse({ daily: { usd: -1 } }).success, false);
    assert.equal(budgetSchema().safeParse({ daily: { dollars: 5 } }).success, false);
  });
});
