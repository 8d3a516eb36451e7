/**
 * The gateway running signal-cli itself: a stand-in `signal-cli` (a small node script that serves the
 * daemon's HTTP API on the address it is given) is spawned with the right arguments, its warnings
 * reach the log, it is restarted when it dies and killed on stop; an `httpUrl` alone never spawns.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createSignalAdapter, type SignalConfig } from "../../../src/channels/signal/index.js";
import { resolveSettings } from "../../../src/channels/signal/config.js";
import { classifyLogLine } from "../../../src/channels/signal/daemon.js";
import { signalSetup } from "../../../src/channels/signal/plugin.js";
import { freePort, tmpDir, waitFor } from "../../helpers/gateway.js";
import { startSignalFake } from "../../fakes/signal.js";
import { memoryLogger } from "../telegram/harness.js";

const BOT = "+15550009999";

/** Writes the stand-in; each run appends `{pid, args}` to `runs.jsonl` beside it. */
function standIn(dir: string): { cli: string; runs: () => Array<{ pid: number; args: string[] }> } {
  const cli = path.join(dir, "signal-cli");
  const log = path.join(dir, "runs.jsonl");
  fs.writeFileSync(
    cli,
    `#!${process.execPath}
const http = require("node:http");
const fs = require("node:fs");
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ pid: process.pid, args }) + "\\n");
const [host, port] = args[args.indexOf("--http") + 1].split(":");
process.stderr.write("INFO  DaemonCommand - Starting daemon\\nWARN  ManagerImpl - No profile name set\\n");
http.createServer((req, res) => {
  if (req.url === "/api/v1/check") return res.end();
  if (req.url.startsWith("/api/v1/events")) {
    res.writeHead(200, { "content-type": "text/event-stream" });
    return res.write(":\\n\\n");
  }
  let body = "";
  req.on("data", (d) => (body += d));
  req.on("end", () => {
    const call = JSON.parse(body);
    if (call.method === "quit") { res.writeHead(201).end(); setTimeout(() => process.exit(3), 10); return; }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ jsonrpc: "2.0", result: { version: "stand-in" }, id: call.id }));
  });
}).listen(Number(port), host);
`,
    { mode: 0o755 },
  );
  return {
    cli,
    runs: () =>
      fs.existsSync(log)
        ? fs
            .readFileSync(log, "utf8")
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l))
        : [],
  };
}

