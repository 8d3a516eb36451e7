/**
 * `openclaw skills list|info|check`: the skills this machine's config and the default agent's
 * workspace find, whether each is ready, and what a missing one needs. Read locally, as OpenClaw does.
 */
import type { Command } from "commander";
import { readConfigSnapshot } from "../config/load.js";
import { defaultWorkspaceDir } from "../agents/workspace.js";
import { resolveConfigPath, resolveStateDir } from "../infra/paths.js";
import { pluginSkillDirs } from "../skills/plugin-dirs.js";
import { buildSkillsStatus, type SkillStatus, type SkillsStatusReport } from "../skills/status.js";
import { fail, printJson } from "./call.js";
import { table } from "./table.js";

function report(): SkillsStatusReport {
  const env = process.env;
  const stateDir = resolveStateDir(env);
  const cfg = readConfigSnapshot(resolveConfigPath(env, stateDir), env).config;
  const base = { workspaceDir: defaultWorkspaceDir(cfg, stateDir, env), stateDir, config: cfg, env };
  return buildSkillsStatus({ ...base, pluginSkillDirs: pluginSkillDirs(base) });
}

function statusLabel(s: SkillStatus): string {
  if (s.eligible) return "✓ ready";
  if (s.disabled) return "⏸ disabled";
  if (s.blockedByAllowlist) return "🚫 blocked";
  return "✗ missing";
}

function missingText(s: SkillStatus): string {
  const m = s.missing;
  return [
    m.bins.length ? `bins: ${m.bins.join(", ")}` : "",
    m.anyBins.length ? `anyBins: ${m.anyBins.join(", ")}` : "",
    m.env.length ? `env: ${m.env.join(", ")}` : "",
    m.config.length ? `config: ${m.config.join(", ")}` : "",
    m.os.length ? `os: ${m.os.join(", ")}` : "",
  ]
    .filter(Boolean)
    .join("; ");
}

function printWarnings(r: SkillsStatusReport): void {
  for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
}

function mark(list: string[], missing: string[]): string {
  return list.map((x) => `${missing.includes(x) ? "✗" : "✓"} ${x}`).join(", ");
}

