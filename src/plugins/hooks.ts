/**
 * Running what plugins registered for the agent's life: typed hooks (`api.on(name, handler, {priority})`)
 * and chat commands (`api.registerCommand`), with OpenClaw 2026.1.29's semantics.
 *
 * Hooks run highest priority first (registration order among equals), in one of three ways:
 *
 * - modifying hooks are awaited one handler after another and their results merged:
 *   `before_agent_start` (`systemPrompt`: the last one set wins; `prependContext`: joined with a blank
 *   line), `message_sending` (`content`, `cancel`: the last one set wins), `before_tool_call`
 *   (`params`, `block`, `blockReason`: the last one set wins);
 * - `tool_result_persist` is synchronous: each handler may return `{ message }` to replace the tool
 *   result handed to the next one and then written to the transcript; a handler returning a promise
 *   is ignored (with a warning);
 * - every other hook (`agent_end`, `before_compaction`, `after_compaction`, `message_received`,
 *   `message_sent`, `after_tool_call`, `session_start`, `session_end`, `gateway_start`,
 *   `gateway_stop`) runs its handlers in parallel; callers start them and do not wait.
 *
 * A handler that throws or rejects never breaks the run: it is logged with its plugin's id, the
 * plugin's record is marked `status: "error"` (`error: "<hook> hook failed: <message>"`, as
 * `openclaw plugins list` shows it), and that plugin's handlers and commands are skipped from then on.
 *
 * Only the gateway's start-up imports this module, and only when plugins are loaded; the agent, the
 * router and delivery take the runner as an optional dependency and skip all of this without it.
 */
import type { CommandRegistration, PluginHookName, PluginRegistry, TypedHookRegistration } from "./registry.js";

