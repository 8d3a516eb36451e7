/**
 * Finding skills. Each skill is a folder holding a `SKILL.md`; folders are searched in these places,
 * and when two places hold a skill of the same name the first one listed wins:
 *
 * 1. `<workspace>/skills` (the agent's own),
 * 2. `$OPENCLAW_STATE_DIR/skills` ("managed": shared by every agent, `~/.openclaw/skills` by default),
 * 3. bundled skills (`$OPENCLAW_BUNDLED_SKILLS_DIR`, else `skills/` in this package; we ship none),
 * 4. `skills.load.extraDirs`, then the `skills` folders that enabled plugins declare in their manifest
 *    (passed in as `pluginSkillDirs`).
 *
 * A scan is bounded: at most {@link MAX_SKILLS} skills and {@link MAX_SKILL_FILE_BYTES} per `SKILL.md`;
 * what is left out gets a warning naming the file. A {@link SkillsCache} keeps parsed files keyed by
 * their mtime and size, and folder listings keyed by the folder's mtime, so a run re-reads only what
 * changed.
 */
import fs from "node:fs";
import path from "node:path";
import { packageRoot } from "../version.js";
import type { OpenClawConfig } from "../config/schema.js";
import { expandHome, type Env } from "../infra/paths.js";
import { parseSkillFile, resolveInvocation, resolveMetadata, stringField, type SkillMetadata } from "./frontmatter.js";
import { byCodeUnits } from "../infra/compare.js";
import { FileTooLargeError, NotRegularFileError, readStateFileSync } from "../infra/read-bounded.js";

export const MAX_SKILLS = 200;
export const MAX_SKILL_FILE_BYTES = 256 * 1024;
/** How deep below a skills folder a `SKILL.md` is looked for. */
const MAX_DEPTH = 4;

export type SkillSource = "openclaw-workspace" | "openclaw-managed" | "openclaw-bundled" | "openclaw-extra";

export interface SkillEntry {
  name: string;
  description: string;
  /** Absolute path of the `SKILL.md`. */
  filePath: string;
  baseDir: string;
  source: SkillSource;
  frontmatter: Record<string, unknown>;
  metadata?: SkillMetadata;
  invocation: { userInvocable: boolean; disableModelInvocation: boolean };
}

export interface SkillsLoadOptions {
  workspaceDir: string;
  stateDir: string;
  config: OpenClawConfig;
  env: Env;
  /** Overrides where bundled skills are read from (tests; `OPENCLAW_BUNDLED_SKILLS_DIR` otherwise). */
  bundledDir?: string;
  /**
   * `skills` folders of enabled plugins (see `plugin-dirs.ts`). Given by the caller, so that code
   * which must not load plugin code (the agent runner) can use this module.
   */
  pluginSkillDirs?: string[];
}

export interface SkillsLoadResult {
  entries: SkillEntry[];
  /** One line per skill or file left out or read with a problem: `path: what is wrong`. */
  warnings: string[];
  /**
   * Where a change would change the result: every folder looked in (the skills folders too, when
   * missing) and each `SKILL.md` that is a symbolic link (an edit to its target changes no folder).
   */
  sources: string[];
}

interface CachedFile {
  mtimeMs: number;
  size: number;
  entry: SkillEntry | null;
  warnings: string[];
}

/** Parsed `SKILL.md` files and folder listings, reused while their mtimes are unchanged. */
export class SkillsCache {
  readonly files = new Map<string, CachedFile>();
  readonly dirs = new Map<string, { mtimeMs: number; names: fs.Dirent[] }>();
}

export function managedSkillsDir(stateDir: string): string {
  return path.join(stateDir, "skills");
}

/** The bundled skills folder, when there is one. */
export function bundledSkillsDir(env: Env): string | undefined {
  const override = env.OPENCLAW_BUNDLED_SKILLS_DIR?.trim();
  if (override) return path.resolve(expandHome(override, env));
  const candidate = path.join(packageRoot(), "skills");
  return fs.existsSync(candidate) ? candidate : undefined;
}

