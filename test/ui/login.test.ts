/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** Signing in to the Control UI: token, wrong token, reload, `#token=` links, sign-out, lost connection. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TOKEN, newPage, signIn, startUiGateway, timeout, uiSuite } from "./helpers.js";

describe("Control UI sign-in", () => {
  const ui = uiSuite();

  it("signs in with the gateway token and stays signed in after a reload", { timeout }, async () => {
    const { context, page, errors } = await newPage(ui.browser);
    try {
      await page.goto(ui.gw.httpUrl + "/");
      await page.getByLabel("Gateway token").fill(TOKEN);
      await page.getByRole("button", { name: "Connect" }).click();
      await page.getByRole("textbox", { name: "Message" }).waitFor();
      assert.equal(await page.getByRole("status").filter({ hasText: "Connected" }).count(), 1);
      await page.reload();
      await page.getByRole("textbox", { name: "Message" }).waitFor();
      assert.equal(await page.getByLabel("Gateway token").count(), 0, "no sign-in form after a reload");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it("says clearly when the token is wrong, and lets the user try again", { timeout }, async () => {
    const { context, page } = await newPage(ui.browser);
    try {
      await page.goto(ui.gw.httpUrl + "/");
      await page.getByLabel("Gateway token").fill("not-the-token");
      await page.getByRole("button", { name: "Connect" }).click();
      const alert = page.getByRole("alert");
      await alert.waitFor();
      assert.match((await alert.textContent()) ?? "", /wrong token/i);
      assert.equal(await page.evaluate(() => localStorage.getItem("openclaw.control.token")), null, "a refused token is not kept");
      await page.getByLabel("Gateway token").fill(TOKEN);
      await page.getByRole("button", { name: "Connect" }).click();
      await page.getByRole("textbox", { name: "Message" }).waitFor();
    } finally {
      await context.close();
    }
  });

  it("takes a token from #token= once and removes it from the address", { timeout }, async () => {
    const { context, page } = await newPage(ui.browser);
    try {
      await page.goto(`${ui.gw.httpUrl}/overview#token=${TOKEN}`);
      await page.getByRole("heading", { name: "Overview" }).waitFor();
      assert.equal(new URL(page.url()).hash, "");
      assert.equal(new URL(page.url()).pathname, "/overview");
      assert.equal(await page.evaluate(() => localStorage.getItem("openclaw.control.token")), TOKEN);
    } finally {
      await context.close();
    }
  });

  it("signs out: the token is forgotten and the sign-in form returns", { timeout }, async () => {
    const { context, page } = await newPage(ui.browser);
    try {
      await signIn(page, ui.gw);
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByLabel("Gateway token").waitFor();
      await page.reload();
      await page.getByLabel("Gateway token").waitFor();
      assert.equal(await page.evaluate(() => localStorage.getItem("openclaw.control.token")), null);
    } finally {
      await context.close();
    }
  });

  it("works under gateway.controlUi.basePath, with every view at its own address", { timeout }, async () => {
    const other = await startUiGateway(
      ui.fakes,
      {},
      { configOverride: (c) => ({ ...c, gateway: { ...c.gateway, controlUi: { basePath: "/openclaw" } } }) },
    );
    const { context, page, errors } = await newPage(ui.browser);
    try {
      await page.goto(`${other.httpUrl}/openclaw`);
      await page.getByLabel("Gateway token").fill(TOKEN);
      await page.getByRole("button", { name: "Connect" }).click();
      await page.getByRole("textbox", { name: "Message" }).waitFor();
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sessions" }).click();
      assert.equal(new URL(page.url()).pathname, "/openclaw/sessions");
      await page.reload();
      await page.getByRole("heading", { name: "Sessions", level: 1 }).waitFor();
      await page.goBack();
      await page.getByRole("textbox", { name: "Message" }).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
      await other.close();
    }
  });

  it("shows a lost connection and reconnects by itself when the gateway is back", { timeout }, async () => {
    const stateDir = ui.gw.stateDir;
    const port = ui.gw.port;
    const { context, page } = await newPage(ui.browser);
    try {
      await signIn(page, ui.gw);
      await ui.gw.close();
      const banner = page.getByRole("alert").filter({ hasText: "Connection lost" });
      await banner.waitFor();
      ui.gw = await startUiGateway(ui.fakes, {}, { stateDir, port });
      await page.getByRole("status").filter({ hasText: "Connected" }).waitFor({ timeout: 20_000 });
      assert.equal(await banner.count(), 0);
    } finally {
      await context.close();
    }
  });
});
