/**
 * The agent runtime as the gateway sees it: `send` a message to a session and get a run whose events
 * stream out (`onEvent`) and whose result arrives on `done`. Owns the session stores, transcripts,
 * lanes (one run per session, `agents.defaults.maxConcurrent` overall), failover state and chat
 * commands. Gateway methods, the OpenAI-compatible endpoint and (later) channels all call this.
 */
import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import type { OpenClawConfig } from "../config/schema.js";
import { expandHome, type Env } from "../infra/paths.js";
import type { Logger } from "../infra/logger.js";
import { StorageError, isStorageFailure, type FaultBoard } from "../infra/faults.js";
import { AuthStore } from "../providers/auth.js";
import { BUILTIN_MODEL_APIS, ProviderClients } from "../providers/index.js";
import { BUILTIN_PROVIDERS, ModelRefError, modelChainFor, modelRef, providerIds, providerInfo, resolveModel } from "../providers/models.js";
import {
  ProviderError,
  emptyUsage,
  type Api,
  type AssistantMessage,
  type ImageContent,
  type ModelSpec,
  type ProviderClient,
  type ToolCall,
  type ToolResultMessage,
  type Usage,
  type UserMessage,
} from "../providers/types.js";
import { chatTypeOf, mainSessionKey, normalizeAgentId, parseSessionKey } from "../sessions/keys.js";
import { SessionStore, type SessionEntry } from "../sessions/store.js";
import { Transcript, type MessageEntry } from "../sessions/transcript.js";
import { classifySessionKey, deriveSessionTitle, messageText, previewItems, sessionRow, type SessionRow } from "../sessions/views.js";
import { defaultTools, type ToolRegistry } from "../tools/registry.js";
import { COMMAND_HELP, parseCommand, type ChatCommand } from "./commands.js";
import { SUMMARY_SYSTEM_PROMPT, estimateTokens, planCompaction, summaryRequest, summaryText } from "./compaction.js";
import { AllModelsFailedError, streamWithFailover, type FailoverSwitch, type RunRequest } from "./failover.js";
import { KeyedMutex, Semaphore } from "./lanes.js";
import { runTurn, type TurnResult } from "./run.js";
import { SystemEvents } from "./system-events.js";
import { buildSystemPrompt, ensureWorkspace, workspaceDirFor } from "./workspace.js";

export const DEFAULT_MAX_CONCURRENT = 4;
export const DEFAULT_TIMEOUT_SECONDS = 600;
/** Largest message accepted (characters); bigger ones are refused with a clear error. */
export const MAX_MESSAGE_CHARS = 200_000;

export interface SendRequest {
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
  displayName?: string;
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
}

export class AgentError extends Error {
  constructor(
    readonly code: "UNKNOWN_AGENT" | "MESSAGE_TOO_LARGE" | "INVALID_MODEL" | "NOT_FOUND" | "EMPTY_MESSAGE" | "STORAGE" | "INVALID_REQUEST",
    message: string,
  ) {
    super(message);
    this.name = "AgentError";
  }
}

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
}

interface Pending {
  req: SendRequest;
  runId: string;
  resolve: (r: RunResult) => void;
}

interface ActiveRun {
  runId: string;
  sessionKey: string;
  controller: AbortController;
  startedAt: number;
  done: Promise<RunResult>;
}

const MAX_OPEN_TRANSCRIPTS = 32;
const IDEMPOTENCY_TTL_MS = 10 * 60_000;

export class AgentService {
  private readonly now: () => number;
  /** Model clients when none are injected: the built-in APIs, loaded on first use. */
  private builtinClients?: ProviderClients;
  private readonly listeners = new Set<(ev: RunEvent) => void>();
  private readonly lanes = new KeyedMutex();
  private readonly sem: Semaphore;
  private readonly active = new Map<string, ActiveRun>(); // by runId
  private readonly activeBySession = new Map<string, ActiveRun>();
  private readonly collected = new Map<string, Pending[]>(); // by session key, waiting behind a run
  private readonly recent = new Map<string, { handle: RunHandle; at: number }>();
  private readonly results = new Map<string, RunResult>();
  private readonly stores = new Map<string, SessionStore>();
  private readonly auths = new Map<string, AuthStore>();
  private readonly transcripts = new Map<string, Transcript>(); // LRU by file
  private readonly tools: ToolRegistry;
  /** Recent failovers, newest last (for `status`). */
  readonly switches: FailoverSwitch[] = [];
  /** Notes queued for a session's next prompt (`wake`, `system-event`). */
  readonly systemEvents = new SystemEvents(() => this.now());

  constructor(private readonly deps: AgentServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.sem = new Semaphore(deps.config().agents?.defaults?.maxConcurrent ?? DEFAULT_MAX_CONCURRENT);
    this.tools = deps.tools ?? defaultTools();
  }

  /** Config changed: apply what can change live. */
  reconfigure(): void {
    this.sem.setMax(this.deps.config().agents?.defaults?.maxConcurrent ?? DEFAULT_MAX_CONCURRENT);
  }

