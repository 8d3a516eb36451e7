#!/usr/bin/env node
// Memory search over 10,000 chunks without embeddings (keyword only): builds a workspace of 200
// memory files × 50 chunks of generated notes, indexes it once (timed), loads the index in a fresh
// service the way the first search after a restart does (timed), then, after twenty warm-up searches
// and a second's pause, runs many searches and prints p50/p99. Each search includes the freshness
// check (on Linux, whether the kernel reported a change in the watched memory folders; elsewhere, a
// stat of the 200 files).
//
//   node --import tsx bench/memory.mjs [--searches 1000] [--files 200] [--json]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { root, sleep } from "./lib.mjs";

const args = process.argv.slice(2);
const arg = (name, dflt) => Number(args[args.indexOf(name) + 1]) || dflt;
const SEARCHES = arg("--searches", 1000);
const FILES = arg("--files", 200);
const CHUNKS_PER_FILE = 50;
const { MemoryService } = await import(path.join(root, "src/memory/service.ts"));

const WORDS = (
  "invoice garden dentist passport flight hotel meeting budget recipe bicycle tyres birthday project deadline review " +
  "contract landlord plumber insurance vaccine concert ticket laptop backup password router printer keyboard museum " +
  "library course exam visa train station airport taxi pharmacy doctor friend sister brother mother father colleague " +
  "manager client office coffee tea lunch dinner breakfast holiday weekend monday tuesday wednesday thursday friday"
).split(" ");
let seed = 42;
const rand = (n) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
const sentence = () => Array.from({ length: 12 }, () => WORDS[rand(WORDS.length)]).join(" ") + ".";

const state = fs.mkdtempSync(path.join(os.tmpdir(), "oc-bench-memory-"));
const ws = path.join(state, "workspace");
fs.mkdirSync(path.join(ws, "memory"), { recursive: true });
for (let f = 0; f < FILES; f++) {
  // Each chunk: a heading and ~1,500 characters (just under the default 400 tokens × 4 characters).
  const blocks = Array.from(
    { length: CHUNKS_PER_FILE },
    (_, i) => `## Note ${f}-${i}\n\n${Array.from({ length: 17 }, sentence).join(" ")}\n`,
  );
  fs.writeFileSync(
    path.join(ws, "memory", `2026-${String(1 + (f % 12)).padStart(2, "0")}-${String(f).padStart(3, "0")}.md`),
    blocks.join("\n"),
  );
}
const cfg = { agents: { defaults: { workspace: ws, memorySearch: { chunking: { tokens: 400, overlap: 0 } } } } };
const service = () => new MemoryService({ config: () => cfg, stateDir: state, env: {} });

let t = performance.now();
const built = await service().index("main").reindex();
const buildMs = performance.now() - t;

const index = service().index("main");
t = performance.now();
await index.search("warm-up");
const loadMs = performance.now() - t;
// Warm-up: the second search looks at the files once more (their folders were just put under
// watch), and searches right after the load wait for the search code to be compiled and for the
// collection of what loading the index left behind (up to 12 ms each, the first few even after five
// warm-up searches). So: twenty searches, then a second without any, before timing.
for (let i = 0; i < 20; i++) await index.search(`${WORDS[i]} ${WORDS[i + 1]}`);
await sleep(1000);

const times = [];
let hits = 0;
for (let i = 0; i < SEARCHES; i++) {
  const q = `${WORDS[rand(WORDS.length)]} ${WORDS[rand(WORDS.length)]} ${WORDS[rand(WORDS.length)]}`;
  const s = performance.now();
  const r = await index.search(q);
  times.push(performance.now() - s);
  hits += r.results.length;
}
times.sort((a, b) => a - b);
const pct = (p) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))].toFixed(2);
const size = fs.statSync(path.join(state, "memory", "main.json")).size;
if (args.includes("--json")) {
  const p = (q) => times[Math.min(times.length - 1, Math.floor((q / 100) * times.length))];
  console.log(JSON.stringify({ chunks: built.chunks, files: built.files, searches: SEARCHES, buildMs, loadMs, p50: p(50), p99: p(99) }));
} else {
  console.log(`memory: ${built.files} files, ${built.chunks} chunks, index ${(size / 1024 / 1024).toFixed(1)} MB`);
  console.log(`build ${buildMs.toFixed(0)} ms, first search (load) ${loadMs.toFixed(0)} ms`);
  console.log(
    `search x${SEARCHES}: p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${times.at(-1).toFixed(2)} ms (${(hits / SEARCHES).toFixed(1)} results each)`,
  );
}
fs.rmSync(state, { recursive: true, force: true });
