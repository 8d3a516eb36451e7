/**
 * `doctor` findings, one scenario each: a temp state dir and config per case, the machine described
 * by a probe (container or not, mounts, memory, processes), fly.toml written where the check reads it.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fixture, killOnExit, tmpDir, writeConfig } from "../helpers/gateway.js";
import { runDoctor, formatDoctor, type DoctorOptions, type DoctorReport } from "../../src/ops/doctor.js";
import { hostProbe, type ProcessInfo, type SystemProbe } from "../../src/ops/system.js";
import { processStartTime } from "../../src/gateway/lock.js";

const MB = 1024 * 1024;
const seedConfig = () => JSON.parse(fixture("reference/seed-openclaw.json"));
const seedFly = () => fixture("reference/seed-fly.toml");

function probe(over: Partial<SystemProbe> = {}): SystemProbe {
  return {
    nodeVersion: "22.12.0",
    container: () => null,
    mountPointOf: () => "/",
    memoryLimit: () => ({ bytes: 2048 * MB, source: "test machine" }),
    processInfo: () => null,
    ...over,
  };
}

interface Case {
  config?: unknown;
  env?: Record<string, string>;
  system?: Partial<SystemProbe>;
  fly?: string;
  fix?: boolean;
  stateDir?: string;
  setup?: (stateDir: string) => void;
  probeHealth?: DoctorOptions["probeHealth"];
}

async function doctor(c: Case = {}): Promise<DoctorReport & { stateDir: string }> {
  const stateDir = c.stateDir ?? tmpDir("oc-doctor-");
  const cwd = tmpDir("oc-doctor-cwd-");
  if (c.config !== undefined) writeConfig(stateDir, c.config);
  if (c.fly !== undefined) fs.writeFileSync(path.join(cwd, "fly.toml"), c.fly);
  c.setup?.(stateDir);
  const report = await runDoctor({
    env: { HOME: stateDir, OPENCLAW_STATE_DIR: stateDir, ANTHROPIC_API_KEY: "sk-ant-test", ...c.env },
    cwd,
    stateDir,
    configPath: path.join(stateDir, "openclaw.json"),
    system: probe(c.system),
    fix: c.fix,
    probeHealth: c.probeHealth ?? (async () => false),
  });
  return { ...report, stateDir };
}

const one = (r: DoctorReport, id: string) => {
  const f = r.findings.filter((x) => x.id === id);
  assert.equal(f.length, 1, `expected one ${id} finding, got ${JSON.stringify(r.findings, null, 1)}`);
  return f[0]!;
};
const none = (r: DoctorReport, id: string) =>
  assert.deepEqual(
    r.findings.filter((x) => x.id === id),
    [],
  );

describe("doctor: node and config", () => {
  it("node.version: errors below 20.19, ok from there", async () => {
    const old = await doctor({ system: { nodeVersion: "18.20.4" } });
    assert.equal(one(old, "node.version").level, "error");
    assert.match(one(old, "node.version").message, /18\.20\.4 is too old; the gateway needs 20\.19/);
    assert.equal(old.ok, false);
    assert.equal(one(await doctor({ system: { nodeVersion: "20.19.0" } }), "node.version").level, "ok");
  });

  it("config.file: a missing config is a warning that says how to create one", async () => {
    const r = await doctor();
    const f = one(r, "config.file");
    assert.equal(f.level, "warn");
    assert.match(f.fix!, /openclaw config set gateway\.mode local/);
    assert.equal(r.ok, true);
  });

  it("config.valid: the guide's openclaw.json is valid", async () => {
    const r = await doctor({ config: seedConfig(), env: { DISCORD_BOT_TOKEN: "d", OPENAI_API_KEY: "o" } });
    assert.equal(one(r, "config.valid").level, "ok");
    assert.equal(r.ok, true, formatDoctor(r));
  });

  it("config.valid: wrong types are errors naming the key", async () => {
    const f = one(await doctor({ config: { gateway: { mode: "local", port: "3000x" } } }), "config.valid");
    assert.equal(f.level, "error");
    assert.match(f.message, /gateway\.port: expected number, got string/);
  });

  it("config.unknown_keys: reported; --fix removes them, keeps a backup and ${VAR} references", async () => {
    const config = `{ gateway: { mode: "local", auth: { token: "\${GW_TOKEN}" }, bogus: 1 }, agents: { defaults: { typoKey: true } } }`;
    const r = await doctor({ config, env: { GW_TOKEN: "x".repeat(32) } });
    const f = one(r, "config.unknown_keys");
    assert.equal(f.level, "error");
    assert.match(f.message, /agents\.defaults\.typoKey, gateway\.bogus/);
    assert.match(f.fix!, /doctor --fix/);

    const fixed = await doctor({ config, env: { GW_TOKEN: "x".repeat(32) }, fix: true });
    none(fixed, "config.unknown_keys");
    assert.equal(one(fixed, "config.valid").level, "ok");
    const file = path.join(fixed.stateDir, "openclaw.json");
    assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), {
      gateway: { mode: "local", auth: { token: "${GW_TOKEN}" } },
      agents: { defaults: {} },
    });
    assert.equal(fs.readFileSync(file + ".bak", "utf8"), config, "the original file is kept as .bak");
    assert.match(fixed.fixed.join("\n"), /removed unknown config keys .*: agents\.defaults\.typoKey, gateway\.bogus/);
  });

  it("config.unknown_keys: --fix leaves the file alone while other errors remain", async () => {
    const config = { gateway: { mode: "local", port: "nope", bogus: 1 } };
    const r = await doctor({ config, fix: true });
    assert.equal(one(r, "config.unknown_keys").level, "error");
    assert.match(one(r, "config.unknown_keys").fix!, /fix the other problems/);
    assert.match(one(r, "config.valid").message, /gateway\.port/);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(r.stateDir, "openclaw.json"), "utf8")), config);
    assert.deepEqual(r.fixed, []);
  });

  it("config.unimplemented: keys accepted but not acted on are a warning", async () => {
    const f = one(await doctor({ config: { gateway: { mode: "local", tls: { enabled: true } } } }), "config.unimplemented");
    assert.equal(f.level, "warn");
    assert.match(f.message, /gateway\.tls/);
  });

  it("gateway.mode: warns unless the gateway runs with --allow-unconfigured", async () => {
    const f = one(await doctor({ config: { gateway: { port: 3000 } } }), "gateway.mode");
    assert.equal(f.level, "warn");
    assert.match(f.fix!, /gateway\.mode local/);
    none(await doctor({ config: { gateway: { port: 3000 } }, fly: seedFly() }), "gateway.mode");
  });
});

describe("doctor: state directory and lock", () => {
  it("state.dir: a directory that cannot be written is an error", async () => {
    const file = path.join(tmpDir(), "not-a-dir");
    fs.writeFileSync(file, "");
    const f = one(await doctor({ stateDir: file }), "state.dir");
    assert.equal(f.level, "error");
    assert.match(f.message, /cannot write to the state directory .*not-a-dir \(ENOTDIR\)/);
    assert.match(f.fix!, /chown|OPENCLAW_STATE_DIR/);
  });

  it("state.dir: a missing directory is a warning; --fix creates it", async () => {
    const dir = path.join(tmpDir(), "later");
    assert.equal(one(await doctor({ stateDir: dir }), "state.dir").level, "warn");
    const r = await doctor({ stateDir: dir, fix: true });
    assert.equal(one(r, "state.dir").level, "ok");
    assert.ok(fs.statSync(dir).isDirectory());
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
  });

  it("state.persistent: in a container without OPENCLAW_STATE_DIR (the guide's 'state not persisting')", async () => {
    const stateDir = tmpDir();
    const r = await runDoctor({
      env: { HOME: stateDir, ANTHROPIC_API_KEY: "k" },
      cwd: stateDir,
      stateDir,
      configPath: path.join(stateDir, "openclaw.json"),
      system: probe({ container: () => "running on Fly.io (FLY_APP_NAME=my-openclaw)" }),
    });
    const f = one(r, "state.persistent");
    assert.equal(f.level, "warn");
    assert.match(f.message, /OPENCLAW_STATE_DIR is not set/);
    assert.match(f.fix!, /OPENCLAW_STATE_DIR=\/data/);
  });

  it("state.persistent: in a container with the state dir on the root filesystem", async () => {
    const f = one(await doctor({ system: { container: () => "/.dockerenv exists", mountPointOf: () => "/" } }), "state.persistent");
    assert.equal(f.level, "warn");
    assert.match(f.message, /not on a mounted volume/);
  });

  it("state.persistent: ok on a volume; not checked outside containers", async () => {
    const f = one(await doctor({ system: { container: () => "/.dockerenv exists", mountPointOf: () => "/data" } }), "state.persistent");
    assert.equal(f.level, "ok");
    assert.match(f.message, /mounted at \/data/);
    none(await doctor(), "state.persistent");
  });

  it("state.persistent: the real mount table decides (the state dir under /proc is on another mount)", async () => {
    const host = hostProbe({});
    assert.equal(host.mountPointOf("/proc/self"), "/proc");
    assert.equal(host.mountPointOf("/no/such/dir/anywhere"), "/");
  });

  it(
    "state.ownership: files owned by another user than the state directory (a volume copied as root)",
    { skip: process.getuid?.() !== 0 && "needs root to chown" },
    async () => {
      const r = await doctor({
        config: { gateway: { mode: "local" } },
        setup: (dir) => {
          fs.mkdirSync(path.join(dir, "agents/main/sessions"), { recursive: true });
          fs.writeFileSync(path.join(dir, "agents/main/sessions/sessions.json"), "{}");
          fs.chownSync(path.join(dir, "agents"), 4242, 4242);
          fs.chownSync(path.join(dir, "agents/main/sessions/sessions.json"), 4242, 4242);
        },
      });
      const f = one(r, "state.ownership");
      assert.equal(f.level, "warn");
      assert.match(
        f.message,
        /^2 file\(s\) in the state directory belong to uid 4242 while the directory belongs to uid 0 \(for example agents, agents\/main\/sessions\/sessions\.json\)/,
      );
      assert.match(f.fix!, /chown -R 0:0 /);
      none(await doctor({ config: { gateway: { mode: "local" } } }), "state.ownership");
    },
  );

  it("gateway.lock: nothing running is ok", async () => {
    const f = one(await doctor(), "gateway.lock");
    assert.equal(f.level, "ok");
    assert.match(f.message, /no gateway is running/);
  });

  it("gateway.lock: a lock whose owner is gone is reported, and --fix removes it", async () => {
    const setup = (dir: string) =>
      fs.writeFileSync(
        path.join(dir, "gateway.0badf00d.lock"),
        JSON.stringify({ pid: 2 ** 22 + 11, createdAt: "2026-01-01T00:00:00Z", configPath: "x" }),
      );
    const r = await doctor({ setup });
    const f = one(r, "gateway.lock");
    assert.equal(f.level, "warn");
    assert.match(f.message, /stale lock .*gateway\.0badf00d\.lock \(left by pid 4194315, which is no longer running\)/);
    assert.match(f.fix!, /reclaims it at start/);

    const fixed = await doctor({ setup, fix: true });
    assert.equal(one(fixed, "gateway.lock").level, "ok");
    assert.ok(!fs.existsSync(path.join(fixed.stateDir, "gateway.0badf00d.lock")));
  });

  it("gateway.lock: --fix keeps a lock when something still answers /healthz on the gateway port", async () => {
    const setup = (dir: string) =>
      fs.writeFileSync(path.join(dir, "gateway.0badf00d.lock"), JSON.stringify({ pid: 2 ** 22 + 11, createdAt: "x", configPath: "x" }));
    const r = await doctor({ setup, fix: true, probeHealth: async () => true });
    assert.equal(one(r, "gateway.lock").level, "warn");
    assert.ok(fs.existsSync(path.join(r.stateDir, "gateway.0badf00d.lock")));
  });

  describe("with a live lock owner", () => {
    const child = killOnExit(
      spawn(
        process.execPath,
        ["-e", "setTimeout(() => {}, 60000)", "gateway", "--port", "4321", "--bind", "lan", "--token", "secret-token-value-123456"],
        { stdio: "ignore" },
      ),
    );
    after(() => child.kill());
    const setup = (dir: string) =>
      fs.writeFileSync(
        path.join(dir, "gateway.12345678.lock"),
        JSON.stringify({
          pid: child.pid,
          createdAt: "2026-01-29T10:00:00Z",
          configPath: "x",
          startTime: processStartTime(child.pid!) ?? undefined,
        }),
      );

    it("gateway.lock: names the owner's pid and command line, with secrets masked", async () => {
      const host = hostProbe({});
      const r = await doctor({ setup, system: { processInfo: (pid) => host.processInfo(pid) } });
      const f = one(r, "gateway.lock");
      assert.equal(f.level, "ok");
      assert.match(f.message, new RegExp(`gateway running as pid ${child.pid} since 2026-01-29T10:00:00Z`));
      assert.match(f.message, /gateway --port 4321 --bind lan --token \*\*\*/);
      assert.doesNotMatch(JSON.stringify(r), /secret-token-value/);
      // The running process's flags are what the bind check reports.
      assert.match(
        one(r, "gateway.auth").message,
        /bind "lan" \(--bind\), port 4321 \(--port\); clients authenticate with token from --token/,
      );
    });

    it("fly.internal_port: compares fly.toml with the port the running gateway really listens on", async () => {
      const info = (pid: number): ProcessInfo => ({
        pid,
        argv: ["node", "dist/index.js", "gateway", "--port", "0", "--bind", "lan"],
        env: {},
        listeningPorts: [41999],
      });
      const r = await doctor({ setup, fly: seedFly(), system: { processInfo: info } });
      const f = one(r, "fly.internal_port");
      assert.equal(f.level, "error");
      assert.match(
        f.message,
        new RegExp(`internal_port = 3000 in fly\\.toml but the running gateway \\(pid ${child.pid}\\) listens on 41999`),
      );
    });

    it("memory.heap: reads NODE_OPTIONS from the running gateway's environment", async () => {
      const info = (pid: number): ProcessInfo => ({
        pid,
        argv: ["node", "dist/index.js", "gateway"],
        env: { NODE_OPTIONS: "--max-old-space-size=1536" },
        listeningPorts: [],
      });
      const f = one(
        await doctor({ setup, system: { processInfo: info, memoryLimit: () => ({ bytes: 256 * MB, source: "FLY_VM_MEMORY_MB" }) } }),
        "memory.heap",
      );
      assert.equal(f.level, "error");
      assert.match(f.message, new RegExp(`NODE_OPTIONS of pid ${child.pid} sets --max-old-space-size=1536 but this machine has 256 MB`));
    });
  });
});

