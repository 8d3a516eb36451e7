/**
 * The agent runtime as the gateway sees it: `send` a message to a session and get a run whose events
 * stream out (`onEvent`) and whose result arrives on `done`. Gateway methods, the OpenAI-compatible
 * endpoint and the channel router all call this.
 *
 * It wires the parts and answers for them:
 *
 * - `SessionDirectory` (sessions/): stores, transcripts, the reset policy;
 * - `RunQueue`: lanes (one run per session), `agents.defaults.maxConcurrent`, follow-ups, run ids;
 * - `AgentRunner`: one run, from the message to its result;
 * - `runBuiltinCommand` (commands/): `/new`, `/model`, `/status`, … before the model;
 * - `Compactor`, `AgentModels` (credentials, failover), `AgentSessions` (operator views), status.
 *
 * Plugins take part only when the gateway passes them in: `hooks` (typed hooks, see plugin-hooks.ts)
 * and `pluginCommands` (chat commands, see commands/plugin.ts).
 */
import type { ToolHost } from "../tools/host.js";
import type { SandboxManager } from "../sandbox/index.js";
import { randomUUID } from "node:crypto";
import type { OpenClawConfig } from "../config/schema.js";
import type { FaultBoard } from "../infra/faults.js";
import type { Logger } from "../infra/logger.js";
import type { Env } from "../infra/paths.js";
import type { HookRunner, PluginCommands } from "../plugins/hooks.js";
import { emptyUsage, ProviderError, type Api, type ProviderClient } from "../providers/types.js";
import { parseSessionKey } from "../sessions/keys.js";
import { SessionDirectory } from "../sessions/directory.js";
import type { SessionEntry, SessionStore } from "../sessions/store.js";
import { defaultTools, type ToolRegistry } from "../tools/registry.js";
import { runBuiltinCommand } from "./commands/builtin.js";
import { parseCommand, type ChatCommand } from "./commands/parse.js";
import { matchPluginCommand, runPluginCommand, type PluginCommandMatch } from "./commands/plugin.js";
import { Compactor } from "./compaction.js";
import type { FailoverSwitch } from "./failover.js";
import { AgentModels } from "./models.js";
import { sessionLifecycle } from "./plugin-hooks.js";
import * as roster from "./roster.js";
import { RunQueue } from "./run-queue.js";
import { AgentRunner } from "./runner.js";
import { AgentSessions } from "./sessions.js";
import { runtimeStatus, sessionDefaults, sessionSummary, statusSessions } from "./status.js";
import { budgetsSummary } from "../budget/index.js";
import { SystemEvents } from "./system-events.js";
import {
  AgentError,
  RunEvents,
  type RunEvent,
  type RunHandle,
  type RunResult,
  type SendRequest,
  type SessionListOptions,
} from "./types.js";
import { stageClock } from "../infra/stages.js";
import { sentAt, withEnvelope } from "./envelope.js";

export {
  AgentError,
  type RunEvent,
  type RunHandle,
  type RunResult,
  type RunStatus,
  type SendRequest,
  type SessionListOptions,
} from "./types.js";
export { DEFAULT_TIMEOUT_SECONDS } from "./runner.js";
export { entryModelRef } from "./status.js";
export { emptyUsage };

export const DEFAULT_MAX_CONCURRENT = 4;
/** Largest message accepted (characters); bigger ones are refused with a clear error. */
export const MAX_MESSAGE_CHARS = 200_000;

export interface AgentServiceDeps {
  config(): OpenClawConfig;
  stateDir: string;
  env: Env;
  log: Logger;
  now?: () => number;
  /** Model clients by API (tests inject; default loads the SDK-backed ones lazily). */
  loadClient?: (api: Api) => Promise<ProviderClient>;
  tools?: ToolRegistry;
  /** Give up on a model stream that sends nothing for this long (default 90 s) and fail over. */
  modelIdleTimeoutMs?: number;
  /** Where failed state writes are reported (shown by `/readyz`). */
  faults?: FaultBoard;
  /**
   * Plugins' typed hooks (`createHookRunner` in plugins/hooks.ts): session_start/end, before_agent_start,
   * agent_end, before/after_tool_call, tool_result_persist, before/after_compaction. None without it.
   */
  hooks?: HookRunner;
  /**
   * Plugins' chat commands (`createPluginCommands` in plugins/hooks.ts): `/name args` answered by the
   * plugin instead of the model, and listed by `/help`. None without it.
   */
  pluginCommands?: PluginCommands;
  /** The gateway's services for tools (approvals, channels, the gateway); systemEvents and models are added here. */
  toolHost?: ToolHost;
  /** Session sandboxes (Docker); without it a sandboxed session is refused. */
  sandboxes?: SandboxManager;
}

