/**
 * `usage.status`: provider quota, in OpenClaw's shape `{updatedAt, providers: [{provider, displayName,
 * windows: [{label, usedPercent, resetAt?}], plan?, error?}]}`.
 *
 * OpenClaw fills `windows` from the providers' subscription quota APIs (Claude, Copilot, Codex...),
 * which only answer for OAuth sign-ins. This gateway does not query them, so `windows` stays empty;
 * what it does report is what it knows: every provider it has credentials for, each credential's
 * failover state (`profiles`: last use, cooldown or billing pause and the error behind it), and an
 * `error` when every credential of a provider is resting, saying until when. It also carries a
 * `budgets` section (ours): each agent's spending limits with what was spent against them.
 */
import * as z from "zod";
import type { OpenClawConfig } from "../../config/schema.js";
import { modelChainFor, providerIds, providerInfo, resolveModel, type ProviderInfo } from "../../providers/models.js";
import { defineMethod, type GatewayContext } from "../context.js";
import { budgetsSummary } from "../../budget/index.js";

/** Names clients show; OpenClaw's where it has one. */
const LABELS: Record<string, string> = {
  anthropic: "Claude",
  openai: "OpenAI",
  google: "Gemini",
  "github-copilot": "Copilot",
  "openai-codex": "Codex",
  minimax: "MiniMax",
  zai: "z.ai",
  xiaomi: "Xiaomi",
};

export interface UsageProfile {
  profileId: string;
  agentId: string;
  /** Where the secret comes from: the agent's auth profiles, the environment, the config, or none needed. */
  source: string;
  lastUsed?: number;
  cooldownUntil?: number;
  disabledUntil?: number;
  disabledReason?: string;
  errorCount?: number;
  lastError?: string;
}

export interface ProviderUsageSnapshot {
  provider: string;
  displayName: string;
  windows: Array<{ label: string; usedPercent: number; resetAt?: number }>;
  plan?: string;
  error?: string;
  profiles: UsageProfile[];
}

function chainProviders(cfg: OpenClawConfig, agentIds: string[]): string[] {
  const out: string[] = [];
  for (const agentId of agentIds) {
    for (const ref of modelChainFor(cfg, agentId)) {
      try {
        const p = resolveModel(cfg, ref).provider;
        if (!out.includes(p)) out.push(p);
      } catch {
        /* a bad ref is reported where it is used */
      }
    }
  }
  return out;
}

function info(cfg: OpenClawConfig, id: string): ProviderInfo | null {
  try {
    return providerInfo(cfg, id);
  } catch {
    return null;
  }
}

export function providerUsageSummary(ctx: GatewayContext) {
  const cfg = ctx.config();
  const now = ctx.now();
  const agentIds = ctx.agents.agentIds();
  const used = chainProviders(cfg, agentIds);
  const custom = Object.keys(cfg.models?.providers ?? {});
  const stored = agentIds.flatMap((a) => Object.values(ctx.agents.auth(a).profiles()).map((p) => p.provider));
  const candidates = [...new Set([...used, ...providerIds(cfg).sort(), ...stored])];

  const providers: ProviderUsageSnapshot[] = [];
  for (const id of candidates) {
    const p = info(cfg, id);
    if (!p) continue;
    const profiles: UsageProfile[] = [];
    for (const agentId of agentIds) {
      const auth = ctx.agents.auth(agentId);
      for (const c of auth.credentials(cfg, p, ctx.env)) {
        // A provider that needs no key counts only when something uses it.
        if (c.source === "none" && !used.includes(id) && !custom.includes(id)) continue;
        const s = auth.stats(c.profileId);
        profiles.push({
          profileId: c.profileId,
          agentId,
          source: c.source,
          ...(s.lastUsed ? { lastUsed: s.lastUsed } : {}),
          ...(s.cooldownUntil && s.cooldownUntil > now ? { cooldownUntil: s.cooldownUntil } : {}),
          ...(s.disabledUntil && s.disabledUntil > now ? { disabledUntil: s.disabledUntil, disabledReason: s.disabledReason } : {}),
          ...(s.errorCount ? { errorCount: s.errorCount } : {}),
          ...(s.lastError ? { lastError: s.lastError } : {}),
        });
      }
    }
    if (profiles.length === 0) continue;
    const snapshot: ProviderUsageSnapshot = { provider: id, displayName: LABELS[id] ?? id, windows: [], profiles };
    const resting = profiles.map((x) => Math.max(x.cooldownUntil ?? 0, x.disabledUntil ?? 0));
    if (resting.every((until) => until > now)) {
      const soonest = Math.min(...resting);
      const why = profiles.find((x) => Math.max(x.cooldownUntil ?? 0, x.disabledUntil ?? 0) === soonest);
      snapshot.error = `every credential is resting (${why?.disabledReason ?? "cooldown"}) until ${new Date(soonest).toISOString()}${why?.lastError ? `; last error: ${why.lastError}` : ""}`;
    }
    providers.push(snapshot);
  }
  // Ours: spending budgets (agents.*.budget) with what was spent against each, from the usage ledger.
  const budgets = budgetsSummary({ config: cfg, agentIds, ledger: ctx.agents.ledger, now });
  return { updatedAt: now, providers, budgets };
}

export const usageStatusMethods = {
  "usage.status": defineMethod({
    scope: "operator.read",
    params: () => z.looseObject({}).optional(),
    handler: (_p, ctx) => providerUsageSummary(ctx),
  }),
};
