/**
 * The spending ledger: what each agent and each of its sessions used per day and per month, from
 * the runs' reported usage (tokens and `cost.total`). Session entries only hold lifetime totals, so
 * budgets need this. One small file per agent and month,
 * `$OPENCLAW_STATE_DIR/usage/<agentId>/<YYYY-MM>.json`, kept in memory and written atomically, off
 * the event loop, shortly after each run (runs in quick succession share one write; `flush()` writes
 * at once). Readers revalidate against the file's size and mtime, so several ledgers over one state
 * directory agree once the writes land. A failed write is logged and the run goes on.
 */
import fs from "node:fs";
import path from "node:path";
import { writeFileAtomic, writeFileAtomicSync } from "../infra/atomic.js";
import type { Logger } from "../infra/logger.js";
import { readFileBoundedSync } from "../infra/read-bounded.js";
import { periodKeys } from "./periods.js";

export interface Spend {
  usd: number;
  tokens: number;
  runs: number;
}

export interface SpendBook {
  month: Spend;
  /** By day (YYYY-MM-DD). */
  days: Record<string, Spend>;
  updatedAt: number;
}

export interface LedgerMonth {
  version: 1;
  /** YYYY-MM */
  month: string;
  agent: SpendBook;
  sessions: Record<string, SpendBook>;
  /** Warnings already given this month (`<scope>:<period>:<period key>[:<session key>]`). */
  warned: string[];
}

/** A month file keeps at most this many sessions (the least recently used go first). */
export const MAX_SESSIONS_PER_MONTH = 2000;
const MAX_WARNED = 1000;
/** Files larger than this are not read (a month file of the largest allowed size is well below). */
const MAX_FILE_BYTES = 8 * 1024 * 1024;
const AGENT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/i;
/** How long a recorded run waits for others to share its write. */
const WRITE_DELAY_MS = 250;

export const emptySpend = (): Spend => ({ usd: 0, tokens: 0, runs: 0 });
const emptyBook = (): SpendBook => ({ month: emptySpend(), days: {}, updatedAt: 0 });

function emptyMonth(month: string): LedgerMonth {
  return { version: 1, month, agent: emptyBook(), sessions: {}, warned: [] };
}

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : 0);

function cleanSpend(v: any): Spend {
  return { usd: num(v?.usd), tokens: num(v?.tokens), runs: num(v?.runs) };
}

function cleanBook(v: any): SpendBook {
  const days: Record<string, Spend> = {};
  if (v?.days && typeof v.days === "object")
    for (const [d, s] of Object.entries(v.days)) if (/^\d{4}-\d{2}-\d{2}$/.test(d)) days[d] = cleanSpend(s);
  return { month: cleanSpend(v?.month), days, updatedAt: num(v?.updatedAt) };
}

/** A month file as read from disk, with anything malformed dropped. */
function parseMonth(text: string, month: string): LedgerMonth {
  const v = JSON.parse(text);
  const out = emptyMonth(month);
  out.agent = cleanBook(v?.agent);
  if (v?.sessions && typeof v.sessions === "object") for (const [k, b] of Object.entries(v.sessions)) out.sessions[k] = cleanBook(b);
  if (Array.isArray(v?.warned)) out.warned = v.warned.filter((w: unknown) => typeof w === "string").slice(-MAX_WARNED);
  return out;
}

export interface UsageRecord {
  agentId: string;
  sessionKey: string;
  tokens: number;
  usd: number;
  /** When the run ended. */
  at: number;
  /** Time zone whose days and months the usage is filed under. */
  timezone: string;
}

export class UsageLedger {
  /** Month data by file; `stamp` is the file's size:mtime:inode as last read or written, or "pending" / "unwritten". */
  private readonly cache = new Map<string, { stamp: string; data: LedgerMonth }>();
  private readonly failedWrites = new Set<string>();
  /** Files with changes not yet written, and their data. */
  private readonly pending = new Map<string, LedgerMonth>();
  /** Per file: the version last changed in memory, and the version last on disk. */
  private readonly changed = new Map<string, number>();
  private readonly written = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;

  constructor(private readonly deps: { stateDir: string; log?: Logger }) {}

  file(agentId: string, month: string): string {
    return path.join(this.deps.stateDir, "usage", agentId, `${month}.json`);
  }

