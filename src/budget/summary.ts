/**
 * The `budgets` section of `usage.status` (ours): per agent, its limits with what was spent, and the
 * sessions closest to their own limits.
 */
import type { OpenClawConfig } from "../config/schema.js";
import { hasLimits, resolveBudget } from "./config.js";
import { budgetLines, formatAmount, type BudgetLine } from "./check.js";
import type { UsageLedger } from "./ledger.js";
import { periodKeys } from "./periods.js";

/** Sessions listed per agent, the most used first. */
const MAX_SESSIONS = 20;

export interface AgentBudgetSummary {
  agentId: string;
  timezone: string;
  warnAt: number;
  limits: BudgetLine[];
  sessions: Array<{ sessionKey: string; limits: BudgetLine[] }>;
}

export function budgetsSummary(o: { config: OpenClawConfig; agentIds: string[]; ledger: UsageLedger; now: number }): {
  agents: AgentBudgetSummary[];
} {
  const agents: AgentBudgetSummary[] = [];
  for (const agentId of o.agentIds) {
    const b = resolveBudget(o.config, agentId);
    if (!hasLimits(b.agent) && !hasLimits(b.session)) continue;
    const base = { config: o.config, agentId, ledger: o.ledger, now: o.now };
    const own = budgetLines({ ...base, sessionKey: "" });
    const sessions: AgentBudgetSummary["sessions"] = [];
    if (hasLimits(b.session)) {
      const month = o.ledger.month(agentId, periodKeys(o.now, b.timezone).month);
      for (const sessionKey of Object.keys(month.sessions)) {
        const limits = budgetLines({ ...base, sessionKey }).lines.filter((l) => l.scope === "session");
        if (limits.some((l) => l.spent > 0)) sessions.push({ sessionKey, limits });
      }
      const top = (s: (typeof sessions)[number]) => Math.max(...s.limits.map((l) => l.ratio));
      sessions.sort((a, b) => top(b) - top(a));
    }
    agents.push({
      agentId,
      timezone: own.timezone,
      warnAt: own.warnAt,
      limits: own.lines.filter((l) => l.scope === "agent"),
      sessions: sessions.slice(0, MAX_SESSIONS),
    });
  }
  return { agents };
}

/** `openclaw status` lines: one per limit, "  agent main, daily: $1.20 of $5.00 (24%)". */
export function budgetSummaryLines(summary: { agents: AgentBudgetSummary[] } | undefined): string[] {
  const agents = summary?.agents ?? [];
  if (agents.length === 0) return ["budgets:    none set"];
  const out = ["budgets:    spent of limit, this period"];
  const line = (who: string, l: BudgetLine) =>
    `  ${who}, ${l.period}: ${formatAmount(l.metric, l.spent)} of ${formatAmount(l.metric, l.limit)} (${Math.floor(l.ratio * 100)}%)${l.ratio >= 1 ? ", reached" : ""}`;
  for (const a of agents) {
    for (const l of a.limits) out.push(line(`agent ${a.agentId}`, l));
    for (const s of a.sessions) for (const l of s.limits) out.push(line(`session ${s.sessionKey}`, l));
  }
  return out;
}
