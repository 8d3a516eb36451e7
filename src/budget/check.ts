/**
 * Budget checks: before a run (refuse at a limit, naming the setting and when it resets), after a
 * run (a one-time warning once a share of a limit is used), and the per-scope picture for `status`,
 * `usage.status` and the Control UI.
 */
import type { OpenClawConfig } from "../config/schema.js";
import { hasLimits, resolveBudget, type PeriodLimits } from "./config.js";
import { emptySpend, type UsageLedger } from "./ledger.js";
import { describeReset, periodEnd, periodKeys } from "./periods.js";

export type BudgetScope = "agent" | "session" | "job";
export type BudgetPeriod = "daily" | "monthly";
export type BudgetMetric = "usd" | "tokens";

export interface BudgetLine {
  scope: BudgetScope;
  period: BudgetPeriod;
  metric: BudgetMetric;
  limit: number;
  spent: number;
  /** spent / limit */
  ratio: number;
  /** When the period ends (ms). */
  resetsAt: number;
  /** The setting that sets this limit (for messages). */
  setting: string;
}

export interface BudgetCheckInput {
  config: OpenClawConfig;
  agentId: string;
  sessionKey: string;
  /** A cron job's own limits, counted on its session. */
  jobBudget?: PeriodLimits;
  /** Where the job budget is set, for messages (default `cron job budget`). */
  jobSetting?: string;
  now: number;
  ledger: UsageLedger;
}

export interface BudgetCheck {
  ok: boolean;
  /** Why the run is refused (set when `ok` is false). */
  message?: string;
  /** The limit that was reached (set when `ok` is false). */
  exceeded?: BudgetLine;
  /** Every configured limit with what was spent against it. */
  lines: BudgetLine[];
  timezone: string;
  warnAt: number;
}

/** Every configured limit for this agent and session, with the spend so far in its period. */
export function budgetLines(input: BudgetCheckInput): { lines: BudgetLine[]; timezone: string; warnAt: number } {
  const b = resolveBudget(input.config, input.agentId);
  const tz = b.timezone;
  const lines: BudgetLine[] = [];
  const scopes: Array<[BudgetScope, PeriodLimits | undefined]> = [
    ["agent", b.agent],
    ["session", b.session],
    ["job", input.jobBudget],
  ];
  if (!scopes.some(([, p]) => hasLimits(p))) return { lines, timezone: tz, warnAt: b.warnAt };
  const keys = periodKeys(input.now, tz);
  const data = input.ledger.month(input.agentId, keys.month);
  for (const [scope, limits] of scopes) {
    if (!limits) continue;
    const book = scope === "agent" ? data.agent : data.sessions[input.sessionKey];
    for (const period of ["daily", "monthly"] as const) {
      const l = limits[period];
      if (!l) continue;
      const spend = (period === "daily" ? book?.days[keys.day] : book?.month) ?? emptySpend();
      for (const metric of ["usd", "tokens"] as const) {
        const limit = l[metric];
        if (!limit) continue;
        const spent = spend[metric];
        lines.push({
          scope,
          period,
          metric,
          limit,
          spent,
          ratio: spent / limit,
          resetsAt: periodEnd(input.now, tz, period),
          setting: scope === "job" ? `${input.jobSetting ?? "the cron job's budget"}.${period}.${metric}` : b.path(scope, period, metric),
        });
      }
    }
  }
  return { lines, timezone: tz, warnAt: b.warnAt };
}

export function formatAmount(metric: BudgetMetric, n: number): string {
  return metric === "usd" ? `$${n.toFixed(2)}` : `${Math.round(n).toLocaleString("en-US")} tokens`;
}

const WHO: Record<BudgetScope, string> = { agent: "This agent", session: "This conversation", job: "This cron job" };
const WHEN: Record<BudgetPeriod, string> = { daily: "today", monthly: "this month" };
const PERIOD_WORD: Record<BudgetPeriod, string> = { daily: "daily", monthly: "monthly" };

/** "This agent has reached its daily budget of $5.00 (spent $5.02 today, resets at 00:00 UTC). Raise … or wait." */
export function refusalText(line: BudgetLine, timezone: string): string {
  return (
    `${WHO[line.scope]} has reached its ${PERIOD_WORD[line.period]} budget of ${formatAmount(line.metric, line.limit)} ` +
    `(spent ${formatAmount(line.metric, line.spent)} ${WHEN[line.period]}, resets ${line.period === "daily" ? "at" : "on"} ` +
    `${describeReset(line.resetsAt, timezone, line.period)}). Raise ${line.setting} or wait.`
  );
}

/**
 * Whether a run may start. Refused when any configured limit is reached (the most used one is
 * named). Cheap: one stat of the month's ledger file when budgets are configured, nothing when not.
 */
export function checkBudget(input: BudgetCheckInput): BudgetCheck {
  const { lines, timezone, warnAt } = budgetLines(input);
  const over = lines.filter((l) => l.spent >= l.limit).sort((a, b) => b.ratio - a.ratio)[0];
  if (!over) return { ok: true, lines, timezone, warnAt };
  return { ok: false, message: refusalText(over, timezone), exceeded: over, lines, timezone, warnAt };
}

/**
 * After a run's usage is recorded: the warning to append to its reply when a limit has passed the
 * warning share (`warnAt`), once per scope and period. Undefined when there is nothing new to say.
 */
export function budgetWarning(input: BudgetCheckInput): string | undefined {
  const { lines, timezone, warnAt } = budgetLines(input);
  if (!lines.some((l) => l.ratio >= warnAt)) return undefined;
  const keys = periodKeys(input.now, timezone);
  const notes: string[] = [];
  const seen = new Set<string>();
  for (const l of [...lines].sort((a, b) => b.ratio - a.ratio)) {
    if (l.ratio < warnAt) continue;
    const id = `${l.scope}:${l.period}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const key = `${id}:${l.period === "daily" ? keys.day : keys.month}${l.scope === "agent" ? "" : `:${input.sessionKey}`}`;
    if (!input.ledger.warnOnce(input.agentId, keys.month, key)) continue;
    const pct = Math.min(100, Math.floor(l.ratio * 100));
    notes.push(
      `${WHO[l.scope]} has used ${pct}% of its ${PERIOD_WORD[l.period]} budget ` +
        `(${formatAmount(l.metric, l.spent)} of ${formatAmount(l.metric, l.limit)}; resets ${l.period === "daily" ? "at" : "on"} ` +
        `${describeReset(l.resetsAt, timezone, l.period)}).`,
    );
  }
  return notes.length ? `⚠️ Budget: ${notes.join(" ")}` : undefined;
}

/** One line per limit for `/status`: "Budget (agent, daily): $1.20 of $5.00 (24%)". */
export function budgetStatusLines(lines: BudgetLine[]): string[] {
  return lines.map(
    (l) =>
      `Budget (${l.scope}, ${l.period}): ${formatAmount(l.metric, l.spent)} of ${formatAmount(l.metric, l.limit)} (${Math.floor(l.ratio * 100)}%)`,
  );
}
