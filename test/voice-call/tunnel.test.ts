/**
 * Voice-call tunnels against stand-in `ngrok` and `tailscale` executables (small node scripts in a
 * temp dir): the public URL is read and returned, stop kills ngrok, failures say what to do, a
 * crashed ngrok comes back on a new URL, and Tailscale gets the right argv.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { Command } from "commander";
import { tmpDir, waitFor } from "../helpers/gateway.js";
import {
  NgrokError,
  exposeTailscale,
  isNgrokFreeTierUrl,
  ngrokFreeTierBypassAllowed,
  registerExposeCommands,
  startTunnel,
  unexposeTailscale,
} from "../../src/voice-call/tunnel/index.js";

/**
 * ngrok stand-in. NGROK_MODE: "ok" prints the started-tunnel log line (URL numbered by how often it
 * ran), "auth" fails like a missing auth token, "early" exits at once, "silent" never reports.
 */
const NGROK = `#!/usr/bin/env node
const fs = require("node:fs");
const mode = process.env.NGROK_MODE || "ok";
const runs = process.env.NGROK_RUNS;
let n = 1;
if (runs) { n = (fs.existsSync(runs) ? Number(fs.readFileSync(runs, "utf8")) : 0) + 1; fs.writeFileSync(runs, String(n)); }
if (process.env.NGROK_ARGV) fs.writeFileSync(process.env.NGROK_ARGV, JSON.stringify({ argv: process.argv.slice(2), token: process.env.NGROK_AUTHTOKEN || null, pid: process.pid }));
const log = (o) => process.stdout.write(JSON.stringify({ t: new Date().toISOString(), lvl: "info", ...o }) + "\\n");
if (mode === "auth") {
  log({ lvl: "eror", msg: "session closing", err: "authentication failed: Usage of ngrok requires a verified account and authtoken.\\n\\nERR_NGROK_4018" });
  process.stderr.write("ERROR:  authentication failed: Usage of ngrok requires a verified account and authtoken.\\nERROR:  ERR_NGROK_4018\\n");
  process.exit(1);
}
if (mode === "early") { process.stderr.write("ERROR:  bind: address already in use\\n"); process.exit(3); }
process.stdout.write("not json, a banner\\n");
log({ msg: "starting web service", obj: "web", addr: "127.0.0.1:4040" });
if (mode === "ok") log({ msg: "started tunnel", obj: "tunnels", name: "command_line", addr: "http://localhost:" + process.argv[3], url: "https://run" + n + ".ngrok-free.app" });
if (process.env.NGROK_EXIT_AFTER_FIRST && n === 1) setTimeout(() => process.exit(2), 50);
setInterval(() => {}, 1000);
`;

const TAILSCALE = `#!/usr/bin/env node
const fs = require("node:fs");
const args = process.argv.slice(2);
fs.appendFileSync(process.env.TS_ARGV_LOG, JSON.stringify(args) + "\\n");
if (args[0] === "status") {
  if (process.env.TS_DOWN) { process.stderr.write("Tailscale is stopped.\\n"); process.exit(1); }
  process.stdout.write(JSON.stringify({ Self: { DNSName: "box.tail1234.ts.net.", ID: "nTEST" } }));
  process.exit(0);
}
process.exit(0);
`;

function binDir(): { dir: string; bin: string } {
  const dir = tmpDir("oc-tunnel-");
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, "package.json"), '{"type":"commonjs"}');
  fs.writeFileSync(path.join(bin, "ngrok"), NGROK, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, "tailscale"), TAILSCALE, { mode: 0o755 });
  return { dir, bin };
}

function envWith(bin: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: `${bin}:${path.dirname(process.execPath)}`, ...extra };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const logs: string[] = [];
const log = { info: (m: string) => logs.push(`info ${m}`), warn: (m: string) => logs.push(`warn ${m}`) };

