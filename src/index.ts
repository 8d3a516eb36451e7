#!/usr/bin/env node
/** Entry point: `node dist/index.js gateway …` runs the CLI. */
import { runCli } from "./cli/program.js";

runCli(process.argv).catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
