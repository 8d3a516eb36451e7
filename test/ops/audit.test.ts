/** `security audit` findings, one scenario each (temp state dir and config per case). */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fixture, fixturePath, tmpDir, writeConfig } from "../helpers/gateway.js";
import { formatAudit, literalSecretPaths, runAudit, secretBits, type AuditReport } from "../../src/ops/audit.js";
import type { SystemProbe } from "../../src/ops/system.js";

const GOOD_TOKEN = "3f9c2a7b8e1d4f6a0b5c9e2d7a8f1b3c4e6d8a0f2b4c6e8a";
const seedConfig = () => JSON.parse(fixture("reference/seed-openclaw.json"));

const probe: SystemProbe = {
  nodeVersion: "22.12.0",
  container: () => null,
  mountPointOf: () => "/",
  memoryLimit: () => null,
  processInfo: () => null,
};

interface Case {
  config?: unknown;
  env?: Record<string, string>;
  fly?: string;
  setup?: (stateDir: string) => void;
  /** Config file mode (default 0600, so permission findings appear only where a case asks). */
  mode?: number;
}

async function audit(c: Case = {}): Promise<AuditReport & { stateDir: string }> {
  const stateDir = tmpDir("oc-audit-");
  const cwd = tmpDir("oc-audit-cwd-");
  fs.chmodSync(stateDir, 0o700);
  if (c.config !== undefined) fs.chmodSync(writeConfig(stateDir, c.config), c.mode ?? 0o600);
  if (c.fly) fs.writeFileSync(path.join(cwd, "fly.toml"), c.fly);
  c.setup?.(stateDir);
  const report = await runAudit({
    env: { HOME: stateDir, OPENCLAW_STATE_DIR: stateDir, ...c.env },
    cwd,
    stateDir,
    configPath: path.join(stateDir, "openclaw.json"),
    system: probe,
  });
  return { ...report, stateDir };
}

const one = (r: AuditReport, id: string) => {
  const f = r.findings.filter((x) => x.checkId === id);
  assert.equal(f.length, 1, `expected one ${id}, got ${JSON.stringify(r.findings, null, 1)}`);
  return f[0]!;
};
const none = (r: AuditReport, id: string) =>
  assert.deepEqual(
    r.findings.filter((x) => x.checkId === id).map((f) => f.checkId),
    [],
  );

describe("security audit: clean setups", () => {
  it("the guide's openclaw.json with secrets in the environment has no findings", async () => {
    const r = await audit({ config: seedConfig(), env: { OPENCLAW_GATEWAY_TOKEN: GOOD_TOKEN, DISCORD_BOT_TOKEN: "d" } });
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.summary, { high: 0, medium: 0, low: 0 });
    assert.match(formatAudit(r), /No findings\.\n\nSummary: 0 high, 0 medium, 0 low\n$/);
  });
});