describe("ngrok tunnel", { timeout: 30_000 }, () => {
  it("returns the URL ngrok logs, with the webhook path, and stop kills ngrok", async () => {
    const { dir, bin } = binDir();
    const argvFile = path.join(dir, "argv.json");
    const t = await startTunnel({
      provider: "ngrok",
      port: 3334,
      path: "/voice/webhook",
      ngrokAuthToken: "tok_123",
      ngrokDomain: "calls.example.dev",
      env: envWith(bin, { NGROK_ARGV: argvFile }),
      log,
    });
    assert.equal(t.publicUrl, "https://run1.ngrok-free.app/voice/webhook");
    const seen = JSON.parse(fs.readFileSync(argvFile, "utf8")) as { argv: string[]; token: string; pid: number };
    assert.deepEqual(seen.argv, ["http", "3334", "--log", "stdout", "--log-format", "json", "--domain", "calls.example.dev"]);
    assert.equal(seen.token, "tok_123", "the token reaches ngrok through NGROK_AUTHTOKEN");
    assert.ok(alive(seen.pid));
    await t.stop();
    assert.equal(alive(seen.pid), false);
  });

  it("a missing binary says to build with INSTALL_NGROK=true or install ngrok", async () => {
    const empty = tmpDir("oc-tunnel-empty-");
    await assert.rejects(startTunnel({ provider: "ngrok", port: 3334, path: "/voice/webhook", env: { PATH: empty }, log }), (e: Error) => {
      assert.ok(e instanceof NgrokError && e.kind === "missing");
      assert.match(e.message, /ngrok not found/);
      assert.match(e.message, /--build-arg INSTALL_NGROK=true/);
      assert.match(e.message, /install ngrok/);
      return true;
    });
  });

  it("an auth failure says to set NGROK_AUTHTOKEN", async () => {
    const { bin } = binDir();
    await assert.rejects(
      startTunnel({ provider: "ngrok", port: 3334, path: "/voice/webhook", env: envWith(bin, { NGROK_MODE: "auth" }), log }),
      (e: Error) => {
        assert.ok(e instanceof NgrokError && e.kind === "auth");
        assert.match(e.message, /ERR_NGROK_4018/);
        assert.match(e.message, /Set NGROK_AUTHTOKEN/);
        return true;
      },
    );
  });

  it("ngrok exiting before the tunnel starts is an error with what it said", async () => {
    const { bin } = binDir();
    await assert.rejects(
      startTunnel({ provider: "ngrok", port: 3334, path: "/voice/webhook", env: envWith(bin, { NGROK_MODE: "early" }), log }),
      /ngrok exited \(code 3\) before the tunnel started: ERROR: bind: address already in use/,
    );
  });

  it("gives up when no URL arrives in time, and leaves no ngrok behind", async () => {
    const { dir, bin } = binDir();
    const argvFile = path.join(dir, "argv.json");
    const { startNgrok } = await import("../../src/voice-call/tunnel/ngrok.js");
    await assert.rejects(
      startNgrok({ port: 3334, path: "/v", env: envWith(bin, { NGROK_MODE: "silent", NGROK_ARGV: argvFile }), log, startupTimeoutMs: 300 }),
      /ngrok did not report a tunnel URL within 300 ms/,
    );
    const { pid } = JSON.parse(fs.readFileSync(argvFile, "utf8")) as { pid: number };
    await waitFor(() => !alive(pid), 5000, "the silent ngrok to be killed");
  });

  it("restarts ngrok after an unexpected exit and reports the new URL", async () => {
    const { dir, bin } = binDir();
    const urls: string[] = [];
    const { startNgrok } = await import("../../src/voice-call/tunnel/ngrok.js");
    const t = await startNgrok({
      port: 3334,
      path: "/voice/webhook",
      env: envWith(bin, { NGROK_RUNS: path.join(dir, "runs"), NGROK_EXIT_AFTER_FIRST: "1" }),
      log,
      restartDelayMs: 20,
      onUrlChange: (u) => urls.push(u),
    });
    try {
      assert.equal(t.publicUrl, "https://run1.ngrok-free.app/voice/webhook");
      await waitFor(() => urls.length > 0, 10_000, "the restarted tunnel's URL");
      assert.deepEqual(urls, ["https://run2.ngrok-free.app/voice/webhook"]);
      assert.equal(t.publicUrl, urls[0]);
      assert.ok(logs.some((l) => l.startsWith("warn ngrok exited unexpectedly (code 2)")));
    } finally {
      await t.stop();
    }
    assert.equal(t.pid, undefined);
  });

  it("free-plan compatibility follows OpenClaw's rule", () => {
    assert.equal(isNgrokFreeTierUrl("https://abc.ngrok-free.app/voice/webhook"), true);
    assert.equal(isNgrokFreeTierUrl("https://calls.example.com/voice/webhook"), false);
    const cfg = { tunnel: { provider: "ngrok", allowNgrokFreeTierLoopbackBypass: true }, serve: { bind: "127.0.0.1" } };
    assert.equal(ngrokFreeTierBypassAllowed(cfg), true);
    assert.equal(ngrokFreeTierBypassAllowed({ ...cfg, serve: { bind: "0.0.0.0" } }), false);
    assert.equal(
      ngrokFreeTierBypassAllowed({ tunnel: { provider: "ngrok", allowNgrokFreeTier: true }, serve: { bind: "localhost" } }),
      true,
    );
    assert.equal(
      ngrokFreeTierBypassAllowed({
        tunnel: { provider: "tailscale-funnel", allowNgrokFreeTierLoopbackBypass: true },
        serve: { bind: "127.0.0.1" },
      }),
      false,
    );
  });

  it("provider none starts nothing", async () => {
    const t = await startTunnel({ provider: "none", port: 3334, path: "/voice/webhook", env: {}, log });
    assert.equal(t.publicUrl, null);
    await t.stop();
  });
});

