/**
 * Installing a plugin into `<stateDir>/extensions/<id>/`: from a folder, an archive (.tgz, .tar.gz,
 * .tar, .zip) or an npm spec (fetched with `npm pack`, as OpenClaw does).
 *
 * Everything happens in a staging folder inside the extensions folder (`.install-XXXXXX/`, which
 * discovery never reads as a plugin: it holds only a subfolder), so the last step is one rename on the
 * same file system:
 *
 * 1. fetch (npm pack) / extract (archives are checked entry by entry first: size, count, no `..`, no
 *    absolute path, no links, then extracted) / copy (a folder's symbolic links must stay inside it);
 * 2. check the package: `openclaw.plugin.json` (id, a configSchema that compiles) and an entry module
 *    that discovery will find, before anything is put in place;
 * 3. install its runtime dependencies when package.json has any (`npm install --omit=dev
 *    --ignore-scripts`: a dependency's install script would run with the owner's rights before the
 *    plugin was ever enabled);
 * 4. rename into place (an update swaps the old folder out and back in if the rename fails).
 *
 * The staging folder is removed whatever happens, so a failed install leaves nothing behind.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { PluginConfigValidator } from "./config-schema.js";
import { loadPluginManifest } from "./manifest.js";
import { readStateFileSync } from "../infra/read-bounded.js";
import { MAX_PACKAGE_JSON_BYTES } from "./discovery.js";

export type InstallErrorCode =
  "NOT_FOUND" | "NO_MANIFEST" | "BAD_MANIFEST" | "BAD_PACKAGE" | "BAD_ARCHIVE" | "NPM_FAILED" | "EXISTS" | "ID_MISMATCH";

/** An install refused or failed; `message` says what to do. */
export class PluginInstallError extends Error {
  constructor(
    readonly code: InstallErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "PluginInstallError";
  }
}

/** Bounds on what an archive (or a copied folder) may hold. */
export interface InstallLimits {
  /** Size of the archive file itself. */
  maxArchiveBytes: number;
  /** Sum of the files' sizes once extracted. */
  maxExtractedBytes: number;
  /** Files, folders and links. */
  maxEntries: number;
}

export const DEFAULT_INSTALL_LIMITS: InstallLimits = {
  maxArchiveBytes: 256 * 1024 * 1024,
  maxExtractedBytes: 512 * 1024 * 1024,
  maxEntries: 20_000,
};

export interface InstallOptions {
  /** `<stateDir>/extensions`; created when missing (and removed again if the install fails). */
  extensionsDir: string;
  /** "install" refuses an existing folder; "update" replaces it. Default "install". */
  mode?: "install" | "update";
  /** The id the package must have (an update of a recorded install). */
  expectedId?: string;
  /** Fetch and check, but put nothing in place. */
  dryRun?: boolean;
  /** Update only: when the fetched version is this one, leave the installed folder as it is. */
  unlessVersion?: string;
  limits?: Partial<InstallLimits>;
  /** Environment for npm (its registry, cache, proxy settings). Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The npm executable. Default "npm". */
  npm?: string;
  /** For each of npm's runs. Default 5 minutes. */
  npmTimeoutMs?: number;
  /** Progress lines ("Downloading …", "Installing dependencies …"). */
  log?: (line: string) => void;
}

export interface InstalledPlugin {
  id: string;
  /** Where it is (or would be) installed. */
  installPath: string;
  /** package.json's version, else the manifest's. */
  version?: string;
  packageName?: string;
  /** The manifest's kind (`"memory"` for plugins that fill the memory slot). */
  kind?: string;
  /** Update with `unlessVersion` matching: nothing was replaced. */
  unchanged?: boolean;
}

export type ArchiveKind = "tar" | "zip";

export function archiveKind(file: string): ArchiveKind | null {
  const lower = file.toLowerCase();
  if (lower.endsWith(".zip")) return "zip";
  if (lower.endsWith(".tgz") || lower.endsWith(".tar.gz") || lower.endsWith(".tar")) return "tar";
  return null;
}

/** OpenClaw's folder name for an id (`@scope/x` style ids keep their slash as `__`). */
export function installDirName(id: string): string {
  const name = id.trim().replaceAll("/", "__");
  if (!/^[A-Za-z0-9@_+-][A-Za-z0-9@._+-]*$/.test(name))
    throw new PluginInstallError(
      "BAD_MANIFEST",
      `plugin id "${id}" cannot name a folder under extensions/ (use letters, digits, ".", "_" and "-"; it may not start with ".")`,
    );
  return name;
}

