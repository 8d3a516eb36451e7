/** Plugin records and registries built by hand, as the loader would make them. */
import { newPluginRecord, type PluginRecord } from "../../src/plugins/types.js";

/** A loaded plugin's record, as the loader makes one. */
export function pluginRecord(id: string): PluginRecord {
  return newPluginRecord({
    id,
    name: id,
    source: `/plugins/${id}/index.ts`,
    rootDir: `/plugins/${id}`,
    manifestPath: `/plugins/${id}/openclaw.plugin.json`,
    origin: "config",
  });
}
