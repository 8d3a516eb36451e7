/** `openclaw health`, `status` and `gateway call` against a running gateway process. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { cli, spawnGateway, tmpDir, type GatewayProcess } from "../helpers/gateway.js";

const TOKEN = "cli-health-token-0123456";

describe("health and status commands", () => {
  let gw: GatewayProcess;
  let env: Record<string, string>;
  before(async () => {
    const dir = tmpDir();
    env = { OPENCLAW_STATE_DIR: dir, HOME: dir, OPENCLAW_GATEWAY_TOKEN: TOKEN };
    gw = await spawnGateway(["--allow-unconfigured", "--port", "0"], env);
    env.OPENCLAW_GATEWAY_PORT = String(gw.port); // how the CLI finds a gateway on a non-default port
  });
  after(async () => {
    gw.proc.kill("SIGTERM");
    await gw.exit;
  });

  it("health reports ok and exits 0; --json gives the snapshot", async () => {
    const r = await cli(["health"], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^gateway ok: version \S+, up \d+s, config valid/);
    const j = await cli(["health", "--json"], env);
    assert.equal(JSON.parse(j.stdout).ok, true);
  });

  it("health exits non-zero with the reason when the token is wrong or nothing listens", async () => {
    const wrong = await cli(["health"], { ...env, OPENCLAW_GATEWAY_TOKEN: "nope" });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /unauthorized: gateway token mismatch/);
    const down = await cli(["health", "--url", "ws://127.0.0.1:1", "--timeout", "2000"], env);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /cannot reach gateway at ws:\/\/127\.0\.0\.1:1/);
  });

  it("status shows local state and the live gateway", async () => {
    const r = await cli(["status"], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`gateway: +reachable at ws://127\\.0\\.0\\.1:${gw.port} \\(version \\S+, pid ${gw.proc.pid}`));
    assert.match(r.stdout, /memory: +\d+\.\d MB RSS/);
  });

  it("gateway call prints a method's result as JSON and refuses bad params JSON", async () => {
    const r = await cli(["gateway", "call", "logs.tail", "--params", "{limit: 5}"], env);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Array.isArray(JSON.parse(r.stdout).lines));
    const bad = await cli(["gateway", "call", "health", "--params", "{oops"], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--params is not valid JSON/);
  });
});
