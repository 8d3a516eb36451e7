/**
 * Whether a command may run on the gateway host: the exec security level (`deny`, `allowlist`,
 * `full`), the ask level (`off`, `on-miss`, `always`) and the agent's allowlist of resolved binary
 * paths, as OpenClaw 2026.1.29 decides them.
 *
 * In allowlist mode every command of the line (each segment of every pipeline and chain) must be
 * satisfied: its binary, resolved through PATH, matches an allowlist pattern, or it is a safe bin
 * (a filter such as `jq` or `grep`) used without file arguments. Redirections, substitutions,
 * grouping, dynamic words and anything the parser cannot analyse are misses.
 */
import fs from "node:fs";
import path from "node:path";
import { expandHome } from "../infra/paths.js";
import type { ExecApprovalsFile, ExecApprovalsStore } from "./approvals-file.js";
import { analyzeShell, type ShellSegment } from "./shell.js";

export type ExecSecurity = "deny" | "allowlist" | "full";
export type ExecAsk = "off" | "on-miss" | "always";

export const DEFAULT_SAFE_BINS = ["jq", "grep", "cut", "sort", "uniq", "head", "tail", "tr", "wc"];

const SECURITY_ORDER: Record<ExecSecurity, number> = { deny: 0, allowlist: 1, full: 2 };
const ASK_ORDER: Record<ExecAsk, number> = { off: 0, "on-miss": 1, always: 2 };

/** The stricter of two security levels. */
export function minSecurity(a: ExecSecurity, b: ExecSecurity): ExecSecurity {
  return SECURITY_ORDER[a] <= SECURITY_ORDER[b] ? a : b;
}
/** The more asking of two ask levels. */
export function maxAsk(a: ExecAsk, b: ExecAsk): ExecAsk {
  return ASK_ORDER[a] >= ASK_ORDER[b] ? a : b;
}
export function parseSecurity(v: unknown): ExecSecurity | undefined {
  return typeof v === "string" && v.trim().toLowerCase() in SECURITY_ORDER ? (v.trim().toLowerCase() as ExecSecurity) : undefined;
}
export function parseAsk(v: unknown): ExecAsk | undefined {
  return typeof v === "string" && v.trim().toLowerCase() in ASK_ORDER ? (v.trim().toLowerCase() as ExecAsk) : undefined;
}

/**
 * Environment variables that change which code a program loads or how a shell starts: a command
 * may not set them (in its environment or as a `NAME=value` prefix) on an approved binary.
 */
export function isDangerousEnvName(name: string): boolean {
  const n = name.toUpperCase();
  return (
    n === "PATH" ||
    n === "IFS" ||
    n === "ENV" ||
    n === "BASH_ENV" ||
    n === "SHELLOPTS" ||
    n === "BASHOPTS" ||
    n === "PS4" ||
    n === "PROMPT_COMMAND" ||
    n === "NODE_OPTIONS" ||
    n === "NODE_PATH" ||
    n === "PYTHONPATH" ||
    n === "PYTHONSTARTUP" ||
    n === "PYTHONHOME" ||
    n === "PERL5LIB" ||
    n === "PERL5OPT" ||
    n === "RUBYOPT" ||
    n === "RUBYLIB" ||
    n === "GIT_EXEC_PATH" ||
    n === "GIT_SSH_COMMAND" ||
    n === "GIT_CONFIG_GLOBAL" ||
    n.startsWith("LD_") ||
    n.startsWith("DYLD_") ||
    n.startsWith("BASH_FUNC_")
  );
}

export interface AllowlistEntry {
  id?: string;
  pattern: string;
  lastUsedAt?: number;
  lastUsedCommand?: string;
  lastResolvedPath?: string;
}

export interface ExecPolicy {
  security: ExecSecurity;
  ask: ExecAsk;
  askFallback: ExecSecurity;
  /** The agent's entries and the `*` entries. */
  allowlist: AllowlistEntry[];
}

/**
 * The policy in force for an agent: the stricter security and the higher ask of the tool's settings
 * and the approvals file (the agent's entry, else `*`, else `defaults`, else the tool's own values).
 */
export function effectivePolicy(file: ExecApprovalsFile, agentId: string, tool: { security: ExecSecurity; ask: ExecAsk }): ExecPolicy {
  const d = file.defaults ?? {};
  const agent = file.agents?.[agentId] ?? {};
  const any = file.agents?.["*"] ?? {};
  const fileSecurity = parseSecurity(agent.security) ?? parseSecurity(any.security) ?? parseSecurity(d.security) ?? tool.security;
  const fileAsk = parseAsk(agent.ask) ?? parseAsk(any.ask) ?? parseAsk(d.ask) ?? tool.ask;
  const askFallback = parseSecurity(agent.askFallback) ?? parseSecurity(any.askFallback) ?? parseSecurity(d.askFallback) ?? "deny";
  return {
    security: minSecurity(tool.security, fileSecurity),
    ask: maxAsk(tool.ask, fileAsk),
    askFallback,
    allowlist: [...(any.allowlist ?? []), ...(agentId === "*" ? [] : (agent.allowlist ?? []))],
  };
}

