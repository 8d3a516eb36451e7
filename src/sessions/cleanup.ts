/**
 * Start-up tidying of the state directory after a crash: temp files of interrupted atomic writes, and
 * transcripts that were created but never written to and that no session points at. Transcripts with
 * content are never removed, referenced or not (an old conversation after `/new` is still history).
 */
import fs from "node:fs";
import path from "node:path";
import { removeStaleTempFiles } from "../infra/atomic.js";
import { readStateFileSync } from "../infra/read-bounded.js";
import { MAX_STORE_BYTES } from "./store.js";

export interface CleanupReport {
  tempFiles: string[];
  emptyTranscripts: string[];
}

function subdirs(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => path.join(dir, e.name));
  } catch {
    return [];
  }
}

/** Larger than any transcript header alone. */
const HEADER_ONLY_MAX_BYTES = 1024;

/** Never throws; returns what it removed (paths relative to `stateDir`). */
export function cleanStateDir(stateDir: string, extraDirs: string[] = []): CleanupReport {
  const report: CleanupReport = { tempFiles: [], emptyTranscripts: [] };
  const agentDirs = subdirs(path.join(stateDir, "agents"));
  const dirs = [
    stateDir,
    path.join(stateDir, "credentials"),
    path.join(stateDir, "devices"),
    ...agentDirs.flatMap((a) => [path.join(a, "sessions"), path.join(a, "agent")]),
    ...extraDirs,
  ];
  for (const dir of new Set(dirs)) {
    for (const name of removeStaleTempFiles(dir)) report.tempFiles.push(path.relative(stateDir, path.join(dir, name)));
  }
  for (const a of agentDirs)
    report.emptyTranscripts.push(...removeEmptyOrphans(path.join(a, "sessions")).map((f) => path.relative(stateDir, f)));
  return report;
}

/** Header-only `.jsonl` files in `dir` that `sessions.json` does not reference. */
function removeEmptyOrphans(dir: string): string[] {
  // Find the header-only transcripts first: in a tidy directory there are none, and the session store
  // (megabytes with many sessions) is then never read at start-up.
  const candidates: string[] = [];
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  for (const name of names) {
    if (!name.endsWith(".jsonl")) continue;
    const file = path.join(dir, name);
    try {
      // A header line is a few hundred bytes; anything bigger holds a conversation and is never read
      // (the size it reports is checked first, without opening it; the read checks the open file).
      if (fs.statSync(file).size > HEADER_ONLY_MAX_BYTES) continue;
      const lines = readStateFileSync(file, HEADER_ONLY_MAX_BYTES)
        .split("\n")
        .filter((l) => l.trim());
      if (lines.length === 0 || (lines.length === 1 && /"type"\s*:\s*"session"/.test(lines[0]!))) candidates.push(file);
    } catch {
      /* unreadable: leave it */
    }
  }
  if (candidates.length === 0) return [];
  let referenced: Set<string>;
  try {
    const store = JSON.parse(readStateFileSync(path.join(dir, "sessions.json"), MAX_STORE_BYTES)) as Record<
      string,
      { sessionId?: unknown; sessionFile?: unknown }
    >;
    referenced = new Set();
    for (const e of Object.values(store ?? {})) {
      if (typeof e?.sessionFile === "string") referenced.add(path.resolve(dir, e.sessionFile));
      if (typeof e?.sessionId === "string") referenced.add(path.join(dir, `${e.sessionId}.jsonl`));
    }
  } catch {
    return []; // without a readable store we cannot know what is an orphan: touch nothing
  }
  const removed: string[] = [];
  for (const file of candidates) {
    if (referenced.has(file)) continue;
    try {
      fs.rmSync(file, { force: true });
      removed.push(file);
    } catch {
      /* leave it */
    }
  }
  return removed;
}
