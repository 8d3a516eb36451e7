/**
 * Pending exec approvals: a request waits (up to its timeout) for an operator's decision, which any
 * connected operator with `operator.approvals` gives (Control UI, CLI, or `/approve` in chat).
 * In memory: a restart drops pending requests, and their commands are not run.
 */
import crypto from "node:crypto";

export type ApprovalDecision = "allow-once" | "allow-always" | "deny";

export interface ApprovalRequest {
  command: string;
  cwd: string | null;
  host: string | null;
  security: string | null;
  ask: string | null;
  agentId: string | null;
  resolvedPath: string | null;
  sessionKey: string | null;
}

export interface PendingApproval {
  id: string;
  request: ApprovalRequest;
  createdAtMs: number;
  expiresAtMs: number;
}

interface Entry extends PendingApproval {
  settle(decision: ApprovalDecision | null): void;
  decided: Promise<ApprovalDecision | null>;
  timer: NodeJS.Timeout;
}

/** More pending requests than this are refused (a runaway agent cannot flood the operators). */
const MAX_PENDING = 100;

export class ApprovalQueue {
  private readonly pending = new Map<string, Entry>();

  constructor(private readonly now: () => number) {}

  has(id: string): boolean {
    return this.pending.has(id);
  }

  list(): PendingApproval[] {
    return [...this.pending.values()].map(({ id, request, createdAtMs, expiresAtMs }) => ({ id, request, createdAtMs, expiresAtMs }));
  }

  /** Queues a request; `decided` settles with the decision, or null when it timed out. */
  create(request: ApprovalRequest, timeoutMs: number, id?: string): PendingApproval & { decided: Promise<ApprovalDecision | null> } {
    if (this.pending.size >= MAX_PENDING) throw new Error(`too many pending exec approvals (${MAX_PENDING}); resolve some first`);
    const key = id ?? crypto.randomUUID();
    if (this.pending.has(key)) throw new Error("approval id already pending");
    const createdAtMs = this.now();
    let settle!: (d: ApprovalDecision | null) => void;
    const decided = new Promise<ApprovalDecision | null>((resolve) => (settle = resolve));
    const timer = setTimeout(() => this.finish(key, null), timeoutMs);
    timer.unref();
    const entry: Entry = { id: key, request, createdAtMs, expiresAtMs: createdAtMs + timeoutMs, settle, decided, timer };
    this.pending.set(key, entry);
    return { id: key, request, createdAtMs, expiresAtMs: entry.expiresAtMs, decided };
  }

  /** Gives a decision; false when no such request is pending (unknown, already decided or expired). */
  resolve(id: string, decision: ApprovalDecision): boolean {
    return this.finish(id, decision);
  }

  /** Withdraws a request undecided (its asker stopped waiting); false when it is not pending. */
  cancel(id: string): boolean {
    return this.finish(id, null);
  }

  /** Drops every pending request as undecided (gateway shutting down). */
  close(): void {
    for (const id of [...this.pending.keys()]) this.finish(id, null);
  }

  private finish(id: string, decision: ApprovalDecision | null): boolean {
    const e = this.pending.get(id);
    if (!e) return false;
    this.pending.delete(id);
    clearTimeout(e.timer);
    e.settle(decision);
    return true;
  }
}
