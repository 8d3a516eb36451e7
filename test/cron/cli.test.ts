/** `openclaw cron …` (the built CLI) against a running gateway: add, list, edit, run, runs, rm, and clear usage errors. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { cli, startTestGateway, tmpDir, type TestGateway } from "../helpers/gateway.js";

const T = { timeout: 60_000 };
const TOKEN = "cron-cli-token-123456";

describe("openclaw cron", () => {
  let gw: TestGateway;
  let home: string;
  const run = (...args: string[]) => cli(["cron", ...args, "--url", gw.wsUrl, "--token", TOKEN], { HOME: home, OPENCLAW_STATE_DIR: home });
  before(async () => {
    gw = await startTestGateway({ token: TOKEN, config: { gateway: { mode: "local" } } });
    home = tmpDir("oc-cron-cli-");
  });
  after(async () => {
    await gw.close();
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(gw.stateDir, { recursive: true, force: true });
  });

  it("adds, lists, edits, runs and removes a job", T, async () => {
    const add = await run("add", "--name", "Stretch", "--every", "2h", "--system-event", "Time to stretch", "--json");
    assert.equal(add.code, 0, add.stderr);
    const job = JSON.parse(add.stdout);
    assert.deepEqual(job.schedule, { kind: "every", everyMs: 7_200_000 });
    assert.equal(job.sessionTarget, "main");
    assert.deepEqual(job.payload, { kind: "systemEvent", text: "Time to stretch" });

    const iso = await run(
      "add",
      "--name",
      "Brief",
      "--cron",
      "0 7 * * *",
      "--tz",
      "Europe/Berlin",
      "--message",
      "Morning brief",
      "--to",
      "12345",
      "--json",
    );
    assert.equal(iso.code, 0, iso.stderr);
    const brief = JSON.parse(iso.stdout);
    assert.equal(brief.sessionTarget, "isolated", "follows --message");
    assert.deepEqual(brief.schedule, { kind: "cron", expr: "0 7 * * *", tz: "Europe/Berlin" });

    const list = await run("list");
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /Stretch.*every 2h/);
    assert.match(list.stdout, /Brief.*cron 0 7 \* \* \* \(Europe\/Berlin\)/);

    const edit = await run("edit", job.id, "--every", "30m", "--disable", "--json");
    assert.equal(edit.code, 0, edit.stderr);
    assert.equal(JSON.parse(edit.stdout).enabled, false);
    assert.doesNotMatch((await run("list")).stdout, /Stretch/, "disabled jobs only with --all");
    assert.match((await run("list", "--all")).stdout, /Stretch.*every 30m.*disabled/);

    const notDue = await run("run", brief.id);
    assert.match(notDue.stdout, /not due yet \(use --force/);
    const forced = await run("run", job.id, "--force");
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, new RegExp(`Ran ${job.id}`));
    const runs = await run("runs", "--id", job.id, "--json");
    assert.equal(JSON.parse(runs.stdout).entries[0].status, "ok");

    const rm = await run("rm", job.id);
    assert.equal(rm.code, 0, rm.stderr);
    const again = await run("rm", job.id);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /no job with id/);
  });

  it("bad input is refused with what to write instead", T, async () => {
    const noSchedule = await run("add", "--name", "x", "--system-event", "hi");
    assert.notEqual(noSchedule.code, 0);
    assert.match(noSchedule.stderr, /a schedule is needed: --at .* --every 1h, or --cron/);
    const badEvery = await run("add", "--name", "x", "--every", "often", "--system-event", "hi");
    assert.match(badEvery.stderr, /--every often: use a duration like 30s, 10m, 1h or 1d/);
    const badCron = await run("add", "--name", "x", "--cron", "61 * * * *", "--system-event", "hi");
    assert.match(badCron.stderr, /invalid cron expression "61 \* \* \* \*"/);
    const badTz = await run("add", "--name", "x", "--cron", "0 7 * * *", "--tz", "Berlin", "--system-event", "hi");
    assert.match(badTz.stderr, /unknown time zone "Berlin": use an IANA name/);
  });
});