function tailscaleCalls(file: string): string[][] {
  return fs.existsSync(file)
    ? fs
        .readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as string[])
    : [];
}

describe("tailscale tunnel", { timeout: 30_000 }, () => {
  it("tailscale-funnel mounts the webhook path and stop takes it down", async () => {
    const { dir, bin } = binDir();
    const argv = path.join(dir, "ts.log");
    const t = await startTunnel({
      provider: "tailscale-funnel",
      port: 3334,
      path: "/voice/webhook",
      env: envWith(bin, { TS_ARGV_LOG: argv }),
      log,
    });
    assert.equal(t.publicUrl, "https://box.tail1234.ts.net/voice/webhook");
    assert.deepEqual(tailscaleCalls(argv), [
      ["status", "--json"],
      ["funnel", "--bg", "--yes", "--set-path", "/voice/webhook", "http://127.0.0.1:3334/voice/webhook"],
    ]);
    await t.stop();
    assert.deepEqual(tailscaleCalls(argv).at(-1), ["funnel", "off", "/voice/webhook"]);
  });

  it("tailscale-serve uses serve", async () => {
    const { dir, bin } = binDir();
    const argv = path.join(dir, "ts.log");
    const t = await startTunnel({
      provider: "tailscale-serve",
      port: 4000,
      path: "voice/hook/",
      env: envWith(bin, { TS_ARGV_LOG: argv }),
      log,
    });
    assert.equal(t.publicUrl, "https://box.tail1234.ts.net/voice/hook");
    assert.deepEqual(tailscaleCalls(argv)[1], ["serve", "--bg", "--yes", "--set-path", "/voice/hook", "http://127.0.0.1:4000/voice/hook"]);
    await t.stop();
  });

  it("Tailscale not running is a clear error and changes nothing", async () => {
    const { dir, bin } = binDir();
    const argv = path.join(dir, "ts.log");
    await assert.rejects(
      exposeTailscale({ mode: "funnel", path: "/voice/webhook", port: 3334, env: envWith(bin, { TS_ARGV_LOG: argv, TS_DOWN: "1" }) }),
      /Is Tailscale running and logged in \(`tailscale up`\)/,
    );
    assert.deepEqual(tailscaleCalls(argv), [["status", "--json"]]);
  });

  it("a missing tailscale binary says to install it", async () => {
    const empty = tmpDir("oc-tunnel-empty-");
    await assert.rejects(
      startTunnel({ provider: "tailscale-serve", port: 3334, path: "/voice/webhook", env: { PATH: empty }, log }),
      /tailscale CLI not found .*Install Tailscale/,
    );
  });

  it("unexposeTailscale without a mode turns off both", async () => {
    const { dir, bin } = binDir();
    const argv = path.join(dir, "ts.log");
    await unexposeTailscale({ path: "/voice/webhook", env: envWith(bin, { TS_ARGV_LOG: argv }) });
    assert.deepEqual(tailscaleCalls(argv), [
      ["serve", "off", "/voice/webhook"],
      ["funnel", "off", "/voice/webhook"],
    ]);
  });
});

