/**
 * Where state and config live. Everything takes an explicit `env` so tests can run many gateways in
 * one process without touching `process.env`.
 */
import os from "node:os";
import path from "node:path";

export type Env = Record<string, string | undefined>;

/** Expands a leading `~` to the home directory (from `HOME` in `env`, then the OS). */
export function expandHome(p: string, env: Env = process.env): string {
  if (p === "~") return env.HOME || os.homedir();
  if (p.startsWith("~/")) return path.join(env.HOME || os.homedir(), p.slice(2));
  return p;
}

/** `$OPENCLAW_STATE_DIR`, default `~/.openclaw`. */
export function resolveStateDir(env: Env = process.env): string {
  const fromEnv = env.OPENCLAW_STATE_DIR?.trim();
  return path.resolve(expandHome(fromEnv || "~/.openclaw", env));
}

/** `$OPENCLAW_CONFIG_PATH`, default `$STATE_DIR/openclaw.json`. */
export function resolveConfigPath(env: Env = process.env, stateDir = resolveStateDir(env)): string {
  const fromEnv = env.OPENCLAW_CONFIG_PATH?.trim();
  return fromEnv ? path.resolve(expandHome(fromEnv, env)) : path.join(stateDir, "openclaw.json");
}

export const DEFAULT_GATEWAY_PORT = 18789;
