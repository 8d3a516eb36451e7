/**
 * `.env` loading as OpenClaw does it: the working directory's `.env`, then `$STATE_DIR/.env`; neither
 * overrides a variable that is already set.
 */
import path from "node:path";
import { parseEnv } from "node:util";
import type { Env } from "./paths.js";
import { readStateFileSync } from "./read-bounded.js";

/** The largest `.env` file read. */
const MAX_ENV_FILE_BYTES = 1024 * 1024;

/** Loads `file` into `env` without overriding; returns the keys it set. Missing file: nothing. */
export function loadEnvFile(file: string, env: Env): string[] {
  let text: string;
  try {
    text = readStateFileSync(file, MAX_ENV_FILE_BYTES);
  } catch {
    return [];
  }
  const parsed = parseEnv(text) as Record<string, string>;
  const set: string[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (env[key] === undefined) {
      env[key] = value;
      set.push(key);
    }
  }
  return set;
}

export function loadDotEnv(env: Env, cwd: string, stateDir: string): void {
  loadEnvFile(path.join(cwd, ".env"), env);
  loadEnvFile(path.join(stateDir, ".env"), env);
}
