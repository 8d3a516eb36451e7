/** `openclaw doctor` as a user runs it: `node dist/index.js doctor`, real processes, temp state dirs. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { cli, fixture, spawnGateway, tmpDir, writeConfig } from "../helpers/gateway.js";

const KEYS = { ANTHROPIC_API_KEY: "sk-ant-x", OPENAI_API_KEY: "sk-x", DISCORD_BOT_TOKEN: "discord-x" };
const env = (dir: string, extra: Record<string, string> = {}) => ({ HOME: dir, OPENCLAW_STATE_DIR: dir, ...extra });
const seedConfig = () => fixture("reference/seed-openclaw.json");
const seedFly = () => fixture("reference/seed-fly.toml");

interface Json {
  ok: boolean;
  findings: Array<{ id: string; level: string; message: string; fix?: string }>;
  fixed: string[];
}
const finding = (j: Json, id: string) => j.findings.find((f) => f.id === id);

describe("openclaw doctor", () => {
  it("exits 0 on the guide's setup and prints each check", async () => {
    const dir = tmpDir();
    writeConfig(dir, seedConfig());
    const r = await cli(["doctor"], env(dir, KEYS), dir);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^openclaw doctor: state /);
    assert.match(r.stdout, /^ok {5}config\.valid: /m);
    assert.match(r.stdout, /^ok {5}providers\.anthropic: anthropic: key from ANTHROPIC_API_KEY/m);
    assert.match(r.stdout, /^ok {5}channels\.discord: discord: bot token from DISCORD_BOT_TOKEN/m);
    assert.match(r.stdout, /\n0 error\(s\), \d+ warning\(s\), \d+ ok\n$/);
  });

  it("exits 1 on unknown keys, and --fix removes them keeping openclaw.json.bak", async () => {
    const dir = tmpDir();
    const file = writeConfig(dir, { gateway: { mode: "local", bogus: true } });
    const before = fs.readFileSync(file, "utf8");
    const r = await cli(["doctor"], env(dir, KEYS), dir);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^error {2}config\.unknown_keys: unknown keys in .*: gateway\.bogus$/m);
    assert.match(r.stdout, /→ run `openclaw doctor --fix` to remove them/);

    const fixed = await cli(["doctor", "--fix"], env(dir, KEYS), dir);
    assert.equal(fixed.code, 0, fixed.stdout);
    assert.match(fixed.stdout, /fixed:\n {2}- removed unknown config keys from .*: gateway\.bogus/);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), { gateway: { mode: "local" } });
    assert.equal(fs.readFileSync(file + ".bak", "utf8"), before);
    assert.equal((await cli(["config", "validate"], env(dir), dir)).code, 0);
  });

  it("--json gives every finding's id, level, message and fix", async () => {
    const dir = tmpDir();
    writeConfig(dir, { gateway: { mode: "local", bind: "lan" } });
    const r = await cli(["doctor", "--json"], env(dir, KEYS), dir);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.stdout) as Json;
    assert.equal(j.ok, false);
    const auth = finding(j, "gateway.auth")!;
    assert.equal(auth.level, "error");
    assert.match(auth.fix!, /OPENCLAW_GATEWAY_TOKEN/);
    for (const f of j.findings) assert.ok(f.id && f.level && f.message);
  });

  it("names the running gateway and catches a fly.toml whose internal_port is not its port", async () => {
    const dir = tmpDir();
    const token = "f".repeat(12) + "0123456789abcdef0123";
    const gw = await spawnGateway(["--allow-unconfigured", "--port", "0", "--bind", "lan"], env(dir, { OPENCLAW_GATEWAY_TOKEN: token }));
    try {
      const cwd = tmpDir();
      fs.writeFileSync(path.join(cwd, "fly.toml"), seedFly());
      const r = await cli(["doctor", "--json"], env(dir, KEYS), cwd);
      assert.equal(r.code, 1, r.stdout);
      const j = JSON.parse(r.stdout) as Json;
      const lock = finding(j, "gateway.lock")!;
      assert.equal(lock.level, "ok");
      assert.match(
        lock.message,
        new RegExp(
          `gateway running as pid ${gw.proc.pid} since .*gateway --allow-unconfigured --port 0 --bind lan; listening on port ${gw.port}`,
        ),
      );
      const port = finding(j, "fly.internal_port")!;
      assert.equal(port.level, "error");
      assert.match(
        port.message,
        new RegExp(`internal_port = 3000 in fly\\.toml but the running gateway \\(pid ${gw.proc.pid}\\) listens on ${gw.port}`),
      );
      // The running gateway's own environment supplies the token this shell does not have.
      assert.match(finding(j, "gateway.auth")!.message, /token from OPENCLAW_GATEWAY_TOKEN/);
      assert.doesNotMatch(r.stdout, new RegExp(token));
    } finally {
      gw.proc.kill("SIGTERM");
      await gw.exit;
    }
  });

  it("reports a stale lock left by a killed gateway, and --fix removes it", async () => {
    const dir = tmpDir();
    const gw = await spawnGateway(["--allow-unconfigured", "--port", "0"], env(dir));
    gw.proc.kill("SIGKILL");
    await gw.exit;
    const lock = fs.readdirSync(dir).find((n) => /^gateway\..*\.lock$/.test(n));
    assert.ok(lock, "kill -9 leaves the lock behind");
    // --fix asks the gateway's port whether a gateway still answers there: the killed one's port, now closed.
    const keys = { ...KEYS, OPENCLAW_GATEWAY_PORT: String(gw.port) };
    const r = await cli(["doctor"], env(dir, keys), dir);
    assert.match(
      r.stdout,
      new RegExp(
        `^warn {3}gateway\\.lock: stale lock .*${lock.replace(".", "\\.")} \\(left by pid ${gw.proc.pid}, which is no longer running\\)`,
        "m",
      ),
    );
    assert.equal(r.code, 0, "a stale lock is a warning: the gateway reclaims it");
    await cli(["doctor", "--fix"], env(dir, keys), dir);
    assert.ok(!fs.existsSync(path.join(dir, lock)));
  });

  it("flags the guide's heap cap on a 256 MB Fly machine", async () => {
    const dir = tmpDir();
    const r = await cli(
      ["doctor"],
      env(dir, { ...KEYS, FLY_APP_NAME: "my-openclaw", FLY_VM_MEMORY_MB: "256", NODE_OPTIONS: "--max-old-space-size=1536" }),
      dir,
    );
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /^error {2}memory\.heap: NODE_OPTIONS sets --max-old-space-size=1536 but this machine has 256 MB \(FLY_VM_MEMORY_MB\)/m,
    );
    assert.match(r.stdout, /→ set NODE_OPTIONS=--max-old-space-size=128/);
    // On Fly, a state dir that is not the volume is the guide's "state not persisting".
    assert.match(r.stdout, /^warn {3}state\.persistent: this is a container \(/m);
  });
});