export function registerSkills(program: Command): void {
  const skills = program.command("skills").description("List skills and check what they need");

  skills
    .command("list")
    .description("List the skills found and whether each is ready")
    .option("--eligible", "only skills that are ready to use")
    .option("--json", "print JSON")
    .option("-v, --verbose", "also show what is missing")
    .action((opts: { eligible?: boolean; json?: boolean; verbose?: boolean }) => {
      const r = report();
      const list = opts.eligible ? r.skills.filter((s) => s.eligible) : r.skills;
      if (opts.json) {
        const pick = (s: SkillStatus) => ({
          name: s.name,
          description: s.description,
          emoji: s.emoji,
          eligible: s.eligible,
          disabled: s.disabled,
          blockedByAllowlist: s.blockedByAllowlist,
          source: s.source,
          primaryEnv: s.primaryEnv,
          homepage: s.homepage,
          missing: s.missing,
        });
        return printJson({ workspaceDir: r.workspaceDir, managedSkillsDir: r.managedSkillsDir, skills: list.map(pick) });
      }
      printWarnings(r);
      if (list.length === 0) {
        process.stdout.write(
          opts.eligible
            ? "No skills are ready. Run `openclaw skills check` to see what is missing.\n"
            : `No skills found. Put a folder with a SKILL.md into ${r.workspaceDir}/skills or ${r.managedSkillsDir}.\n`,
        );
        return;
      }
      const ready = r.skills.filter((s) => s.eligible).length;
      const rows = [["Status", "Skill", "Description", "Source", ...(opts.verbose ? ["Missing"] : [])]];
      for (const s of list) {
        const desc = s.description.length > 60 ? `${s.description.slice(0, 59)}…` : s.description;
        rows.push([statusLabel(s), `${s.emoji ? `${s.emoji} ` : ""}${s.name}`, desc, s.source, ...(opts.verbose ? [missingText(s)] : [])]);
      }
      process.stdout.write(`Skills (${ready}/${r.skills.length} ready)\n\n${table(rows)}\n`);
    });

  skills
    .command("info <name>")
    .description("Show one skill: where it is, what it needs, how to install what is missing")
    .option("--json", "print JSON")
    .action((name: string, opts: { json?: boolean }) => {
      const r = report();
      const s = r.skills.find((x) => x.name === name || x.skillKey === name);
      if (!s) {
        if (opts.json) printJson({ error: "not found", skill: name });
        return fail(`skill "${name}" not found; run \`openclaw skills list\` to see the skills found`);
      }
      if (opts.json) return printJson(s);
      const status = s.eligible
        ? "✓ Ready"
        : s.disabled
          ? "⏸ Disabled"
          : s.blockedByAllowlist
            ? "🚫 Blocked by allowlist"
            : "✗ Missing requirements";
      const lines = [
        `${s.emoji ? `${s.emoji} ` : ""}${s.name} ${status}`,
        "",
        s.description,
        "",
        "Details:",
        `  Source: ${s.source}`,
        `  Path: ${s.filePath}`,
      ];
      if (s.homepage) lines.push(`  Homepage: ${s.homepage}`);
      if (s.primaryEnv) lines.push(`  Primary env: ${s.primaryEnv}`);
      const q = s.requirements;
      if (q.bins.length || q.anyBins.length || q.env.length || q.config.length || q.os.length) {
        lines.push("", "Requirements:");
        if (q.bins.length) lines.push(`  Binaries: ${mark(q.bins, s.missing.bins)}`);
        if (q.anyBins.length) lines.push(`  Any binaries: ${mark(q.anyBins, s.missing.anyBins)}`);
        if (q.env.length) lines.push(`  Environment: ${mark(q.env, s.missing.env)}`);
        if (q.config.length) lines.push(`  Config: ${mark(q.config, s.missing.config)}`);
        if (q.os.length) lines.push(`  OS: ${mark(q.os, s.missing.os)}`);
      }
      if (s.install.length && !s.eligible) {
        lines.push("", "Install options:");
        for (const i of s.install) lines.push(`  → ${i.label}`);
      }
      process.stdout.write(lines.join("\n") + "\n");
    });

  skills
    .command("check")
    .description("Summarize which skills are ready and what the others are missing")
    .option("--json", "print JSON")
    .action((opts: { json?: boolean }) => {
      const r = report();
      const eligible = r.skills.filter((s) => s.eligible);
      const disabled = r.skills.filter((s) => s.disabled);
      const blocked = r.skills.filter((s) => s.blockedByAllowlist && !s.disabled);
      const missing = r.skills.filter((s) => !s.eligible && !s.disabled && !s.blockedByAllowlist);
      if (opts.json)
        return printJson({
          summary: {
            total: r.skills.length,
            eligible: eligible.length,
            disabled: disabled.length,
            blocked: blocked.length,
            missingRequirements: missing.length,
          },
          eligible: eligible.map((s) => s.name),
          disabled: disabled.map((s) => s.name),
          blocked: blocked.map((s) => s.name),
          missingRequirements: missing.map((s) => ({ name: s.name, missing: s.missing, install: s.install })),
        });
      printWarnings(r);
      const lines = [
        "Skills Status Check",
        "",
        `Total: ${r.skills.length}`,
        `✓ Eligible: ${eligible.length}`,
        `⏸ Disabled: ${disabled.length}`,
        `🚫 Blocked by allowlist: ${blocked.length}`,
        `✗ Missing requirements: ${missing.length}`,
      ];
      if (eligible.length) lines.push("", "Ready to use:", ...eligible.map((s) => `  ${s.emoji ?? "📦"} ${s.name}`));
      if (missing.length)
        lines.push("", "Missing requirements:", ...missing.map((s) => `  ${s.emoji ?? "📦"} ${s.name} (${missingText(s)})`));
      process.stdout.write(lines.join("\n") + "\n");
    });
}
