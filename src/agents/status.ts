/**
 * What the agents report about themselves: the `/status` reply in a conversation, and the session
 * and load parts of the gateway's `status` and `health` answers (in OpenClaw's shapes).
 */
import type { OpenClawConfig } from "../config/schema.js";
import { modelChainFor, resolveModel } from "../providers/models.js";
import { classifySessionKey } from "../sessions/views.js";
import type { SessionEntry, SessionStore } from "../sessions/store.js";
import { budgetLines, budgetStatusLines, type budgetsSummary, type UsageLedger } from "../budget/index.js";

/** `provider/model` of the entry's last run, when it had one. */
export function entryModelRef(e: SessionEntry): string | undefined {
  if (!e.model) return undefined;
  return e.modelProvider ? `${e.modelProvider}/${e.model}` : e.model;
}

/**
 * The `/status` reply: model, tokens, cost and context use of one conversation, and with a ledger,
 * what was spent against each budget that applies to it.
 */
export function statusText(
  cfg: OpenClawConfig,
  agentId: string,
  key: string,
  e: SessionEntry,
  spend?: { ledger: UsageLedger; now: number },
): string {
  const chain = modelChainFor(cfg, agentId, e.modelOverride);
  const ref = entryModelRef(e) ?? chain[0];
  let window = e.contextTokens ?? 0;
  if (!window)
    try {
      window = resolveModel(cfg, ref!).contextWindow;
    } catch {
      /* unknown model: no percentage */
    }
  const used = e.totalTokens ?? 0;
  const pct = window && used ? ` (${Math.round((used / window) * 100)}% of ${window})` : "";
  const totals = e.usageTotals;
  return [
    `Session: ${key}`,
    `Model: ${e.modelOverride ?? ref}${e.modelOverride ? " (override)" : ""}`,
    `Tokens: ${totals?.input ?? 0} in, ${totals?.output ?? 0} out; context ${used}${pct}`,
    `Cost: $${(e.costUsd ?? 0).toFixed(4)}`,
    `Compactions: ${e.compactionCount ?? 0}`,
    ...(spend ? budgetStatusLines(budgetLines({ config: cfg, agentId, sessionKey: key, ...spend }).lines) : []),
  ].join("\n");
}

export interface SessionDefaults {
  modelProvider: string | null;
  model: string | null;
  contextTokens: number | null;
}

/** The model, provider and window a new session of `agentId` would use. */
export function sessionDefaults(cfg: OpenClawConfig, agentId: string): SessionDefaults {
  const ref = modelChainFor(cfg, agentId)[0];
  if (!ref) return { modelProvider: null, model: null, contextTokens: cfg.agents?.defaults?.contextTokens ?? null };
  try {
    const m = resolveModel(cfg, ref);
    return { modelProvider: m.provider, model: m.id, contextTokens: cfg.agents?.defaults?.contextTokens ?? m.contextWindow };
  } catch {
    const slash = ref.indexOf("/");
    return {
      modelProvider: slash > 0 ? ref.slice(0, slash) : null,
      model: slash > 0 ? ref.slice(slash + 1) : ref,
      contextTokens: cfg.agents?.defaults?.contextTokens ?? null,
    };
  }
}

/** `health`'s per-agent session summary: store path, count and the five most recent. */
export function sessionSummary(store: SessionStore, now: number) {
  const rows = store
    .list()
    .filter(([key]) => key !== "global" && key !== "unknown")
    .map(([key, e]) => ({ key, updatedAt: e.updatedAt ?? 0 }))
    .sort((a, b) => b.updatedAt - a.updatedAt);
  return {
    path: store.file,
    count: rows.length,
    recent: rows.slice(0, 5).map((r) => ({ key: r.key, updatedAt: r.updatedAt || null, age: r.updatedAt ? now - r.updatedAt : null })),
  };
}

/** `status`'s session rows (OpenClaw's shape): context use against the window, flags. */
export function statusSessions(o: {
  agentIds: string[];
  store: (agentId: string) => SessionStore;
  defaults: SessionDefaults;
  now: number;
}) {
  const { defaults, now } = o;
  const paths: string[] = [];
  const all: Array<Record<string, unknown> & { updatedAt: number | null }> = [];
  const byAgent = o.agentIds.map((agentId) => {
    const store = o.store(agentId);
    paths.push(store.file);
    const rows = store
      .list()
      .filter(([key]) => key !== "global" && key !== "unknown")
      .map(([key, e]) => {
        const updatedAt = e.updatedAt ?? null;
        const contextTokens = e.contextTokens ?? defaults.contextTokens;
        const total = e.totalTokens ?? (e.inputTokens ?? 0) + (e.outputTokens ?? 0);
        const flags = [
          ...(["thinkingLevel", "verboseLevel", "reasoningLevel", "elevatedLevel"] as const)
            .filter((f) => typeof e[f] === "string" && e[f])
            .map((f) => `${f.replace("Level", "").replace("thinking", "think")}:${e[f]}`),
          ...(e.systemSent ? ["system"] : []),
          ...(e.abortedLastRun ? ["aborted"] : []),
          ...(e.sessionId ? [`id:${e.sessionId}`] : []),
        ];
        return {
          agentId,
          key,
          kind: classifySessionKey(key, e),
          sessionId: e.sessionId,
          updatedAt,
          age: updatedAt ? now - updatedAt : null,
          thinkingLevel: e.thinkingLevel,
          verboseLevel: e.verboseLevel,
          reasoningLevel: e.reasoningLevel,
          elevatedLevel: e.elevatedLevel,
          systemSent: e.systemSent,
          abortedLastRun: e.abortedLastRun,
          inputTokens: e.inputTokens,
          outputTokens: e.outputTokens,
          totalTokens: total,
          remainingTokens: contextTokens != null ? Math.max(0, contextTokens - total) : null,
          percentUsed: contextTokens ? Math.min(999, Math.round((total / contextTokens) * 100)) : null,
          model: e.model ?? defaults.model,
          contextTokens,
          flags,
        };
      })
      .sort((a, b) => (b.updatedAt ?? 0) - (a.updatedAt ?? 0));
    all.push(...rows);
    return { agentId, path: store.file, count: rows.length, recent: rows.slice(0, 10) };
  });
  all.sort((a, b) => (b.updatedAt ?? 0) - (a.updatedAt ?? 0));
  return {
    paths,
    count: all.length,
    defaults: { model: defaults.model, contextTokens: defaults.contextTokens },
    recent: all.slice(0, 10),
    byAgent,
  };
}

/** Failover and load state for `status` and the Control UI. */
export function runtimeStatus(o: {
  cfg: OpenClawConfig;
  defaultAgentId: string;
  cooldowns: Array<Record<string, unknown>>;
  failovers: unknown[];
  runs: { active: number; waiting: number; maxConcurrent: number };
  /** Spending budgets with what was spent against them (ours). */
  budgets?: ReturnType<typeof budgetsSummary>;
}) {
  const chain = modelChainFor(o.cfg, o.defaultAgentId);
  return {
    model: { primary: chain[0], fallbacks: chain.slice(1) },
    cooldowns: o.cooldowns,
    failovers: o.failovers.slice(-10),
    runs: o.runs,
    ...(o.budgets ? { budgets: o.budgets } : {}),
  };
}
