/**
 * Who is connected: one entry per client connection, broadcast as `presence` when it changes. Entries
 * reported by `system-event` for something that holds no connection here expire after a while without
 * news (see `upsert`).
 */
export interface PresenceEntry {
  host?: string;
  ip?: string;
  version?: string;
  platform?: string;
  deviceFamily?: string;
  modelIdentifier?: string;
  mode?: string;
  lastInputSeconds?: number;
  reason?: string;
  tags?: string[];
  text?: string;
  ts: number;
  deviceId?: string;
  roles?: string[];
  scopes?: string[];
  instanceId?: string;
}

export class PresenceRegistry {
  private entries = new Map<string, PresenceEntry>();
  /** Keys that expire, with when. */
  private expiry = new Map<string, number>();
  /** Bumped on every change; clients compare it to skip stale snapshots. */
  version = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Adds or replaces an entry; with `ttlMs` it is dropped when not updated again within that time. */
  upsert(key: string, entry: PresenceEntry, ttlMs?: number): void {
    this.entries.set(key, entry);
    if (ttlMs === undefined) this.expiry.delete(key);
    else this.expiry.set(key, this.now() + ttlMs);
    this.version++;
  }

  remove(key: string): boolean {
    this.expiry.delete(key);
    const had = this.entries.delete(key);
    if (had) this.version++;
    return had;
  }

  get(key: string): PresenceEntry | undefined {
    this.prune();
    return this.entries.get(key);
  }

  /** The key of the first entry `match` accepts. */
  findKey(match: (e: PresenceEntry) => boolean): string | undefined {
    this.prune();
    for (const [k, e] of this.entries) if (match(e)) return k;
    return undefined;
  }

  list(): PresenceEntry[] {
    this.prune();
    return [...this.entries.values()].sort((a, b) => b.ts - a.ts);
  }

  private prune(): void {
    if (this.expiry.size === 0) return;
    const now = this.now();
    for (const [k, at] of this.expiry) if (at <= now) this.remove(k);
  }
}
