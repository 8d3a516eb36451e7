/**
 * On Node 22.1 and later the CLI keeps the code it compiled for the next start, in a folder of the
 * user's (not the shared temp dir), and can be told not to. Run with the Node 22 binary the reference
 * installer bundles; skipped by name without it (the suite itself runs on Node 20, which has no cache).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { ENTRY, tmpDir } from "../helpers/gateway.js";
import { REF_NODE } from "../helpers/reference-cli.js";

const run = promisify(execFile);
const TIMEOUT = { timeout: 60_000 };
const skip = !fs.existsSync(REF_NODE) && `Node 22 (the reference installer's, ${REF_NODE}) not installed`;

/** Files under `dir`, recursively; [] when it does not exist. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
}

async function version(env: Record<string, string>) {
  const r = await run(REF_NODE, [ENTRY, "--version"], { env: { PATH: process.env.PATH ?? "", ...env }, timeout: 30_000 });
  return r.stdout.trim();
}

describe("compile cache on Node 22", { skip }, () => {
  it("is written under ~/.cache/openclaw/compile and nowhere in the temp dir", TIMEOUT, async () => {
    const home = tmpDir("oc-cc-home-");
    const tmp = tmpDir("oc-cc-tmp-");
    assert.match(await version({ HOME: home, TMPDIR: tmp }), /^\d{4}\.\d+\.\d+/);
    assert.ok(filesUnder(path.join(home, ".cache", "openclaw", "compile")).length > 0, "the cache holds the compiled modules");
    assert.deepEqual(filesUnder(tmp), []);
    // The second start reads it and still answers.
    assert.match(await version({ HOME: home, TMPDIR: tmp }), /^\d{4}\.\d+\.\d+/);
  });

  it("follows XDG_CACHE_HOME and is off with NODE_DISABLE_COMPILE_CACHE=1", TIMEOUT, async () => {
    const home = tmpDir("oc-cc-home-");
    const xdg = tmpDir("oc-cc-xdg-");
    await version({ HOME: home, XDG_CACHE_HOME: xdg });
    assert.ok(filesUnder(path.join(xdg, "openclaw", "compile")).length > 0);
    const off = tmpDir("oc-cc-off-");
    await version({ HOME: off, NODE_DISABLE_COMPILE_CACHE: "1" });
    assert.deepEqual(filesUnder(off), []);
  });

  it("a cache that cannot be written does not stop the command", TIMEOUT, async () => {
    const home = tmpDir("oc-cc-home-");
    fs.writeFileSync(path.join(home, ".cache"), "a file where the cache folder would go");
    assert.match(await version({ HOME: home }), /^\d{4}\.\d+\.\d+/);
  });
});
