/** Who is connected: one entry per client connection, broadcast as `presence` when it changes. */
import os from "node:os";
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

/** The line clients show for an entry that has none of its own. */
export function presenceText(e: PresenceEntry): string {
  return `Node: ${e.host ?? "unknown"} · mode ${e.mode ?? "unknown"}`;
}

export class PresenceRegistry {
  private entries = new Map<string, PresenceEntry>();
  /** Bumped on every change; clients compare it to skip stale snapshots. */
  version = 0;

  /** `self`: the gateway's own entry, listed first-class like OpenClaw's ("Gateway: host · ..."). */
  constructor(private readonly self?: () => PresenceEntry) {}

  upsert(key: string, entry: PresenceEntry): void {
    this.entries.set(key, { ...entry, text: entry.text || presenceText(entry) });
    this.version++;
  }

  remove(key: string): boolean {
    const had = this.entries.delete(key);
    if (had) this.version++;
    return had;
  }

  list(): PresenceEntry[] {
    const all = [...this.entries.values()];
    if (this.self) all.push(this.self());
    return all.sort((a, b) => b.ts - a.ts);
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