describe("voicecall expose / unexpose", { timeout: 30_000 }, () => {
  async function run(args: string[], defaults = {}) {
    const { dir, bin } = binDir();
    const argv = path.join(dir, "ts.log");
    const printed: unknown[] = [];
    const voicecall = new Command("voicecall").exitOverride();
    registerExposeCommands(voicecall, {
      env: envWith(bin, { TS_ARGV_LOG: argv }),
      defaults: () => defaults,
      print: (v) => printed.push(v),
    });
    const before = process.exitCode;
    await voicecall.parseAsync(args, { from: "user" });
    const exitCode = process.exitCode;
    process.exitCode = before;
    return { calls: tailscaleCalls(argv), printed, exitCode };
  }

  it("expose defaults to funnel on the configured port and path", async () => {
    const r = await run(["expose"], { port: 3334, servePath: "/voice/webhook" });
    assert.deepEqual(r.calls[1], ["funnel", "--bg", "--yes", "--set-path", "/voice/webhook", "http://127.0.0.1:3334/voice/webhook"]);
    assert.deepEqual(r.printed, [
      {
        ok: true,
        mode: "funnel",
        path: "/voice/webhook",
        localUrl: "http://127.0.0.1:3334/voice/webhook",
        publicUrl: "https://box.tail1234.ts.net/voice/webhook",
      },
    ]);
  });

  it("expose --mode serve --path --port --serve-path", async () => {
    const r = await run(["expose", "--mode", "serve", "--path", "/calls", "--port", "5000", "--serve-path", "/hook"]);
    assert.deepEqual(r.calls[1], ["serve", "--bg", "--yes", "--set-path", "/calls", "http://127.0.0.1:5000/hook"]);
  });

  it("expose --mode off and unexpose turn off serve and funnel", async () => {
    for (const args of [["expose", "--mode", "off"], ["unexpose"]]) {
      const r = await run(args);
      assert.deepEqual(r.calls, [
        ["serve", "off", "/voice/webhook"],
        ["funnel", "off", "/voice/webhook"],
      ]);
      assert.deepEqual(r.printed, [{ ok: true, mode: "off", path: "/voice/webhook" }]);
    }
  });

  it("a bad mode or port is refused with what to pass", async () => {
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      const a = await run(["expose", "--mode", "public"]);
      const b = await run(["expose", "--port", "99999"]);
      assert.equal(a.exitCode, 1);
      assert.equal(b.exitCode, 1);
      assert.deepEqual(a.calls, []);
    } finally {
      process.stderr.write = write;
    }
    assert.match(stderr.join(""), /--mode: unknown mode "public" \(expected off, serve or funnel\)/);
    assert.match(stderr.join(""), /--port: invalid port "99999"/);
  });
});
