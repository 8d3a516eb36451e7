/** Writing skill folders for tests. */
import fs from "node:fs";
import path from "node:path";

/** Writes `<root>/<dir>/SKILL.md` with the given frontmatter lines and body; returns the file path. */
export function writeSkill(root: string, dir: string, frontmatter: string[] | string, body = "Do the thing.\n"): string {
  const folder = path.join(root, dir);
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, "SKILL.md");
  const text = typeof frontmatter === "string" ? frontmatter : `---\n${frontmatter.join("\n")}\n---\n\n${body}`;
  fs.writeFileSync(file, text);
  return file;
}

/** Frontmatter for a plain skill, with `metadata.openclaw` when given. */
export function skillFm(name: string, description: string, openclaw?: Record<string, unknown>): string[] {
  return [`name: ${name}`, `description: ${description}`, ...(openclaw ? [`metadata: ${JSON.stringify({ openclaw })}`] : [])];
}

/** A folder on PATH holding an executable of this name. */
export function fakeBin(dir: string, name: string, script = "#!/bin/sh\nexit 0\n"): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, script, { mode: 0o755 });
  return dir;
}
