/// <reference lib="dom" />
/**
 * Exec approvals in the Control UI, in Chromium: an agent's `exec` under `ask: on-miss` waits for the
 * owner, and the page shows the request over whatever view is open; the owner's answer there lets
 * the run go on (or stops it), a request answered elsewhere or expired goes away, several queue.
 * Then the same with the original openclaw@2026.1.29 Control UI served by this gateway.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { chatClient, startFakes, type Fakes } from "../helpers/agents.js";
import { connect, tmpDir, type TestGateway } from "../helpers/gateway.js";
import { refSkipReason } from "../helpers/reference-cli.js";
import { TOKEN, launchBrowser, newPage, signIn, startUiGateway, timeout } from "./helpers.js";

const REF_CONTROL_UI = path.join(process.env.OPENCLAW_REFERENCE_DIR || "/tmp/openclaw-reference", "node_modules/openclaw/dist/control-ui");
const refUiSkip: string | false =
  refSkipReason || (!fs.existsSync(path.join(REF_CONTROL_UI, "index.html")) && `the original package has no ${REF_CONTROL_UI}`);
/** Where a screenshot of the prompt goes, for looking at it. */
const SHOTS = process.env.UI_SHOTS ?? "/tmp/ui-shots";

/** Exec on the gateway host asks the owner for anything not on the allowlist; the agent works in `workspace`. */
function askingConfig(workspace: string) {
  return (c: any) => ({
    ...c,
    agents: { ...c.agents, defaults: { ...c.agents.defaults, workspace } },
    tools: { exec: { host: "gateway", security: "allowlist", ask: "on-miss" } },
  });
}

