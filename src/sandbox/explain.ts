/**
 * `openclaw sandbox explain`: the effective sandbox for one session (mode, scope, whether this session
 * is sandboxed), the sandbox tool policy with where each list came from, the elevated-exec gates, the
 * config keys that change the outcome, and whether a Docker engine is reachable. Same JSON fields as
 * OpenClaw's, plus `docker`.
 */
import type { OpenClawConfig } from "../config/schema.js";
import { defaultAgentId } from "../agents/roster.js";
import { normalizeAgentId } from "../sessions/keys.js";
import { isSandboxed, mainSessionKeyFor, resolveSandboxConfig, sandboxToolPolicyWithSources, type ResolveOptions } from "./config.js";
import type { DockerProbe } from "./manager.js";

export const SANDBOX_DOCS_URL = "https://docs.openclaw.ai/sandbox";

export interface SandboxExplanation {
  docsUrl: string;
  agentId: string;
  sessionKey: string;
  mainSessionKey: string;
  sandbox: {
    mode: string;
    scope: string;
    perSession: boolean;
    workspaceAccess: string;
    workspaceRoot: string;
    sessionIsSandboxed: boolean;
    tools: ReturnType<typeof sandboxToolPolicyWithSources>["policy"] & {
      sources: ReturnType<typeof sandboxToolPolicyWithSources>["sources"];
    };
  };
  elevated: {
    enabled: boolean;
    channel?: string;
    allowedByConfig: boolean;
    alwaysAllowedByConfig: boolean;
    allowFrom: { global?: string[]; agent?: string[] };
    failures: Array<{ gate: string; key: string }>;
  };
  docker: DockerProbe;
  fixIt: string[];
}

/** `--session` as given: a full key as is, `global`, or a bare main key made `agent:<id>:<key>`. */
function sessionKeyFor(cfg: OpenClawConfig, agentId: string, session: string | undefined): string {
  const raw = session?.trim() ?? "";
  if (!raw) return mainSessionKeyFor(cfg, agentId);
  if (raw.includes(":") || raw === "global") return raw;
  return `agent:${agentId}:${raw}`;
}

/** The configured chat channel a session key names (`agent:main:telegram:group:1` → telegram). */
function channelOf(cfg: OpenClawConfig, sessionKey: string): string | undefined {
  const m = /^agent:[^:]+:(.+)$/.exec(sessionKey);
  const first = m?.[1]?.split(":")[0]?.trim().toLowerCase();
  if (!first || first === (cfg.session?.mainKey?.trim() || "main")) return undefined;
  if (first === "webchat") return first;
  return cfg.channels && Object.hasOwn(cfg.channels, first) && first !== "defaults" ? first : undefined;
}

