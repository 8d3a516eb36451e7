/**
 * SandboxManager against a fake `docker` executable: the container it creates (labels, hardening,
 * workspace mounts), the exec argv handed to tools, reuse and recreation on a config change, the
 * registry file, prune/remove, and the clear refusal when no Docker engine is reachable.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { OpenClawConfig } from "../../src/config/schema.js";
import { configSchema } from "../../src/config/schema.js";
import { SandboxManager, SandboxUnavailableError } from "../../src/sandbox/manager.js";
import { tmpDir } from "../helpers/gateway.js";
import { fakeDocker, type FakeDocker } from "./fake-docker.js";

const cfgOf = (raw: unknown): OpenClawConfig => configSchema().parse(raw);

function setup(opts: { down?: boolean; images?: string[]; docker?: string } = {}) {
  const fake = fakeDocker(opts);
  const stateDir = tmpDir();
  const logs: string[] = [];
  let clock = 1_700_000_000_000;
  const manager = new SandboxManager({
    stateDir,
    env: { PATH: process.env.PATH ?? "", HOME: stateDir },
    log: { info: (m) => logs.push(m), warn: (m) => logs.push(m) },
    now: () => clock,
    docker: opts.docker ?? fake.bin,
  });
  return {
    fake,
    stateDir,
    logs,
    manager,
    advance: (ms: number) => (clock += ms),
    registry: () =>
      JSON.parse(fs.readFileSync(path.join(stateDir, "sandbox", "containers.json"), "utf8")) as {
        entries: Array<Record<string, unknown>>;
      },
  };
}

const creates = (fake: FakeDocker) => fake.calls().filter((c) => c[0] === "create");

/** The value after each occurrence of `flag`. */
function values(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []));
}