describe("doctor: bind and auth", () => {
  it("gateway.auth: a lan bind without a token is an error (the gateway would refuse to start)", async () => {
    const f = one(await doctor({ config: { gateway: { mode: "local", bind: "lan" } } }), "gateway.auth");
    assert.equal(f.level, "error");
    assert.match(f.message, /bind "lan" \(gateway\.bind\).*no gateway token or password/);
    assert.match(f.fix!, /fly secrets set OPENCLAW_GATEWAY_TOKEN/);
  });

  it("gateway.auth: ok with a token from the environment, or on loopback", async () => {
    const lan = one(
      await doctor({ config: { gateway: { mode: "local", bind: "lan" } }, env: { OPENCLAW_GATEWAY_TOKEN: "t".repeat(40) } }),
      "gateway.auth",
    );
    assert.equal(lan.level, "ok");
    assert.match(lan.message, /token from OPENCLAW_GATEWAY_TOKEN/);
    const local = one(
      await doctor({ config: { gateway: { mode: "local", port: 4000 } }, env: { OPENCLAW_GATEWAY_PORT: "5000" } }),
      "gateway.auth",
    );
    assert.match(local.message, /bind "loopback" \(default\), port 5000 \(OPENCLAW_GATEWAY_PORT\); only this machine can connect/);
  });
});

