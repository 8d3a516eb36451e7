/**
 * `cron/jobs.json` in OpenClaw's format (`{"version": 1, "jobs": [...]}`), read with JSON5 so a file
 * written by hand or by OpenClaw loads as is. Written atomically (a temporary file renamed over it),
 * then copied to `jobs.json.bak`. A file that cannot be parsed is kept aside as
 * `jobs.json.unreadable-<time>` and the gateway starts with no jobs, saying where the old file went
 * (OpenClaw silently treats it as empty and overwrites it on the next change).
 */
import fs from "node:fs";
import path from "node:path";
import { parseJson5Text } from "../infra/json5.js";
import { expandHome } from "../infra/paths.js";
import { writeFileAtomicSync } from "../infra/atomic.js";
import { FileTooLargeError, readFileBoundedSync } from "../infra/read-bounded.js";
import type { CronJob, CronStoreFile } from "./types.js";

/** At most this many jobs per gateway: each is a timer entry and a run log. */
export const MAX_JOBS = 1000;
/** A jobs.json larger than this is not read (1,000 jobs fit in far less). */
export const MAX_STORE_BYTES = 20 * 1024 * 1024;

export function resolveStorePath(stateDir: string, configured: string | undefined): string {
  const raw = configured?.trim();
  if (!raw) return path.join(stateDir, "cron", "jobs.json");
  return path.resolve(expandHome(raw));
}

export interface LoadResult {
  jobs: CronJob[];
  /** Why the file was not used, when it was set aside. */
  problem?: string;
  /** The file's text, when it was read and used. */
  raw?: string;
}

const isRecord = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads the jobs; jobs without an id, schedule or payload are dropped (named in `problem`). */
export function loadStore(storePath: string, now: number): LoadResult {
  let raw: string;
  try {
    raw = readFileBoundedSync(storePath, MAX_STORE_BYTES).toString("utf8");
  } catch (e) {
    if (e instanceof FileTooLargeError)
      return setAside(storePath, now, `it is ${e.size ?? `over ${MAX_STORE_BYTES}`} bytes (the limit is ${MAX_STORE_BYTES})`);
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { jobs: [] };
    throw new Error(`cannot read ${storePath}: ${(e as Error).message}`);
  }
  if (!raw.trim()) return { jobs: [] };
  let parsed: unknown;
  try {
    parsed = parseJson5Text(raw);
  } catch (e) {
    return setAside(storePath, now, `it is not valid JSON (${(e as Error).message})`);
  }
  const list = isRecord(parsed) && Array.isArray(parsed.jobs) ? parsed.jobs : Array.isArray(parsed) ? parsed : null;
  if (!list) return setAside(storePath, now, 'it has no "jobs" list');
  const jobs: CronJob[] = [];
  let dropped = 0;
  for (const j of list) {
    if (isRecord(j) && typeof j.id === "string" && j.id && isRecord(j.schedule) && isRecord(j.payload)) {
      if (!isRecord(j.state)) j.state = {};
      if (typeof j.enabled !== "boolean") j.enabled = true;
      if (typeof j.name !== "string" || !j.name.trim()) j.name = j.id;
      if (j.sessionTarget !== "main" && j.sessionTarget !== "isolated")
        j.sessionTarget = j.payload.kind === "agentTurn" ? "isolated" : "main";
      if (j.wakeMode !== "now" && j.wakeMode !== "next-heartbeat") j.wakeMode = "next-heartbeat";
      if (typeof j.createdAtMs !== "number") j.createdAtMs = now;
      if (typeof j.updatedAtMs !== "number") j.updatedAtMs = now;
      if (jobs.length < MAX_JOBS) jobs.push(j as CronJob);
      else dropped++;
    } else dropped++;
  }
  return dropped
    ? { jobs, raw, problem: `${dropped} job(s) in ${storePath} were unreadable or over the limit of ${MAX_JOBS} and were left out` }
    : { jobs, raw };
}

function setAside(storePath: string, now: number, why: string): LoadResult {
  const aside = `${storePath}.unreadable-${now}`;
  try {
    fs.renameSync(storePath, aside);
    return { jobs: [], problem: `${storePath} was not used because ${why}; it was moved to ${aside} and the gateway starts with no jobs` };
  } catch {
    return { jobs: [], problem: `${storePath} was not used because ${why}; the gateway starts with no jobs` };
  }
}

/** The file's text for these jobs. */
export function storeText(jobs: CronJob[]): string {
  const file: CronStoreFile = { version: 1, jobs };
  return JSON.stringify(file, null, 2);
}

/**
 * Writes the jobs atomically, then the backup copy, unless the text is `unchanged` (what the file
 * already holds); returns the text. Throws (with the reason) when the disk refuses.
 */
export function saveStore(storePath: string, jobs: CronJob[], unchanged?: string): string {
  const text = storeText(jobs);
  if (text === unchanged) return text;
  try {
    writeFileAtomicSync(storePath, text);
  } catch (e) {
    throw new Error(
      `cannot save the scheduled jobs to ${storePath}: ${(e as Error).message}. Free some space or fix the volume, then try again.`,
    );
  }
  try {
    fs.copyFileSync(storePath, `${storePath}.bak`);
  } catch {
    // the backup is a convenience; the jobs themselves are saved
  }
  return text;
}
