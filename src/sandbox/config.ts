/**
 * The effective sandbox settings for an agent: `agents.defaults.sandbox` merged with that agent's
 * `agents.list[].sandbox`, with OpenClaw's defaults. Also decides which sessions are sandboxed
 * (`mode` against `session.mainKey`) and which tools a sandboxed session keeps (`tools.sandbox.tools`).
 *
 * Deliberate difference from OpenClaw: the default `workspaceRoot` is `$OPENCLAW_STATE_DIR/sandboxes`
 * (OpenClaw uses `~/.openclaw/sandboxes` whatever the state dir), so a Fly.io volume at /data keeps
 * the sandbox workspaces. With the default state dir both are the same folder.
 */
import path from "node:path";
import type { OpenClawConfig } from "../config/schema.js";
import { expandHome, resolveStateDir, type Env } from "../infra/paths.js";
import { normalizeAgentId } from "../sessions/keys.js";

export type SandboxMode = "off" | "non-main" | "all";
export type SandboxScope = "session" | "agent" | "shared";
export type WorkspaceAccess = "none" | "ro" | "rw";

type SandboxInput = NonNullable<NonNullable<NonNullable<OpenClawConfig["agents"]>["defaults"]>["sandbox"]>;
type DockerInput = NonNullable<SandboxInput["docker"]>;
export type Ulimit = NonNullable<DockerInput["ulimits"]>[string];

export const DEFAULT_SANDBOX_IMAGE = "openclaw-sandbox:bookworm-slim";
export const DEFAULT_SANDBOX_CONTAINER_PREFIX = "openclaw-sbx-";
export const DEFAULT_SANDBOX_WORKDIR = "/workspace";
export const DEFAULT_SANDBOX_IDLE_HOURS = 24;
export const DEFAULT_SANDBOX_MAX_AGE_DAYS = 7;
/** Where the agent's own workspace is mounted when the sandbox has its own (`workspaceAccess: ro`). */
export const SANDBOX_AGENT_WORKSPACE_MOUNT = "/agent";

export interface SandboxDockerSettings {
  image: string;
  containerPrefix: string;
  workdir: string;
  readOnlyRoot: boolean;
  tmpfs: string[];
  network: string;
  user?: string;
  capDrop: string[];
  env: Record<string, string>;
  setupCommand?: string;
  pidsLimit?: number;
  memory?: string | number;
  memorySwap?: string | number;
  cpus?: number;
  ulimits?: Record<string, Ulimit>;
  seccompProfile?: string;
  apparmorProfile?: string;
  dns?: string[];
  extraHosts?: string[];
  binds?: string[];
}

export interface SandboxSettings {
  mode: SandboxMode;
  /** The config key `mode` came from (for messages): `agents.defaults.sandbox.mode` or `agents.list.<i>.sandbox.mode`. */
  modeKey: string;
  scope: SandboxScope;
  workspaceAccess: WorkspaceAccess;
  workspaceRoot: string;
  sessionToolsVisibility: "spawned" | "all";
  docker: SandboxDockerSettings;
  prune: { idleHours: number; maxAgeDays: number };
}

export interface ResolveOptions {
  /** The state directory (default: from `env`); the default `workspaceRoot` lives under it. */
  stateDir?: string;
  env?: Env;
}

function agentEntry(cfg: OpenClawConfig, agentId: string) {
  const id = normalizeAgentId(agentId);
  const list = cfg.agents?.list ?? [];
  const index = list.findIndex((a) => normalizeAgentId(a.id) === id);
  return index >= 0 ? { index, entry: list[index]! } : undefined;
}

function resolveScope(scope: SandboxScope | undefined, perSession: boolean | undefined): SandboxScope {
  if (scope) return scope;
  if (typeof perSession === "boolean") return perSession ? "session" : "shared";
  return "agent";
}

