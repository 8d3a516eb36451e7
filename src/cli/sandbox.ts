/**
 * `openclaw sandbox explain|list|recreate`: what sandbox a session gets and why, the sandbox
 * containers this machine has, and removing them so the next run recreates them with current settings.
 */
import type { Command } from "commander";
import { readConfigSnapshot } from "../config/load.js";
import { formatIssues } from "../config/errors.js";
import type { OpenClawConfig } from "../config/schema.js";
import { fail, printJson } from "./call.js";
import { table } from "./table.js";
import { cliEnv, type CliEnv } from "./target.js";

async function setup(): Promise<{ c: CliEnv; cfg: OpenClawConfig; manager: import("../sandbox/manager.js").SandboxManager } | undefined> {
  const c = cliEnv();
  const snap = readConfigSnapshot(c.configPath, { ...c.env });
  if (snap.exists && !snap.valid) {
    fail(`${c.configPath} is invalid; fix it (or run \`openclaw doctor\`) first:\n${formatIssues(snap.issues)}`);
    return undefined;
  }
  const { SandboxManager } = await import("../sandbox/manager.js");
  const manager = new SandboxManager({
    stateDir: c.stateDir,
    env: c.env,
    now: Date.now,
    log: { info: () => {}, warn: (m) => process.stderr.write(`${m}\n`) },
  });
  return { c, cfg: snap.config, manager };
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

async function confirm(question: string): Promise<boolean> {
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export function registerSandbox(program: Command): void {
  const sandbox = program.command("sandbox").description("Manage sandbox containers (Docker-based agent isolation)");

  sandbox
    .command("explain")
    .description("Explain the effective sandbox, sandbox tool policy and elevated gates for a session")
    .option("--session <key>", "session key to inspect (defaults to the agent's main session)")
    .option("--agent <id>", "agent id to inspect (defaults to the session's agent, else the default agent)")
    .option("--json", "print JSON")
    .action(async (flags: { session?: string; agent?: string; json?: boolean }) => {
      const s = await setup();
      if (!s) return;
      const { explainSandbox, formatExplanation } = await import("../sandbox/explain.js");
      const e = explainSandbox(s.cfg, {
        session: flags.session,
        agent: flags.agent,
        docker: await s.manager.probe(),
        stateDir: s.c.stateDir,
        env: s.c.env,
      });
      if (flags.json) printJson(e);
      else process.stdout.write(formatExplanation(e));
    });

  sandbox
    .command("list")
    .description("List sandbox containers: status, image, age, idle time and the session or agent each serves")
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean }) => {
      const s = await setup();
      if (!s) return;
      const probe = await s.manager.probe();
      const containers = await s.manager.list(s.cfg);
      if (flags.json) {
        printJson({ containers, browsers: [] });
        return;
      }
      if (!probe.ok) process.stderr.write(`warning: no Docker engine is reachable (docker: ${probe.reason}); states may be stale\n`);
      if (containers.length === 0) {
        process.stdout.write("No sandbox containers found.\n");
        return;
      }
      const now = Date.now();
      const rows = [["CONTAINER", "STATUS", "IMAGE", "AGE", "IDLE", "SESSION"]];
      for (const x of containers) {
        rows.push([
          x.containerName,
          x.running ? "running" : "stopped",
          x.imageMatch ? x.image : `${x.image} (config differs)`,
          ago(now - x.createdAtMs),
          ago(now - x.lastUsedAtMs),
          x.sessionKey,
        ]);
      }
      const running = containers.filter((x) => x.running).length;
      const mismatched = containers.filter((x) => !x.imageMatch).length;
      process.stdout.write(`${table(rows)}\n\nTotal: ${containers.length} (${running} running)`);
      process.stdout.write(mismatched ? `; ${mismatched} with an outdated image: run \`openclaw sandbox recreate --all\`\n` : "\n");
    });

  sandbox
    .command("recreate")
    .description("Remove sandbox containers so they are recreated with current settings on next use")
    .option("--all", "every sandbox container")
    .option("--session <key>", "the container serving this session (scope key)")
    .option("--agent <id>", "every container of this agent")
    .option("--force", "do not ask for confirmation")
    .action(async (flags: { all?: boolean; session?: string; agent?: string; force?: boolean }) => {
      const chosen = [flags.all, flags.session, flags.agent].filter(Boolean).length;
      if (chosen === 0) return fail("Please specify --all, --session <key>, or --agent <id>");
      if (chosen > 1) return fail("Please specify only one of: --all, --session, --agent");
      const s = await setup();
      if (!s) return;
      const filter = { all: flags.all, session: flags.session, agentId: flags.agent };
      const targets = s.manager.select(filter);
      if (targets.length === 0) {
        process.stdout.write("No containers found matching the criteria.\n");
        return;
      }
      process.stdout.write(`Containers to remove:\n${targets.map((t) => `  - ${t.containerName} (${t.sessionKey})`).join("\n")}\n`);
      if (!flags.force) {
        if (!process.stdin.isTTY) return fail("refusing to remove containers without confirmation; pass --force");
        if (!(await confirm("This will stop and remove these containers. Continue?"))) {
          process.stdout.write("Cancelled.\n");
          return;
        }
      }
      const probe = await s.manager.probe();
      if (!probe.ok) return fail(`no Docker engine is reachable (docker: ${probe.reason}); nothing was removed`);
      const result = await s.manager.remove(filter);
      for (const name of result.removed) process.stdout.write(`✓ Removed ${name}\n`);
      for (const f of result.failed) process.stderr.write(`✗ Failed to remove ${f.name}: ${f.error}\n`);
      process.stdout.write(
        `\nDone: ${result.removed.length} removed, ${result.failed.length} failed. Containers are recreated when next used.\n`,
      );
      if (result.failed.length) process.exitCode = 1;
    });
}
