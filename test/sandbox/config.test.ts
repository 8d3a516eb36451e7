/** Effective sandbox settings, which sessions are sandboxed, and the sandbox tool policy. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { OpenClawConfig } from "../../src/config/schema.js";
import { configSchema } from "../../src/config/schema.js";
import {
  DEFAULT_SANDBOX_TOOL_ALLOW,
  DEFAULT_SANDBOX_TOOL_DENY,
  isSandboxed,
  resolveSandboxConfig,
  sandboxToolPolicy,
} from "../../src/sandbox/config.js";

const cfgOf = (raw: unknown): OpenClawConfig => configSchema().parse(raw);
const opts = { stateDir: "/data", env: { HOME: "/home/u" } };

describe("resolveSandboxConfig", { timeout: 10_000 }, () => {
  it("has OpenClaw's defaults, with the workspace root under the state dir", () => {
    const s = resolveSandboxConfig(cfgOf({}), "main", opts);
    assert.deepEqual(s, {
      mode: "off",
      modeKey: "agents.defaults.sandbox.mode",
      scope: "agent",
      workspaceAccess: "none",
      workspaceRoot: path.join("/data", "sandboxes"),
      sessionToolsVisibility: "spawned",
      docker: {
        image: "openclaw-sandbox:bookworm-slim",
        containerPrefix: "openclaw-sbx-",
        workdir: "/workspace",
        readOnlyRoot: true,
        tmpfs: ["/tmp", "/var/tmp", "/run"],
        network: "none",
        user: undefined,
        capDrop: ["ALL"],
        env: { LANG: "C.UTF-8" },
        setupCommand: undefined,
        pidsLimit: undefined,
        memory: undefined,
        memorySwap: undefined,
        cpus: undefined,
        ulimits: undefined,
        seccompProfile: undefined,
        apparmorProfile: undefined,
        dns: undefined,
        extraHosts: undefined,
        binds: undefined,
      },
      prune: { idleHours: 24, maxAgeDays: 7 },
    });
  });

  it("merges per-agent overrides over the defaults: env and ulimits key by key, binds appended", () => {
    const cfg = cfgOf({
      agents: {
        defaults: {
          sandbox: {
            mode: "non-main",
            workspaceRoot: "~/sbx",
            docker: { network: "bridge", env: { A: "1" }, binds: ["/g:/g:ro"], ulimits: { nofile: 1024 } },
            prune: { idleHours: 2 },
          },
        },
        list: [
          { id: "main" },
          {
            id: "work",
            sandbox: {
              mode: "all",
              workspaceAccess: "ro",
              docker: { image: "custom:1", env: { B: "2" }, binds: ["/a:/a"], ulimits: { nproc: { soft: 1, hard: 2 } } },
              prune: { maxAgeDays: 1 },
            },
          },
        ],
      },
    });
    const main = resolveSandboxConfig(cfg, "main", opts);
    assert.equal(main.mode, "non-main");
    assert.equal(main.workspaceRoot, "/home/u/sbx");
    assert.equal(main.docker.image, "openclaw-sandbox:bookworm-slim");
    const work = resolveSandboxConfig(cfg, "work", opts);
    assert.equal(work.mode, "all");
    assert.equal(work.modeKey, "agents.list.1.sandbox.mode");
    assert.equal(work.workspaceAccess, "ro");
    assert.equal(work.docker.image, "custom:1");
    assert.equal(work.docker.network, "bridge");
    assert.deepEqual(work.docker.env, { A: "1", B: "2" });
    assert.deepEqual(work.docker.binds, ["/g:/g:ro", "/a:/a"]);
    assert.deepEqual(work.docker.ulimits, { nofile: 1024, nproc: { soft: 1, hard: 2 } });
    assert.deepEqual(work.prune, { idleHours: 2, maxAgeDays: 1 });
  });

  it("scope shared ignores the agent's docker and prune overrides; legacy perSession picks the scope", () => {
    const cfg = cfgOf({
      agents: {
        defaults: { sandbox: { scope: "shared" } },
        list: [{ id: "main", sandbox: { docker: { image: "mine:1" }, prune: { idleHours: 1 } } }],
      },
    });
    const s = resolveSandboxConfig(cfg, "main", opts);
    assert.equal(s.scope, "shared");
    assert.equal(s.docker.image, "openclaw-sandbox:bookworm-slim");
    assert.equal(s.prune.idleHours, 24);
    assert.equal(resolveSandboxConfig(cfgOf({ agents: { defaults: { sandbox: { perSession: true } } } }), "main", opts).scope, "session");
    assert.equal(resolveSandboxConfig(cfgOf({ agents: { defaults: { sandbox: { perSession: false } } } }), "main", opts).scope, "shared");
  });
});

describe("isSandboxed", { timeout: 10_000 }, () => {
  const keys = {
    main: "agent:main:main",
    bare: "main",
    dm: "agent:main:telegram:dm:42",
    group: "agent:main:telegram:group:-100",
    channel: "agent:main:discord:channel:123",
    cron: "agent:main:cron:daily",
  };
  const withMode = (mode: string, session: Record<string, unknown> = {}) => cfgOf({ agents: { defaults: { sandbox: { mode } } }, session });

  it("off: nothing is sandboxed", () => {
    for (const k of Object.values(keys)) assert.equal(isSandboxed(withMode("off"), "main", k, opts), false, k);
  });

  it("all: everything is sandboxed, the main session too", () => {
    for (const k of Object.values(keys)) assert.equal(isSandboxed(withMode("all"), "main", k, opts), true, k);
  });

  it("non-main: only the main session runs direct; every DM, group and channel session is sandboxed", () => {
    const cfg = withMode("non-main");
    assert.equal(isSandboxed(cfg, "main", keys.main, opts), false);
    assert.equal(isSandboxed(cfg, "main", keys.bare, opts), false);
    for (const k of [keys.dm, keys.group, keys.channel, keys.cron]) assert.equal(isSandboxed(cfg, "main", k, opts), true, k);
  });

  it("non-main follows session.mainKey", () => {
    const cfg = withMode("non-main", { mainKey: "home" });
    assert.equal(isSandboxed(cfg, "main", "agent:main:home", opts), false);
    assert.equal(isSandboxed(cfg, "main", "home", opts), false);
    assert.equal(isSandboxed(cfg, "main", "agent:main:main", opts), false, "`main` stays an alias of the main session");
    assert.equal(isSandboxed(cfg, "main", keys.group, opts), true);
  });

  it("a per-agent mode applies to that agent only", () => {
    const cfg = cfgOf({ agents: { list: [{ id: "main" }, { id: "family", sandbox: { mode: "all" } }] } });
    assert.equal(isSandboxed(cfg, "main", "agent:main:telegram:group:1", opts), false);
    assert.equal(isSandboxed(cfg, "family", "agent:family:main", opts), true);
  });
});

describe("sandboxToolPolicy", { timeout: 10_000 }, () => {
  it("defaults: the coding tools and sessions allowed; browser, canvas, nodes, cron, gateway and channels denied", () => {
    const p = sandboxToolPolicy(cfgOf({}), "main");
    assert.deepEqual(p.allow, DEFAULT_SANDBOX_TOOL_ALLOW);
    assert.deepEqual(p.deny, DEFAULT_SANDBOX_TOOL_DENY);
    for (const t of ["browser", "canvas", "nodes", "cron", "gateway", "telegram", "discord", "whatsapp", "slack", "signal"]) {
      assert.ok(p.deny!.includes(t), t);
    }
  });

  it("tools.sandbox.tools replaces the defaults; the agent's list replaces the global one", () => {
    const cfg = cfgOf({
      tools: { sandbox: { tools: { allow: ["read", "exec"], deny: ["write"] } } },
      agents: { list: [{ id: "main" }, { id: "ops", tools: { sandbox: { tools: { allow: ["exec"] } } } }] },
    });
    assert.deepEqual(sandboxToolPolicy(cfg, "main"), { allow: ["read", "exec", "image"], deny: ["write"] });
    // The agent's allow replaces the global allow (not merged); its unset deny still comes from tools.sandbox.
    assert.deepEqual(sandboxToolPolicy(cfg, "ops"), { allow: ["exec", "image"], deny: ["write"] });
  });

  it("image is not added to an allowlist that denies it; alsoAllow is passed through", () => {
    const denied = sandboxToolPolicy(cfgOf({ tools: { sandbox: { tools: { allow: ["exec"], deny: ["image"] } } } }), "main");
    assert.deepEqual(denied, { allow: ["exec"], deny: ["image"] });
    const extra = sandboxToolPolicy(cfgOf({ tools: { sandbox: { tools: { alsoAllow: ["web_fetch"] } } } }), "main");
    assert.deepEqual(extra.alsoAllow, ["web_fetch"]);
    assert.deepEqual(extra.allow, DEFAULT_SANDBOX_TOOL_ALLOW);
  });
});
