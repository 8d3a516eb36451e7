/**
 * Loading plugins: discover them, decide which run, check every enabled plugin's config against its
 * manifest schema (before any plugin code runs), then import each enabled plugin's module (TypeScript or
 * JavaScript, through jiti) and call its register function with an `api`.
 *
 * One plugin failing (bad config, a module that throws on import or in register) marks that plugin
 * `status: "error"` with the message; the others still load. Nothing here throws for a plugin's fault.
 */
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { createJiti as CreateJiti } from "jiti";
import type { Logger } from "../infra/logger.js";
import { packageVersion } from "../version.js";
import { createPluginApi } from "./api.js";
import { checkPluginIds, normalizePluginsConfig, resolveEnableState, resolveMemorySlot, type PluginsConfigInput } from "./config-state.js";
import { discoverPlugins, type DiscoveredPlugin } from "./discovery.js";
import { PluginConfigValidator } from "./config-schema.js";
import { PluginRegistry, type PluginRegistryOptions } from "./registry.js";
import { newPluginRecord, type PluginDiagnostic, type PluginRecord } from "./types.js";

export interface LoadPluginsOptions extends PluginRegistryOptions {
  /** The whole gateway config (plugins read `plugins.*`; `api.config` is this object). */
  config: Record<string, unknown> & { plugins?: PluginsConfigInput | null };
  /** `$OPENCLAW_STATE_DIR`: plugins in `<stateDir>/extensions/` are found. */
  stateDir?: string;
  /** The agent workspace: plugins in `<workspaceDir>/.openclaw/extensions/` are found. */
  workspaceDir?: string;
  env?: NodeJS.ProcessEnv;
  /** The plugins subsystem logger; each plugin logs through its child named by the plugin id. */
  logger: Logger;
  /** Relative `plugins.load.paths` resolve against this (default: process.cwd()). */
  cwd?: string;
  /** What `api.runtime` holds besides `version`. */
  runtime?: Record<string, unknown>;
  /** Load into this registry (the gateway's, holding its built-in plugins) instead of a new one. */
  registry?: PluginRegistry;
}

export interface LoadPluginsResult {
  registry: PluginRegistry;
  plugins: PluginRecord[];
  diagnostics: PluginDiagnostic[];
}

type RegisterFn = (api: unknown) => unknown;

/** Built-in plugins configured through `plugins.entries.<id>`, known even where no built-ins are registered (`plugins list`). */
const BUILTIN_ENTRY_IDS = ["voice-call"];

function newRecord(found: DiscoveredPlugin): PluginRecord {
  const { candidate, manifest, manifestPath } = found;
  return newPluginRecord({
    id: manifest.id,
    name: manifest.name ?? candidate.packageName ?? manifest.id,
    description: manifest.description ?? candidate.packageDescription,
    version: manifest.version ?? candidate.packageVersion,
    kind: manifest.kind,
    source: candidate.source,
    rootDir: candidate.rootDir,
    manifestPath,
    origin: candidate.origin,
    channels: [...manifest.channels],
    providers: [...manifest.providers],
    configSchema: manifest.configSchema as Record<string, unknown> | undefined,
    configUiHints: manifest.uiHints as Record<string, Record<string, unknown>> | undefined,
  });
}

/** A module's export: a register function, or `{ id, name, register(api) }` (`activate` also accepted). */
function resolveExport(mod: unknown): { register?: RegisterFn; definition?: Record<string, unknown> } {
  let value = mod;
  if (value && typeof value === "object" && "default" in value) value = (value as { default: unknown }).default;
  if (typeof value === "function") return { register: value as RegisterFn };
  if (value && typeof value === "object") {
    const def = value as Record<string, unknown>;
    const register = typeof def.register === "function" ? def.register : typeof def.activate === "function" ? def.activate : undefined;
    return { definition: def, register: register?.bind(def) as RegisterFn | undefined };
  }
  return {};
}

