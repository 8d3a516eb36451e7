/**
 * Browser tests of the Control UI: Debian's Chromium driven by playwright-core (which downloads
 * nothing), against a real gateway in this process whose models are the fake LLM APIs.
 */
import fs from "node:fs";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { after, before } from "node:test";
import type { Fakes } from "../helpers/agents.js";
import { fakeConfig, KEYS, startFakes } from "../helpers/agents.js";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import type { GatewayOptions } from "../../src/gateway/start.js";

export const CHROMIUM = "/usr/bin/chromium";
export const TOKEN = "ui-test-token-5f1c2a9e";
/** Each browser test's and hook's own bound: several page steps, each allowed 10 s (see newPage). */
export const timeout = 60_000;

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} not found: install Debian's Chromium (apt-get install --no-install-recommends chromium); .ci/run does this`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
    ],
  });
}

/** A gateway with a token, models on the fakes, and whatever else the test needs. */
export async function startUiGateway(
  f: Fakes,
  extra: Record<string, any> = {},
  opts: Partial<GatewayOptions> & { stateDir?: string; configOverride?: (c: any) => any } = {},
): Promise<TestGateway> {
  const { configOverride, ...rest } = opts;
  const base = fakeConfig(f, extra);
  return startTestGateway({
    modelIdleTimeoutMs: 5000,
    ...rest,
    config: configOverride ? configOverride(base) : base,
    env: { ...KEYS, OPENCLAW_GATEWAY_TOKEN: TOKEN, ...(rest.env ?? {}) },
  });
}

/** A fresh browser profile (its own localStorage) with a page that fails the test on page errors. */
export async function newPage(
  browser: Browser,
  size: { width: number; height: number } = { width: 1280, height: 800 },
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: size, colorScheme: "light" });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error" && !/WebSocket|Failed to load resource/.test(m.text())) errors.push(m.text());
  });
  page.setDefaultTimeout(10_000);
  return { context, page, errors };
}

/** Opens the UI and signs in with the token, like a person would. */
export async function signIn(page: Page, gw: TestGateway, path = "/"): Promise<void> {
  await page.goto(gw.httpUrl + path);
  await page.getByLabel("Gateway token").fill(TOKEN);
  await page.getByRole("button", { name: "Connect" }).click();
  await page.getByRole("status").filter({ hasText: "Connected" }).waitFor();
}

/** What a browser suite works with, filled in by its `before`. */
export interface UiSuite {
  browser: Browser;
  fakes: Fakes;
  gw: TestGateway;
}

/**
 * Registers a browser suite's `before` and `after`: Chromium and the fake models, then the gateway
 * `start` makes (by default `startUiGateway(fakes)`), all closed afterwards. Read the fields inside
 * tests, once `before` has run.
 */
export function uiSuite(start: (fakes: Fakes) => Promise<TestGateway> = (fakes) => startUiGateway(fakes)): UiSuite {
  const suite = {} as UiSuite;
  before(
    async () => {
      [suite.browser, suite.fakes] = await Promise.all([launchBrowser(), startFakes()]);
      suite.gw = await start(suite.fakes);
    },
    { timeout },
  );
  after(
    async () => {
      await suite.gw?.close();
      await suite.browser?.close();
      await suite.fakes?.close();
    },
    { timeout },
  );
  return suite;
}
