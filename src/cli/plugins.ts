/**
 * `openclaw plugins list|info|doctor`: the plugins this machine's config finds, whether each is
 * enabled, and whether it loads (its config checked against its manifest, then its code run to
 * register, as OpenClaw's own `plugins list` does; services are not started).
 *
 * `openclaw plugins install|update`: puts a plugin into `$OPENCLAW_STATE_DIR/extensions/<id>/` (or links
 * a folder through `plugins.load.paths`), records it in `plugins.installs.<id>` and enables it.
 */
import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { readConfigSnapshot } from "../config/load.js";
import { defaultWorkspaceDir } from "../agents/workspace.js";
import { LogSink } from "../infra/logger.js";
import { expandHome, resolveConfigPath, resolveStateDir } from "../infra/paths.js";
import { fail, printJson } from "./call.js";
import { table } from "./table.js";
import { editConfig } from "./config.js";
import { getPath, setPath } from "../config/edit.js";
import { pluginsWanted as wanted } from "../gateway/plugins.js";
import type { InstalledPlugin, InstallOptions } from "../plugins/install.js";

/** This machine's config and where its plugins are found (the default agent's workspace too). */
function local() {
  const env = process.env;
  const stateDir = resolveStateDir(env);
  const snap = readConfigSnapshot(resolveConfigPath(env, stateDir), env);
  return { env, stateDir, snap, cfg: snap.config, workspaceDir: defaultWorkspaceDir(snap.config, stateDir, env) };
}

/** The plugins found, without running any plugin code. */
async function discover() {
  const { env, stateDir, cfg, workspaceDir } = local();
  const { discoverPlugins } = await import("../plugins/index.js");
  const loadPaths = (cfg.plugins?.load?.paths ?? []).filter((p): p is string => typeof p === "string");
  return discoverPlugins({ loadPaths, stateDir, workspaceDir, env }).plugins;
}

/** `quiet`: the plugins' own log lines are not shown (doctor reports the problems itself). */
async function load(quiet = false) {
  const { env, stateDir, snap, cfg, workspaceDir } = local();
  if (!snap.valid && snap.exists)
    fail(`the config is invalid (${snap.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}); run \`openclaw doctor\``);
  // Plugins log while registering; only warnings and errors are worth showing here.
  const sink = new LogSink({
    level: "silent",
    consoleLevel: quiet ? "silent" : "warn",
    consoleStyle: "compact",
    stdout: () => {},
    stderr: (l) => process.stderr.write(l + "\n"),
  });
  const { loadPlugins } = await import("../plugins/index.js");
  return loadPlugins({
    config: cfg as Record<string, unknown>,
    stateDir,
    workspaceDir,
    env,
    logger: sink.logger("plugins"),
  });
}

/** Ids of the plugins found, without running any plugin code. */
async function foundIds(): Promise<string[]> {
  return (await discover()).map((p) => p.manifest.id);
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
    .command("install <path-or-spec>")
    .description("Install a plugin from a folder, an archive (.zip, .tgz, .tar.gz, .tar) or an npm spec, and enable it")
    .option("-l, --link", "link a local folder (plugins.load.paths) instead of copying it")
    .action((raw: string, flags: { link?: boolean }) => install(raw, flags));
  plugins
    .command("update [id]")
    .description("Update plugins installed from npm (plugins.installs) to the newest version their spec names")
    .option("--all", "update every plugin recorded in plugins.installs")
    .option("--dry-run", "show what would change without changing anything")
    .action((id: string | undefined, flags: { all?: boolean; dryRun?: boolean }) => update(id, flags));
  plugins
    .command("doctor")
    .description("Report plugin problems: load errors, invalid plugin config, unknown plugin ids")
    .action(() => doctor());
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
  const { cfg, stateDir, workspaceDir } = local();
  return wanted({ config: cfg, stateDir, workspaceDir });
}

// --- install / update / doctor ---------------------------------------------------------------------

type InstallRecord = {
  source: "npm" | "archive" | "path";
  spec?: string;
  sourcePath?: string;
  installPath?: string;
  version?: string;
  installedAt?: string;
};

const say = (line: string): void => void process.stdout.write(line + "\n");

/** `~/x` and relative paths as the user means them (the working directory, HOME). */
const resolveUserPath = (p: string, env: NodeJS.ProcessEnv): string => path.resolve(expandHome(p.trim(), env));

/** The config as it is now, or null (after saying why) when it cannot be edited safely. */
function currentConfig() {
  const { env, stateDir, snap } = local();
  if (snap.exists && !snap.valid) {
    fail(
      `the config is invalid (${snap.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}); fix it first (\`openclaw config validate\`), nothing was changed`,
    );
    return null;
  }
  return { env, stateDir, config: snap.config, extensionsDir: path.join(stateDir, "extensions") };
}

