/**
 * The gateway's built-in features that run on their own (scheduled jobs, heartbeats, webhooks,
 * memory), each a built-in plugin registering its methods, tools, routes, CLI commands and service
 * through the plugin API. One line per feature.
 */
import { heartbeatPlugin } from "../heartbeat/plugin.js";
import type { BuiltinPlugin } from "../plugins/builtin.js";
import type { LateServices } from "./services.js";

export function featurePlugins(services: LateServices): BuiltinPlugin[] {
  return [heartbeatPlugin(services)];
}