export class AgentService {
  private readonly now: () => number;
  private readonly events: RunEvents;
  private readonly sessions: SessionDirectory;
  private readonly models: AgentModels;
  private readonly queue: RunQueue;
  private readonly compactor: Compactor;
  private readonly runner: AgentRunner;
  private readonly views: AgentSessions;
  /** Recent failovers, newest last (for `status`). */
  readonly switches: FailoverSwitch[];
  /** Notes queued for a session's next prompt (`wake`, `system-event`). */
  readonly systemEvents: SystemEvents;

  constructor(private readonly deps: AgentServiceDeps) {
    const now = (this.now = deps.now ?? Date.now);
    const { config, stateDir, env, log, faults, hooks } = deps;
    this.events = new RunEvents(log);
    this.systemEvents = new SystemEvents(now);
    const lifecycle = hooks ? sessionLifecycle(hooks, now) : undefined;
    this.sessions = new SessionDirectory({ config, stateDir, env, log, now, faults, lifecycle });
    this.models = new AgentModels({ config, stateDir, env, log, now, loadClient: deps.loadClient });
    this.switches = this.models.switches;
    this.queue = new RunQueue(config().agents?.defaults?.maxConcurrent ?? DEFAULT_MAX_CONCURRENT, now);
    this.compactor = new Compactor({ config, sessions: this.sessions, models: this.models, events: this.events, log, now, hooks });
    this.runner = new AgentRunner({
      config,
      stateDir,
      env,
      log,
      now,
      faults,
      hooks,
      sessions: this.sessions,
      models: this.models,
      queue: this.queue,
      compactor: this.compactor,
      tools: deps.tools ?? defaultTools(),
      systemEvents: this.systemEvents,
      events: this.events,
      modelIdleTimeoutMs: deps.modelIdleTimeoutMs,
      toolHost: { ...deps.toolHost, systemEvents: this.systemEvents, models: this.models, agents: this },
      sandboxes: deps.sandboxes,
    });
    this.views = new AgentSessions({
      config,
      sessions: this.sessions,
      models: this.models,
      now,
      isRunning: (key) => this.queue.isRunning(key),
      defaultAgentId: () => this.defaultAgentId(),
    });
  }

  /** Config changed: apply what can change live. */
  reconfigure(): void {
    this.queue.setMaxConcurrent(this.deps.config().agents?.defaults?.maxConcurrent ?? DEFAULT_MAX_CONCURRENT);
  }

  onEvent(fn: (ev: RunEvent) => void): () => void {
    return this.events.on(fn);
  }

  // ---- agents and sessions -------------------------------------------------------------------

  defaultAgentId(): string {
    return roster.defaultAgentId(this.deps.config());
  }

  agentIds(): string[] {
    return roster.agentIds(this.deps.config());
  }

  mainKey(): string {
    return roster.mainKeyOf(this.deps.config());
  }

  /** Canonical key and agent for any accepted key form; unknown agents are an error. */
  resolveKey(sessionKey: string | undefined, agentId?: string): { key: string; agentId: string } {
    return roster.resolveKey(this.deps.config(), sessionKey, agentId);
  }

  store(agentId: string): SessionStore {
    return this.sessions.store(agentId);
  }

  auth(agentId: string) {
    return this.models.auth(agentId);
  }

  // ---- sending ---------------------------------------------------------------------------------

