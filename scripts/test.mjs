#!/usr/bin/env node
// Runs every test/**/*.test.ts with node's test runner (TypeScript through tsx). Extra args are
// passed on, e.g. `npm test -- --test-name-pattern=lock`. Files can be narrowed: `npm test -- test/gateway`.
//
// The spec reporter prints the run as it goes; scripts/summary-reporter.mjs collects the results, from
// which this script prints, last, the failed, cancelled, skipped and todo tests by name and then one line:
// `N passed, N failed` (`, N skipped` when some were). The exit status is non-zero when a test failed
// or was cancelled.
//
// Tests run with a temp dir (TMPDIR) of their own inside the system one. Tests remove what they
// create; whatever is still there at the end is named (so the test that left it can be fixed), then
// removed with the rest.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const roots = args.filter((a) => !a.startsWith("-"));
const flags = args.filter((a) => a.startsWith("-"));

// Every test gets a timeout. Node 20 applies --test-timeout to each test file as a whole (later
// versions to each test as well), so it is sized for the slowest file (test/ops/image.test.ts builds and
// installs the app: one to two minutes, its hook allows eight), and slow tests and hooks set their own.
const TEST_TIMEOUT_MS = 600_000;

function walk(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

const files = (roots.length ? roots : ["test"])
  .flatMap((r) => (fs.statSync(path.resolve(root, r)).isDirectory() ? walk(path.resolve(root, r)) : [path.resolve(root, r)]))
  .sort();

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "openclaw-test-"));
const summaryFile = path.join(scratch, "summary.json");
const tmp = path.join(scratch, "tmp");
fs.mkdirSync(tmp);

const child = spawn(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    `--test-timeout=${TEST_TIMEOUT_MS}`,
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    `--test-reporter=${pathToFileURL(path.join(root, "scripts/summary-reporter.mjs")).href}`,
    `--test-reporter-destination=${summaryFile}`,
    ...flags,
    ...files,
  ],
  { cwd: root, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, NODE_ENV: "test", TMPDIR: tmp } },
);
// Ctrl-C reaches the runner too (same process group); a signal sent to this script alone is passed on.
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));

child.on("exit", (code, signal) => {
  const lines = [];
  let r;
  try {
    r = JSON.parse(fs.readFileSync(summaryFile, "utf8"));
  } catch {
    r = { tests: 0, passed: 0, failed: 0, skipped: 0, todo: 0, failures: [], skips: [] };
  }
  if ((code !== 0 || signal) && r.failed === 0) {
    // The runner failed without a failing test to show for it (it crashed, or was stopped).
    r.failed++;
    r.failures.push({ name: "the test runner", file: "", reason: `exited with ${signal ?? `code ${code}`}`, cancelled: Boolean(signal) });
  }

  const leftovers = leftoversIn(tmp);
  if (leftovers.length) lines.push(`temp entries the tests left behind (removed now): ${leftovers.join(", ")}`);
  fs.rmSync(scratch, { recursive: true, force: true, maxRetries: 5 });

  const at = (t) => (t.file ? ` (${t.file})` : "");
  for (const t of r.failures) lines.push(`${t.cancelled ? "cancelled" : "failed"}: ${t.name}${at(t)}: ${t.reason}`);
  for (const t of r.skips) lines.push(`${t.todo ? "todo" : "skipped"}: ${t.name}${at(t)}${t.reason ? `: ${t.reason}` : ""}`);
  const skipped = r.skipped + r.todo;
  lines.push(`${r.passed} passed, ${r.failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  process.stdout.write(`\n${lines.join("\n")}\n`);
  process.exitCode = r.failed > 0 ? 1 : 0;
});

/** What is left in the tests' temp dir, grouped by name without its random suffix: `oc-test-* (3)`. */
function leftoversIn(dir) {
  const groups = new Map();
  for (const name of fs.readdirSync(dir)) {
    // tsx's compile cache, shared by the test processes: the runner's own, not a test's.
    if (/^tsx-\d+$/.test(name)) continue;
    const key = name.replace(/[-_.]?[A-Za-z0-9]{6}$/, "-*");
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  return [...groups].map(([k, n]) => (n > 1 ? `${k} (${n})` : k));
}
