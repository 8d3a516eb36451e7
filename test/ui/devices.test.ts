/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The Control UI's device identity and the Devices view, in Chromium: a browser on the gateway's
 * machine is paired at once and signs in with its device token afterwards; a browser elsewhere
 * (reaching the gateway through a reverse proxy on 127.0.0.1, which the config trusts and which names
 * the browser's address in X-Forwarded-For) waits until the owner approves it in another browser's
 * Devices view; a plain-HTTP page (no WebCrypto) is told what to do.
 *
 * `gateway.test` resolves to 127.0.0.1 in this browser: a page there is not on a loopback name, so it
 * is an insecure context, unlike http://127.0.0.1.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { startFakes, type Fakes } from "../helpers/agents.js";
import { waitFor, type TestGateway } from "../helpers/gateway.js";
import { CHROMIUM, TOKEN, signIn, startUiGateway, timeout } from "./helpers.js";

const REMOTE_IP = "203.0.113.9";
const TRUSTED_PROXY = (c: any) => ({ ...c, gateway: { ...c.gateway, trustedProxies: ["127.0.0.1"] } });

/**
 * A reverse proxy on 127.0.0.1 in front of `target`, as nginx or a cloud edge would be: requests and
 * WebSocket upgrades go through unchanged (Host included) with `X-Forwarded-For: forwardedFor` added.
 */
async function forwardingProxy(target: string, forwardedFor: string): Promise<{ url: string; close(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  const headers = (h: http.IncomingHttpHeaders) => ({ ...h, "x-forwarded-for": forwardedFor });
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const upstream = http.request({ host: hostname, port, method: req.method, path: req.url, headers: headers(req.headers) }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("upgrade", (req, socket, head) => {
    const upstream = net.connect(Number(port), hostname, () => {
      const lines = Object.entries(headers(req.headers)).flatMap(([k, v]) => [v ?? []].flat().map((x) => `${k}: ${x}`));
      upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`);
      upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    sockets.add(upstream);
    const end = () => {
      socket.destroy();
      upstream.destroy();
      sockets.delete(upstream);
    };
    upstream.on("error", end).on("close", end);
    socket.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe("Control UI device identity and the Devices view", () => {
  let browser: Browser;
  let fakes: Fakes;
  let gw: TestGateway;
  /** Where a browser elsewhere reaches the gateway: through the trusted proxy. */
  let proxy: { url: string; close(): Promise<void> };
  const paired = () => JSON.parse(fs.readFileSync(path.join(gw.stateDir, "devices", "paired.json"), "utf8"));

  /** A page in a fresh browser profile. */
  async function open() {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: "light" });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.setDefaultTimeout(10_000);
    return { context, page, errors };
  }

  const local = (page: Page, key: string) => page.evaluate((k) => JSON.parse(localStorage.getItem(k) ?? "null"), key);

  /** Fills in the token on the sign-in form, as a person would. */
  async function submitToken(page: Page, url: string): Promise<void> {
    await page.goto(url);
    await page.getByLabel("Gateway token").fill(TOKEN);
    await page.getByRole("button", { name: "Connect" }).click();
  }

  /** The request id the page asks the owner to approve. */
  async function waitingRequestId(page: Page): Promise<string> {
    const notice = page.getByRole("alert").filter({ hasText: "Approve this browser to continue." });
    await notice.waitFor();
    const m = /openclaw devices approve ([0-9a-f-]{36})/.exec((await notice.textContent()) ?? "");
    assert.ok(m, "the notice names the command with the request id");
    return m[1]!;
  }

  before(
    async () => {
      [browser, fakes] = await Promise.all([
        chromium.launch({
          executablePath: CHROMIUM,
          args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-sync", "--host-resolver-rules=MAP gateway.test 127.0.0.1"],
        }),
        startFakes(),
      ]);
      gw = await startUiGateway(fakes, {}, { configOverride: TRUSTED_PROXY });
      proxy = await forwardingProxy(gw.httpUrl, REMOTE_IP);
    },
    { timeout },
  );
  after(
    async () => {
      await proxy?.close();
      await gw?.close();
      await browser?.close();
      await fakes?.close();
    },
    { timeout },
  );

  it(
    "a browser on this machine gets an identity, is paired at once, and signs in with its device token after a reload",
    { timeout },
    async () => {
      const { context, page, errors } = await open();
      try {
        await signIn(page, gw);
        const identity = await local(page, "openclaw-device-identity-v1");
        assert.equal(identity.version, 1);
        assert.match(identity.deviceId, /^[0-9a-f]{64}$/);
        assert.match(identity.publicKey, /^[A-Za-z0-9_-]{43}$/);
        const device = paired()[identity.deviceId];
        assert.equal(device.clientId, "openclaw-control-ui");
        assert.deepEqual(device.scopes, ["operator.admin", "operator.approvals", "operator.pairing"]);
        const kept = await local(page, "openclaw.device.auth.v1");
        assert.equal(kept.deviceId, identity.deviceId);
        assert.equal(kept.tokens.operator.token, device.tokens.operator.token, "the browser keeps the token the gateway issued");
        assert.equal(device.tokens.operator.lastUsedAtMs, undefined);

        await page.reload();
        await page.getByRole("status").filter({ hasText: "Connected" }).waitFor();
        assert.equal(
          typeof paired()[identity.deviceId].tokens.operator.lastUsedAtMs,
          "number",
          "the reload signed in with the device token",
        );

        await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Devices" }).click();
        const mine = page.locator("li.account").filter({ hasText: "this browser" });
        await mine.waitFor();
        assert.match((await mine.textContent()) ?? "", /operator token/);
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    },
  );

  it(
    "a browser elsewhere waits for approval; the owner approves it in the Devices view and it continues by itself",
    { timeout },
    async () => {
      const owner = await open();
      const remote = await open();
      try {
        await signIn(owner.page, gw, "/devices");
        await submitToken(remote.page, proxy.url + "/");
        const requestId = await waitingRequestId(remote.page);
        const pending = JSON.parse(fs.readFileSync(path.join(gw.stateDir, "devices", "pending.json"), "utf8"))[requestId];
        assert.equal(pending.clientId, "openclaw-control-ui");
        assert.equal(pending.remoteIp, REMOTE_IP);

        // The owner's view hears the request and offers it.
        const item = owner.page.locator("li.pair").filter({ hasText: REMOTE_IP });
        await item.waitFor();
        await item.getByRole("button", { name: "Approve Control UI" }).click();
        await owner.page.getByText("Approved Control UI.").waitFor();

        await remote.page.getByRole("status").filter({ hasText: "Connected" }).waitFor({ timeout: 15_000 });
        const identity = await local(remote.page, "openclaw-device-identity-v1");
        assert.equal(
          (await local(remote.page, "openclaw.device.auth.v1")).tokens.operator.token,
          paired()[identity.deviceId].tokens.operator.token,
        );
        assert.deepEqual([...owner.errors, ...remote.errors], []);
      } finally {
        await owner.context.close();
        await remote.context.close();
      }
    },
  );

  it("a rejected browser keeps waiting with a new request", { timeout }, async () => {
    const owner = await open();
    const remote = await open();
    try {
      await signIn(owner.page, gw, "/devices");
      await submitToken(remote.page, proxy.url + "/");
      const first = await waitingRequestId(remote.page);
      const item = owner.page.locator("li.pair").filter({ hasText: REMOTE_IP });
      await item.getByRole("button", { name: "Reject Control UI" }).click();
      await owner.page.getByText("Rejected Control UI.").waitFor();
      await waitFor(async () => (await waitingRequestId(remote.page)) !== first, 15_000, "a new request");
    } finally {
      await owner.context.close();
      await remote.context.close();
    }
  });

  it("revoking this browser's token: after a reload it signs in with the gateway token and gets a new one", { timeout }, async () => {
    const { context, page, errors } = await open();
    try {
      await signIn(page, gw, "/devices");
      const { deviceId } = await local(page, "openclaw-device-identity-v1");
      const old = paired()[deviceId].tokens.operator.token;
      page.on("dialog", (d) => void d.accept());
      await page
        .locator("li.account")
        .filter({ hasText: "this browser" })
        .getByRole("button", { name: /^Revoke the operator token/ })
        .click();
      await page.getByText(/^Revoked the operator token/).waitFor();
      assert.equal(typeof paired()[deviceId].tokens.operator.revokedAtMs, "number");

      await page.reload();
      await page.getByRole("status").filter({ hasText: "Connected" }).waitFor();
      const now = paired()[deviceId].tokens.operator;
      assert.notEqual(now.token, old);
      assert.equal(now.revokedAtMs, undefined);
      assert.equal((await local(page, "openclaw.device.auth.v1")).tokens.operator.token, now.token);
      assert.equal(await page.getByLabel("Gateway token").count(), 0, "the gateway token was kept");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it(
    "a plain-HTTP page cannot make an identity: it says what to do; allowInsecureAuth lets it in with the token",
    { timeout },
    async () => {
      const port = new URL(gw.httpUrl).port;
      const { context, page } = await open();
      const lenient = await startUiGateway(
        fakes,
        {},
        { configOverride: (c) => ({ ...c, gateway: { ...c.gateway, controlUi: { allowInsecureAuth: true } } }) },
      );
      try {
        await submitToken(page, `http://gateway.test:${port}/`);
        await page.getByRole("alert").filter({ hasText: "This page cannot prove which device it is." }).waitFor();
        assert.equal(await page.evaluate(() => isSecureContext), false);
        assert.equal(await local(page, "openclaw-device-identity-v1"), null);

        await submitToken(page, `http://gateway.test:${new URL(lenient.httpUrl).port}/`);
        await page.getByRole("status").filter({ hasText: "Connected" }).waitFor();
      } finally {
        await context.close();
        await lenient.close();
      }
    },
  );

  it("the Devices view fits a phone screen and every control has a name", { timeout }, async () => {
    const owner = await open();
    const remote = await open();
    await owner.page.setViewportSize({ width: 375, height: 812 });
    try {
      await submitToken(remote.page, proxy.url + "/");
      await waitingRequestId(remote.page);
      await signIn(owner.page, gw, "/devices");
      await owner.page.locator("li.pair").first().waitFor();
      const overflow = await owner.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `/devices is ${overflow}px wider than the screen`);
      const unnamed = await owner.page.evaluate(() =>
        [...document.querySelectorAll("button, input, select, textarea, a[href], summary")]
          .filter((el) => !(el.getAttribute("aria-label") || (el.textContent ?? "").trim() || (el as HTMLElement).title))
          .map((el) => el.outerHTML.slice(0, 80)),
      );
      assert.deepEqual(unnamed, []);
    } finally {
      await owner.context.close();
      await remote.context.close();
    }
  });
});
