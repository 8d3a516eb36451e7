/**
 * Built-in plugins: the gateway's own channels, method families, tools and model APIs register through
 * the same `api` as third-party plugins, into the same registry, so one collision check covers them
 * all and a third-party plugin cannot take a name the gateway serves.
 */
import type { Logger } from "../infra/logger.js";
import { ChannelCatalog, isChannelPlugin } from "../channels/plugin.js";
import { createPluginApi, type OpenClawPluginApi } from "./api.js";
import { PluginRegistry } from "./registry.js";
import { newPluginRecord, type PluginRecord } from "./types.js";
import { BUNDLED_PLUGINS } from "./bundled.js";

export interface BuiltinPlugin {
  id: string;
  name: string;
  description?: string;
  /** Registers synchronously; built-in registrations may pass the gateway's own method and tool definitions. */
  register(api: OpenClawPluginApi): void;
}

function record(p: BuiltinPlugin): PluginRecord {
  return newPluginRecord({
    id: p.id,
    name: p.name,
    description: p.description,
    source: `builtin:${p.id}`,
    rootDir: "",
    manifestPath: "",
    origin: "bundled",
  });
}

const quiet: Logger = {
  subsystem: "plugins",
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => quiet,
};

export interface RegisterBuiltinsOptions {
  config?: Record<string, unknown>;
  logger?: Logger;
  version?: string;
}

/**
 * Runs each built-in plugin's register into `registry`. A built-in that throws is a bug in the
 * gateway, so it throws too (start-up fails loudly rather than run without, say, its methods).
 */
export function registerBuiltins(registry: PluginRegistry, plugins: readonly BuiltinPlugin[], opts: RegisterBuiltinsOptions = {}): void {
  for (const p of plugins) {
    const rec = record(p);
    registry.plugins.push(rec);
    const api = createPluginApi(rec, registry, {
      config: opts.config ?? {},
      pluginConfig: undefined,
      logger: opts.logger ?? quiet,
      runtime: opts.version ? { version: opts.version } : {},
    });
    const before = registry.diagnostics.length;
    p.register(api);
    const refused = registry.diagnostics.slice(before).filter((d) => d.level === "error");
    if (refused.length) throw new Error(`built-in plugin ${p.id}: ${refused.map((d) => d.message).join("; ")}`);
  }
}

/** The channels a registry holds that this gateway can run, in registration order. */
export function channelCatalog(registry: PluginRegistry): ChannelCatalog {
  return new ChannelCatalog(registry.channels.flatMap((c) => (isChannelPlugin(c.plugin) ? [c.plugin] : [])));
}

/** The built-in channels, for commands that run without a gateway (doctor, audit, config checks). */
export function bundledChannels(): ChannelCatalog {
  const registry = new PluginRegistry();
  registerBuiltins(registry, BUNDLED_PLUGINS);
  return channelCatalog(registry);
}
