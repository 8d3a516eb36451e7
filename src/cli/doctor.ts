/** `openclaw doctor [--fix] [--json]`: checks this machine's gateway setup; exits non-zero on errors. */
import type { Command } from "commander";
import { printJson } from "./call.js";
import { cliEnv } from "./target.js";

export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description("Check config, state directory, lock, bind/auth, fly.toml, provider keys, channel tokens and memory")
    .option("--fix", "repair what is safe: remove unknown config keys (backup kept), stale locks, create the state dir")
    .option("--repair", "same as --fix")
    .option("--json", "print JSON")
    .action(async (flags: { fix?: boolean; repair?: boolean; json?: boolean }) => {
      const { runDoctor, formatDoctor } = await import("../ops/doctor.js");
      const c = cliEnv();
      const report = await runDoctor({
        env: c.env,
        cwd: process.cwd(),
        stateDir: c.stateDir,
        configPath: c.configPath,
        fix: flags.fix || flags.repair,
      });
      if (flags.json) printJson(report);
      else process.stdout.write(formatDoctor(report));
      if (!report.ok) process.exitCode = 1;
    });
}
