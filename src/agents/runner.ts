/**
 * One agent run, from a message in a session to its result: a slot under `maxConcurrent`, the
 * conversation (the reset policy may start a new one), the system prompt from the workspace, the
 * turn with failover, one retry after compacting when the prompt is too long, the run's usage on the
 * session entry, and compaction when the window is nearly full. Streams `RunEvent`s as it goes.
 */
import type { OpenClawConfig } from "../config/schema.js";
import { isStorageFailure, StorageError, type FaultBoard } from "../infra/faults.js";
import type { Logger } from "../infra/logger.js";
import type { Env } from "../infra/paths.js";
import type { HookRunner } from "../plugins/hooks.js";
import { ModelRefError, modelChainFor, modelRef } from "../providers/models.js";
import { ProviderError, type ModelSpec, type ToolCall, type ToolResultMessage, type UserMessage } from "../providers/types.js";
import type { SessionDirectory } from "../sessions/directory.js";
import type { ToolRegistry, ToolSet } from "../tools/registry.js";
import { resolveToolPolicy } from "../tools/policy.js";
import type { SandboxExec, ToolHost } from "../tools/host.js";
import { isSandboxed, sandboxToolPolicy, SandboxUnavailableError, type SandboxManager } from "../sandbox/index.js";
import type { Compactor } from "./compaction.js";
import { AllModelsFailedError } from "./failover.js";
import type { AgentModels } from "./models.js";
import type { RunQueue } from "./run-queue.js";
import { messageTextOf, prependToMessage, startHook, turnToolHooks } from "./plugin-hooks.js";
import { runTurn, type TurnResult } from "./run.js";
import type { SystemEvents } from "./system-events.js";
import { AgentError, type RunEvents, type RunResult, type SendRequest } from "./types.js";
import { buildSystemPrompt, workspaceDirFor, WorkspaceFiles } from "./workspace.js";
import { SkillsPrompts } from "../skills/snapshot.js";
import { budgetWarning, checkBudget, resolveBudget, UsageLedger } from "../budget/index.js";
import { stageClock, stageSince } from "../infra/stages.js";
import { ownerTimeZone } from "./envelope.js";

export const DEFAULT_TIMEOUT_SECONDS = 600;
/** A model stream that sends nothing for this long is given up on (and failed over). */
const DEFAULT_MODEL_IDLE_TIMEOUT_MS = 90_000;

export interface AgentRunnerDeps {
  config(): OpenClawConfig;
  stateDir: string;
  env: Env;
  log: Logger;
  now: () => number;
  sessions: SessionDirectory;
  models: AgentModels;
  queue: RunQueue;
  compactor: Compactor;
  tools: ToolRegistry;
  systemEvents: SystemEvents;
  events: RunEvents;
  modelIdleTimeoutMs?: number;
  faults?: FaultBoard;
  /** Plugins' typed hooks (none without it). */
  hooks?: HookRunner;
  /** The gateway's services as tools see them (none without it). */
  toolHost?: ToolHost;
  /** Session sandboxes (Docker); without it a sandboxed session is refused. */
  sandboxes?: SandboxManager;
  /** Per-day and per-month spend, for budgets (default: one over `stateDir`). */
  ledger?: UsageLedger;
}

export class AgentRunner {
  /** Policy warnings already logged (each once, not every run). */
  private readonly warned = new Set<string>();
  /** The skills block of the system prompt, per workspace, kept while its folders are unchanged. */
  private readonly skills = new SkillsPrompts();
  /** Tool sets by config object and the run's inputs (see `toolsFor`). */
  private readonly toolSets = new WeakMap<OpenClawConfig, Map<string, ToolSet>>();
  /** Workspace files, reused across runs while unchanged on disk. */
  private readonly workspaceFiles = new WorkspaceFiles();

  /** What each agent and session spent per day and month (budgets). */
  readonly ledger: UsageLedger;

  constructor(private readonly deps: AgentRunnerDeps) {
    this.ledger = deps.ledger ?? new UsageLedger({ stateDir: deps.stateDir, log: deps.log });
  }

  /** Stops watching skills folders. */
  close(): void {
    this.skills.close();
  }

