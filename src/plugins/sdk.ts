/**
 * What plugins get from `import … from "openclaw/plugin-sdk"`: the runtime helpers of OpenClaw
 * 2026.1.29's plugin SDK that do not depend on its internals (tool results and parameter readers,
 * config-schema and enum helpers, account ids, the silent-reply token). Types need nothing here:
 * `import type` disappears when a plugin is loaded. This module is built as `dist/plugin-sdk.mjs` and
 * the plugin loader resolves the specifier to it.
 */

type Params = Record<string, unknown>;

/** A tool result whose text is the payload as indented JSON, with the payload kept as details. */
export function jsonResult(payload: unknown): { content: Array<{ type: "text"; text: string }>; details: unknown } {
  return { content: [{ type: "text", text: JSON.stringify(payload, null, 2) }], details: payload };
}

interface ReadOptions {
  required?: boolean;
  label?: string;
}

export function readStringParam(
  params: Params,
  key: string,
  opts: ReadOptions & { trim?: boolean; allowEmpty?: boolean } = {},
): string | undefined {
  const { required = false, label = key, trim = true, allowEmpty = false } = opts;
  const raw = params[key];
  const value = typeof raw === "string" ? (trim ? raw.trim() : raw) : undefined;
  if (value === undefined || (!value && !allowEmpty)) {
    if (required) throw new Error(`${label} required`);
    return undefined;
  }
  return value;
}

export function readNumberParam(params: Params, key: string, opts: ReadOptions & { integer?: boolean } = {}): number | undefined {
  const { required = false, label = key, integer = false } = opts;
  const raw = params[key];
  const value =
    typeof raw === "number" && Number.isFinite(raw)
      ? raw
      : typeof raw === "string" && raw.trim() && Number.isFinite(Number.parseFloat(raw))
        ? Number.parseFloat(raw)
        : undefined;
  if (value === undefined) {
    if (required) throw new Error(`${label} required`);
    return undefined;
  }
  return integer ? Math.trunc(value) : value;
}

export function readStringArrayParam(params: Params, key: string, opts: ReadOptions = {}): string[] | undefined {
  const { required = false, label = key } = opts;
  const raw = params[key];
  const list = Array.isArray(raw)
    ? raw.filter((v): v is string => typeof v === "string").map((v) => v.trim())
    : typeof raw === "string"
      ? [raw.trim()]
      : [];
  const values = list.filter(Boolean);
  if (!values.length) {
    if (required) throw new Error(`${label} required`);
    return undefined;
  }
  return values;
}

/** A config schema for a plugin that takes no config: `undefined` or `{}` only. */
export function emptyPluginConfigSchema() {
  const fail = (message: string) => ({ success: false as const, error: { issues: [{ path: [] as string[], message }] } });
  return {
    safeParse(value: unknown) {
      if (value === undefined) return { success: true as const, data: undefined };
      if (!value || typeof value !== "object" || Array.isArray(value)) return fail("expected config object");
      if (Object.keys(value).length) return fail("config must be empty");
      return { success: true as const, data: value };
    },
    jsonSchema: { type: "object", additionalProperties: false, properties: {} },
  };
}

/** A JSON-schema string enum for tool parameters (plain JSON Schema; providers reject `anyOf` of literals). */
export function stringEnum(values: readonly string[], opts: { description?: string; default?: string } = {}) {
  return { type: "string", enum: [...values], ...opts };
}

export function optionalStringEnum(values: readonly string[], opts: { description?: string; default?: string } = {}) {
  return stringEnum(values, opts);
}

export const DEFAULT_ACCOUNT_ID = "default";

/** An account id as config keys use it: lower-case letters, digits, `_` and `-`; `default` when empty. */
export function normalizeAccountId(value: string | undefined | null): string {
  const id = (value ?? "")
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64);
  return id || DEFAULT_ACCOUNT_ID;
}

/** A reply that starts or ends with this token (as a word) is not sent. */
export const SILENT_REPLY_TOKEN = "NO_REPLY";

export function isSilentReplyText(text: string | undefined | null, token = SILENT_REPLY_TOKEN): boolean {
  if (!text) return false;
  const t = token.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^\\s*${t}(?=$|\\W)`).test(text) || new RegExp(`\\b${t}\\b\\W*$`).test(text);
}