  send(req: SendRequest): RunHandle {
    const { key, agentId } = this.resolveKey(req.sessionKey, req.agentId);
    const text = req.text ?? "";
    if (!text.trim() && !req.images?.length) throw new AgentError("EMPTY_MESSAGE", "message is empty");
    if (text.length > MAX_MESSAGE_CHARS) {
      throw new AgentError("MESSAGE_TOO_LARGE", `message is ${text.length} characters; the limit is ${MAX_MESSAGE_CHARS}`);
    }
    if ((req.extraSystemPrompt?.length ?? 0) > MAX_MESSAGE_CHARS) {
      throw new AgentError(
        "MESSAGE_TOO_LARGE",
        `the extra system prompt is ${req.extraSystemPrompt!.length} characters; the limit is ${MAX_MESSAGE_CHARS}`,
      );
    }
    const queuedAt = stageClock();
    if (queuedAt) req = { ...req, queuedAt };
    this.queue.prune();
    if (req.runId) {
      const seen = this.queue.recall(req.runId);
      if (seen) return seen;
    }
    const runId = req.runId ?? randomUUID();
    const command = parseCommand(text, this.deps.config().session?.resetTriggers ?? []);

    // /stop must not wait behind the run it stops.
    if (command?.name === "stop") {
      const stopped = this.queue.abort(key);
      const result = this.commandResult(runId, key, "stop", stopped.length ? "Stopped." : "Nothing to stop.", this.now());
      return this.queue.remember({ runId, sessionKey: key, done: Promise.resolve(result) }, result);
    }

    // A plugin's command answers at once, without the model (and without waiting for a run).
    const pluginCommand = command ? null : matchPluginCommand(this.deps.pluginCommands, text);
    if (pluginCommand) return this.runPluginCommand(pluginCommand, req, key, agentId, runId);

    // The model reads each message with where and when it was written (merged ones each with theirs).
    if (!command) req = this.enveloped(req, text);

    // A message arriving while this session is busy waits and is merged with any others that arrive
    // meanwhile into one follow-up turn.
    if (!command && this.queue.isRunning(key)) return this.queue.collect(key, req, runId);

    // A new conversation is on disk before it is acknowledged (`accepted`): after a crash, what is said
    // in it can be found. The write runs off the event loop; a full disk or read-only volume fails
    // this message with the reason.
    const accepted = command ? null : this.ensureSession(agentId, key);
    const done = this.queue.inLane(key, async () => {
      if (accepted) {
        try {
          await accepted;
        } catch (e) {
          return this.failedBeforeRun(runId, key, agentId, e as Error, this.now());
        }
      }
      return this.execute(agentId, key, req, runId, command);
    });
    return this.queue.remember({ runId, sessionKey: key, done, ...(accepted ? { accepted } : {}) });
  }

  private runPluginCommand(match: PluginCommandMatch, req: SendRequest, key: string, agentId: string, runId: string): RunHandle {
    const startedAt = this.now();
    this.events.emit({ type: "start", runId, sessionKey: key, agentId, ts: startedAt });
    const done = runPluginCommand(this.deps.pluginCommands!, match, {
      senderId: req.senderId,
      channel: req.channel ?? "webchat",
      isAuthorizedSender: req.senderAuthorized !== false,
      config: this.deps.config(),
    }).then((text) => {
      const result: RunResult = { runId, sessionKey: key, status: "ok", text, command: match.name, startedAt, endedAt: this.now() };
      this.events.emit({ type: "end", runId, result, ts: this.now() });
      return result;
    });
    return this.queue.remember({ runId, sessionKey: key, done });
  }

  /** The new session's durable write, with a storage failure as the user reads it (null: nothing to write). */
  private ensureSession(agentId: string, key: string): Promise<void> | null {
    const storageError = (e: unknown) =>
      new AgentError("STORAGE", `${(e as Error).message}. Free some space or fix the volume, then send the message again.`, {
        cause: e,
      });
    let pending: Promise<void> | null;
    try {
      pending = this.sessions.ensureDurable(agentId, key);
    } catch (e) {
      throw storageError(e);
    }
    if (!pending) return null;
    const accepted = pending.catch((e: unknown) => Promise.reject(storageError(e)));
    accepted.catch(() => {}); // also answered through the run's result
    return accepted;
  }

  /** Waits for a run's result (null on timeout or unknown run). */
  wait(runId: string, timeoutMs: number): Promise<RunResult | null> {
    return this.queue.wait(runId, timeoutMs);
  }

