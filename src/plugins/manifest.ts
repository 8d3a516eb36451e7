/**
 * `openclaw.plugin.json`: the manifest every plugin ships in its root folder, read and checked without
 * running any plugin code, and the check of `plugins.entries.<id>.config` against the JSON Schema it
 * declares.
 */
import path from "node:path";
import { FileTooLargeError, NotRegularFileError, readStateFileSync } from "../infra/read-bounded.js";

export const PLUGIN_MANIFEST_FILENAME = "openclaw.plugin.json";

/** Per-field hints the Control UI uses when it renders a plugin's config form. */
export interface PluginUiHint {
  label?: string;
  help?: string;
  placeholder?: string;
  sensitive?: boolean;
  advanced?: boolean;
}

export interface PluginManifest {
  id: string;
  /** JSON Schema for `plugins.entries.<id>.config` (may be `{}`). */
  configSchema: Record<string, unknown>;
  name?: string;
  description?: string;
  version?: string;
  /** `"memory"` for plugins that can fill the memory slot. */
  kind?: string;
  channels: string[];
  providers: string[];
  skills: string[];
  uiHints?: Record<string, PluginUiHint>;
}

export type ManifestResult =
  { ok: true; manifest: PluginManifest; manifestPath: string } | { ok: false; error: string; manifestPath: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return Boolean(value) && typeof value === "object" && !Array.isArray(value);
}

/** The largest plugin manifest read (a config schema and some names). */
const MAX_MANIFEST_BYTES = 1024 * 1024;

/** Reads `<rootDir>/openclaw.plugin.json`; errors name the file and the field at fault. */
export function loadPluginManifest(rootDir: string): ManifestResult {
  const manifestPath = path.join(rootDir, PLUGIN_MANIFEST_FILENAME);
  const fail = (error: string): ManifestResult => ({ ok: false, error: `${manifestPath}: ${error}`, manifestPath });
  let text: string;
  try {
    text = readStateFileSync(manifestPath, MAX_MANIFEST_BYTES);
  } catch (err) {
    if (err instanceof FileTooLargeError) return fail(`plugin manifest is larger than ${MAX_MANIFEST_BYTES} bytes`);
    if (err instanceof NotRegularFileError) return fail("plugin manifest is not a regular file");
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      return fail(`plugin manifest not found; every plugin needs an ${PLUGIN_MANIFEST_FILENAME} with at least "id" and "configSchema"`);
    }
    return fail(`cannot read plugin manifest (${(err as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return fail(`plugin manifest is not valid JSON (${(err as Error).message})`);
  }
  if (!isRecord(raw)) return fail("plugin manifest must be a JSON object");

  const id = typeof raw.id === "string" ? raw.id.trim() : "";
  if (!id) return fail(`"id" is required: a non-empty string naming the plugin (the key under plugins.entries)`);
  if (!("configSchema" in raw)) {
    return fail(`"configSchema" is required: an inline JSON Schema for plugins.entries.${id}.config (use {} when it takes none)`);
  }
  if (!isRecord(raw.configSchema)) return fail(`"configSchema" must be a JSON Schema object`);

  const optionalString = (field: string): string | undefined | Error => {
    const v = raw[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") return new Error(`"${field}" must be a string`);
    return v.trim() || undefined;
  };
  const stringList = (field: string): string[] | Error => {
    const v = raw[field];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((e) => typeof e !== "string")) {
      return new Error(`"${field}" must be an array of strings`);
    }
    return (v as string[]).map((e) => e.trim()).filter(Boolean);
  };
  const name = optionalString("name");
  const description = optionalString("description");
  const version = optionalString("version");
  const kind = optionalString("kind");
  const channels = stringList("channels");
  const providers = stringList("providers");
  const skills = stringList("skills");
  for (const v of [name, description, version, kind, channels, providers, skills]) {
    if (v instanceof Error) return fail(v.message);
  }
  let uiHints: Record<string, PluginUiHint> | undefined;
  if (raw.uiHints !== undefined && raw.uiHints !== null) {
    if (!isRecord(raw.uiHints)) return fail(`"uiHints" must be an object keyed by config field`);
    for (const [field, hint] of Object.entries(raw.uiHints)) {
      if (!isRecord(hint)) return fail(`"uiHints.${field}" must be an object ({label, help, placeholder, sensitive, advanced})`);
    }
    uiHints = raw.uiHints as Record<string, PluginUiHint>;
  }
  return {
    ok: true,
    manifestPath,
    manifest: {
      id,
      configSchema: raw.configSchema,
      name: name as string | undefined,
      description: description as string | undefined,
      version: version as string | undefined,
      kind: kind as string | undefined,
      channels: channels as string[],
      providers: providers as string[],
      skills: skills as string[],
      uiHints,
    },
  };
}
