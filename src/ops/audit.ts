/**
 * `openclaw security audit`: the settings that let a stranger reach the agent, or let a leaked file
 * hand over its keys. Check ids follow OpenClaw's audit (`gateway.bind_no_auth`,
 * `channels.<name>.dm.open`, `fs.config.perms_world_readable`, …) so findings read the same on
 * either gateway; severities are high (fix now; the command exits non-zero), medium and low.
 *
 * Secret values are never printed: findings name the key or variable that holds them.
 */
import { bundledChannels } from "../plugins/builtin.js";
import fs from "node:fs";
import path from "node:path";
import { SENSITIVE_KEY_PATTERN } from "../config/schema.js";
import { parseProxyEntry } from "../gateway/trust.js";
import { PairingStore } from "../routing/pairing.js";
import { gatherContext, type GatherOptions, type OpsContext } from "./context.js";
import { defaultWorkspaceDir } from "../agents/workspace.js";
import type { OpenClawConfig } from "../config/schema.js";
import { pluginsWanted } from "../gateway/plugins.js";
import { LogSink } from "../infra/logger.js";
import { webhookFindings } from "../webhooks/audit.js";

export type Severity = "high" | "medium" | "low";

export interface AuditFinding {
  checkId: string;
  severity: Severity;
  title: string;
  detail: string;
  remediation: string;
}

export interface AuditReport {
  configPath: string;
  summary: Record<Severity, number>;
  findings: AuditFinding[];
}

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const isEnvRef = (s: string) => /^\$\{[A-Z_][A-Z0-9_]*\}$/.test(s.trim());

/** Gateway secrets shorter than this are guessable in an online attack spread over time. */
export const MIN_TOKEN_LENGTH = 24;
/** Below this many bits (estimated from the characters used), a secret is treated as weak. */
export const MIN_TOKEN_BITS = 96;
const PLACEHOLDERS = /^(?:change-?me|password|secret|token|your[-_ ].*|test|admin|default|example|openclaw)/i;

/**
 * Rough strength of a secret in bits: length × log2 of the alphabet its characters come from,
 * capped by how many distinct characters it actually uses (so `aaaa…` and `abcabc…` score low).
 */
export function secretBits(s: string): number {
  let alphabet = 0;
  if (/[a-z]/.test(s)) alphabet += 26;
  if (/[A-Z]/.test(s)) alphabet += 26;
  if (/[0-9]/.test(s)) alphabet += 10;
  if (/[^a-zA-Z0-9]/.test(s)) alphabet += 33;
  if (/^[0-9a-f]+$/i.test(s) && !/^[0-9]+$/.test(s)) alphabet = 16;
  const distinct = new Set(s).size;
  const perChar = Math.log2(Math.max(1, Math.min(alphabet, distinct * 2)));
  return Math.round(s.length * perChar);
}

/** Paths of secret-named keys whose value is written in the file rather than as `${VAR}`. */
export function literalSecretPaths(value: unknown, prefix: string[] = [], out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v, i) => literalSecretPaths(v, [...prefix, String(i)], out));
  else if (isObj(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === "string" && SENSITIVE_KEY_PATTERN.test(k) && v.trim() !== "" && !isEnvRef(v) && !v.startsWith("__OPENCLAW_REDACTED"))
        out.push([...prefix, k].join("."));
      else literalSecretPaths(v, [...prefix, k], out);
    }
  }
  return out;
}

interface ChannelAccess {
  channel: string;
  /** `channels.<name>` or `channels.<name>.accounts.<id>`. */
  where: string;
  dmPolicy: string;
  dmPolicyKey: string;
  dmAllowFrom: Array<string | number>;
  groupPolicy: string;
  groupPolicyKey: string;
  /** Where the admitted groups are listed (`channels.<name>.groups.<chatId>`). */
  groupListKey: string;
  /** The group policy is open only because there is no `channels.<name>` section, just the env token. */
  implicitOpenGroups: boolean;
  envToken?: string;
}

