#!/usr/bin/env node
/**
 * Entry point: `node dist/index.js gateway …` runs the CLI.
 *
 * The gateway is I/O-bound and meant to fit a 256 MB machine, so before anything else is loaded V8's
 * young generation is kept at its initial size (its growth factor set to 1). By default the allocation
 * burst at start-up grows it to 16 MB, it stays reserved while idle, and under steady chat traffic it
 * grows to 32 MB with the old generation following: 118 MB after a thousand messages and 150 MB after
 * ten thousand (per-message bench, 100 sessions). V8's `--optimize-for-size` keeps the process as
 * small (77–79 and 87 MB) but makes every full collection a memory-reducing one, which lets go of object
 * shapes that optimized code depends on: that code is thrown away in waves (300–390 times per 5,000
 * messages) and optimized again, at 1.6–1.8 ms of CPU per message and p99 7.0–7.8 ms. Holding the
 * young generation instead costs 1.4–1.5 ms, p99 5.0–5.8 ms, at 80–81 and 88–90 MB, with no such waves.
 *
 * The optimizing compiler also inlines less than V8's default (half the bytecode per call site and per
 * function). A message passes through many small functions once each, and generous inlining made
 * large optimized functions that took long to build on a 2-CPU machine while messages waited: over
 * 10,000 messages the p99 was 5.9–6.3 ms with V8's default and 4.8–5.1 ms with half, at 7 % less CPU
 * per message; keyword search over 12,000 memory chunks (a tight loop) is as fast either way.
 *
 * Regular expressions are compiled to machine code on their first use, not first to V8's regexp
 * bytecode and again to machine code once they run a second time. Node's own IPv6 address pattern
 * (every `listen` on `::`, every `net.isIP`) took 7–8 ms to compile to bytecode and 2 ms more to
 * machine code, against 3 ms straight to machine code; launch to listening took 4–6 ms less over 15
 * launches each, with and without a config.
 *
 * The code compiled at start is kept for the next start: see src/startup/loader.ts.
 */
import v8 from "node:v8";
import { loadCli } from "./startup/cli.js";

v8.setFlagsFromString("--semi-space-growth-factor=1");
v8.setFlagsFromString("--max-inlined-bytecode-size=115");
v8.setFlagsFromString("--max-inlined-bytecode-size-cumulative=230");
v8.setFlagsFromString("--no-regexp-tier-up");

loadCli()
  .then(({ runCli }) => runCli(process.argv))
  .catch((err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