export function explainSandbox(
  cfg: OpenClawConfig,
  opts: { session?: string; agent?: string; docker: DockerProbe } & ResolveOptions,
): SandboxExplanation {
  const fromSession = /^agent:([^:]+):/.exec(opts.session?.trim() ?? "")?.[1];
  const agentId = normalizeAgentId(opts.agent?.trim() || fromSession || defaultAgentId(cfg));
  const sessionKey = sessionKeyFor(cfg, agentId, opts.session);
  const s = resolveSandboxConfig(cfg, agentId, opts);
  const { policy, sources } = sandboxToolPolicyWithSources(cfg, agentId);
  const channel = channelOf(cfg, sessionKey);

  const agentEntry = cfg.agents?.list?.find((a) => normalizeAgentId(a.id) === agentId);
  const elevatedGlobal = cfg.tools?.elevated;
  const elevatedAgent = agentEntry?.tools?.elevated;
  const globalOn = elevatedGlobal?.enabled !== false;
  const agentOn = elevatedAgent?.enabled !== false;
  const tokens = (v: unknown) => (Array.isArray(v) ? v.map((x) => String(x).trim()).filter(Boolean) : []);
  const globalAllow = channel ? tokens(elevatedGlobal?.allowFrom?.[channel]) : [];
  const agentAllow = channel ? tokens(elevatedAgent?.allowFrom?.[channel]) : [];
  const allowedByConfig =
    globalOn && agentOn && Boolean(channel) && globalAllow.length > 0 && (elevatedAgent?.allowFrom ? agentAllow.length > 0 : true);
  const alwaysAllowedByConfig =
    allowedByConfig && globalAllow.includes("*") && (elevatedAgent?.allowFrom ? agentAllow.includes("*") : true);
  const failures: Array<{ gate: string; key: string }> = [];
  if (!globalOn) failures.push({ gate: "enabled", key: "tools.elevated.enabled" });
  if (!agentOn) failures.push({ gate: "enabled", key: "agents.list[].tools.elevated.enabled" });
  if (channel && globalAllow.length === 0) failures.push({ gate: "allowFrom", key: `tools.elevated.allowFrom.${channel}` });
  if (channel && elevatedAgent?.allowFrom && agentAllow.length === 0) {
    failures.push({ gate: "allowFrom", key: `agents.list[].tools.elevated.allowFrom.${channel}` });
  }

  const fixIt: string[] = [];
  if (s.mode !== "off") fixIt.push("agents.defaults.sandbox.mode=off", "agents.list[].sandbox.mode=off");
  fixIt.push(
    "tools.sandbox.tools.allow",
    "tools.sandbox.tools.deny",
    "agents.list[].tools.sandbox.tools.allow",
    "agents.list[].tools.sandbox.tools.deny",
    "tools.elevated.enabled",
  );
  if (channel) fixIt.push(`tools.elevated.allowFrom.${channel}`);

  return {
    docsUrl: SANDBOX_DOCS_URL,
    agentId,
    sessionKey,
    mainSessionKey: mainSessionKeyFor(cfg, agentId),
    sandbox: {
      mode: s.mode,
      scope: s.scope,
      perSession: s.scope === "session",
      workspaceAccess: s.workspaceAccess,
      workspaceRoot: s.workspaceRoot,
      sessionIsSandboxed: isSandboxed(cfg, agentId, sessionKey, opts),
      tools: { ...policy, sources },
    },
    elevated: {
      enabled: globalOn && agentOn,
      ...(channel ? { channel } : {}),
      allowedByConfig,
      alwaysAllowedByConfig,
      allowFrom: {
        ...(channel ? { global: globalAllow } : {}),
        ...(channel && elevatedAgent?.allowFrom ? { agent: agentAllow } : {}),
      },
      failures,
    },
    docker: opts.docker,
    fixIt,
  };
}

export function formatExplanation(e: SandboxExplanation): string {
  const lines = [
    "Effective sandbox:",
    `  agentId: ${e.agentId}`,
    `  sessionKey: ${e.sessionKey}`,
    `  mainSessionKey: ${e.mainSessionKey}`,
    `  runtime: ${e.sandbox.sessionIsSandboxed ? "sandboxed" : "direct"}`,
    `  mode: ${e.sandbox.mode} scope: ${e.sandbox.scope} perSession: ${e.sandbox.perSession}`,
    `  workspaceAccess: ${e.sandbox.workspaceAccess} workspaceRoot: ${e.sandbox.workspaceRoot}`,
    `  docker: ${e.docker.ok ? `reachable (engine ${e.docker.version})` : `unreachable (${e.docker.reason})`}`,
    "",
    "Sandbox tool policy:",
    `  allow (${e.sandbox.tools.sources.allow.source}): ${e.sandbox.tools.allow?.join(", ") || "(empty)"}`,
  ];
  if (e.sandbox.tools.alsoAllow?.length) lines.push(`  alsoAllow: ${e.sandbox.tools.alsoAllow.join(", ")}`);
  lines.push(`  deny  (${e.sandbox.tools.sources.deny.source}): ${e.sandbox.tools.deny?.join(", ") || "(empty)"}`);
  lines.push(
    "",
    "Elevated:",
    `  enabled: ${e.elevated.enabled}`,
    `  channel: ${e.elevated.channel ?? "(unknown)"}`,
    `  allowedByConfig: ${e.elevated.allowedByConfig}`,
  );
  if (e.elevated.failures.length) {
    lines.push(`  failing gates: ${e.elevated.failures.map((f) => `${f.gate} (${f.key})`).join(", ")}`);
  }
  if (e.sandbox.sessionIsSandboxed && !e.docker.ok) {
    lines.push(
      "",
      `Warning: this session is sandboxed but no Docker engine is reachable; its tool calls will be refused until Docker runs or the sandbox mode is "off".`,
    );
  }
  if (e.sandbox.mode === "non-main" && e.sandbox.sessionIsSandboxed) {
    lines.push("", `Hint: sandbox mode is non-main; use main session key to run direct: ${e.mainSessionKey}`);
  }
  lines.push("", "Fix-it:", ...e.fixIt.map((k) => `  - ${k}`), "", `Docs: ${e.docsUrl}`);
  return `${lines.join("\n")}\n`;
}
