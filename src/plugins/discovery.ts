/**
 * Finding plugins on disk, in OpenClaw's order (the first plugin with an id wins):
 *
 * 1. `plugins.load.paths`: each a module file, or a folder (a package with `openclaw.extensions`, a
 *    folder with `index.ts|js|mjs|cjs`, or a folder of such plugins);
 * 2. `<workspace>/.openclaw/extensions/*`;
 * 3. `$OPENCLAW_STATE_DIR/extensions/*`.
 *
 * Inside an extensions folder each entry is a module file (`*.ts`, `*.js`, …), or a folder holding a
 * package.json with `openclaw.extensions: ["./index.ts", …]`, or an `index.*` file. Each plugin's root
 * folder must hold `openclaw.plugin.json`.
 */
import fs from "node:fs";
import path from "node:path";
import { loadPluginManifest, type PluginManifest } from "./manifest.js";
import type { PluginDiagnostic, PluginOrigin } from "./types.js";
import { byCodeUnits } from "../infra/compare.js";
import { expandHome } from "../infra/paths.js";
import { readStateFileSync } from "../infra/read-bounded.js";

const MODULE_EXTS = new Set([".ts", ".js", ".mts", ".cts", ".mjs", ".cjs"]);
const INDEX_FILES = ["index.ts", "index.js", "index.mjs", "index.cjs"];

export interface PluginCandidate {
  /** The id the file or package name suggests; the manifest's id is what counts. */
  idHint: string;
  /** Entry module, absolute. */
  source: string;
  /** Folder holding openclaw.plugin.json. */
  rootDir: string;
  origin: PluginOrigin;
  packageName?: string;
  packageVersion?: string;
  packageDescription?: string;
}

export interface DiscoverOptions {
  loadPaths: string[];
  workspaceDir?: string;
  stateDir?: string;
  /** For `~` in paths (HOME); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Relative load paths resolve against this; defaults to process.cwd(). */
  cwd?: string;
}

interface PackageJson {
  name?: unknown;
  version?: unknown;
  description?: unknown;
  openclaw?: { extensions?: unknown };
}

export function resolveUserPath(input: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const trimmed = input.trim();
  return path.resolve(cwd, expandHome(trimmed, env));
}

function isModuleFile(file: string): boolean {
  return MODULE_EXTS.has(path.extname(file)) && !file.endsWith(".d.ts");
}

/** The largest plugin package.json read. */
export const MAX_PACKAGE_JSON_BYTES = 1024 * 1024;

function readPackageJson(dir: string): PackageJson | null {
  try {
    const raw: unknown = JSON.parse(readStateFileSync(path.join(dir, "package.json"), MAX_PACKAGE_JSON_BYTES));
    return raw && typeof raw === "object" && !Array.isArray(raw) ? (raw as PackageJson) : null;
  } catch {
    return null;
  }
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() ? v.trim() : undefined;
}

/** `@scope/name` → `name`; several entries in one package → `name/<file base>`. */
function idHintFor(file: string, packageName: string | undefined, several: boolean): string {
  const base = path.basename(file, path.extname(file));
  if (!packageName) return base;
  const unscoped = packageName.includes("/") ? packageName.split("/").pop()! : packageName;
  return several ? `${unscoped}/${base}` : unscoped;
}

class Collector {
  candidates: PluginCandidate[] = [];
  diagnostics: PluginDiagnostic[] = [];
  private seen = new Set<string>();

  add(c: PluginCandidate): void {
    const source = path.resolve(c.source);
    if (this.seen.has(source)) return;
    this.seen.add(source);
    this.candidates.push({ ...c, source, rootDir: path.resolve(c.rootDir) });
  }

  /** A plugin folder: package entries, else an index file. Returns false when it is neither. */
  addFolder(dir: string, idHint: string, origin: PluginOrigin): boolean {
    const pkg = readPackageJson(dir);
    const pkgInfo = {
      packageName: str(pkg?.name),
      packageVersion: str(pkg?.version),
      packageDescription: str(pkg?.description),
    };
    const raw = pkg?.openclaw?.extensions;
    const entries = Array.isArray(raw) ? raw.map((e) => (typeof e === "string" ? e.trim() : "")).filter(Boolean) : [];
    if (entries.length > 0) {
      for (const entry of entries) {
        const source = path.resolve(dir, entry);
        this.add({ idHint: idHintFor(source, pkgInfo.packageName, entries.length > 1), source, rootDir: dir, origin, ...pkgInfo });
      }
      return true;
    }
    const index = INDEX_FILES.map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
    if (!index) return false;
    this.add({ idHint, source: index, rootDir: dir, origin, ...pkgInfo });
    return true;
  }

