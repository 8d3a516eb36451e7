/**
 * Shapes shared by the plugin host: diagnostics, discovery candidates, per-plugin records.
 */

/** Where a plugin came from; `bundled` ones are built into the gateway (its channels, methods, tools, providers). */
export type PluginOrigin = "bundled" | "config" | "workspace" | "global";

export interface PluginDiagnostic {
  level: "error" | "warn";
  message: string;
  /** The config path the diagnostic is about, e.g. `plugins.allow` or `plugins.entries.hello.config`. */
  path?: string;
  pluginId?: string;
  /** The file or folder it is about. */
  source?: string;
}

export type PluginStatus = "loaded" | "disabled" | "error";

/** One plugin as the host saw it: where it came from, whether it ran, and what it registered. */
export interface PluginRecord {
  id: string;
  name: string;
  description?: string;
  version?: string;
  kind?: string;
  /** The entry module. */
  source: string;
  rootDir: string;
  manifestPath: string;
  origin: PluginOrigin;
  enabled: boolean;
  status: PluginStatus;
  /** Why it is disabled or errored. */
  error?: string;
  channels: string[];
  providers: string[];
  toolNames: string[];
  hookNames: string[];
  gatewayMethods: string[];
  httpRoutes: string[];
  httpHandlers: number;
  cliCommands: string[];
  services: string[];
  commands: string[];
  channelIds: string[];
  providerIds: string[];
  typedHooks: number;
  /** The manifest's `configSchema` and `uiHints`, for config editors. */
  configSchema?: Record<string, unknown>;
  configUiHints?: Record<string, Record<string, unknown>>;
}

/** A record with nothing registered yet: who the plugin is and where it came from. */
export function newPluginRecord(
  base: Pick<PluginRecord, "id" | "name" | "source" | "rootDir" | "manifestPath" | "origin"> & Partial<PluginRecord>,
): PluginRecord {
  return {
    enabled: true,
    status: "loaded",
    channels: [],
    providers: [],
    toolNames: [],
    hookNames: [],
    gatewayMethods: [],
    httpRoutes: [],
    httpHandlers: 0,
    cliCommands: [],
    services: [],
    commands: [],
    channelIds: [],
    providerIds: [],
    typedHooks: 0,
    ...base,
  };
}