// --- the package --------------------------------------------------------------------------------

interface PackageInfo {
  id: string;
  version?: string;
  packageName?: string;
  kind?: string;
  /** package.json declares dependencies or optionalDependencies. */
  hasDependencies: boolean;
}

const INDEX_FILES = ["index.ts", "index.js", "index.mjs", "index.cjs"];

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/**
 * Checks a plugin folder the way the loader will read it: a manifest with an id and a configSchema
 * that compiles, and an entry module (package.json `openclaw.extensions`, else `index.*`).
 * `label` names the folder, archive or spec in messages.
 */
export function inspectPackage(root: string, label: string): PackageInfo {
  const res = loadPluginManifest(root);
  if (!res.ok) {
    if (!fs.existsSync(res.manifestPath))
      throw new PluginInstallError(
        "NO_MANIFEST",
        `${label} is not an OpenClaw plugin: it has no openclaw.plugin.json (every plugin ships one with at least "id" and "configSchema")`,
      );
    throw new PluginInstallError("BAD_MANIFEST", `${label}: ${res.error.replace(`${res.manifestPath}: `, "openclaw.plugin.json: ")}`);
  }
  const { manifest } = res;
  const schemaProblem = new PluginConfigValidator().checkSchema(manifest.configSchema);
  if (schemaProblem)
    throw new PluginInstallError(
      "BAD_MANIFEST",
      `${label}: openclaw.plugin.json: "configSchema" is not a valid JSON Schema (${schemaProblem})`,
    );
  installDirName(manifest.id);

  let pkg: Record<string, any> | null = null;
  const pkgFile = path.join(root, "package.json");
  if (fs.existsSync(pkgFile)) {
    try {
      const raw: unknown = JSON.parse(readStateFileSync(pkgFile, MAX_PACKAGE_JSON_BYTES));
      if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new Error("not a JSON object");
      pkg = raw as Record<string, any>;
    } catch (e) {
      throw new PluginInstallError("BAD_PACKAGE", `${label}: package.json cannot be read (${(e as Error).message})`);
    }
  }
  const declared: unknown = pkg?.openclaw?.extensions;
  const entries = Array.isArray(declared) ? declared.filter((e): e is string => typeof e === "string" && e.trim() !== "") : [];
  if (entries.length > 0) {
    for (const entry of entries) {
      const file = path.resolve(root, entry.trim());
      if (!inside(root, file))
        throw new PluginInstallError(
          "BAD_PACKAGE",
          `${label}: package.json openclaw.extensions entry "${entry}" points outside the package`,
        );
      if (!fs.existsSync(file))
        throw new PluginInstallError(
          "BAD_PACKAGE",
          `${label}: package.json openclaw.extensions names "${entry}", which the package does not contain (build it before installing?)`,
        );
    }
  } else if (!INDEX_FILES.some((f) => fs.existsSync(path.join(root, f)))) {
    throw new PluginInstallError(
      "BAD_PACKAGE",
      `${label}: no entry module: list it in package.json ("openclaw": {"extensions": ["./index.ts"]}) or ship an index.ts/index.js`,
    );
  }
  const deps = { ...(pkg?.dependencies ?? {}), ...(pkg?.optionalDependencies ?? {}) };
  const str = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : undefined);
  return {
    id: manifest.id,
    version: str(pkg?.version) ?? manifest.version,
    packageName: str(pkg?.name),
    kind: manifest.kind,
    hasDependencies: typeof deps === "object" && deps !== null && Object.keys(deps).length > 0,
  };
}

// --- archives -----------------------------------------------------------------------------------

/** Refuses an entry name that would land outside the folder it is extracted into. */
function checkEntryName(name: string, label: string): string {
  const normalized = name.replaceAll("\\", "/");
  const bad = (why: string) => new PluginInstallError("BAD_ARCHIVE", `${label} is refused: entry "${name}" ${why}; nothing was installed`);
  if (normalized.includes("\0")) throw bad("has a NUL character in its name");
  if (normalized.startsWith("/") || /^[A-Za-z]:/.test(normalized)) throw bad("is an absolute path");
  if (normalized.split("/").includes("..")) throw bad("climbs out of the archive with ..");
  return normalized;
}

class EntryBudget {
  private entries = 0;
  private bytes = 0;
  constructor(
    private limits: InstallLimits,
    private label: string,
  ) {}

