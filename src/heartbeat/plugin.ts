/**
 * The heartbeat as a built-in plugin: the runner as a service (started once the gateway listens,
 * registered as the system events' wake handler), and the methods `last-heartbeat` (the last outcome,
 * or null) and `set-heartbeats {enabled}` (pause or resume every heartbeat until restart).
 */
import * as z from "zod";
import { defineMethod } from "../gateway/context.js";
import type { LateServices } from "../gateway/services.js";
import type { BuiltinPlugin } from "../plugins/builtin.js";
import { HeartbeatRunner } from "./runner.js";

export function heartbeatMethods(runner: HeartbeatRunner) {
  return {
    "last-heartbeat": defineMethod({
      scope: "operator.read",
      params: () => z.strictObject({}).optional(),
      handler: () => runner.lastEvent(),
    }),
    "set-heartbeats": defineMethod({
      scope: "operator.admin",
      params: () => z.strictObject({ enabled: z.boolean({ error: "enabled (boolean) required" }) }),
      handler: (p) => {
        runner.setEnabled(p.enabled);
        return { ok: true, enabled: p.enabled };
      },
    }),
  };
}

export function heartbeatPlugin(services: LateServices): BuiltinPlugin {
  return {
    id: "core-heartbeat",
    name: "Heartbeat",
    description: "Periodic check-ins of each agent's main session; alerts go to the chat it last talked in.",
    register(api) {
      const runner = new HeartbeatRunner(() => services.get("heartbeat"));
      for (const [name, def] of Object.entries(heartbeatMethods(runner))) api.registerGatewayMethod(name, def);
      api.registerService({ id: "heartbeat", start: () => runner.start(), stop: () => runner.stop() });
    },
  };
}
