#!/usr/bin/env node
/**
 * Entry point: `node dist/index.js gateway …` runs the CLI.
 *
 * The gateway is I/O-bound and meant to fit a 256 MB machine, so V8 is told to favour memory over
 * peak speed before anything else is loaded. Without this, the allocation burst at start-up grows the
 * young generation to 16 MB and it stays reserved while idle.
 */
import v8 from "node:v8";

v8.setFlagsFromString("--optimize-for-size");

const { runCli } = await import("./cli/program.js");
runCli(process.argv).catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
