/**
 * `exec`: runs a shell command for the agent, in the session's sandbox or on the gateway host, as
 * OpenClaw 2026.1.29's tool does (same parameters, result texts and details).
 *
 * The model can only narrow what it may do: `host` must be the configured one, `security` can only
 * tighten and `ask` only increase. On the gateway host the effective policy (the tool's settings and
 * the approvals file, whichever is stricter) decides; when the owner must approve, the call waits
 * for the decision and then runs the command in the same call. Commands run detached in their own
 * process group, so a timeout, an abort or `process kill` stops everything they started.
 */
import fs from "node:fs";
import path from "node:path";
import * as z from "zod";
import type { OpenClawConfig } from "../../config/schema.js";
import {
  addToAllowlist,
  decide,
  effectivePolicy,
  evaluateAllowlist,
  fallbackDecision,
  isDangerousEnvName,
  maxAsk,
  minSecurity,
  parseAsk,
  parseSecurity,
  recordAllowlistUse,
  type ExecAsk,
  type ExecSecurity,
} from "../../exec/allowlist.js";
import { defineTool, type Tool, type ToolContext, type ToolResult } from "../registry.js";
import { createProcessTool } from "./process.js";
import { ProcessRegistry, type ProcessSession } from "./sessions.js";

export const DEFAULT_TIMEOUT_SEC = 1800;
export const DEFAULT_BACKGROUND_MS = 10_000;
export const DEFAULT_CLEANUP_MS = 30 * 60_000;
/** How long the owner has to answer an approval request. */
export const APPROVAL_TIMEOUT_MS = 120_000;
const NOTIFY_TAIL_CHARS = 400;

type ExecHost = "sandbox" | "gateway" | "node";

const execArgs = () =>
  z.object({
    command: z.string().describe("Shell command to execute"),
    workdir: z.string().optional().describe("Working directory (defaults to the workspace)"),
    env: z.record(z.string(), z.string()).optional().describe("Extra environment variables"),
    yieldMs: z.number().optional().describe("Milliseconds to wait before backgrounding (default 10000)"),
    background: z.boolean().optional().describe("Run in the background immediately"),
    timeout: z.number().positive().optional().describe("Timeout in seconds (kills the process when it expires)"),
    pty: z.boolean().optional().describe("Run in a pseudo-terminal when available (TTY-required commands)"),
    elevated: z.boolean().optional().describe("Run on the host with elevated permissions (if allowed)"),
    host: z.string().optional().describe("Exec host (sandbox|gateway|node)"),
    security: z.string().optional().describe("Exec security mode (deny|allowlist|full)"),
    ask: z.string().optional().describe("Exec ask mode (off|on-miss|always)"),
    node: z.string().optional().describe("Node id/name for host=node"),
  });
type Args = z.infer<ReturnType<typeof execArgs>>;

/** Environment variable names that hold the gateway's own secrets; commands never see them. */
export function isSecretEnvName(name: string): boolean {
  const n = name.toUpperCase();
  return (
    n.startsWith("OPENCLAW_GATEWAY_") ||
    n.startsWith("CLAWDBOT_GATEWAY_") ||
    n.endsWith("_API_KEY") ||
    n.endsWith("_TOKEN") ||
    n.endsWith("_SECRET") ||
    n.includes("PASSWORD") ||
    n.includes("SECRET") ||
    n === "API_KEY" ||
    n === "AWS_SECRET_ACCESS_KEY" ||
    n === "AWS_SESSION_TOKEN"
  );
}

/** The gateway's environment without its secrets. */
export function scrubbedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !isSecretEnvName(k)) out[k] = v;
  return out;
}

interface ExecSettings {
  host: ExecHost;
  security?: ExecSecurity;
  ask?: ExecAsk;
  pathPrepend: string[];
  safeBins?: string[];
  backgroundMs: number;
  timeoutSec: number;
  cleanupMs: number;
  notifyOnExit: boolean;
}

