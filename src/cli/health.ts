/** `openclaw health` (asks the running gateway) and `openclaw status` (local view plus a probe). */
import type { Command } from "commander";
import { readConfigSnapshot } from "../config/load.js";
import { NoGatewayError, callGateway, fail, printJson, unreachableAdvice } from "./call.js";
import { cliEnv, resolveTarget, type TargetFlags } from "./target.js";
import { budgetSummaryLines } from "../budget/summary.js";

function targetOptions(cmd: Command): Command {
  return cmd
    .option("--url <url>", "gateway WebSocket URL")
    .option("--token <token>", "gateway token")
    .option("--password <password>", "gateway password")
    .option("--timeout <ms>", "timeout in milliseconds", "10000")
    .option("--json", "print JSON");
}

function fmtDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

function fmtAgo(ms: number): string {
  return `${fmtDuration(Math.max(0, ms))} ago`;
}

function clip(text: string, max = 120): string {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** The `agents` part of the `status` method's answer (failover state). */
interface AgentsStatus {
  model?: { primary?: string; fallbacks?: string[] };
  runs?: { active: number; waiting: number; maxConcurrent: number };
  cooldowns?: Array<{ agentId: string; profileId: string; remainingMs: number; reason: string; errorCount: number; lastError?: string }>;
  failovers?: Array<{ at: number; from: string; profileId: string; kind: string; message: string; cooldownMs: number }>;
  budgets?: Parameters<typeof budgetSummaryLines>[0];
}

/** Model chain, runs, credentials resting after failures and recent switches, one line per item. */
export function agentLines(a: AgentsStatus, now: number): string[] {
  const out: string[] = [];
  if (a.model?.primary) {
    const fallbacks = a.model.fallbacks ?? [];
    out.push(`model:      ${a.model.primary}${fallbacks.length ? `, then ${fallbacks.join(", then ")}` : " (no fallbacks)"}`);
  }
  if (a.runs) out.push(`runs:       ${a.runs.active} active, ${a.runs.waiting} waiting (max ${a.runs.maxConcurrent})`);
  const cooldowns = a.cooldowns ?? [];
  if (cooldowns.length === 0) out.push("cooldowns:  none; every model in the chain is available");
  else {
    out.push(`cooldowns:  ${cooldowns.length} credential${cooldowns.length === 1 ? "" : "s"} resting`);
    for (const c of cooldowns) {
      const why = c.reason && c.reason !== "cooldown" ? ` (${c.reason})` : "";
      const errors = c.errorCount
        ? `; ${c.errorCount} error${c.errorCount === 1 ? "" : "s"}${c.lastError ? `, last: ${clip(c.lastError)}` : ""}`
        : "";
      out.push(`  ${c.profileId} (agent ${c.agentId}): rests ${fmtDuration(c.remainingMs)} more${why}${errors}`);
    }
  }
  const failovers = a.failovers ?? [];
  if (failovers.length === 0) out.push("failovers:  none since the gateway started");
  else {
    out.push(`failovers:  ${failovers.length} recent, newest first`);
    for (const f of [...failovers].reverse()) {
      const rest = f.cooldownMs > 0 ? `; ${f.profileId} rests ${fmtDuration(f.cooldownMs)}` : "";
      out.push(`  ${fmtAgo(now - f.at)}  ${f.from} failed (${f.kind}): ${clip(f.message)}${rest}`);
    }
  }
  out.push(...budgetSummaryLines(a.budgets));
  return out;
}

export function registerHealth(program: Command): void {
  targetOptions(program.command("health").description("Health of the running gateway (exits non-zero when unreachable)")).action(
    async (flags: TargetFlags & { json?: boolean }) => {
      try {
        const h = await callGateway<{ ok: boolean; version: string; uptimeMs: number; config: { valid: boolean } }>("health", {}, flags);
        if (flags.json) printJson(h);
        else
          process.stdout.write(
            `gateway ok: version ${h.version}, up ${fmtDuration(h.uptimeMs)}, config ${h.config.valid ? "valid" : "INVALID"}\n`,
          );
        if (!h.ok) process.exitCode = 1;
      } catch (e) {
        fail((e as Error).message);
      }
    },
  );

  targetOptions(program.command("status").description("Local state and the running gateway's status")).action(
    async (flags: TargetFlags & { json?: boolean }) => {
      const c = cliEnv();
      const snap = readConfigSnapshot(c.configPath, { ...c.env });
      const target = resolveTarget(flags, c);
      let gateway: unknown = null;
      let error: string | null = null;
      let unreachable: NoGatewayError | null = null;
      try {
        gateway = await callGateway("status", {}, flags);
      } catch (e) {
        if (e instanceof NoGatewayError) unreachable = e;
        error = e instanceof NoGatewayError ? e.headline : (e as Error).message;
      }
      const local = { stateDir: c.stateDir, config: { path: snap.path, exists: snap.exists, valid: snap.valid, issues: snap.issues } };
      if (flags.json) return printJson({ ...local, url: target.url, reachable: gateway !== null, gateway, error });
      const out = [
        `state dir:  ${c.stateDir}`,
        `config:     ${snap.path} (${snap.exists ? (snap.valid ? "valid" : "INVALID") : "missing; defaults apply"})`,
        ...snap.issues.map((i) => `  ${i.path || "<root>"}: ${i.message}`),
      ];
      if (gateway) {
        const g = gateway as {
          version: string;
          uptimeMs: number;
          pid: number;
          clients: number;
          memory: { rss: number };
          agents?: AgentsStatus;
        };
        out.push(`gateway:    reachable at ${target.url} (version ${g.version}, pid ${g.pid}, up ${fmtDuration(g.uptimeMs)})`);
        out.push(`memory:     ${(g.memory.rss / 1048576).toFixed(1)} MB RSS, ${g.clients} client(s)`);
        if (g.agents) out.push(...agentLines(g.agents, Date.now()));
      } else if (unreachable) {
        const { url, reason } = unreachable.unreachable;
        out.push(`gateway:    not reachable at ${url} (${unreachable.target.source}): ${reason}`);
        out.push(...unreachableAdvice(unreachable.target).map((l) => `  ${l}`));
      } else out.push(`gateway:    not reachable at ${target.url} (${error})`);
      process.stdout.write(out.join("\n") + "\n");
    },
  );
}
