#!/usr/bin/env node
// Runs every test/**/*.test.ts with node's test runner (TypeScript through tsx). Extra args are
// passed on, e.g. `npm test -- --test-name-pattern=lock`. Files can be narrowed: `npm test -- test/gateway`.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const args = process.argv.slice(2);
const roots = args.filter((a) => !a.startsWith("-"));
const flags = args.filter((a) => a.startsWith("-"));

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
const child = spawn(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", ...flags, ...files], {
  cwd: root,
  stdio: ["ignore", "pipe", "inherit"],
  env: { ...process.env, NODE_ENV: "test" },
});
// Pass the report through and end with one plain summary line.
let tail = "";
child.stdout.on("data", (d) => {
  process.stdout.write(d);
  tail = (tail + d).slice(-4000);
});
child.on("exit", (code) => {
  const count = (name) => Number(new RegExp(`^\\S* ?${name} (\\d+)$`, "m").exec(tail)?.[1] ?? 0);
  process.stdout.write(`\n${count("pass")} passed, ${count("fail")} failed\n`);
  process.exit(code ?? 1);
});
