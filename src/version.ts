/** The package's version and root folder. */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;
/**
 * The package's root folder: the nearest folder above this code that holds a package.json. The code
 * runs from `src/<dir>/` in a checkout and from `dist/` once bundled, so a fixed `../..` would be
 * wrong in one of them.
 */
export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, "package.json"))) return (root = dir);
    const up = path.dirname(dir);
    if (up === dir) return (root = path.dirname(fileURLToPath(import.meta.url)));
    dir = up;
  }
}

let cached: string | undefined;
/** The package version, read once from package.json. */
export function packageVersion(): string {
  if (cached) return cached;
  try {
    cached = (JSON.parse(fs.readFileSync(path.join(packageRoot(), "package.json"), "utf8")) as { version?: string }).version ?? "0.0.0";
  } catch {
    cached = "0.0.0";
  }
  return cached;
}