describe("doctor: fly.toml", () => {
  it("the guide's fly.toml passes every fly check", async () => {
    const r = await doctor({ fly: seedFly() });
    for (const id of ["fly.internal_port", "fly.bind", "fly.mount", "fly.memory"]) assert.equal(one(r, id).level, "ok", id);
  });

  it("fly.internal_port: a process port that differs from internal_port ('connection refused')", async () => {
    const f = one(await doctor({ fly: seedFly().replace("--port 3000", "--port 8080") }), "fly.internal_port");
    assert.equal(f.level, "error");
    assert.match(f.message, /internal_port = 3000 in fly\.toml but the gateway listens on 8080 \(--port in \[processes\]\.app\)/);
  });

  it("fly.internal_port: without --port the gateway's default port is what Fly would have to reach", async () => {
    const f = one(await doctor({ fly: seedFly().replace(" --port 3000", "") }), "fly.internal_port");
    assert.match(f.message, /listens on 18789 \(default; no --port in the process command\)/);
  });

  it("fly.bind: a process without --bind lan ('App is not listening on expected address')", async () => {
    const f = one(await doctor({ fly: seedFly().replace(" --bind lan", "") }), "fly.bind");
    assert.equal(f.level, "error");
    assert.match(f.message, /App is not listening on expected address/);
    assert.match(f.fix!, /--bind lan/);
  });

  it("fly.mount: no volume, or a state dir outside it", async () => {
    const noMount = one(await doctor({ fly: seedFly().replace(/\[mounts\][\s\S]*$/, "") }), "fly.mount");
    assert.equal(noMount.level, "error");
    assert.match(noMount.message, /mounts no volume/);
    const outside = one(
      await doctor({ fly: seedFly().replace('OPENCLAW_STATE_DIR = "/data"', 'OPENCLAW_STATE_DIR = "/root/.openclaw"') }),
      "fly.mount",
    );
    assert.match(outside.message, /OPENCLAW_STATE_DIR = "\/root\/\.openclaw" is outside the volume mounted at \/data/);
    const unset = one(await doctor({ fly: seedFly().replace(/\s+OPENCLAW_STATE_DIR = "\/data"/, "") }), "fly.mount");
    assert.match(unset.message, /does not set OPENCLAW_STATE_DIR/);
  });

  it("fly.memory: the guide's 1536 MB heap cap on a 256 MB machine", async () => {
    const f = one(await doctor({ fly: seedFly().replace('memory = "2048mb"', 'memory = "256mb"') }), "fly.memory");
    assert.equal(f.level, "error");
    assert.match(f.message, /1536 MB heap on a 256 MB machine/);
    assert.match(f.fix!, /--max-old-space-size=128/);
    const tight = one(await doctor({ fly: seedFly().replace('memory = "2048mb"', 'memory = "1gb"').replace("1536", "900") }), "fly.memory");
    assert.equal(tight.level, "warn");
  });

  it("fly.process and fly.config: no gateway command, or a file that is not TOML", async () => {
    const f = one(await doctor({ fly: seedFly().replace(/app = "node[^"]*"/, 'app = "npm start"') }), "fly.process");
    assert.equal(f.level, "error");
    const bad = one(await doctor({ fly: "[env\nNODE_ENV = 1" }), "fly.config");
    assert.equal(bad.level, "error");
    assert.match(bad.message, /fly\.toml/);
  });

  it("no fly.toml, no fly findings", async () => {
    const r = await doctor();
    assert.deepEqual(
      r.findings.filter((f) => f.id.startsWith("fly.")),
      [],
    );
  });
});

describe("doctor: providers and channels", () => {
  it("providers: the primary model's provider without a key is an error; a fallback's is a warning", async () => {
    const r = await doctor({ config: seedConfig(), env: { ANTHROPIC_API_KEY: "", DISCORD_BOT_TOKEN: "d" } });
    const a = one(r, "providers.anthropic");
    assert.equal(a.level, "error");
    assert.match(
      a.message,
      /no API key for anthropic, which the primary model needs \(anthropic\/claude-opus-4-5, anthropic\/claude-sonnet-4-5\)/,
    );
    assert.match(a.fix!, /fly secrets set ANTHROPIC_API_KEY/);
    const o = one(r, "providers.openai");
    assert.equal(o.level, "warn");
    assert.match(o.message, /fallback openai\/gpt-4o/);
  });

  it("providers: keys from the environment, a stored auth profile, or none needed for a local server", async () => {
    const env = one(await doctor({ config: seedConfig(), env: { OPENAI_API_KEY: "o", DISCORD_BOT_TOKEN: "d" } }), "providers.anthropic");
    assert.match(env.message, /key from ANTHROPIC_API_KEY/);
    const stored = await doctor({
      config: seedConfig(),
      env: { ANTHROPIC_API_KEY: "", OPENAI_API_KEY: "o", DISCORD_BOT_TOKEN: "d" },
      setup: (dir) => {
        fs.mkdirSync(path.join(dir, "agents/main/agent"), { recursive: true });
        fs.writeFileSync(
          path.join(dir, "agents/main/agent/auth-profiles.json"),
          JSON.stringify({
            version: 1,
            profiles: { "anthropic:default": { type: "api_key", provider: "anthropic", key: "sk-ant-stored" } },
          }),
        );
      },
    });
    assert.match(one(stored, "providers.anthropic").message, /key from auth profile anthropic:default/);
    assert.doesNotMatch(JSON.stringify(stored), /sk-ant-stored/);
    const local = one(
      await doctor({ config: { agents: { defaults: { model: { primary: "ollama/llama3.2" } } } }, env: { ANTHROPIC_API_KEY: "" } }),
      "providers.ollama",
    );
    assert.equal(local.level, "ok");
  });

  it("models: a model ref that cannot resolve is an error naming the agent", async () => {
    const f = one(await doctor({ config: { agents: { defaults: { model: { primary: "nosuchprovider/x" } } } } }), "models.main");
    assert.equal(f.level, "error");
    assert.match(f.message, /unknown provider "nosuchprovider"/);
  });

  it("channels: an enabled channel without a token is an error; env tokens are found", async () => {
    const r = await doctor({ config: seedConfig(), env: { OPENAI_API_KEY: "o" } });
    const d = one(r, "channels.discord");
    assert.equal(d.level, "error");
    assert.match(d.message, /discord is enabled but has no bot token/);
    assert.match(d.fix!, /fly secrets set DISCORD_BOT_TOKEN/);
    const t = one(await doctor({ env: { TELEGRAM_BOT_TOKEN: "123:abc" } }), "channels.telegram");
    assert.equal(t.level, "ok");
    assert.match(t.message, /bot token from TELEGRAM_BOT_TOKEN/);
  });

  it("channels: a Telegram tokenFile that cannot be read says which file", async () => {
    const f = one(await doctor({ config: { channels: { telegram: { tokenFile: "/nonexistent/bot.token" } } } }), "channels.telegram");
    assert.equal(f.level, "error");
    assert.match(f.message, /cannot read tokenFile \/nonexistent\/bot\.token \(ENOENT\)/);
  });

  it("channels: disabled channels and no channels at all", async () => {
    none(await doctor({ config: { channels: { discord: { enabled: false } } } }), "channels.discord");
    assert.match(one(await doctor(), "channels").message, /no chat channels configured/);
  });
});

describe("doctor: memory", () => {
  const cap = (nodeOptions: string, limitMb: number) =>
    doctor({ env: { NODE_OPTIONS: nodeOptions }, system: { memoryLimit: () => ({ bytes: limitMb * MB, source: "cgroup memory limit" }) } });

  it("memory.heap: a heap cap at or above the memory limit is an error", async () => {
    const f = one(await cap("--max-old-space-size=1536", 256), "memory.heap");
    assert.equal(f.level, "error");
    assert.match(f.message, /NODE_OPTIONS sets --max-old-space-size=1536 but this machine has 256 MB \(cgroup memory limit\)/);
    assert.match(f.fix!, /--max-old-space-size=128 \(half of 256 MB\)/);
  });

  it("memory.heap: a cap that leaves Node too little room is a warning; one that fits is ok", async () => {
    assert.equal(one(await cap("--max-old-space-size=200", 256), "memory.heap").level, "warn");
    assert.equal(one(await cap("--max_old_space_size=128", 256), "memory.heap").level, "ok");
    assert.equal(one(await cap("--max-old-space-size=1536", 2048), "memory.heap").level, "ok", "the guide's pair");
    assert.match(one(await cap("", 256), "memory.heap").message, /no heap cap set/);
  });
});

describe("doctor: report", () => {
  it("is ok only without errors, and prints problems first with what to do", async () => {
    const r = await doctor({ config: { gateway: { mode: "local", bind: "lan" } } });
    assert.equal(r.ok, false);
    const text = formatDoctor(r);
    const lines = text.split("\n");
    assert.match(lines[2]!, /^error {2}gateway\.auth: /);
    assert.match(text, /→ set OPENCLAW_GATEWAY_TOKEN/);
    assert.match(text, /1 error\(s\), 0 warning\(s\), \d+ ok\n$/);
    for (const f of r.findings) {
      assert.match(f.id, /^[a-z]+(\.[a-z_0-9-]+)*$/);
      assert.ok(["ok", "warn", "error"].includes(f.level));
      if (f.level !== "ok") assert.ok(f.fix, `${f.id} says what to do`);
    }
  });
});
