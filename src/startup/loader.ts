/**
 * Loads the start-up path with V8's code cache.
 *
 * The build (scripts/startup-script.mjs) puts the modules every start loads (the CLI, the config and
 * the gateway) into one classic script, `startup-<hash>.cjs`, and leaves each of their files in dist/
 * as a small module that gets its exports from here. A classic script can be compiled from a code
 * cache on any Node version this package runs on (ES modules only from Node 22.1, with its compile
 * cache), which saves parsing and compiling some 700 KB of JavaScript on every start: about 30 ms of
 * a 180 ms launch on a small machine.
 *
 * The cache is written once, by the first process that ran without one (2 s after loading, or when it
 * exits if that is sooner): next to the script when that folder can be written (what a local install
 * or an image that keeps its files gets), else in `$XDG_CACHE_HOME/openclaw/compile` or
 * `~/.cache/openclaw/compile`, a folder of this user's (whoever can write the cache decides what code
 * runs, so never the shared temp dir). Its name includes the Node version and the flags the process
 * runs with, since V8 refuses a cache made under other flags. It is written to a temporary file and
 * renamed, and read back only if its checksum matches: a cache cut short by a full disk or a killed
 * process is never handed to V8. A cache V8 refuses anyway (another V8 build) is made again. Nothing
 * here can stop a start: any failure to read or write a cache means compiling as before.
 * `NODE_DISABLE_COMPILE_CACHE=1` turns it off, as it does Node's own.
 *
 * On Node 22.1 and later, the ES modules loaded after the script (channels, providers, commands) are
 * kept too, by Node's own compile cache, which this turns on in the same user folder
 * (`$NODE_COMPILE_CACHE` when set). A user with no home folder gets neither user-folder cache.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import module, { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import vm from "node:vm";
import { findHome } from "../infra/paths.js";

declare const __STARTUP_SCRIPT__: string;

type Namespace = Record<string, unknown>;
type Modules = Record<string, () => Promise<Namespace>>;

/** A cache file: this tag, then the SHA-1 of the data, then V8's data. */
const MAGIC = Buffer.from("OCC1");
const HEADER = MAGIC.length + 20;
const WRITE_AFTER_MS = 2000;

let modules: Modules | undefined;

/** `$XDG_CACHE_HOME/openclaw/compile`, else `~/.cache/openclaw/compile`; undefined with no home folder. */
function userCacheDir(): string | undefined {
  const xdg = process.env.XDG_CACHE_HOME?.trim();
  const home = xdg ? undefined : findHome();
  const base = xdg || (home && path.join(home, ".cache"));
  return base ? path.join(base, "openclaw", "compile") : undefined;
}

const nodeCompileCache = (module as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
const nodeCacheDir = nodeCompileCache && userCacheDir();
if (nodeCacheDir) nodeCompileCache(nodeCacheDir);

/** The exports of `name`, one of the files the start-up script holds (loading the script once). */
export function load(name: string): Promise<Namespace> {
  modules ??= run(fileURLToPath(new URL(`./${__STARTUP_SCRIPT__}`, import.meta.url)));
  const get = modules[name];
  if (!get) return Promise.reject(new Error(`${name} is not part of ${__STARTUP_SCRIPT__}: reinstall or rebuild openclaw`));
  return get();
}

function run(file: string): Modules {
  const source = fs.readFileSync(file, "utf8");
  const places = process.env.NODE_DISABLE_COMPILE_CACHE ? [] : cachePaths(file);
  let cachedData: Buffer | undefined;
  for (const p of places) if ((cachedData = readCache(p))) break;
  const script = new vm.Script(source, { filename: file, cachedData });
  const wrapper = script.runInThisContext() as (
    require: NodeJS.Require,
    module: { exports: { modules?: Modules } },
    exports: object,
    url: string,
    dynamicImport: (specifier: string) => Promise<Namespace>,
  ) => void;
  const mod: { exports: { modules?: Modules } } = { exports: {} };
  // `import()` in the script: resolved from this file, which sits in the same folder as the script.
  wrapper(createRequire(file), mod, mod.exports, pathToFileURL(file).href, (specifier) => import(specifier));
  if (places.length > 0 && (!cachedData || script.cachedDataRejected)) writeLater(script, places);
  if (!mod.exports.modules) throw new Error(`${file} did not define its modules: reinstall or rebuild openclaw`);
  return mod.exports.modules;
}

/** Where the cache for `file` under this process's Node and flags may be, in the order tried. */
function cachePaths(file: string): string[] {
  const flags = [process.version, process.arch, ...process.execArgv, process.env.NODE_OPTIONS ?? ""].join("\0");
  const key = crypto.createHash("sha1").update(flags).digest("hex").slice(0, 12);
  const name = `${path.basename(file, ".cjs")}.${key}.cache`;
  const userDir = userCacheDir();
  return [path.join(path.dirname(file), name), ...(userDir ? [path.join(userDir, name)] : [])];
}

function readCache(p: string): Buffer | undefined {
  let data: Buffer;
  try {
    data = fs.readFileSync(p);
  } catch {
    return undefined;
  }
  if (data.length <= HEADER || !data.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const body = data.subarray(HEADER);
  const sum = crypto.createHash("sha1").update(body).digest();
  return sum.equals(data.subarray(MAGIC.length, HEADER)) ? body : undefined;
}

/** Writes the cache once: `WRITE_AFTER_MS` after start-up, or at exit if the process ends sooner. */
function writeLater(script: vm.Script, places: string[]): void {
  let done = false;
  const write = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    process.off("exit", write);
    try {
      writeCache(script.createCachedData(), places);
    } catch {
      // No cache this time: the next start compiles again.
    }
  };
  const timer = setTimeout(write, WRITE_AFTER_MS).unref();
  process.once("exit", write);
}

function writeCache(data: Buffer, places: string[]): void {
  const sum = crypto.createHash("sha1").update(data).digest();
  for (const p of places) {
    const tmp = `${p}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(tmp, Buffer.concat([MAGIC, sum, data]), { mode: 0o644 });
      fs.renameSync(tmp, p);
    } catch {
      fs.rmSync(tmp, { force: true });
      continue;
    }
    try {
      removeOthers(p);
    } catch {
      // Tidying up is for another time.
    }
    return;
  }
}

/**
 * Removes from `p`'s folder the caches of other builds' scripts (a cache per flag set of this one
 * stays) and temporary files a killed process left over a minute ago.
 */
function removeOthers(p: string): void {
  const dir = path.dirname(p);
  const script = path.basename(p).split(".")[0]!;
  for (const f of fs.readdirSync(dir)) {
    if (!f.startsWith("startup-")) continue;
    const full = path.join(dir, f);
    if (f.endsWith(".cache") ? f.split(".")[0] !== script : f.endsWith(".tmp") && Date.now() - fs.statSync(full).mtimeMs > 60_000)
      fs.rmSync(full, { force: true });
  }
}
