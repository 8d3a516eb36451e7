/**
 * Keeps the listener alive under a connection flood.
 *
 * Every TCP connection costs a file descriptor, and descriptors are what the gateway also needs to
 * write its state, answer `/healthz` and reach model providers. So the number of open sockets is
 * capped below the process's descriptor limit, leaving a reserve; a socket that has not sent a whole
 * request head within `idleMs` is closed; and when the cap is reached, a new connection pushes out the
 * oldest socket that has not authenticated, rather than being refused. An authenticated WebSocket (the
 * owner's Control UI, CLI, TUI) is never pushed out, so a flood of strangers cannot lock the owner out.
 */
import fs from "node:fs";
import type { Socket } from "node:net";

export interface SocketGuardOptions {
  /** Most sockets open at once. Default: from the descriptor limit, see {@link defaultMaxSockets}. */
  maxSockets?: number;
  /** Most sockets one peer address may hold before authenticating (exempt peers are not counted). */
  maxPendingPerPeer?: number;
  /** A socket must send a complete request head within this long. */
  idleMs?: number;
  /** Peers not subject to the per-peer cap: loopback and proxies we trust (they carry many clients). */
  exempt?: (peer: string) => boolean;
  onEvict?: (peer: string, why: string) => void;
}

type State = "pending" | "active" | "authenticated";

interface Tracked {
  peer: string;
  /** Not counted against the per-peer cap (decided once, at admission). */
  exempt: boolean;
  state: State;
  timer: NodeJS.Timeout | null;
}

export const DEFAULT_IDLE_MS = 10_000;
export const DEFAULT_MAX_PENDING_PER_PEER = 64;

/** The soft `RLIMIT_NOFILE` of this process (Linux), or null when it cannot be read. */
export function descriptorLimit(): number | null {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(fs.readFileSync("/proc/self/limits", "utf8"));
    if (!m) return null;
    return m[1] === "unlimited" ? Number.MAX_SAFE_INTEGER : Number(m[1]);
  } catch {
    return null;
  }
}

/**
 * Sockets the gateway accepts at most: the descriptor limit less a reserve of a quarter (at least 64)
 * for state files, logs, transcripts and outbound connections; at most 4,096.
 */
export function defaultMaxSockets(limit = descriptorLimit() ?? 1024): number {
  const reserve = Math.max(64, Math.floor(limit / 4));
  return Math.max(16, Math.min(4096, limit - reserve));
}

export class SocketGuard {
  private readonly sockets = new Map<Socket, Tracked>();
  private readonly pendingByPeer = new Map<string, number>();
  readonly maxSockets: number;
  private readonly maxPendingPerPeer: number;
  private readonly idleMs: number;
  /** Sockets pushed out or refused since start (for status and tests). */
  evicted = 0;
  refused = 0;
  peak = 0;

  constructor(private readonly opts: SocketGuardOptions = {}) {
    this.maxSockets = opts.maxSockets ?? defaultMaxSockets();
    this.maxPendingPerPeer = opts.maxPendingPerPeer ?? DEFAULT_MAX_PENDING_PER_PEER;
    this.idleMs = opts.idleMs ?? DEFAULT_IDLE_MS;
  }

  get size(): number {
    return this.sockets.size;
  }

  /** A new TCP connection. May close it (or an older one) to stay within the caps. */
  admit(socket: Socket, peer: string): void {
    const exempt = this.opts.exempt?.(peer) ?? false;
    if (!exempt && (this.pendingByPeer.get(peer) ?? 0) >= this.maxPendingPerPeer) {
      this.refused++;
      this.opts.onEvict?.(peer, `more than ${this.maxPendingPerPeer} unauthenticated connections from one address`);
      socket.destroy();
      return;
    }
    if (this.sockets.size >= this.maxSockets && !this.evictOne()) {
      this.refused++;
      this.opts.onEvict?.(peer, `connection limit (${this.maxSockets}) reached`);
      socket.destroy();
      return;
    }
    const t: Tracked = { peer, exempt, state: "pending", timer: null };
    this.sockets.set(socket, t);
    this.peak = Math.max(this.peak, this.sockets.size);
    this.countPending(t, 1);
    t.timer = setTimeout(() => socket.destroy(), this.idleMs);
    t.timer.unref();
    socket.once("close", () => this.forget(socket));
  }

  /** A complete request head arrived (HTTP request or WebSocket upgrade). */
  active(socket: Socket): void {
    const t = this.sockets.get(socket);
    if (!t || t.state !== "pending") return;
    if (t.timer) clearTimeout(t.timer);
    t.timer = null;
    t.state = "active";
  }

  /** The socket carries an authenticated client: never push it out. */
  authenticated(socket: Socket): void {
    const t = this.sockets.get(socket);
    if (!t || t.state === "authenticated") return;
    if (t.timer) clearTimeout(t.timer);
    t.timer = null;
    this.countPending(t, -1);
    t.state = "authenticated";
  }

  private forget(socket: Socket): void {
    const t = this.sockets.get(socket);
    if (!t) return;
    if (t.timer) clearTimeout(t.timer);
    this.sockets.delete(socket);
    if (t.state !== "authenticated") this.countPending(t, -1);
  }

  /** Counts a socket in (+1) or out (-1) of its peer's unauthenticated sockets, unless exempt. */
  private countPending(t: Tracked, delta: 1 | -1): void {
    if (t.exempt) return;
    const n = (this.pendingByPeer.get(t.peer) ?? 0) + delta;
    if (n <= 0) this.pendingByPeer.delete(t.peer);
    else this.pendingByPeer.set(t.peer, n);
  }

  /** Closes the oldest socket that has not authenticated, preferring ones that never sent a request. */
  private evictOne(): boolean {
    let fallback: Socket | null = null;
    for (const [socket, t] of this.sockets) {
      if (t.state === "pending") return this.evict(socket, t);
      if (t.state === "active" && !fallback) fallback = socket;
    }
    return fallback ? this.evict(fallback, this.sockets.get(fallback)!) : false;
  }

  private evict(socket: Socket, t: Tracked): boolean {
    this.evicted++;
    this.opts.onEvict?.(t.peer, `pushed out: connection limit (${this.maxSockets}) reached`);
    this.forget(socket);
    socket.destroy();
    return true;
  }

  /** Destroys every socket (shutdown). */
  destroyAll(): void {
    for (const s of [...this.sockets.keys()]) s.destroy();
  }
}