  add(size: number): void {
    if (++this.entries > this.limits.maxEntries)
      throw new PluginInstallError("BAD_ARCHIVE", `${this.label} holds more than ${this.limits.maxEntries} entries; refused`);
    this.bytes += Math.max(0, size);
    if (this.bytes > this.limits.maxExtractedBytes)
      throw new PluginInstallError(
        "BAD_ARCHIVE",
        `${this.label} would extract to more than ${Math.round(this.limits.maxExtractedBytes / 1024 / 1024)} MiB; refused`,
      );
  }
}

const TAR_FILE_TYPES = new Set(["File", "OldFile", "ContiguousFile", "Directory"]);

function badArchive(label: string, e: unknown): PluginInstallError {
  if (e instanceof PluginInstallError) return e;
  const message = (e as Error)?.message ?? String(e);
  // The zip reader's own name checks (`invalid relative path: ../x`, `absolute path: /x`).
  if (/^(invalid relative path|absolute path|invalid characters in fileName)/.test(message))
    return new PluginInstallError("BAD_ARCHIVE", `${label} is refused: ${message}; nothing was installed`);
  return new PluginInstallError("BAD_ARCHIVE", `${label} cannot be read as an archive (${(e as Error)?.message ?? e})`);
}

/** Reads every header of a tar (gzipped or not) and refuses the archive on the first bad entry. */
async function checkTar(file: string, limits: InstallLimits, label: string): Promise<void> {
  const tar = await import("tar");
  const budget = new EntryBudget(limits, label);
  let refused: unknown = null;
  const src = fs.createReadStream(file);
  const parser = new tar.Parser({
    strict: true,
    onReadEntry(entry) {
      try {
        if (refused) return;
        checkEntryName(entry.path, label);
        if (!TAR_FILE_TYPES.has(entry.type)) {
          const what = entry.type === "SymbolicLink" || entry.type === "Link" ? "is a link" : `is a ${entry.type} entry`;
          throw new PluginInstallError(
            "BAD_ARCHIVE",
            `${label} is refused: entry "${entry.path}" ${what} (only files and folders are installed); nothing was installed`,
          );
        }
        budget.add(entry.size ?? 0);
      } catch (e) {
        refused = e;
        src.destroy();
      } finally {
        entry.resume();
      }
    },
  });
  try {
    await pipeline(src, parser);
  } catch (e) {
    if (!refused) throw badArchive(label, e);
  }
  if (refused) throw refused;
}

async function extractTar(file: string, dest: string, limits: InstallLimits, label: string): Promise<void> {
  await checkTar(file, limits, label);
  const tar = await import("tar");
  try {
    // Owners are never taken from the archive (tar would, running as root).
    await tar.x({
      file,
      cwd: dest,
      strict: true,
      preserveOwner: false,
      filter: (_p, e) => TAR_FILE_TYPES.has((e as { type?: string }).type ?? ""),
    });
  } catch (e) {
    throw badArchive(label, e);
  }
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;

async function extractZip(file: string, dest: string, limits: InstallLimits, label: string): Promise<void> {
  const yauzl = (await import("yauzl")).default;
  type Zip = import("yauzl").ZipFile;
  type ZipEntry = import("yauzl").Entry;
  const zip = await new Promise<Zip>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true }, (err, z) =>
      err || !z ? reject(badArchive(label, err)) : resolve(z),
    ),
  );
  try {
    if (zip.entryCount > limits.maxEntries)
      throw new PluginInstallError("BAD_ARCHIVE", `${label} holds ${zip.entryCount} entries, more than ${limits.maxEntries}; refused`);
    // Every entry is checked (from the central directory) before the first file is written.
    const budget = new EntryBudget(limits, label);
    const entries: Array<{ entry: ZipEntry; name: string; dir: boolean; mode: number }> = [];
    await new Promise<void>((resolve, reject) => {
      zip.on("error", (e) => reject(badArchive(label, e)));
      zip.on("end", () => resolve());
      zip.on("entry", (entry: ZipEntry) => {
        try {
          const name = checkEntryName(entry.fileName, label);
          const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
          if ((mode & S_IFMT) === S_IFLNK)
            throw new PluginInstallError(
              "BAD_ARCHIVE",
              `${label} is refused: entry "${entry.fileName}" is a link (only files and folders are installed); nothing was installed`,
            );
          if (entry.isEncrypted()) throw new PluginInstallError("BAD_ARCHIVE", `${label}: entry "${entry.fileName}" is encrypted; refused`);
          const dir = name.endsWith("/") || (mode & S_IFMT) === S_IFDIR;
          budget.add(dir ? 0 : entry.uncompressedSize);
          entries.push({ entry, name, dir, mode });
          zip.readEntry();
        } catch (e) {
          reject(e);
        }
      });
      zip.readEntry();
    });
    for (const { entry, name, dir, mode } of entries) {
      const out = path.resolve(dest, name);
      if (!inside(dest, out))
        throw new PluginInstallError("BAD_ARCHIVE", `${label} is refused: entry "${entry.fileName}" leaves the archive`);
      if (dir) {
        await fsp.mkdir(out, { recursive: true });
        continue;
      }
      await fsp.mkdir(path.dirname(out), { recursive: true });
      const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
        zip.openReadStream(entry, (err, s) => (err || !s ? reject(badArchive(label, err)) : resolve(s))),
      );
      try {
        await pipeline(stream, fs.createWriteStream(out, { flags: "wx", mode: mode & 0o111 ? 0o755 : 0o644 }));
      } catch (e) {
        throw badArchive(label, e);
      }
    }
  } finally {
    zip.close();
  }
}