  /** Every plugin directly inside an extensions folder. */
  addExtensionsDir(dir: string, origin: PluginOrigin): void {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
        this.diagnostics.push({ level: "warn", source: dir, message: `cannot read extensions folder ${dir} (${(err as Error).message})` });
      }
      return;
    }
    entries.sort((a, b) => byCodeUnits(a.name, b.name));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isFile() && isModuleFile(full)) {
        this.add({ idHint: path.basename(entry.name, path.extname(entry.name)), source: full, rootDir: dir, origin });
      } else if (entry.isDirectory()) {
        this.addFolder(full, entry.name, origin);
      }
    }
  }

  addLoadPath(resolved: string): void {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(resolved);
    } catch {
      this.diagnostics.push({
        level: "error",
        path: "plugins.load.paths",
        source: resolved,
        message: `plugin path not found: ${resolved} (fix or remove it in plugins.load.paths)`,
      });
      return;
    }
    if (stat.isFile()) {
      if (!isModuleFile(resolved)) {
        this.diagnostics.push({
          level: "error",
          path: "plugins.load.paths",
          source: resolved,
          message: `plugin path is not a supported file: ${resolved} (expected .ts, .js, .mts, .cts, .mjs or .cjs)`,
        });
        return;
      }
      this.add({
        idHint: path.basename(resolved, path.extname(resolved)),
        source: resolved,
        rootDir: path.dirname(resolved),
        origin: "config",
      });
      return;
    }
    if (stat.isDirectory() && !this.addFolder(resolved, path.basename(resolved), "config")) {
      this.addExtensionsDir(resolved, "config");
    }
  }
}

/** Lists plugin entry modules, in precedence order, without reading manifests or running code. */
export function discoverPluginCandidates(opts: DiscoverOptions): { candidates: PluginCandidate[]; diagnostics: PluginDiagnostic[] } {
  const env = opts.env ?? process.env;
  const c = new Collector();
  for (const p of opts.loadPaths) c.addLoadPath(resolveUserPath(p, env, opts.cwd));
  if (opts.workspaceDir?.trim()) {
    c.addExtensionsDir(path.join(resolveUserPath(opts.workspaceDir, env, opts.cwd), ".openclaw", "extensions"), "workspace");
  }
  if (opts.stateDir?.trim()) c.addExtensionsDir(path.join(resolveUserPath(opts.stateDir, env, opts.cwd), "extensions"), "global");
  return { candidates: c.candidates, diagnostics: c.diagnostics };
}

export interface DiscoveredPlugin {
  candidate: PluginCandidate;
  manifest: PluginManifest;
  manifestPath: string;
}

/**
 * Discovers candidates and reads their manifests. A plugin whose manifest is missing or invalid is left
 * out with an error; a later plugin with an id already taken is left out with a warning naming both.
 */
export function discoverPlugins(opts: DiscoverOptions): { plugins: DiscoveredPlugin[]; diagnostics: PluginDiagnostic[] } {
  const { candidates, diagnostics } = discoverPluginCandidates(opts);
  const plugins: DiscoveredPlugin[] = [];
  const byId = new Map<string, DiscoveredPlugin>();
  const manifests = new Map<string, ReturnType<typeof loadPluginManifest>>();
  for (const candidate of candidates) {
    let res = manifests.get(candidate.rootDir);
    if (!res) {
      res = loadPluginManifest(candidate.rootDir);
      manifests.set(candidate.rootDir, res);
      if (!res.ok) diagnostics.push({ level: "error", source: res.manifestPath, message: res.error });
    }
    if (!res.ok) continue;
    const { manifest, manifestPath } = res;
    const first = byId.get(manifest.id);
    if (first) {
      diagnostics.push({
        level: "warn",
        pluginId: manifest.id,
        source: candidate.source,
        message: `duplicate plugin id "${manifest.id}": ${candidate.source} is ignored, ${first.candidate.source} (${first.candidate.origin}) is used`,
      });
      continue;
    }
    if (candidate.idHint !== manifest.id) {
      diagnostics.push({
        level: "warn",
        pluginId: manifest.id,
        source: candidate.source,
        message: `plugin id mismatch (manifest uses "${manifest.id}", entry hints "${candidate.idHint}")`,
      });
    }
    const found = { candidate, manifest, manifestPath };
    byId.set(manifest.id, found);
    plugins.push(found);
  }
  return { plugins, diagnostics };
}
