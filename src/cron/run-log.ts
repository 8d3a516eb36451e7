/**
 * Run logs, `runs/<jobId>.jsonl` next to jobs.json: one line per finished (or skipped) run. As in
 * OpenClaw, a log over 2 MB is cut to its last 2,000 lines; `cron.runs` reads the newest entries and
 * returns them oldest first.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { readFileBounded } from "../infra/read-bounded.js";
import type { CronRunLogEntry } from "./types.js";

export const RUN_LOG_MAX_BYTES = 2_000_000;
export const RUN_LOG_KEEP_LINES = 2_000;
/** A log is cut back past 2 MB, so one many times that was not written here, and is not read. */
const RUN_LOG_READ_MAX_BYTES = 16 * 1024 * 1024;

export function runLogPath(storePath: string, jobId: string): string {
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(jobId) || jobId.startsWith(".")) throw new Error(`invalid cron job id: ${jobId}`);
  return path.join(path.dirname(path.resolve(storePath)), "runs", `${jobId}.jsonl`);
}

/** Appends one entry; writes to one file are serialized by the caller-owned `chain`. */
export class RunLog {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly storePath: string) {}

  append(entry: CronRunLogEntry): Promise<void> {
    const file = runLogPath(this.storePath, entry.jobId);
    const prev = this.chains.get(file) ?? Promise.resolve();
    const next = prev
      .catch(() => undefined)
      .then(async () => {
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.appendFile(file, `${JSON.stringify(entry)}\n`, "utf8");
        await prune(file);
      });
    this.chains.set(file, next);
    void next
      .finally(() => {
        if (this.chains.get(file) === next) this.chains.delete(file);
      })
      .catch(() => undefined);
    return next;
  }

  async read(jobId: string, limit = 200): Promise<CronRunLogEntry[]> {
    return readRunLog(runLogPath(this.storePath, jobId), jobId, limit);
  }

  async remove(jobId: string): Promise<void> {
    await fs.rm(runLogPath(this.storePath, jobId), { force: true }).catch(() => undefined);
  }
}

async function prune(file: string): Promise<void> {
  const st = await fs.stat(file).catch(() => null);
  if (!st || st.size <= RUN_LOG_MAX_BYTES) return;
  const lines = (await readFileBounded(file, RUN_LOG_READ_MAX_BYTES, { regularOnly: true }))
    .toString("utf8")
    .split("\n")
    .filter((l) => l.trim());
  const kept = lines.slice(-RUN_LOG_KEEP_LINES);
  const tmp = `${file}.${process.pid}.${Math.random().toString(16).slice(2)}.tmp`;
  await fs.writeFile(tmp, `${kept.join("\n")}\n`, "utf8");
  await fs.rename(tmp, file);
}

export async function readRunLog(file: string, jobId: string, limit = 200): Promise<CronRunLogEntry[]> {
  const max = Math.max(1, Math.min(5000, Math.floor(limit)));
  const raw = await readFileBounded(file, RUN_LOG_READ_MAX_BYTES, { regularOnly: true }).then(
    (b) => b.toString("utf8"),
    () => "",
  );
  const out: CronRunLogEntry[] = [];
  const lines = raw.split("\n");
  for (let i = lines.length - 1; i >= 0 && out.length < max; i--) {
    const line = lines[i]!.trim();
    if (!line) continue;
    try {
      const e = JSON.parse(line) as CronRunLogEntry;
      if (!e || typeof e !== "object" || e.action !== "finished" || e.jobId !== jobId || typeof e.ts !== "number") continue;
      out.push(e);
    } catch {
      // a torn line (the process stopped mid-write) is skipped
    }
  }
  return out.reverse();
}