/** `~` expanded; undefined when there is no home folder to expand it to (what needs one then matches nothing). */
function expandOrNone(p: string, env: Record<string, string | undefined>): string | undefined {
  try {
    return expandHome(p, env);
  } catch {
    return undefined;
  }
}

function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The absolute path a command name runs, through `PATH` (after `pathPrepend`); undefined when none. */
export function resolveExecutable(
  name: string,
  cwd: string,
  env: Record<string, string | undefined>,
  pathPrepend: readonly string[] = [],
): string | undefined {
  const expanded = expandOrNone(name, env);
  if (expanded === undefined) return undefined;
  if (expanded.includes("/")) {
    const file = path.resolve(cwd, expanded);
    return isExecutable(file) ? file : undefined;
  }
  if (!expanded) return undefined;
  const dirs = [...pathPrepend, ...(env.PATH ?? "").split(path.delimiter)].filter(Boolean);
  for (const dir of dirs) {
    const inDir = expandOrNone(dir, env);
    if (inDir === undefined) continue;
    const file = path.join(path.resolve(cwd, inDir), expanded);
    if (isExecutable(file)) return file;
  }
  return undefined;
}

function globToRegExp(pattern: string): RegExp {
  let re = "^";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") {
      if (pattern[i + 1] === "*") {
        re += ".*";
        i++;
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`${re}$`, "i");
}

/** The entry whose pattern matches `resolvedPath` (case-insensitive glob; name-only patterns never match). */
export function matchAllowlist(
  entries: readonly AllowlistEntry[],
  resolvedPath: string,
  env: Record<string, string | undefined>,
): AllowlistEntry | undefined {
  for (const entry of entries) {
    const pattern = entry.pattern?.trim();
    if (!pattern || !(pattern.includes("/") || pattern.includes("\\") || pattern.includes("~"))) continue;
    const expanded = expandOrNone(pattern, env);
    if (expanded !== undefined && globToRegExp(expanded.replace(/\\/g, "/")).test(resolvedPath)) return entry;
  }
  return undefined;
}

function pathLike(token: string): boolean {
  return token.startsWith("/") || token.startsWith("./") || token.startsWith("../") || token.startsWith("~");
}

/** Options that make a safe bin write or read a named file. */
const FILE_OPTIONS = /^(-o|--output|--files0-from|--rawfile|--slurpfile|--from-file|-f$|--file)/;

/** A safe bin used as a pure filter: literal arguments, none naming a file. */
function safeBinUsage(seg: ShellSegment, safeBins: ReadonlySet<string>, resolved: string | undefined, cwd: string): boolean {
  const name = seg.argv[0] ?? "";
  if (!resolved || !safeBins.has(path.basename(resolved).toLowerCase()) || !safeBins.has(path.basename(name).toLowerCase())) return false;
  for (let i = 1; i < seg.argv.length; i++) {
    const token = seg.argv[i]!;
    if (!seg.literal[i]) return false;
    if (!token || token === "-") continue;
    if (token.startsWith("-")) {
      if (FILE_OPTIONS.test(token)) return false;
      const eq = token.indexOf("=");
      const value = eq > 0 ? token.slice(eq + 1) : "";
      if (value && (pathLike(value) || fs.existsSync(path.resolve(cwd, value)))) return false;
      continue;
    }
    if (pathLike(token) || fs.existsSync(path.resolve(cwd, token))) return false;
  }
  return true;
}

export interface SegmentVerdict {
  raw: string;
  argv: string[];
  resolvedPath?: string;
  match?: AllowlistEntry;
  safeBin: boolean;
  /** Why this segment is not satisfied (absent when it is). */
  miss?: string;
}

export interface AllowlistEvaluation {
  analysisOk: boolean;
  /** Why the line could not be analysed. */
  reason?: string;
  satisfied: boolean;
  segments: SegmentVerdict[];
  matches: AllowlistEntry[];
}

export interface EvaluateOptions {
  command: string;
  allowlist: readonly AllowlistEntry[];
  safeBins?: readonly string[];
  cwd: string;
  env: Record<string, string | undefined>;
  pathPrepend?: readonly string[];
}

function segmentMiss(seg: ShellSegment): string | undefined {
  if (seg.redirections.length) return "redirection";
  if (seg.commandSubstitution) return "command substitution";
  if (seg.subshell) return "subshell or group";
  if (!seg.argv.length) return "no command";
  if (!seg.literal[0]) return "command name is not literal";
  const bad = seg.assignments.find((a) => isDangerousEnvName(a.name));
  if (bad) return `sets ${bad.name}`;
  return undefined;
}