function resolveDocker(global: DockerInput | undefined, agent: DockerInput | undefined): SandboxDockerSettings {
  const env = agent?.env ? { ...(global?.env ?? { LANG: "C.UTF-8" }), ...agent.env } : (global?.env ?? { LANG: "C.UTF-8" });
  const ulimits = agent?.ulimits ? { ...global?.ulimits, ...agent.ulimits } : global?.ulimits;
  const binds = [...(global?.binds ?? []), ...(agent?.binds ?? [])];
  const pick = <K extends keyof DockerInput>(key: K): DockerInput[K] => agent?.[key] ?? global?.[key];
  return {
    image: pick("image") ?? DEFAULT_SANDBOX_IMAGE,
    containerPrefix: pick("containerPrefix") ?? DEFAULT_SANDBOX_CONTAINER_PREFIX,
    workdir: pick("workdir") ?? DEFAULT_SANDBOX_WORKDIR,
    readOnlyRoot: pick("readOnlyRoot") ?? true,
    tmpfs: pick("tmpfs") ?? ["/tmp", "/var/tmp", "/run"],
    network: pick("network") ?? "none",
    user: pick("user"),
    capDrop: pick("capDrop") ?? ["ALL"],
    env,
    setupCommand: pick("setupCommand"),
    pidsLimit: pick("pidsLimit"),
    memory: pick("memory"),
    memorySwap: pick("memorySwap"),
    cpus: pick("cpus"),
    ulimits,
    seccompProfile: pick("seccompProfile"),
    apparmorProfile: pick("apparmorProfile"),
    dns: pick("dns"),
    extraHosts: pick("extraHosts"),
    binds: binds.length ? binds : undefined,
  };
}

/**
 * Defaults merged with the agent's overrides. Under `scope: "shared"` one container serves every
 * agent, so the agent's `docker`, `browser` and `prune` overrides are ignored.
 */
export function resolveSandboxConfig(cfg: OpenClawConfig, agentId: string, opts: ResolveOptions = {}): SandboxSettings {
  const defaults = cfg.agents?.defaults?.sandbox;
  const found = agentEntry(cfg, agentId);
  const own = found?.entry.sandbox;
  const scope = resolveScope(own?.scope ?? defaults?.scope, own?.perSession ?? defaults?.perSession);
  const agentDocker = scope === "shared" ? undefined : own?.docker;
  const agentPrune = scope === "shared" ? undefined : own?.prune;
  const env = opts.env ?? process.env;
  const stateDir = opts.stateDir ?? resolveStateDir(env);
  const root = own?.workspaceRoot ?? defaults?.workspaceRoot;
  return {
    mode: own?.mode ?? defaults?.mode ?? "off",
    modeKey: own?.mode && found ? `agents.list.${found.index}.sandbox.mode` : "agents.defaults.sandbox.mode",
    scope,
    workspaceAccess: own?.workspaceAccess ?? defaults?.workspaceAccess ?? "none",
    workspaceRoot: root ? path.resolve(expandHome(root, env)) : path.join(stateDir, "sandboxes"),
    sessionToolsVisibility: own?.sessionToolsVisibility ?? defaults?.sessionToolsVisibility ?? "spawned",
    docker: resolveDocker(defaults?.docker, agentDocker),
    prune: {
      idleHours: agentPrune?.idleHours ?? defaults?.prune?.idleHours ?? DEFAULT_SANDBOX_IDLE_HOURS,
      maxAgeDays: agentPrune?.maxAgeDays ?? defaults?.prune?.maxAgeDays ?? DEFAULT_SANDBOX_MAX_AGE_DAYS,
    },
  };
}

/** The session key that counts as the agent's main session (`agent:<id>:<session.mainKey>`, or `global`). */
export function mainSessionKeyFor(cfg: OpenClawConfig, agentId: string): string {
  if (cfg.session?.scope === "global") return "global";
  return `agent:${normalizeAgentId(agentId)}:${cfg.session?.mainKey?.trim() || "main"}`;
}

/**
 * A session key in one spelling: any name of the main session (`main`, the main key,
 * `agent:<id>:main`) becomes the main session key, and the agent id is lower-cased.
 */
export function canonicalSandboxSessionKey(cfg: OpenClawConfig, agentId: string, sessionKey: string): string {
  const key = sessionKey.trim();
  const id = normalizeAgentId(agentId);
  const mainKey = cfg.session?.mainKey?.trim() || "main";
  if (key === "main" || key === mainKey || key === `agent:${id}:main` || key === `agent:${id}:${mainKey}`) {
    return mainSessionKeyFor(cfg, id);
  }
  const m = /^agent:([^:]+):(.+)$/.exec(key);
  return m ? `agent:${normalizeAgentId(m[1]!)}:${m[2]}` : key;
}