/** `./x`, `~/x`, `/x` or a file name with a plugin or archive extension: meant as a path, not an npm spec. */
function looksLikePath(raw: string): boolean {
  return raw.startsWith(".") || raw.startsWith("~") || path.isAbsolute(raw) || /\.(ts|js|mjs|cjs|tgz|tar\.gz|tar|zip)$/i.test(raw);
}

/** Records the install and enables the plugin (and, for a memory plugin, gives it the memory slot). */
function recordInstall(p: InstalledPlugin, record: InstallRecord, extra?: (parsed: unknown) => unknown): boolean {
  let switched: string | undefined;
  const ok = editConfig((parsed) => {
    let next = extra ? extra(parsed ?? {}) : (parsed ?? {});
    next = setPath(next, ["plugins", "entries", p.id, "enabled"], true);
    next = setPath(next, ["plugins", "installs", p.id], record);
    if (p.kind === "memory") {
      const prev = getPath(next, ["plugins", "slots", "memory"]);
      if (typeof prev === "string" && prev !== p.id) switched = prev;
      next = setPath(next, ["plugins", "slots", "memory"], p.id);
    }
    return next;
  });
  if (ok && switched) say(`The memory slot (plugins.slots.memory) moved from "${switched}" to "${p.id}".`);
  return ok;
}

/** Warns when another plugin with the same id is found first (a load path or the workspace wins). */
async function warnIfShadowed(id: string, installPath: string): Promise<void> {
  const found = (await discover()).find((p) => p.manifest.id === id);
  if (found && path.resolve(found.candidate.rootDir) !== path.resolve(installPath))
    process.stderr.write(
      `warning: another plugin "${id}" is found first (${found.candidate.rootDir}, ${found.candidate.origin}); it is the one that loads\n`,
    );
}

async function install(raw: string, flags: { link?: boolean }): Promise<void> {
  const cur = currentConfig();
  if (!cur) return;
  const m = await import("../plugins/install.js");
  const resolved = resolveUserPath(raw, cur.env);
  const opts: InstallOptions = { extensionsDir: cur.extensionsDir, env: cur.env, log: say };
  let installed: InstalledPlugin;
  let record: InstallRecord;
  try {
    if (fs.existsSync(resolved)) {
      const isDir = fs.statSync(resolved).isDirectory();
      if (flags.link) {
        if (!isDir) return fail(`--link needs a plugin folder; ${resolved} is a file (install it without --link to copy or extract it)`);
        return link(resolved, m.inspectPackage(resolved, resolved));
      }
      if (isDir) {
        installed = await m.installFromFolder(resolved, opts);
        record = { source: "path", sourcePath: resolved };
      } else if (m.archiveKind(resolved)) {
        installed = await m.installFromArchive(resolved, opts);
        record = { source: "archive", sourcePath: resolved };
      } else if (/\.(ts|js|mjs|cjs|mts|cts)$/i.test(resolved)) {
        return fail(
          `${resolved} is a single file; a plugin is installed as a folder with its openclaw.plugin.json (put both in a folder and install that, or add the file to plugins.load.paths)`,
        );
      } else {
        return fail(`${resolved} is neither a folder nor an archive (.zip, .tgz, .tar.gz, .tar)`);
      }
    } else {
      if (flags.link) return fail(`--link needs a local folder; ${resolved} does not exist`);
      if (looksLikePath(raw)) return fail(`path not found: ${resolved}`);
      installed = await m.installFromNpm(raw, opts);
      record = { source: "npm", spec: raw };
    }
  } catch (e) {
    if (e instanceof m.PluginInstallError) return fail(e.message);
    throw e;
  }
  const full: InstallRecord = {
    ...record,
    installPath: installed.installPath,
    ...(installed.version ? { version: installed.version } : {}),
    installedAt: new Date().toISOString(),
  };
  if (!recordInstall(installed, full)) {
    // The config refused the change: take the files back out so nothing is half installed.
    fs.rmSync(installed.installPath, { recursive: true, force: true });
    process.stderr.write(`error: plugin ${installed.id} was not installed (${installed.installPath} removed again)\n`);
    return;
  }
  say(`Installed plugin: ${installed.id}${installed.version ? ` ${installed.version}` : ""} (${installed.installPath})`);
  await warnIfShadowed(installed.id, installed.installPath);
  say("Restart the gateway to load plugins.");
}

function link(dir: string, info: { id: string; version?: string; kind?: string }): void {
  const record: InstallRecord = {
    source: "path",
    sourcePath: dir,
    installPath: dir,
    ...(info.version ? { version: info.version } : {}),
    installedAt: new Date().toISOString(),
  };
  const addPath = (parsed: unknown) => {
    const paths = getPath(parsed, ["plugins", "load", "paths"]);
    const list = Array.isArray(paths) ? paths : [];
    if (list.some((p) => typeof p === "string" && resolveUserPath(p, process.env) === dir)) return parsed;
    return setPath(parsed, ["plugins", "load", "paths"], [...list, dir]);
  };
  if (!recordInstall({ id: info.id, installPath: dir, kind: info.kind }, record, addPath)) return;
  say(`Linked plugin path: ${dir} (plugin ${info.id})`);
  say("Restart the gateway to load plugins.");
}

