/**
 * Exec approvals as a gateway service: the approvals file, the queue of commands waiting for the
 * owner, and the ways the owner hears about them — `exec.approval.requested` to connected operators
 * (Control UI, CLI), the chats `approvals.exec` forwards to, and, unlike OpenClaw's default, the asking
 * chat itself when no operator who could approve is connected (a headless gateway). Every decision,
 * from any surface, is announced as `exec.approval.resolved`.
 */
import type { OpenClawConfig } from "../config/schema.js";
import type { ChatTarget } from "../channels/sender.js";
import type { Logger } from "../infra/logger.js";
import type { ExecApprover, RunOrigin } from "../tools/host.js";
import type { ApprovalDecision, ApprovalQueue, ApprovalRequest, PendingApproval } from "./approval-queue.js";
import type { ExecApprovalsStore } from "./approvals-file.js";

export const DEFAULT_APPROVAL_TIMEOUT_MS = 120_000;

/** What the service needs from the running gateway (attached once the gateway is built). */
export interface ApprovalSink {
  broadcast(event: string, payload: unknown): void;
  /** Sends a text to a chat; rejects when the channel or account is not connected. */
  sendChat(target: ChatTarget, text: string): Promise<void>;
  /** Whether a connected operator client can approve (`operator.approvals`). */
  approversOnline(): boolean;
  config(): OpenClawConfig;
}

export class ExecApprovalService implements ExecApprover {
  private sink: ApprovalSink | null = null;

  constructor(
    readonly store: ExecApprovalsStore,
    readonly queue: ApprovalQueue,
    private readonly log: Logger,
  ) {}

  attach(sink: ApprovalSink): void {
    this.sink = sink;
  }

  pending(): PendingApproval[] {
    return this.queue.list();
  }

  /**
   * Queues a request and announces it; settles with the decision, or null when nobody answered in
   * time or `signal` aborted (the request is then withdrawn).
   */
  async request(
    req: ApprovalRequest,
    opts: { timeoutMs?: number; origin?: RunOrigin; signal?: AbortSignal; id?: string } = {},
  ): Promise<{ id: string; decision: ApprovalDecision | null; createdAtMs: number; expiresAtMs: number }> {
    const record = this.queue.create(req, opts.timeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS, opts.id);
    const { id, createdAtMs, expiresAtMs } = record;
    this.sink?.broadcast("exec.approval.requested", { id, request: req, createdAtMs, expiresAtMs });
    this.log.info(`exec approval ${id} requested: ${oneLine(req.command, 200)}`);
    void this.tellChats(id, req, expiresAtMs - createdAtMs, opts.origin);
    const onAbort = () => this.queue.cancel(id);
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();
    try {
      const decision = await record.decided;
      if (decision === null) this.log.info(`exec approval ${id}: no decision (timed out or withdrawn)`);
      return { id, decision, createdAtMs, expiresAtMs };
    } finally {
      opts.signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Gives a decision from any surface; false when nothing with that id is waiting. */
  resolve(id: string, decision: ApprovalDecision, resolvedBy: string): boolean {
    const full = this.matchId(id);
    if (!full || !this.queue.resolve(full, decision)) return false;
    this.sink?.broadcast("exec.approval.resolved", { id: full, decision, resolvedBy, ts: Date.now() });
    this.log.info(`exec approval ${full}: ${decision} by ${resolvedBy}`);
    return true;
  }

  /** A full id, or the one pending id this prefix (at least 4 characters) starts. */
  matchId(id: string): string | null {
    if (this.queue.has(id)) return id;
    if (id.length < 4) return null;
    const hits = this.queue.list().filter((p) => p.id.startsWith(id));
    return hits.length === 1 ? hits[0]!.id : null;
  }

  /** The chats that hear about a request: `approvals.exec` forwarding, or the asking chat when headless. */
  private async tellChats(id: string, req: ApprovalRequest, timeoutMs: number, origin: RunOrigin | undefined): Promise<void> {
    const sink = this.sink;
    if (!sink) return;
    const fwd = sink.config().approvals?.exec;
    const targets: ChatTarget[] = [];
    const fromOrigin = origin
      ? [
          {
            channel: origin.channel,
            to: origin.to,
            ...(origin.accountId ? { accountId: origin.accountId } : {}),
            ...(origin.threadId ? { threadId: origin.threadId } : {}),
          },
        ]
      : [];
    if (fwd?.enabled && forwards(fwd, req)) {
      const mode = fwd.mode ?? "session";
      if (mode === "session" || mode === "both") targets.push(...fromOrigin);
      if (mode === "targets" || mode === "both")
        for (const t of fwd.targets ?? [])
          targets.push({
            channel: t.channel,
            to: t.to,
            ...(t.accountId ? { accountId: t.accountId } : {}),
            ...(t.threadId !== undefined ? { threadId: String(t.threadId) } : {}),
          });
    } else if (fwd?.enabled !== false && !sink.approversOnline()) {
      targets.push(...fromOrigin);
    }
    const seen = new Set<string>();
    const text = approvalPrompt(id, req, timeoutMs);
    for (const t of targets) {
      const key = `${t.channel}\u0000${t.accountId ?? ""}\u0000${t.to}\u0000${t.threadId ?? ""}`;
      if (seen.has(key)) continue;
      seen.add(key);
      await sink
        .sendChat(t, text)
        .catch((e: Error) => this.log.warn(`exec approval ${id}: could not tell ${t.channel} ${t.to}: ${e.message}`));
    }
  }
}

function forwards(fwd: { agentFilter?: string[]; sessionFilter?: string[] }, req: ApprovalRequest): boolean {
  if (fwd.agentFilter?.length && !(req.agentId && fwd.agentFilter.includes(req.agentId))) return false;
  if (fwd.sessionFilter?.length && !(req.sessionKey && fwd.sessionFilter.some((f) => req.sessionKey!.includes(f)))) return false;
  return true;
}

function oneLine(s: string, max: number): string {
  const t = s.replace(/\s+/g, " ").trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** The chat message asking the owner to decide. */
export function approvalPrompt(id: string, req: ApprovalRequest, timeoutMs: number): string {
  const short = id.slice(0, 8);
  return [
    "Approval needed to run a command:",
    "",
    oneLine(req.command, 500),
    "",
    ...(req.cwd ? [`in ${req.cwd}`] : []),
    ...(req.agentId ? [`agent ${req.agentId}`] : []),
    `Reply /approve ${short} allow-once (or allow-always, or deny) within ${Math.round(timeoutMs / 1000)} s.`,
    "Or decide in the Control UI.",
  ].join("\n");
}
