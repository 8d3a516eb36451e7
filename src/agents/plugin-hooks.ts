/**
 * Where an agent run meets plugins' typed hooks: the events it builds for them and what it does with
 * their answers. Each function here is used only when a hook runner was given (plugins are loaded);
 * hooks nobody registered cost nothing, since events are built only for hooks that have handlers.
 *
 * - `session_start` / `session_end`: conversations starting and ending (`sessionLifecycle`);
 * - `before_tool_call` (change the arguments, or block the call), `after_tool_call`,
 *   `tool_result_persist` (change the result written to the transcript) (`turnToolHooks`);
 * - `before_agent_start` (`prependContext` goes before the user's message) and `agent_end`
 *   (`beforeAgentStart`, `agentEnd`); compaction's are called by the `Compactor`.
 */
import type { Logger } from "../infra/logger.js";
import type { HookRunner } from "../plugins/hooks.js";
import type { ToolResultMessage, UserMessage } from "../providers/types.js";
import type { SessionLifecycle } from "../sessions/directory.js";
import type { TurnToolHooks } from "./run.js";

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Starts a fire-and-forget hook without waiting for it (the runner reports its handlers' failures). */
export function startHook(run: Promise<void>): void {
  run.catch(() => undefined);
}

/** `session_start` and `session_end` for every conversation the session directory starts or ends. */
export function sessionLifecycle(hooks: HookRunner, now: () => number): SessionLifecycle {
  return {
    onStart: ({ agentId, entry }) => {
      if (!hooks.hasHooks("session_start")) return;
      startHook(hooks.runSessionStart({ sessionId: entry.sessionId }, { agentId, sessionId: entry.sessionId }));
    },
    onEnd: ({ agentId, entry, messageCount }) => {
      if (!hooks.hasHooks("session_end")) return;
      const event = { sessionId: entry.sessionId, messageCount: messageCount(), durationMs: now() - (entry.createdAt ?? entry.updatedAt) };
      startHook(hooks.runSessionEnd(event, { agentId, sessionId: entry.sessionId }));
    },
  };
}

/** Plugins' say around each tool call of a run in `sessionKey`. */
export function turnToolHooks(hooks: HookRunner, log: Logger, ctx: { agentId: string; sessionKey: string }): TurnToolHooks {
  return {
    async before(call) {
      if (!hooks.hasHooks("before_tool_call")) return { params: call.arguments };
      const out = await hooks.runBeforeToolCall(
        { toolName: call.name, params: call.arguments },
        { agentId: ctx.agentId, sessionKey: ctx.sessionKey, toolName: call.name },
      );
      if (out?.block) return { blocked: out.blockReason || `A plugin blocked this ${call.name} call.` };
      return { params: isObject(out?.params) ? { ...call.arguments, ...out.params } : call.arguments };
    },
    after(call, params, result, durationMs) {
      if (!hooks.hasHooks("after_tool_call")) return;
      const text = result.content.map((c) => (c.type === "text" ? c.text : "")).join("");
      const event = {
        toolName: call.name,
        params,
        result: { content: result.content, ...(result.details !== undefined ? { details: result.details } : {}) },
        ...(result.isError ? { error: text } : {}),
        durationMs,
      };
      startHook(hooks.runAfterToolCall(event, { agentId: ctx.agentId, sessionKey: ctx.sessionKey, toolName: call.name }));
    },
    persist(call, result) {
      if (!hooks.hasHooks("tool_result_persist")) return result;
      const out = hooks.runToolResultPersist(
        { toolName: call.name, toolCallId: call.id, message: result, isSynthetic: false },
        { agentId: ctx.agentId, sessionKey: ctx.sessionKey, toolName: call.name, toolCallId: call.id },
      );
      const next = out?.message as unknown;
      if (next === result || next === undefined) return result;
      // The transcript must stay readable: only a tool result for the same call replaces this one.
      if (isObject(next) && next.role === "toolResult" && Array.isArray(next.content)) {
        return { ...(next as unknown as ToolResultMessage), toolCallId: call.id, toolName: call.name };
      }
      log.warn(`a tool_result_persist hook returned something that is not a tool result for ${call.name}; the original is kept`);
      return result;
    },
  };
}

/** Puts `text` and a blank line before the message's text (keeping its images). */
export function prependToMessage(user: UserMessage, text: string): void {
  if (typeof user.content === "string") {
    user.content = user.content ? `${text}\n\n${user.content}` : text;
    return;
  }
  const first = user.content[0];
  if (first?.type === "text") user.content = [{ type: "text", text: `${text}\n\n${first.text}` }, ...user.content.slice(1)];
  else user.content = [{ type: "text", text }, ...user.content];
}

/** The text of a user message (what `before_agent_start` sees as `prompt`). */
export function messageTextOf(user: UserMessage): string {
  if (typeof user.content === "string") return user.content;
  return user.content.map((c) => (c.type === "text" ? c.text : "")).join("");
}