/** The package folder inside an extracted archive: `package/` (npm pack), the one folder, or the top. */
function packedRoot(extractDir: string, label: string): string {
  const direct = path.join(extractDir, "package");
  if (fs.existsSync(path.join(direct, "openclaw.plugin.json")) || fs.existsSync(path.join(direct, "package.json"))) return direct;
  if (fs.existsSync(path.join(extractDir, "openclaw.plugin.json"))) return extractDir;
  const dirs = fs.readdirSync(extractDir, { withFileTypes: true }).filter((d) => d.isDirectory());
  const files = fs.readdirSync(extractDir).filter((n) => !dirs.some((d) => d.name === n));
  if (dirs.length === 1 && files.length === 0) return path.join(extractDir, dirs[0]!.name);
  if (dirs.length === 0 && files.length === 0) throw new PluginInstallError("BAD_ARCHIVE", `${label} is empty`);
  return extractDir;
}

// --- copying a folder ---------------------------------------------------------------------------

/** Left out of a folder install: dependencies are installed fresh, history is not the plugin's. */
const SKIP_IN_FOLDER = new Set(["node_modules", ".git"]);

/** Copies `src` to `dest`; `skip` (the extensions folder, should it lie inside `src`) is left out. */
async function copyFolder(src: string, dest: string, limits: InstallLimits, label: string, skip: string): Promise<void> {
  const realRoot = await fsp.realpath(src);
  const budget = new EntryBudget(limits, label);
  const walk = async (from: string, to: string): Promise<void> => {
    await fsp.mkdir(to, { recursive: true });
    for (const d of await fsp.readdir(from, { withFileTypes: true })) {
      if (from === src && SKIP_IN_FOLDER.has(d.name)) continue;
      const a = path.join(from, d.name);
      if (a === skip) continue;
      const b = path.join(to, d.name);
      if (d.isSymbolicLink()) {
        const target = await fsp.readlink(a);
        let real: string;
        try {
          real = await fsp.realpath(a);
        } catch {
          throw new PluginInstallError(
            "BAD_PACKAGE",
            `${label}: ${path.relative(src, a)} is a symbolic link to nothing (${target}); remove it`,
          );
        }
        if (path.isAbsolute(target) || !inside(realRoot, real))
          throw new PluginInstallError(
            "BAD_PACKAGE",
            `${label}: ${path.relative(src, a)} is a symbolic link to ${target}, ${path.isAbsolute(target) ? "an absolute path" : "outside the plugin folder"}; only relative links inside the folder are installed`,
          );
        budget.add(0);
        await fsp.symlink(target, b);
      } else if (d.isDirectory()) {
        budget.add(0);
        await walk(a, b);
      } else if (d.isFile()) {
        const st = await fsp.stat(a);
        budget.add(st.size);
        await fsp.copyFile(a, b);
        await fsp.chmod(b, st.mode & 0o777);
      }
      // Sockets, FIFOs and devices are not part of a plugin.
    }
  };
  await walk(src, dest);
}

// --- npm ------------------------------------------------------------------------------------------

