/** The repository root and the test fixtures kept in it (tests read nothing from outside the repository). */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const FIXTURES = path.join(ROOT, "test/fixtures");

/** Absolute path of a fixture, e.g. `fixturePath("reference/seed-fly.toml")`. */
export function fixturePath(name: string): string {
  return path.join(FIXTURES, name);
}

/** A fixture's text, e.g. `fixture("reference/seed-openclaw.json")`. */
export function fixture(name: string): string {
  return fs.readFileSync(fixturePath(name), "utf8");
}
