/**
 * Shared-secret auth for the gateway (WebSocket connect and authenticated HTTP endpoints).
 *
 * Secrets are compared in constant time (both sides hashed first, so length leaks nothing), and an
 * address that keeps failing is locked out for a while instead of being allowed to guess.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { OpenClawConfig } from "../config/schema.js";
import type { Env } from "../infra/paths.js";

export type AuthMode = "token" | "password" | "none";

export interface ResolvedAuth {
  mode: AuthMode;
  token?: string;
  password?: string;
}

export interface AuthOverrides {
  token?: string;
  password?: string;
}

/** Flag > environment > config. `gateway.auth.mode` picks which secret is accepted when both exist. */
export function resolveAuth(cfg: OpenClawConfig, env: Env, flags: AuthOverrides = {}): ResolvedAuth {
  const auth = cfg.gateway?.auth;
  const token = flags.token || env.OPENCLAW_GATEWAY_TOKEN || auth?.token || undefined;
  const password = flags.password || env.OPENCLAW_GATEWAY_PASSWORD || auth?.password || undefined;
  const configured = auth?.mode;
  if (configured === "password") return password ? { mode: "password", password } : { mode: "none" };
  if (configured === "token") return token ? { mode: "token", token } : { mode: "none" };
  if (token) return { mode: "token", token };
  if (password) return { mode: "password", password };
  return { mode: "none" };
}

export function safeEqualSecret(provided: string | undefined, expected: string | undefined): boolean {
  if (typeof provided !== "string" || typeof expected !== "string") return false;
  const a = createHash("sha256").update(provided).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b) && provided.length === expected.length;
}

export type AuthResult = { ok: true; method: AuthMode } | { ok: false; reason: "missing" | "mismatch" };

export function checkAuth(auth: ResolvedAuth, given: { token?: string; password?: string } | undefined): AuthResult {
  if (auth.mode === "none") return { ok: true, method: "none" };
  const expected = auth.mode === "token" ? auth.token : auth.password;
  // Accept the secret in either field: clients differ in where they put it.
  const secret = auth.mode === "token" ? given?.token || given?.password : given?.password || given?.token;
  if (!secret) return { ok: false, reason: "missing" };
  return safeEqualSecret(secret, expected) ? { ok: true, method: auth.mode } : { ok: false, reason: "mismatch" };
}

/**
 * Counts failures per address in a sliding window; after `maxFailures` the address is refused until
 * `lockoutMs` passes. Successful auth clears the count.
 */
export class AuthRateLimiter {
  private failures = new Map<string, { count: number; first: number; lockedUntil: number }>();
  constructor(private readonly opts: { maxFailures?: number; windowMs?: number; lockoutMs?: number; now?: () => number } = {}) {}

  private get now() {
    return (this.opts.now ?? Date.now)();
  }

  /** Milliseconds the address must still wait, or 0. */
  retryAfter(addr: string): number {
    const e = this.failures.get(addr);
    if (!e) return 0;
    return Math.max(0, e.lockedUntil - this.now);
  }

  fail(addr: string): void {
    const now = this.now;
    const windowMs = this.opts.windowMs ?? 60_000;
    let e = this.failures.get(addr);
    if (!e || now - e.first > windowMs) e = { count: 0, first: now, lockedUntil: 0 };
    e.count += 1;
    if (e.count >= (this.opts.maxFailures ?? 10)) e.lockedUntil = now + (this.opts.lockoutMs ?? 60_000);
    this.failures.set(addr, e);
    if (this.failures.size > 10_000) this.prune(now);
  }

  succeed(addr: string): void {
    this.failures.delete(addr);
  }

  private prune(now: number): void {
    for (const [k, e] of this.failures) if (e.lockedUntil < now && now - e.first > (this.opts.windowMs ?? 60_000)) this.failures.delete(k);
  }
}