interface NpmRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runNpm(args: string[], cwd: string, opts: InstallOptions): Promise<NpmRun> {
  const npm = opts.npm ?? "npm";
  const env = {
    ...(opts.env ?? process.env),
    COREPACK_ENABLE_DOWNLOAD_PROMPT: "0",
    npm_config_update_notifier: "false",
    npm_config_fund: "false",
    npm_config_audit: "false",
  };
  return new Promise((resolve, reject) => {
    const child = spawn(npm, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const out = { stdout: "", stderr: "" };
    const cap = (s: string, d: Buffer) => (s.length > 1_000_000 ? s : s + d.toString("utf8"));
    child.stdout.on("data", (d: Buffer) => (out.stdout = cap(out.stdout, d)));
    child.stderr.on("data", (d: Buffer) => (out.stderr = cap(out.stderr, d)));
    const timeoutMs = opts.npmTimeoutMs ?? 300_000;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      out.stderr += `\nnpm error timed out after ${Math.round(timeoutMs / 1000)} s`;
    }, timeoutMs);
    child.on("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new PluginInstallError(
          "NPM_FAILED",
          e.code === "ENOENT"
            ? `npm was not found on PATH (${npm}); install npm, or install the plugin from a folder or an archive`
            : `npm could not be started: ${e.message}`,
        ),
      );
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, ...out });
    });
  });
}

/** npm's own words, without its log-file footer. */
function npmMessage(r: NpmRun): string {
  const lines = (r.stderr.trim() || r.stdout.trim())
    .split("\n")
    .map((l) => l.replace(/^npm (?:error|ERR!)\s?/, "").trimEnd())
    .filter((l) => l.trim() && !/complete log of this run|^\s*\/.*\.log$|^404$/.test(l.trim()));
  return lines.length ? lines.map((l) => `  ${l}`).join("\n") : `  npm exited with code ${r.code}`;
}

async function npmPack(spec: string, dir: string, opts: InstallOptions): Promise<string> {
  opts.log?.(`Downloading ${spec}…`);
  const r = await runNpm(["pack", spec, "--json", "--ignore-scripts"], dir, opts);
  if (r.code !== 0) throw new PluginInstallError("NPM_FAILED", `npm pack ${spec} failed:\n${npmMessage(r)}`);
  let name: string | undefined;
  try {
    const parsed = JSON.parse(r.stdout) as Array<{ filename?: string }>;
    name = parsed.at(-1)?.filename;
  } catch {
    name = r.stdout.trim().split("\n").at(-1)?.trim();
  }
  // npm writes scoped names as `scope-name-1.0.0.tgz` on disk while --json may keep the `@scope/` form.
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".tgz"));
  const file = name && fs.existsSync(path.join(dir, name)) ? name : files.length === 1 ? files[0] : undefined;
  if (!file) throw new PluginInstallError("NPM_FAILED", `npm pack ${spec} produced no archive (npm said: ${r.stdout.trim() || "nothing"})`);
  return path.join(dir, file);
}

async function installDependencies(dir: string, id: string, opts: InstallOptions): Promise<void> {
  opts.log?.(`Installing dependencies of ${id}…`);
  const r = await runNpm(["install", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"], dir, opts);
  if (r.code !== 0) throw new PluginInstallError("NPM_FAILED", `npm install (the dependencies of ${id}) failed:\n${npmMessage(r)}`);
}

// --- putting it in place --------------------------------------------------------------------------

type Fetch = (staging: string, limits: InstallLimits) => Promise<{ root: string; label: string }>;

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.lstat(p);
    return true;
  } catch {
    return false;
  }
}