describe("security audit: network exposure", () => {
  it("gateway.bind_no_auth: a lan bind without token or password is high", async () => {
    const f = one(await audit({ config: { gateway: { mode: "local", bind: "lan" } } }), "gateway.bind_no_auth");
    assert.equal(f.severity, "high");
    assert.match(f.detail, /bind "lan" \(gateway\.bind\)/);
    none(
      await audit({ config: { gateway: { mode: "local", bind: "lan" } }, env: { OPENCLAW_GATEWAY_TOKEN: GOOD_TOKEN, FLY_APP_NAME: "x" } }),
      "gateway.bind_no_auth",
    );
  });

  it("gateway.token_too_short: medium on a public bind, low on loopback", async () => {
    const lan = one(
      await audit({ config: { gateway: { bind: "lan" } }, env: { OPENCLAW_GATEWAY_TOKEN: "short-token-1", FLY_APP_NAME: "x" } }),
      "gateway.token_too_short",
    );
    assert.equal(lan.severity, "medium");
    assert.match(lan.detail, /gateway token \(OPENCLAW_GATEWAY_TOKEN\) is 13 characters/);
    const local = one(await audit({ env: { OPENCLAW_GATEWAY_TOKEN: "short-token-1" } }), "gateway.token_too_short");
    assert.equal(local.severity, "low");
  });

  it("gateway.token_weak: long but repetitive, or a placeholder", async () => {
    for (const token of ["a".repeat(40), "abcabcabcabcabcabcabcabcabc", "your-long-random-token-goes-here"]) {
      const r = await audit({
        config: { gateway: { bind: "lan", auth: { token: "${TOKEN}" } } },
        env: { TOKEN: token, FLY_APP_NAME: "x" },
      });
      assert.equal(one(r, "gateway.token_weak").severity, "medium", token);
      assert.doesNotMatch(JSON.stringify(r), new RegExp(token), "the token itself is never shown");
    }
    none(await audit({ env: { OPENCLAW_GATEWAY_TOKEN: GOOD_TOKEN } }), "gateway.token_weak");
    assert.ok(secretBits(GOOD_TOKEN) >= 96 && secretBits("a".repeat(40)) < 96);
  });

  it("gateway.control_ui.device_auth_disabled and insecure_auth are high", async () => {
    const r = await audit({ config: { gateway: { controlUi: { dangerouslyDisableDeviceAuth: true, allowInsecureAuth: true } } } });
    assert.equal(one(r, "gateway.control_ui.device_auth_disabled").severity, "high");
    assert.equal(one(r, "gateway.control_ui.insecure_auth").severity, "high");
  });

  it("gateway.control_ui.no_tls: a public bind with no TLS proxy in front", async () => {
    const f = one(
      await audit({ config: { gateway: { bind: "lan" } }, env: { OPENCLAW_GATEWAY_TOKEN: GOOD_TOKEN } }),
      "gateway.control_ui.no_tls",
    );
    assert.equal(f.severity, "medium");
    assert.match(f.remediation, /gateway\.trustedProxies/);
    // A declared proxy, Fly's TLS edge, or a disabled UI answer it.
    none(
      await audit({ config: { gateway: { bind: "lan", trustedProxies: ["10.0.0.2"] } }, env: { OPENCLAW_GATEWAY_TOKEN: GOOD_TOKEN } }),
      "gateway.control_ui.no_tls",
    );
    none(
      await audit({ config: { gateway: { bind: "lan" } }, env: { OPENCLAW_GATEWAY_TOKEN: GOOD_TOKEN, FLY_APP_NAME: "my-openclaw" } }),
      "gateway.control_ui.no_tls",
    );
    none(
      await audit({ config: { gateway: { bind: "lan", controlUi: { enabled: false } } }, env: { OPENCLAW_GATEWAY_TOKEN: GOOD_TOKEN } }),
      "gateway.control_ui.no_tls",
    );
    const tls = one(
      await audit({ config: { gateway: { bind: "lan", tls: { enabled: true } } }, env: { OPENCLAW_GATEWAY_TOKEN: GOOD_TOKEN } }),
      "gateway.control_ui.no_tls",
    );
    assert.match(tls.detail, /does not serve TLS itself yet/);
  });

  const proxies = async (trustedProxies: string[]) =>
    (await audit({ config: { gateway: { mode: "local", trustedProxies } } })).findings.filter((f) =>
      f.checkId.startsWith("gateway.trusted_proxies"),
    );

  it("gateway.trusted_proxies.invalid: entries that are not addresses are named, as they are ignored", async () => {
    const f = await proxies(["10.0.0.5", "proxy.internal", "10.0.0.0/40"]);
    assert.deepEqual(
      f.map((x) => [x.checkId, x.severity]),
      [["gateway.trusted_proxies.invalid", "medium"]],
    );
    assert.match(f[0]!.detail, /"proxy\.internal", "10\.0\.0\.0\/40"/);
  });

  it("gateway.trusted_proxies.too_broad: a range covering strangers, who could forge their address, is high", async () => {
    const f = await proxies(["0.0.0.0/0", "::/0", "10.0.0.0/8"]);
    assert.deepEqual(
      f.map((x) => [x.checkId, x.severity]),
      [["gateway.trusted_proxies.too_broad", "high"]],
    );
    assert.match(f[0]!.detail, /0\.0\.0\.0\/0, ::\/0/);
    assert.deepEqual(await proxies(["127.0.0.1", "10.0.0.0/8", "fd00::/8"]), [], "ordinary proxies and private ranges are fine");
  });
});

