/**
 * The `api` object a plugin's register function receives (OpenClaw 2026.1.29's plugin API): who it is,
 * its config, a logger, and the register* calls, each recorded in the registry under the plugin's id.
 */
import type { Logger } from "../infra/logger.js";
import { resolveUserPath } from "./discovery.js";
import type {
  CliRegistrar,
  GatewayMethodHandler,
  PluginCommand,
  PluginHttpHandler,
  PluginRegistry,
  PluginService,
  PluginTool,
  PluginUpgradeHandler,
  PluginToolFactory,
  ToolOptions,
} from "./registry.js";
import type { PluginRecord } from "./types.js";

export interface PluginLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

export interface OpenClawPluginApi {
  id: string;
  name: string;
  version?: string;
  description?: string;
  /** The entry module's path. */
  source: string;
  /** The whole gateway config. */
  config: Record<string, unknown>;
  /** `plugins.entries.<id>.config`, already checked against the manifest's configSchema. */
  pluginConfig: Record<string, unknown> | undefined;
  /** Core helpers the host chooses to expose (OpenClaw's `api.runtime`); at least `version`. */
  runtime: Record<string, unknown>;
  logger: PluginLogger;
  /** Expands `~` and resolves relative paths. */
  resolvePath(input: string): string;
  /** Built-in plugins may pass the gateway's own method definition (params schema, scope) instead of a handler. */
  registerGatewayMethod(method: string, handler: GatewayMethodHandler | object): void;
  registerTool(tool: PluginTool | PluginToolFactory, opts?: ToolOptions): void;
  registerHttpRoute(route: { path: string; handler: PluginHttpHandler }): void;
  registerHttpHandler(handler: PluginHttpHandler): void;
  /**
   * Ours: takes WebSocket upgrades on an exact path before the gateway's own protocol. The path is
   * public (like a signed webhook); the handler authenticates what the socket sends.
   */
  registerWebSocketRoute(route: { path: string; handler: PluginUpgradeHandler }): void;
  registerCli(registrar: CliRegistrar, opts?: { commands?: string[] }): void;
  registerService(service: PluginService): void;
  registerCommand(command: PluginCommand): void;
  registerProvider(provider: { id: string; [key: string]: unknown }): void;
  registerChannel(registration: unknown): void;
  registerHook(events: string | string[], handler: (...args: any[]) => unknown, opts?: { name?: string }): void;
  on(hookName: string, handler: (...args: any[]) => unknown, opts?: { priority?: number }): void;
}

export interface CreateApiOptions {
  config: Record<string, unknown>;
  pluginConfig: Record<string, unknown> | undefined;
  /** The plugins logger; the plugin's own is its child named by the plugin id. */
  logger: Logger;
  runtime: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
}

export function createPluginApi(record: PluginRecord, registry: PluginRegistry, opts: CreateApiOptions): OpenClawPluginApi {
  const log = opts.logger.child(record.id);
  const text = (m: unknown) => (typeof m === "string" ? m : String(m));
  return {
    id: record.id,
    name: record.name,
    version: record.version,
    description: record.description,
    source: record.source,
    config: opts.config,
    pluginConfig: opts.pluginConfig,
    runtime: opts.runtime,
    logger: {
      info: (m) => log.info(text(m)),
      warn: (m) => log.warn(text(m)),
      error: (m) => log.error(text(m)),
      debug: (m) => log.debug(text(m)),
    },
    resolvePath: (input) => resolveUserPath(input, opts.env),
    registerGatewayMethod: (method, handler) => void registry.registerGatewayMethod(record, method, handler),
    registerTool: (tool, toolOpts) => void registry.registerTool(record, tool, toolOpts),
    registerHttpRoute: (route) => void registry.registerHttpRoute(record, route),
    registerHttpHandler: (handler) => void registry.registerHttpHandler(record, handler),
    registerWebSocketRoute: (route) => void registry.registerWebSocketRoute(record, route),
    registerCli: (registrar, cliOpts) => void registry.registerCli(record, registrar, cliOpts),
    registerService: (service) => void registry.registerService(record, service),
    registerCommand: (command) => void registry.registerCommand(record, command),
    registerProvider: (provider) => void registry.registerProvider(record, provider),
    registerChannel: (registration) => void registry.registerChannel(record, registration),
    registerHook: (events, handler, hookOpts) => void registry.registerHook(record, events, handler, hookOpts),
    on: (hookName, handler, hookOpts) => void registry.on(record, hookName, handler, hookOpts),
  };
}
