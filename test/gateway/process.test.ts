/**
 * The gateway as a real process, started the way the Fly.io guide starts it: log line, health
 * endpoints, refusal of a public bind without a token, the lock (second instance, kill -9, reused
 * pid), port in use, and a clean SIGTERM.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { cli, connect, spawnGateway, tmpDir, waitFor, writeConfig } from "../helpers/gateway.js";

const TOKEN = "process-test-token-abcdef";

/** The guide's fly.toml [env], with the state dir pointed at a temp folder. */
function flyEnv(stateDir: string, extra: Record<string, string> = {}) {
  return {
    NODE_ENV: "production",
    OPENCLAW_PREFER_PNPM: "1",
    OPENCLAW_STATE_DIR: stateDir,
    NODE_OPTIONS: "--max-old-space-size=1536",
    HOME: stateDir,
    ...extra,
  };
}

/** The guide's process command, on a free port instead of 3000. */
const SEED_ARGS = ["--allow-unconfigured", "--port", "0", "--bind", "lan"];

function lockFiles(dir: string) {
  return fs.readdirSync(dir).filter((f) => /^gateway\.[0-9a-f]{8}\.lock$/.test(f));
}

describe("gateway process", () => {
  it("runs the guide's command: logs the listening line, serves /healthz and /readyz, stops on SIGTERM", async () => {
    const dir = tmpDir();
    const gw = await spawnGateway(SEED_ARGS, flyEnv(dir, { OPENCLAW_GATEWAY_TOKEN: TOKEN }));
    assert.match(gw.stdout, new RegExp(`^\\[gateway\\] listening on ws://0\\.0\\.0\\.0:${gw.port} \\(PID ${gw.proc.pid}\\)$`, "m"));
    const health = await fetch(`http://127.0.0.1:${gw.port}/healthz`);
    assert.equal(health.status, 200);
    const ready = await fetch(`http://127.0.0.1:${gw.port}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { ready: boolean }).ready, true);
    assert.equal(lockFiles(dir).length, 1, "lock file exists while running");

    const events: string[] = [];
    const client = await connect(`ws://127.0.0.1:${gw.port}`, { token: TOKEN, onEvent: (e) => events.push(e) });
    const t0 = Date.now();
    gw.proc.kill("SIGTERM");
    const { code } = await gw.exit;
    assert.equal(code, 0);
    assert.ok(Date.now() - t0 < 5000, "stops within 5 s");
    assert.ok(events.includes("shutdown"), "client was told about the shutdown");
    assert.deepEqual(lockFiles(dir), [], "lock removed on clean shutdown");
    assert.ok(!gw.stdout.includes(TOKEN) && !gw.stderr.includes(TOKEN), "token never printed");
    client.close();
  });

  it("refuses a LAN bind without a token, naming OPENCLAW_GATEWAY_TOKEN", async () => {
    const dir = tmpDir();
    const r = await cli(["gateway", ...SEED_ARGS], flyEnv(dir));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /OPENCLAW_GATEWAY_TOKEN/);
    assert.match(r.stderr, /refusing to bind/);
    assert.deepEqual(lockFiles(dir), []);
  });

  it("refuses to start without gateway.mode=local unless --allow-unconfigured, saying what to do", async () => {
    const dir = tmpDir();
    const r = await cli(["gateway", "--port", "0"], flyEnv(dir));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /openclaw config set gateway\.mode local/);
    assert.match(r.stderr, /--allow-unconfigured/);
    writeConfig(dir, { gateway: { mode: "local" } });
    const gw = await spawnGateway(["--port", "0"], flyEnv(dir));
    gw.proc.kill("SIGTERM");
    assert.equal((await gw.exit).code, 0);
  });

  it("refuses a second instance on the same state dir with the owner's pid", async () => {
    const dir = tmpDir();
    const first = await spawnGateway(SEED_ARGS, flyEnv(dir, { OPENCLAW_GATEWAY_TOKEN: TOKEN }));
    const second = await cli(["gateway", ...SEED_ARGS], flyEnv(dir, { OPENCLAW_GATEWAY_TOKEN: TOKEN }));
    assert.notEqual(second.code, 0);
    assert.match(second.stderr, new RegExp(`gateway already running \\(pid ${first.proc.pid}\\)`));
    first.proc.kill("SIGTERM");
    await first.exit;
  });

  it("reclaims the lock left by a kill -9 without any manual cleanup", async () => {
    const dir = tmpDir();
    const first = await spawnGateway(SEED_ARGS, flyEnv(dir, { OPENCLAW_GATEWAY_TOKEN: TOKEN }));
    first.proc.kill("SIGKILL");
    await first.exit;
    assert.equal(lockFiles(dir).length, 1, "the killed gateway left its lock behind");
    const second = await spawnGateway(SEED_ARGS, flyEnv(dir, { OPENCLAW_GATEWAY_TOKEN: TOKEN }));
    assert.match(second.stdout, /listening on/);
    second.proc.kill("SIGTERM");
    assert.equal((await second.exit).code, 0);
  });

  it("reclaims a lock whose pid now belongs to another process (pid reuse)", async () => {
    const dir = tmpDir();
    const first = await spawnGateway(SEED_ARGS, flyEnv(dir, { OPENCLAW_GATEWAY_TOKEN: TOKEN }));
    first.proc.kill("SIGKILL");
    await first.exit;
    const [name] = lockFiles(dir);
    const file = path.join(dir, name!);
    const info = JSON.parse(fs.readFileSync(file, "utf8"));
    // Point the lock at a live process that is not a gateway (this test runner), as after a reboot.
    fs.writeFileSync(file, JSON.stringify({ ...info, pid: process.pid, startTime: (info.startTime ?? 0) + 12345 }));
    const second = await spawnGateway(SEED_ARGS, flyEnv(dir, { OPENCLAW_GATEWAY_TOKEN: TOKEN }));
    second.proc.kill("SIGTERM");
    assert.equal((await second.exit).code, 0);
  });

  it("names the port when it is already taken", async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = await cli(["gateway", "--allow-unconfigured", "--port", String(port)], flyEnv(tmpDir()));
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, new RegExp(`port ${port} is already in use`));
    } finally {
      blocker.close();
    }
  });

  it("--force stops the old gateway holding the port and takes over", async () => {
    const first = await spawnGateway(["--allow-unconfigured", "--port", "0"], flyEnv(tmpDir()));
    const second = await spawnGateway(["--allow-unconfigured", "--port", String(first.port), "--force"], flyEnv(tmpDir()));
    assert.equal(second.port, first.port);
    const { code } = await first.exit;
    assert.equal(code, 0, "the old gateway shut down cleanly");
    second.proc.kill("SIGTERM");
    await second.exit;
  });

  it("starts with an invalid config instead of crash-looping, and says what is wrong", async () => {
    const dir = tmpDir();
    writeConfig(dir, { gateway: { mode: "local", port: "nope" } });
    const gw = await spawnGateway(["--port", "0"], flyEnv(dir));
    await waitFor(() => gw.stderr.includes("gateway.port: expected number, got string"), 5000, "issue in output");
    const ready = await fetch(`http://127.0.0.1:${gw.port}/readyz`);
    assert.equal(ready.status, 503);
    const body = (await ready.json()) as { reason: string; issues: Array<{ path: string }> };
    assert.equal(body.reason, "config invalid");
    assert.equal(body.issues[0]!.path, "gateway.port");
    assert.equal((await fetch(`http://127.0.0.1:${gw.port}/healthz`)).status, 200);
    gw.proc.kill("SIGTERM");
    await gw.exit;
  });

  it("prints version and help", async () => {
    const v = await cli(["--version"], {});
    assert.match(v.stdout.trim(), /^\d{4}\.\d+\.\d+/);
    const h = await cli(["gateway", "--help"], {});
    assert.match(h.stdout, /--allow-unconfigured/);
    assert.match(h.stdout, /--bind <mode>/);
  });
});
