/**
 * Reading `openclaw.json`: JSON5 → `$include` → `env` block → `${VAR}` → schema. Never throws for a bad
 * file: the snapshot says what is wrong, path by path, and the caller decides (refuse to start, keep the
 * last good config on reload, or show it in `config validate`).
 */
import fs from "node:fs";
import { createHash } from "node:crypto";
import { KNOWN_CHANNEL_KEYS, configSchema, type OpenClawConfig } from "./schema.js";
import { ConfigError, formatZodIssues, type ConfigIssue } from "./errors.js";
import { resolveIncludes } from "./includes.js";
import { substituteEnv } from "./env-subst.js";
import { unimplementedPaths } from "./support.js";
import { resolveStateDir, type Env } from "../infra/paths.js";
import { discoverPlugins } from "../plugins/discovery.js";
import { parseJson5, readConfigText } from "./parse.js";

export { MAX_CONFIG_BYTES, MAX_CONFIG_DEPTH, formatBytes, parseJson5, readConfigText } from "./parse.js";

export interface ConfigSnapshot {
  path: string;
  exists: boolean;
  /** The file's text as written (null when there is no file). */
  raw: string | null;
  /** The file parsed, before includes and substitution (what edits operate on). */
  parsed: unknown;
  valid: boolean;
  /** The validated config (empty object when invalid or missing). */
  config: OpenClawConfig;
  /** sha256 of `raw`; pass back as `baseHash` to edit without clobbering someone else's change. */
  hash: string;
  issues: ConfigIssue[];
  /** Keys that load but do nothing yet, and other non-fatal notes. */
  warnings: ConfigIssue[];
}

export function hashRaw(raw: string | null): string {
  return createHash("sha256")
    .update(raw ?? "")
    .digest("hex");
}

/** Resolves includes, applies the config's `env` block (non-overriding) and substitutes `${VAR}`. */
export function resolveConfigObject(parsed: unknown, file: string, env: Env): unknown {
  const included = resolveIncludes(parsed, file);
  applyConfigEnv(included, env);
  return substituteEnv(included, env);
}

/** `env: { KEY: "v", vars: { KEY: "v" } }` fills variables the process does not already have. */
function applyConfigEnv(cfg: unknown, env: Env): void {
  if (!cfg || typeof cfg !== "object") return;
  const block = (cfg as Record<string, unknown>).env;
  if (!block || typeof block !== "object") return;
  const entries = Object.entries(block as Record<string, unknown>);
  const vars = (block as Record<string, unknown>).vars;
  if (vars && typeof vars === "object") entries.push(...Object.entries(vars as Record<string, unknown>));
  for (const [k, v] of entries) {
    if (typeof v === "string" && /^[A-Z_][A-Z0-9_]*$/.test(k) && env[k] === undefined) env[k] = v;
  }
}

export interface ValidationResult {
  ok: boolean;
  config: OpenClawConfig;
  issues: ConfigIssue[];
  warnings: ConfigIssue[];
}

export function validateConfigObject(value: unknown, env: Env): ValidationResult {
  // A config is parsed once per read: zod's compiled fast path would cost more to build than it saves.
  const res = configSchema().safeParse(value, { jitless: true });
  if (!res.success) return { ok: false, config: {} as OpenClawConfig, issues: formatZodIssues(res.error.issues, value), warnings: [] };
  const unknown = unknownChannels(res.data, env);
  if (unknown.length) {
    const issues = unknown.map((id) => ({
      path: `channels.${id}`,
      message: `unknown channel id "${id}": no built-in channel or plugin (openclaw.plugin.json "channels") provides it`,
    }));
    return { ok: false, config: {} as OpenClawConfig, issues, warnings: [] };
  }
  const warnings = unimplementedPaths(res.data).map((p) => ({ path: p, message: "accepted but not implemented yet; it has no effect" }));
  return { ok: true, config: res.data, issues: [], warnings };
}

/**
 * `channels.<id>` keys that neither OpenClaw nor a plugin declares (a typo such as `discrod`). Plugin
 * manifests are read only when such a key exists, so a usual config costs nothing here.
 */
function unknownChannels(cfg: OpenClawConfig, env: Env): string[] {
  const keys = Object.keys((cfg.channels ?? {}) as Record<string, unknown>).filter((k) => !KNOWN_CHANNEL_KEYS.has(k));
  if (!keys.length) return [];
  const plugins = (cfg as { plugins?: { load?: { paths?: unknown[] } } }).plugins;
  const loadPaths = (plugins?.load?.paths ?? []).filter((p): p is string => typeof p === "string");
  const declared = new Set(
    discoverPlugins({ loadPaths, stateDir: resolveStateDir(env), env: env as NodeJS.ProcessEnv }).plugins.flatMap(
      (p) => p.manifest.channels,
    ),
  );
  return keys.filter((k) => !declared.has(k));
}

/** Reads and validates the config file at `file`. */
export function readConfigSnapshot(file: string, env: Env): ConfigSnapshot {
  let raw: string | null = null;
  try {
    raw = readConfigText(file);
  } catch (err) {
    // Too big to read, or unreadable: the file exists but nothing in it can be used.
    const unusable = (issues: ConfigIssue[]): ConfigSnapshot => ({
      path: file,
      exists: true,
      raw: null,
      parsed: {},
      valid: false,
      config: {} as OpenClawConfig,
      hash: hashRaw(null),
      issues,
      warnings: [],
    });
    if (err instanceof ConfigError) return unusable(err.issues);
    if ((err as NodeJS.ErrnoException).code !== "ENOENT")
      return unusable([{ path: "", message: `cannot read ${file}: ${(err as Error).message}` }]);
  }
  const base = { path: file, exists: raw !== null, raw, hash: hashRaw(raw) };
  if (raw === null) return { ...base, parsed: {}, valid: true, config: {} as OpenClawConfig, issues: [], warnings: [] };
  if (raw.trim() === "") {
    // An empty file is a mistake (a failed write, a truncation), never "no settings": applying it
    // would silently drop the token and every model. Keep the last good config and say so.
    const message = `the file is empty; write a JSON5 object such as { gateway: { mode: "local" } }, or delete the file to use the defaults`;
    return { ...base, parsed: {}, valid: false, config: {} as OpenClawConfig, issues: [{ path: "", message }], warnings: [] };
  }
  let parsed: unknown = {};
  try {
    parsed = parseJson5(raw, file);
    const resolved = resolveConfigObject(parsed, file, env);
    const v = validateConfigObject(resolved, env);
    return { ...base, parsed, valid: v.ok, config: v.config, issues: v.issues, warnings: v.warnings };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const issues = err.issues.length > 0 ? err.issues : [{ path: "", message: err.message }];
    return { ...base, parsed, valid: false, config: {} as OpenClawConfig, issues, warnings: [] };
  }
}
