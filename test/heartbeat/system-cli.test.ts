/** `openclaw system event|heartbeat last|enable|disable` against a running gateway. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { cli, startTestGateway, tmpDir, type TestGateway } from "../helpers/gateway.js";

const TOKEN = "cli-system-token-7c1e90";
const T = { timeout: 30_000 };

describe("openclaw system", () => {
  let gw: TestGateway;
  let work: string;
  let env: Record<string, string>;
  before(async () => {
    gw = await startTestGateway({
      token: TOKEN,
      config: { gateway: { mode: "local" }, agents: { defaults: { heartbeat: { every: "1h" } } } },
    });
    work = tmpDir("oc-system-cli-");
    env = { HOME: work, OPENCLAW_STATE_DIR: work, OPENCLAW_GATEWAY_TOKEN: TOKEN, OPENCLAW_GATEWAY_PORT: String(gw.port) };
  });
  after(async () => {
    await gw.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("heartbeat disable, enable and last", T, async () => {
    const off = await cli(["system", "heartbeat", "disable"], env);
    assert.equal(off.code, 0, off.stderr);
    assert.deepEqual(JSON.parse(off.stdout), { ok: true, enabled: false });
    const on = await cli(["system", "heartbeat", "enable", "--json"], env);
    assert.equal(on.code, 0, on.stderr);
    assert.deepEqual(JSON.parse(on.stdout), { ok: true, enabled: true });
    const last = await cli(["system", "heartbeat", "last"], env);
    assert.equal(last.code, 0, last.stderr);
    assert.equal(typeof JSON.parse(last.stdout), "object");
  });

  it("event queues a note and prints ok; a bad mode is refused with the choices", T, async () => {
    const ok = await cli(["system", "event", "--text", "Backup finished"], env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), "ok");
    const json = await cli(["system", "event", "--text", "Disk at 91%", "--json"], env);
    assert.equal(JSON.parse(json.stdout).ok, true);
    const bad = await cli(["system", "event", "--text", "x", "--mode", "later"], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--mode must be now or next-heartbeat/);
  });
});