/** DM and group policy of every channel account, as the router reads them. */
function channelAccess(ctx: OpsContext, cfg: Obj): ChannelAccess[] {
  const out: ChannelAccess[] = [];
  for (const desc of bundledChannels().list()) {
    const channel = desc.id;
    const section: Obj | undefined = cfg.channels?.[channel];
    if (!section && !(desc.envToken && ctx.env[desc.envToken])) continue;
    if (section?.enabled === false) continue;
    const { accounts, ...base } = section ?? {};
    const entries: Array<[string, Obj]> = [["default", base]];
    for (const [id, acc] of Object.entries((accounts ?? {}) as Obj))
      if (isObj(acc) && acc.enabled !== false) entries.push([id, { ...base, ...acc }]);
    for (const [id, c] of entries) {
      const where = id === "default" ? `channels.${channel}` : `channels.${channel}.accounts.${id}`;
      const dm = desc.rules.dm(c);
      out.push({
        channel,
        where,
        dmPolicy: dm.enabled ? dm.policy : "disabled",
        dmPolicyKey: `${where}.${desc.rules.keys.dmPolicy}`,
        dmAllowFrom: dm.allowFrom,
        groupPolicy: c.groupPolicy ?? desc.rules.defaultGroupPolicy(Boolean(section)),
        groupPolicyKey: `${where}.groupPolicy`,
        groupListKey: `channels.${channel}.${desc.rules.keys.groupList}`,
        implicitOpenGroups: !section && c.groupPolicy === undefined && desc.rules.defaultGroupPolicy(false) === "open",
        envToken: desc.envToken,
      });
    }
  }
  return out;
}

/** Where exec runs with `security: "full"` or elevated (host) exec is switched on. */
function dangerousTools(cfg: Obj): { execFull: string[]; elevated: string[]; elevatedWildcards: string[] } {
  const execFull: string[] = [];
  const elevated: string[] = [];
  const elevatedWildcards: string[] = [];
  const scan = (tools: Obj | undefined, where: string) => {
    if (!tools) return;
    if (tools.exec?.security === "full") execFull.push(`${where}.exec.security`);
    const el = tools.elevated;
    if (el?.enabled === true) {
      elevated.push(`${where}.elevated.enabled`);
      for (const [provider, list] of Object.entries((el.allowFrom ?? {}) as Obj))
        if (Array.isArray(list) && list.some((v) => String(v).trim() === "*")) elevatedWildcards.push(provider);
    }
  };
  scan(cfg.tools, "tools");
  (cfg.agents?.list ?? []).forEach((a: Obj, i: number) => scan(a?.tools, `agents.list.${i}.tools`));
  return { execFull, elevated, elevatedWildcards };
}

/**
 * Plugin HTTP routes served without the gateway token (registered with `public: true`), found by
 * loading the plugins as the gateway would. Nothing is loaded when no plugin could be found.
 */
async function publicPluginRoutes(ctx: OpsContext, cfg: Obj): Promise<Array<{ pluginId: string; path: string }>> {
  const config = cfg as OpenClawConfig;
  const workspaceDir = defaultWorkspaceDir(config, ctx.stateDir, ctx.env);
  if (!pluginsWanted({ config, stateDir: ctx.stateDir, workspaceDir })) return [];
  const { loadPlugins } = await import("../plugins/index.js");
  const sink = new LogSink({ level: "silent", consoleLevel: "silent" });
  const { registry } = await loadPlugins({
    config: cfg,
    stateDir: ctx.stateDir,
    workspaceDir,
    env: ctx.env as NodeJS.ProcessEnv,
    cwd: ctx.cwd,
    logger: sink.logger("plugins"),
  });
  return registry.httpRoutes.filter((r) => r.public).map((r) => ({ pluginId: r.pluginId, path: r.path }));
}

function mode(file: string): number | null {
  try {
    return fs.statSync(file).mode & 0o777;
  } catch {
    return null;
  }
}

