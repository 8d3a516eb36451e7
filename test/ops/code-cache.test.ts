/**
 * The start-up script's code cache (src/startup/loader.ts), on a copy of the built package: written by
 * the first run, used by the next, made again when it is damaged or made under other flags, kept out
 * of the way when it cannot be written, and never a reason for a command to fail.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "../helpers/gateway.js";

const T = { timeout: 60_000 };

describe("the start-up script's code cache", () => {
  let pkg: string;
  let dist: string;
  let xdg: string;

  before(() => {
    pkg = fs.mkdtempSync(path.join(os.tmpdir(), "code-cache-"));
    dist = path.join(pkg, "dist");
    xdg = path.join(pkg, "xdg");
    fs.mkdirSync(dist);
    fs.copyFileSync(path.join(ROOT, "package.json"), path.join(pkg, "package.json"));
    for (const f of fs.readdirSync(path.join(ROOT, "dist")))
      if (/\.[mc]?js$|^package\.json$/.test(f)) fs.copyFileSync(path.join(ROOT, "dist", f), path.join(dist, f));
  });
  after(() => fs.rmSync(pkg, { recursive: true, force: true }));

  const caches = (dir = dist) =>
    fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((f) => f.endsWith(".cache"))
          .sort()
      : [];
  const clear = () => {
    for (const f of caches()) fs.rmSync(path.join(dist, f), { recursive: true, force: true });
    fs.rmSync(xdg, { recursive: true, force: true });
  };
  /** `openclaw --version` from the copy; returns what it printed (and fails the test if it failed). */
  function run(env: Record<string, string> = {}, nodeArgs: string[] = []): string {
    const r = spawnSync(process.execPath, [...nodeArgs, path.join(dist, "index.js"), "--version"], {
      env: { PATH: process.env.PATH, HOME: pkg, XDG_CACHE_HOME: xdg, ...env },
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}`);
    assert.equal(r.stderr, "");
    return r.stdout;
  }
  const version = () => JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version as string;

  it("is written by the first run beside the script and used as it is by the next", T, () => {
    clear();
    assert.equal(run().trim(), version());
    const [cache, ...more] = caches();
    assert.ok(cache && more.length === 0, `one cache file: ${caches().join(", ")}`);
    const file = path.join(dist, cache);
    const written = fs.readFileSync(file);
    assert.ok(written.length > 100_000, `${written.length} bytes`);
    const mtime = fs.statSync(file).mtimeMs;
    assert.equal(run().trim(), version());
    assert.deepEqual(caches(), [cache]);
    assert.equal(fs.statSync(file).mtimeMs, mtime, "a cache V8 took is not written again");
    assert.ok(fs.readFileSync(file).equals(written));
  });

  it("is made again when damaged, cut short or empty, and the command runs all the same", T, () => {
    clear();
    run();
    const [cache] = caches();
    const file = path.join(dist, cache!);
    const good = fs.readFileSync(file);
    const flipped = Buffer.from(good);
    for (let i = Math.floor(flipped.length / 2); i < flipped.length / 2 + 64; i++) flipped[i]! ^= 0xff;
    for (const bad of [flipped, good.subarray(0, good.length >> 1), Buffer.alloc(0), Buffer.from("not a cache")]) {
      fs.writeFileSync(file, bad);
      assert.equal(run().trim(), version());
      assert.ok(fs.readFileSync(file).length > 100_000, "a good cache was written in its place");
    }
  });

  it("is one per set of Node flags: a cache made under other flags is neither used nor overwritten", T, () => {
    clear();
    run();
    const [plain] = caches();
    run({}, ["--max-old-space-size=300"]);
    const both = caches();
    assert.equal(both.length, 2, both.join(", "));
    run({ NODE_OPTIONS: "--max-old-space-size=400" });
    assert.equal(caches().length, 3);
    assert.ok(caches().includes(plain!));
  });

  it("goes to the user's cache folder when the package folder cannot take it", T, () => {
    clear();
    // A directory where the cache file would be: reading and renaming onto it both fail.
    run();
    const [cache] = caches();
    fs.rmSync(path.join(dist, cache!));
    fs.mkdirSync(path.join(dist, cache!));
    assert.equal(run().trim(), version());
    const userDir = path.join(xdg, "openclaw", "compile");
    assert.deepEqual(caches(userDir), [cache]);
    assert.ok(fs.statSync(path.join(dist, cache!)).isDirectory());
    const mtime = fs.statSync(path.join(userDir, cache!)).mtimeMs;
    run();
    assert.equal(fs.statSync(path.join(userDir, cache!)).mtimeMs, mtime, "the user folder's cache is used");
    assert.deepEqual(
      fs.readdirSync(dist).filter((f) => f.endsWith(".tmp")),
      [],
      "no temporary file left",
    );
  });

  it("is neither read nor written with NODE_DISABLE_COMPILE_CACHE=1", T, () => {
    clear();
    assert.equal(run({ NODE_DISABLE_COMPILE_CACHE: "1" }).trim(), version());
    assert.deepEqual(caches(), []);
    assert.deepEqual(caches(path.join(xdg, "openclaw", "compile")), []);
  });

  it("replaces the caches of an earlier build's script", T, () => {
    clear();
    run();
    const [cache] = caches();
    const old = cache!.replace(/^startup-[A-Z0-9]+/, "startup-0000AAAA");
    fs.renameSync(path.join(dist, cache!), path.join(dist, old));
    run();
    assert.deepEqual(caches(), [cache]);
  });
});
