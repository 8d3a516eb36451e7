/**
 * Which tools the model is offered, as OpenClaw 2026.1.29 decides it: a tool profile (plus
 * `alsoAllow`), then the global, per-provider, per-agent and per-agent-provider allow/deny lists, then a
 * group's (or a sender's) list, then the sub-agent list. Each step can only narrow; deny always wins; a
 * non-empty allow list admits only what it names. Names match case-insensitively, `*` is a wildcard,
 * `group:*` names expand, a plugin id stands for that plugin's tools, and `bash`/`apply-patch` are
 * aliases. An allow list that names no built-in tool (only plugin tools or unknown names) is set
 * aside with a warning, so a config meant to add a plugin tool never takes the built-in ones away
 * (`tools.alsoAllow` is the additive way).
 *
 * Denied tools are never sent to the model. Nothing here can widen what `exec` may do: that is the
 * exec tool's own security and approval settings.
 */
import type { OpenClawConfig } from "../config/schema.js";

export interface ToolPolicy {
  allow?: string[];
  deny?: string[];
}

interface PolicyConfig extends ToolPolicy {
  alsoAllow?: string[];
  profile?: string;
  byProvider?: Record<string, PolicyConfig>;
}

const ALIASES: Record<string, string> = { bash: "exec", "apply-patch": "apply_patch" };

/** Named sets of tools (the names OpenClaw uses). */
export const TOOL_GROUPS: Readonly<Record<string, readonly string[]>> = {
  "group:memory": ["memory_search", "memory_get"],
  "group:web": ["web_search", "web_fetch"],
  "group:fs": ["read", "write", "edit", "apply_patch"],
  "group:runtime": ["exec", "process"],
  "group:sessions": ["sessions_list", "sessions_history", "sessions_send", "sessions_spawn", "session_status"],
  "group:ui": ["browser", "canvas"],
  "group:automation": ["cron", "gateway"],
  "group:messaging": ["message"],
  "group:nodes": ["nodes"],
  "group:openclaw": [
    "browser",
    "canvas",
    "nodes",
    "cron",
    "message",
    "gateway",
    "agents_list",
    "sessions_list",
    "sessions_history",
    "sessions_send",
    "sessions_spawn",
    "session_status",
    "memory_search",
    "memory_get",
    "web_search",
    "web_fetch",
    "image",
  ],
};

/** `tools.profile`: a starting allow list (`full`: everything). */
export const TOOL_PROFILES: Readonly<Record<string, ToolPolicy>> = {
  minimal: { allow: ["session_status"] },
  coding: { allow: ["group:fs", "group:runtime", "group:sessions", "group:memory", "image"] },
  messaging: { allow: ["group:messaging", "sessions_list", "sessions_history", "sessions_send", "session_status"] },
  full: {},
};

/** What a sub-agent may not use unless its config allows it (the main agent orchestrates). */
const SUBAGENT_DENY = [
  "sessions_list",
  "sessions_history",
  "sessions_send",
  "sessions_spawn",
  "gateway",
  "agents_list",
  "whatsapp_login",
  "session_status",
  "cron",
  "memory_search",
  "memory_get",
];

export function normalizeToolName(name: string): string {
  const n = name.trim().toLowerCase();
  return ALIASES[n] ?? n;
}

export interface ToolInfo {
  name: string;
  /** Set for a plugin's tool. */
  pluginId?: string;
}

export interface PolicyInput {
  config: OpenClawConfig;
  agentId: string;
  /** The model in use, for `byProvider` (`anthropic` or `anthropic/claude-…`). */
  provider?: string;
  modelId?: string;
  /** The group's (or the sender's) `tools` entry, as the channel's config gives it. */
  group?: ToolPolicy & { alsoAllow?: string[] };
  /** The sandbox's tool policy, for a sandboxed session (`tools.sandbox.tools`, or the agent's). */
  sandbox?: ToolPolicy & { alsoAllow?: string[] };
  /** A sub-agent's session. */
  subagent?: boolean;
}

type Pattern = { all: true } | { exact: string } | { re: RegExp };

