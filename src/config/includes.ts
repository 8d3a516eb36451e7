/**
 * `$include` directives: `{ "$include": "./a.json5" }` replaces the object with the file's contents; an
 * array of files deep-merges them in order; sibling keys are merged on top. Paths are relative to the
 * including file; nesting is capped at 10 levels and cycles are reported with their chain.
 */
import path from "node:path";
import { ConfigError } from "./errors.js";
import { parseJson5, readConfigText } from "./parse.js";

const MAX_DEPTH = 10;
/** Most files one config may pull in, all includes together. */
const MAX_FILES = 64;
const KEY = "$include";

type Json = unknown;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Deep merge for includes: objects merge recursively, everything else is replaced by `b`. */
export function deepMerge(a: Json, b: Json): Json {
  if (isPlainObject(a) && isPlainObject(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in out ? deepMerge(out[k], v) : v;
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  return b;
}

export function resolveIncludes(value: Json, file: string, chain: string[] = [file], budget = { files: 0 }): Json {
  if (Array.isArray(value)) return value.map((v) => resolveIncludes(v, file, chain, budget));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (k !== KEY) out[k] = resolveIncludes(v, file, chain, budget);
  if (!(KEY in value)) return out;

  const spec = value[KEY];
  const files =
    typeof spec === "string" ? [spec] : Array.isArray(spec) && spec.every((s) => typeof s === "string") ? (spec as string[]) : null;
  if (!files) throw new ConfigError("CONFIG_INCLUDE", `${file}: $include must be a path or an array of paths`);

  let included: Json = undefined;
  for (const rel of files) {
    const target = path.resolve(path.dirname(file), rel);
    if (chain.includes(target)) {
      throw new ConfigError("CONFIG_INCLUDE", `circular $include: ${[...chain, target].join(" -> ")}`);
    }
    if (chain.length > MAX_DEPTH) throw new ConfigError("CONFIG_INCLUDE", `$include nested deeper than ${MAX_DEPTH} levels at ${target}`);
    if (++budget.files > MAX_FILES) throw new ConfigError("CONFIG_INCLUDE", `more than ${MAX_FILES} $include files (at ${target})`);
    let text: string;
    try {
      text = readConfigText(target);
    } catch (err) {
      if (err instanceof ConfigError) throw new ConfigError(err.code, `${err.message} (included from ${file})`, err.issues);
      throw new ConfigError("CONFIG_INCLUDE", `$include file not found: ${target} (included from ${file})`);
    }
    const parsed: Json = parseJson5(text, `${target} (included from ${file})`);
    const resolved = resolveIncludes(parsed, target, [...chain, target], budget);
    included = included === undefined ? resolved : deepMerge(included, resolved);
  }
  if (Object.keys(out).length === 0) return included;
  if (!isPlainObject(included)) {
    throw new ConfigError("CONFIG_INCLUDE", `${file}: $include with sibling keys needs the included file to hold an object`);
  }
  return deepMerge(included, out);
}
