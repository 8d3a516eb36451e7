/** Spending budgets per agent, session and cron job, from a per-day and per-month usage ledger. */
export { budgetSchema, periodLimitsSchema, resolveBudget, type BudgetConfig, type PeriodLimits } from "./config.js";
export { UsageLedger, type UsageRecord } from "./ledger.js";
export {
  budgetLines,
  budgetStatusLines,
  budgetWarning,
  checkBudget,
  refusalText,
  type BudgetCheck,
  type BudgetCheckInput,
  type BudgetLine,
} from "./check.js";
export { budgetsSummary, budgetSummaryLines } from "./summary.js";
