/**
 * The original openclaw@2026.1.29 CLI as a client of this gateway (skipped where it is not installed:
 * `../shared/tools/openclaw-reference install`).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { SHARED, startTestGateway, tmpDir, type TestGateway } from "../helpers/gateway.js";

const run = promisify(execFile);
const TOOL = path.join(SHARED, "tools/openclaw-reference");
const REF_DIR = process.env.OPENCLAW_REFERENCE_DIR ?? "/tmp/openclaw-reference";
const installed = fs.existsSync(path.join(REF_DIR, "node_modules/openclaw/dist/index.js"));
const TOKEN = "reference-cli-token-1234";

async function refCli(args: string[], token = TOKEN) {
  const state = tmpDir("oc-ref-");
  try {
    const r = await run(TOOL, ["cli", ...args], {
      env: { ...process.env, OPENCLAW_GATEWAY_TOKEN: token, OPENCLAW_STATE_DIR: state },
      timeout: 60_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  }
}

describe("openclaw@2026.1.29 CLI against this gateway", { skip: installed ? false : "reference CLI not installed" }, () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ token: TOKEN, config: { gateway: { mode: "local" }, logging: { level: "info" } } });
  });
  after(() => gw.close());

  it("gateway call health --json", async () => {
    const r = await refCli(["gateway", "call", "health", "--url", gw.wsUrl, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const health = JSON.parse(r.stdout);
    assert.equal(health.ok, true);
    assert.equal(health.defaultAgentId, "main");
  });

  it("gateway call config.get returns the snapshot with a hash", async () => {
    const r = await refCli(["gateway", "call", "config.get", "--url", gw.wsUrl, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const snap = JSON.parse(r.stdout);
    assert.equal(snap.valid, true);
    assert.match(snap.hash, /^[0-9a-f]{64}$/);
  });

  it("logs reads our log file with levels and messages", async () => {
    const r = await refCli(["logs", "--url", gw.wsUrl, "--json"]);
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

  it("a wrong token is refused", async () => {
    const r = await refCli(["gateway", "call", "health", "--url", gw.wsUrl, "--json"], "wrong-token");
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /unauthorized: gateway token mismatch/);
  });
});
