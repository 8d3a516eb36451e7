/**
 * The README's performance figures are the bench's own output: the block between the bench markers is
 * byte for byte bench/results.md, which `npm run bench:readme` writes together with it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const START = "<!-- bench:start -->\n";
const END = "<!-- bench:end -->";

describe("README performance block", { timeout: 10_000 }, () => {
  it("is exactly what the bench last wrote to bench/results.md", () => {
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    assert.ok(start >= 0 && end > start, "README.md has a <!-- bench:start --> … <!-- bench:end --> block");
    assert.equal(readme.indexOf(START, start + 1), -1, "README.md has one bench block");
    const block = readme.slice(start + START.length, end);
    const results = fs.readFileSync(path.join(root, "bench/results.md"), "utf8");
    assert.ok(results.trim().length > 0, "bench/results.md holds a report (run `npm run bench:readme`)");
    assert.equal(block, results, "the README block differs from bench/results.md: run `npm run bench:readme`, never edit either by hand");
  });

  it("is a generated report, with the run's own description and the goals", () => {
    const results = fs.readFileSync(path.join(root, "bench/results.md"), "utf8");
    assert.match(results.split("\n")[0] ?? "", /^(Quick|Full) run\b.* of `npm run bench`, \d{4}-\d{2}-\d{2}: .*Node v\d+/);
    assert.match(results, /^\|\s+\| this gateway\s+\| OpenClaw 2026\.1\.29\s+\| goal\s+\| met\s+\|$/m);
  });
});