function adapterWith(config: SignalConfig, logs: string[]) {
  return createSignalAdapter({
    accountId: "default",
    config: { account: BOT, ...config },
    env: {},
    log: memoryLogger(logs, "signal"),
    stateDir: tmpDir(),
    now: Date.now,
    onInbound: () => {},
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("signal-cli daemon managed by the gateway", { timeout: 60_000 }, () => {
  it("settings: spawn unless httpUrl is set, arguments as signal-cli takes them, startup wait clamped", () => {
    const d = resolveSettings({ account: "+1 555 000 9999" }).daemon!;
    assert.equal(d.cliPath, "signal-cli");
    assert.deepEqual(d.args, ["-a", BOT, "daemon", "--http", "127.0.0.1:8080", "--no-receive-stdout"]);
    assert.equal(d.startupTimeoutMs, 30_000);
    assert.equal(resolveSettings({ startupTimeoutMs: 10 }).daemon!.startupTimeoutMs, 1_000);
    assert.equal(resolveSettings({ startupTimeoutMs: 999_999 }).daemon!.startupTimeoutMs, 120_000);
    assert.equal(resolveSettings({ httpUrl: "http://10.0.0.5:9000", cliPath: "/opt/signal-cli" }).daemon, null);
    const both = resolveSettings({ httpUrl: "http://127.0.0.1:9000/", autoStart: true, ignoreAttachments: true });
    assert.equal(both.baseUrl, "http://127.0.0.1:9000");
    assert.deepEqual(both.daemon!.args, ["daemon", "--http", "127.0.0.1:9000", "--no-receive-stdout", "--ignore-attachments"]);
    assert.equal(resolveSettings({ sendReadReceipts: true }).readReceipts, false, "the spawned daemon sends them");
    assert.equal(resolveSettings({ sendReadReceipts: true, httpUrl: "x:1" }).readReceipts, true);
    assert.equal(classifyLogLine("WARN  ManagerImpl - No profile name set"), "error");
    assert.equal(classifyLogLine("INFO  DaemonCommand - Starting"), "log");
    assert.equal(classifyLogLine("  "), null);
  });

  it("doctor: ok with an account, else says which key to set", () => {
    assert.equal(signalSetup({}).ok, false);
    assert.match(signalSetup({}).fix!, /channels\.signal\.account/);
    assert.deepEqual(signalSetup({ account: BOT, httpUrl: "http://127.0.0.1:8080" }), {
      ok: true,
      detail: `${BOT} through the signal-cli daemon at http://127.0.0.1:8080`,
    });
    assert.match(
      signalSetup({ account: BOT, cliPath: "/usr/local/bin/signal-cli" }).detail,
      /through \/usr\/local\/bin\/signal-cli daemon/,
    );
  });

  it("spawns the stand-in, connects, restarts it when it dies, kills it on stop", async () => {
    const dir = tmpDir();
    const { cli, runs } = standIn(dir);
    const port = await freePort();
    const logs: string[] = [];
    const a = adapterWith(
      {
        cliPath: cli,
        httpHost: "127.0.0.1",
        httpPort: port,
        receiveMode: "on-start",
        ignoreStories: true,
        sendReadReceipts: true,
        startupTimeoutMs: 10_000,
      },
      logs,
    );
    try {
      await a.start();
      await waitFor(() => a.status().connected, 15_000, "connected to the spawned daemon");
      assert.equal(a.status().mode, "daemon");
      assert.deepEqual(runs()[0]!.args, [
        "-a",
        BOT,
        "daemon",
        "--http",
        `127.0.0.1:${port}`,
        "--no-receive-stdout",
        "--receive-mode",
        "on-start",
        "--ignore-stories",
        "--send-read-receipts",
      ]);
      await waitFor(() => logs.some((l) => l === "error: signal-cli: WARN  ManagerImpl - No profile name set"), 5000, "the warning logged");
      assert.equal((await a.probe()).detail, "signal-cli stand-in");

      const first = runs()[0]!.pid;
      await fetch(`http://127.0.0.1:${port}/api/v1/rpc`, {
        method: "POST",
        body: JSON.stringify({ jsonrpc: "2.0", method: "quit", id: 1 }),
      });
      await waitFor(() => !a.status().connected, 5000, "the stream to end with the daemon");
      await waitFor(() => logs.some((l) => /signal-cli exited \(code 3\); restarting/.test(l)), 5000, "the exit logged");
      await waitFor(() => runs().length === 2 && a.status().connected, 15_000, "restarted and reconnected");
      assert.notEqual(runs()[1]!.pid, first);
    } finally {
      await a.stop();
    }
    const last = runs().at(-1)!.pid;
    assert.equal(alive(last), false, "the daemon is gone after stop");
    assert.equal(a.status().running, false);
  });

  it("an httpUrl without autoStart never spawns, even with cliPath set", async () => {
    const dir = tmpDir();
    const { cli, runs } = standIn(dir);
    const fake = await startSignalFake({ account: BOT });
    const a = adapterWith({ httpUrl: fake.url, cliPath: cli }, []);
    try {
      await a.start();
      await waitFor(() => a.status().connected, 5000, "connected");
      assert.equal(a.status().mode, "http");
      assert.deepEqual(runs(), []);
    } finally {
      await a.stop();
      await fake.close();
    }
  });

  it("a missing signal-cli ends in a status that says what to do", async () => {
    const a = adapterWith({ cliPath: path.join(tmpDir(), "no-such-signal-cli"), httpPort: await freePort(), startupTimeoutMs: 1000 }, []);
    try {
      await a.start();
      await waitFor(() => /not found/.test(a.status().lastError ?? ""), 10_000, "the error in status");
      assert.match(a.status().lastError!, /install signal-cli, set channels\.signal\.cliPath, or point channels\.signal\.httpUrl/);
      assert.equal(a.status().connected, false);
    } finally {
      await a.stop();
    }
  });
});
