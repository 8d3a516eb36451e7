/**
 * Where state and config live. Everything takes an explicit `env` so tests can run many gateways in
 * one process without touching `process.env`.
 */
import os from "node:os";
import path from "node:path";

export type Env = Record<string, string | undefined>;

/**
 * The home directory: `HOME` in `env`, then the OS's record of the user. Undefined when there is
 * neither (a user id with no passwd entry, as containers can run with, and no `HOME`).
 */
export function findHome(env: Env = process.env): string | undefined {
  const fromEnv = env.HOME?.trim();
  if (fromEnv) return fromEnv;
  try {
    return os.homedir();
  } catch {
    return undefined;
  }
}

/** Expands a leading `~` to the home directory ({@link findHome}); throws a clear error when there is none. */
export function expandHome(p: string, env: Env = process.env): string {
  if (p !== "~" && !p.startsWith("~/")) return p;
  const home = findHome(env);
  if (!home) throw new Error(`${p} cannot be expanded: this user has no home folder; set HOME, or give the path in full`);
  return p === "~" ? home : path.join(home, p.slice(2));
}

/** `$OPENCLAW_STATE_DIR`, default `~/.openclaw`. */
export function resolveStateDir(env: Env = process.env): string {
  const fromEnv = env.OPENCLAW_STATE_DIR?.trim();
  if (fromEnv) return path.resolve(expandHome(fromEnv, env));
  const home = findHome(env);
  if (!home)
    throw new Error("no state directory: this user has no home folder for the default ~/.openclaw; set OPENCLAW_STATE_DIR (or HOME)");
  return path.resolve(home, ".openclaw");
}

/** `$OPENCLAW_CONFIG_PATH`, default `$STATE_DIR/openclaw.json`. */
export function resolveConfigPath(env: Env = process.env, stateDir = resolveStateDir(env)): string {
  const fromEnv = env.OPENCLAW_CONFIG_PATH?.trim();
  return fromEnv ? path.resolve(expandHome(fromEnv, env)) : path.join(stateDir, "openclaw.json");
}

export const DEFAULT_GATEWAY_PORT = 18789;
