/**
 * Changing `openclaw.json` safely: edits apply to the file as written (so `${VAR}` references and
 * `$include`s survive), are validated in full before anything touches disk, are refused when the file
 * changed since the caller read it (`baseHash`), and are written atomically keeping `<file>.bak`.
 */
import { writeFileAtomicSync } from "../infra/atomic.js";
import type { Env } from "../infra/paths.js";
import { ConfigError } from "./errors.js";
import { readConfigSnapshot, resolveConfigObject, validateConfigObject, type ConfigSnapshot } from "./load.js";
import { SENSITIVE_KEY_PATTERN } from "./schema.js";

/** Stands in for a secret in anything shown to a client; writing it back keeps the stored value. */
export const REDACTED = "__OPENCLAW_REDACTED__";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const isEnvRef = (s: string) => /^\$\{[A-Z_][A-Z0-9_]*\}$/.test(s);

/** A deep copy with every secret-named string value replaced by {@link REDACTED}. */
export function redactSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v)) as T;
  if (!isObj(value)) return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = typeof v === "string" && SENSITIVE_KEY_PATTERN.test(k) && !isEnvRef(v) && v !== "" ? REDACTED : redactSecrets(v);
  }
  return out as T;
}

/** Every secret string value in `value` (to mask them in raw text and logs). */
export function collectSecrets(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) collectSecrets(v, out);
  else if (isObj(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === "string" && SENSITIVE_KEY_PATTERN.test(k) && !isEnvRef(v) && v !== "") out.push(v);
      else collectSecrets(v, out);
    }
  }
  return out;
}

/** The raw file text with secret values masked. */
export function redactRaw(raw: string, parsed: unknown): string {
  let out = raw;
  for (const s of collectSecrets(parsed).sort((a, b) => b.length - a.length)) out = out.split(s).join(REDACTED);
  return out;
}

/** Puts stored secrets back wherever `next` still holds {@link REDACTED} at the same path. */
export function restoreRedacted(next: unknown, current: unknown): unknown {
  if (next === REDACTED) return current;
  if (Array.isArray(next)) return next.map((v, i) => restoreRedacted(v, Array.isArray(current) ? current[i] : undefined));
  if (!isObj(next)) return next;
  const out: Obj = {};
  for (const [k, v] of Object.entries(next)) out[k] = restoreRedacted(v, isObj(current) ? current[k] : undefined);
  return out;
}

/** RFC 7386 JSON merge patch: objects merge, `null` deletes, everything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return patch;
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Splits `a.b[0].c` or `a.b.0.c` into segments. */
export function splitPath(dotted: string): string[] {
  const parts = dotted
    .replace(/\[(\d+)\]/g, ".$1")
    .split(".")
    .filter((p) => p.length > 0);
  if (parts.length === 0) throw new ConfigError("CONFIG_PATH", `invalid config path "${dotted}"`);
  return parts;
}

export function getPath(root: unknown, parts: string[]): unknown {
  let cur = root;
  for (const p of parts) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isObj(cur)) cur = cur[p];
    else return undefined;
  }
  return cur;
}

/** Returns a copy of `root` with `value` at `parts` (`undefined` removes the key). */
export function setPath(root: unknown, parts: string[], value: unknown): unknown {
  const [head, ...rest] = parts as [string, ...string[]];
  if (Array.isArray(root) && /^\d+$/.test(head)) {
    const copy = [...root];
    const i = Number(head);
    if (rest.length === 0) {
      if (value === undefined) copy.splice(i, 1);
      else copy[i] = value;
    } else copy[i] = setPath(copy[i], rest, value);
    return copy;
  }
  const obj: Obj = isObj(root) ? { ...root } : {};
  if (rest.length === 0) {
    if (value === undefined) delete obj[head];
    else obj[head] = value;
  } else obj[head] = setPath(obj[head], rest, value);
  return obj;
}

export interface EditOptions {
  /** Hash the caller last saw; a mismatch means someone else changed the file. */
  baseHash?: string;
  /** Require `baseHash` when the file exists (gateway methods do; the local CLI does not). */
  requireBaseHash?: boolean;
}

/**
 * Applies `change` to the file as written and saves it. Throws `ConfigError` with code
 * `CONFIG_CONFLICT` (file changed), `CONFIG_INVALID` (issues listed) or `CONFIG_PARSE`.
 */
export function editConfigFile(
  file: string,
  env: Env,
  change: (parsed: unknown, snapshot: ConfigSnapshot) => unknown,
  opts: EditOptions = {},
): ConfigSnapshot {
  const before = readConfigSnapshot(file, env);
  if (before.exists && opts.requireBaseHash && !opts.baseHash) {
    throw new ConfigError("CONFIG_CONFLICT", "baseHash is required: read the config with config.get first and pass its hash");
  }
  if (opts.baseHash && opts.baseHash !== before.hash) {
    throw new ConfigError("CONFIG_CONFLICT", "config changed since it was read (baseHash mismatch); reload it and apply your edit again");
  }
  const next = restoreRedacted(change(before.parsed, before), before.parsed);
  if (!isObj(next)) throw new ConfigError("CONFIG_INVALID", "config must be an object", [{ path: "", message: "expected object" }]);
  const resolved = resolveConfigObject(next, file, { ...env });
  const v = validateConfigObject(resolved);
  if (!v.ok)
    throw new ConfigError(
      "CONFIG_INVALID",
      `invalid config:\n${v.issues.map((i) => `  ${i.path || "<root>"}: ${i.message}`).join("\n")}`,
      v.issues,
    );
  writeFileAtomicSync(file, JSON.stringify(next, null, 2) + "\n", { backup: true });
  return readConfigSnapshot(file, env);
}