type ExecConfig = NonNullable<NonNullable<OpenClawConfig["tools"]>["exec"]>;

function settingsFor(config: OpenClawConfig | undefined, agentId: string): ExecSettings {
  const global: ExecConfig = config?.tools?.exec ?? {};
  const agent = (config?.agents?.list ?? []).find((a) => a.id === agentId) as { tools?: { exec?: ExecConfig } } | undefined;
  const own: ExecConfig = agent?.tools?.exec ?? {};
  const pick = <K extends keyof ExecConfig>(k: K): ExecConfig[K] => own[k] ?? global[k];
  return {
    host: (pick("host") as ExecHost | undefined) ?? "sandbox",
    security: pick("security"),
    ask: pick("ask"),
    pathPrepend: pick("pathPrepend") ?? [],
    safeBins: pick("safeBins"),
    backgroundMs: pick("backgroundMs") ?? DEFAULT_BACKGROUND_MS,
    timeoutSec: pick("timeoutSec") ?? DEFAULT_TIMEOUT_SEC,
    cleanupMs: pick("cleanupMs") ?? DEFAULT_CLEANUP_MS,
    notifyOnExit: pick("notifyOnExit") ?? true,
  };
}

function fail(text: string, details?: Record<string, unknown>): ToolResult {
  return { text, isError: true, details: { status: "failed", ...details } };
}

function hostShell(env: Record<string, string>): string {
  const shell = env.SHELL?.trim();
  if (shell && !path.basename(shell).includes("fish") && fs.existsSync(shell)) return shell;
  return "/bin/sh";
}

function elevationRefusal(config: OpenClawConfig | undefined, agentId: string, ctx: ToolContext): string | undefined {
  const global = (config?.tools as { elevated?: { enabled?: boolean; allowFrom?: Record<string, unknown[]> } } | undefined)?.elevated;
  const agent = (config?.agents?.list ?? []).find((a) => a.id === agentId) as
    { tools?: { elevated?: { enabled?: boolean; allowFrom?: Record<string, unknown[]> } } } | undefined;
  const own = agent?.tools?.elevated;
  const gates: string[] = [];
  if (global?.enabled !== true || own?.enabled === false)
    gates.push("enabled (tools.elevated.enabled / agents.list[].tools.elevated.enabled)");
  else if (ctx.origin) {
    const allowed = (list: Record<string, unknown[]> | undefined) => {
      const ids = (list?.[ctx.origin!.channel] ?? []).map(String);
      return ids.includes("*") || (ctx.origin!.senderId !== undefined && ids.includes(ctx.origin!.senderId));
    };
    if (ctx.senderAuthorized === false || !allowed(global.allowFrom) || (own?.allowFrom && !allowed(own.allowFrom)))
      gates.push("allowFrom (tools.elevated.allowFrom.<provider> / agents.list[].tools.elevated.allowFrom.<provider>)");
  }
  if (!gates.length) return undefined;
  return [
    `elevated is not available right now (runtime=${ctx.sandbox ? "sandboxed" : "direct"}).`,
    `Failing gates: ${gates.join(", ")}`,
    `Context: session=${ctx.sessionKey}${ctx.origin ? ` provider=${ctx.origin.channel}` : ""}`,
    "Fix-it keys:",
    "- tools.elevated.enabled",
    "- tools.elevated.allowFrom.<provider>",
    "- agents.list[].tools.elevated.enabled",
    "- agents.list[].tools.elevated.allowFrom.<provider>",
  ].join("\n");
}

/** The output with a note on what the cap dropped from its head. */
function shown(s: ProcessSession): string {
  const out = s.aggregated.trim();
  if (!s.droppedChars) return out;
  return `[Output truncated: the first ${s.droppedChars} characters were dropped; the last ${s.aggregated.length} follow.]\n${out}`;
}