/** What the runner logs to. */
export interface HookLogger {
  debug?(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

// ---- events and contexts (field names as in OpenClaw) --------------------------------------------

export interface AgentHookContext {
  agentId?: string;
  sessionKey?: string;
  workspaceDir?: string;
  /** The channel the message came from (`telegram`, `webchat`, …). */
  messageProvider?: string;
}
export interface BeforeAgentStartEvent {
  /** The user's message. */
  prompt: string;
  /** The conversation so far, as the model will see it. */
  messages?: unknown[];
}
export interface BeforeAgentStartResult {
  systemPrompt?: string;
  /** Put before the user's message (and kept with it in the transcript). */
  prependContext?: string;
}
export interface AgentEndEvent {
  messages: unknown[];
  success: boolean;
  error?: string;
  durationMs?: number;
}
export interface BeforeCompactionEvent {
  messageCount: number;
  tokenCount?: number;
}
export interface AfterCompactionEvent {
  messageCount: number;
  tokenCount?: number;
  compactedCount: number;
}

export interface MessageHookContext {
  channelId: string;
  accountId?: string;
  conversationId?: string;
}
export interface MessageReceivedEvent {
  from: string;
  content: string;
  timestamp?: number;
  metadata?: Record<string, unknown>;
}
export interface MessageSendingEvent {
  to: string;
  content: string;
  metadata?: Record<string, unknown>;
}
export interface MessageSendingResult {
  content?: string;
  cancel?: boolean;
}
export interface MessageSentEvent {
  to: string;
  content: string;
  success: boolean;
  error?: string;
}

export interface ToolHookContext {
  agentId?: string;
  sessionKey?: string;
  toolName: string;
}
export interface BeforeToolCallEvent {
  toolName: string;
  params: Record<string, unknown>;
}
export interface BeforeToolCallResult {
  params?: Record<string, unknown>;
  block?: boolean;
  blockReason?: string;
}
export interface AfterToolCallEvent {
  toolName: string;
  params: Record<string, unknown>;
  result?: unknown;
  error?: string;
  durationMs?: number;
}
export interface ToolResultPersistContext {
  agentId?: string;
  sessionKey?: string;
  toolName?: string;
  toolCallId?: string;
}
export interface ToolResultPersistEvent<M = unknown> {
  toolName?: string;
  toolCallId?: string;
  /** The tool result about to be written to the transcript. */
  message: M;
  isSynthetic?: boolean;
}

export interface SessionHookContext {
  agentId?: string;
  sessionId: string;
}
export interface SessionStartEvent {
  sessionId: string;
  resumedFrom?: string;
}
export interface SessionEndEvent {
  sessionId: string;
  messageCount: number;
  durationMs?: number;
}

export interface GatewayHookContext {
  port?: number;
}
export interface GatewayStartEvent {
  port: number;
}
export interface GatewayStopEvent {
  reason?: string;
}

// ---- the runner ------------------------------------------------------------------------------------

export interface HookRunner {
  /** Whether any usable handler is registered for the hook (callers skip building events otherwise). */
  hasHooks(name: PluginHookName): boolean;
  getHookCount(name: PluginHookName): number;

  runBeforeAgentStart(event: BeforeAgentStartEvent, ctx: AgentHookContext): Promise<BeforeAgentStartResult | undefined>;
  runAgentEnd(event: AgentEndEvent, ctx: AgentHookContext): Promise<void>;
  runBeforeCompaction(event: BeforeCompactionEvent, ctx: AgentHookContext): Promise<void>;
  runAfterCompaction(event: AfterCompactionEvent, ctx: AgentHookContext): Promise<void>;

  runMessageReceived(event: MessageReceivedEvent, ctx: MessageHookContext): Promise<void>;
  runMessageSending(event: MessageSendingEvent, ctx: MessageHookContext): Promise<MessageSendingResult | undefined>;
  runMessageSent(event: MessageSentEvent, ctx: MessageHookContext): Promise<void>;

  runBeforeToolCall(event: BeforeToolCallEvent, ctx: ToolHookContext): Promise<BeforeToolCallResult | undefined>;
  runAfterToolCall(event: AfterToolCallEvent, ctx: ToolHookContext): Promise<void>;
  runToolResultPersist<M>(event: ToolResultPersistEvent<M>, ctx: ToolResultPersistContext): { message: M } | undefined;

  runSessionStart(event: SessionStartEvent, ctx: SessionHookContext): Promise<void>;
  runSessionEnd(event: SessionEndEvent, ctx: SessionHookContext): Promise<void>;

  runGatewayStart(event: GatewayStartEvent, ctx: GatewayHookContext): Promise<void>;
  runGatewayStop(event: GatewayStopEvent, ctx: GatewayHookContext): Promise<void>;
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function createHookRunner(registry: PluginRegistry, logger: HookLogger): HookRunner {
  const handlers = (name: PluginHookName): TypedHookRegistration[] =>
    registry.hookHandlers(name).filter((h) => registry.usable(h.pluginId));

  const failed = (name: PluginHookName, hook: TypedHookRegistration, err: unknown): void => {
    const message = messageOf(err);
    logger.error(`plugin ${hook.pluginId}: ${name} hook failed: ${message}; its hooks and commands are off until the gateway restarts`);
    registry.markFailed(hook.pluginId, `${name} hook failed: ${message}`);
  };

  /** All handlers at once; resolves when every one has settled, never rejects. */
  async function runParallel(name: PluginHookName, event: unknown, ctx: unknown): Promise<void> {
    const list = handlers(name);
    if (list.length === 0) return;
    logger.debug?.(`running ${name} (${list.length} handler(s))`);
    await Promise.all(
      list.map(async (hook) => {
        try {
          await hook.handler(event, ctx);
        } catch (err) {
          failed(name, hook, err);
        }
      }),
    );
  }

  /** One handler after another; object results are merged (`merge(acc, next)`). */
  async function runSequential<R extends Obj>(
    name: PluginHookName,
    event: unknown,
    ctx: unknown,
    merge: (acc: R, next: R) => R,
  ): Promise<R | undefined> {
    const list = handlers(name);
    if (list.length === 0) return undefined;
    logger.debug?.(`running ${name} (${list.length} handler(s), in order)`);
    let result: R | undefined;
    for (const hook of list) {
      if (!registry.usable(hook.pluginId)) continue;
      try {
        const out: unknown = await hook.handler(event, ctx);
        if (isObject(out)) result = result === undefined ? (out as R) : merge(result, out as R);
      } catch (err) {
        failed(name, hook, err);
      }
    }
    return result;
  }

  return {
    hasHooks: (name) => handlers(name).length > 0,
    getHookCount: (name) => handlers(name).length,

    runBeforeAgentStart: (event, ctx) =>
      runSequential<BeforeAgentStartResult & Obj>("before_agent_start", event, ctx, (acc, next) => ({
        systemPrompt: next.systemPrompt ?? acc.systemPrompt,
        prependContext:
          acc.prependContext && next.prependContext
            ? `${acc.prependContext}\n\n${next.prependContext}`
            : (next.prependContext ?? acc.prependContext),
      })),
    runAgentEnd: (event, ctx) => runParallel("agent_end", event, ctx),
    runBeforeCompaction: (event, ctx) => runParallel("before_compaction", event, ctx),
    runAfterCompaction: (event, ctx) => runParallel("after_compaction", event, ctx),

    runMessageReceived: (event, ctx) => runParallel("message_received", event, ctx),
    runMessageSending: (event, ctx) =>
      runSequential<MessageSendingResult & Obj>("message_sending", event, ctx, (acc, next) => ({
        content: next.content ?? acc.content,
        cancel: next.cancel ?? acc.cancel,
      })),
    runMessageSent: (event, ctx) => runParallel("message_sent", event, ctx),

    runBeforeToolCall: (event, ctx) =>
      runSequential<BeforeToolCallResult & Obj>("before_tool_call", event, ctx, (acc, next) => ({
        params: next.params ?? acc.params,
        block: next.block ?? acc.block,
        blockReason: next.blockReason ?? acc.blockReason,
      })),
    runAfterToolCall: (event, ctx) => runParallel("after_tool_call", event, ctx),
    runToolResultPersist<M>(event: ToolResultPersistEvent<M>, ctx: ToolResultPersistContext) {
      const list = handlers("tool_result_persist");
      if (list.length === 0) return undefined;
      let message = event.message;
      for (const hook of list) {
        if (!registry.usable(hook.pluginId)) continue;
        try {
          const out: unknown = hook.handler({ ...event, message }, ctx);
          if (out && typeof (out as PromiseLike<unknown>).then === "function") {
            logger.warn(
              `plugin ${hook.pluginId}: its tool_result_persist handler returned a promise; this hook is synchronous, so its result is ignored`,
            );
            // A rejection later must not go unhandled.
            Promise.resolve(out).catch((err: unknown) => failed("tool_result_persist", hook, err));
            continue;
          }
          if (isObject(out) && out.message) message = out.message as M;
        } catch (err) {
          failed("tool_result_persist", hook, err);
        }
      }
      return { message };
    },

    runSessionStart: (event, ctx) => runParallel("session_start", event, ctx),
    runSessionEnd: (event, ctx) => runParallel("session_end", event, ctx),

    runGatewayStart: (event, ctx) => runParallel("gateway_start", event, ctx),
    runGatewayStop: (event, ctx) => runParallel("gateway_stop", event, ctx),
  };
}

// ---- chat commands -----------------------------------------------------------------------------------

/** Plugin chat commands as the agent's command handling reads them. */
export interface PluginCommands {
  /** The command a plugin that has not failed registered under `name` (any case). */
  get(name: string): CommandRegistration | undefined;
  /** Every usable plugin command, in registration order (for `/help` and `/commands`). */
  list(): CommandRegistration[];
  /** Its handler threw: the plugin is marked failed (`error: message`) and skipped from now on. */
  failed(pluginId: string, message: string): void;
}

export function createPluginCommands(registry: PluginRegistry, logger: HookLogger): PluginCommands {
  return {
    get(name) {
      const reg = registry.commands.get(name.toLowerCase());
      return reg && registry.usable(reg.pluginId) ? reg : undefined;
    },
    list: () => [...registry.commands.values()].filter((reg) => registry.usable(reg.pluginId)),
    failed(pluginId, message) {
      logger.error(`plugin ${pluginId}: ${message}; its hooks and commands are off until the gateway restarts`);
      registry.markFailed(pluginId, message);
    },
  };
}