  /**
   * The tools this run may use: tool policy (profile, allow/deny per level, the model's provider)
   * and each tool's own availability for the model in use (the chain's primary).
   */
  private toolsFor(
    cfg: OpenClawConfig,
    agentId: string,
    key: string,
    primary: string | undefined,
    req: SendRequest,
    sandboxed: boolean,
  ): ToolSet {
    // The same inputs give the same tools until the config changes (a reload makes a new object).
    const memoKey = JSON.stringify([
      this.deps.tools.version,
      agentId,
      primary ?? "",
      key.includes(":subagent:"),
      req.toolPolicy ?? null,
      sandboxed,
    ]);
    let byConfig = this.toolSets.get(cfg);
    if (!byConfig) this.toolSets.set(cfg, (byConfig = new Map()));
    const known = byConfig.get(memoKey);
    if (known) return known;
    const slash = primary?.indexOf("/") ?? -1;
    const provider = slash > 0 ? primary!.slice(0, slash) : "";
    const modelId = slash > 0 ? primary!.slice(slash + 1) : (primary ?? "");
    const tools = this.deps.tools;
    const policy = resolveToolPolicy(
      {
        config: cfg,
        agentId,
        provider,
        modelId,
        subagent: key.includes(":subagent:"),
        ...(req.toolPolicy ? { group: req.toolPolicy } : {}),
        ...(sandboxed ? { sandbox: sandboxToolPolicy(cfg, agentId) } : {}),
      },
      tools.list().map((t) => ({ name: t.name, ...(t.pluginId ? { pluginId: t.pluginId } : {}) })),
    );
    for (const w of policy.warnings)
      if (!this.warned.has(w)) {
        this.warned.add(w);
        this.deps.log.warn(`tools: ${w}`);
      }
    const set = tools.view((t) => policy.allows(t.name) && (t.available?.({ config: cfg, agentId, provider, modelId }) ?? true));
    if (byConfig.size < 256) byConfig.set(memoKey, set);
    return set;
  }