function installedVersion(record: InstallRecord): string | undefined {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(record.installPath ?? "", "package.json"), "utf8")) as { version?: unknown };
    if (typeof pkg.version === "string") return pkg.version;
  } catch {
    /* not there: the record's version */
  }
  return record.version;
}

async function update(id: string | undefined, flags: { all?: boolean; dryRun?: boolean }): Promise<void> {
  const cur = currentConfig();
  if (!cur) return;
  const installs = (cur.config.plugins?.installs ?? {}) as Record<string, InstallRecord>;
  const targets = flags.all ? Object.keys(installs) : id ? [id] : [];
  if (targets.length === 0) {
    if (flags.all) return say("No npm-installed plugins to update.");
    return fail("name the plugin to update (`openclaw plugins update <id>`) or use --all");
  }
  const m = await import("../plugins/install.js");
  const updated: Record<string, InstallRecord> = {};
  let failed = false;
  for (const pluginId of targets) {
    const record = installs[pluginId];
    if (!record) {
      fail(
        `no install record for "${pluginId}" in plugins.installs; only plugins installed with \`openclaw plugins install\` can be updated${Object.keys(installs).length ? ` (recorded: ${Object.keys(installs).join(", ")})` : ""}`,
      );
      failed = true;
      continue;
    }
    if (record.source !== "npm") {
      const from = record.sourcePath ?? record.installPath ?? "?";
      say(
        record.source === "path" && record.installPath === record.sourcePath
          ? `Skipping ${pluginId}: it is linked from ${from}, so it already runs what is there (restart the gateway after changing it).`
          : `Skipping ${pluginId}: it was installed from a ${record.source === "archive" ? "local archive" : "local folder"} (${from}), and only npm installs have somewhere to fetch a newer version from. Delete ${record.installPath ?? "its folder"} and install the new ${record.source === "archive" ? "archive" : "folder"} again.`,
      );
      continue;
    }
    if (!record.spec) {
      say(`Skipping ${pluginId}: its install record has no npm spec (plugins.installs.${pluginId}.spec); install it again from npm.`);
      continue;
    }
    const current = installedVersion(record);
    const opts: InstallOptions = {
      extensionsDir: cur.extensionsDir,
      env: cur.env,
      log: say,
      mode: "update",
      expectedId: pluginId,
      dryRun: flags.dryRun,
      unlessVersion: current,
    };
    let result: InstalledPlugin;
    try {
      result = await m.installFromNpm(record.spec, opts);
    } catch (e) {
      if (!(e instanceof m.PluginInstallError)) throw e;
      fail(`failed to ${flags.dryRun ? "check" : "update"} ${pluginId}: ${e.message}`);
      failed = true;
      continue;
    }
    const same = current !== undefined && result.version === current;
    if (flags.dryRun) {
      say(
        same
          ? `${pluginId} is up to date (${current}).`
          : `Would update ${pluginId}: ${current ?? "unknown"} -> ${result.version ?? "unknown"}.`,
      );
      continue;
    }
    if (result.unchanged) {
      say(`${pluginId} already at ${current}.`);
      continue;
    }
    updated[pluginId] = {
      ...record,
      installPath: result.installPath,
      ...(result.version ? { version: result.version } : {}),
      installedAt: new Date().toISOString(),
    };
    say(`Updated ${pluginId}: ${current ?? "unknown"} -> ${result.version ?? "unknown"}.`);
  }
  if (Object.keys(updated).length > 0) {
    const ok = editConfig((parsed) =>
      Object.entries(updated).reduce<unknown>((acc, [pid, rec]) => setPath(acc, ["plugins", "installs", pid], rec), parsed ?? {}),
    );
    if (ok) say("Restart the gateway to load plugins.");
  }
  if (failed) process.exitCode = 1;
}

async function doctor(): Promise<void> {
  const r = await load(true);
  if (!r) return;
  const errored = r.plugins.filter((p) => p.status === "error");
  // The loader reports a plugin's failure both on the plugin and as a diagnostic: show it once.
  const repeats = new Set(errored.map((p) => `plugin ${p.id}: ${p.error}`));
  const diags = r.diagnostics.filter((d) => !repeats.has(d.message));
  if (errored.length === 0 && diags.length === 0) return say("No plugin issues detected.");
  const lines: string[] = [];
  if (errored.length > 0) {
    lines.push("Plugin errors:");
    for (const p of errored) lines.push(`- ${p.id}: ${p.error ?? "failed to load"} (${p.source})`);
  }
  if (diags.length > 0) {
    if (lines.length) lines.push("");
    lines.push("Diagnostics:");
    for (const d of diags) lines.push(`- ${d.level}: ${d.path && !d.message.includes(d.path) ? `${d.path}: ` : ""}${d.message}`);
  }
  lines.push("", "`openclaw plugins info <id>` shows one plugin; fix the config with `openclaw config set|unset`.");
  say(lines.join("\n"));
}
