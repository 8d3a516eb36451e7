/**
 * Plugin host (OpenClaw 2026.1.29-compatible plugins).
 *
 * Use at gateway start-up, once config is loaded and before the HTTP/WebSocket server is listening:
 *
 * ```ts
 * const { registry, plugins, diagnostics } = await loadPlugins({
 *   config,                       // the whole openclaw.json object
 *   stateDir,                     // $OPENCLAW_STATE_DIR → <stateDir>/extensions/*
 *   workspaceDir,                 // agent workspace → <workspaceDir>/.openclaw/extensions/*
 *   env: process.env,
 *   logger: sink.logger("plugins"),
 *   coreGatewayMethods: Object.keys(coreHandlers), // plugins cannot take these
 *   coreToolNames,                                 // plugin tools with these names are skipped
 * });
 * ```
 *
 * It never throws for a plugin's fault: each plugin gets a `PluginRecord` (`status` "loaded",
 * "disabled" or "error" with `error`), and `diagnostics` lists config problems (unknown ids in
 * `plugins.allow|deny|entries|slots.memory`, invalid `plugins.entries.<id>.config`, missing manifests,
 * duplicate ids, refused registrations); they are also logged. Then the gateway wires:
 *
 * - `registry.gatewayMethods` (name → `{pluginId, handler({params, respond, req, client, context})}`);
 * - `registry.httpRoutes` (exact path) and `registry.httpHandlers` (return true when handled) — they
 *   get no gateway auth, as in OpenClaw;
 * - `registry.tools` (factories; `optional` ones only when a tool allowlist names them);
 * - `registry.services` (`start(ctx)` after listening, `stop(ctx)` on shutdown);
 * - `registry.cliRegistrars` (`register({ program })` for the CLI's commander program);
 * - `registry.commands` (chat commands, lower-cased names, run before built-in commands);
 * - `registry.providers`, `registry.channels`, `registry.hooks`, `registry.hookHandlers(name)`.
 *
 * Config changes under `plugins` take effect on restart (load again into a new registry).
 */
export { loadPlugins, type LoadPluginsOptions, type LoadPluginsResult } from "./loader.js";
export { PluginRegistry, PLUGIN_HOOK_NAMES, RESERVED_COMMAND_NAMES } from "./registry.js";
export type * from "./registry.js";
export type { OpenClawPluginApi, PluginLogger } from "./api.js";
export { loadPluginManifest, PLUGIN_MANIFEST_FILENAME, type PluginManifest } from "./manifest.js";
export { PluginConfigValidator } from "./config-schema.js";
export { discoverPlugins, discoverPluginCandidates, type PluginCandidate, type DiscoveredPlugin } from "./discovery.js";
export { normalizePluginsConfig, resolveEnableState, checkPluginIds } from "./config-state.js";
export type { PluginDiagnostic, PluginRecord, PluginStatus, PluginOrigin } from "./types.js";
