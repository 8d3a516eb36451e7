/**
 * Watches the config file for edits. The directory is watched rather than the file, because editors
 * and our own atomic writes replace the file (new inode) instead of changing it in place.
 */
import fs from "node:fs";
import path from "node:path";

export function watchFile(file: string, debounceMs: number, onChange: () => void): () => void {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let timer: NodeJS.Timeout | undefined;
  let watcher: fs.FSWatcher | undefined;
  try {
    fs.mkdirSync(dir, { recursive: true });
    watcher = fs.watch(dir, { persistent: false }, (_event, name) => {
      if (name !== null && name.toString() !== base) return;
      clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
    });
    watcher.on("error", () => undefined);
  } catch {
    return () => undefined;
  }
  return () => {
    clearTimeout(timer);
    watcher?.close();
  };
}
