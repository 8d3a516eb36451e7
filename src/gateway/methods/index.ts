/**
 * The gateway's own method families, registered through the plugin API like a plugin's methods: one
 * line per family. A method family is a `MethodTable` in its own file (copy `identity.ts`).
 */
import type { BuiltinPlugin } from "../../plugins/builtin.js";
import type { MethodTable } from "../context.js";
import type { DeviceStore } from "../devices.js";
import { channelMethods } from "./channels.js";
import { chatMethods } from "./chat.js";
import { configMethods } from "./config.js";
import { deviceMethods } from "./devices.js";
import { healthMethods } from "./health.js";
import { identityMethods } from "./identity.js";
import { logsMethods } from "./logs.js";
import { sendMethods } from "./send.js";
import { sessionMethods } from "./sessions.js";
import { skillsMethods } from "./skills.js";
import { systemMethods } from "./system.js";
import { usageStatusMethods } from "./usage-status.js";
import { usageMethods } from "./usage.js";

export function coreMethodsPlugin(deps: { devices: DeviceStore }): BuiltinPlugin {
  const families: MethodTable[] = [
    healthMethods,
    configMethods,
    logsMethods,
    chatMethods,
    sessionMethods,
    channelMethods,
    usageMethods,
    identityMethods,
    sendMethods(),
    systemMethods,
    usageStatusMethods,
    skillsMethods,
    deviceMethods(deps.devices),
  ];
  return {
    id: "core-methods",
    name: "Gateway methods",
    register(api) {
      for (const family of families) for (const [name, def] of Object.entries(family)) api.registerGatewayMethod(name, def);
    },
  };
}