  onEvent(fn: (ev: RunEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(ev: RunEvent): void {
    for (const fn of this.listeners) {
      try {
        fn(ev);
      } catch (e) {
        this.deps.log.error(`run event listener failed: ${(e as Error).message}`);
      }
    }
  }

  // ---- agents and sessions -------------------------------------------------------------------

  defaultAgentId(): string {
    const list = this.deps.config().agents?.list ?? [];
    return normalizeAgentId((list.find((a) => a.default) ?? list[0])?.id ?? "main");
  }

  agentIds(): string[] {
    const list = this.deps.config().agents?.list ?? [];
    return list.length ? list.map((a) => normalizeAgentId(a.id)) : ["main"];
  }

  mainKey(): string {
    return this.deps.config().session?.mainKey ?? "main";
  }

  /** Canonical key and agent for any accepted key form; unknown agents are an error. */
  resolveKey(sessionKey: string | undefined, agentId?: string): { key: string; agentId: string } {
    const fallbackAgent = agentId ? normalizeAgentId(agentId) : this.defaultAgentId();
    const key = sessionKey?.trim() || mainSessionKey(fallbackAgent, this.mainKey());
    const parsed = parseSessionKey(key === "main" ? this.mainKey() : key, fallbackAgent);
    if (!this.agentIds().includes(parsed.agentId)) {
      throw new AgentError("UNKNOWN_AGENT", `unknown agent "${parsed.agentId}" (configured: ${this.agentIds().join(", ")})`);
    }
    return { key: parsed.canonical, agentId: parsed.agentId };
  }

  private sessionsDir(agentId: string): string {
    return path.join(this.deps.stateDir, "agents", agentId, "sessions");
  }

  store(agentId: string): SessionStore {
    let s = this.stores.get(agentId);
    if (!s) {
      const custom = this.deps.config().session?.store;
      const file = custom
        ? path.resolve(expandHome(custom.replace(/\{agentId\}/g, agentId), this.deps.env))
        : path.join(this.sessionsDir(agentId), "sessions.json");
      const fault = `storage:${file}`;
      s = new SessionStore(file, {
        onError: (m) => this.deps.log.error(m),
        onWriteFailure: (e) => {
          this.deps.log.error(`${e.message}; sessions are kept in memory and written again once it works`);
          this.deps.faults?.set(fault, e.message);
        },
        onWriteRecovered: () => {
          this.deps.log.info(`${file}: written again`);
          this.deps.faults?.clear(fault);
        },
      });
      this.stores.set(agentId, s);
    }
    return s;
  }

  auth(agentId: string): AuthStore {
    let a = this.auths.get(agentId);
    if (!a) {
      a = AuthStore.forAgent(this.deps.stateDir, agentId, this.now);
      this.auths.set(agentId, a);
    }
    return a;
  }

  private transcriptFile(agentId: string, entry: SessionEntry): string {
    if (entry.sessionFile)
      return path.isAbsolute(entry.sessionFile) ? entry.sessionFile : path.join(this.sessionsDir(agentId), entry.sessionFile);
    return path.join(this.sessionsDir(agentId), `${entry.sessionId}.jsonl`);
  }

  private transcript(agentId: string, entry: SessionEntry): Transcript {
    const file = this.transcriptFile(agentId, entry);
    let t = this.transcripts.get(file);
    if (t) {
      this.transcripts.delete(file);
      this.transcripts.set(file, t);
      return t;
    }
    t = Transcript.open(file, entry.sessionId, this.now);
    if (t.skippedLines) this.deps.log.warn(`${file}: skipped ${t.skippedLines} unreadable line(s)`);
    this.transcripts.set(file, t);
    if (this.transcripts.size > MAX_OPEN_TRANSCRIPTS) {
      const [oldest, ot] = this.transcripts.entries().next().value as [string, Transcript];
      ot.close();
      this.transcripts.delete(oldest);
    }
    return t;
  }

  private forgetTranscript(agentId: string, entry: SessionEntry): void {
    const file = this.transcriptFile(agentId, entry);
    this.transcripts.get(file)?.close();
    this.transcripts.delete(file);
  }

  /** True when the session's reset policy says its conversation is over (daily or idle). */
  private isStale(key: string, entry: SessionEntry): boolean {
    const s = this.deps.config().session;
    const type = chatTypeOf(key) === "direct" ? "dm" : "group";
    const channel = key.split(":")[2];
    const policy = (channel && s?.resetByChannel?.[channel]) || s?.resetByType?.[type] || s?.reset;
    const now = this.now();
    const idleMinutes = policy?.idleMinutes ?? (!policy ? s?.idleMinutes : undefined);
    if (idleMinutes && now - entry.updatedAt > idleMinutes * 60_000) return true;
    const mode = policy?.mode ?? (policy || !s?.idleMinutes ? "daily" : "idle");
    if (mode === "daily") {
      const boundary = new Date(now);
      boundary.setHours(policy?.atHour ?? 4, 0, 0, 0);
      if (boundary.getTime() > now) boundary.setDate(boundary.getDate() - 1);
      return entry.updatedAt < boundary.getTime();
    }
    return false;
  }

  private newEntry(key: string, prev?: SessionEntry): SessionEntry {
    const now = this.now();
    return {
      ...(prev?.label ? { label: prev.label } : {}),
      ...(prev?.modelOverride ? { modelOverride: prev.modelOverride } : {}),
      ...(prev?.displayName ? { displayName: prev.displayName } : {}),
      sessionId: randomUUID(),
      createdAt: now,
      updatedAt: now,
      chatType: chatTypeOf(key),
    };
  }

  /** The entry to run in: existing, or a fresh one after a reset boundary. */
  private currentEntry(agentId: string, key: string): SessionEntry {
    const store = this.store(agentId);
    const cur = store.get(key);
    if (cur && !this.isStale(key, cur)) return cur;
    if (cur) this.deps.log.info(`session ${key}: reset policy started a new conversation`);
    return store.set(key, this.newEntry(key, cur));
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
    this.pruneRecent();
    if (req.runId) {
      const seen = this.recent.get(req.runId);
      if (seen) return seen.handle;
    }
    const runId = req.runId ?? randomUUID();
    const command = parseCommand(text, this.deps.config().session?.resetTriggers ?? []);

    // /stop must not wait behind the run it stops.
    if (command?.name === "stop") {
      const stopped = this.abort(key);
      const at = this.now();
      const result = this.commandResult(runId, key, "stop", stopped.length ? "Stopped." : "Nothing to stop.", at);
      return this.remember({ runId, sessionKey: key, done: Promise.resolve(result) }, result);
    }

    // A message arriving while this session is busy waits and is merged with any others that arrive
    // meanwhile into one follow-up turn.
    if (!command && this.activeBySession.has(key)) {
      let resolve!: (r: RunResult) => void;
      const done = new Promise<RunResult>((r) => (resolve = r));
      const list = this.collected.get(key) ?? [];
      list.push({ req: { ...req, sessionKey: key }, runId, resolve });
      this.collected.set(key, list);
      return this.remember({ runId, sessionKey: key, done });
    }

    // A new conversation is on disk before it is acknowledged: after a crash, what is said in it can
    // be found. A full disk or read-only volume fails this request here, with the reason.
    if (!command) this.ensureSession(agentId, key);

    const done = this.lanes.run(key, () => this.execute(agentId, key, req, runId, command));
    return this.remember({ runId, sessionKey: key, done });
  }

  /** Creates the session's entry if there is none, and writes it through. */
  private ensureSession(agentId: string, key: string): void {
    const store = this.store(agentId);
    if (!store.get(key)) store.set(key, this.newEntry(key));
    try {
      store.persistPointers();
    } catch (e) {
      throw new AgentError("STORAGE", `${(e as Error).message}. Free some space or fix the volume, then send the message again.`);
    }
  }

  private remember(handle: RunHandle, result?: RunResult): RunHandle {
    this.recent.set(handle.runId, { handle, at: this.now() });
    if (result) this.results.set(handle.runId, result);
    void handle.done.then((r) => this.results.set(handle.runId, r));
    return handle;
  }

  private pruneRecent(): void {
    const cutoff = this.now() - IDEMPOTENCY_TTL_MS;
    for (const [id, v] of this.recent) {
      if (v.at >= cutoff) break;
      if (this.active.has(id)) continue;
      this.recent.delete(id);
      this.results.delete(id);
    }
  }

  /** Waits for a run's result (null on timeout or unknown run). */
  async wait(runId: string, timeoutMs: number): Promise<RunResult | null> {
    const known = this.results.get(runId);
    if (known) return known;
    const handle = this.recent.get(runId)?.handle;
    if (!handle) return null;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((r) => (timer = setTimeout(() => r(null), timeoutMs)));
    try {
      return await Promise.race([handle.done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Aborts the session's active run (or one run) and drops nothing else. Returns aborted run ids. */
  abort(sessionKey: string, runId?: string): string[] {
    const { key } = this.resolveKey(sessionKey);
    const out: string[] = [];
    for (const run of this.active.values()) {
      if (run.sessionKey !== key) continue;
      if (runId && run.runId !== runId) continue;
      run.controller.abort(new ProviderError("aborted", "aborted by request"));
      out.push(run.runId);
    }
    return out;
  }

  private commandResult(runId: string, key: string, command: string, text: string, startedAt: number): RunResult {
    const result: RunResult = { runId, sessionKey: key, status: "ok", text, command, startedAt, endedAt: this.now() };
    this.emit({ type: "start", runId, sessionKey: key, agentId: parseSessionKey(key, this.defaultAgentId()).agentId, ts: startedAt });
    this.emit({ type: "end", runId, result, ts: this.now() });
    return result;
  }

  private async execute(agentId: string, key: string, req: SendRequest, runId: string, command: ChatCommand | null): Promise<RunResult> {
    const startedAt = this.now();
    if (command) {
      let handled: Awaited<ReturnType<AgentService["runCommand"]>>;
      try {
        handled = await this.runCommand(agentId, key, command, runId, startedAt);
      } catch (e) {
        // A command that cannot save its change (a full disk) answers with the reason.
        this.noteStorageFailure(e, agentId);
        const result: RunResult = {
          runId,
          sessionKey: key,
          status: "error",
          text: "",
          error: (e as Error).message,
          command: command.name,
          startedAt,
          endedAt: this.now(),
        };
        this.emit({ type: "start", runId, sessionKey: key, agentId, ts: startedAt });
        this.emit({ type: "end", runId, result, ts: this.now() });
        return result;
      }
      if ("result" in handled) return handled.result;
      // `/new hello`: fresh session, then `hello` runs as a normal message.
      req = { ...req, text: handled.continueWith };
    }
    return this.runAgent(agentId, key, req, runId, startedAt);
  }

  /** Reports a failed state write as a fault (cleared by {@link recheckStorage}). */
  private noteStorageFailure(e: unknown, agentId: string): void {
    if (!isStorageFailure(e)) return;
    const message = e instanceof StorageError ? e.message : `cannot write state for agent ${agentId}: ${(e as Error).message}`;
    if (this.deps.faults?.set(`storage:transcripts:${agentId}`, message)) this.deps.log.error(message);
  }

  /**
   * The state directory is writable again (a probe write worked): write what is pending and close
   * the faults that were about transcripts.
   */
  recheckStorage(): void {
    for (const s of this.stores.values()) s.flush();
    for (const f of this.deps.faults?.list() ?? []) if (f.id.startsWith("storage:transcripts:")) this.deps.faults?.clear(f.id);
  }

  /** Answers a command, or says which text to send on as a normal message (`/new hello`). */
  private async runCommand(
    agentId: string,
    key: string,
    c: ChatCommand,
    runId: string,
    startedAt: number,
  ): Promise<{ result: RunResult } | { continueWith: string }> {
    const reply = (text: string) => ({ result: this.commandResult(runId, key, c.name, text, startedAt) });
    const store = this.store(agentId);
    switch (c.name) {
      case "help":
        return reply(`Commands:\n${COMMAND_HELP}`);
      case "new":
      case "reset": {
        let rest = c.rest;
        let model: string | undefined;
        const firstWord = rest.split(/\s+/)[0] ?? "";
        if (c.name === "new" && firstWord && this.isModelRef(firstWord)) {
          model = this.canonicalRef(firstWord);
          rest = rest.slice(firstWord.length).trim();
        }
        const prev = store.get(key);
        if (prev) this.forgetTranscript(agentId, prev);
        const entry = this.newEntry(key, prev);
        if (model) entry.modelOverride = model;
        store.set(key, entry);
        store.flushOrThrow();
        if (rest) return { continueWith: rest };
        return reply(`New conversation started${model ? ` with ${model}` : ""}.`);
      }
      case "model": {
        const entry = this.currentEntry(agentId, key);
        const chain = modelChainFor(this.deps.config(), agentId, entry.modelOverride);
        if (!c.arg) {
          const lines = [`Model: ${chain[0]}${entry.modelOverride ? " (set for this conversation)" : ""}`];
          if (chain.length > 1) lines.push(`Fallbacks: ${chain.slice(1).join(", ")}`);
          lines.push("Switch with /model <provider/model>, back with /model default.");
          return reply(lines.join("\n"));
        }
        if (c.arg === "default" || c.arg === "reset") {
          store.update(key, { modelOverride: undefined });
          return reply(`Model back to ${modelChainFor(this.deps.config(), agentId)[0]}.`);
        }
        try {
          resolveModel(this.deps.config(), c.arg);
        } catch (e) {
          return reply(`Cannot switch: ${(e as Error).message}`);
        }
        store.update(key, { modelOverride: this.canonicalRef(c.arg) });
        return reply(`Model for this conversation: ${this.canonicalRef(c.arg)}.`);
      }
      case "status": {
        const entry = this.currentEntry(agentId, key);
        return reply(this.statusText(agentId, key, entry));
      }
      case "compact": {
        const entry = this.currentEntry(agentId, key);
        const done = await this.compactSession(agentId, key, entry, runId, true);
        return reply(done ? `Compacted: older messages (about ${done.tokensBefore} tokens) are now a summary.` : "Nothing to compact yet.");
      }
      case "stop":
        return reply("Nothing to stop.");
    }
  }

  private isModelRef(word: string): boolean {
    try {
      resolveModel(this.deps.config(), word);
      return word.includes("/") || Object.values(this.deps.config().agents?.defaults?.models ?? {}).some((m) => m.alias === word);
    } catch {
      return false;
    }
  }

  private canonicalRef(ref: string): string {
    return modelRef(resolveModel(this.deps.config(), ref));
  }

  private statusText(agentId: string, key: string, e: SessionEntry): string {
    const cfg = this.deps.config();
    const chain = modelChainFor(cfg, agentId, e.modelOverride);
    const ref = entryModelRef(e) ?? chain[0];
    let window = e.contextTokens ?? 0;
    if (!window)
      try {
        window = resolveModel(cfg, ref!).contextWindow;
      } catch {
        /* unknown model: no percentage */
      }
    const used = e.totalTokens ?? 0;
    const pct = window && used ? ` (${Math.round((used / window) * 100)}% of ${window})` : "";
    const totals = e.usageTotals;
    return [
      `Session: ${key}`,
      `Model: ${e.modelOverride ?? ref}${e.modelOverride ? " (override)" : ""}`,
      `Tokens: ${totals?.input ?? 0} in, ${totals?.output ?? 0} out; context ${used}${pct}`,
      `Cost: $${(e.costUsd ?? 0).toFixed(4)}`,
      `Compactions: ${e.compactionCount ?? 0}`,
    ].join("\n");
  }

  private failoverStream(agentId: string) {
    const cfg = this.deps.config();
    return (chain: string[]) => (req: RunRequest) =>
      streamWithFailover(chain, req, {
        cfg,
        env: this.deps.env,
        auth: this.auth(agentId),
        loadClient: this.deps.loadClient ?? (this.builtinClients ??= new ProviderClients(BUILTIN_MODEL_APIS)).load,
        log: this.deps.log,
        now: this.now,
        onSwitch: (s) => {
          this.switches.push(s);
          if (this.switches.length > 20) this.switches.shift();
        },
      });
  }

  private async runAgent(agentId: string, key: string, req: SendRequest, runId: string, startedAt: number): Promise<RunResult> {
    const release = await this.sem.acquire();
    const controller = new AbortController();
    let resolveDone!: (r: RunResult) => void;
    const run: ActiveRun = { runId, sessionKey: key, controller, startedAt, done: new Promise((r) => (resolveDone = r)) };
    this.active.set(runId, run);
    this.activeBySession.set(key, run);
    const cfg = this.deps.config();
    const timeoutMs = req.timeoutMs ?? (cfg.agents?.defaults?.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
    const timer = setTimeout(
      () => controller.abort(new ProviderError("timeout", `run timed out after ${Math.round(timeoutMs / 1000)}s`)),
      timeoutMs,
    );
    timer.unref();
    let result: RunResult;
    try {
      this.emit({ type: "start", runId, sessionKey: key, agentId, ts: this.now() });
      const entry = this.currentEntry(agentId, key);
      // A reset boundary may have started a new transcript: record where before writing to it.
      this.store(agentId).persistPointers();
      const t = this.transcript(agentId, entry);
      const workspaceDir = workspaceDirFor(cfg, agentId, this.deps.stateDir, this.deps.env);
      ensureWorkspace(workspaceDir, cfg.agents?.defaults?.skipBootstrap);
      const systemPrompt = buildSystemPrompt({
        workspaceDir,
        maxChars: cfg.agents?.defaults?.bootstrapMaxChars,
        agentId,
        now: new Date(this.now()),
        timezone: cfg.agents?.defaults?.userTimezone,
        extra: req.extraSystemPrompt,
      });
      const chain = modelChainFor(cfg, agentId, entry.modelOverride);
      const stream = this.failoverStream(agentId)(chain);
      const user: UserMessage = {
        role: "user",
        content: req.images?.length ? [...(req.text ? [{ type: "text" as const, text: req.text }] : []), ...req.images] : req.text,
        timestamp: this.now(),
      };
      this.systemEvents.prepend(key, user, cfg);
      const turnOpts = {
        transcript: t,
        user,
        systemPrompt,
        tools: this.tools,
        toolCtx: { sessionKey: key, agentId, workspaceDir, now: this.now },
        stream,
        signal: controller.signal,
        idleTimeoutMs: this.deps.modelIdleTimeoutMs ?? 90_000,
        now: this.now,
        events: {
          onModel: (m: ModelSpec, profileId: string) =>
            this.emit({ type: "model", runId, sessionKey: key, model: modelRef(m), profileId, ts: this.now() }),
          onText: (delta: string, text: string) => this.emit({ type: "text", runId, sessionKey: key, delta, text, ts: this.now() }),
          onToolStart: (call: ToolCall) => this.emit({ type: "tool", runId, sessionKey: key, phase: "start", call, ts: this.now() }),
          onToolEnd: (call: ToolCall, r: ToolResultMessage) =>
            this.emit({ type: "tool", runId, sessionKey: key, phase: "end", call, result: r, ts: this.now() }),
        },
      };
      let turn: TurnResult = await runTurn(turnOpts);
      if (turn.status === "error" && turn.error instanceof ProviderError && turn.error.kind === "context_overflow") {
        // Too long for the model: summarise older turns, then try once more.
        const compacted = await this.compactSession(agentId, key, entry, runId, true);
        if (compacted) turn = await runTurn({ ...turnOpts, user: { ...user, timestamp: this.now() } });
      }
      if (controller.signal.reason instanceof ProviderError && controller.signal.reason.kind === "timeout" && turn.status === "aborted") {
        turn = { ...turn, status: "error", error: controller.signal.reason };
      }
      this.recordUsage(agentId, key, turn);
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
        endedAt: this.now(),
      };
      if (turn.status === "error") this.deps.log.warn(`run ${runId} in ${key} failed: ${result.error}`);
      if (turn.status === "ok" && turn.model) await this.maybeCompact(agentId, key, turn, runId);
    } catch (e) {
      const message = e instanceof ModelRefError || e instanceof AgentError ? e.message : describeError(e as Error);
      if (isStorageFailure(e)) this.noteStorageFailure(e, agentId);
      else this.deps.log.error(`run ${runId} in ${key} failed: ${(e as Error)?.stack ?? e}`);
      result = { runId, sessionKey: key, status: "error", text: "", error: message, startedAt, endedAt: this.now() };
    } finally {
      clearTimeout(timer);
      this.active.delete(runId);
      if (this.activeBySession.get(key) === run) this.activeBySession.delete(key);
      release();
    }
    resolveDone(result);
    this.emit({ type: "end", runId, result, ts: this.now() });
    this.startCollected(agentId, key);
    return result;
  }

  /** Runs the messages collected while the session was busy as one turn. */
  private startCollected(agentId: string, key: string): void {
    const list = this.collected.get(key);
    if (!list?.length) return;
    this.collected.delete(key);
    const [first, ...rest] = list as [Pending, ...Pending[]];
    const merged: SendRequest = {
      ...first.req,
      text: list
        .map((p) => p.req.text)
        .filter((t) => t.trim())
        .join("\n\n"),
      images: list.flatMap((p) => p.req.images ?? []),
    };
    const done = this.lanes.run(key, () => this.runAgent(agentId, key, merged, first.runId, this.now()));
    void done.then((r) => {
      first.resolve(r);
      for (const p of rest) {
        const mine = { ...r, runId: p.runId, mergedInto: r.runId };
        p.resolve(mine);
        this.emit({ type: "end", runId: p.runId, result: mine, ts: this.now() });
      }
    });
  }

  /**
   * Stores the run on the session entry as OpenClaw does (the last call's token counts, the model and
   * its context window), plus lifetime totals and spend.
   */
  private recordUsage(agentId: string, key: string, turn: TurnResult): void {
    const store = this.store(agentId);
    const e = store.get(key);
    if (!e) return;
    const u = turn.usage;
    const last = turn.final?.usage;
    const totals = e.usageTotals ?? { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 };
    const prompt = last ? last.input + last.cacheRead + last.cacheWrite : 0;
    store.update(key, {
      updatedAt: this.now(),
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

  /** Compacts when the last call used most of the window. */
  private async maybeCompact(agentId: string, key: string, turn: TurnResult, runId: string): Promise<void> {
    const cfg = this.deps.config();
    const window = cfg.agents?.defaults?.contextTokens ?? turn.model!.contextWindow;
    const reserve = Math.min(cfg.agents?.defaults?.compaction?.reserveTokensFloor ?? 20_000, Math.floor(window * 0.25));
    if (turn.contextTokens <= window - reserve) return;
    const entry = this.store(agentId).get(key);
    if (entry) await this.compactSession(agentId, key, entry, runId, false);
  }

  /** Summarises older turns into a compaction entry. Returns it, or null when there is too little. */
  async compactSession(
    agentId: string,
    key: string,
    entry: SessionEntry,
    runId: string,
    manual: boolean,
  ): Promise<{ tokensBefore: number } | null> {
    const cfg = this.deps.config();
    const t = this.transcript(agentId, entry);
    const chain = modelChainFor(cfg, agentId, entry.modelOverride);
    let window = 128_000;
    try {
      window = cfg.agents?.defaults?.contextTokens ?? resolveModel(cfg, entryModelRef(entry) ?? chain[0]!).contextWindow;
    } catch {
      /* default window */
    }
    const keepRecent = Math.min(20_000, Math.floor(window * 0.3));
    const plan = planCompaction(t, keepRecent);
    if (!plan) return null;
    try {
      const gen = this.failoverStream(agentId)(chain)({ systemPrompt: SUMMARY_SYSTEM_PROMPT, messages: summaryRequest(plan.older) });
      let step = await gen.next();
      while (!step.done) step = await gen.next();
      const summary = summaryText(step.value);
      if (!summary) throw new Error("the model returned an empty summary");
      t.append([{ type: "compaction", summary, firstKeptEntryId: plan.firstKeptEntryId, tokensBefore: plan.tokensBefore }], this.now);
      t.sync();
      const store = this.store(agentId);
      store.update(key, { compactionCount: (store.get(key)?.compactionCount ?? 0) + 1, totalTokens: estimateTokens(t.context()) });
      this.deps.log.info(`session ${key}: ${manual ? "compacted" : "auto-compacted"} ${plan.tokensBefore} tokens of history`);
      this.emit({ type: "compaction", runId, sessionKey: key, tokensBefore: plan.tokensBefore, ts: this.now() });
      return { tokensBefore: plan.tokensBefore };
    } catch (e) {
      this.deps.log.warn(`session ${key}: compaction failed: ${(e as Error).message}`);
      return null;
    }
  }

  // ---- reading and managing sessions ------------------------------------------------------------

  history(sessionKey: string, limit = 200) {
    const { key, agentId } = this.resolveKey(sessionKey);
    const entry = this.store(agentId).get(key);
    if (!entry) return { sessionKey: key, sessionId: null as string | null, messages: [] as unknown[] };
    // Reading never creates files (a read-only volume still shows what it has).
    const file = this.transcriptFile(agentId, entry);
    if (!this.transcripts.has(file) && !fs.existsSync(file))
      return { sessionKey: key, sessionId: entry.sessionId, messages: [] as unknown[], thinkingLevel: entry.thinkingLevel ?? "off" };
    const t = this.transcript(agentId, entry);
    const messages = t.messages().map((e: MessageEntry) => e.message);
    return { sessionKey: key, sessionId: entry.sessionId, messages: messages.slice(-limit), thinkingLevel: entry.thinkingLevel ?? "off" };
  }

  /** `sessions.list`: OpenClaw's listing (filters, sort, defaults), newest first. */
  listSessions(opts: SessionListOptions = {}) {
    const now = this.now();
    const cfg = this.deps.config();
    const defaults = this.sessionDefaults();
    const agents = opts.agentId ? [normalizeAgentId(opts.agentId)] : this.agentIds();
    const label = opts.label?.trim();
    const search = opts.search?.trim().toLowerCase();
    const windows = new Map<string, number | undefined>();
    const windowFor = (agentId: string, e: SessionEntry): number | undefined => {
      const ref = e.modelOverride ?? modelChainFor(cfg, agentId)[0];
      if (!ref) return undefined;
      if (!windows.has(ref)) {
        let w: number | undefined;
        try {
          w = cfg.agents?.defaults?.contextTokens ?? resolveModel(cfg, ref).contextWindow;
        } catch {
          w = undefined;
        }
        windows.set(ref, w);
      }
      return windows.get(ref);
    };
    let rows: Array<SessionRow & { file: string }> = [];
    for (const agentId of agents) {
      for (const [key, e] of this.store(agentId).list()) {
        if (!opts.includeGlobal && key === "global") continue;
        if (!opts.includeUnknown && key === "unknown") continue;
        if (opts.spawnedBy && e.spawnedBy !== opts.spawnedBy) continue;
        if (label && e.label !== label) continue;
        const row = sessionRow(key, e, {
          agentId,
          active: this.activeBySession.has(key),
          defaultContextTokens: e.contextTokens ?? windowFor(agentId, e),
        });
        rows.push(Object.assign(row, { file: this.transcriptFile(agentId, e) }));
      }
    }
    rows.sort((a, b) => (b.updatedAt ?? 0) - (a.updatedAt ?? 0));
    if (search)
      rows = rows.filter((r) =>
        [r.displayName, r.label, r.subject, r.sessionId, r.key].some((f) => typeof f === "string" && f.toLowerCase().includes(search)),
      );
    if (opts.activeMinutes) rows = rows.filter((r) => (r.updatedAt ?? 0) >= now - opts.activeMinutes! * 60_000);
    if (opts.limit) rows = rows.slice(0, Math.max(1, Math.floor(opts.limit)));
    const sessions: SessionRow[] = rows.map(({ file, ...row }) => {
      if (!opts.includeDerivedTitles && !opts.includeLastMessage) return row;
      // Like OpenClaw: the title from the first 8 KB of the transcript, the last message from its last 16 KB.
      const out: SessionRow = { ...row };
      if (opts.includeDerivedTitles) {
        const first = this.readMessages(file, { from: "head", bytes: 8192 }).find((m) => (m as { role?: string }).role === "user");
        out.derivedTitle = deriveSessionTitle(this.store(row.agentId).get(row.key)!, first ? messageText(first as never) : undefined);
      }
      if (opts.includeLastMessage) {
        const last = this.readMessages(file, { from: "tail", bytes: 16384 })
          .reverse()
          .find((m) => ["user", "assistant"].includes((m as { role?: string }).role ?? "") && messageText(m as never));
        if (last) out.lastMessagePreview = messageText(last as never);
      }
      return out;
    });
    const storePath = agents.length === 1 ? this.store(agents[0]!).file : "(multiple)";
    return { ts: now, path: storePath, count: sessions.length, defaults, sessions };
  }

  /** `health`'s per-agent session summary: store path, count and the five most recent. */
  sessionSummary(agentId: string) {
    const now = this.now();
    const store = this.store(agentId);
    const rows = store
      .list()
      .filter(([key]) => key !== "global" && key !== "unknown")
      .map(([key, e]) => ({ key, updatedAt: e.updatedAt ?? 0 }))
      .sort((a, b) => b.updatedAt - a.updatedAt);
    return {
      path: store.file,
      count: rows.length,
      recent: rows.slice(0, 5).map((r) => ({ key: r.key, updatedAt: r.updatedAt || null, age: r.updatedAt ? now - r.updatedAt : null })),
    };
  }

  /** `status`'s session rows (OpenClaw's shape): context use against the window, flags. */
  statusSessions() {
    const now = this.now();
    const defaults = this.sessionDefaults();
    const paths: string[] = [];
    const all: Array<Record<string, unknown> & { updatedAt: number | null }> = [];
    const byAgent = this.agentIds().map((agentId) => {
      const store = this.store(agentId);
      paths.push(store.file);
      const rows = store
        .list()
        .filter(([key]) => key !== "global" && key !== "unknown")
        .map(([key, e]) => {
          const updatedAt = e.updatedAt ?? null;
          const contextTokens = e.contextTokens ?? defaults.contextTokens;
          const total = e.totalTokens ?? (e.inputTokens ?? 0) + (e.outputTokens ?? 0);
          const flags = [
            ...(["thinkingLevel", "verboseLevel", "reasoningLevel", "elevatedLevel"] as const)
              .filter((f) => typeof e[f] === "string" && e[f])
              .map((f) => `${f.replace("Level", "").replace("thinking", "think")}:${e[f]}`),
            ...(e.systemSent ? ["system"] : []),
            ...(e.abortedLastRun ? ["aborted"] : []),
            ...(e.sessionId ? [`id:${e.sessionId}`] : []),
          ];
          return {
            agentId,
            key,
            kind: classifySessionKey(key, e),
            sessionId: e.sessionId,
            updatedAt,
            age: updatedAt ? now - updatedAt : null,
            thinkingLevel: e.thinkingLevel,
            verboseLevel: e.verboseLevel,
            reasoningLevel: e.reasoningLevel,
            elevatedLevel: e.elevatedLevel,
            systemSent: e.systemSent,
            abortedLastRun: e.abortedLastRun,
            inputTokens: e.inputTokens,
            outputTokens: e.outputTokens,
            totalTokens: total,
            remainingTokens: contextTokens != null ? Math.max(0, contextTokens - total) : null,
            percentUsed: contextTokens ? Math.min(999, Math.round((total / contextTokens) * 100)) : null,
            model: e.model ?? defaults.model,
            contextTokens,
            flags,
          };
        })
        .sort((a, b) => (b.updatedAt ?? 0) - (a.updatedAt ?? 0));
      all.push(...rows);
      return { agentId, path: store.file, count: rows.length, recent: rows.slice(0, 10) };
    });
    all.sort((a, b) => (b.updatedAt ?? 0) - (a.updatedAt ?? 0));
    return {
      paths,
      count: all.length,
      defaults: { model: defaults.model, contextTokens: defaults.contextTokens },
      recent: all.slice(0, 10),
      byAgent,
    };
  }

  /** The model, provider and window a new session of the default agent would use. */
  sessionDefaults(): { modelProvider: string | null; model: string | null; contextTokens: number | null } {
    const cfg = this.deps.config();
    const ref = modelChainFor(cfg, this.defaultAgentId())[0];
    if (!ref) return { modelProvider: null, model: null, contextTokens: cfg.agents?.defaults?.contextTokens ?? null };
    try {
      const m = resolveModel(cfg, ref);
      return { modelProvider: m.provider, model: m.id, contextTokens: cfg.agents?.defaults?.contextTokens ?? m.contextWindow };
    } catch {
      const slash = ref.indexOf("/");
      return {
        modelProvider: slash > 0 ? ref.slice(0, slash) : null,
        model: slash > 0 ? ref.slice(slash + 1) : ref,
        contextTokens: cfg.agents?.defaults?.contextTokens ?? null,
      };
    }
  }

  /**
   * Transcript messages, read without opening the transcript for writing (nothing is created): from
   * memory when it is open, else the first or last `bytes` of the file (all of it without a window).
   */
  private readMessages(file: string, window?: { from: "head" | "tail"; bytes: number }): unknown[] {
    const open = this.transcripts.get(file);
    if (open) return open.messages().map((e: MessageEntry) => e.message);
    if (!fs.existsSync(file)) return [];
    try {
      return Transcript.readMessages(file, window);
    } catch {
      return [];
    }
  }

  /** `sessions.preview`: the last messages of each session, in OpenClaw's item shape. */
  preview(keys: string[], limit = 12, maxChars = 240) {
    return keys.map((k) => {
      try {
        const { key, agentId } = this.resolveKey(k);
        const entry = this.store(agentId).get(key);
        if (!entry?.sessionId) return { key: k, status: "missing" as const, items: [] };
        // The end of the transcript, read in growing windows until something shows (at most 1 MB).
        const file = this.transcriptFile(agentId, entry);
        let items: ReturnType<typeof previewItems> = [];
        for (const bytes of [64 * 1024, 256 * 1024, 1024 * 1024]) {
          items = previewItems(this.readMessages(file, { from: "tail", bytes }), limit, maxChars);
          if (items.length > 0 || this.transcripts.has(file)) break;
        }
        return { key: k, status: items.length > 0 ? ("ok" as const) : ("empty" as const), items };
      } catch {
        return { key: k, status: "error" as const, items: [] };
      }
    });
  }

  /** `sessions.resolve`: the canonical key of the one session named by key, session id or label. */
  resolveSession(p: {
    key?: string;
    sessionId?: string;
    label?: string;
    agentId?: string;
    spawnedBy?: string;
    includeGlobal?: boolean;
    includeUnknown?: boolean;
  }) {
    const key = p.key?.trim();
    const sessionId = p.sessionId?.trim();
    const label = p.label?.trim();
    const given = [key, sessionId, label].filter(Boolean).length;
    if (given > 1) throw new AgentError("INVALID_REQUEST", "Provide either key, sessionId, or label (not multiple)");
    if (given === 0) throw new AgentError("INVALID_REQUEST", "Either key, sessionId, or label is required");
    const filters = { includeGlobal: p.includeGlobal, includeUnknown: p.includeUnknown, spawnedBy: p.spawnedBy, agentId: p.agentId };
    if (key) {
      const r = this.resolveKey(key);
      if (!this.store(r.agentId).get(r.key)) throw new AgentError("INVALID_REQUEST", `No session found: ${key}`);
      return { ok: true, key: r.key };
    }
    if (sessionId) {
      const matches = this.listSessions({ ...filters, search: sessionId }).sessions.filter(
        (s) => s.sessionId === sessionId || s.key === sessionId,
      );
      if (matches.length === 0) throw new AgentError("INVALID_REQUEST", `No session found: ${sessionId}`);
      if (matches.length > 1)
        throw new AgentError(
          "INVALID_REQUEST",
          `Multiple sessions found for sessionId: ${sessionId} (${matches.map((s) => s.key).join(", ")})`,
        );
      return { ok: true, key: matches[0]!.key };
    }
    const found = this.listSessions({ ...filters, label, limit: 2 }).sessions;
    if (found.length === 0) throw new AgentError("INVALID_REQUEST", `No session found with label: ${label}`);
    if (found.length > 1)
      throw new AgentError("INVALID_REQUEST", `Multiple sessions found with label: ${label} (${found.map((s) => s.key).join(", ")})`);
    return { ok: true, key: found[0]!.key };
  }

  /**
   * `chat.inject`: appends an assistant note to a session's transcript without running the model
   * (the UI shows it at once; the model sees it on the next turn).
   */
  inject(sessionKey: string, message: string, label?: string) {
    const { key, agentId } = this.resolveKey(sessionKey);
    const entry = this.store(agentId).get(key);
    if (!entry?.sessionId) throw new AgentError("INVALID_REQUEST", "session not found");
    const file = this.transcriptFile(agentId, entry);
    if (!this.transcripts.has(file) && !fs.existsSync(file)) throw new AgentError("INVALID_REQUEST", "transcript file not found");
    const now = this.now();
    const msg = {
      role: "assistant" as const,
      content: [{ type: "text" as const, text: `${label ? `[${label}]\n\n` : ""}${message}` }],
      timestamp: now,
      stopReason: "injected",
      usage: { ...emptyUsage() },
    } as unknown as AssistantMessage;
    const t = this.transcript(agentId, entry);
    const [appended] = t.append([{ type: "message", message: msg }], this.now);
    t.sync();
    this.store(agentId).update(key, { updatedAt: now });
    return { messageId: (appended as { id?: string } | undefined)?.id ?? randomUUID().slice(0, 8), message: msg, key };
  }

  private existing(sessionKey: string): { key: string; agentId: string; entry: SessionEntry } {
    const { key, agentId } = this.resolveKey(sessionKey);
    const entry = this.store(agentId).get(key);
    if (!entry) throw new AgentError("NOT_FOUND", `no session ${key}`);
    return { key, agentId, entry };
  }

  patch(
    sessionKey: string,
    patch: { label?: string | null; model?: string | null; thinkingLevel?: string | null; sendPolicy?: "allow" | "deny" | null },
  ) {
    const { key, agentId } = this.resolveKey(sessionKey);
    const store = this.store(agentId);
    if (!store.get(key)) store.set(key, this.newEntry(key));
    const next: Partial<SessionEntry> = {};
    if (patch.label !== undefined) next.label = patch.label ?? undefined;
    if (patch.thinkingLevel !== undefined) next.thinkingLevel = patch.thinkingLevel ?? undefined;
    if (patch.sendPolicy !== undefined) next.sendPolicy = patch.sendPolicy ?? undefined;
    if (patch.model !== undefined) {
      if (patch.model === null) next.modelOverride = undefined;
      else {
        try {
          next.modelOverride = this.canonicalRef(patch.model);
        } catch (e) {
          throw new AgentError("INVALID_MODEL", (e as Error).message);
        }
      }
    }
    return { ok: true, key, entry: store.update(key, next) };
  }

  reset(sessionKey: string) {
    const { key, agentId } = this.resolveKey(sessionKey);
    const store = this.store(agentId);
    const prev = store.get(key);
    if (prev) this.forgetTranscript(agentId, prev);
    const entry = store.set(key, this.newEntry(key, prev));
    store.flushOrThrow();
    return { ok: true, key, entry };
  }

  /** Removes the entry; the transcript is kept (renamed `.deleted.<ts>`) unless `deleteTranscript`. */
  delete(sessionKey: string, deleteTranscript = false) {
    const { key, agentId, entry } = this.existing(sessionKey);
    this.abort(key);
    this.forgetTranscript(agentId, entry);
    const file = this.transcriptFile(agentId, entry);
    let archived: string | undefined;
    if (fs.existsSync(file)) {
      if (deleteTranscript) fs.rmSync(file, { force: true });
      else {
        archived = `${file}.deleted.${this.now()}`;
        fs.renameSync(file, archived);
      }
    }
    const store = this.store(agentId);
    store.delete(key);
    store.flushOrThrow();
    return { ok: true, key, deleted: true, ...(archived ? { archived } : {}) };
  }

  async compact(sessionKey: string) {
    const { key, agentId, entry } = this.existing(sessionKey);
    const done = await this.lanes.run(key, () => this.compactSession(agentId, key, entry, randomUUID(), true));
    return { ok: true, key, compacted: Boolean(done), ...(done ? { tokensBefore: done.tokensBefore } : {}) };
  }

  listModels() {
    const cfg = this.deps.config();
    const seen = new Set<string>();
    const out: Array<{
      id: string;
      name: string;
      provider: string;
      contextWindow: number;
      reasoning: boolean;
      input: Array<"text" | "image">;
      ref: string;
      configured: boolean;
    }> = [];
    const add = (ref: string, configured: boolean) => {
      try {
        const m = resolveModel(cfg, ref);
        const r = modelRef(m);
        if (seen.has(r)) return;
        seen.add(r);
        out.push({
          id: m.id,
          name: m.name ?? m.id,
          provider: m.provider,
          contextWindow: m.contextWindow,
          reasoning: Boolean(m.reasoning),
          input: m.input,
          ref: r,
          configured,
        });
      } catch {
        /* a bad ref is reported where it is used */
      }
    };
    for (const agentId of this.agentIds()) for (const ref of modelChainFor(cfg, agentId)) add(ref, true);
    for (const ref of Object.keys(cfg.agents?.defaults?.models ?? {})) add(ref, true);
    for (const id of providerIds(cfg)) {
      const p = providerInfo(cfg, id);
      if (!p) continue;
      const hasKey = this.auth(this.defaultAgentId()).credentials(cfg, p, this.deps.env).length > 0;
      if (!hasKey && BUILTIN_PROVIDERS[id]) continue;
      for (const modelId of Object.keys(p.models)) add(`${id}/${modelId}`, false);
    }
    return { models: out };
  }

  listAgents() {
    const list = this.deps.config().agents?.list ?? [];
    return {
      defaultId: this.defaultAgentId(),
      mainKey: this.mainKey(),
      scope: this.deps.config().session?.scope ?? "per-sender",
      agents: (list.length ? list : [{ id: "main" }]).map((a) => ({
        id: normalizeAgentId(a.id),
        ...((a as { name?: string }).name ? { name: (a as { name?: string }).name } : {}),
      })),
    };
  }

  /** Failover and load state for `status` and the Control UI. */
  status() {
    const cfg = this.deps.config();
    const now = this.now();
    const agentId = this.defaultAgentId();
    const chain = modelChainFor(cfg, agentId);
    const cooldowns: Array<Record<string, unknown>> = [];
    for (const id of this.agentIds()) {
      for (const [profileId, s] of Object.entries(this.auth(id).allStats())) {
        const until = Math.max(s.cooldownUntil ?? 0, s.disabledUntil ?? 0);
        if (until > now)
          cooldowns.push({
            agentId: id,
            profileId,
            until,
            remainingMs: until - now,
            reason: s.disabledReason ?? "cooldown",
            errorCount: s.errorCount ?? 0,
            lastError: s.lastError,
          });
      }
    }
    return {
      model: { primary: chain[0], fallbacks: chain.slice(1) },
      cooldowns,
      failovers: this.switches.slice(-10),
      runs: {
        active: this.sem.running,
        waiting: this.sem.waiting,
        maxConcurrent: cfg.agents?.defaults?.maxConcurrent ?? DEFAULT_MAX_CONCURRENT,
      },
    };
  }

  /** Stops runs, writes stores, closes files. */
  async close(): Promise<void> {
    for (const run of this.active.values()) run.controller.abort(new ProviderError("aborted", "gateway stopping"));
    await Promise.race([Promise.allSettled([...this.active.values()].map((r) => r.done)), new Promise((r) => setTimeout(r, 2000))]);
    for (const s of this.stores.values()) s.flush();
    for (const t of this.transcripts.values()) t.close();
    this.transcripts.clear();
  }
}

function describeError(e: Error): string {
  if (e instanceof AllModelsFailedError) return e.message;
  if (e instanceof ProviderError)
    return `${e.provider ? `${e.provider}${e.model ? `/${e.model}` : ""}: ` : ""}${e.kind === "timeout" ? "" : `${e.kind}: `}${e.message}`;
  return e.message;
}

/** `provider/model` of the entry's last run, when it had one. */
export function entryModelRef(e: SessionEntry): string | undefined {
  if (!e.model) return undefined;
  return e.modelProvider ? `${e.modelProvider}/${e.model}` : e.model;
}

export { emptyUsage };
