/** `security audit` on gateway.trustedProxies: entries that do nothing, and ranges that trust strangers. */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { tmpDir, writeConfig } from "../helpers/gateway.js";
import { runAudit } from "../../src/ops/audit.js";
import type { SystemProbe } from "../../src/ops/system.js";

const probe: SystemProbe = {
  nodeVersion: "22.12.0",
  container: () => null,
  mountPointOf: () => "/",
  memoryLimit: () => null,
  processInfo: () => null,
};

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

async function findings(trustedProxies: string[]) {
  const stateDir = tmpDir("oc-audit-proxies-");
  dirs.push(stateDir);
  fs.chmodSync(stateDir, 0o700);
  fs.chmodSync(writeConfig(stateDir, { gateway: { mode: "local", trustedProxies } }), 0o600);
  const report = await runAudit({
    env: { HOME: stateDir, OPENCLAW_STATE_DIR: stateDir },
    cwd: stateDir,
    stateDir,
    configPath: path.join(stateDir, "openclaw.json"),
    system: probe,
  });
  return report.findings.filter((f) => f.checkId.startsWith("gateway.trusted_proxies"));
}

describe("security audit: trusted proxies", { timeout: 20_000 }, () => {
  it("says which entries are ignored because they are not addresses", async () => {
    const f = await findings(["10.0.0.5", "proxy.internal", "10.0.0.0/40"]);
    assert.deepEqual(
      f.map((x) => [x.checkId, x.severity]),
      [["gateway.trusted_proxies.invalid", "medium"]],
    );
    assert.match(f[0]!.detail, /"proxy\.internal", "10\.0\.0\.0\/40"/);
  });

  it("flags a range that covers strangers, who could then forge their address", async () => {
    const f = await findings(["0.0.0.0/0", "::/0", "10.0.0.0/8"]);
    assert.deepEqual(
      f.map((x) => [x.checkId, x.severity]),
      [["gateway.trusted_proxies.too_broad", "high"]],
    );
    assert.match(f[0]!.detail, /0\.0\.0\.0\/0, ::\/0/);
  });

  it("is quiet for ordinary proxy addresses and private ranges", async () => {
    assert.deepEqual(await findings(["127.0.0.1", "10.0.0.0/8", "fd00::/8"]), []);
  });
});
