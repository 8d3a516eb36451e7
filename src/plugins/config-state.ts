/**
 * The `plugins` section of openclaw.json, normalized, and the decision whether one plugin runs.
 *
 * Precedence (OpenClaw's): `plugins.enabled: false` turns every plugin off → `plugins.deny` (wins over
 * allow) → `plugins.allow` (when non-empty, only listed ids run) → `plugins.slots.memory` naming the
 * plugin → `plugins.entries.<id>.enabled` → otherwise on (plugins found on disk run by default).
 */
import type { PluginDiagnostic } from "./types.js";

export interface PluginEntryConfig {
  enabled?: boolean;
  config?: unknown;
}

/** The raw config section as openclaw.json may hold it (loosely typed: it is checked here). */
export interface PluginsConfigInput {
  enabled?: unknown;
  allow?: unknown;
  deny?: unknown;
  load?: { paths?: unknown } | null;
  slots?: { memory?: unknown } | null;
  entries?: unknown;
}

export interface NormalizedPluginsConfig {
  enabled: boolean;
  allow: string[];
  deny: string[];
  loadPaths: string[];
  /** A plugin id, `null` for "none", `undefined` when not set. */
  memorySlot: string | null | undefined;
  entries: Record<string, PluginEntryConfig>;
}

function stringList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((e) => (typeof e === "string" ? e.trim() : "")).filter(Boolean);
}

export function normalizePluginsConfig(input: PluginsConfigInput | undefined | null): NormalizedPluginsConfig {
  const entries: Record<string, PluginEntryConfig> = {};
  if (input?.entries && typeof input.entries === "object" && !Array.isArray(input.entries)) {
    for (const [id, value] of Object.entries(input.entries as Record<string, unknown>)) {
      if (!id.trim()) continue;
      if (!value || typeof value !== "object" || Array.isArray(value)) {
        entries[id] = {};
        continue;
      }
      const v = value as Record<string, unknown>;
      entries[id] = {
        enabled: typeof v.enabled === "boolean" ? v.enabled : undefined,
        config: "config" in v ? v.config : undefined,
      };
    }
  }
  const slot = input?.slots?.memory;
  let memorySlot: string | null | undefined;
  if (typeof slot === "string" && slot.trim()) memorySlot = slot.trim().toLowerCase() === "none" ? null : slot.trim();
  return {
    enabled: input?.enabled !== false,
    allow: stringList(input?.allow),
    deny: stringList(input?.deny),
    loadPaths: stringList(input?.load?.paths),
    memorySlot,
    entries,
  };
}

export type EnableState = { enabled: true } | { enabled: false; reason: string };

export function resolveEnableState(id: string, config: NormalizedPluginsConfig): EnableState {
  if (!config.enabled) return { enabled: false, reason: "plugins disabled (plugins.enabled is false)" };
  if (config.deny.includes(id)) return { enabled: false, reason: "blocked by plugins.deny" };
  if (config.allow.length > 0 && !config.allow.includes(id)) return { enabled: false, reason: "not in plugins.allow" };
  if (config.memorySlot === id) return { enabled: true };
  const entry = config.entries[id];
  if (entry?.enabled === false) return { enabled: false, reason: `disabled in config (plugins.entries.${id}.enabled is false)` };
  return { enabled: true };
}

/**
 * For a memory-kind plugin: whether the memory slot lets it run. Only one memory plugin runs; the slot
 * picks it, `"none"` picks none, unset lets the first found run.
 */
export function resolveMemorySlot(
  id: string,
  kind: string | undefined,
  slot: string | null | undefined,
  alreadySelected: string | null,
): EnableState {
  if (kind !== "memory") return { enabled: true };
  if (slot === null) return { enabled: false, reason: "memory slot disabled (plugins.slots.memory is none)" };
  if (typeof slot === "string") {
    return slot === id ? { enabled: true } : { enabled: false, reason: `memory slot set to "${slot}"` };
  }
  if (alreadySelected && alreadySelected !== id) {
    return { enabled: false, reason: `memory slot already filled by "${alreadySelected}"` };
  }
  return { enabled: true };
}

/**
 * Ids named in `plugins.entries`, `plugins.allow`, `plugins.deny` or `plugins.slots.memory` that no
 * discovered plugin has: errors, as in OpenClaw, each naming the config path and what to do.
 */
export function checkPluginIds(config: NormalizedPluginsConfig, knownIds: ReadonlySet<string>): PluginDiagnostic[] {
  const out: PluginDiagnostic[] = [];
  const hint = "install it, add its folder to plugins.load.paths, or remove the id";
  for (const id of Object.keys(config.entries)) {
    if (!knownIds.has(id))
      out.push({ level: "error", path: `plugins.entries.${id}`, pluginId: id, message: `plugin not found: ${id} (${hint})` });
  }
  for (const key of ["allow", "deny"] as const) {
    for (const id of config[key]) {
      if (!knownIds.has(id))
        out.push({ level: "error", path: `plugins.${key}`, pluginId: id, message: `plugin not found: ${id} (${hint})` });
    }
  }
  if (typeof config.memorySlot === "string" && !knownIds.has(config.memorySlot)) {
    out.push({
      level: "error",
      path: "plugins.slots.memory",
      pluginId: config.memorySlot,
      message: `plugin not found: ${config.memorySlot} (${hint}, or set it to "none")`,
    });
  }
  return out;
}
