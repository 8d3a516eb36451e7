/**
 * `${VAR}` substitution in config strings, done after `$include` and before validation. Only
 * upper-case names match; a missing or empty variable is an error naming the config path; `$${VAR}`
 * stays a literal `${VAR}`.
 */
import { ConfigError } from "./errors.js";
import type { Env } from "../infra/paths.js";

const PATTERN = /\$?\$\{([A-Z_][A-Z0-9_]*)\}/g;

export function substituteEnv(value: unknown, env: Env, path: string[] = []): unknown {
  if (typeof value === "string") return substituteString(value, env, path);
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, [...path, String(i)]));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substituteEnv(v, env, [...path, k]);
    return out;
  }
  return value;
}

function substituteString(s: string, env: Env, path: string[]): string {
  if (!s.includes("${")) return s;
  return s.replace(PATTERN, (match, name: string) => {
    if (match.startsWith("$$")) return match.slice(1);
    const v = env[name];
    if (v === undefined || v === "") {
      throw new ConfigError("CONFIG_ENV_MISSING", `${path.join(".")}: environment variable ${name} is not set`, [
        { path: path.join("."), message: `environment variable ${name} is not set` },
      ]);
    }
    return v;
  });
}
