/**
 * What a tool can reach beyond its own arguments: where the run's message came from, and the
 * gateway's services (approvals, system events, models, agents and sessions, channels, the gateway
 * itself). Each run's `ToolContext` carries them; a tool checks for the service it needs and answers
 * with a clear error when this gateway does not offer it, so tools stay testable without a gateway.
 */
import type { ApprovalDecision, ApprovalRequest } from "../exec/approval-queue.js";
import type { ExecApprovalsStore } from "../exec/approvals-file.js";
import type { ModelStream } from "../agents/models.js";
import type { ChannelSender } from "../channels/sender.js";
import type { AgentService } from "../agents/service.js";

/** The gateway's own methods, called in process with operator rights, and its restart. */
export interface GatewayHost {
  call(method: string, params: unknown): Promise<unknown>;
  restart(reason: string, delayMs: number): void;
}

/** What the session tools use of the agent service. */
export type AgentsHost = Pick<
  AgentService,
  "mainKey" | "agentIds" | "listSessions" | "history" | "resolveKey" | "resolveSession" | "send" | "patch" | "store" | "delete"
>;

/** The chat a run answers (unset for operator runs: Control UI, CLI, HTTP). */
export interface RunOrigin {
  /** Channel id (`telegram`, `discord`, or a plugin's). */
  channel: string;
  accountId?: string;
  /** The chat id replies go to. */
  to: string;
  threadId?: string;
  chatType?: "dm" | "group" | "channel";
  senderId?: string;
}

/** Asks the owner to approve a command, on every surface that can answer. */
export interface ExecApprover {
  /** The approvals file (`exec-approvals.json`): allowlists and per-agent security defaults. */
  readonly store: ExecApprovalsStore;
  /**
   * Queues a request, announces it (`exec.approval.requested` to operators, and a notice to the
   * asking chat), and settles with the decision, or null when nobody answered within `timeoutMs`
   * (or `signal` aborted).
   */
  request(
    req: ApprovalRequest,
    opts: { timeoutMs?: number; origin?: RunOrigin; signal?: AbortSignal },
  ): Promise<{ id: string; decision: ApprovalDecision | null }>;
}

/** Notes queued for a session's next turn (and a wake of that session's heartbeat, where there is one). */
export interface SystemEventSink {
  enqueue(sessionKey: string, text: string, contextKey?: string): boolean;
}

/** Model calls outside the run's own chain (the image tool's second model). */
export interface ToolModels {
  /** A failover stream over `chain` (`provider/model` refs) with the agent's auth profiles. */
  stream(agentId: string, chain: string[]): ModelStream;
}

/**
 * The gateway's services as tools see them. Every field is optional: a tool that needs one that is
 * missing says so in its result.
 */
export interface ToolHost {
  approvals?: ExecApprover;
  systemEvents?: SystemEventSink;
  models?: ToolModels;
  /** Agents and their sessions (sessions_* tools, agents_list, session_status). */
  agents?: AgentsHost;
  /** Outbound messaging to any channel target (message tool). */
  channels?: ChannelSender;
  /** The gateway itself: config get/patch, restart (gateway tool). */
  gateway?: GatewayHost;
}

/**
 * A session's sandbox: commands run inside its container rather than on the gateway host. Set on the
 * run's tool context only when the session is sandboxed and the sandbox is ready.
 */
export interface SandboxExec {
  /** The container's workspace directory (what relative paths resolve against inside it). */
  readonly workdir: string;
  /** The host directory mounted there: the file tools of a sandboxed session work in it. */
  readonly hostDir: string;
  /** The argv (`docker exec ...`) that runs `command` through `sh -lc` in the container. */
  execArgv(command: string, opts: { cwd?: string; env?: Record<string, string>; tty?: boolean }): string[];
}
