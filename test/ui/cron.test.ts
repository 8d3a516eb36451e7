/// <reference lib="dom" />
/**
 * Scheduled jobs in the Control UI, in Chromium: a job added through the Cron view's form is listed
 * with its schedule in words; Run now runs it (the fake model answers) and the run shows in its
 * history; it can be switched off and deleted; a bad schedule gets a clear error. Then the original
 * openclaw@2026.1.29 Control UI, served by this gateway, lists a job added with `cron.add`.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { connect } from "../helpers/gateway.js";
import { refSkipReason } from "../helpers/reference-cli.js";
import { TOKEN, newPage, signIn, startUiGateway, timeout, uiSuite } from "./helpers.js";

const REF_CONTROL_UI = path.join(process.env.OPENCLAW_REFERENCE_DIR || "/tmp/openclaw-reference", "node_modules/openclaw/dist/control-ui");
const refUiSkip: string | false =
  refSkipReason || (!fs.existsSync(path.join(REF_CONTROL_UI, "index.html")) && `the original package has no ${REF_CONTROL_UI}`);
/** Where screenshots go, for looking at them. */
const SHOTS = process.env.UI_SHOTS ?? "/tmp/ui-shots";

describe("the Cron view", () => {
  const ui = uiSuite();

  it("adds a job through the form, runs it now, shows the run, switches it off and deletes it", { timeout }, async () => {
    const { context, page, errors } = await newPage(ui.browser);
    try {
      await signIn(page, ui.gw, "/cron");
      await page.getByRole("heading", { name: "Cron", level: 1 }).waitFor();
      const scheduler = page.getByRole("region", { name: "Scheduler" });
      await scheduler.getByText("enabled").waitFor();
      assert.match(await scheduler.innerText(), /Jobs\s+0/);
      await page.getByText("No scheduled jobs yet.").waitFor();

      // A schedule the page cannot read is refused before anything is sent.
      await page.getByLabel("Name").fill("Daily digest");
      await page.getByLabel("Interval").fill("soon");
      await page.getByLabel("Message", { exact: true }).fill("Summarise the day.");
      await page.getByRole("button", { name: "Add job" }).click();
      await page.getByRole("alert").filter({ hasText: '"soon" is not an interval' }).waitFor();

      // A cron expression the gateway refuses: its own words are shown.
      await page.getByLabel("Schedule", { exact: true }).selectOption("cron");
      await page.getByLabel("Expression").fill("every now and then");
      await page.getByRole("button", { name: "Add job" }).click();
      const refused = page.getByRole("alert").filter({ hasText: "The gateway refused the job:" });
      await refused.waitFor();

      await page.getByLabel("Schedule", { exact: true }).selectOption("every");
      await page.getByLabel("Interval").fill("2h");
      await page.getByRole("button", { name: "Add job" }).click();
      const row = page.getByRole("row").filter({ hasText: "Daily digest" });
      await row.waitFor();
      await refused.waitFor({ state: "detached" });
      assert.match(await row.innerText(), /every 2 hours/);
      assert.match(await row.innerText(), /never/, "not run yet");
      await scheduler.getByText(/Jobs\s+1/).waitFor();
      assert.doesNotMatch(await scheduler.innerText(), /nothing scheduled/);

      ui.fakes.anthropic.enqueue({ text: "Today: three meetings and a walk." });
      await row.getByRole("button", { name: "Run Daily digest now" }).click();
      const history = page.getByRole("region", { name: "Run history of Daily digest" });
      await history.getByText("Today: three meetings and a walk.").waitFor();
      await history.locator(".badge.ok").filter({ hasText: "ok" }).waitFor();
      await row.locator(".badge.ok").waitFor();
      assert.match(await history.innerText(), /Message: Summarise the day\./);
      fs.mkdirSync(SHOTS, { recursive: true });
      await history.scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(SHOTS, "cron-desktop.png") });

      const toggle = row.getByRole("checkbox", { name: "Enabled: Daily digest" });
      assert.equal(await toggle.isChecked(), true);
      await toggle.uncheck();
      await row.getByText("off").waitFor();
      const c = await connect(ui.gw.wsUrl, { token: TOKEN });
      try {
        const list: any = await c.request("cron.list", { includeDisabled: true });
        assert.equal(list.jobs.find((j: any) => j.name === "Daily digest").enabled, false);
      } finally {
        c.close();
      }

      page.once("dialog", (d) => {
        assert.match(d.message(), /Delete the job "Daily digest"\?/);
        void d.accept();
      });
      await row.getByRole("button", { name: "Delete Daily digest" }).click();
      await row.waitFor({ state: "detached" });
      await page.getByText("No scheduled jobs yet.").waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it("follows cron events: a job added elsewhere appears without a reload", { timeout }, async () => {
    const { context, page, errors } = await newPage(ui.browser);
    const c = await connect(ui.gw.wsUrl, { token: TOKEN });
    try {
      await signIn(page, ui.gw, "/cron");
      await page.getByRole("region", { name: "Scheduler" }).getByText("enabled").waitFor();
      await c.request("cron.add", {
        name: "Morning plan",
        schedule: { kind: "cron", expr: "0 7 * * *", tz: "Europe/Berlin" },
        payload: { kind: "systemEvent", text: "Plan the day" },
      });
      const row = page.getByRole("row").filter({ hasText: "Morning plan" });
      await row.waitFor();
      assert.match(await row.innerText(), /cron 0 7 \* \* \* \(Europe\/Berlin\)/);
      assert.deepEqual(errors, []);
    } finally {
      c.close();
      await context.close();
    }
  });

  it("fits a 375 px phone screen with its table, and every control has a name", { timeout }, async () => {
    const { context, page, errors } = await newPage(ui.browser, { width: 375, height: 812 });
    try {
      await signIn(page, ui.gw, "/cron");
      // "Morning plan" from the test before is listed.
      await page.getByRole("row").filter({ hasText: "Morning plan" }).waitFor();
      await page.getByRole("group", { name: "What it does" }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      const wide = await page.evaluate(() =>
        [...document.querySelectorAll("*")]
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
          .map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)
          .slice(0, 15),
      );
      assert.ok(overflow <= 0, `${wide.join(", ")}: the page is ${overflow}px wider than the screen`);
      const unnamed = await page.evaluate(() =>
        [...document.querySelectorAll("button, input, select, textarea, a[href], summary")]
          .filter((el) => {
            const e = el as HTMLElement;
            const labelled = (e as HTMLInputElement).labels?.length || e.getAttribute("aria-label") || e.getAttribute("aria-labelledby");
            return !labelled && !(e.textContent ?? "").trim() && !e.title;
          })
          .map((el) => el.outerHTML.slice(0, 80)),
      );
      assert.deepEqual(unnamed, []);
      await page.getByRole("heading", { name: "Add job" }).scrollIntoViewIfNeeded();
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, "cron-phone.png") });
      await page.getByRole("button", { name: "Add job" }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(SHOTS, "cron-phone-form.png") });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});