  async run(agentId: string, key: string, req: SendRequest, runId: string, startedAt: number): Promise<RunResult> {
    const { sessions, queue, events, log, now } = this.deps;
    const slot = await queue.begin(runId, key, startedAt);
    stageSince("lane_wait", req.queuedAt);
    const promptStart = stageClock();
    const { controller } = slot;
    const cfg = this.deps.config();
    const timeoutMs = req.timeoutMs ?? (cfg.agents?.defaults?.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
    const timer = setTimeout(
      () => controller.abort(new ProviderError("timeout", `run timed out after ${Math.round(timeoutMs / 1000)}s`)),
      timeoutMs,
    );
    timer.unref();
    let result: RunResult;
    try {
      events.emit({ type: "start", runId, sessionKey: key, agentId, ts: now() });
      // A used-up budget refuses the run before anything reaches the model.
      const budget = checkBudget({
        config: cfg,
        agentId,
        sessionKey: key,
        now: now(),
        ledger: this.ledger,
        ...(req.budget ? { jobBudget: req.budget, ...(req.budgetSetting ? { jobSetting: req.budgetSetting } : {}) } : {}),
      });
      if (!budget.ok) throw new AgentError("BUDGET_EXCEEDED", budget.message!);
      const entry = sessions.current(agentId, key);
      // A reset boundary may have started a new transcript: record where before writing to it.
      sessions.store(agentId).persistPointers();
      const t = await sessions.loadTranscript(agentId, entry);
      const workspaceDir = workspaceDirFor(cfg, agentId, this.deps.stateDir, this.deps.env);
      this.workspaceFiles.ensure(workspaceDir, cfg.agents?.defaults?.skipBootstrap);
      const systemPrompt = buildSystemPrompt({
        workspaceDir,
        maxChars: cfg.agents?.defaults?.bootstrapMaxChars,
        agentId,
        timezone: ownerTimeZone(cfg),
        extra: req.extraSystemPrompt,
        skillsPrompt: this.skills.prompt({ workspaceDir, stateDir: this.deps.stateDir, config: cfg, env: this.deps.env }),
        files: this.workspaceFiles,
      });
      const chain = modelChainFor(cfg, agentId, entry.modelOverride);
      const sandbox = await this.sandboxFor(cfg, agentId, key);
      const user: UserMessage = {
        role: "user",
        content: req.images?.length ? [...(req.text ? [{ type: "text" as const, text: req.text }] : []), ...req.images] : req.text,
        timestamp: now(),
      };
      this.deps.systemEvents.prepend(key, user, cfg);
      const hooks = this.deps.hooks;
      const hookCtx = { agentId, sessionKey: key, workspaceDir, ...(req.channel ? { messageProvider: req.channel } : {}) };
      if (hooks?.hasHooks("before_agent_start")) {
        const out = await hooks.runBeforeAgentStart({ prompt: messageTextOf(user), messages: t.context() }, hookCtx);
        if (typeof out?.prependContext === "string" && out.prependContext) prependToMessage(user, out.prependContext);
      }
      const turnStartedAt = now();
      const turnOpts = {
        transcript: t,
        user,
        systemPrompt,
        tools: this.toolsFor(cfg, agentId, key, chain[0], req, Boolean(sandbox)),
        toolCtx: {
          sessionKey: key,
          agentId,
          workspaceDir: sandbox?.hostDir ?? workspaceDir,
          ...(sandbox ? { sandbox } : {}),
          now,
          config: cfg,
          senderAuthorized: req.senderAuthorized ?? true,
          env: this.deps.env,
          ...(req.origin ? { origin: req.origin } : {}),
          ...(this.deps.toolHost ? { host: this.deps.toolHost } : {}),
        },
        stream: this.deps.models.stream(agentId, chain),
        signal: controller.signal,
        idleTimeoutMs: this.deps.modelIdleTimeoutMs ?? DEFAULT_MODEL_IDLE_TIMEOUT_MS,
        now,
        ...(hooks ? { toolHooks: turnToolHooks(hooks, log, { agentId, sessionKey: key }) } : {}),
        events: {
          onModel: (m: ModelSpec, profileId: string) =>
            events.emit({ type: "model", runId, sessionKey: key, model: modelRef(m), profileId, ts: now() }),
          onText: (delta: string, text: string) => events.emit({ type: "text", runId, sessionKey: key, delta, text, ts: now() }),
          onToolStart: (call: ToolCall) => events.emit({ type: "tool", runId, sessionKey: key, phase: "start", call, ts: now() }),
          onToolEnd: (call: ToolCall, r: ToolResultMessage) =>
            events.emit({ type: "tool", runId, sessionKey: key, phase: "end", call, result: r, ts: now() }),
        },
      };
      stageSince("prompt_build", promptStart);
      let turn: TurnResult = await runTurn(turnOpts);
      if (turn.status === "error" && turn.error instanceof ProviderError && turn.error.kind === "context_overflow") {
        // Too long for the model: summarise older turns, then try once more.
        const compacted = await this.deps.compactor.compact(agentId, key, entry, runId, true);
        if (compacted) turn = await runTurn({ ...turnOpts, user: { ...user, timestamp: now() } });
      }
      if (controller.signal.reason instanceof ProviderError && controller.signal.reason.kind === "timeout" && turn.status === "aborted") {
        turn = { ...turn, status: "error", error: controller.signal.reason };
      }
      if (hooks?.hasHooks("agent_end")) {
        const event = {
          messages: t.messages().map((m) => m.message),
          success: turn.status === "ok",
          ...(turn.error ? { error: describeError(turn.error) } : {}),
          durationMs: now() - turnStartedAt,
        };
        // Not waited for: plugins read the finished conversation while the reply goes out.
        startHook(hooks.runAgentEnd(event, hookCtx));
      }
      this.recordUsage(agentId, key, turn);
      const budgetNote = this.recordSpend(cfg, agentId, key, turn);
      if (budgetNote && turn.status === "ok") turn = { ...turn, text: turn.text ? `${turn.text}\n\n${budgetNote}` : budgetNote };
      this.deps.faults?.clear(`storage:transcripts:${agentId}`);
      result = {
        runId,
        sessionKey: key,
        status: turn.status,
        text: turn.text,
        ...(turn.final ? { message: turn.final } : {}),
        usage: turn.usage,
        ...(turn.final ? { lastUsage: turn.final.usage } : {}),
        sessionId: entry.sessionId,
        ...(turn.model ? { model: modelRef(turn.model), provider: turn.model.provider, modelId: turn.model.id } : {}),
        ...(turn.error ? { error: describeError(turn.error) } : {}),
        startedAt,
        endedAt: now(),
      };
      if (turn.status === "error") log.warn(`run ${runId} in ${key} failed: ${result.error}`);
      if (turn.status === "ok" && turn.model) await this.deps.compactor.afterTurn(agentId, key, turn, runId);
    } catch (e) {
      const message = e instanceof ModelRefError || e instanceof AgentError ? e.message : describeError(e as Error);
      if (isStorageFailure(e)) this.noteStorageFailure(e, agentId);
      else if (e instanceof AgentError && e.code === "BUDGET_EXCEEDED") log.info(`run ${runId} in ${key} refused: ${e.message}`);
      else log.error(`run ${runId} in ${key} failed: ${(e as Error)?.stack ?? e}`);
      result = {
        runId,
        sessionKey: key,
        status: "error",
        text: "",
        error: message,
        ...(e instanceof AgentError && (e.code === "BUDGET_EXCEEDED" || e.code === "SANDBOX_UNAVAILABLE") ? { refused: true } : {}),
        startedAt,
        endedAt: now(),
      };
    } finally {
      clearTimeout(timer);
      slot.finish();
    }
    slot.settle(result);
    events.emit({ type: "end", runId, result, ts: now() });
    return result;
  }

  /**
   * The session's sandbox when `agents.*.sandbox.mode` puts it in one. Never falls back to the host:
   * without a reachable Docker engine the run is refused, naming the setting.
   */
  private async sandboxFor(cfg: OpenClawConfig, agentId: string, key: string): Promise<SandboxExec | undefined> {
    if (!isSandboxed(cfg, agentId, key)) return undefined;
    const manager = this.deps.sandboxes;
    if (!manager)
      throw new AgentError(
        "SANDBOX_UNAVAILABLE",
        "this session is sandboxed (agents.defaults.sandbox.mode) but sandboxes are off in this gateway",
      );
    try {
      return await manager.ensure(cfg, agentId, key);
    } catch (e) {
      if (e instanceof SandboxUnavailableError) throw new AgentError("SANDBOX_UNAVAILABLE", e.message);
      throw new AgentError("SANDBOX_UNAVAILABLE", `could not start this session's sandbox: ${(e as Error).message}`);
    }
  }

  /** Reports a failed state write as a fault (cleared once writing works again). */
  noteStorageFailure(e: unknown, agentId: string): void {
    if (!isStorageFailure(e)) return;
    const message = e instanceof StorageError ? e.message : `cannot write state for agent ${agentId}: ${(e as Error).message}`;
    if (this.deps.faults?.set(`storage:transcripts:${agentId}`, message)) this.deps.log.error(message);
  }

  /**
   * Files the run's usage in the spending ledger and returns the budget warning for its reply, if a
   * limit just passed its warning share. Never throws: budgets must not cost the user the reply.
   */
  private recordSpend(cfg: OpenClawConfig, agentId: string, key: string, turn: TurnResult): string | undefined {
    try {
      const at = this.deps.now();
      const { timezone } = resolveBudget(cfg, agentId);
      this.ledger.record({ agentId, sessionKey: key, tokens: turn.usage.totalTokens, usd: turn.usage.cost.total, at, timezone });
      return budgetWarning({ config: cfg, agentId, sessionKey: key, now: at, ledger: this.ledger });
    } catch (e) {
      this.deps.log.error(`budget accounting failed for ${key}: ${(e as Error).message}`);
      return undefined;
    }
  }

  /**
   * Stores the run on the session entry as OpenClaw does (the last call's token counts, the model and
   * its context window), plus lifetime totals and spend.
   */
  private recordUsage(agentId: string, key: string, turn: TurnResult): void {
    const store = this.deps.sessions.store(agentId);
    const e = store.get(key);
    if (!e) return;
    const u = turn.usage;
    const last = turn.final?.usage;
    const totals = e.usageTotals ?? { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 };
    const prompt = last ? last.input + last.cacheRead + last.cacheWrite : 0;
    store.update(key, {
      updatedAt: this.deps.now(),
      ...(last && (last.input || last.output)
        ? { inputTokens: last.input, outputTokens: last.output, totalTokens: prompt > 0 ? prompt : last.input }
        : {}),
      ...(turn.model
        ? {
            model: turn.model.id,
            modelProvider: turn.model.provider,
            contextTokens: this.deps.config().agents?.defaults?.contextTokens ?? turn.model.contextWindow,
          }
        : {}),
      abortedLastRun: turn.status === "aborted",
      usageTotals: {
        input: totals.input + u.input,
        output: totals.output + u.output,
        cacheRead: totals.cacheRead + u.cacheRead,
        cacheWrite: totals.cacheWrite + u.cacheWrite,
        total: totals.total + u.totalTokens,
      },
      costUsd: (e.costUsd ?? 0) + u.cost.total,
    });
  }
}

/** A run's failure as the user reads it: which model said what. */
export function describeError(e: Error): string {
  if (e instanceof AllModelsFailedError) return e.message;
  if (e instanceof ProviderError)
    return `${e.provider ? `${e.provider}${e.model ? `/${e.model}` : ""}: ` : ""}${e.kind === "timeout" ? "" : `${e.kind}: `}${e.message}`;
  return e.message;
}
