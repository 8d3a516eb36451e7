/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The Control UI's other views against a real gateway: config errors by path and edit conflicts,
 * pairing approval, sessions, overview, logs, usage, theme, and a phone-sized screen.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { chatClient } from "../helpers/agents.js";
import { connect, type TestGateway } from "../helpers/gateway.js";
import { MemoryChannel } from "../helpers/memory-channel.js";
import { TOKEN, newPage, signIn, startUiGateway, timeout, uiSuite } from "./helpers.js";

async function open(page: Page, gw: TestGateway, view: string, heading: string): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: view }).click();
  await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
  assert.equal(new URL(page.url()).pathname, `/${view.toLowerCase()}`);
  void gw;
}

describe("Control UI views", () => {
  const ui = uiSuite(async (fakes) => {
    const gw = await startUiGateway(fakes, {}, { env: { TELEGRAM_BOT_TOKEN: "123:abc" }, channelFactories: { telegram: tg.factory } });
    const { client, send } = await chatClient(gw, { token: TOKEN });
    fakes.anthropic.enqueue({ text: "Hello from the assistant", usage: { input: 1200, output: 300 } });
    await send("hello there");
    client.close();
    return gw;
  });
  const tg = new MemoryChannel("telegram");

  it("config form: a bad value is shown next to its field path and nothing is saved", { timeout }, async () => {
    const { context, page, errors } = await newPage(ui.browser);
    try {
      const before = fs.readFileSync(ui.gw.ctx.configPath, "utf8");
      await signIn(page, ui.gw);
      await open(page, ui.gw, "Config", "Config");
      const port = page.getByRole("textbox", { name: "Port", exact: true });
      await port.fill("70000");
      await page.getByRole("button", { name: "Apply" }).click();
      const err = page.locator(".field").filter({ has: port }).getByRole("alert");
      await err.waitFor();
      assert.match((await err.textContent()) ?? "", /gateway\.port: must be at most 65535/);
      assert.equal(await port.getAttribute("aria-invalid"), "true");
      assert.equal(fs.readFileSync(ui.gw.ctx.configPath, "utf8"), before, "nothing written");

      // A valid change in another section is saved and applied.
      await port.fill("");
      await page.getByRole("button", { name: "Logging" }).click();
      await page.getByRole("combobox", { name: "Log level", exact: true }).selectOption("debug");
      await page.getByRole("button", { name: "Apply" }).click();
      await page.getByText("Saved and applied.").waitFor();
      assert.equal(JSON.parse(fs.readFileSync(ui.gw.ctx.configPath, "utf8")).logging.level, "debug");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it(
    "raw config: the gateway's validation errors are listed by path; a concurrent edit is reported, not overwritten",
    { timeout },
    async () => {
      const { context, page } = await newPage(ui.browser);
      try {
        await signIn(page, ui.gw, "/config");
        await page.getByRole("button", { name: "Raw JSON5" }).click();
        const editor = page.getByRole("textbox", { name: "openclaw.json (JSON5)" });
        assert.match(await editor.inputValue(), /"mode": "local"/);
        const good = await editor.inputValue();
        await editor.fill(`{ gateway: { mode: "local", port: "abc" }, agents: { defaults: { bogus: 1 } } }`);
        await page.getByRole("button", { name: "Apply" }).click();
        const problems = page.getByRole("region", { name: "Problems" });
        await problems.waitFor();
        const text = (await problems.textContent()) ?? "";
        assert.match(text, /gateway\.port: expected number, got string/);
        assert.match(text, /agents\.defaults\.bogus: unknown key/);
        assert.doesNotMatch(fs.readFileSync(ui.gw.ctx.configPath, "utf8"), /abc/);

        // Someone else saves meanwhile: applying the stale text is refused.
        await editor.fill(good.replace('"mode": "local"', '"mode": "local", "port": 1234'));
        const other = await connect(ui.gw.wsUrl, { token: TOKEN, scopes: ["operator.admin"] });
        const snap = await other.request<any>("config.get", {});
        await other.request("config.patch", { raw: JSON.stringify({ session: { idleMinutes: 90 } }), baseHash: snap.hash });
        other.close();
        await page.getByRole("button", { name: "Apply" }).click();
        await page.getByRole("alert").filter({ hasText: "changed elsewhere" }).waitFor();
        const saved = JSON.parse(fs.readFileSync(ui.gw.ctx.configPath, "utf8"));
        assert.equal(saved.session.idleMinutes, 90, "the other edit survives");
        assert.equal(saved.gateway.port, undefined, "the stale text was not written");
        await page.getByRole("button", { name: "Discard my edits and reload" }).click();
        await page.waitForFunction(() =>
          (document.querySelector("#cfg-raw") as HTMLTextAreaElement | null)?.value.includes('"idleMinutes": 90'),
        );
      } finally {
        await context.close();
      }
    },
  );

  it("channels: a stranger's pairing request is approved from the list", { timeout }, async () => {
    const { context, page, errors } = await newPage(ui.browser);
    try {
      tg.receive({ chat: { kind: "dm", id: "555" }, sender: { id: "555", username: "carol", name: "Carol" }, text: "let me in" });
      await tg.waitForSent(1);
      await signIn(page, ui.gw);
      await open(page, ui.gw, "Channels", "Channels");
      await page.getByRole("region", { name: "Telegram" }).getByText("Connected").waitFor();
      const approve = page.getByRole("button", { name: "Approve Carol @carol (telegram)" });
      await approve.click();
      await page.getByRole("status").filter({ hasText: "Approved Carol @carol on telegram." }).waitFor();
      await page.getByText("Nobody is waiting").waitFor();
      const allow = JSON.parse(fs.readFileSync(path.join(ui.gw.stateDir, "credentials", "telegram-allowFrom.json"), "utf8"));
      assert.deepEqual(allow.allowFrom, ["555"]);
      // Carol now reaches the agent.
      tg.receive({ chat: { kind: "dm", id: "555" }, sender: { id: "555", username: "carol", name: "Carol" }, text: "thanks" });
      await tg.waitForSent(2);
      assert.equal(tg.sent[1]!.text, "echo: thanks");
      // Probing asks each account and shows the answer.
      await page.getByRole("button", { name: "Probe now" }).click();
      await page.getByText("1 ms").waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it("sessions: activity, tokens and cost; preview, open in chat, reset and delete", { timeout }, async () => {
    const { context, page } = await newPage(ui.browser);
    try {
      await ui.gw.ctx.agents.send({ sessionKey: "agent:main:scratch", text: "scratch note" }).done;
      await signIn(page, ui.gw);
      await open(page, ui.gw, "Sessions", "Sessions");
      const main = page.getByRole("listitem").filter({ has: page.getByText("agent:main:main", { exact: true }) });
      await main.waitFor();
      assert.match((await main.textContent()) ?? "", /Tokens\s*\d+(\.\d)?k/);
      assert.match((await main.textContent()) ?? "", /Cost\s*\$0\.\d+/);
      await main.getByRole("button", { name: "Preview main" }).click();
      await main.getByRole("list", { name: "Preview of main" }).getByText("Hello from the assistant").waitFor();

      const scratch = page.getByRole("listitem").filter({ has: page.getByText("agent:main:scratch", { exact: true }) });
      await scratch.getByRole("button", { name: "Open scratch in chat" }).click();
      await page.getByText("echo: scratch note").waitFor();
      assert.equal(new URL(page.url()).pathname, "/");

      await open(page, ui.gw, "Sessions", "Sessions");
      await scratch.getByRole("button", { name: "Reset scratch" }).click();
      await scratch.getByRole("button", { name: "Yes, reset" }).click();
      await page.getByText("Started a new conversation in agent:main:scratch.").waitFor();
      assert.equal((await ui.gw.ctx.agents.history("agent:main:scratch")).messages.length, 0);

      await scratch.getByRole("button", { name: "Delete scratch" }).click();
      await scratch.getByRole("button", { name: "Cancel" }).click();
      assert.equal(await scratch.count(), 1, "cancel keeps it");
      await scratch.getByRole("button", { name: "Delete scratch" }).click();
      await scratch.getByRole("button", { name: "Yes, delete" }).click();
      await page.getByText("Deleted agent:main:scratch.").waitFor();
      await page.waitForFunction(
        () => !document.body.textContent?.includes("agent:main:scratch\n") && document.querySelectorAll(".session").length === 1,
      );
    } finally {
      await context.close();
    }
  });

  it("overview: health, uptime, version, model chain and memory", { timeout }, async () => {
    const { context, page } = await newPage(ui.browser);
    try {
      await signIn(page, ui.gw);
      await open(page, ui.gw, "Overview", "Overview");
      const health = page.getByRole("region", { name: "Health" });
      await health.getByText("Healthy").waitFor();
      assert.match((await health.textContent()) ?? "", /Version\s*2026\.1\.29/);
      const model = page.getByRole("region", { name: "Model" });
      assert.match((await model.textContent()) ?? "", /anthropic\/claude-opus-4-5/);
      assert.match((await model.textContent()) ?? "", /openai\/gpt-4o/);
      assert.match((await page.getByRole("region", { name: "Memory" }).textContent()) ?? "", /Resident \(RSS\)\s*\d+(\.\d)? MB/);
      await page.getByRole("region", { name: "Failover" }).getByText("No provider is resting").waitFor();
    } finally {
      await context.close();
    }
  });

  it("logs: live lines, filtered by level and subsystem", { timeout }, async () => {
    const { context, page } = await newPage(ui.browser);
    try {
      await signIn(page, ui.gw);
      await open(page, ui.gw, "Logs", "Logs");
      const lines = page.getByRole("log", { name: "Log lines" });
      await lines.getByText("client connected").first().waitFor();
      ui.gw.ctx.logs.logger("router").warn("a warning worth seeing");
      await lines.getByText("a warning worth seeing").waitFor({ timeout: 5000 });
      await page.getByRole("combobox", { name: "Level" }).selectOption("warn");
      assert.equal(await lines.getByText("client connected").count(), 0);
      assert.equal(await lines.getByText("a warning worth seeing").count(), 1);
      await page.getByRole("combobox", { name: "Level" }).selectOption("info");
      await page.getByRole("combobox", { name: "Subsystem" }).selectOption("router");
      assert.equal(await lines.getByText("client connected").count(), 0);
      assert.equal(await lines.getByText("a warning worth seeing").count(), 1);
    } finally {
      await context.close();
    }
  });

  it("usage: tokens and cost per day and per model as charts", { timeout }, async () => {
    const { context, page } = await newPage(ui.browser);
    try {
      await signIn(page, ui.gw);
      await open(page, ui.gw, "Usage", "Usage");
      const chart = page.getByRole("img", { name: /Tokens per day over the last 30 days/ });
      await chart.waitFor();
      assert.ok((await chart.locator("rect.bar").count()) === 30);
      const perModel = page.getByRole("list", { name: "Tokens per model" });
      assert.match((await perModel.textContent()) ?? "", /anthropic\/claude-opus-4-5/);
      await page.getByRole("button", { name: "Cost" }).click();
      await page.getByRole("img", { name: /Cost per day/ }).waitFor();
      await page.getByRole("combobox", { name: "Period" }).selectOption("7");
      await page.getByRole("img", { name: /over the last 7 days/ }).waitFor();
    } finally {
      await context.close();
    }
  });

  it("theme: follows the system, toggles, and remembers the choice", { timeout }, async () => {
    const { context, page } = await newPage(ui.browser);
    try {
      await page.emulateMedia({ colorScheme: "dark" });
      await signIn(page, ui.gw);
      const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const dark = await bg();
      await page.getByRole("button", { name: "Switch to light theme" }).click();
      assert.notEqual(await bg(), dark);
      await page.reload();
      await page.getByRole("button", { name: "Switch to dark theme" }).waitFor();
      assert.notEqual(await bg(), dark);
    } finally {
      await context.close();
    }
  });

  it("every view fits a 375 px phone screen and every control has a name", { timeout }, async () => {
    const { context, page, errors } = await newPage(ui.browser, { width: 375, height: 812 });
    try {
      await signIn(page, ui.gw);
      for (const view of ["", "overview", "channels", "sessions", "config", "logs", "usage"]) {
        await page.goto(`${ui.gw.httpUrl}/${view}`);
        await page.getByRole("status").filter({ hasText: "Connected" }).waitFor();
        await page.waitForTimeout(300);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `/${view} is ${overflow}px wider than the screen`);
        const unnamed = await page.evaluate(() =>
          [...document.querySelectorAll("button, input, select, textarea, a[href], summary")]
            .filter((el) => {
              const e = el as HTMLElement;
              const labelled = (e as HTMLInputElement).labels?.length || e.getAttribute("aria-label") || e.getAttribute("aria-labelledby");
              return !labelled && !(e.textContent ?? "").trim() && !e.title;
            })
            .map((el) => el.outerHTML.slice(0, 80)),
        );
        assert.deepEqual(unnamed, [], `/${view} has controls without a name`);
      }
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