describe("exec approvals in the Control UI", () => {
  let browser: Browser;
  let fakes: Fakes;
  let gw: TestGateway;
  let workspace: string;

  before(
    async () => {
      workspace = tmpDir("oc-ui-approvals-ws-");
      [browser, fakes] = await Promise.all([launchBrowser(), startFakes()]);
      gw = await startUiGateway(fakes, {}, { configOverride: askingConfig(workspace) });
    },
    { timeout },
  );
  after(
    async () => {
      await gw?.close();
      await browser?.close();
      await fakes?.close();
      if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
    },
    { timeout },
  );

  const dialog = (page: Page) => page.getByRole("alertdialog", { name: "Run this command?" });

  it("the prompt shows the command, where and for whom; Allow once lets the run finish with the output", { timeout }, async () => {
    const { context, page, errors } = await newPage(browser);
    const { client, send } = await chatClient(gw, { token: TOKEN });
    try {
      await signIn(page, gw);
      fakes.anthropic.enqueue({ toolCalls: [{ name: "exec", arguments: { command: "echo hi-from-ui" } }] }, { text: "ran it" });
      const run = send("say hi from a shell", "agent:main:ui-allow");

      const prompt = dialog(page);
      await prompt.waitFor();
      assert.equal(await prompt.locator(".approval-command").innerText(), "echo hi-from-ui");
      const meta = await prompt.locator(".approval-meta").innerText();
      assert.match(meta, new RegExp(`Working directory\\s+${workspace.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`));
      assert.match(meta, /Agent\s+main/);
      assert.match(meta, /Session\s+agent:main:ui-allow/);
      assert.match(meta, /Host\s+gateway/);
      assert.match(meta, /Policy\s+security allowlist, ask on-miss/);
      assert.match(await prompt.innerText(), /Expires in \d+:\d\d/);
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("role")), "alertdialog", "focus moves to the prompt");
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, "approval-desktop.png") });

      // Keyboard: Tab reaches the first button, Enter presses it.
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), "Allow once");
      await page.keyboard.press("Enter");
      await prompt.waitFor({ state: "detached" });
      await page.getByText("Allowed once: echo hi-from-ui").waitFor();

      const out = await run;
      assert.equal(out.state, "final", out.errorMessage);
      assert.equal(out.text, "ran it");
      assert.match(fakes.anthropic.requests.at(-1)!.toolResults.at(-1)!.content, /hi-from-ui/);
      assert.deepEqual(errors, []);
    } finally {
      client.close();
      await context.close();
    }
  });

  it("Deny stops the command and the model is told so", { timeout }, async () => {
    const { context, page, errors } = await newPage(browser);
    const { client, send } = await chatClient(gw, { token: TOKEN });
    try {
      await signIn(page, gw, "/overview");
      const marker = path.join(workspace, "made-by-denied");
      fakes.anthropic.enqueue({ toolCalls: [{ name: "exec", arguments: { command: `touch ${marker}` } }] }, { text: "it was denied" });
      const run = send("make a file", "agent:main:ui-deny");
      const prompt = dialog(page);
      await prompt.waitFor();
      assert.equal(await prompt.locator(".approval-command").innerText(), `touch ${marker}`);
      await prompt.getByRole("button", { name: "Deny" }).click();
      await prompt.waitFor({ state: "detached" });
      const out = await run;
      assert.equal(out.text, "it was denied");
      assert.match(fakes.anthropic.requests.at(-1)!.toolResults.at(-1)!.content, /denied/i);
      assert.equal(fs.existsSync(marker), false, "the command did not run");
      assert.deepEqual(errors, []);
    } finally {
      client.close();
      await context.close();
    }
  });

  it("requests queue as 1 of N; one answered by another client or expired leaves the page", { timeout }, async () => {
    const { context, page, errors } = await newPage(browser, { width: 375, height: 812 });
    const asked: string[] = [];
    // A second operator: it asks for approvals itself (as a node host does) and answers one.
    const other = await connect(gw.wsUrl, {
      token: TOKEN,
      timeoutMs: 30_000,
      onEvent: (event, payload: any) => {
        if (event === "exec.approval.requested") asked.push(payload.id);
      },
    });
    try {
      await signIn(page, gw, "/sessions");
      const long = `printf '%s\\n' ${"a-rather-long-argument ".repeat(12).trim()}`;
      const first = other.request<any>("exec.approval.request", { command: long, cwd: "/srv/first", agentId: "main", timeoutMs: 60_000 });
      const second = other.request<any>("exec.approval.request", {
        command: "ls /srv/second",
        cwd: "/srv/second",
        agentId: "ops",
        timeoutMs: 60_000,
      });
      const third = other.request<any>("exec.approval.request", { command: "uptime", agentId: "main", timeoutMs: 3000 });
      const prompt = dialog(page);
      await prompt.getByText("1 of 3").waitFor();
      assert.equal(await prompt.locator(".approval-command").innerText(), long, "the whole command, wrapped");
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the prompt is ${overflow}px wider than a phone screen`);
      await page.screenshot({ path: path.join(SHOTS, "approval-phone-queue.png") });

      // The third expires by itself: nobody answers it, and the page drops it.
      assert.equal((await third).decision, null);
      await prompt.getByText("1 of 2").waitFor();

      // The other client answers the first one: it leaves this page, the second is shown.
      await other.request("exec.approval.resolve", { id: asked[0], decision: "deny" });
      assert.equal((await first).decision, "deny");
      await prompt.locator(".approval-command", { hasText: "ls /srv/second" }).waitFor();
      assert.equal(await prompt.getByText(/\d of \d/).count(), 0, "no count for a single request");
      assert.match(await prompt.locator(".approval-meta").innerText(), /Agent\s+ops/);

      await prompt.getByRole("button", { name: "Always allow" }).click();
      assert.equal((await second).decision, "allow-always");
      await prompt.waitFor({ state: "detached" });
      assert.deepEqual(errors, []);
    } finally {
      other.close();
      await context.close();
    }
  });

  it("an answer the gateway refuses (the request is gone) shows its error and drops the card", { timeout }, async () => {
    const { context, page, errors } = await newPage(browser);
    // This page misses the news that the request was answered elsewhere (as across a dropped connection).
    await page.routeWebSocket(/.*/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => server.send(m));
      server.onMessage((m) => {
        const text = typeof m === "string" ? m : m.toString("utf8");
        if (JSON.parse(text).event !== "exec.approval.resolved") ws.send(text);
      });
    });
    const other = await connect(gw.wsUrl, { token: TOKEN, timeoutMs: 30_000 });
    try {
      await signIn(page, gw, "/logs");
      const id = "refused-answer-1";
      const asked = other.request<any>("exec.approval.request", { id, command: "whoami", agentId: "main", timeoutMs: 60_000 });
      const prompt = dialog(page);
      await prompt.getByText("whoami").waitFor();
      await other.request("exec.approval.resolve", { id, decision: "deny" });
      assert.equal((await asked).decision, "deny");
      await prompt.getByRole("button", { name: "Allow once" }).click();
      await page.getByText("Could not answer the request to run whoami: unknown approval id").waitFor();
      await prompt.waitFor({ state: "detached" });
      assert.deepEqual(errors, []);
    } finally {
      other.close();
      await context.close();
    }
  });
});

describe("exec approvals in the original Control UI served by this gateway", { skip: refUiSkip }, () => {
  let browser: Browser;
  let fakes: Fakes;
  let gw: TestGateway;
  let workspace: string;

  before(
    async () => {
      workspace = tmpDir("oc-ui-approvals-ref-ws-");
      [browser, fakes] = await Promise.all([launchBrowser(), startFakes()]);
      gw = await startUiGateway(fakes, {}, { configOverride: askingConfig(workspace), controlUiRoot: REF_CONTROL_UI });
    },
    { timeout },
  );
  after(
    async () => {
      await gw?.close();
      await browser?.close();
      await fakes?.close();
      if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
    },
    { timeout },
  );

  it("its prompt shows the command and its Allow once lets the run finish", { timeout }, async () => {
    const { context, page } = await newPage(browser);
    // No network here: its web fonts get an empty answer.
    await context.route(
      (u) => u.hostname !== "127.0.0.1",
      (r) => r.fulfill({ status: 200, contentType: "text/css", body: "" }),
    );
    const { client, send } = await chatClient(gw, { token: TOKEN });
    try {
      await page.goto(gw.httpUrl + "/overview");
      await page.getByPlaceholder("OPENCLAW_GATEWAY_TOKEN").fill(TOKEN);
      await page.getByRole("button", { name: "Connect" }).click();
      await page.waitForFunction(() => /Health\s*OK/.test(document.body.innerText));

      fakes.anthropic.enqueue({ toolCalls: [{ name: "exec", arguments: { command: "echo hi-from-the-original" } }] }, { text: "done" });
      const run = send("say hi", "agent:main:ref-ui");
      const card = page.locator(".exec-approval-card");
      await card.getByText("Exec approval needed").waitFor();
      assert.equal((await card.locator(".exec-approval-command").innerText()).trim(), "echo hi-from-the-original");
      assert.match(await card.innerText(), /Agent\s*main/);
      assert.match(await card.innerText(), new RegExp(`CWD\\s*${workspace.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`));
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, "approval-original.png") });
      await card.getByRole("button", { name: "Allow once" }).click();
      await card.waitFor({ state: "detached" });
      const out = await run;
      assert.equal(out.text, "done");
      assert.match(fakes.anthropic.requests.at(-1)!.toolResults.at(-1)!.content, /hi-from-the-original/);
    } finally {
      client.close();
      await context.close();
    }
  });
});