/** Checks every command of `command` against the allowlist and the safe bins. */
export function evaluateAllowlist(opts: EvaluateOptions): AllowlistEvaluation {
  const analysis = analyzeShell(opts.command);
  const safeBins = new Set((opts.safeBins ?? DEFAULT_SAFE_BINS).map((b) => b.trim().toLowerCase()).filter(Boolean));
  const segments: SegmentVerdict[] = [];
  const matches: AllowlistEntry[] = [];
  for (const seg of analysis.segments) {
    const structural = segmentMiss(seg);
    const resolvedPath =
      seg.argv.length && seg.literal[0] ? resolveExecutable(seg.argv[0]!, opts.cwd, opts.env, opts.pathPrepend) : undefined;
    const v: SegmentVerdict = { raw: seg.raw, argv: seg.argv, safeBin: false, ...(resolvedPath ? { resolvedPath } : {}) };
    if (structural) v.miss = structural;
    else if (!resolvedPath) v.miss = `${seg.argv[0]} not found`;
    else {
      v.match = matchAllowlist(opts.allowlist, resolvedPath, opts.env);
      v.safeBin = !v.match && safeBinUsage(seg, safeBins, resolvedPath, opts.cwd);
      if (v.match) matches.push(v.match);
      else if (!v.safeBin) v.miss = `${resolvedPath} is not allowlisted`;
    }
    segments.push(v);
  }
  const satisfied = analysis.ok && segments.length > 0 && segments.every((s) => !s.miss);
  return {
    analysisOk: analysis.ok,
    ...(analysis.ok ? {} : { reason: analysis.reason }),
    satisfied,
    segments,
    matches: satisfied ? matches : [],
  };
}

export type ExecDecision =
  | { kind: "allow" }
  | { kind: "deny"; reason: string }
  /** Ask the owner; on allow-always, `resolvedPaths` join the allowlist. */
  | { kind: "ask"; resolvedPaths: string[] };

/** What to do with a command under `security` and `ask`, given its allowlist evaluation. */
export function decide(policy: { security: ExecSecurity; ask: ExecAsk }, ev: AllowlistEvaluation): ExecDecision {
  if (policy.security === "deny") return { kind: "deny", reason: "security=deny" };
  const satisfied = policy.security === "allowlist" && ev.analysisOk && ev.satisfied;
  const needsAsk = policy.ask === "always" || (policy.ask === "on-miss" && policy.security === "allowlist" && !satisfied);
  if (needsAsk) return { kind: "ask", resolvedPaths: [...new Set(ev.segments.flatMap((s) => (s.resolvedPath ? [s.resolvedPath] : [])))] };
  if (policy.security === "allowlist" && !satisfied) return { kind: "deny", reason: "allowlist-miss" };
  return { kind: "allow" };
}

/** What an unanswered approval falls back to (`askFallback`); a reason when it denies. */
export function fallbackDecision(askFallback: ExecSecurity, ev: AllowlistEvaluation): { allow: true } | { allow: false; reason: string } {
  if (askFallback === "full") return { allow: true };
  if (askFallback === "allowlist" && ev.analysisOk && ev.satisfied) return { allow: true };
  return { allow: false, reason: askFallback === "allowlist" ? "approval-timeout (allowlist-miss)" : "approval-timeout" };
}

/** Adds `paths` to the agent's allowlist in the approvals file (allow-always). */
export function addToAllowlist(store: ExecApprovalsStore, agentId: string, paths: readonly string[], now: number): void {
  const wanted = paths.map((p) => p.trim()).filter(Boolean);
  if (!wanted.length) return;
  const snap = store.snapshot();
  const agents = { ...snap.file.agents };
  const entry = { ...agents[agentId] };
  const list = [...(entry.allowlist ?? [])];
  let changed = false;
  for (const p of wanted) {
    if (list.some((e) => e.pattern === p)) continue;
    list.push({ pattern: p, lastUsedAt: now });
    changed = true;
  }
  if (!changed) return;
  agents[agentId] = { ...entry, allowlist: list };
  store.save({ ...snap.file, agents }, snap.hash);
}

/** Notes on the matched entries when they were last used, for what, and which binary they let run. */
export function recordAllowlistUse(
  store: ExecApprovalsStore,
  agentId: string,
  matches: readonly AllowlistEntry[],
  command: string,
  resolvedPath: string | undefined,
  now: number,
): void {
  if (!matches.length) return;
  const snap = store.snapshot();
  const patterns = new Set(matches.map((m) => m.pattern));
  const agents = { ...snap.file.agents };
  let changed = false;
  for (const key of [agentId, "*"]) {
    const entry = agents[key];
    if (!entry?.allowlist?.some((e) => patterns.has(e.pattern))) continue;
    agents[key] = {
      ...entry,
      allowlist: entry.allowlist.map((e) =>
        patterns.has(e.pattern)
          ? {
              ...e,
              lastUsedAt: now,
              lastUsedCommand: command.slice(0, 8192),
              ...(resolvedPath ? { lastResolvedPath: resolvedPath } : {}),
            }
          : e,
      ),
    };
    changed = true;
  }
  if (changed) store.save({ ...snap.file, agents }, snap.hash);
}
