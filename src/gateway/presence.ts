/** Who is connected: one entry per client connection, broadcast as `presence` when it changes. */
export interface PresenceEntry {
  host?: string;
  ip?: string;
  version?: string;
  platform?: string;
  deviceFamily?: string;
  modelIdentifier?: string;
  mode?: string;
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
  /** Bumped on every change; clients compare it to skip stale snapshots. */
  version = 0;

  upsert(key: string, entry: PresenceEntry): void {
    this.entries.set(key, entry);
    this.version++;
  }

  remove(key: string): boolean {
    const had = this.entries.delete(key);
    if (had) this.version++;
    return had;
  }

  list(): PresenceEntry[] {
    return [...this.entries.values()].sort((a, b) => b.ts - a.ts);
  }
}