function compile(list: readonly string[], plugins: Map<string, string[]>, pluginTools: string[]): Pattern[] {
  const out: Pattern[] = [];
  for (const raw of list) {
    const name = normalizeToolName(raw);
    if (!name) continue;
    const expanded = TOOL_GROUPS[name] ??
      (name === "group:plugins" && pluginTools.length ? pluginTools : undefined) ??
      plugins.get(name) ?? [name];
    for (const n of expanded) {
      if (n === "*") out.push({ all: true });
      else if (n.includes("*")) out.push({ re: new RegExp(`^${n.split("*").map(escape).join(".*")}$`) });
      else out.push({ exact: n });
    }
  }
  return out;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const matches = (name: string, patterns: Pattern[]) =>
  patterns.some((p) => ("all" in p ? true : "exact" in p ? p.exact === name : p.re.test(name)));

/** An allow list that also takes `alsoAllow` (alone, `alsoAllow` adds to "everything"). */
function pick(c: PolicyConfig | undefined): ToolPolicy | undefined {
  if (!c) return undefined;
  const also = c.alsoAllow?.length ? c.alsoAllow : undefined;
  const allow = c.allow ? [...new Set([...c.allow, ...(also ?? [])])] : also ? ["*", ...also] : undefined;
  return allow || c.deny ? { allow, deny: c.deny } : undefined;
}

function providerEntry(
  byProvider: Record<string, PolicyConfig> | undefined,
  provider?: string,
  modelId?: string,
): PolicyConfig | undefined {
  if (!byProvider || !provider) return undefined;
  const lookup = new Map(Object.entries(byProvider).map(([k, v]) => [k.trim().toLowerCase(), v]));
  const p = provider.trim().toLowerCase();
  const m = modelId?.trim().toLowerCase();
  const full = m ? (m.includes("/") ? m : `${p}/${m}`) : undefined;
  return (full ? lookup.get(full) : undefined) ?? lookup.get(p);
}

function withProfile(profile: string | undefined, alsoAllow: string[] | undefined): ToolPolicy | undefined {
  const base = profile ? TOOL_PROFILES[profile] : undefined;
  if (!base?.allow) return undefined;
  return { allow: [...new Set([...base.allow, ...(alsoAllow ?? [])])] };
}

export interface ResolvedToolPolicy {
  /** Whether the model may be offered (and may call) this tool. */
  allows(name: string): boolean;
  /** Allow lists set aside because they named no built-in tool (config path → unknown names). */
  warnings: string[];
}

export function resolveToolPolicy(input: PolicyInput, tools: readonly ToolInfo[]): ResolvedToolPolicy {
  const cfg = input.config as { tools?: PolicyConfig & { subagents?: { tools?: PolicyConfig } } };
  const agent = (input.config.agents?.list ?? []).find((a) => a.id === input.agentId) as { tools?: PolicyConfig } | undefined;
  const global = cfg.tools;
  const own = agent?.tools;
  const provider = providerEntry(global?.byProvider, input.provider, input.modelId);
  const agentProvider = providerEntry(own?.byProvider, input.provider, input.modelId);

  const plugins = new Map<string, string[]>();
  const pluginTools: string[] = [];
  const core = new Set<string>();
  for (const t of tools) {
    const name = normalizeToolName(t.name);
    if (!t.pluginId) {
      core.add(name);
      continue;
    }
    pluginTools.push(name);
    const id = t.pluginId.toLowerCase();
    plugins.set(id, [...(plugins.get(id) ?? []), name]);
  }

  const warnings: string[] = [];
  /** Sets aside an allow list naming no built-in tool, with a warning. */
  const guard = (p: ToolPolicy | undefined, where: string): ToolPolicy | undefined => {
    if (!p?.allow?.length) return p;
    const names = p.allow.map(normalizeToolName);
    const known = (n: string) => n === "*" || n.includes("*") || (TOOL_GROUPS[n] ?? [n]).some((x) => core.has(x));
    const isPlugin = (n: string) => n === "group:plugins" || plugins.has(n) || pluginTools.includes(n);
    const unknown = names.filter((n) => !known(n) && !isPlugin(n));
    const hasCore = names.some(known);
    if (unknown.length || !hasCore) {
      warnings.push(
        hasCore
          ? `${where} names unknown tools (${unknown.join(", ")}); they match nothing unless a plugin provides them`
          : `${where} names no built-in tool (${names.join(", ")}); it is ignored so the built-in tools stay available (use tools.alsoAllow to add plugin tools)`,
      );
    }
    return hasCore ? p : { ...p, allow: undefined };
  };

  const subagent = input.subagent
    ? { allow: global?.subagents?.tools?.allow, deny: [...SUBAGENT_DENY, ...(global?.subagents?.tools?.deny ?? [])] }
    : undefined;
  const steps: Array<ToolPolicy | undefined> = [
    guard(withProfile(own?.profile ?? global?.profile, own?.alsoAllow ?? global?.alsoAllow), "tools.profile"),
    guard(
      withProfile(agentProvider?.profile ?? provider?.profile, agentProvider?.alsoAllow ?? provider?.alsoAllow),
      "tools.byProvider.profile",
    ),
    guard(pick(global), "tools.allow"),
    guard(pick(provider), "tools.byProvider.allow"),
    guard(pick(own), `agents.list[${input.agentId}].tools.allow`),
    guard(pick(agentProvider), `agents.list[${input.agentId}].tools.byProvider.allow`),
    guard(pick(input.group), "the group's tools.allow"),
    guard(pick(input.sandbox), "tools.sandbox.tools.allow"),
    subagent,
  ];
  const compiled = steps
    .filter((s): s is ToolPolicy => Boolean(s))
    .map((s) => ({ allow: compile(s.allow ?? [], plugins, pluginTools), deny: compile(s.deny ?? [], plugins, pluginTools) }));

  return {
    warnings,
    allows(raw) {
      const name = normalizeToolName(raw);
      return compiled.every(({ allow, deny }) => {
        if (matches(name, deny)) return false;
        if (!allow.length || matches(name, allow)) return true;
        // Allowing exec allows apply_patch too.
        return name === "apply_patch" && matches("exec", allow);
      });
    },
  };
}
