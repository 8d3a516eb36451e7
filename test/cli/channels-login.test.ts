/**
 * `openclaw channels login|logout` as a user runs them (dist/index.js in its own process) against a
 * running gateway whose WhatsApp account uses the fake socket (test/fakes/whatsapp.ts). The CLI only
 * talks to the gateway (web.login.start/wait, channels.logout), so the fake lives in the gateway's
 * process and the CLI is the real, unmodified one. The no-gateway path, which links in the CLI's own
 * process, is covered through `loginLocally` in test/channels/whatsapp/adapter.test.ts.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startWhatsAppFake, type WhatsAppFake } from "../fakes/whatsapp.js";
import { cli, connect, runCli, startTestGateway, waitFor, type TestGateway } from "../helpers/gateway.js";

describe("openclaw channels login/logout", { timeout: 60_000 }, () => {
  let wa: WhatsAppFake;
  let gw: TestGateway;
  let env: Record<string, string>;
  before(async () => {
    wa = startWhatsAppFake();
    gw = await startTestGateway({
      config: { gateway: { mode: "local" }, channels: { whatsapp: { dmPolicy: "pairing" } } },
      channelFactories: { whatsapp: wa.adapterFactory() },
    });
    env = { OPENCLAW_STATE_DIR: gw.stateDir, HOME: gw.stateDir, OPENCLAW_GATEWAY_PORT: String(gw.port) };
  });
  after(async () => {
    await gw.close();
    wa.close();
  });

  it("login draws the QR in the terminal and hands the linked account to the running gateway", async () => {
    const run = runCli(["channels", "login", "--channel", "whatsapp"], env);
    await waitFor(() => /Waiting for the phone/.test(run.out.stdout), 20_000, `the QR on stdout (${run.out.stderr})`);
    assert.match(run.out.stdout, /Scan this QR in WhatsApp → Linked Devices/);
    assert.match(run.out.stdout, /[▀▄█]{10,}/, "a QR drawn with block characters");
    wa.scan();
    const { code } = await run.exit;
    assert.equal(code, 0, run.out.stderr);
    assert.match(run.out.stdout, /Linked as \+15550001111/);
    assert.equal(wa.sockets.length, 2, "the gateway's own sockets, no second client");
    const c = await connect(gw.wsUrl);
    const st = (await c.request<any>("channels.status", {})).channelAccounts.whatsapp[0];
    c.close();
    assert.equal(st.connected, true, "running in the gateway without a restart");
  });

  it("login again says it is already linked; logout removes the credentials", async () => {
    const again = await cli(["channels", "login"], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already linked \(\+15550001111\)/);
    const out = await cli(["channels", "logout", "--channel", "whatsapp"], env);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /whatsapp\/default: logged out, credentials removed/);
    assert.equal(fs.existsSync(path.join(gw.stateDir, "credentials/whatsapp/default")), false);
    const c = await connect(gw.wsUrl);
    const st = (await c.request<any>("channels.status", {})).channelAccounts.whatsapp[0];
    c.close();
    assert.equal(st.configured, false);
    assert.match(st.lastError, /^not linked: run `openclaw channels login/);
  });
});
