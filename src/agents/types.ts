/**
 * The agent runtime's vocabulary, shared by its parts and by the gateway: what a caller sends, the
 * events a run streams, the result it ends with, and the errors a request is refused with.
 */
import type { AssistantMessage, ImageContent, ToolCall, ToolResultMessage, Usage } from "../providers/types.js";
import type { Logger } from "../infra/logger.js";
import type { GroupToolPolicy } from "../channels/types.js";
import type { RunOrigin } from "../tools/host.js";
import type { PeriodLimits } from "../budget/config.js";
import { stageClock, stageTime } from "../infra/stages.js";
import type { EnvelopeSource } from "./envelope.js";

export interface SendRequest {
  /** `performance.now()` when the message reached the agents, while stage timings are on (set by `send`). */
  queuedAt?: number;
  /** Session key in any accepted form; default: the agent's main session. */
  sessionKey?: string;
  agentId?: string;
  text: string;
  images?: ImageContent[];
  /** Idempotency key: the same key returns the same run instead of starting another. */
  runId?: string;
  timeoutMs?: number;
  extraSystemPrompt?: string;
  /** Where the message came from, for labels in session lists (the channel's id). */
  channel?: string;
  /**
   * Where and when the message was written, put in front of it as its header for the model (see
   * `envelope.ts`): chat messages and the web chat have one; commands, cron jobs and the CLI's runs not.
   */
  envelope?: EnvelopeSource;
  displayName?: string;
  /** Who sent it, on that channel (handed to plugin commands). */
  senderId?: string;
  /**
   * Whether the sender is the owner or allowlisted, and so may run commands that require it. Unset
   * means yes: operators (Control UI, CLI, HTTP) are; the channel router says for each chat message.
   */
  senderAuthorized?: boolean;
  /** The chat this message came from, where replies and tool notices go (unset for operators). */
  origin?: RunOrigin;
  /** Spending limits of whatever started this run (a cron job's `budget`), on top of the agent's. */
  budget?: PeriodLimits;
  /** Where `budget` is set, for the refusal message (`cron job "name" budget`). */
  budgetSetting?: string;
  /** The tool policy of the group (or of this sender in it): narrows the agent's tools for this run. */
  toolPolicy?: GroupToolPolicy;
}

export type RunStatus = "ok" | "error" | "aborted";

export interface SessionListOptions {
  agentId?: string;
  limit?: number;
  activeMinutes?: number;
  includeGlobal?: boolean;
  includeUnknown?: boolean;
  includeDerivedTitles?: boolean;
  includeLastMessage?: boolean;
  label?: string;
  spawnedBy?: string;
  search?: string;
}

export interface RunResult {
  runId: string;
  sessionKey: string;
  status: RunStatus;
  text: string;
  message?: AssistantMessage;
  usage?: Usage;
  /** `provider/model` of the model that answered; also as its parts. */
  model?: string;
  provider?: string;
  modelId?: string;
  /** The usage of the run's last model call. */
  lastUsage?: Usage;
  /** The transcript the run was written to. */
  sessionId?: string;
  error?: string;
  /** The run was refused before any model call (a budget, a sandbox), and `error` says why to the user. */
  refused?: boolean;
  /** A chat command answered this message; no model was called. */
  command?: string;
  /** This message was collected into another run (whose reply answers it too). */
  mergedInto?: string;
  startedAt: number;
  endedAt: number;
}

export type RunEvent =
  | { type: "start"; runId: string; sessionKey: string; agentId: string; ts: number }
  | { type: "model"; runId: string; sessionKey: string; model: string; profileId: string; ts: number }
  | { type: "text"; runId: string; sessionKey: string; delta: string; text: string; ts: number }
  | { type: "tool"; runId: string; sessionKey: string; phase: "start" | "end"; call: ToolCall; result?: ToolResultMessage; ts: number }
  | { type: "compaction"; runId: string; sessionKey: string; tokensBefore: number; ts: number }
  | { type: "end"; runId: string; result: RunResult; ts: number };

export interface RunHandle {
  runId: string;
  sessionKey: string;
  done: Promise<RunResult>;
  /**
   * Resolves once the message may be acknowledged: a new conversation's place is on disk. Rejects
   * with an {@link AgentError} ("STORAGE") when that write failed (the run then ends with the reason).
   */
  accepted?: Promise<void>;
}

export class AgentError extends Error {
  constructor(
    readonly code:
      | "UNKNOWN_AGENT"
      | "MESSAGE_TOO_LARGE"
      | "INVALID_MODEL"
      | "NOT_FOUND"
      | "EMPTY_MESSAGE"
      | "STORAGE"
      | "INVALID_REQUEST"
      | "SANDBOX_UNAVAILABLE"
      /** A spending budget (agents.*.budget) is used up for this period. */
      | "BUDGET_EXCEEDED",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "AgentError";
  }
}

/** Run event listeners: one that throws is logged and the others still hear the event. */
export class RunEvents {
  private readonly listeners = new Set<(ev: RunEvent) => void>();

  constructor(private readonly log: Logger) {}

  on(fn: (ev: RunEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit(ev: RunEvent): void {
    const start = stageClock();
    for (const fn of this.listeners) {
      try {
        fn(ev);
      } catch (e) {
        this.log.error(`run event listener failed: ${(e as Error).message}`);
      }
    }
    if (start) this.timeFanout(ev, performance.now() - start);
  }

  /** Fan-out time per run, summed over its events and recorded when it ends (stage timings only). */
  private readonly fanout = new Map<string, number>();

  private timeFanout(ev: RunEvent, ms: number): void {
    const total = (this.fanout.get(ev.runId) ?? 0) + ms;
    if (ev.type !== "end") return void this.fanout.set(ev.runId, total);
    this.fanout.delete(ev.runId);
    stageTime("event_fanout", total);
  }
}
