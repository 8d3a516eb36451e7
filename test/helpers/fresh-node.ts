/**
 * A script run in a Node process of its own (with tsx), for what only a fresh process shows: which
 * modules load when, or globals nothing has touched yet.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * Runs `main` (TypeScript, as main.mts) from the project root in a fresh Node with tsx. `files` (name
 * → text) are written beside it in the same temporary folder, which is removed afterwards; `preloads`
 * names those of them passed to `--import` after tsx. Rejects when the script fails or runs over 30 s.
 */
export async function runInFreshNode(
  main: string,
  opts: { files?: Record<string, string>; preloads?: string[] } = {},
): Promise<{ stdout: string; stderr: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "oc-fresh-node-"));
  try {
    for (const [name, text] of Object.entries({ ...opts.files, "main.mts": main })) fs.writeFileSync(path.join(dir, name), text);
    const imports = ["tsx", ...(opts.preloads ?? []).map((f) => pathToFileURL(path.join(dir, f)).href)].flatMap((m) => ["--import", m]);
    return await promisify(execFile)(process.execPath, [...imports, path.join(dir, "main.mts")], { cwd: ROOT, timeout: 30_000 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
