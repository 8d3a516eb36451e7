/**
 * The command line as a newcomer meets it: a broken or split config file, `openclaw` on the PATH after
 * the quick start, failovers in `status`, a gateway that is not running, a failing probe, and output
 * piped into `head`.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { chatClient, startAgentGateway, startFakes, type Fakes } from "../helpers/agents.js";
import { ENTRY, ROOT, cli, connect, runCli, spawnGateway, startTestGateway, tmpDir, waitFor } from "../helpers/gateway.js";
import { FakeTelegram } from "../fakes/telegram.js";

const TIMEOUT = { timeout: 30_000 };

/** A port on 127.0.0.1 that nothing listens on: bound, read and closed again. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

describe("config get shows the file's problems and the effective values", () => {
  let dir: string;
  before(() => {
    dir = tmpDir();
  });
  after(() => removeDir(dir));
  const env = (extra: Record<string, string> = {}) => ({ OPENCLAW_STATE_DIR: dir, HOME: dir, ...extra });

  it("a JSON5 syntax error is reported with the file and line, exiting non-zero", TIMEOUT, async () => {
    const file = path.join(dir, "openclaw.json");
    const broken = `{\n  gateway: { mode: "local", port: 3000 },\n  agents: { defaults: { workspace: "/srv" }\n`;
    fs.writeFileSync(file, broken);
    const r = await cli(["config", "get", "gateway.port"], env());
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.stderr, /is not set/);
    assert.ok(r.stderr.startsWith(`error: invalid JSON5 in ${file} at line 4, column 1: invalid end of input\n`), r.stderr);
    assert.equal(r.stdout, "");

    // Editing a file that cannot be read must not replace it with the one new key.
    const set = await cli(["config", "set", "gateway.bind", "lan"], env());
    assert.equal(set.code, 1);
    assert.match(set.stderr, /line 4, column 1/);
    assert.equal(fs.readFileSync(file, "utf8"), broken, "the file is left as it was");
  });

  it("values from an $include'd file are shown, secrets still redacted, ${VAR} as written", TIMEOUT, async () => {
    fs.writeFileSync(path.join(dir, "openclaw.json"), `{ $include: "./parts/agents.json5", gateway: { mode: "local" } }`);
    fs.mkdirSync(path.join(dir, "parts"), { recursive: true });
    fs.writeFileSync(
      path.join(dir, "parts/agents.json5"),
      `{ agents: { defaults: { workspace: "/srv/ws", maxConcurrent: 2 } }, channels: { telegram: { botToken: "123:included-secret", webhookUrl: "\${HOOK_URL}" } } }`,
    );
    const e = env({ HOOK_URL: "https://example.test/hook" });
    const ws = await cli(["config", "get", "agents.defaults.workspace"], e);
    assert.equal(ws.code, 0, ws.stderr);
    assert.equal(ws.stdout, "/srv/ws\n");
    assert.equal((await cli(["config", "get", "agents.defaults.maxConcurrent"], e)).stdout, "2\n");

    const token = await cli(["config", "get", "channels.telegram.botToken"], e);
    assert.equal(token.stdout, "__OPENCLAW_REDACTED__\n");
    assert.equal((await cli(["config", "get", "channels.telegram.botToken", "--show-secrets"], e)).stdout, "123:included-secret\n");
    assert.equal((await cli(["config", "get", "channels.telegram.webhookUrl"], e)).stdout, "${HOOK_URL}\n");

    const all = JSON.parse((await cli(["config", "get", "--json"], e)).stdout);
    assert.deepEqual(all.gateway, { mode: "local" });
    assert.equal(all.agents.defaults.workspace, "/srv/ws");
    assert.equal(all.channels.telegram.botToken, "__OPENCLAW_REDACTED__");
    assert.equal(all.$include, undefined);

    const help = await cli(["config", "get", "--help"], e);
    assert.match(help.stdout, /\$include/);
    assert.match(help.stdout, /\$\{VAR\}/);

    const unset = await cli(["config", "unset", "agents.defaults.workspace"], e);
    assert.equal(unset.code, 1);
    assert.match(unset.stderr, /\$include/);
  });

  it("an empty file is reported as such, and config set can fill it", TIMEOUT, async () => {
    const file = path.join(dir, "openclaw.json");
    fs.writeFileSync(file, "\n");
    const r = await cli(["config", "get", "gateway.mode"], env());
    assert.equal(r.code, 1);
    assert.match(r.stderr, /openclaw\.json is empty/);
    assert.equal((await cli(["config", "set", "gateway.mode", "local"], env())).code, 0);
    assert.equal((await cli(["config", "get", "gateway.mode"], env())).stdout, "local\n");
  });

  it("a missing include is reported, not a missing key", TIMEOUT, async () => {
    fs.writeFileSync(path.join(dir, "openclaw.json"), `{ $include: "./nowhere.json5" }`);
    const r = await cli(["config", "get", "gateway.mode"], env());
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\$include file not found: .*nowhere\.json5/);
  });
});

describe("the quick start puts openclaw on the PATH", () => {
  it("the quick start links the package and the examples after it use `openclaw`", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const quick = /## Quick start\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? "";
    const blocks = [...quick.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
    assert.equal(blocks.length, 2, "two commands: install and run, then the tests");
    assert.match(blocks[0]!, /^npm ci && npm run build && npm link && openclaw gateway --allow-unconfigured$/);
    assert.equal(blocks[1], "npm test");
    assert.match(quick, /NPM_CONFIG_PREFIX=~\/\.local npm link/, "names the fallback when the global folder is not writable");
    assert.match(readme, /^openclaw config set /m, "later examples say `openclaw`");
  });

  it("dist/index.js is an executable script that runs when linked", TIMEOUT, async () => {
    const head = fs.readFileSync(ENTRY, "utf8").split("\n")[0];
    assert.equal(head, "#!/usr/bin/env node");
    assert.ok(fs.statSync(ENTRY).mode & 0o111, "dist/index.js is executable");

    const prefix = tmpDir("oc-prefix-");
    try {
      // `npm test` hands its own settings (npm_config_prefix=…) to children: drop them, so the link
      // goes into the scratch prefix and never into the machine's global folder.
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
      const npm = process.platform === "win32" ? "npm.cmd" : "npm";
      await promisify(execFile)(npm, ["link", "--offline", "--no-audit", "--no-fund", "--loglevel=error"], {
        cwd: ROOT,
        env: { ...env, NPM_CONFIG_PREFIX: prefix },
      });
      const bin = path.join(prefix, "bin");
      assert.ok(fs.existsSync(path.join(bin, "openclaw")), "npm link put openclaw in the prefix's bin folder");
      // Run through the link by name, from another directory, as a user would.
      const { stdout } = await promisify(execFile)("openclaw", ["config", "file"], {
        cwd: prefix,
        env: { PATH: `${bin}${path.delimiter}${path.dirname(process.execPath)}`, OPENCLAW_STATE_DIR: prefix, HOME: prefix },
      });
      assert.equal(stdout.trim(), path.join(prefix, "openclaw.json"));
    } finally {
      removeDir(prefix);
    }
  });
});

describe("status shows failovers and cooldowns", () => {
  let f: Fakes;
  before(async () => {
    f = await startFakes();
  });
  after(() => f.close());

  it("lists the resting credential and the recent switch in plain text", TIMEOUT, async () => {
    const gw = await startAgentGateway(f);
    try {
      f.anthropic.enqueue({ error: { status: 529, type: "overloaded_error", message: "Overloaded" } });
      f.openai.enqueue({ text: "fallback answered" });
      const c = await chatClient(gw);
      assert.equal((await c.send("hello")).text, "fallback answered");
      c.client.close();

      const r = await cli(["status"], { OPENCLAW_STATE_DIR: gw.stateDir, HOME: gw.stateDir, OPENCLAW_GATEWAY_PORT: String(gw.port) });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^model: +anthropic\/claude-opus-4-5, then openai\/gpt-4o$/m);
      assert.match(r.stdout, /^cooldowns: +1 credential resting$/m);
      assert.match(r.stdout, /^ +anthropic:env \(agent main\): rests (\d+m )?\d+s more; 1 error, last: .*Overloaded/m);
      assert.match(r.stdout, /^failovers: +1 recent, newest first$/m);
      assert.match(r.stdout, /^ +\d+s ago +anthropic\/claude-opus-4-5 failed \(overloaded\): .*Overloaded; anthropic:env rests 1m 0s$/m);
    } finally {
      await gw.close();
      removeDir(gw.stateDir);
    }
  });

  it("says when nothing is resting", TIMEOUT, async () => {
    const gw = await startAgentGateway(f);
    try {
      const r = await cli(["status"], { OPENCLAW_STATE_DIR: gw.stateDir, HOME: gw.stateDir, OPENCLAW_GATEWAY_PORT: String(gw.port) });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^cooldowns: +none; every model in the chain is available$/m);
      assert.match(r.stdout, /^failovers: +none since the gateway started$/m);
    } finally {
      await gw.close();
      removeDir(gw.stateDir);
    }
  });
});

describe("commands that need a gateway, when none is listening", () => {
  let dir: string;
  let port: number;
  before(async () => {
    dir = tmpDir();
    port = await closedPort();
  });
  after(() => removeDir(dir));

  const commands = [
    ["health"],
    ["gateway", "call", "health"],
    ["sessions", "list"],
    ["models", "list"],
    ["channels", "status"],
    ["agent", "--message", "hello"],
  ];
  for (const args of commands) {
    it(`openclaw ${args.join(" ")} says which URL it tried and how to start a gateway`, TIMEOUT, async () => {
      const r = await cli(args, { OPENCLAW_STATE_DIR: dir, HOME: dir, OPENCLAW_GATEWAY_PORT: String(port) });
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        new RegExp(
          `^error: cannot reach gateway at ws://127\\.0\\.0\\.1:${port} \\(from OPENCLAW_GATEWAY_PORT\\): nothing is listening there`,
        ),
      );
      assert.match(r.stderr, /openclaw gateway --allow-unconfigured/);
      assert.match(r.stderr, /node dist\/index\.js gateway --allow-unconfigured/);
      assert.match(r.stderr, /--url/);
      assert.match(r.stderr, /OPENCLAW_GATEWAY_PORT/);
      assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace");
    });
  }

  it("names --url as the source when it was given", TIMEOUT, async () => {
    const r = await cli(["health", "--url", `ws://127.0.0.1:${port}`], { OPENCLAW_STATE_DIR: dir, HOME: dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`cannot reach gateway at ws://127\\.0\\.0\\.1:${port} \\(from --url\\): nothing is listening there`));
  });

  it("says when something other than a gateway answers, or nothing answers in time", TIMEOUT, async () => {
    const web = http.createServer((_req, res) => res.end("a web page"));
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => void sockets.add(s)); // accepts and never says a word
    await Promise.all([web, silent].map((s) => new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve))));
    const portOf = (s: net.Server) => (s.address() as net.AddressInfo).port;
    try {
      const e = { OPENCLAW_STATE_DIR: dir, HOME: dir };
      const other = await cli(["health", "--url", `ws://127.0.0.1:${portOf(web)}`], e);
      assert.equal(other.code, 1);
      assert.match(
        other.stderr,
        /^error: cannot reach gateway at \S+ \(from --url\): something other than a gateway answers there \(HTTP 200\)$/m,
      );
      const mute = await cli(["health", "--url", `ws://127.0.0.1:${portOf(silent)}`, "--timeout", "1000"], e);
      assert.equal(mute.code, 1);
      assert.match(mute.stderr, /^error: cannot reach gateway at \S+ \(from --url\): no answer within 1000 ms$/m);
    } finally {
      for (const s of sockets) s.destroy();
      web.closeAllConnections();
      await Promise.all([web, silent].map((s) => new Promise((resolve) => s.close(resolve))));
    }
  });

  it("status still shows the local state, with the same advice", TIMEOUT, async () => {
    const r = await cli(["status"], { OPENCLAW_STATE_DIR: dir, HOME: dir, OPENCLAW_GATEWAY_PORT: String(port) });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^gateway: +not reachable at ws://127\\.0\\.0\\.1:${port}`, "m"));
    assert.match(r.stdout, /openclaw gateway --allow-unconfigured/);
  });
});

describe("channels status --probe", () => {
  let tg: FakeTelegram;
  before(async () => {
    tg = await FakeTelegram.start();
  });
  after(() => tg.close());

  it("exits non-zero and names each account whose probe failed", TIMEOUT, async () => {
    const gw = await startTestGateway({
      config: {
        gateway: { mode: "local" },
        channels: {
          telegram: {
            apiRoot: tg.apiRoot,
            accounts: { good: { botToken: tg.token }, bad: { botToken: "4242:not-the-token" } },
          },
        },
      },
      env: { OPENCLAW_TELEGRAM_POLL_TIMEOUT: "1" },
    });
    try {
      await waitFor(() => gw.output.some((l) => /logged in to telegram as @/.test(l)), 10_000, "telegram login");
      const env = { OPENCLAW_STATE_DIR: gw.stateDir, HOME: gw.stateDir, OPENCLAW_GATEWAY_PORT: String(gw.port) };
      const plain = await cli(["channels", "status"], env);
      assert.equal(plain.code, 0, plain.stderr);

      const probed = await cli(["channels", "status", "--probe"], env);
      assert.equal(probed.code, 1);
      assert.match(probed.stdout, /Telegram good: .*probe ok/);
      assert.match(probed.stdout, /Telegram bad: .*probe failed: .*401/);
      assert.match(probed.stderr, /^error: probe failed for 1 of 2 accounts: Telegram bad$/m);

      const json = await cli(["channels", "status", "--probe", "--json"], env);
      assert.equal(json.code, 1);
      assert.equal(JSON.parse(json.stdout).channelAccounts.telegram.length, 2);
    } finally {
      await gw.close();
      removeDir(gw.stateDir);
    }
  });
});

describe("output closed early", () => {
  for (const args of [
    ["config", "schema"],
    ["config", "get", "--json"],
  ]) {
    it(`openclaw ${args.join(" ")} exits quietly when its reader goes away`, TIMEOUT, async () => {
      const dir = tmpDir();
      try {
        const r = runCli(args, { HOME: dir, OPENCLAW_STATE_DIR: dir });
        r.proc.stdout!.destroy(); // like `| head` exiting before the command writes
        const { code, signal } = await r.exit;
        assert.equal(r.out.stderr, "", "no stack trace");
        assert.equal(signal, null);
        assert.equal(code, 0);
      } finally {
        removeDir(dir);
      }
    });
  }

  it("a running gateway keeps serving when its console goes away", TIMEOUT, async () => {
    const dir = tmpDir();
    const gw = await spawnGateway(["--allow-unconfigured", "--port", "0"], { HOME: dir, OPENCLAW_STATE_DIR: dir });
    try {
      gw.proc.stdout!.destroy();
      // Each client that connects is announced on the console, now a closed pipe.
      for (let i = 0; i < 2; i++) {
        const client = await connect(`ws://127.0.0.1:${gw.port}`);
        assert.equal((await client.request<{ ok: boolean }>("health")).ok, true);
        client.close();
      }
      const logs = path.join(dir, "logs");
      const announced = () =>
        fs.readdirSync(logs).flatMap((f) => fs.readFileSync(path.join(logs, f), "utf8").match(/client connected/g) ?? []).length;
      await waitFor(() => announced() === 2, 5000, "both connections in the log file");
      assert.equal((await fetch(`http://127.0.0.1:${gw.port}/healthz`)).status, 200);
      assert.equal(gw.proc.exitCode, null, "still running");
      assert.doesNotMatch(gw.stderr, /EPIPE/);
    } finally {
      gw.proc.kill("SIGTERM");
      await gw.exit;
      removeDir(dir);
    }
  });
});
