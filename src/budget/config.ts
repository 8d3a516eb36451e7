/**
 * Spending budgets in the config (ours; OpenClaw has none): `agents.defaults.budget` and
 * `agents.list[].budget`. Agent-level limits count every session of the agent together; the
 * `session` limits apply to each session on its own. A cron job may carry its own `{daily, monthly}`.
 */
import * as z from "zod";
import { isTimeZone } from "../infra/time-zone.js";
import type { OpenClawConfig } from "../config/schema.js";

// The schemas are built by whoever reads a config or a cron job (each build is a new schema), not
// when the gateway starts.

/** A limit in US dollars and/or tokens; reaching either refuses further runs until the period ends. */
export const budgetLimitSchema = () =>
  z.strictObject({
    usd: z.number().positive().optional(),
    tokens: z.number().int().positive().optional(),
  });

/** Per-day and per-month limits (also the shape of a cron job's `budget`). */
export const periodLimitsSchema = () =>
  z.strictObject({
    daily: budgetLimitSchema().optional(),
    monthly: budgetLimitSchema().optional(),
  });

export const budgetSchema = () =>
  z.strictObject({
    daily: budgetLimitSchema().optional(),
    monthly: budgetLimitSchema().optional(),
    session: periodLimitsSchema().optional(),
    /** Share of a limit at which the reply carries a one-time warning (default 0.8). */
    warnAt: z.number().gt(0).max(1).optional(),
    /** IANA time zone where days and months start (default UTC). */
    timezone: z.string().refine(isTimeZone, { message: 'expected an IANA time zone such as "UTC" or "Europe/Berlin"' }).optional(),
  });

export type BudgetLimit = z.infer<ReturnType<typeof budgetLimitSchema>>;
export type PeriodLimits = z.infer<ReturnType<typeof periodLimitsSchema>>;
export type BudgetConfig = z.infer<ReturnType<typeof budgetSchema>>;

export const DEFAULT_WARN_AT = 0.8;

/** Where a budget is set: the agent's own entry when it has one, else the defaults (for messages). */
export interface ResolvedBudget {
  agent: PeriodLimits;
  session: PeriodLimits;
  warnAt: number;
  timezone: string;
  /** Config path of the setting in force, e.g. `agents.defaults.budget` or `agents.list[1].budget`. */
  path: (scope: "agent" | "session", period: "daily" | "monthly", metric: "usd" | "tokens") => string;
}

/**
 * The agent's budget: its `agents.list[]` entry's keys over the defaults' (each period and limit
 * replaced as a whole).
 */
export function resolveBudget(cfg: OpenClawConfig, agentId: string): ResolvedBudget {
  const defaults = (cfg.agents?.defaults as { budget?: BudgetConfig } | undefined)?.budget ?? {};
  const list = (cfg.agents?.list ?? []) as Array<{ id: string; budget?: BudgetConfig }>;
  const index = list.findIndex((a) => a.id === agentId);
  const own = index >= 0 ? (list[index]!.budget ?? {}) : {};
  const pick = <K extends keyof BudgetConfig>(k: K) => (own[k] !== undefined ? own[k] : defaults[k]);
  const session = { ...(defaults.session ?? {}), ...(own.session ?? {}) };
  const where = (fromOwn: boolean) => (fromOwn ? `agents.list[${index}].budget` : "agents.defaults.budget");
  return {
    agent: { ...(pick("daily") ? { daily: pick("daily") } : {}), ...(pick("monthly") ? { monthly: pick("monthly") } : {}) },
    session,
    warnAt: pick("warnAt") ?? DEFAULT_WARN_AT,
    timezone: pick("timezone") ?? "UTC",
    path: (scope, period, metric) =>
      scope === "agent"
        ? `${where(own[period] !== undefined)}.${period}.${metric}`
        : `${where(own.session?.[period] !== undefined)}.session.${period}.${metric}`,
  };
}

export function hasLimits(p: PeriodLimits | undefined): boolean {
  return Boolean(p && (p.daily?.usd || p.daily?.tokens || p.monthly?.usd || p.monthly?.tokens));
}
