/**
 * The `skills` folders that enabled plugins declare in their manifest (`openclaw.plugin.json`),
 * resolved against each plugin's folder. Reads manifests only; no plugin code runs.
 */
import path from "node:path";
import { normalizePluginsConfig, resolveEnableState } from "../plugins/config-state.js";
import { discoverPlugins } from "../plugins/discovery.js";
import type { SkillsLoadOptions } from "./load.js";

/** `skills` folders declared by the manifests of enabled plugins. */
export function pluginSkillDirs(o: Pick<SkillsLoadOptions, "workspaceDir" | "stateDir" | "config" | "env">): string[] {
  const plugins = normalizePluginsConfig(o.config.plugins);
  if (!plugins.enabled) return [];
  let found;
  try {
    found = discoverPlugins({ loadPaths: plugins.loadPaths, workspaceDir: o.workspaceDir, stateDir: o.stateDir, env: o.env }).plugins;
  } catch {
    return [];
  }
  const dirs: string[] = [];
  for (const p of found) {
    if (!p.manifest.skills?.length || !resolveEnableState(p.manifest.id, plugins).enabled) continue;
    for (const rel of p.manifest.skills) {
      const dir = path.resolve(p.candidate.rootDir, rel.trim());
      if (rel.trim() && !dirs.includes(dir)) dirs.push(dir);
    }
  }
  return dirs;
}
