/**
 * Which files are memory: `MEMORY.md` (or `memory.md`) and every `.md` under `memory/` in the
 * agent's workspace, plus `.md` files and folders named by `memorySearch.extraPaths`. Symlinks are
 * skipped when listing and refused when reading, so a link cannot pull outside files in.
 */
import fs from "node:fs";
import path from "node:path";
import { FileTooLargeError, NotRegularFileError, readStateFileSync } from "../infra/read-bounded.js";

/** At most this many files are indexed per agent; more are left out (and counted in status). */
export const MAX_MEMORY_FILES = 5_000;
/** A memory file larger than this is left out of the index (and refused by `memory_get`). */
export const MAX_MEMORY_FILE_BYTES = 8 * 1024 * 1024;
/**
 * The most text the index holds per agent (about four million tokens of notes): past it, the
 * least recently changed files are left out, `MEMORY.md` last of all. The index keeps its text in
 * memory, so without a bound whatever lands in `memory/` would fill the machine.
 */
export const MAX_INDEX_BYTES = 16 * 1024 * 1024;

export interface MemoryFile {
  /** Relative to the workspace with `/` separators (absolute for extra paths outside it). */
  path: string;
  absPath: string;
  mtimeMs: number;
  size: number;
}

function walk(dir: string, out: string[], dirs: Set<string> | undefined, depth = 0): void {
  if (depth > 16 || out.length >= MAX_MEMORY_FILES) return;
  dirs?.add(dir);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.isSymbolicLink()) continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) walk(full, out, dirs, depth + 1);
    else if (e.isFile() && e.name.endsWith(".md")) out.push(full);
    if (out.length >= MAX_MEMORY_FILES) return;
  }
}

export function extraMemoryPaths(workspaceDir: string, extraPaths: string[]): string[] {
  return [
    ...new Set(
      extraPaths
        .map((p) => p.trim())
        .filter(Boolean)
        .map((p) => path.resolve(workspaceDir, p)),
    ),
  ];
}

function relPath(workspaceDir: string, abs: string): string {
  const prefix = workspaceDir.endsWith(path.sep) ? workspaceDir : workspaceDir + path.sep;
  if (abs.startsWith(prefix) && path.sep === "/") return abs.slice(prefix.length);
  const rel = path.relative(workspaceDir, abs);
  return rel.startsWith("..") || path.isAbsolute(rel) ? abs : rel.split(path.sep).join("/");
}

/**
 * The memory files as they are now on disk (one `lstat` each). `dirs`, when given, receives every
 * folder whose entries decide the answer (watching those tells when to list again).
 */
export function listMemoryFiles(workspaceDir: string, extraPaths: string[] = [], dirs?: Set<string>): MemoryFile[] {
  const found: string[] = [];
  dirs?.add(workspaceDir);
  for (const name of ["MEMORY.md", "memory.md"]) {
    const abs = path.join(workspaceDir, name);
    try {
      const st = fs.lstatSync(abs);
      // On a case-insensitive disk both names are the same file: keep the one the directory lists.
      if (st.isFile() && !found.some((f) => fs.lstatSync(f).ino === st.ino)) found.push(abs);
    } catch {
      /* absent */
    }
  }
  const memDir = path.join(workspaceDir, "memory");
  try {
    if (fs.lstatSync(memDir).isDirectory()) walk(memDir, found, dirs);
  } catch {
    /* absent */
  }
  for (const extra of extraMemoryPaths(workspaceDir, extraPaths)) {
    try {
      const st = fs.lstatSync(extra);
      if (st.isDirectory()) walk(extra, found, dirs);
      else {
        dirs?.add(path.dirname(extra));
        if (st.isFile() && extra.endsWith(".md")) found.push(extra);
      }
    } catch {
      dirs?.add(path.dirname(extra)); // absent: its folder says when it appears
    }
  }
  const seen = new Set<string>();
  const out: MemoryFile[] = [];
  for (const abs of found) {
    if (seen.has(abs)) continue;
    seen.add(abs);
    // lstat: every path here was checked not to be a symlink (a race makes it not a file: skipped).
    const st = fs.lstatSync(abs, { throwIfNoEntry: false });
    if (st?.isFile()) out.push({ path: relPath(workspaceDir, abs), absPath: abs, mtimeMs: st.mtimeMs, size: st.size });
  }
  return out.slice(0, MAX_MEMORY_FILES);
}

