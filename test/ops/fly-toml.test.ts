/** fly.toml and fly.private.toml, parsed as TOML and held against the guide's own fly.toml. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ROOT, fixture } from "../helpers/fixtures.js";
import { parseFlyToml, parseGatewayArgs } from "../../src/ops/fly.js";
import { judgeHeapCap, heapCapMb } from "../../src/ops/system.js";
import { parse as parseToml } from "smol-toml";
import { GUIDE_COMMAND, readToml, seedFlyToml } from "./helpers.js";

const seed = seedFlyToml();
const pub = readToml("fly.toml");
const priv = readToml("fly.private.toml");
const memMb = (v: string | undefined): number => Number(/^(\d+)mb$/.exec(v ?? "")?.[1] ?? NaN);

describe("fly.toml", () => {
  it("runs the guide's process on the guide's port, volume and state directory", () => {
    assert.equal(pub.processes.app, GUIDE_COMMAND);
    assert.equal(pub.processes.app, seed.processes.app);
    assert.equal(pub.http_service.internal_port, seed.http_service.internal_port);
    assert.equal(pub.http_service.internal_port, Number(parseGatewayArgs(pub.processes.app.split(" ")).port));
    assert.deepEqual(pub.mounts, seed.mounts);
    assert.equal(pub.env.OPENCLAW_STATE_DIR, seed.env.OPENCLAW_STATE_DIR);
    assert.equal(pub.env.OPENCLAW_STATE_DIR, pub.mounts.destination);
    assert.deepEqual(pub.build, seed.build);
    assert.equal(pub.app, seed.app);
    assert.equal(pub.primary_region, seed.primary_region);
    for (const k of ["force_https", "auto_stop_machines", "auto_start_machines", "min_machines_running", "processes"])
      assert.deepEqual(pub.http_service[k], seed.http_service[k], `http_service.${k}`);
  });

  it("differs from the guide only where it says why: VM size, heap cap, health check", () => {
    // Every [env] key of the guide is kept, except OPENCLAW_PREFER_PNPM (a package-manager hint
    // for OpenClaw's own updater, which has no meaning here) and the heap cap sized for 2 GB.
    const differ = Object.keys(seed.env).filter((k) => pub.env[k] !== seed.env[k]);
    assert.deepEqual(differ.sort(), ["NODE_OPTIONS", "OPENCLAW_PREFER_PNPM"]);
    assert.equal(pub.env.OPENCLAW_PREFER_PNPM, undefined);
    const text = fs.readFileSync(path.join(ROOT, "fly.toml"), "utf8");
    assert.match(text, /--max-old-space-size=1536/, "the comment explains the guide's heap cap");
    assert.match(text, /256 MB/);
    assert.deepEqual(pub.http_service.checks, [{ grace_period: "10s", interval: "30s", method: "GET", path: "/healthz", timeout: "5s" }]);
  });

  it("sizes the VM at the smallest Fly machine with a heap cap that fits it", () => {
    assert.deepEqual(pub.vm, [{ size: "shared-cpu-1x", memory: "256mb" }]);
    const ours = memMb(pub.vm?.[0]?.memory);
    const guides = memMb(seed.vm?.[0]?.memory);
    assert.ok(ours < guides);
    const cap = heapCapMb(pub.env.NODE_OPTIONS)!;
    assert.equal(cap, 128);
    assert.equal(judgeHeapCap(cap, ours), "ok");
    assert.equal(judgeHeapCap(heapCapMb(seed.env.NODE_OPTIONS)!, guides), "ok", "the guide's pair fits its 2 GB VM");
    assert.equal(judgeHeapCap(heapCapMb(seed.env.NODE_OPTIONS)!, ours), "over", "but not ours");
    assert.equal(pub.swap_size_mb, 512);
    assert.equal(pub.kill_signal, "SIGTERM");
  });

  it("reads the same through the gateway's own fly.toml reader (used by doctor)", () => {
    const app = parseFlyToml(fs.readFileSync(path.join(ROOT, "fly.toml"), "utf8"), "fly.toml", parseToml);
    assert.equal(app.internalPort, 3000);
    assert.equal(app.vmMemoryMb, 256);
    assert.deepEqual(app.mount, { source: "openclaw_data", destination: "/data" });
    assert.deepEqual(app.checkPaths, ["/healthz"]);
    assert.ok(app.publicService);
    const guide = parseFlyToml(fixture("reference/seed-fly.toml"), "seed-fly.toml", parseToml);
    assert.equal(guide.vmMemoryMb, 2048);
    assert.deepEqual(guide.processArgv, app.processArgv);
  });
});

describe("fly.private.toml", () => {
  it("has no public service at all", () => {
    assert.equal(priv.http_service, undefined);
    assert.equal(priv.services, undefined);
    const app = parseFlyToml(fs.readFileSync(path.join(ROOT, "fly.private.toml"), "utf8"), "fly.private.toml", parseToml);
    assert.equal(app.publicService, false);
  });

  it("keeps process, volume, env and VM identical to fly.toml", () => {
    for (const k of ["app", "primary_region", "build", "env", "processes", "mounts", "vm", "kill_signal", "swap_size_mb"])
      assert.deepEqual(priv[k], pub[k], k);
  });

  it("checks /healthz on the process's port with a machine check", () => {
    const checks = Object.values(priv.checks) as Array<Record<string, unknown>>;
    assert.equal(checks.length, 1);
    assert.equal(checks[0]!.type, "http");
    assert.equal(checks[0]!.path, "/healthz");
    assert.equal(checks[0]!.port, Number(parseGatewayArgs(priv.processes.app.split(" ")).port));
  });

  it("documents how to reach it: fly proxy, WireGuard, ssh", () => {
    const text = fs.readFileSync(path.join(ROOT, "fly.private.toml"), "utf8");
    assert.match(text, /fly proxy 3000:3000/);
    assert.match(text, /fly wireguard create/);
    assert.match(text, /fly ssh console/);
  });
});

describe("docker-compose.yml", () => {
  const text = fs.readFileSync(path.join(ROOT, "docker-compose.yml"), "utf8");
  it("keeps state on a named volume, secrets in an env file, restarts, and checks /healthz", () => {
    assert.match(text, /^\s+- openclaw-data:\/data$/m);
    assert.match(text, /^volumes:\n\s+openclaw-data:/m);
    assert.match(text, /^\s+env_file: \.env$/m);
    assert.match(text, /^\s+restart: unless-stopped$/m);
    assert.match(text, /OPENCLAW_STATE_DIR: \/data/);
    assert.match(text, /healthcheck:[\s\S]*\/healthz/);
  });
  it("publishes the port on loopback only by default, and .env is never committed", () => {
    assert.match(text, /- "127\.0\.0\.1:3000:3000"/);
    assert.ok(fs.readFileSync(path.join(ROOT, ".gitignore"), "utf8").split("\n").includes(".env"));
  });
});
