/**
 * `fs.watch` for caches that must notice a change: never keeps the process alive on its own, reports
 * a broken watch (the folder went away, the watch failed) to its listener as an `"error"` event, and
 * says why when there is nothing to watch.
 */
import fs from "node:fs";

/** A watch on `file`; `"missing"` when it (or a folder on its path) does not exist, `"failed"` otherwise (no inotify watches left). */
export function tryWatch(file: string, listener: (event: string, file: string | null) => void): fs.FSWatcher | "missing" | "failed" {
  try {
    const w = fs.watch(file, { persistent: false }, listener);
    w.on("error", () => listener("error", null));
    return w;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR" ? "missing" : "failed";
  }
}
