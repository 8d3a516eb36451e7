/** The package's version and root folder. */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The package's root folder: one level above this code, which runs from `src/version.ts` in a checkout
 * and from a module in `dist/` once bundled. Code that sits deeper in `src/` asks here rather than
 * counting its own levels, which differ between the two.
 */
export function packageRoot(): string {
  return fileURLToPath(new URL("..", import.meta.url)).replace(/[\\/]$/, "");
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
