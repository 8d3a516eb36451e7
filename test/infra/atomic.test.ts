/** Replacing a state file: the old or the new content, never half, and no temp file left behind. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../../src/infra/atomic.js";
import { tmpDir } from "../helpers/gateway.js";

/** A new folder, removed when the test process ends. */
const scratch = () => tmpDir("oc-atomic-");

describe("writeFileAtomic", { timeout: 20_000 }, () => {
  it("creates the folder and the file, replaces it keeping its mode, and leaves only the file", async () => {
    const dir = path.join(scratch(), "state", "sessions");
    const file = path.join(dir, "sessions.json");
    assert.equal(await writeFileAtomic(file, "one\n"), true);
    assert.equal(fs.readFileSync(file, "utf8"), "one\n");
    assert.equal(fs.statSync(file).mode & 0o777, 0o600, "new state files are private");
    fs.chmodSync(file, 0o640);
    assert.equal(await writeFileAtomic(file, Buffer.from("two\n")), true);
    assert.equal(fs.readFileSync(file, "utf8"), "two\n");
    assert.equal(fs.statSync(file).mode & 0o777, 0o640, "a replaced file keeps the mode its owner gave it");
    assert.deepEqual(fs.readdirSync(dir), ["sessions.json"]);
  });

  it("writes a large file whole", async () => {
    const file = path.join(scratch(), "big.json");
    const text = JSON.stringify({ rows: Array.from({ length: 40_000 }, (_, i) => `row ${i} ✓`) });
    assert.ok(Buffer.byteLength(text) > 512 * 1024);
    await writeFileAtomic(file, text);
    assert.equal(fs.readFileSync(file, "utf8"), text);
  });

  it("leaves the file alone when a newer version was written meanwhile", async () => {
    const dir = scratch();
    const file = path.join(dir, "jobs.json");
    fs.writeFileSync(file, "newer\n");
    assert.equal(await writeFileAtomic(file, "older\n", { stillWanted: () => false }), false);
    assert.equal(fs.readFileSync(file, "utf8"), "newer\n");
    assert.deepEqual(fs.readdirSync(dir), ["jobs.json"], "the temp file is gone");
  });

  it("rejects when the file cannot be replaced, and removes its temp file", async () => {
    const dir = scratch();
    // A folder with something in it where the file should go: the rename fails.
    const file = path.join(dir, "sessions.json");
    fs.mkdirSync(file);
    fs.writeFileSync(path.join(file, "inside"), "x");
    await assert.rejects(writeFileAtomic(file, "data\n"));
    assert.deepEqual(fs.readdirSync(dir), ["sessions.json"]);
    // Its folder is a file: nothing can be created there.
    const blocked = path.join(dir, "blocked");
    fs.writeFileSync(blocked, "a file where a folder should be");
    await assert.rejects(writeFileAtomic(path.join(blocked, "x.json"), "data\n"), /ENOTDIR|EEXIST/);
  });
});
