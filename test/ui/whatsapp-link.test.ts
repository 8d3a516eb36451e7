/// <reference lib="dom" />
/**
 * Linking WhatsApp from the Control UI's Channels view, in Chromium: an unlinked account shows Link,
 * the QR from the adapter (fake socket, see test/fakes/whatsapp.ts) appears as an image, the phone
 * scans, and the account turns Connected without a gateway restart.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { startFakes, type Fakes } from "../helpers/agents.js";
import type { TestGateway } from "../helpers/gateway.js";
import { startWhatsAppFake, type WhatsAppFake } from "../fakes/whatsapp.js";
import { launchBrowser, newPage, signIn, startUiGateway, timeout } from "./helpers.js";

describe("Control UI: link WhatsApp", () => {
  let browser: Browser;
  let fakes: Fakes;
  let gw: TestGateway;
  let wa: WhatsAppFake;

  before(
    async () => {
      wa = startWhatsAppFake();
      [browser, fakes] = await Promise.all([launchBrowser(), startFakes()]);
      gw = await startUiGateway(
        fakes,
        {},
        {
          configOverride: (c) => ({ ...c, channels: { whatsapp: { dmPolicy: "pairing" } } }),
          channelFactories: { whatsapp: wa.adapterFactory() },
        },
      );
    },
    { timeout },
  );
  after(async () => {
    await browser?.close();
    await gw?.close();
    wa?.close();
    await fakes?.close();
  });

  it("Link shows the QR, and after the scan the account is connected", { timeout }, async () => {
    const { context, page, errors } = await newPage(browser);
    try {
      await signIn(page, gw, "/channels");
      const card = page.getByRole("region", { name: "WhatsApp" });
      await card.getByText("Not linked", { exact: true }).waitFor();
      await card.getByText(/openclaw channels login/).waitFor();
      await card.getByRole("button", { name: "Link whatsapp default" }).click();
      const qr = card.getByRole("img", { name: "WhatsApp QR code" });
      await qr.waitFor();
      assert.match((await qr.getAttribute("src")) ?? "", /^data:image\/png;base64,/);
      await card.getByText("Scan this QR in WhatsApp → Linked Devices.").waitFor();
      if (process.env.OPENCLAW_UI_SHOT) await page.screenshot({ path: process.env.OPENCLAW_UI_SHOT });
      wa.scan();
      await page.getByRole("status").filter({ hasText: "Linked as +15550001111" }).waitFor();
      await card.getByText("Connected").waitFor();
      assert.equal(await card.getByRole("button", { name: /Link/ }).count(), 0);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