describe("security audit: who can talk to the agent", () => {
  it("channels.telegram.dm.open and channels.discord.dm.open are high", async () => {
    const r = await audit({
      config: { channels: { telegram: { dmPolicy: "open", allowFrom: ["*"] }, discord: { dm: { policy: "open", allowFrom: ["*"] } } } },
    });
    assert.equal(one(r, "channels.telegram.dm.open").severity, "high");
    assert.match(one(r, "channels.telegram.dm.open").detail, /channels\.telegram\.dmPolicy is "open"/);
    assert.match(one(r, "channels.discord.dm.open").detail, /channels\.discord\.dm\.policy is "open"/);
  });

  it("channels.<channel>.dm.scope_main_multiuser: several senders in one main session", async () => {
    const f = one(
      await audit({ config: { channels: { telegram: { dmPolicy: "allowlist", allowFrom: ["111", "@bob"] } } } }),
      "channels.telegram.dm.scope_main_multiuser",
    );
    assert.equal(f.severity, "medium");
    assert.match(f.detail, /2 senders/);
    none(
      await audit({
        config: { session: { dmScope: "per-channel-peer" }, channels: { telegram: { dmPolicy: "allowlist", allowFrom: ["111", "@bob"] } } },
      }),
      "channels.telegram.dm.scope_main_multiuser",
    );
    // Senders approved through pairing count too.
    const paired = await audit({
      config: { channels: { telegram: {} } },
      setup: (dir) => {
        fs.mkdirSync(path.join(dir, "credentials"));
        fs.writeFileSync(path.join(dir, "credentials/telegram-allowFrom.json"), JSON.stringify({ version: 1, allowFrom: ["111", "222"] }));
      },
    });
    assert.match(one(paired, "channels.telegram.dm.scope_main_multiuser").detail, /2 senders/);
  });

  it("channels.<channel>.groups.open: explicit, or Discord's implicit open with only a token", async () => {
    const explicit = one(await audit({ config: { channels: { telegram: { groupPolicy: "open" } } } }), "channels.telegram.groups.open");
    assert.equal(explicit.severity, "medium");
    const implicit = one(await audit({ env: { DISCORD_BOT_TOKEN: "d" } }), "channels.discord.groups.open");
    assert.match(implicit.detail, /Only DISCORD_BOT_TOKEN is set and there is no channels\.discord section/);
    none(await audit({ config: seedConfig(), env: { DISCORD_BOT_TOKEN: "d" } }), "channels.discord.groups.open");
  });
});

describe("security audit: tool blast radius", () => {
  it("security.exposure.open_groups_with_elevated: open groups plus elevated exec is high", async () => {
    const f = one(
      await audit({
        config: { channels: { discord: { groupPolicy: "open" } }, tools: { elevated: { enabled: true, allowFrom: { discord: ["123"] } } } },
      }),
      "security.exposure.open_groups_with_elevated",
    );
    assert.equal(f.severity, "high");
    assert.match(f.detail, /channels\.discord\.groupPolicy.*tools\.elevated\.enabled/);
  });

  it('security.exposure.open_groups_with_exec_full: open DMs plus exec security "full" is high; alone it is low', async () => {
    const open = await audit({
      config: { channels: { telegram: { dmPolicy: "open", allowFrom: ["*"] } }, tools: { exec: { security: "full" } } },
    });
    assert.equal(one(open, "security.exposure.open_groups_with_exec_full").severity, "high");
    none(open, "tools.exec.security_full");
    const closed = await audit({ config: { agents: { list: [{ id: "main", tools: { exec: { security: "full" } } }] } } });
    const f = one(closed, "tools.exec.security_full");
    assert.equal(f.severity, "low");
    assert.match(f.detail, /agents\.list\.0\.tools\.exec\.security/);
  });

  it("tools.elevated.allowFrom.<provider>.wildcard is high", async () => {
    const f = one(
      await audit({ config: { tools: { elevated: { enabled: true, allowFrom: { telegram: ["*"] } } } } }),
      "tools.elevated.allowFrom.telegram.wildcard",
    );
    assert.equal(f.severity, "high");
  });
});

