/**
 * Who is connected: one entry per client connection, broadcast as `presence` when it changes. Entries
 * reported by `system-event` for something that holds no connection here expire after a while without
 * news (see `upsert`). The gateway's own entry is always listed.
 */
import os from "node:os";
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

/** The line clients show for an entry that has none of its own. */
export function presenceText(e: PresenceEntry): string {
  return `Node: ${e.host ?? "unknown"} · mode ${e.mode ?? "unknown"}`;
}

export class PresenceRegistry {
  private entries = new Map<string, PresenceEntry>();
  /** Keys that expire, with when. */
  private expiry = new Map<string, number>();
  /** Bumped on every change; clients compare it to skip stale snapshots. */
  version = 0;

  /** `self`: the gateway's own entry, listed like OpenClaw's ("Gateway: host · ..."). */
  constructor(
    private readonly now: () => number = Date.now,
    private readonly self?: () => PresenceEntry,
  ) {}

  /** Adds or replaces an entry; with `ttlMs` it is dropped when not updated again within that time. */
  upsert(key: string, entry: PresenceEntry, ttlMs?: number): void {
    this.entries.set(key, { ...entry, text: entry.text || presenceText(entry) });
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
    const all = [...this.entries.values()];
    if (this.self) all.push(this.self());
    return all.sort((a, b) => b.ts - a.ts);
  }

  private prune(): void {
    if (this.expiry.size === 0) return;
    const now = this.now();
    for (const [k, at] of this.expiry) if (at <= now) this.remove(k);
  }
}

/** The gateway's own presence entry: this host, its version and platform. */
export function selfPresence(info: { host: string; version: string }, ts: number): PresenceEntry {
  const p = os.platform();
  const family = p === "linux" ? "Linux" : p === "darwin" ? "Mac" : p === "win32" ? "Windows" : p;
  const ip = primaryIPv4();
  return {
    host: info.host,
    ...(ip ? { ip } : {}),
    version: info.version,
    platform: `${p} ${os.release()}`,
    deviceFamily: family,
    modelIdentifier: os.arch(),
    mode: "gateway",
    reason: "self",
    text: `Gateway: ${info.host}${ip ? ` (${ip})` : ""} · app ${info.version} · mode gateway · reason self`,
    ts,
  };
}

function primaryIPv4(): string | undefined {
  try {
    for (const list of Object.values(os.networkInterfaces()))
      for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  } catch {
    /* no interfaces readable */
  }
  return undefined;
}