function failureReason(s: ProcessSession, timeoutSec: number): string {
  if (s.timedOut) return `Command timed out after ${timeoutSec} seconds`;
  if (s.exitSignal) return `Command aborted by signal ${s.exitSignal}`;
  if (s.exitCode === null) return "Command aborted before exit code was captured";
  return `Command exited with code ${s.exitCode}`;
}

export interface ExecTools {
  exec: Tool<Args>;
  process: Tool<any>;
  /** Stops every process and forgets them (gateway shutdown). */
  dispose(): void;
}

export interface ExecToolsOptions {
  /** The gateway's environment (default `process.env`), secrets removed before any command sees it. */
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** Grace between SIGTERM and SIGKILL when stopping a process group. */
  killGraceMs?: number;
  maxOutputChars?: number;
}

/** Both tools over one process registry (one per gateway). */
export function createExecTools(opts: ExecToolsOptions = {}): ExecTools {
  const registry = new ProcessRegistry(opts.now ?? Date.now, { killGraceMs: opts.killGraceMs, maxOutputChars: opts.maxOutputChars });
  const baseEnv = () => scrubbedEnv(opts.env ?? process.env);
  const exec = defineTool<Args>({
    name: "exec",
    description:
      "Execute shell commands with background continuation. Use yieldMs/background to continue later via process tool. Use pty=true for TTY-required commands (terminal UIs, coding agents).",
    args: execArgs,
    timeoutMs: 0,
    run: (args, ctx) => runExec(args, ctx),
  });

  async function runExec(args: Args, ctx: ToolContext): Promise<ToolResult> {
    const command = args.command;
    if (!command.trim()) return fail("Provide a command to start.");
    const cfg = settingsFor(ctx.config, ctx.agentId);
    registry.sweep(cfg.cleanupMs);
    const warnings: string[] = [];
    if (args.pty) warnings.push("Warning: pty is not available here; running without a terminal.");

    // Host, security and ask: the model may narrow them, never widen.
    let requestedHost: ExecHost | undefined;
    if (args.host !== undefined) {
      const h = args.host.trim().toLowerCase();
      if (h !== "sandbox" && h !== "gateway" && h !== "node")
        return fail(`Unknown exec host "${args.host}"; use sandbox, gateway or node.`);
      requestedHost = h;
    }
    if (args.security !== undefined && !parseSecurity(args.security))
      return fail(`Unknown exec security "${args.security}"; use deny, allowlist or full.`);
    if (args.ask !== undefined && !parseAsk(args.ask)) return fail(`Unknown exec ask "${args.ask}"; use off, on-miss or always.`);
    const elevated = args.elevated === true;
    if (elevated) {
      const refusal = elevationRefusal(ctx.config, ctx.agentId, ctx);
      if (refusal) return fail(refusal);
    }
    let host = requestedHost ?? cfg.host;
    if (!elevated && requestedHost && requestedHost !== cfg.host)
      return fail(`exec host not allowed (requested ${requestedHost}; configure tools.exec.host=${requestedHost} to allow).`);
    if (elevated) host = "gateway";
    const configuredSecurity = cfg.security ?? (host === "sandbox" ? "deny" : "allowlist");
    const security = minSecurity(configuredSecurity, parseSecurity(args.security) ?? configuredSecurity);
    const configuredAsk = cfg.ask ?? "on-miss";
    const ask = maxAsk(configuredAsk, parseAsk(args.ask) ?? configuredAsk);

    if (host === "node") return fail("exec host=node requires a paired node (none available). This requires a companion app or node host.");

    // Environment: the gateway's without its secrets, plus the call's (never loader or PATH hijacks).
    const env = baseEnv();
    for (const [k, v] of Object.entries(args.env ?? {})) {
      if (isDangerousEnvName(k))
        return fail(`exec env may not set ${k} (it changes which programs or code run); remove it from env and try again.`);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) return fail(`exec env name "${k}" is not a valid variable name.`);
      env[k] = v;
    }

    const sandbox = host === "sandbox" ? ctx.sandbox : undefined;
    let argv: string[];
    let cwd: string;
    if (sandbox) {
      const inner = args.workdir?.trim()
        ? path.posix.isAbsolute(args.workdir.trim())
          ? args.workdir.trim()
          : path.posix.join(sandbox.workdir, args.workdir.trim())
        : sandbox.workdir;
      argv = sandbox.execArgv(command, { cwd: inner, env: args.env ?? {}, tty: false });
      cwd = ctx.workspaceDir;
      if (!fs.existsSync(cwd)) cwd = process.cwd();
    } else {
      cwd = path.resolve(ctx.workspaceDir, args.workdir?.trim() || ".");
      let st: fs.Stats | undefined;
      try {
        st = fs.statSync(cwd);
      } catch {
        // Reported below.
      }
      if (!st?.isDirectory()) return fail(`Working directory ${cwd} does not exist or is not a directory; pass an existing workdir.`);
      if (cfg.pathPrepend.length) env.PATH = [...cfg.pathPrepend, env.PATH ?? ""].filter(Boolean).join(path.delimiter);
      argv = [hostShell(env), "-c", command];
    }

    if (host === "gateway") {
      const approver = ctx.host?.approvals;
      let file;
      try {
        file = approver?.store.snapshot().file ?? { version: 1 as const, agents: {} };
      } catch (err) {
        return fail(`exec approvals file could not be read: ${(err as Error).message}`);
      }
      const policy = effectivePolicy(file, ctx.agentId, { security, ask });
      if (policy.security === "deny") return fail("exec denied: host=gateway security=deny", { reason: "security=deny" });
      const ev = evaluateAllowlist({
        command,
        allowlist: policy.allowlist,
        safeBins: cfg.safeBins,
        cwd,
        env,
        pathPrepend: [],
      });
      const verdict = decide(policy, ev);
      if (verdict.kind === "deny") return fail(`exec denied: allowlist miss`, { reason: verdict.reason });
      if (verdict.kind === "ask") {
        if (!approver)
          return fail(
            "exec needs approval (host=gateway, ask=" +
              policy.ask +
              ") but this gateway has no approval service; set tools.exec.security=full or allowlist the command in exec-approvals.json.",
            { reason: "no-approver" },
          );
        const { id, decision } = await approver.request(
          {
            command,
            cwd,
            host: "gateway",
            security: policy.security,
            ask: policy.ask,
            agentId: ctx.agentId,
            resolvedPath: ev.segments[0]?.resolvedPath ?? null,
            sessionKey: ctx.sessionKey,
          },
          { timeoutMs: APPROVAL_TIMEOUT_MS, ...(ctx.origin ? { origin: ctx.origin } : {}), signal: ctx.signal },
        );
        if (ctx.signal.aborted) return fail("exec was aborted while waiting for approval; the command did not run.");
        let denied: string | undefined;
        if (decision === "deny") denied = "user-denied";
        else if (decision === null) {
          const fb = fallbackDecision(policy.askFallback, ev);
          if (!fb.allow) denied = fb.reason;
        } else if (decision === "allow-always" && policy.security === "allowlist") {
          try {
            addToAllowlist(approver.store, ctx.agentId, verdict.resolvedPaths, ctx.now());
          } catch (err) {
            warnings.push(`Warning: could not add to the allowlist: ${(err as Error).message}`);
          }
        }
        if (denied)
          return {
            text: `Exec denied (gateway id=${id}, ${denied}): ${command}`,
            isError: true,
            details: { status: "denied", reason: denied, approvalId: id, host: "gateway", command, cwd },
          };
      }
      if (approver && ev.matches.length) {
        try {
          recordAllowlistUse(approver.store, ctx.agentId, ev.matches, command, ev.segments[0]?.resolvedPath, ctx.now());
        } catch {
          // Bookkeeping only: a failed write does not stop the command.
        }
      }
    }

    return start(argv, command, cwd, env, args, cfg, ctx, warnings);
  }

  async function start(
    argv: string[],
    command: string,
    cwd: string,
    env: Record<string, string>,
    args: Args,
    cfg: ExecSettings,
    ctx: ToolContext,
    warnings: string[],
  ): Promise<ToolResult> {
    const timeoutSec = args.timeout ?? cfg.timeoutSec;
    const warningText = warnings.length ? `${warnings.join("\n")}\n\n` : "";
    let session: ProcessSession;
    try {
      session = registry.spawn({
        argv,
        command,
        cwd,
        env,
        scope: ctx.agentId,
        sessionKey: ctx.sessionKey,
        timeoutSec,
        notifyOnExit: cfg.notifyOnExit,
        onExit: (s) => {
          if (!s.backgrounded || !s.notifyOnExit) return;
          const label = s.exitSignal ? `signal ${s.exitSignal}` : `code ${s.exitCode ?? 0}`;
          const tail = s.aggregated.trim().slice(-NOTIFY_TAIL_CHARS).replace(/\s+/g, " ").trim();
          const text = `Exec ${s.status} (${s.id.slice(0, 8)}, ${label})${tail ? ` :: ${tail}` : ""}`;
          ctx.host?.systemEvents?.enqueue(s.sessionKey, text, `exec:${s.id}`);
        },
      });
    } catch (err) {
      return fail(`exec could not start the command: ${(err as Error).message}`);
    }
    const running = (): ToolResult => {
      session.backgrounded = true;
      return {
        text:
          `${warningText}Command still running (session ${session.id}, pid ${session.pid ?? "n/a"}). ` +
          "Use process (list/poll/log/write/kill/clear/remove) for follow-up.",
        details: {
          status: "running",
          sessionId: session.id,
          pid: session.pid,
          startedAt: session.startedAt,
          cwd,
          tail: session.aggregated.slice(-2000),
        },
      };
    };
    if (args.background === true) return running();
    const yieldMs = Math.min(120_000, Math.max(10, Math.floor(args.yieldMs ?? cfg.backgroundMs)));
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const outcome = await new Promise<"exited" | "yield" | "aborted">((resolve) => {
      void session.exited.then(() => resolve("exited"));
      timer = setTimeout(() => resolve("yield"), yieldMs);
      onAbort = () => resolve("aborted");
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener("abort", onAbort, { once: true });
    });
    clearTimeout(timer);
    if (onAbort) ctx.signal.removeEventListener("abort", onAbort);
    if (outcome === "yield") return running();
    if (outcome === "aborted") {
      registry.kill(session);
      registry.remove(session.id);
      return fail("exec was aborted; the command was stopped.");
    }
    registry.remove(session.id);
    const out = shown(session);
    if (session.status !== "completed") {
      const reason = failureReason(session, timeoutSec);
      return {
        text: `${warningText}${out ? `${out}\n\n${reason}` : reason}`,
        isError: true,
        details: {
          status: "failed",
          exitCode: session.exitCode,
          exitSignal: session.exitSignal,
          durationMs: (session.endedAt ?? ctx.now()) - session.startedAt,
          aggregated: out,
          timedOut: session.timedOut,
          cwd,
        },
      };
    }
    return {
      text: `${warningText}${out || "(no output)"}`,
      details: {
        status: "completed",
        exitCode: session.exitCode ?? 0,
        durationMs: (session.endedAt ?? ctx.now()) - session.startedAt,
        aggregated: out,
        cwd,
      },
    };
  }

  const processTool = createProcessTool(registry, (config, agentId) => settingsFor(config, agentId).cleanupMs);
  return {
    exec,
    process: processTool,
    dispose: () => registry.dispose(),
  };
}
