/** `openclaw security audit` as a user runs it: exit codes, text and JSON output. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { cli, fixture, tmpDir, writeConfig } from "../helpers/gateway.js";

const env = (dir: string, extra: Record<string, string> = {}) => ({ HOME: dir, OPENCLAW_STATE_DIR: dir, ...extra });

function setup(config: unknown): string {
  const dir = tmpDir();
  fs.chmodSync(writeConfig(dir, config), 0o600);
  fs.chmodSync(dir, 0o700);
  return dir;
}

describe("openclaw security audit", () => {
  it("the guide's config with secrets in the environment: no findings, exit 0", async () => {
    const dir = setup(JSON.parse(fixture("reference/seed-openclaw.json")));
    const r = await cli(
      ["security", "audit"],
      env(dir, { DISCORD_BOT_TOKEN: "d", OPENCLAW_GATEWAY_TOKEN: "9".repeat(8) + "a1b2c3d4e5f60718293a4b5c6d7e8f90" }),
      dir,
    );
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /No findings\./);
  });

  it("exits 1 on a high finding and explains it", async () => {
    const dir = setup({ gateway: { mode: "local", bind: "lan" }, channels: { telegram: { dmPolicy: "open", allowFrom: ["*"] } } });
    const r = await cli(["security", "audit"], env(dir, { TELEGRAM_BOT_TOKEN: "1:x" }), dir);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^HIGH {4}gateway\.bind_no_auth: Gateway binds beyond loopback without auth$/m);
    assert.match(r.stdout, /^HIGH {4}channels\.telegram\.dm\.open: telegram DMs are open to anyone$/m);
    assert.match(r.stdout, /→ Use "pairing"/);
    assert.match(r.stdout, /Summary: 2 high, \d+ medium, \d+ low\n$/);
  });

  it("exits 0 when the worst is medium; --json names the secret's path, never its value", async () => {
    const dir = setup({ gateway: { mode: "local" }, channels: { telegram: { botToken: "123456:AAE-literal-bot-token" } } });
    const r = await cli(["security", "audit", "--json"], env(dir), dir);
    assert.equal(r.code, 0, r.stdout);
    const j = JSON.parse(r.stdout) as {
      summary: Record<string, number>;
      findings: Array<{ checkId: string; severity: string; detail: string }>;
    };
    assert.equal(j.summary.high, 0);
    const f = j.findings.find((x) => x.checkId === "config.secrets.in_config")!;
    assert.equal(f.severity, "medium");
    assert.match(f.detail, /channels\.telegram\.botToken/);
    assert.doesNotMatch(r.stdout, /AAE-literal/);
  });
});
