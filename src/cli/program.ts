/** The `openclaw` command line: one file per command group, each thin (parse → call → print). */
import { Command } from "commander";
import { packageVersion } from "../version.js";
import { registerAgent } from "./agent.js";
import { registerApprovals } from "./approvals.js";
import { registerChannels } from "./channels.js";
import { registerConfig } from "./config.js";
import { registerCron } from "./cron.js";
import { registerVoicecall } from "./voicecall.js";
import { registerExposeCommands } from "../voice-call/tunnel/cli.js";
import { registerDevices } from "./devices.js";
import { registerDoctor } from "./doctor.js";
import { registerGateway } from "./gateway.js";
import { registerHealth } from "./health.js";
import { addPluginCommands, registerPlugins } from "./plugins.js";
import { exitQuietlyWhenOutputCloses } from "./output.js";
import { registerSandbox } from "./sandbox.js";
import { registerSystem } from "./system.js";
import { registerSecurity } from "./security.js";
import { registerSkills } from "./skills.js";
import { registerMemory } from "./memory.js";

export function buildProgram(): Command {
  const program = new Command("openclaw")
    .description("Personal AI assistant gateway (OpenClaw-compatible)")
    .version(packageVersion(), "-V, --version", "print the version")
    .showHelpAfterError("(run with --help for usage)");
  registerGateway(program);
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
  return program;
}

/** `openclaw gateway` and `openclaw gateway run` serve until stopped; every other command ends. */
function isServer(command: Command): boolean {
  return command.name() === "gateway" || (command.name() === "run" && command.parent?.name() === "gateway");
}

export async function runCli(argv: string[]): Promise<void> {
  let serving = false;
  exitQuietlyWhenOutputCloses(() => serving);
  const program = buildProgram();
  // A command that is not built in may come from a plugin: only then are the plugins loaded.
  const first = argv[2];
  if (
    first &&
    !first.startsWith("-") &&
    first !== "help" &&
    !program.commands.some((c) => c.name() === first || c.aliases().includes(first))
  )
    await addPluginCommands(program);
  program.hook("preAction", (_program, action) => {
    serving = isServer(action);
  });
  await program.parseAsync(argv);
}