  /** Aborts the session's active run (or one run) and drops nothing else. Returns aborted run ids. */
  abort(sessionKey: string, runId?: string): string[] {
    return this.queue.abort(this.resolveKey(sessionKey).key, runId);
  }

  /** A command's answer as a run that started and ended at once. */
  private commandResult(runId: string, key: string, command: string, text: string, startedAt: number): RunResult {
    const result: RunResult = { runId, sessionKey: key, status: "ok", text, command, startedAt, endedAt: this.now() };
    this.events.emit({
      type: "start",
      runId,
      sessionKey: key,
      agentId: parseSessionKey(key, this.defaultAgentId()).agentId,
      ts: startedAt,
    });
    this.events.emit({ type: "end", runId, result, ts: this.now() });
    return result;
  }

  /** A message that failed before its run could start (its state could not be saved), as a run that ended with the reason. */
  private failedBeforeRun(runId: string, key: string, agentId: string, e: Error, startedAt: number, command?: string): RunResult {
    this.runner.noteStorageFailure(e instanceof AgentError && e.cause ? e.cause : e, agentId);
    const result: RunResult = {
      runId,
      sessionKey: key,
      status: "error",
      text: "",
      error: e.message,
      ...(command ? { command } : {}),
      startedAt,
      endedAt: this.now(),
    };
    this.events.emit({ type: "start", runId, sessionKey: key, agentId, ts: startedAt });
    this.events.emit({ type: "end", runId, result, ts: this.now() });
    return result;
  }

  private async execute(agentId: string, key: string, req: SendRequest, runId: string, command: ChatCommand | null): Promise<RunResult> {
    const startedAt = this.now();
    if (command) {
      let outcome;
      try {
        outcome = await runBuiltinCommand(
          {
            config: this.deps.config,
            sessions: this.sessions,
            models: this.models,
            compactor: this.compactor,
            pluginCommands: this.deps.pluginCommands,
            spend: { ledger: this.runner.ledger, now: this.now() },
          },
          agentId,
          key,
          command,
          runId,
        );
      } catch (e) {
        // A command that cannot save its change (a full disk) answers with the reason.
        return this.failedBeforeRun(runId, key, agentId, e as Error, startedAt, command.name);
      }
      if ("reply" in outcome) return this.commandResult(runId, key, command.name, outcome.reply, startedAt);
      // `/new hello`: fresh session, then `hello` runs as a normal message.
      req = this.enveloped(req, outcome.continueWith);
    }
    return this.runThenFollowUp(agentId, key, req, runId, startedAt);
  }

  /** `req` to run with `text`: behind its envelope header when it has one (the envelope is then used up). */
  private enveloped(req: SendRequest, text: string): SendRequest {
    const { envelope, ...rest } = req;
    if (!envelope) return { ...req, text };
    return { ...rest, text: withEnvelope(text, envelope, sentAt(envelope, this.now()), this.deps.config()) };
  }

  /** One run, then the messages that arrived during it as the next. */
  private async runThenFollowUp(agentId: string, key: string, req: SendRequest, runId: string, startedAt: number): Promise<RunResult> {
    const result = await this.runner.run(agentId, key, req, runId, startedAt);
    this.queue.runCollected(
      key,
      (merged, id) => this.runThenFollowUp(agentId, key, merged, id, this.now()),
      (mine) => this.events.emit({ type: "end", runId: mine.runId, result: mine, ts: this.now() }),
    );
    return result;
  }

  /**
   * The state directory is writable again (a probe write worked): write what is pending and close
   * the faults that were about transcripts.
   */
  recheckStorage(): void {
    this.sessions.flush();
    for (const f of this.deps.faults?.list() ?? []) if (f.id.startsWith("storage:transcripts:")) this.deps.faults?.clear(f.id);
  }

  /** Summarises older turns into a compaction entry. Returns it, or null when there is too little. */
  compactSession(agentId: string, key: string, entry: SessionEntry, runId: string, manual: boolean) {
    return this.compactor.compact(agentId, key, entry, runId, manual);
  }

  // ---- reading and managing sessions ------------------------------------------------------------