/** Whether a workspace-relative path names a memory file (`MEMORY.md`, `memory.md`, `memory/…`). */
export function isMemoryPath(rel: string): boolean {
  return rel === "MEMORY.md" || rel === "memory.md" || (rel.startsWith("memory/") && rel.length > "memory/".length);
}

/** `memory_get`'s most lines per read, and the default when `lines` is not given. */
export const MAX_GET_LINES = 2_000;

export interface ReadResult {
  path: string;
  text: string;
  from?: number;
  lines?: number;
  totalLines?: number;
  truncated?: boolean;
}

/**
 * Reads lines of a memory file. Anything that is not a `.md` memory file of this workspace (or under
 * an extra path) is refused with the same error OpenClaw gives, so probing learns nothing.
 */
export function readMemoryFile(workspaceDir: string, extraPaths: string[], raw: string, from?: number, lines?: number): ReadResult {
  const refuse = () => new Error("path required: give a memory file path as memory_search returned it (MEMORY.md or memory/*.md)");
  const trimmed = raw.trim();
  if (!trimmed || trimmed.includes("\0")) throw refuse();
  const abs = path.resolve(workspaceDir, trimmed);
  const rel = path.relative(workspaceDir, abs).split(path.sep).join("/");
  const inWorkspace = rel.length > 0 && !rel.startsWith("..") && !path.isAbsolute(rel);
  let allowed = inWorkspace && isMemoryPath(rel);
  if (!allowed) {
    for (const extra of extraMemoryPaths(workspaceDir, extraPaths)) {
      try {
        const st = fs.lstatSync(extra);
        if (st.isSymbolicLink()) continue;
        if ((st.isDirectory() && abs.startsWith(extra + path.sep)) || (st.isFile() && abs === extra)) allowed = true;
      } catch {
        /* absent */
      }
    }
  }
  if (!allowed || !abs.endsWith(".md")) throw refuse();
  // No component of the path may be a symlink (a link inside memory/ could point anywhere).
  let probe = abs;
  const stop = inWorkspace ? workspaceDir : path.dirname(abs);
  while (probe.startsWith(stop) && probe !== stop) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(probe);
    } catch {
      throw new Error(`${relPath(workspaceDir, abs)}: no such memory file`);
    }
    if (st.isSymbolicLink()) throw refuse();
    probe = path.dirname(probe);
  }
  // Checked on the open file, so what is read is what was checked.
  let text: string;
  try {
    text = readStateFileSync(abs, MAX_MEMORY_FILE_BYTES);
  } catch (e) {
    if (e instanceof NotRegularFileError) throw refuse();
    if (e instanceof FileTooLargeError)
      throw new Error(`${rel}: larger than ${MAX_MEMORY_FILE_BYTES} bytes; read it with from/lines after memory_search`);
    throw e;
  }
  const all = text.split("\n");
  const start = Math.max(1, Math.floor(from ?? 1));
  const count = Math.min(MAX_GET_LINES, Math.max(1, Math.floor(lines ?? MAX_GET_LINES)));
  const slice = all.slice(start - 1, start - 1 + count);
  const out: ReadResult = { path: relPath(workspaceDir, abs), text: slice.join("\n") };
  if (from !== undefined || lines !== undefined || all.length > count) {
    out.from = start;
    out.lines = slice.length;
    out.totalLines = all.length;
  }
  if (start - 1 + count < all.length) out.truncated = true;
  return out;
}

/**
 * The files the index takes: those within {@link MAX_MEMORY_FILE_BYTES}, and of those the most
 * recently changed (`MEMORY.md` first) that fit in {@link MAX_INDEX_BYTES} together, in listing order.
 */
export function indexedFiles(files: MemoryFile[]): { files: MemoryFile[]; leftOut: number } {
  const fitting = files.filter((f) => f.size <= MAX_MEMORY_FILE_BYTES);
  const root = (f: MemoryFile) => (/^memory\.md$/i.test(f.path) ? 1 : 0);
  const byRecency = [...fitting].sort((a, b) => root(b) - root(a) || b.mtimeMs - a.mtimeMs);
  const kept = new Set<MemoryFile>();
  let total = 0;
  for (const f of byRecency) {
    if (total + f.size > MAX_INDEX_BYTES) break;
    total += f.size;
    kept.add(f);
  }
  return { files: fitting.filter((f) => kept.has(f)), leftOut: fitting.length - kept.size };
}