  /** The month's ledger of an agent (empty when nothing was recorded). */
  month(agentId: string, month: string): LedgerMonth {
    if (!AGENT_ID.test(agentId) || !/^\d{4}-\d{2}$/.test(month)) return emptyMonth(month);
    const file = this.file(agentId, month);
    const mine = this.cache.get(file);
    // Changes not on disk yet are newer than the file.
    if (mine && (mine.stamp === "pending" || mine.stamp === "unwritten")) return mine.data;
    let stamp = "";
    try {
      const st = fs.statSync(file);
      stamp = `${st.size}:${st.mtimeMs}:${st.ino}`;
      if (st.size > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return emptyMonth(month);
      this.deps.log?.warn(`usage ledger ${file} unreadable: ${(e as Error).message}`);
      return this.cache.get(file)?.data ?? emptyMonth(month);
    }
    const cached = this.cache.get(file);
    if (cached && cached.stamp === stamp) return cached.data;
    let data: LedgerMonth;
    try {
      // Bounded again while reading: what the file reports is not always what it holds.
      data = parseMonth(readFileBoundedSync(file, MAX_FILE_BYTES).toString("utf8"), month);
    } catch (e) {
      this.deps.log?.warn(`usage ledger ${file} unreadable, starting it over: ${(e as Error).message}`);
      data = emptyMonth(month);
    }
    this.cache.set(file, { stamp, data });
    return data;
  }

  /** Adds a run's usage to its day and month, for the agent and for the session. */
  record(r: UsageRecord): void {
    if (!AGENT_ID.test(r.agentId)) return;
    const tokens = num(r.tokens);
    const usd = num(r.usd);
    if (!tokens && !usd) return;
    const { day, month } = periodKeys(r.at, r.timezone);
    const data = this.month(r.agentId, month);
    const add = (b: SpendBook) => {
      b.month.usd += usd;
      b.month.tokens += tokens;
      b.month.runs += 1;
      const d = (b.days[day] ??= emptySpend());
      d.usd += usd;
      d.tokens += tokens;
      d.runs += 1;
      b.updatedAt = r.at;
    };
    add(data.agent);
    add((data.sessions[r.sessionKey] ??= emptyBook()));
    const keys = Object.keys(data.sessions);
    if (keys.length > MAX_SESSIONS_PER_MONTH) {
      keys.sort((a, b) => data.sessions[a]!.updatedAt - data.sessions[b]!.updatedAt);
      for (const k of keys.slice(0, keys.length - MAX_SESSIONS_PER_MONTH)) delete data.sessions[k];
    }
    this.save(r.agentId, data);
  }

  /** Whether `key` was already warned about this month; marks it if not. */
  warnOnce(agentId: string, month: string, key: string): boolean {
    const data = this.month(agentId, month);
    if (data.warned.includes(key)) return false;
    data.warned.push(key);
    if (data.warned.length > MAX_WARNED) data.warned.splice(0, data.warned.length - MAX_WARNED);
    this.save(agentId, data);
    return true;
  }

  private save(agentId: string, data: LedgerMonth): void {
    const file = this.file(agentId, data.month);
    this.cache.set(file, { stamp: "pending", data });
    this.pending.set(file, data);
    this.changed.set(file, (this.changed.get(file) ?? 0) + 1);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.writing || this.pending.size === 0) return;
    this.timer = setTimeout(() => void this.writePending(), WRITE_DELAY_MS);
    this.timer.unref();
  }

  /** Writes what changed, off the event loop. */
  private async writePending(): Promise<void> {
    this.timer = null;
    const batch = [...this.pending];
    this.pending.clear();
    this.writing = (async () => {
      for (const [file, data] of batch) {
        const version = this.changed.get(file) ?? 0;
        const newer = () => (this.written.get(file) ?? 0) >= version;
        try {
          if (!(await writeFileAtomic(file, JSON.stringify(data), { stillWanted: () => !newer() }))) continue;
          this.written.set(file, version);
          const st = await fs.promises.stat(file);
          this.wrote(file, data, version, `${st.size}:${st.mtimeMs}:${st.ino}`);
        } catch (e) {
          this.failed(file, data, e as Error);
        }
      }
    })();
    await this.writing;
    this.writing = null;
    this.schedule();
  }

  /** Writes every pending change now (at shutdown). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = [...this.pending];
    this.pending.clear();
    for (const [file, data] of batch) {
      const version = this.changed.get(file) ?? 0;
      try {
        writeFileAtomicSync(file, JSON.stringify(data));
        this.written.set(file, version);
        const st = fs.statSync(file);
        this.wrote(file, data, version, `${st.size}:${st.mtimeMs}:${st.ino}`);
      } catch (e) {
        this.failed(file, data, e as Error);
      }
    }
  }

  private wrote(file: string, data: LedgerMonth, version: number, stamp: string): void {
    // Only a write of the latest version makes the file the truth again.
    if ((this.changed.get(file) ?? 0) === version && this.cache.get(file)?.data === data) this.cache.set(file, { stamp, data });
    if (this.failedWrites.delete(file)) this.deps.log?.info(`usage ledger ${file} written again`);
  }

  private failed(file: string, data: LedgerMonth, e: Error): void {
    if (this.cache.get(file)?.data === data && !this.pending.has(file)) this.cache.set(file, { stamp: "unwritten", data });
    if (!this.failedWrites.has(file)) {
      this.failedWrites.add(file);
      this.deps.log?.error(`cannot write usage ledger ${file}: ${e.message} (spending is counted in memory until it can)`);
    }
  }
}