describe("SandboxManager.ensure", { timeout: 30_000 }, () => {
  it("creates a hardened container with OpenClaw's name, labels and flags, then starts it", async () => {
    const t = setup();
    const cfg = cfgOf({ agents: { defaults: { sandbox: { mode: "non-main" } } } });
    const key = "agent:main:telegram:group:-100";
    const exec = await t.manager.ensure(cfg, "main", key);

    const [create] = creates(t.fake);
    assert.ok(create, "docker create was called");
    const name = values(create, "--name")[0]!;
    assert.match(name, /^openclaw-sbx-agent-main-[0-9a-f]{8}$/);
    const labels = values(create, "--label");
    assert.ok(labels.includes("openclaw.sandbox=1"));
    assert.ok(labels.includes("openclaw.sessionKey=agent:main"), "scope agent: one container per agent");
    assert.ok(labels.includes("openclaw.createdAtMs=1700000000000"));
    assert.ok(labels.some((l) => /^openclaw\.configHash=[0-9a-f]{40}$/.test(l)));
    assert.ok(create.includes("--read-only"));
    assert.deepEqual(values(create, "--tmpfs"), ["/tmp", "/var/tmp", "/run"]);
    assert.deepEqual(values(create, "--network"), ["none"]);
    assert.deepEqual(values(create, "--cap-drop"), ["ALL"]);
    assert.deepEqual(values(create, "--security-opt"), ["no-new-privileges"]);
    assert.deepEqual(values(create, "--workdir"), ["/workspace"]);
    // workspaceAccess none: a sandbox-only workspace, the agent's own is not mounted.
    const mounts = values(create, "-v");
    assert.equal(mounts.length, 1);
    const sandboxWs = path.join(t.stateDir, "sandboxes", name.slice("openclaw-sbx-".length));
    assert.equal(mounts[0], `${sandboxWs}:/workspace`);
    assert.ok(fs.statSync(sandboxWs).isDirectory());
    assert.deepEqual(create.slice(-3), ["openclaw-sandbox:bookworm-slim", "sleep", "infinity"]);
    assert.ok(t.fake.calls().some((c) => c[0] === "start" && c[1] === name));
    assert.equal(t.fake.state().containers[name]?.running, true);

    assert.equal(exec.workdir, "/workspace");
    assert.deepEqual(exec.execArgv("ls -la", {}), [
      t.fake.bin,
      "exec",
      "-i",
      "-w",
      "/workspace",
      "-e",
      "LANG=C.UTF-8",
      name,
      "sh",
      "-lc",
      "ls -la",
    ]);
    assert.deepEqual(exec.execArgv("top", { cwd: "src", env: { FOO: "bar" }, tty: true }).slice(0, 10), [
      t.fake.bin,
      "exec",
      "-i",
      "-t",
      "-w",
      "/workspace/src",
      "-e",
      "LANG=C.UTF-8",
      "-e",
      "FOO=bar",
    ]);

    const reg = t.registry();
    assert.equal(reg.entries.length, 1);
    assert.deepEqual(reg.entries[0], {
      containerName: name,
      sessionKey: "agent:main",
      createdAtMs: 1_700_000_000_000,
      lastUsedAtMs: 1_700_000_000_000,
      image: "openclaw-sandbox:bookworm-slim",
      configHash: t.fake.state().containers[name]!.labels["openclaw.configHash"],
    });
  });

  it("workspaceAccess ro mounts the agent workspace read-only at /agent; rw mounts it as the workdir", async () => {
    const t = setup();
    const ro = cfgOf({ agents: { defaults: { sandbox: { mode: "all", workspaceAccess: "ro", scope: "session" } } } });
    await t.manager.ensure(ro, "main", "agent:main:main");
    const roMounts = values(creates(t.fake)[0]!, "-v");
    const agentWs = path.join(t.stateDir, "workspace");
    assert.equal(roMounts.length, 2);
    assert.match(roMounts[0]!, /sandboxes\/agent-main-main-[0-9a-f]{8}:\/workspace$/);
    assert.equal(roMounts[1], `${agentWs}:/agent:ro`);

    const t2 = setup();
    const rw = cfgOf({
      agents: { defaults: { sandbox: { mode: "all", workspaceAccess: "rw", docker: { binds: ["/srv/data:/data:ro"] } } } },
    });
    await t2.manager.ensure(rw, "main", "agent:main:main");
    const rwMounts = values(creates(t2.fake)[0]!, "-v");
    assert.deepEqual(rwMounts, ["/srv/data:/data:ro", `${path.join(t2.stateDir, "workspace")}:/workspace`]);
  });

  it("passes the optional docker settings through as create flags", async () => {
    const t = setup();
    const cfg = cfgOf({
      agents: {
        defaults: {
          sandbox: {
            mode: "all",
            docker: {
              network: "bridge",
              user: "1000:1000",
              readOnlyRoot: false,
              pidsLimit: 64,
              memory: "1g",
              cpus: 1.5,
              ulimits: { nofile: { soft: 1024, hard: 2048 } },
              seccompProfile: "/p.json",
              dns: ["1.1.1.1"],
              extraHosts: ["host.docker.internal:host-gateway"],
            },
          },
        },
      },
    });
    await t.manager.ensure(cfg, "main", "agent:main:main");
    const c = creates(t.fake)[0]!;
    assert.ok(!c.includes("--read-only"));
    assert.deepEqual(values(c, "--network"), ["bridge"]);
    assert.deepEqual(values(c, "--user"), ["1000:1000"]);
    assert.deepEqual(values(c, "--pids-limit"), ["64"]);
    assert.deepEqual(values(c, "--memory"), ["1g"]);
    assert.deepEqual(values(c, "--cpus"), ["1.5"]);
    assert.deepEqual(values(c, "--ulimit"), ["nofile=1024:2048"]);
    assert.deepEqual(values(c, "--security-opt"), ["no-new-privileges", "seccomp=/p.json"]);
    assert.deepEqual(values(c, "--dns"), ["1.1.1.1"]);
    assert.deepEqual(values(c, "--add-host"), ["host.docker.internal:host-gateway"]);
  });

  it("reuses the container, runs setupCommand once, and recreates it when the config changes while idle", async () => {
    const t = setup();
    const base = { mode: "all", scope: "session", docker: { setupCommand: "apt-get install -y git" } };
    const key = "agent:main:discord:channel:9";
    await t.manager.ensure(cfgOf({ agents: { defaults: { sandbox: base } } }), "main", key);
    await t.manager.ensure(cfgOf({ agents: { defaults: { sandbox: base } } }), "main", key);
    assert.equal(creates(t.fake).length, 1, "second ensure reuses the container");
    const setups = t.fake.calls().filter((c) => c[0] === "exec" && c.at(-1) === "apt-get install -y git");
    assert.equal(setups.length, 1);
    const name = values(creates(t.fake)[0]!, "--name")[0]!;
    const firstHash = t.fake.state().containers[name]!.labels["openclaw.configHash"];

    // Changed settings after more than 5 minutes idle: removed and recreated with the new hash.
    t.advance(6 * 60 * 1000);
    const changed = { ...base, docker: { ...base.docker, network: "bridge" } };
    await t.manager.ensure(cfgOf({ agents: { defaults: { sandbox: changed } } }), "main", key);
    assert.ok(t.fake.calls().some((c) => c[0] === "rm" && c.includes(name)));
    assert.equal(creates(t.fake).length, 2);
    const newHash = t.fake.state().containers[name]!.labels["openclaw.configHash"];
    assert.notEqual(newHash, firstHash);
    assert.equal(t.registry().entries[0]!.configHash, newHash);
  });

  it("keeps a recently used container on a config change and says how to recreate it", async () => {
    const t = setup();
    const key = "agent:main:telegram:group:5";
    await t.manager.ensure(cfgOf({ agents: { defaults: { sandbox: { mode: "all" } } } }), "main", key);
    t.advance(60_000);
    await t.manager.ensure(cfgOf({ agents: { defaults: { sandbox: { mode: "all", docker: { memory: "512m" } } } } }), "main", key);
    assert.equal(creates(t.fake).length, 1);
    assert.ok(!t.fake.calls().some((c) => c[0] === "rm"));
    assert.ok(
      t.logs.some((l) =>
        /^Sandbox config changed for openclaw-sbx-agent-main-[0-9a-f]{8} \(recently used\)\. Recreate to apply: openclaw sandbox recreate --agent main$/.test(
          l,
        ),
      ),
      t.logs.join("\n"),
    );
  });

  it("a failing setupCommand removes the half-made container and says what to fix", async () => {
    const t = setup();
    const s = t.fake.state();
    t.fake.setState({ ...s, ...({ failExec: true } as object) });
    const cfg = cfgOf({ agents: { defaults: { sandbox: { mode: "all", docker: { setupCommand: "false" } } } } });
    await assert.rejects(t.manager.ensure(cfg, "main", "main"), /setupCommand failed .*exit 2.*setup exploded/);
    assert.deepEqual(t.fake.state().containers, {});
  });

  it("pulls debian:bookworm-slim and tags it when the default image is missing; a missing custom image is an error", async () => {
    const t = setup({ images: [] });
    await t.manager.ensure(cfgOf({ agents: { defaults: { sandbox: { mode: "all" } } } }), "main", "main");
    const calls = t.fake.calls().map((c) => c.join(" "));
    assert.ok(calls.includes("pull debian:bookworm-slim"));
    assert.ok(calls.includes("tag debian:bookworm-slim openclaw-sandbox:bookworm-slim"));

    const t2 = setup({ images: [] });
    const custom = cfgOf({ agents: { defaults: { sandbox: { mode: "all", docker: { image: "mine:2" } } } } });
    await assert.rejects(t2.manager.ensure(custom, "main", "main"), /Sandbox image not found: mine:2\. Build or pull it first/);
  });
});

