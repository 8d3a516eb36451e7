/** The built-in agent tools, registered through the plugin API like any plugin's tools. */
import type { OpenClawConfig } from "../config/schema.js";
import type { BuiltinPlugin } from "../plugins/builtin.js";
import type { PluginTool } from "../plugins/registry.js";
import { createBrowser } from "./browser/index.js";
import { BUILTIN_TOOLS } from "./registry.js";
import { createExecTools } from "./exec/exec.js";
import { createWebFetch } from "./web/fetch.js";
import { createWebSearch } from "./web/search.js";
import { createImageTool } from "./image/image.js";
import { gatewayTool } from "./gateway-tool.js";
import { messageTool } from "./message.js";
import { SESSION_TOOLS, createSessionsSpawnTool } from "./sessions/tools.js";

export const coreToolsPlugin: BuiltinPlugin = {
  id: "core-tools",
  name: "Built-in tools",
  register(api) {
    for (const tool of [...BUILTIN_TOOLS, ...SESSION_TOOLS, createSessionsSpawnTool(), messageTool, gatewayTool])
      api.registerTool(tool as unknown as PluginTool);
    // Reads tools.web.fetch from each run's config; its page cache lives as long as the gateway.
    const webFetch = createWebFetch();
    api.registerTool((ctx) => webFetch.tool(ctx.config as OpenClawConfig) as unknown as PluginTool, { name: "web_fetch" });
    // Reads tools.web.search from each run's config and its keys from the gateway's environment.
    const webSearch = createWebSearch();
    api.registerTool((ctx) => webSearch.tool(ctx.config as OpenClawConfig) as unknown as PluginTool, { name: "web_search" });
    // Offered only when agents.defaults.imageModel names a model.
    api.registerTool(createImageTool() as unknown as PluginTool);
    // One process registry for the gateway's life; its processes stop with the gateway.
    const execTools = createExecTools();
    for (const tool of [execTools.exec, execTools.process]) api.registerTool(tool as unknown as PluginTool);
    api.registerService({ id: "exec-processes", stop: () => execTools.dispose() });
    // One browser per gateway: launched on first use, closed when the gateway stops.
    const browser = createBrowser();
    api.registerTool(browser.tool as unknown as PluginTool);
    for (const [name, def] of Object.entries(browser.methods)) api.registerGatewayMethod(name, def);
    api.registerService({
      id: "browser",
      start: (ctx) => {
        if (typeof ctx.stateDir === "string") browser.setStateDir(ctx.stateDir);
      },
      stop: () => browser.close(),
    });
  },
};