/** `openclaw/plugin-sdk` for plugins: the built `plugin-sdk.mjs` beside the bundle, or the source. */
function pluginSdkPath(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return ["plugin-sdk.mjs", "sdk.ts"].map((f) => path.join(here, f)).find((f) => fs.existsSync(f));
}

type JitiTransform = NonNullable<NonNullable<Parameters<typeof CreateJiti>[1]>["transform"]>;

/**
 * jiti, loaded the first time a plugin runs. Through `require`: its ES module entry imports its
 * 190 KB CommonJS build, which makes Node scan all of that for export names (about 13 ms of a start).
 */
function loadJiti(): typeof CreateJiti {
  return (createRequire(import.meta.url)("jiti") as { createJiti: typeof CreateJiti }).createJiti;
}

/**
 * jiti's TypeScript transform (its Babel build), loaded when the first plugin needs transpiling and let
 * go once the plugins are loaded: kept, it holds ~8 MB of heap for the gateway's life. Babel wraps
 * `Error.prepareStackTrace` (which keeps all of it reachable) and raises `Error.stackTraceLimit` when it
 * first transforms; both are put back. A plugin that transpiles more later (a lazy `require` of a .ts
 * file) loads it again.
 */
function releasableTransform(): { transform: JitiTransform; release(): void } {
  let babel: JitiTransform | null = null;
  let babelPath = "";
  let saved: { prepare: typeof Error.prepareStackTrace; limit: number } | null = null;
  return {
    transform(opts) {
      if (!babel) {
        const req = createRequire(import.meta.url);
        babelPath = path.join(path.dirname(req.resolve("jiti/package.json")), "dist", "babel.cjs");
        saved = { prepare: Error.prepareStackTrace, limit: Error.stackTraceLimit };
        babel = req(babelPath) as JitiTransform;
      }
      return babel(opts);
    },
    release() {
      if (!babel || !saved) return;
      babel = null;
      delete createRequire(import.meta.url).cache[babelPath];
      Error.prepareStackTrace = saved.prepare;
      Error.stackTraceLimit = saved.limit;
      saved = null;
    },
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function loadPlugins(opts: LoadPluginsOptions): Promise<LoadPluginsResult> {
  const { config, logger } = opts;
  const registry = opts.registry ?? new PluginRegistry(opts);
  const diagnostics = registry.diagnostics;
  const normalized = normalizePluginsConfig(config.plugins);
  const discovered = discoverPlugins({
    loadPaths: normalized.loadPaths,
    workspaceDir: opts.workspaceDir,
    stateDir: opts.stateDir,
    env: opts.env,
    cwd: opts.cwd,
  });
  diagnostics.push(...discovered.diagnostics);
  // Built-in plugins (voice-call, …) are known ids too: their entries configure them.
  const builtinIds = [...BUILTIN_ENTRY_IDS, ...registry.plugins.filter((p) => p.origin === "bundled").map((p) => p.id)];
  diagnostics.push(...checkPluginIds(normalized, new Set([...discovered.plugins.map((p) => p.manifest.id), ...builtinIds])));

  const fail = (record: PluginRecord, message: string, path?: string) => {
    record.status = "error";
    record.error = message;
    diagnostics.push({ level: "error", pluginId: record.id, source: record.source, path, message: `plugin ${record.id}: ${message}` });
  };

  // Decide and validate everything first: no plugin code runs while any config is being checked.
  const validator = new PluginConfigValidator();
  const toRun: Array<{ record: PluginRecord; pluginConfig: unknown }> = [];
  let memoryPlugin: string | null = null;
  for (const found of discovered.plugins) {
    if (registry.plugin(found.manifest.id)?.origin === "bundled") {
      diagnostics.push({
        level: "error",
        pluginId: found.manifest.id,
        source: found.candidate.source,
        message: `plugin ${found.manifest.id}: ${found.candidate.source} is ignored; "${found.manifest.id}" is built into the gateway (give the plugin another id)`,
      });
      continue;
    }
    const record = newRecord(found);
    registry.plugins.push(record);
    const entry = normalized.entries[record.id];
    let state = resolveEnableState(record.id, normalized);
    if (state.enabled) {
      state = resolveMemorySlot(record.id, record.kind, normalized.memorySlot, memoryPlugin);
      if (state.enabled && record.kind === "memory") memoryPlugin = record.id;
    }
    if (!state.enabled) {
      record.enabled = false;
      record.status = "disabled";
      record.error = state.reason;
      if (entry?.config !== undefined) {
        diagnostics.push({
          level: "warn",
          pluginId: record.id,
          path: `plugins.entries.${record.id}`,
          message: `plugin ${record.id}: disabled (${state.reason}) but plugins.entries.${record.id}.config is set`,
        });
      }
      continue;
    }
    const check = validator.validate(record.id, found.manifest.configSchema, entry?.config);
    if (!check.ok) {
      fail(record, `invalid config: ${check.errors.join("; ")}`, `plugins.entries.${record.id}.config`);
      continue;
    }
    toRun.push({ record, pluginConfig: entry?.config });
  }

  const sdk = pluginSdkPath();
  const transpiler = releasableTransform();
  const jiti = toRun.length
    ? loadJiti()(import.meta.url, {
        interopDefault: true,
        moduleCache: false,
        // Transpiled plugins are kept (keyed by their source's hash) so that only the first start after
        // an install or an edit loads the transpiler; without a state dir, nothing is written.
        fsCache: opts.stateDir ? path.join(opts.stateDir, "cache", "plugins") : false,
        transform: transpiler.transform,
        ...(sdk ? { alias: { "openclaw/plugin-sdk": sdk } } : {}),
      })
    : null;
  const runtime = { version: packageVersion(), ...opts.runtime };
  for (const { record, pluginConfig } of toRun) {
    let mod: unknown;
    try {
      mod = await jiti!.import(record.source);
    } catch (err) {
      fail(record, `failed to load ${record.source}: ${errorText(err)}`);
      continue;
    }
    const { register, definition } = resolveExport(mod);
    if (typeof definition?.id === "string" && definition.id !== record.id) {
      diagnostics.push({
        level: "warn",
        pluginId: record.id,
        source: record.source,
        message: `plugin ${record.id}: id mismatch (manifest uses "${record.id}", export uses "${definition.id}"); the manifest's id is used`,
      });
    }
    if (typeof definition?.name === "string") record.name = definition.name;
    if (typeof definition?.description === "string") record.description = definition.description;
    if (typeof definition?.version === "string") record.version = definition.version;
    if (!register) {
      fail(record, `${record.source} exports no register function (export a function (api) => …, or an object with register(api))`);
      continue;
    }
    const api = createPluginApi(record, registry, {
      config,
      pluginConfig: pluginConfig as Record<string, unknown> | undefined,
      logger,
      runtime,
      env: opts.env,
    });
    try {
      const result = register(api);
      if (result && typeof (result as Promise<unknown>).then === "function") {
        diagnostics.push({
          level: "warn",
          pluginId: record.id,
          source: record.source,
          message: `plugin ${record.id}: register returned a promise; only what it registers before its first await counts`,
        });
        (result as Promise<unknown>).catch((err: unknown) => logger.error(`plugin ${record.id}: async register failed: ${errorText(err)}`));
      }
    } catch (err) {
      registry.removeRegistrations(record.id);
      fail(record, `register failed: ${errorText(err)}`);
    }
  }
  transpiler.release();

  for (const d of diagnostics) {
    const fields = { ...(d.path ? { path: d.path } : {}), ...(d.source ? { source: d.source } : {}) };
    if (d.level === "error") logger.error(d.message, fields);
    else logger.warn(d.message, fields);
  }
  const loaded = registry.plugins.filter((p) => p.status === "loaded").map((p) => p.id);
  if (loaded.length) logger.info(`loaded plugins: ${loaded.join(", ")}`);
  return { registry, plugins: registry.plugins, diagnostics };
}