describe("SandboxManager without a Docker engine", { timeout: 30_000 }, () => {
  it("a daemon that does not answer: ensure refuses, naming agents.defaults.sandbox.mode", async () => {
    const t = setup({ down: true });
    const cfg = cfgOf({ agents: { defaults: { sandbox: { mode: "non-main" } } } });
    assert.deepEqual(await t.manager.probe(), {
      ok: false,
      reason: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
    });
    const err = await t.manager.ensure(cfg, "main", "agent:main:telegram:group:1").catch((e: unknown) => e);
    assert.ok(err instanceof SandboxUnavailableError);
    assert.equal(
      err.message,
      'agents.defaults.sandbox.mode is "non-main" but no Docker engine is reachable (docker: Cannot connect to the Docker daemon at ' +
        'unix:///var/run/docker.sock. Is the docker daemon running?). Install Docker, or set agents.defaults.sandbox.mode to "off" ' +
        "to run tools on the gateway host.",
    );
    assert.equal(creates(t.fake).length, 0);
  });

  it("no docker binary: the per-agent key is named when the mode comes from there", async () => {
    const t = setup({ docker: path.join(tmpDir(), "no-such-docker") });
    const cfg = cfgOf({ agents: { list: [{ id: "main" }, { id: "family", sandbox: { mode: "all" } }] } });
    await assert.rejects(
      t.manager.ensure(cfg, "family", "agent:family:main"),
      (e: Error) =>
        e instanceof SandboxUnavailableError &&
        /^agents\.list\.1\.sandbox\.mode is "all" but no Docker engine is reachable \(docker: .*no-such-docker not found \(is Docker installed and on PATH\?\)\)\. Install Docker, or set agents\.list\.1\.sandbox\.mode to "off" to run tools on the gateway host\.$/.test(
          e.message,
        ),
    );
  });

  it("the probe is cached briefly, then asked again", async () => {
    const t = setup();
    await t.manager.probe();
    await t.manager.probe();
    assert.equal(t.fake.calls().filter((c) => c[0] === "version").length, 1);
    t.advance(60_000);
    await t.manager.probe();
    assert.equal(t.fake.calls().filter((c) => c[0] === "version").length, 2);
  });
});

