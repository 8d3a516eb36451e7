/**
 * `openclaw plugins list|info`: the plugins this machine's config finds, whether each is enabled, and
 * whether it loads (its config checked against its manifest, then its code run to register, as
 * OpenClaw's own `plugins list` does; services are not started).
 */
import type { Command } from "commander";
import { readConfigSnapshot } from "../config/load.js";
import { workspaceDirFor } from "../agents/workspace.js";
import { LogSink } from "../infra/logger.js";
import { resolveConfigPath, resolveStateDir } from "../infra/paths.js";
import { fail, printJson } from "./call.js";
import { table } from "./table.js";
import { editConfig } from "./config.js";
import { setPath } from "../config/edit.js";
import { pluginsWanted as wanted } from "../gateway/plugins.js";

async function load() {
  const env = process.env;
  const stateDir = resolveStateDir(env);
  const snap = readConfigSnapshot(resolveConfigPath(env, stateDir), env);
  if (!snap.valid && snap.exists)
    fail(`the config is invalid (${snap.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}); run \`openclaw doctor\``);
  const cfg = snap.config;
  const agentId = (cfg.agents?.list ?? []).find((a) => a.default)?.id ?? cfg.agents?.list?.[0]?.id ?? "main";
  // Plugins log while registering; only warnings and errors are worth showing here.
  const sink = new LogSink({
    level: "silent",
    consoleLevel: "warn",
    consoleStyle: "compact",
    stdout: () => {},
    stderr: (l) => process.stderr.write(l + "\n"),
  });
  const { loadPlugins } = await import("../plugins/index.js");
  return loadPlugins({
    config: cfg as Record<string, unknown>,
    stateDir,
    workspaceDir: workspaceDirFor(cfg, agentId, stateDir, env),
    env,
    logger: sink.logger("plugins"),
  });
}

/** Ids of the plugins found, without running any plugin code. */
async function foundIds(): Promise<string[]> {
  const env = process.env;
  const stateDir = resolveStateDir(env);
  const cfg = readConfigSnapshot(resolveConfigPath(env, stateDir), env).config;
  const agentId = cfg.agents?.list?.[0]?.id ?? "main";
  const { discoverPlugins } = await import("../plugins/index.js");
  const loadPaths = ((cfg as { plugins?: { load?: { paths?: unknown[] } } }).plugins?.load?.paths ?? []).filter(
    (p): p is string => typeof p === "string",
  );
  return discoverPlugins({ loadPaths, stateDir, workspaceDir: workspaceDirFor(cfg, agentId, stateDir, env), env }).plugins.map(
    (p) => p.manifest.id,
  );
}

async function setEnabled(id: string, enabled: boolean): Promise<void> {
  const ids = await foundIds();
  if (!ids.includes(id))
    return fail(
      `no plugin "${id}" found${ids.length ? ` (found: ${ids.join(", ")})` : ""}; \`openclaw plugins list\` shows where plugins are looked for`,
    );
  if (editConfig((parsed) => setPath(parsed ?? {}, ["plugins", "entries", id, "enabled"], enabled)))
    process.stdout.write(
      `${enabled ? "Enabled" : "Disabled"} plugin ${id} (plugins.entries.${id}.enabled). Restart the gateway to apply it.\n`,
    );
}

export function registerPlugins(program: Command): void {
  const plugins = program.command("plugins").description("Plugins: where they are found, whether they are enabled and load");
  plugins
    .command("enable <id>")
    .description("Enable a plugin (plugins.entries.<id>.enabled: true)")
    .action((id: string) => setEnabled(id, true));
  plugins
    .command("disable <id>")
    .description("Disable a plugin (plugins.entries.<id>.enabled: false)")
    .action((id: string) => setEnabled(id, false));
  plugins
    .command("list")
    .description("List the plugins found, with their status")
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean }) => {
      const r = await load();
      if (!r) return;
      if (flags.json) return printJson({ plugins: r.plugins, diagnostics: r.diagnostics });
      if (r.plugins.length === 0) {
        process.stdout.write("No plugins found (plugins.load.paths, <workspace>/.openclaw/extensions, $OPENCLAW_STATE_DIR/extensions).\n");
      } else {
        const rows = [["ID", "NAME", "STATUS", "ORIGIN", "SOURCE"]];
        for (const p of r.plugins) rows.push([p.id, p.name, p.status, p.origin, p.source]);
        process.stdout.write(table(rows) + "\n");
        for (const p of r.plugins) if (p.error) process.stdout.write(`${p.id}: ${p.error}\n`);
      }
      for (const d of r.diagnostics) process.stdout.write(`${d.level}: ${d.message}\n`);
    });
  plugins
    .command("info <id>")
    .description("Show one plugin: its manifest, what it registers, and why it is not loaded")
    .option("--json", "print JSON")
    .action(async (id: string, flags: { json?: boolean }) => {
      const r = await load();
      if (!r) return;
      const p = r.plugins.find((x) => x.id === id);
      if (!p) return fail(`no plugin "${id}" found (\`openclaw plugins list\` shows the ones that are)`);
      if (flags.json) return printJson(p);
      const lines = [
        `${p.name} (${p.id})${p.version ? ` ${p.version}` : ""}: ${p.status}${p.error ? ` (${p.error})` : ""}`,
        ...(p.description ? [p.description] : []),
        `source: ${p.source}`,
        ...(p.gatewayMethods.length ? [`gateway methods: ${p.gatewayMethods.join(", ")}`] : []),
        ...(p.toolNames.length ? [`tools: ${p.toolNames.join(", ")}`] : []),
        ...(p.httpRoutes.length ? [`http routes: ${p.httpRoutes.join(", ")}`] : []),
      ];
      process.stdout.write(lines.join("\n") + "\n");
    });
}

/**
 * Adds the plugins' own commands (`api.registerCli`) to the program. Called only when the command
 * line names a command that is not built in, so other commands never load the plugins.
 */
export async function addPluginCommands(program: Command): Promise<void> {
  if (!pluginsWanted()) return;
  const r = await load();
  if (!r) return;
  for (const c of r.registry.cliRegistrars) {
    try {
      await c.register({ program, logger: console });
    } catch (e) {
      process.stderr.write(`plugin ${c.pluginId}: its commands could not be added: ${(e as Error)?.message ?? e}\n`);
    }
  }
}

function pluginsWanted(): boolean {
  const env = process.env;
  const stateDir = resolveStateDir(env);
  const snap = readConfigSnapshot(resolveConfigPath(env, stateDir), env);
  const agentId = snap.config.agents?.list?.[0]?.id ?? "main";
  return wanted({ config: snap.config, stateDir, workspaceDir: workspaceDirFor(snap.config, agentId, stateDir, env) });
}
