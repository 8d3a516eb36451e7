/** Every command group but `gateway` (registered on its own, so that the server's start loads none of these). */
import type { Command } from "commander";
import { registerAgent } from "./agent.js";
import { registerApprovals } from "./approvals.js";
import { registerChannels } from "./channels.js";
import { registerConfig } from "./config.js";
import { registerCron } from "./cron.js";
import { registerVoicecall } from "./voicecall.js";
import { registerExposeCommands } from "../voice-call/tunnel/cli.js";
import { registerDevices } from "./devices.js";
import { registerDoctor } from "./doctor.js";
import { registerHealth } from "./health.js";
import { registerPlugins } from "./plugins.js";
import { registerSandbox } from "./sandbox.js";
import { registerSystem } from "./system.js";
import { registerSecurity } from "./security.js";
import { registerSkills } from "./skills.js";
import { registerMemory } from "./memory.js";

export function registerCommands(program: Command): void {
  registerConfig(program);
  registerHealth(program);
  registerAgent(program);
  registerChannels(program);
  registerDoctor(program);
  registerSecurity(program);
  registerDevices(program);
  registerApprovals(program);
  registerPlugins(program);
  registerSandbox(program);
  registerSkills(program);
  registerCron(program);
  registerVoicecall(program, registerExposeCommands);
  registerMemory(program);
  registerSystem(program);
}
