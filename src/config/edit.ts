/**
 * Changing `openclaw.json` safely: edits apply to the file as written (so `${VAR}` references and
 * `$include`s survive), are validated in full before anything touches disk, are refused when the file
 * changed since the caller read it (`baseHash`), and are written atomically keeping `<file>.bak`.
 */
import { writeFileAtomicSync } from "../infra/atomic.js";
import type { Env } from "../infra/paths.js";
import { ConfigError } from "./errors.js";
import { parseJson5, readConfigSnapshot, resolveConfigObject, validateConfigObject, type ConfigSnapshot } from "./load.js";
import { SENSITIVE_KEY_PATTERN } from "./schema.js";
import { locateStrings, samePath, type LocatedString } from "./locate.js";

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

/** A string value that {@link redactSecrets} would hide: under a secret-named key, not a `${VAR}`. */
function isSecretValue(loc: LocatedString): boolean {
  const key = loc.path[loc.path.length - 1];
  return typeof key === "string" && SENSITIVE_KEY_PATTERN.test(key) && loc.value !== "" && !isEnvRef(loc.value);
}

/**
 * The raw file text with secret values masked, by position: exactly the values {@link redactSecrets}
 * hides in the parsed form are replaced, and every other character is left as written. (Replacing the
 * secret's text wherever it appears would corrupt unrelated words when a secret is short.)
 */
export function redactRaw(raw: string): string {
  const located = locateStrings(raw);
  if (!located) return redactUnparseable(raw);
  let out = raw;
  for (const loc of located.filter(isSecretValue).reverse()) {
    const q = raw[loc.start]!;
    out = out.slice(0, loc.start) + q + REDACTED + q + out.slice(loc.end);
  }
  return out;
}

/** A file that does not parse: hide the value of every `secretKey: "..."` pair that can be seen. */
function redactUnparseable(raw: string): string {
  return raw.replace(
    /((["']?)([A-Za-z0-9_.$-]+)\2\s*:\s*)(["'])((?:\\.|(?!\4)[^\\\n])*)\4/g,
    (m: string, lead: string, _q: string, key: string, q: string, value: string) =>
      SENSITIVE_KEY_PATTERN.test(key) && value !== "" && !isEnvRef(value) ? `${lead}${q}${REDACTED}${q}` : m,
  );
}

/**
 * Puts the stored secrets back into edited raw text: each string literal that is exactly
 * {@link REDACTED} is replaced by the literal found at the same path in the current file, byte for
 * byte. Throws `CONFIG_REDACTED` when there is no stored value at that path.
 */
export function restoreRedactedRaw(next: string, currentRaw: string | null): string {
  const located = locateStrings(next);
  if (!located) return next; // the parser reports the syntax error
  const placeholders = located.filter((l) => l.value === REDACTED);
  if (placeholders.length === 0) return next;
  const current = (currentRaw !== null ? locateStrings(currentRaw) : null) ?? [];
  let out = next;
  for (const p of placeholders.reverse()) {
    const stored = current.find((c) => samePath(c.path, p.path) && c.value !== REDACTED);
    if (!stored) {
      const where = p.path.join(".");
      throw new ConfigError(
        "CONFIG_REDACTED",
        `${where}: holds the placeholder ${REDACTED} but no secret is stored there; type the real value`,
        [
          {
            path: where,
            message: `${REDACTED} is a placeholder for a stored secret, and none is stored at this path; type the real value`,
          },
        ],
      );
    }
    out = out.slice(0, p.start) + currentRaw!.slice(stored.start, stored.end) + out.slice(p.end);
  }
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

/**
 * An edit starts from the file as it is; a file that cannot be read or parsed would make it start
 * from nothing and silently drop every other setting. Refuse instead.
 */
function refuseUnreadable(file: string, before: ConfigSnapshot): void {
  if (!before.exists) return;
  if (before.raw === null) {
    throw new ConfigError(
      "CONFIG_UNREADABLE",
      `${file} cannot be read (${before.issues.map((i) => i.message).join("; ")}); nothing was changed`,
      before.issues,
    );
  }
  if (before.raw.trim() === "") return; // an empty file: the edit becomes its first content
  try {
    parseJson5(before.raw, file);
  } catch (e) {
    throw new ConfigError(
      "CONFIG_PARSE",
      `${(e as Error).message}; fix the file first (nothing was changed)`,
      (e as ConfigError).issues ?? [],
    );
  }
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
  refuseUnreadable(file, before);
  const next = restoreRedacted(change(before.parsed, before), before.parsed);
  if (!isObj(next)) throw new ConfigError("CONFIG_INVALID", "config must be an object", [{ path: "", message: "expected object" }]);
  const resolved = resolveConfigObject(next, file, { ...env });
  const v = validateConfigObject(resolved, env);
  if (!v.ok)
    throw new ConfigError(
      "CONFIG_INVALID",
      `invalid config:\n${v.issues.map((i) => `  ${i.path || "<root>"}: ${i.message}`).join("\n")}`,
      v.issues,
    );
  writeFileAtomicSync(file, JSON.stringify(next, null, 2) + "\n", { backup: true });
  return readConfigSnapshot(file, env);
}

/**
 * Replaces the whole file with `raw` as written (comments and layout kept), after putting stored
 * secrets back where the text holds {@link REDACTED} and validating the result. Same conflict rules as
 * {@link editConfigFile}.
 */
export function replaceConfigText(file: string, env: Env, raw: string, opts: EditOptions = {}): ConfigSnapshot {
  const before = readConfigSnapshot(file, env);
  if (before.exists && opts.requireBaseHash && !opts.baseHash) {
    throw new ConfigError("CONFIG_CONFLICT", "baseHash is required: read the config with config.get first and pass its hash");
  }
  if (opts.baseHash && opts.baseHash !== before.hash) {
    throw new ConfigError("CONFIG_CONFLICT", "config changed since it was read (baseHash mismatch); reload it and apply your edit again");
  }
  const text = restoreRedactedRaw(raw, before.raw);
  const parsed = parseJson5(text, "raw");
  if (!isObj(parsed)) throw new ConfigError("CONFIG_INVALID", "config must be an object", [{ path: "", message: "expected object" }]);
  const v = validateConfigObject(resolveConfigObject(parsed, file, { ...env }), env);
  if (!v.ok)
    throw new ConfigError(
      "CONFIG_INVALID",
      `invalid config:\n${v.issues.map((i) => `  ${i.path || "<root>"}: ${i.message}`).join("\n")}`,
      v.issues,
    );
  writeFileAtomicSync(file, text.endsWith("\n") ? text : text + "\n", { backup: true });
  return readConfigSnapshot(file, env);
}