describe("SandboxManager.prune, list and remove", { timeout: 30_000 }, () => {
  it("prune removes containers idle past idleHours or older than maxAgeDays", async () => {
    const t = setup();
    const cfg = cfgOf({ agents: { defaults: { sandbox: { mode: "all", scope: "session", prune: { idleHours: 1 } } } } });
    await t.manager.ensure(cfg, "main", "agent:main:a");
    t.advance(30 * 60 * 1000);
    await t.manager.ensure(cfg, "main", "agent:main:b");
    t.advance(45 * 60 * 1000); // a: idle 75 min, b: idle 45 min
    const removed = await t.manager.prune(cfg);
    assert.equal(removed.length, 1);
    assert.match(removed[0]!, /^openclaw-sbx-agent-main-a-/);
    assert.deepEqual(
      t.registry().entries.map((e) => e.sessionKey),
      ["agent:main:b"],
    );
    assert.equal(Object.keys(t.fake.state().containers).length, 1);
  });

  it("list shows live state and image match; remove by agent, session or all", async () => {
    const t = setup();
    const cfg = cfgOf({
      agents: {
        defaults: { sandbox: { mode: "all", scope: "session" } },
        list: [{ id: "main" }, { id: "work" }],
      },
    });
    await t.manager.ensure(cfg, "main", "agent:main:x");
    await t.manager.ensure(cfg, "work", "agent:work:y");
    await t.manager.ensure(cfg, "work", "agent:work:z");
    const listed = await t.manager.list(cfg);
    assert.equal(listed.length, 3);
    assert.ok(listed.every((c) => c.running && c.imageMatch));

    const byAgent = await t.manager.remove({ agentId: "work" });
    assert.equal(byAgent.removed.length, 2);
    assert.deepEqual(byAgent.failed, []);
    assert.deepEqual(
      t.registry().entries.map((e) => e.sessionKey),
      ["agent:main:x"],
    );
    const bySession = await t.manager.remove({ session: "agent:main:x" });
    assert.equal(bySession.removed.length, 1);
    assert.deepEqual(t.registry().entries, []);
    assert.deepEqual(t.fake.state().containers, {});
  });
});

describe("SandboxManager concurrency and key spellings", { timeout: 30_000 }, () => {
  it("simultaneous runs of one scope share one container; `main` and `agent:main:main` are the same session", async () => {
    const t = setup();
    const cfg = cfgOf({ agents: { defaults: { sandbox: { mode: "all", scope: "session" } } } });
    const [a, b, c] = await Promise.all([
      t.manager.ensure(cfg, "main", "main"),
      t.manager.ensure(cfg, "main", "agent:main:main"),
      t.manager.ensure(cfg, "main", "agent:MAIN:main"),
    ]);
    assert.equal(creates(t.fake).length, 1);
    const container = (x: { execArgv: (c: string, o: object) => string[] }) => x.execArgv("true", {}).at(-4);
    assert.equal(container(a), container(b));
    assert.equal(container(b), container(c));
    assert.deepEqual(
      t.registry().entries.map((e) => e.sessionKey),
      ["agent:main:main"],
    );
  });
});