describe("security audit: secrets and files", () => {
  it("config.secrets.*: literal secrets in openclaw.json are named by path, never shown", async () => {
    const r = await audit({
      config: {
        gateway: { auth: { password: "hunter2-hunter2-hunter2-hunter2" } },
        channels: { telegram: { botToken: "123456:AAE-literal-bot-token" } },
        models: { providers: { openai: { apiKey: "${OPENAI_API_KEY}" } } },
      },
      env: { OPENAI_API_KEY: "sk-x" },
    });
    assert.equal(one(r, "config.secrets.gateway_password_in_config").severity, "medium");
    const other = one(r, "config.secrets.in_config");
    assert.match(other.detail, /^channels\.telegram\.botToken holds a literal secret/);
    assert.doesNotMatch(other.detail, /models\.providers/, "${VAR} references are fine");
    assert.doesNotMatch(JSON.stringify(r), /hunter2|AAE-literal/);
    assert.deepEqual(literalSecretPaths({ env: { ANTHROPIC_API_KEY: "sk-1" }, a: { maxTokens: 5, token: "${T}" } }), [
      "env.ANTHROPIC_API_KEY",
    ]);
  });

  it("config.secrets.fly_env: secrets in fly.toml [env]", async () => {
    const fly = fixture("reference/seed-fly.toml").replace("[env]", '[env]\n  OPENCLAW_GATEWAY_TOKEN = "abc"\n  DISCORD_BOT_TOKEN = "xyz"');
    const f = one(await audit({ fly }), "config.secrets.fly_env");
    assert.equal(f.severity, "medium");
    assert.match(f.detail, /sets OPENCLAW_GATEWAY_TOKEN, DISCORD_BOT_TOKEN in \[env\]/);
    assert.match(f.remediation, /fly secrets set OPENCLAW_GATEWAY_TOKEN=/);
  });

  it("logging.redact_off is medium", async () => {
    assert.equal(one(await audit({ config: { logging: { redactSensitive: "off" } } }), "logging.redact_off").severity, "medium");
  });

  it("fs.*: a world-writable state dir, a config others can write or read", async () => {
    const r = await audit({ config: { gateway: { mode: "local" } }, mode: 0o666, setup: (dir) => fs.chmodSync(dir, 0o777) });
    assert.equal(one(r, "fs.state_dir.perms_world_writable").severity, "high");
    assert.equal(one(r, "fs.config.perms_writable").severity, "high");
    assert.equal(one(r, "fs.config.perms_world_readable").severity, "low", "readable but holding no secrets");
    const secrets = await audit({ config: { gateway: { auth: { token: GOOD_TOKEN } } }, mode: 0o644 });
    assert.equal(one(secrets, "fs.config.perms_world_readable").severity, "high");
    assert.match(one(secrets, "fs.config.perms_world_readable").remediation, /chmod 600/);
  });
});

describe("security audit: report", () => {
  it("sorts by severity and counts each; every finding says what to do", async () => {
    const r = await audit({ config: { gateway: { bind: "lan" }, logging: { redactSensitive: "off" } }, mode: 0o644 });
    const order = r.findings.map((f) => f.severity);
    assert.deepEqual(
      order,
      [...order].sort((a, b) => ["high", "medium", "low"].indexOf(a) - ["high", "medium", "low"].indexOf(b)),
    );
    assert.equal(r.summary.high, order.filter((s) => s === "high").length);
    const text = formatAudit(r);
    assert.match(text, /^HIGH {4}gateway\.bind_no_auth: Gateway binds beyond loopback without auth$/m);
    for (const f of r.findings) assert.ok(f.title && f.detail && f.remediation, f.checkId);
  });
});

describe("security audit: plugin routes", () => {
  const paths = () => [fixturePath("plugins/webhook"), fixturePath("plugins/hello")];

  it("lists the plugin routes served without the token, by plugin and path", { timeout: 30_000 }, async () => {
    const local = await audit({ config: { plugins: { load: { paths: paths() } } } });
    const f = one(local, "plugins.http_routes.public");
    assert.equal(f.severity, "low", "only this machine can reach a loopback gateway");
    assert.match(f.detail, /^webhook: \/webhook\/incoming\. /);
    assert.doesNotMatch(f.detail, /\/webhook\/admin|\/hello/, "routes behind the token are not listed");

    const lan = await audit({
      config: { gateway: { bind: "lan" }, plugins: { load: { paths: paths() } } },
      env: { OPENCLAW_GATEWAY_TOKEN: GOOD_TOKEN },
    });
    assert.equal(one(lan, "plugins.http_routes.public").severity, "medium");
    assert.match(one(lan, "plugins.http_routes.public").detail, /Anyone who reaches port \d+/);
  });

  it("finds installed plugins, and loads none when plugins are off", { timeout: 30_000 }, async () => {
    const installed = await audit({
      config: { gateway: { mode: "local" } },
      setup: (dir) => fs.cpSync(fixturePath("plugins/webhook"), path.join(dir, "extensions", "webhook"), { recursive: true }),
    });
    assert.match(one(installed, "plugins.http_routes.public").detail, /webhook: \/webhook\/incoming/);
    none(await audit({ config: { plugins: { enabled: false, load: { paths: paths() } } } }), "plugins.http_routes.public");
    none(
      await audit({ config: { plugins: { entries: { webhook: { enabled: false } }, load: { paths: paths() } } } }),
      "plugins.http_routes.public",
    );
  });
});
