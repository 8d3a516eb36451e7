/**
 * Running a skill's declared installer (`metadata.openclaw.install[]`, chosen by `installId`).
 * Only `node` installers run here: the package name is checked and passed as one argument to the
 * configured node manager (`skills.install.nodeManager`), never through a shell. `brew`, `go`, `uv`
 * and `download` installers answer with the exact command to run by hand, so nothing from a
 * SKILL.md reaches a package manager we did not vet.
 */
import { spawn } from "node:child_process";
import type { OpenClawConfig } from "../config/schema.js";
import type { Env } from "../infra/paths.js";
import type { SkillInstallSpec } from "./frontmatter.js";
import { loadSkills, type SkillsLoadOptions } from "./load.js";

export interface SkillInstallResult {
  ok: boolean;
  message: string;
  stdout: string;
  stderr: string;
  code: number | null;
}

const NPM_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*(@[A-Za-z0-9^~<>=.*+_-]+)?$/;
const OUTPUT_CAP = 64 * 1024;

function fail(message: string): SkillInstallResult {
  return { ok: false, message, stdout: "", stderr: "", code: null };
}

function nodeInstallArgv(pkg: string, cfg: OpenClawConfig): string[] {
  switch (cfg.skills?.install?.nodeManager ?? "npm") {
    case "pnpm":
      return ["pnpm", "add", "-g", pkg];
    case "yarn":
      return ["yarn", "global", "add", pkg];
    case "bun":
      return ["bun", "add", "-g", pkg];
    default:
      return ["npm", "install", "-g", pkg];
  }
}

/** The command a person would run for an installer this gateway does not run itself. */
function manualCommand(spec: SkillInstallSpec): string | undefined {
  if (spec.kind === "brew" && spec.formula) return `brew install ${spec.formula}`;
  if (spec.kind === "go" && spec.module) return `go install ${spec.module}`;
  if (spec.kind === "uv" && spec.package) return `uv tool install ${spec.package}`;
  if (spec.kind === "download" && spec.url) return `download ${spec.url} and put its binaries on PATH`;
  return undefined;
}

function run(argv: string[], env: Env, timeoutMs: number): Promise<SkillInstallResult> {
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    const child = spawn(argv[0]!, argv.slice(1), { env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
    const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    child.stdout.on("data", (d: Buffer) => void (stdout = (stdout + d.toString()).slice(-OUTPUT_CAP)));
    child.stderr.on("data", (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-OUTPUT_CAP)));
    child.on("error", (err) => {
      clearTimeout(timer);
      resolve({ ok: false, message: `cannot run ${argv[0]}: ${err.message}`, stdout, stderr, code: null });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const ok = code === 0;
      const message = ok
        ? "Installed"
        : signal
          ? `${argv.join(" ")} stopped (${signal}; timeout ${timeoutMs} ms)`
          : `${argv.join(" ")} failed (exit ${code})`;
      resolve({ ok, message, stdout: stdout.trim(), stderr: stderr.trim(), code });
    });
  });
}

export async function installSkill(
  o: SkillsLoadOptions & { skillName: string; installId: string; timeoutMs?: number },
): Promise<SkillInstallResult> {
  const timeoutMs = Math.min(Math.max(o.timeoutMs ?? 300_000, 1_000), 900_000);
  const entry = loadSkills(o).entries.find((e) => e.name === o.skillName);
  if (!entry) return fail(`Skill not found: ${o.skillName} (openclaw skills list shows the skills found)`);
  const specs = entry.metadata?.install ?? [];
  const spec = specs.find((s, i) => (s.id ?? `${s.kind}-${i}`).trim() === o.installId);
  if (!spec) {
    const ids = specs.map((s, i) => (s.id ?? `${s.kind}-${i}`).trim());
    return fail(
      `Installer not found: ${o.installId}${ids.length ? ` (this skill declares: ${ids.join(", ")})` : " (this skill declares no installers)"}`,
    );
  }
  if (spec.kind !== "node") {
    const cmd = manualCommand(spec);
    return fail(
      cmd
        ? `${spec.kind} installers are not run by the gateway; run this yourself: ${cmd}`
        : `the ${spec.kind} installer of ${entry.name} is incomplete (no ${spec.kind === "brew" ? "formula" : spec.kind === "go" ? "module" : spec.kind === "uv" ? "package" : "url"})`,
    );
  }
  if (!spec.package) return fail("missing node package");
  if (!NPM_NAME.test(spec.package)) return fail(`refusing to install "${spec.package}": not an npm package name`);
  return run(nodeInstallArgv(spec.package, o.config), o.env, timeoutMs);
}