describe("the original Control UI's Cron page served by this gateway", { skip: refUiSkip }, () => {
  const ui = uiSuite((fakes) => startUiGateway(fakes, {}, { controlUiRoot: REF_CONTROL_UI }));

  it("lists a job added with cron.add", { timeout }, async () => {
    const c = await connect(ui.gw.wsUrl, { token: TOKEN });
    await c.request("cron.add", {
      name: "Weekly review from the API",
      schedule: { kind: "every", everyMs: 7 * 86_400_000 },
      payload: { kind: "agentTurn", message: "Review the week." },
    });
    c.close();
    const { context, page } = await newPage(ui.browser);
    // No network here: its web fonts get an empty answer.
    await context.route(
      (u) => u.hostname !== "127.0.0.1",
      (r) => r.fulfill({ status: 200, contentType: "text/css", body: "" }),
    );
    try {
      await page.goto(ui.gw.httpUrl + "/overview");
      await page.getByPlaceholder("OPENCLAW_GATEWAY_TOKEN").fill(TOKEN);
      await page.getByRole("button", { name: "Connect" }).click();
      await page.waitForFunction(() => /Health\s*OK/.test(document.body.innerText));
      await page.getByRole("link", { name: /^Cron/ }).first().click();
      await page.waitForURL(/\/cron$/);
      await page.getByText("Weekly review from the API").first().waitFor();
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.getByText("Weekly review from the API").first().scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(SHOTS, "cron-original.png") });
      assert.doesNotMatch(await page.locator("body").innerText(), /Error:|INVALID_REQUEST/);
    } finally {
      await context.close();
    }
  });
});
