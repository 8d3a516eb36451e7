/** `openclaw security audit [--json]`: risky settings by severity; exits non-zero on high findings. */
import type { Command } from "commander";
import { printJson } from "./call.js";
import { cliEnv } from "./target.js";

export function registerSecurity(program: Command): void {
  const security = program.command("security").description("Security checks");
  security
    .command("audit")
    .description("Flag settings that expose the gateway or the agent (public bind, weak token, open DMs/groups, secrets in files)")
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean }) => {
      const { runAudit, formatAudit } = await import("../ops/audit.js");
      const c = cliEnv();
      const report = await runAudit({ env: c.env, cwd: process.cwd(), stateDir: c.stateDir, configPath: c.configPath });
      if (flags.json) printJson(report);
      else process.stdout.write(formatAudit(report));
      if (report.summary.high > 0) process.exitCode = 1;
    });
}