export async function runAudit(opts: GatherOptions): Promise<AuditReport> {
  const ctx = await gatherContext(opts);
  const findings: AuditFinding[] = [];
  const add = (f: AuditFinding) => findings.push(f);
  // Policy checks read the file as written even when it is invalid: a typo elsewhere must not hide an open door.
  const cfg: Obj = ctx.snapshot.valid ? (ctx.config as Obj) : isObj(ctx.snapshot.parsed) ? ctx.snapshot.parsed : {};
  const e = ctx.effective;
  const onFly = Boolean(ctx.env.FLY_APP_NAME) || Boolean(ctx.fly?.publicService);

  // --- network exposure -------------------------------------------------------------------------
  if (e.publicBind && e.auth.mode === "none")
    add({
      checkId: "gateway.bind_no_auth",
      severity: "high",
      title: "Gateway binds beyond loopback without auth",
      detail: `bind "${e.bind.value}" (${e.bind.source}) but no gateway token or password is set; anyone who reaches port ${e.port.value} could operate the gateway (this gateway refuses to start like this).`,
      remediation: "Set OPENCLAW_GATEWAY_TOKEN to a long random value (`openssl rand -hex 32`), or bind loopback.",
    });

  const secret = e.auth.mode === "token" ? e.auth.token : e.auth.mode === "password" ? e.auth.password : undefined;
  if (secret) {
    const what = `gateway ${e.auth.mode} (${e.authSource})`;
    const severity: Severity = e.publicBind ? "medium" : "low";
    if (secret.length < MIN_TOKEN_LENGTH)
      add({
        checkId: "gateway.token_too_short",
        severity,
        title: "Gateway token looks short",
        detail: `${what} is ${secret.length} characters; prefer at least ${MIN_TOKEN_LENGTH} random characters.`,
        remediation: "Generate one with `openssl rand -hex 32` (Fly: `fly secrets set OPENCLAW_GATEWAY_TOKEN=$(openssl rand -hex 32)`).",
      });
    else if (secretBits(secret) < MIN_TOKEN_BITS || PLACEHOLDERS.test(secret))
      add({
        checkId: "gateway.token_weak",
        severity,
        title: "Gateway token is easy to guess",
        detail: `${what} uses few distinct characters or looks like a placeholder (about ${secretBits(secret)} bits; want ${MIN_TOKEN_BITS}+).`,
        remediation: "Replace it with a random value: `openssl rand -hex 32`.",
      });
  }

  const ui: Obj = cfg.gateway?.controlUi ?? {};
  if (ui.dangerouslyDisableDeviceAuth === true)
    add({
      checkId: "gateway.control_ui.device_auth_disabled",
      severity: "high",
      title: "Control UI device identity checks are disabled",
      detail: "gateway.controlUi.dangerouslyDisableDeviceAuth is true.",
      remediation: "Remove it unless you are debugging right now.",
    });
  if (ui.allowInsecureAuth === true)
    add({
      checkId: "gateway.control_ui.insecure_auth",
      severity: "high",
      title: "Control UI accepts token-only auth over plain HTTP",
      detail: "gateway.controlUi.allowInsecureAuth is true: the token travels without TLS and device pairing is skipped.",
      remediation: "Serve the UI over HTTPS (a TLS proxy, Fly's force_https) or open it on 127.0.0.1, and remove the setting.",
    });
  const proxied = (cfg.gateway?.trustedProxies ?? []).length > 0;
  if (e.publicBind && ui.enabled !== false && !proxied && !onFly)
    add({
      checkId: "gateway.control_ui.no_tls",
      severity: "medium",
      title: "Control UI is served without TLS on a public bind",
      detail: `The gateway listens on "${e.bind.value}" with plain HTTP/WS and no TLS proxy is declared (gateway.trustedProxies is empty): the token and every message cross the network in clear text.${cfg.gateway?.tls?.enabled ? " gateway.tls is set, but this gateway does not serve TLS itself yet." : ""}`,
      remediation:
        "Put a TLS proxy in front (Caddy, nginx, Tailscale Serve, Fly's force_https) and list it in gateway.trustedProxies, or bind loopback and use an SSH tunnel.",
    });

  const proxies: string[] = cfg.gateway?.trustedProxies ?? [];
  const unusable = proxies.filter((p) => parseProxyEntry(p) === null);
  if (unusable.length > 0)
    add({
      checkId: "gateway.trusted_proxies.invalid",
      severity: "medium",
      title: "Some trusted proxies are not addresses",
      detail: `gateway.trustedProxies holds ${unusable.map((p) => JSON.stringify(p)).join(", ")}, which ${unusable.length === 1 ? "is" : "are"} neither an IP address nor a CIDR range and ${unusable.length === 1 ? "is" : "are"} ignored: requests from that proxy are attributed to the proxy itself.`,
      remediation: 'Write each proxy as an address ("10.0.0.5") or a range ("10.0.0.0/8"); host names are not resolved.',
    });
  const broad = proxies.filter((p) => {
    const r = parseProxyEntry(p);
    return r !== null && r.bits < 8;
  });
  if (broad.length > 0)
    add({
      checkId: "gateway.trusted_proxies.too_broad",
      severity: "high",
      title: "Trusted proxies cover far more than your proxies",
      detail: `gateway.trustedProxies includes ${broad.join(", ")}: any client in that range may write its own X-Forwarded-For and choose the address it is known by (and be taken for this machine).`,
      remediation: "List only the addresses of the proxies you run.",
    });

  // --- who can talk to the agent ----------------------------------------------------------------
  const access = channelAccess(ctx, cfg);
  const pairing = PairingStore.forStateDir(ctx.stateDir);
  const dmScope = cfg.session?.dmScope ?? "main";
  for (const a of access) {
    if (a.dmPolicy === "open")
      add({
        checkId: `channels.${a.channel}.dm.open`,
        severity: "high",
        title: `${a.channel} DMs are open to anyone`,
        detail: `${a.dmPolicyKey} is "open": any ${a.channel} user who finds the bot can run the agent.`,
        remediation: `Use "pairing" (the default: strangers get a code you approve) or "allowlist".`,
      });
    let approved = 0;
    try {
      approved = pairing.allowFrom(a.channel).length;
    } catch {
      /* unreadable store: counted as none */
    }
    const senders = a.dmAllowFrom.filter((v) => String(v).trim() !== "*").length + approved;
    if (dmScope === "main" && (a.dmPolicy === "open" || senders > 1) && a.dmPolicy !== "disabled")
      add({
        checkId: `channels.${a.channel}.dm.scope_main_multiuser`,
        severity: "medium",
        title: "Several people share one DM session",
        detail: `${a.dmPolicy === "open" ? "Anyone" : `${senders} senders`} can DM the ${a.channel} bot and session.dmScope is "main", so they all talk into the same conversation and can see each other's context.`,
        remediation: 'Set session.dmScope to "per-channel-peer" (or "per-account-channel-peer" with several accounts).',
      });
    if (a.groupPolicy === "open")
      add({
        checkId: `channels.${a.channel}.groups.open`,
        severity: "medium",
        title: `${a.channel} groups are open`,
        detail: a.implicitOpenGroups
          ? `Only ${a.envToken} is set and there is no channels.${a.channel} section, so every server the bot is added to can use it (groupPolicy defaults to "open" in that case).`
          : `${a.groupPolicyKey} is "open": every group the bot is added to can use it.`,
        remediation: `Set ${a.groupPolicyKey} to "allowlist" and list the groups (${a.groupListKey}).`,
      });
  }

  // --- tool blast radius --------------------------------------------------------------------------
  const tools = dangerousTools(cfg);
  const openRooms = access
    .filter((a) => a.groupPolicy === "open" || a.dmPolicy === "open")
    .map((a) => (a.groupPolicy === "open" ? a.groupPolicyKey : a.dmPolicyKey));
  const notYet = " (This gateway does not run exec tools yet; the setting matters once it does, or if this config goes back to OpenClaw.)";
  if (openRooms.length > 0 && tools.elevated.length > 0)
    add({
      checkId: "security.exposure.open_groups_with_elevated",
      severity: "high",
      title: "Open DMs or groups with elevated tools enabled",
      detail: `Open: ${openRooms.join(", ")}. Elevated (host) exec: ${tools.elevated.join(", ")}. A prompt injection from any member becomes a shell command on the host.${notYet}`,
      remediation: 'Set the policies to "allowlist"/"pairing", and keep tools.elevated.allowFrom to your own ids.',
    });
  if (openRooms.length > 0 && tools.execFull.length > 0)
    add({
      checkId: "security.exposure.open_groups_with_exec_full",
      severity: "high",
      title: 'Open DMs or groups with exec security "full"',
      detail: `Open: ${openRooms.join(", ")}. Unrestricted exec: ${tools.execFull.join(", ")}.${notYet}`,
      remediation: 'Use tools.exec.security "allowlist" (or "deny"), and close the open policies.',
    });
  else if (tools.execFull.length > 0)
    add({
      checkId: "tools.exec.security_full",
      severity: "low",
      title: 'exec runs with security "full"',
      detail: `${tools.execFull.join(", ")} lets the agent run any command without approval; only allowlisted senders can reach it today.${notYet}`,
      remediation: 'Prefer "allowlist" with tools.exec.safeBins.',
    });
  for (const provider of tools.elevatedWildcards)
    add({
      checkId: `tools.elevated.allowFrom.${provider}.wildcard`,
      severity: "high",
      title: "Anyone may use elevated tools",
      detail: `tools.elevated.allowFrom.${provider} contains "*".${notYet}`,
      remediation: 'List your own sender ids instead of "*".',
    });

  // --- plugin routes without the token ---------------------------------------------------------
  // Not high: a public route is how a webhook has to work, and the plugin checks its caller itself.
  // Medium when the port is reachable from the network, low when only this machine can call it.
  const publicRoutes = await publicPluginRoutes(ctx, cfg);
  if (publicRoutes.length > 0)
    add({
      checkId: "plugins.http_routes.public",
      severity: e.publicBind ? "medium" : "low",
      title: "Plugin HTTP routes answer without the gateway token",
      detail: `${publicRoutes.map((r) => `${r.pluginId}: ${r.path}`).join(", ")}. ${e.publicBind ? `Anyone who reaches port ${e.port.value}` : "Any program on this machine"} can call ${publicRoutes.length === 1 ? "it" : "them"}; only the plugin's own checks (a webhook signature, say) stand in the way.`,
      remediation:
        "Keep only plugins you trust (plugins.allow), make sure each public route checks its caller, or turn the plugin off (`openclaw plugins disable <id>`).",
    });
  for (const f of webhookFindings(cfg as OpenClawConfig, e)) add(f);

  // --- secrets on disk ------------------------------------------------------------------------------
  const literal = literalSecretPaths(ctx.snapshot.parsed);
  const named: Record<string, string> = {
    "gateway.auth.password": "config.secrets.gateway_password_in_config",
    "gateway.auth.token": "config.secrets.gateway_token_in_config",
    "hooks.token": "config.secrets.hooks_token_in_config",
  };
  for (const p of literal.filter((p) => named[p]))
    add({
      checkId: named[p]!,
      severity: "medium",
      title: `${p} is written in the config file`,
      detail: `${p} holds the secret itself in ${ctx.configPath}; anyone who can read the file, a backup or a pasted config has it.`,
      remediation: `Move it to the environment (${p === "gateway.auth.password" ? "OPENCLAW_GATEWAY_PASSWORD" : p === "gateway.auth.token" ? "OPENCLAW_GATEWAY_TOKEN" : "a secret"}; Fly: \`fly secrets set\`) and delete the key, or write "\${VAR}" in its place.`,
    });
  const others = literal.filter((p) => !named[p]);
  if (others.length > 0)
    add({
      checkId: "config.secrets.in_config",
      severity: "medium",
      title: "Secrets are written in the config file",
      detail: `${others.join(", ")} ${others.length === 1 ? "holds a" : "hold"} literal secret${others.length === 1 ? "" : "s"} in ${ctx.configPath}.`,
      remediation:
        'Keep secrets in environment variables (Fly: `fly secrets set NAME=…`) and reference them as "${NAME}" in openclaw.json.',
    });
  if (ctx.fly) {
    const flySecrets = Object.keys(ctx.fly.env).filter((k) => SENSITIVE_KEY_PATTERN.test(k) && ctx.fly!.env[k]!.trim() !== "");
    if (flySecrets.length > 0)
      add({
        checkId: "config.secrets.fly_env",
        severity: "medium",
        title: "Secrets in fly.toml [env]",
        detail: `${path.basename(ctx.fly.file)} sets ${flySecrets.join(", ")} in [env]; the file is usually committed and its values show in \`fly config show\`.`,
        remediation: `Remove them from [env] and use \`fly secrets set ${flySecrets[0]}=…\`.`,
      });
  }
  if (cfg.logging?.redactSensitive === "off")
    add({
      checkId: "logging.redact_off",
      severity: "medium",
      title: "Log redaction is off",
      detail: 'logging.redactSensitive is "off".',
      remediation: 'Set it back to "tools" (the default).',
    });

  // --- file permissions -------------------------------------------------------------------------------
  if (process.platform !== "win32") {
    const dirMode = mode(ctx.stateDir);
    if (dirMode !== null && dirMode & 0o002)
      add({
        checkId: "fs.state_dir.perms_world_writable",
        severity: "high",
        title: "State directory is world-writable",
        detail: `${ctx.stateDir} is mode ${dirMode.toString(8)}: any local user can replace config, sessions or credentials.`,
        remediation: `chmod 700 ${ctx.stateDir}`,
      });
    const cfgMode = ctx.snapshot.exists ? mode(ctx.configPath) : null;
    if (cfgMode !== null && cfgMode & 0o022)
      add({
        checkId: "fs.config.perms_writable",
        severity: "high",
        title: "Config file is writable by others",
        detail: `${ctx.configPath} is mode ${cfgMode.toString(8)}: another user could change who may talk to the agent.`,
        remediation: `chmod 600 ${ctx.configPath}`,
      });
    if (cfgMode !== null && cfgMode & 0o004)
      add({
        checkId: "fs.config.perms_world_readable",
        severity: literal.length > 0 ? "high" : "low",
        title: "Config file is world-readable",
        detail: `${ctx.configPath} is mode ${cfgMode.toString(8)}${literal.length > 0 ? " and holds secrets" : ""}.`,
        remediation: `chmod 600 ${ctx.configPath}`,
      });
  }

  const rank: Record<Severity, number> = { high: 0, medium: 1, low: 2 };
  findings.sort((a, b) => rank[a.severity] - rank[b.severity]);
  const summary = { high: 0, medium: 0, low: 0 };
  for (const f of findings) summary[f.severity]++;
  return { configPath: ctx.configPath, summary, findings };
}

export function formatAudit(report: AuditReport): string {
  const lines = [`openclaw security audit: ${report.configPath}`, ""];
  if (report.findings.length === 0) lines.push("No findings.");
  for (const f of report.findings) {
    lines.push(`${f.severity.toUpperCase().padEnd(6)}  ${f.checkId}: ${f.title}`);
    lines.push(`        ${f.detail}`);
    lines.push(`        → ${f.remediation}`);
  }
  lines.push("", `Summary: ${report.summary.high} high, ${report.summary.medium} medium, ${report.summary.low} low`);
  return lines.join("\n") + "\n";
}
