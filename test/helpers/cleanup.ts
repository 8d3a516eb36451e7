/**
 * Whatever a test file creates outside its own memory is removed when its process ends: temp
 * directories made with `tmpDir` (or handed to `removeOnExit`) and child processes still running
 * (`killOnExit`). `node --test` runs each test file in a process of its own, so this is per file;
 * a test that wants its directory gone sooner can still remove it itself.
 */
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const dirs = new Set<string>();
const children = new Set<ChildProcess>();

/** A new empty directory under the system temp dir, removed when this test process exits. */
export function tmpDir(prefix = "oc-test-"): string {
  return removeOnExit(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

/** Removes `file` (a file or a directory tree) when this test process exits. */
export function removeOnExit(file: string): string {
  dirs.add(file);
  return file;
}

/** Kills `child` (SIGKILL) if it is still running when this test process exits. */
export function killOnExit<T extends ChildProcess>(child: T): T {
  if (child.exitCode === null && child.signalCode === null) {
    children.add(child);
    child.once("exit", () => children.delete(child));
  }
  return child;
}

function cleanUp(): void {
  for (const child of children) {
    try {
      child.kill("SIGKILL");
    } catch {
      /* already gone */
    }
  }
  children.clear();
  for (const dir of dirs) {
    try {
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    } catch (e) {
      process.stderr.write(`could not remove ${dir}: ${(e as Error).message}\n`);
    }
  }
  dirs.clear();
}

process.on("exit", cleanUp);
// Interrupted (Ctrl-C, or the runner stopping a file that ran too long): clean up, then die of the
// same signal so the exit status still says what happened.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    cleanUp();
    process.kill(process.pid, signal);
  });
}
