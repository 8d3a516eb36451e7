/** The `openclaw` command line: one file per command group, each thin (parse → call → print). */
import { Command } from "commander";
import { packageVersion } from "../version.js";
import { registerGateway } from "./gateway.js";
import { exitQuietlyWhenOutputCloses } from "./output.js";

/**
 * The program with every command, or with `gateway` alone when `first` (the command about to run)
 * is `gateway`: starting the server then compiles none of the other commands' code.
 */
export async function buildProgram(first?: string): Promise<Command> {
  const program = new Command("openclaw")
    .description("Personal AI assistant gateway (OpenClaw-compatible)")
    .version(packageVersion(), "-V, --version", "print the version")
    .showHelpAfterError("(run with --help for usage)");
  registerGateway(program);
  if (first !== "gateway") (await import("./commands.js")).registerCommands(program);
  return program;
}

/** `openclaw gateway` and `openclaw gateway run` serve until stopped; every other command ends. */
function isServer(command: Command): boolean {
  return command.name() === "gateway" || (command.name() === "run" && command.parent?.name() === "gateway");
}

export async function runCli(argv: string[]): Promise<void> {
  let serving = false;
  exitQuietlyWhenOutputCloses(() => serving);
  const first = argv[2];
  const program = await buildProgram(first);
  // A command that is not built in may come from a plugin: only then are the plugins loaded.
  if (
    first &&
    !first.startsWith("-") &&
    first !== "help" &&
    !program.commands.some((c) => c.name() === first || c.aliases().includes(first))
  )
    await (await import("./plugins.js")).addPluginCommands(program);
  program.hook("preAction", (_program, action) => {
    serving = isServer(action);
  });
  await program.parseAsync(argv);
}