async function stageAndInstall(fetch: Fetch, opts: InstallOptions): Promise<InstalledPlugin> {
  const limits = { ...DEFAULT_INSTALL_LIMITS, ...opts.limits };
  const mode = opts.mode ?? "install";
  const extensionsDir = path.resolve(opts.extensionsDir);
  const createdExtensions = !(await exists(extensionsDir));
  await fsp.mkdir(extensionsDir, { recursive: true });
  const staging = await fsp.mkdtemp(path.join(extensionsDir, ".install-"));
  let placed = false;
  try {
    const { root, label } = await fetch(staging, limits);
    const info = inspectPackage(root, label);
    if (opts.expectedId && info.id !== opts.expectedId)
      throw new PluginInstallError(
        "ID_MISMATCH",
        `${label} is plugin "${info.id}", not "${opts.expectedId}"; the recorded install (plugins.installs.${opts.expectedId}) points at another plugin`,
      );
    const target = path.join(extensionsDir, installDirName(info.id));
    const result: InstalledPlugin = {
      id: info.id,
      installPath: target,
      version: info.version,
      packageName: info.packageName,
      kind: info.kind,
    };
    if (mode === "install" && (await exists(target)))
      throw new PluginInstallError(
        "EXISTS",
        `plugin ${info.id} is already installed in ${target}; \`openclaw plugins update ${info.id}\` fetches a newer version of an npm install, otherwise delete that folder first`,
      );
    if (opts.dryRun) return result;
    if (mode === "update" && opts.unlessVersion && info.version === opts.unlessVersion && (await exists(target)))
      return { ...result, unchanged: true };
    if (info.hasDependencies) await installDependencies(root, info.id, opts);
    if (mode === "update" && (await exists(target))) {
      const previous = path.join(staging, "previous");
      await fsp.rename(target, previous);
      try {
        await fsp.rename(root, target);
      } catch (e) {
        await fsp.rename(previous, target);
        throw e;
      }
    } else {
      await fsp.rename(root, target);
    }
    placed = true;
    return result;
  } finally {
    await fsp.rm(staging, { recursive: true, force: true });
    if (!placed && createdExtensions) await fsp.rmdir(extensionsDir).catch(() => undefined);
  }
}

/** Copies a plugin folder (without its node_modules and .git) into the extensions folder. */
export async function installFromFolder(dir: string, opts: InstallOptions): Promise<InstalledPlugin> {
  const src = path.resolve(dir);
  const st = await fsp.stat(src).catch(() => null);
  if (!st) throw new PluginInstallError("NOT_FOUND", `folder not found: ${src}`);
  if (!st.isDirectory()) throw new PluginInstallError("NOT_FOUND", `not a folder: ${src}`);
  // The manifest is checked before anything is copied.
  inspectPackage(src, src);
  return stageAndInstall(async (staging, limits) => {
    const root = path.join(staging, "package");
    await copyFolder(src, root, limits, src, path.resolve(opts.extensionsDir));
    return { root, label: src };
  }, opts);
}

async function extractInto(file: string, staging: string, limits: InstallLimits, label: string): Promise<string> {
  const kind = archiveKind(file);
  if (!kind) throw new PluginInstallError("BAD_ARCHIVE", `${label}: unsupported archive (expected .zip, .tgz, .tar.gz or .tar)`);
  const st = await fsp.stat(file);
  if (st.size > limits.maxArchiveBytes)
    throw new PluginInstallError("BAD_ARCHIVE", `${label} is larger than ${Math.round(limits.maxArchiveBytes / 1024 / 1024)} MiB; refused`);
  const dest = path.join(staging, "extract");
  await fsp.mkdir(dest);
  if (kind === "zip") await extractZip(file, dest, limits, label);
  else await extractTar(file, dest, limits, label);
  const root = packedRoot(dest, label);
  if (root === dest) {
    // Files at the top of the archive: give them a folder of their own to rename into place.
    const pkg = path.join(staging, "package");
    await fsp.rename(dest, pkg);
    return pkg;
  }
  return root;
}

/** Extracts a .tgz, .tar.gz, .tar or .zip (checked entry by entry first) and installs it. */
export async function installFromArchive(file: string, opts: InstallOptions): Promise<InstalledPlugin> {
  const src = path.resolve(file);
  if (!(await exists(src))) throw new PluginInstallError("NOT_FOUND", `archive not found: ${src}`);
  if (!archiveKind(src)) throw new PluginInstallError("BAD_ARCHIVE", `${src}: unsupported archive (expected .zip, .tgz, .tar.gz or .tar)`);
  return stageAndInstall(async (staging, limits) => ({ root: await extractInto(src, staging, limits, src), label: src }), opts);
}

/** Fetches `spec` with `npm pack` (npm's configured registry) and installs it. */
export async function installFromNpm(spec: string, opts: InstallOptions): Promise<InstalledPlugin> {
  const trimmed = spec.trim();
  if (!trimmed)
    throw new PluginInstallError("NOT_FOUND", "no npm package named (expected a spec such as @openclaw/voice-call or name@1.2.3)");
  return stageAndInstall(async (staging, limits) => {
    const packDir = path.join(staging, "pack");
    await fsp.mkdir(packDir);
    const archive = await npmPack(trimmed, packDir, opts);
    return { root: await extractInto(archive, staging, limits, `npm package ${trimmed}`), label: `npm package ${trimmed}` };
  }, opts);
}
