/** The built-in agent tools, registered through the plugin API like any plugin's tools. */
import type { BuiltinPlugin } from "../plugins/builtin.js";
import type { PluginTool } from "../plugins/registry.js";
import { BUILTIN_TOOLS } from "./registry.js";

export const coreToolsPlugin: BuiltinPlugin = {
  id: "core-tools",
  name: "Built-in tools",
  register(api) {
    for (const tool of BUILTIN_TOOLS) api.registerTool(tool as unknown as PluginTool);
  },
};