/**
 * Whether this session's tools run in a sandbox: never with `mode: off`, always with `all`, and with
 * `non-main` for every session but the agent's main one (so every group and channel chat).
 */
export function isSandboxed(cfg: OpenClawConfig, agentId: string, sessionKey: string, opts: ResolveOptions = {}): boolean {
  const { mode } = resolveSandboxConfig(cfg, agentId, opts);
  if (mode === "off") return false;
  if (mode === "all") return true;
  return canonicalSandboxSessionKey(cfg, agentId, sessionKey) !== mainSessionKeyFor(cfg, agentId);
}

/** Channel ids a sandboxed session may not use directly (OpenClaw's built-in chat channels). */
export const SANDBOX_DENIED_CHANNEL_IDS = ["telegram", "whatsapp", "discord", "googlechat", "slack", "signal", "imessage"];

export const DEFAULT_SANDBOX_TOOL_ALLOW = [
  "exec",
  "process",
  "read",
  "write",
  "edit",
  "apply_patch",
  "image",
  "sessions_list",
  "sessions_history",
  "sessions_send",
  "sessions_spawn",
  "session_status",
];

export const DEFAULT_SANDBOX_TOOL_DENY = ["browser", "canvas", "nodes", "cron", "gateway", ...SANDBOX_DENIED_CHANNEL_IDS];

/** What a sandboxed session's tools are narrowed by; the tool-policy engine applies it. */
export interface SandboxToolPolicy {
  allow?: string[];
  alsoAllow?: string[];
  deny?: string[];
}

export interface SandboxToolPolicySources {
  /** `default`, `global` (`tools.sandbox.tools`) or `agent` (`agents.list[].tools.sandbox.tools`), per list. */
  allow: { source: "default" | "global" | "agent"; key: string };
  deny: { source: "default" | "global" | "agent"; key: string };
}

/**
 * The sandbox tool policy for an agent. Each list set in `agents.list[].tools.sandbox.tools` replaces
 * the same list of `tools.sandbox.tools` (it is not merged); a list set in neither is the default.
 * `image` stays allowed unless it is denied, as in OpenClaw (multimodal replies need it).
 */
export function sandboxToolPolicy(cfg: OpenClawConfig, agentId: string): SandboxToolPolicy {
  return sandboxToolPolicyWithSources(cfg, agentId).policy;
}

export function sandboxToolPolicyWithSources(
  cfg: OpenClawConfig,
  agentId: string,
): { policy: SandboxToolPolicy; sources: SandboxToolPolicySources } {
  const agentTools = agentEntry(cfg, agentId)?.entry.tools?.sandbox?.tools;
  const globalTools = cfg.tools?.sandbox?.tools;
  const from = (list: "allow" | "deny") =>
    Array.isArray(agentTools?.[list])
      ? { source: "agent" as const, key: `agents.list[].tools.sandbox.tools.${list}` }
      : Array.isArray(globalTools?.[list])
        ? { source: "global" as const, key: `tools.sandbox.tools.${list}` }
        : { source: "default" as const, key: `tools.sandbox.tools.${list}` };
  const sources = { allow: from("allow"), deny: from("deny") };
  const deny = [...(agentTools?.deny ?? globalTools?.deny ?? DEFAULT_SANDBOX_TOOL_DENY)];
  let allow = [...(agentTools?.allow ?? globalTools?.allow ?? DEFAULT_SANDBOX_TOOL_ALLOW)];
  const alsoAllow = agentTools?.alsoAllow ?? globalTools?.alsoAllow;
  const lower = (xs: string[]) => xs.map((x) => x.toLowerCase());
  if (allow.length > 0 && !lower(deny).includes("image") && !lower(allow).includes("image")) allow = [...allow, "image"];
  const policy: SandboxToolPolicy = { allow, deny };
  if (alsoAllow?.length) policy.alsoAllow = [...alsoAllow];
  return { policy, sources };
}