  history(sessionKey: string, limit = 200) {
    return this.views.history(sessionKey, limit);
  }

  /** `sessions.list`: OpenClaw's listing (filters, sort, defaults), newest first. */
  listSessions(opts: SessionListOptions = {}) {
    return this.views.list(opts);
  }

  /** `health`'s per-agent session summary: store path, count and the five most recent. */
  sessionSummary(agentId: string) {
    return sessionSummary(this.sessions.store(agentId), this.now());
  }

  /** `status`'s session rows (OpenClaw's shape): context use against the window, flags. */
  statusSessions() {
    return statusSessions({
      agentIds: this.agentIds(),
      store: (id) => this.sessions.store(id),
      defaults: this.sessionDefaults(),
      now: this.now(),
    });
  }

  /** The model, provider and window a new session of the default agent would use. */
  sessionDefaults() {
    return sessionDefaults(this.deps.config(), this.defaultAgentId());
  }

  /** `sessions.preview`: the last messages of each session, in OpenClaw's item shape. */
  preview(keys: string[], limit = 12, maxChars = 240) {
    return this.views.preview(keys, limit, maxChars);
  }

  /** `sessions.resolve`: the canonical key of the one session named by key, session id or label. */
  resolveSession(p: Parameters<AgentSessions["resolveSession"]>[0]) {
    return this.views.resolveSession(p);
  }

  /** `chat.inject`: an assistant note in the transcript, without running the model. */
  inject(sessionKey: string, message: string, label?: string) {
    return this.views.inject(sessionKey, message, label);
  }

  patch(sessionKey: string, patch: Parameters<AgentSessions["patch"]>[1]) {
    return this.views.patch(sessionKey, patch);
  }

  reset(sessionKey: string) {
    return this.views.reset(sessionKey);
  }

  /** Removes the entry; the transcript is kept (renamed `.deleted.<ts>`) unless `deleteTranscript`. */
  delete(sessionKey: string, deleteTranscript = false) {
    const { key, agentId, entry } = this.existing(sessionKey);
    this.queue.abort(key);
    const { archived } = this.sessions.remove(agentId, key, entry, deleteTranscript);
    return { ok: true, key, deleted: true, ...(archived ? { archived } : {}) };
  }

  async compact(sessionKey: string) {
    const { key, agentId, entry } = this.existing(sessionKey);
    const done = await this.queue.inLane(key, () => this.compactor.compact(agentId, key, entry, randomUUID(), true));
    return { ok: true, key, compacted: Boolean(done), ...(done ? { tokensBefore: done.tokensBefore } : {}) };
  }

  private existing(sessionKey: string): { key: string; agentId: string; entry: SessionEntry } {
    const { key, agentId } = this.resolveKey(sessionKey);
    const entry = this.sessions.store(agentId).get(key);
    if (!entry) throw new AgentError("NOT_FOUND", `no session ${key}`);
    return { key, agentId, entry };
  }

  listModels() {
    return this.models.list(this.agentIds(), this.defaultAgentId());
  }

  listAgents() {
    return roster.listAgents(this.deps.config());
  }

  /** Failover and load state for `status` and the Control UI. */
  status() {
    const cfg = this.deps.config();
    return runtimeStatus({
      cfg,
      defaultAgentId: this.defaultAgentId(),
      cooldowns: this.models.cooldowns(this.agentIds()),
      failovers: this.switches,
      runs: {
        active: this.queue.running,
        waiting: this.queue.waiting,
        maxConcurrent: cfg.agents?.defaults?.maxConcurrent ?? DEFAULT_MAX_CONCURRENT,
      },
      budgets: budgetsSummary({ config: cfg, agentIds: this.agentIds(), ledger: this.runner.ledger, now: this.now() }),
    });
  }

  /** What each agent and session spent per day and month (the runs' own ledger, with what is not written yet). */
  get ledger() {
    return this.runner.ledger;
  }

  /** Stops runs, writes stores, closes files. */
  async close(): Promise<void> {
    await this.queue.abortAll(new ProviderError("aborted", "gateway stopping"), 2000);
    this.runner.ledger.flush();
    this.runner.close();
    this.sessions.closeAll();
  }
}
