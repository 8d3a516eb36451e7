/**
 * The command line, as the entry point loads it. Run from source this is a dynamic import; the built
 * entry point (CommonJS, see scripts/startup-script.mjs) gets it from the start-up script instead.
 */
export function loadCli(): Promise<typeof import("../cli/program.js")> {
  return import("../cli/program.js");
}
