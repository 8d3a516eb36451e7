/**
 * API keys and failover memory, per agent, in `agents/<agentId>/agent/auth-profiles.json` (OpenClaw's
 * file: `{version, profiles, usageStats, lastGood}`). Secrets live there or in the environment, never
 * in `openclaw.json` (`auth.profiles` there only names and orders them).
 *
 * Each failure puts the credential in cooldown: 1 min, 5, 25, then 60 at most; a billing failure
 * disables it for 5 h, doubling up to 24 h. Because the state is on disk, a restart does not send the
 * next message straight back to a provider that just failed.
 */
import path from "node:path";
import { writeFileAtomicSync } from "../infra/atomic.js";
import type { Env } from "../infra/paths.js";
import type { OpenClawConfig } from "../config/schema.js";
import type { ProviderInfo } from "./models.js";
import type { ProviderErrorKind } from "./types.js";
import { readStateFileSync } from "../infra/read-bounded.js";

export interface StoredProfile {
  type: "api_key" | "token" | "oauth";
  provider: string;
  key?: string;
  token?: string;
  access?: string;
  refresh?: string;
  expires?: number;
  email?: string;
  [k: string]: unknown;
}

export interface UsageStats {
  lastUsed?: number;
  cooldownUntil?: number;
  errorCount?: number;
  disabledUntil?: number;
  disabledReason?: string;
  lastError?: string;
  lastFailureAt?: number;
  billingCount?: number;
}

interface AuthFile {
  version: number;
  profiles: Record<string, StoredProfile>;
  usageStats?: Record<string, UsageStats>;
  lastGood?: Record<string, string>;
  [k: string]: unknown;
}

/** One way to authenticate against a provider. */
export interface Credential {
  /** `provider:name` profile id; `provider:env` for a key from the environment or config. */
  profileId: string;
  provider: string;
  apiKey?: string;
  source: "profile" | "env" | "config" | "none";
}

const COOLDOWN_STEPS_MS = [60_000, 5 * 60_000, 25 * 60_000, 60 * 60_000];
const HOUR = 3_600_000;

/** The largest auth profiles file read (profiles with their cooldowns and usage: some kilobytes). */
const MAX_AUTH_FILE_BYTES = 1024 * 1024;

export class AuthStore {
  private data: AuthFile | null = null;

  constructor(
    readonly file: string,
    private readonly now: () => number = Date.now,
  ) {}

  static forAgent(stateDir: string, agentId: string, now?: () => number): AuthStore {
    return new AuthStore(path.join(stateDir, "agents", agentId, "agent", "auth-profiles.json"), now);
  }

  private load(): AuthFile {
    if (this.data) return this.data;
    try {
      const parsed = JSON.parse(readStateFileSync(this.file, MAX_AUTH_FILE_BYTES)) as AuthFile;
      this.data = { ...parsed, version: parsed.version ?? 1, profiles: parsed.profiles ?? {} };
    } catch {
      this.data = { version: 1, profiles: {} };
    }
    return this.data;
  }

  /** The last failed write, until one succeeds (cooldowns are then kept in memory only). */
  writeError: Error | null = null;

  /**
   * Writes cooldown and usage state. A failure (full disk) is kept in `writeError` rather than thrown:
   * losing a cooldown across a restart is better than failing the message that caused it.
   */
  private save(): void {
    try {
      writeFileAtomicSync(this.file, JSON.stringify(this.load(), null, 2) + "\n", { mode: 0o600 });
      this.writeError = null;
    } catch (e) {
      this.writeError = e as Error;
    }
  }

  profiles(): Record<string, StoredProfile> {
    return this.load().profiles;
  }

  stats(profileId: string): UsageStats {
    return this.load().usageStats?.[profileId] ?? {};
  }

  allStats(): Record<string, UsageStats> {
    return this.load().usageStats ?? {};
  }

  /** Milliseconds until the credential may be used again (0 = usable now). */
  blockedFor(profileId: string): number {
    const s = this.stats(profileId);
    const until = Math.max(s.cooldownUntil ?? 0, s.disabledUntil ?? 0);
    return Math.max(0, until - this.now());
  }

  private updateStats(profileId: string, fn: (s: UsageStats) => UsageStats): UsageStats {
    const d = this.load();
    d.usageStats ??= {};
    const next = fn({ ...(d.usageStats[profileId] ?? {}) });
    d.usageStats[profileId] = next;
    this.save();
    return next;
  }

