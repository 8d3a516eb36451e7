/**
 * Token and cost totals read back from transcripts: every assistant message carries the usage the
 * provider reported (and the cost computed from the model's prices when it was recorded). Totals are
 * grouped by local day and by model. Old transcripts from before a reset still count; archived
 * (`.deleted.*`) ones do not.
 */
import fs from "node:fs";
import path from "node:path";
import { byCodeUnits } from "../infra/compare.js";

export interface UsageTotals {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  totalTokens: number;
  /** USD. */
  totalCost: number;
  /** Messages whose cost is unknown (no price for the model): their tokens count, their cost does not. */
  missingCostEntries: number;
  /** Assistant messages counted. */
  messages: number;
}

export interface CostUsageSummary {
  updatedAt: number;
  days: number;
  /** One row per local day that had usage, oldest first (`date` is YYYY-MM-DD). */
  daily: Array<{ date: string } & UsageTotals>;
  /** One row per `provider/model`, most expensive first (then most tokens). */
  byModel: Array<{ provider: string; model: string } & UsageTotals>;
  totals: UsageTotals;
}

type Price = { input: number; output: number; cacheRead: number; cacheWrite: number };

export function emptyTotals(): UsageTotals {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, totalTokens: 0, totalCost: 0, missingCostEntries: 0, messages: 0 };
}

export function localDay(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : 0);

interface Entry {
  ts: number;
  provider: string;
  model: string;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  totalTokens: number;
  cost: number | undefined;
}

/** The usage in one transcript line, or null when the line is not an assistant message with usage. */
function parseLine(line: string): Entry | null {
  let v: any;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  const m = v?.type === "message" ? v.message : null;
  if (!m || m.role !== "assistant" || !m.usage || typeof m.usage !== "object") return null;
  const u = m.usage;
  const input = num(u.input ?? u.input_tokens);
  const output = num(u.output ?? u.output_tokens);
  const cacheRead = num(u.cacheRead);
  const cacheWrite = num(u.cacheWrite);
  const ts = typeof m.timestamp === "number" ? m.timestamp : Date.parse(v.timestamp);
  if (!Number.isFinite(ts)) return null;
  const total = u.cost?.total;
  return {
    ts,
    provider: typeof m.provider === "string" ? m.provider : "unknown",
    model: typeof m.model === "string" ? m.model : "unknown",
    input,
    output,
    cacheRead,
    cacheWrite,
    totalTokens: num(u.totalTokens) || input + output + cacheRead + cacheWrite,
    cost: typeof total === "number" && Number.isFinite(total) && total >= 0 ? total : undefined,
  };
}

function add(t: UsageTotals, e: Entry, cost: number | undefined): void {
  t.input += e.input;
  t.output += e.output;
  t.cacheRead += e.cacheRead;
  t.cacheWrite += e.cacheWrite;
  t.totalTokens += e.totalTokens;
  t.messages += 1;
  if (cost === undefined) t.missingCostEntries += 1;
  else t.totalCost += cost;
}

export interface CostUsageOptions {
  /** Folders holding `<sessionId>.jsonl` transcripts. */
  dirs: string[];
  /** Today plus the `days - 1` days before it. */
  days: number;
  now: number;
  /** Price per million tokens for a model, to cost messages recorded without one. */
  priceOf?: (provider: string, model: string) => Price | undefined;
}

export async function costUsageSummary(opts: CostUsageOptions): Promise<CostUsageSummary> {
  const since = new Date(opts.now);
  since.setHours(0, 0, 0, 0);
  since.setDate(since.getDate() - (opts.days - 1));
  const sinceMs = since.getTime();
  const daily = new Map<string, UsageTotals>();
  const models = new Map<string, { provider: string; model: string } & UsageTotals>();
  const totals = emptyTotals();
  const prices = new Map<string, Price | undefined>();
  // Loaded here rather than with the gateway, which needs it only for this summary.
  const { createInterface } = await import("node:readline");

  for (const dir of opts.dirs) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!name.endsWith(".jsonl")) continue;
      const file = path.join(dir, name);
      try {
        if (fs.statSync(file).mtimeMs < sinceMs) continue; // nothing written since the window opened
      } catch {
        continue;
      }
      const rl = createInterface({
        input: fs.createReadStream(file, { encoding: "utf8" }),
        crlfDelay: Infinity,
      });
      try {
        for await (const line of rl) {
          // Cheap pre-filter: most lines (user turns, tool results, images) carry no usage.
          if (!line.includes('"usage"') || !line.includes('"assistant"')) continue;
          const e = parseLine(line);
          if (!e || e.ts < sinceMs || e.ts > opts.now + 60_000) continue;
          let cost = e.cost;
          if (cost === undefined && opts.priceOf) {
            const key = `${e.provider}/${e.model}`;
            if (!prices.has(key)) prices.set(key, opts.priceOf(e.provider, e.model));
            const p = prices.get(key);
            if (p && (p.input || p.output))
              cost = (e.input * p.input + e.output * p.output + e.cacheRead * p.cacheRead + e.cacheWrite * p.cacheWrite) / 1e6;
          }
          const day = localDay(new Date(e.ts));
          let d = daily.get(day);
          if (!d) daily.set(day, (d = emptyTotals()));
          add(d, e, cost);
          const mk = `${e.provider}/${e.model}`;
          let m = models.get(mk);
          if (!m) models.set(mk, (m = { provider: e.provider, model: e.model, ...emptyTotals() }));
          add(m, e, cost);
          add(totals, e, cost);
        }
      } catch {
        /* a file removed or unreadable mid-scan: count what was read */
      } finally {
        rl.close();
      }
    }
  }
  return {
    updatedAt: opts.now,
    days: opts.days,
    daily: [...daily.entries()].map(([date, t]) => ({ date, ...t })).sort((a, b) => byCodeUnits(a.date, b.date)),
    byModel: [...models.values()].sort((a, b) => b.totalCost - a.totalCost || b.totalTokens - a.totalTokens),
    totals,
  };
}