/** Every skill found, highest precedence first per name, with warnings for what was left out. */
export function loadSkills(o: SkillsLoadOptions, cache: SkillsCache = new SkillsCache()): SkillsLoadResult {
  const extra = (o.config.skills?.load?.extraDirs ?? [])
    .map((d) => d.trim())
    .filter(Boolean)
    .map((d) => path.resolve(expandHome(d, o.env)));
  const bundled = o.bundledDir ?? bundledSkillsDir(o.env);
  const roots: Array<{ dir: string; source: SkillSource }> = [
    { dir: path.join(o.workspaceDir, "skills"), source: "openclaw-workspace" },
    { dir: managedSkillsDir(o.stateDir), source: "openclaw-managed" },
    ...(bundled ? [{ dir: bundled, source: "openclaw-bundled" as const }] : []),
    ...[...extra, ...(o.pluginSkillDirs ?? [])].map((dir) => ({ dir, source: "openclaw-extra" as const })),
  ];
  const byName = new Map<string, SkillEntry>();
  const warnings: string[] = [];
  const sources: string[] = [];
  let overLimit = 0;
  for (const root of roots) {
    for (const file of findSkillFiles(root.dir, cache, sources)) {
      const parsed = readSkill(file, root.source, cache);
      warnings.push(...parsed.warnings.map((w) => `${file}: ${w}`));
      const entry = parsed.entry;
      if (!entry || byName.has(entry.name)) continue;
      if (byName.size >= MAX_SKILLS) {
        overLimit++;
        continue;
      }
      byName.set(entry.name, entry);
    }
  }
  if (overLimit > 0)
    warnings.push(`${overLimit} more skill(s) left out: at most ${MAX_SKILLS} skills are loaded; remove unused ones or disable folders`);
  return { entries: [...byName.values()], warnings, sources };
}

function listDir(dir: string, cache: SkillsCache): fs.Dirent[] {
  let mtimeMs: number;
  try {
    const st = fs.statSync(dir);
    if (!st.isDirectory()) return [];
    mtimeMs = st.mtimeMs;
  } catch {
    return [];
  }
  const hit = cache.dirs.get(dir);
  if (hit && hit.mtimeMs === mtimeMs) return hit.names;
  let names: fs.Dirent[];
  try {
    names = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => byCodeUnits(a.name, b.name));
  } catch {
    names = [];
  }
  cache.dirs.set(dir, { mtimeMs, names });
  return names;
}

/**
 * `SKILL.md` files below `root` (following symlinked folders; dot folders and node_modules skipped).
 * Adds what it looked at to `sources` (see {@link SkillsLoadResult.sources}).
 */
function findSkillFiles(root: string, cache: SkillsCache, sources: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    sources.push(dir);
    for (const d of listDir(dir, cache)) {
      if (d.name.startsWith(".") || d.name === "node_modules") continue;
      const full = path.join(dir, d.name);
      if (d.name === "SKILL.md" && (d.isFile() || d.isSymbolicLink())) {
        out.push(full);
        if (d.isSymbolicLink()) sources.push(full);
      } else if (depth < MAX_DEPTH && (d.isDirectory() || d.isSymbolicLink())) walk(full, depth + 1);
    }
  };
  walk(root, 0);
  return out;
}

function readSkill(file: string, source: SkillSource, cache: SkillsCache): { entry: SkillEntry | null; warnings: string[] } {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    return { entry: null, warnings: [`cannot read (${(err as Error).message})`] };
  }
  const key = `${source}\0${file}`;
  const hit = cache.files.get(key);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit;
  const result = parseSkill(file, st, source);
  cache.files.set(key, { mtimeMs: st.mtimeMs, size: st.size, ...result });
  return result;
}

function parseSkill(file: string, st: fs.Stats, source: SkillSource): { entry: SkillEntry | null; warnings: string[] } {
  if (!st.isFile()) return { entry: null, warnings: ["not a regular file; skipped"] };
  if (st.size > MAX_SKILL_FILE_BYTES)
    return {
      entry: null,
      warnings: [
        `skipped: ${st.size} bytes is over the ${MAX_SKILL_FILE_BYTES / 1024} KB limit for a SKILL.md; move long material into other files the skill links to`,
      ],
    };
  let text: string;
  try {
    // Bounded on the open file too: it may have changed since it was listed.
    text = readStateFileSync(file, MAX_SKILL_FILE_BYTES);
  } catch (err) {
    if (err instanceof FileTooLargeError)
      return { entry: null, warnings: [`skipped: over the ${MAX_SKILL_FILE_BYTES / 1024} KB limit for a SKILL.md`] };
    if (err instanceof NotRegularFileError) return { entry: null, warnings: ["not a regular file; skipped"] };
    return { entry: null, warnings: [`cannot read (${(err as Error).message})`] };
  }
  const { frontmatter, warnings } = parseSkillFile(text);
  const baseDir = path.dirname(file);
  const name = stringField(frontmatter, "name") ?? path.basename(baseDir);
  const description = stringField(frontmatter, "description");
  if (!description)
    return { entry: null, warnings: [...warnings, "skipped: frontmatter has no description (add `description: what the skill is for`)"] };
  const meta = resolveMetadata(frontmatter);
  if (meta.warning) warnings.push(meta.warning);
  return {
    entry: {
      name,
      description,
      filePath: file,
      baseDir,
      source,
      frontmatter,
      ...(meta.metadata ? { metadata: meta.metadata } : {}),
      invocation: resolveInvocation(frontmatter),
    },
    warnings,
  };
}