  markSuccess(profileId: string, provider: string): void {
    const s = this.stats(profileId);
    const d = this.load();
    if (
      !s.errorCount &&
      !s.cooldownUntil &&
      !s.disabledUntil &&
      d.lastGood?.[provider] === profileId &&
      s.lastUsed &&
      this.now() - s.lastUsed < 60_000
    ) {
      return; // nothing new worth a disk write
    }
    d.lastGood = { ...(d.lastGood ?? {}), [provider]: profileId };
    this.updateStats(profileId, (x) => ({ lastUsed: this.now(), ...(x.billingCount ? { billingCount: x.billingCount } : {}) }));
  }

  /** Records a failure and returns how long the credential now rests. */
  markFailure(
    profileId: string,
    kind: ProviderErrorKind,
    message: string,
    billing: { baseHours: number; maxHours: number } = { baseHours: 5, maxHours: 24 },
  ): number {
    const now = this.now();
    const s = this.updateStats(profileId, (x) => {
      // Counters reset after a quiet day.
      const stale = x.lastFailureAt !== undefined && now - x.lastFailureAt > 24 * HOUR;
      const errorCount = (stale ? 0 : (x.errorCount ?? 0)) + 1;
      const base = { ...x, errorCount, lastError: `${kind}: ${message}`.slice(0, 300), lastFailureAt: now };
      if (kind === "billing") {
        const billingCount = (stale ? 0 : (x.billingCount ?? 0)) + 1;
        const hours = Math.min(billing.maxHours, billing.baseHours * 2 ** (billingCount - 1));
        return { ...base, billingCount, disabledUntil: now + hours * HOUR, disabledReason: "billing" };
      }
      return { ...base, cooldownUntil: now + COOLDOWN_STEPS_MS[Math.min(errorCount, COOLDOWN_STEPS_MS.length) - 1]! };
    });
    return Math.max(0, Math.max(s.cooldownUntil ?? 0, s.disabledUntil ?? 0) - now);
  }

  /**
   * Credentials for a provider, in the order to try them: `auth.order[provider]`, then profiles named
   * in config, then stored profiles (least recently used first), then the environment / config key.
   * Resting credentials go last, soonest-available first.
   */
  credentials(cfg: OpenClawConfig, provider: ProviderInfo, env: Env): Credential[] {
    const stored = this.profiles();
    const ids: string[] = [];
    const push = (id: string) => !ids.includes(id) && ids.push(id);
    for (const id of cfg.auth?.order?.[provider.id] ?? []) push(id);
    for (const [id, p] of Object.entries(cfg.auth?.profiles ?? {})) if (p.provider === provider.id) push(id);
    const storedIds = Object.entries(stored)
      .filter(([, p]) => p.provider === provider.id)
      .map(([id]) => id)
      .sort((a, b) => (this.stats(a).lastUsed ?? 0) - (this.stats(b).lastUsed ?? 0));
    for (const id of storedIds) push(id);

    const envKey = provider.envKeys.map((k) => env[k]).find((v) => v && v.trim());
    const fallbackKey = provider.configKey ?? envKey;
    const out: Credential[] = [];
    let usedFallback = false;
    for (const id of ids) {
      const p = stored[id];
      const secret = p?.key ?? p?.token ?? p?.access;
      if (secret) out.push({ profileId: id, provider: provider.id, apiKey: secret, source: "profile" });
      else if (fallbackKey && !usedFallback) {
        // A profile named in config without a stored secret uses the environment key (the Fly guide's setup).
        out.push({ profileId: id, provider: provider.id, apiKey: fallbackKey, source: provider.configKey ? "config" : "env" });
        usedFallback = true;
      }
    }
    if (!usedFallback && fallbackKey)
      out.push({
        profileId: `${provider.id}:env`,
        provider: provider.id,
        apiKey: fallbackKey,
        source: provider.configKey ? "config" : "env",
      });
    if (out.length === 0 && provider.keyOptional) out.push({ profileId: `${provider.id}:none`, provider: provider.id, source: "none" });
    return out
      .map((c, i) => ({ c, i, wait: this.blockedFor(c.profileId) }))
      .sort((a, b) => (a.wait > 0 ? 1 : 0) - (b.wait > 0 ? 1 : 0) || (a.wait && b.wait ? a.wait - b.wait : a.i - b.i))
      .map((x) => x.c);
  }
}
