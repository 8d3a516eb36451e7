/**
 * One agent turn: the user's message goes into the transcript, the model answers (streaming), tool
 * calls are run and their results fed back, until the model answers without tools or the iteration
 * cap is reached. Everything the model says and every tool result is appended to the transcript as it
 * happens, so a crash or an abort loses nothing that was already produced.
 */
import type { Transcript } from "../sessions/transcript.js";
import type { ToolContext, ToolSet } from "../tools/registry.js";
import {
  ProviderError,
  emptyUsage,
  type AssistantMessage,
  type Message,
  type ModelSpec,
  type ToolCall,
  type ToolResultMessage,
  type Usage,
  type UserMessage,
} from "../providers/types.js";
import type { FailoverEvent, RunRequest } from "./failover.js";
import { stageClock, stageTime } from "../infra/stages.js";

export const DEFAULT_MAX_ITERATIONS = 24;
/** The most of an interrupted reply kept in the conversation (about 25,000 tokens). */
export const MAX_KEPT_PARTIAL_CHARS = 100_000;
/**
 * Tool calls of one model reply run until their results come to this many characters (about
 * 250,000 tokens, more than a model reads in one request); the rest are answered as not run. One reply
 * can ask for thousands of calls (2,000 reads of a 50 KB file: a 98 MB request and 560 MB of memory).
 */
export const MAX_TOOL_RESULT_CHARS = 1_000_000;
/**
 * A turn still running this long after the user's message was written syncs that message on its own
 * (a model's first token takes longer than this; a quick turn's one sync at its end covers it).
 */
const EARLY_SYNC_MS = 25;

export interface TurnEvents {
  onModel?(model: ModelSpec, profileId: string): void;
  /** `full` is all assistant text of this turn so far. */
  onText?(delta: string, full: string): void;
  onToolStart?(call: ToolCall): void;
  onToolEnd?(call: ToolCall, result: ToolResultMessage): void;
}

/** What plugins may do around each tool call (see `plugins/hooks.ts`). */
export interface TurnToolHooks {
  /** Before the tool runs: the arguments to run it with, or why it must not run. */
  before?(call: ToolCall): Promise<{ params: Record<string, unknown> } | { blocked: string }>;
  /** After it ran or was blocked (not waited for). */
  after?(call: ToolCall, params: Record<string, unknown>, result: ToolResultMessage, durationMs: number): void;
  /** The result as it is to be written to the transcript (synchronous). */
  persist?(call: ToolCall, result: ToolResultMessage): ToolResultMessage;
}

export interface TurnOptions {
  transcript: Transcript;
  user: UserMessage;
  systemPrompt: string;
  tools: ToolSet;
  toolCtx: Omit<ToolContext, "signal">;
  /** Model call with failover, for this turn's chain. */
  stream: (req: RunRequest) => AsyncGenerator<FailoverEvent, AssistantMessage>;
  signal: AbortSignal;
  maxIterations?: number;
  idleTimeoutMs?: number;
  events?: TurnEvents;
  toolHooks?: TurnToolHooks;
  now: () => number;
}

export interface TurnResult {
  status: "ok" | "error" | "aborted";
  /** The assistant's reply text (all text blocks of the turn). */
  text: string;
  final?: AssistantMessage;
  model?: ModelSpec;
  usage: Usage;
  iterations: number;
  error?: Error;
  /** Input+output tokens of the last call: how full the context is. */
  contextTokens: number;
}

function addUsage(a: Usage, b: Usage): Usage {
  return {
    input: a.input + b.input,
    output: a.output + b.output,
    cacheRead: a.cacheRead + b.cacheRead,
    cacheWrite: a.cacheWrite + b.cacheWrite,
    totalTokens: a.totalTokens + b.totalTokens,
    cost: {
      input: a.cost.input + b.cost.input,
      output: a.cost.output + b.cost.output,
      cacheRead: a.cost.cacheRead + b.cost.cacheRead,
      cacheWrite: a.cost.cacheWrite + b.cost.cacheWrite,
      total: a.cost.total + b.cost.total,
    },
  };
}

function textOf(m: AssistantMessage): string {
  return m.content
    .filter((c) => c.type === "text")
    .map((c) => (c as { text: string }).text)
    .join("");
}

export async function runTurn(o: TurnOptions): Promise<TurnResult> {
  const t = o.transcript;
  // Stage timings (only while someone listens): time in the model's stream and in transcript writes.
  let modelMs = 0;
  let writeMs = 0;
  const append = (items: Parameters<Transcript["append"]>[0]) => {
    const start = stageClock();
    t.append(items, o.now);
    if (start) writeMs += performance.now() - start;
  };
  append([{ type: "message", message: o.user }]);
  // The turn's end waits for everything to be on disk. A turn that takes a while has the user's
  // message made durable while the model thinks, so that the end has less to wait for; a quick one
  // gets a single sync at its end, which covers the user's message too.
  let userSynced: Promise<void> | undefined;
  const earlySync = setTimeout(() => (userSynced = t.syncAsync()), EARLY_SYNC_MS);
  earlySync.unref();
  const maxIterations = o.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  let usage = emptyUsage();
  let text = "";
  let model: ModelSpec | undefined;
  let final: AssistantMessage | undefined;
  let contextTokens = 0;
  let iterations = 0;
  const partial = { text: "" };

  const finish = async (status: TurnResult["status"], error?: Error): Promise<TurnResult> => {
    const start = stageClock();
    clearTimeout(earlySync);
    await userSynced;
    await t.syncAsync();
    if (start) {
      stageTime("transcript_write", writeMs + performance.now() - start);
      stageTime("model_stream", modelMs);
    }
    return { status, text, final, model, usage, iterations, contextTokens, ...(error ? { error } : {}) };
  };

  /** Results for tool calls that were not run, saying `why`. */
  const answerUnrun = (calls: ToolCall[], why: string) => {
    if (!calls.length) return;
    const results = calls.map((call): ToolResultMessage => ({
      role: "toolResult",
      toolCallId: call.id,
      toolName: call.name,
      content: [{ type: "text", text: `${call.name} was not run: ${why}` }],
      isError: true,
      timestamp: o.now(),
    }));
    append(results.map((message) => ({ type: "message" as const, message })));
    for (const [i, r] of results.entries()) o.events?.onToolEnd?.(calls[i]!, r);
  };

  try {
    while (iterations < maxIterations) {
      iterations++;
      const messages: Message[] = t.context();
      partial.text = "";
      const streamStart = stageClock();
      const gen = o.stream({
        systemPrompt: o.systemPrompt,
        messages,
        tools: o.tools.size ? o.tools.toSpecs() : undefined,
        signal: o.signal,
        idleTimeoutMs: o.idleTimeoutMs,
      });
      let step = await gen.next();
      while (!step.done) {
        const ev = step.value;
        if (ev.type === "model") {
          model = ev.model;
          o.events?.onModel?.(ev.model, ev.profileId);
        } else if (ev.type === "text_delta") {
          partial.text += ev.delta;
          text += ev.delta;
          o.events?.onText?.(ev.delta, text);
        }
        step = await gen.next();
      }
      const msg = step.value;
      if (streamStart) modelMs += performance.now() - streamStart;
      final = msg;
      usage = addUsage(usage, msg.usage);
      contextTokens = msg.usage.input + msg.usage.cacheRead + msg.usage.cacheWrite + msg.usage.output;
      append([{ type: "message", message: msg }]);
      const calls = msg.content.filter((c): c is ToolCall => c.type === "toolCall");
      if (calls.length === 0 || msg.stopReason !== "toolUse") return finish("ok");
      if (text && !text.endsWith("\n")) {
        text += "\n\n";
        o.events?.onText?.("\n\n", text);
      }
      let resultChars = 0;
      for (const [i, call] of calls.entries()) {
        if (o.signal.aborted) {
          // Every tool call gets a result, so the next turn's context is one every API accepts.
          answerUnrun(calls.slice(i), "the run was aborted before it started.");
          throw new ProviderError("aborted", "aborted");
        }
        if (resultChars > MAX_TOOL_RESULT_CHARS) {
          answerUnrun(
            calls.slice(i),
            `the results of the ${i} tool calls before it in this reply already come to ${resultChars.toLocaleString("en")} characters, more than fits in one request. Work with those first, then call again for what is still missing.`,
          );
          break;
        }
        o.events?.onToolStart?.(call);
        const startedAt = o.now();
        const gate = o.toolHooks?.before ? await o.toolHooks.before(call) : { params: call.arguments };
        const params = "params" in gate ? gate.params : call.arguments;
        const r =
          "blocked" in gate
            ? { text: gate.blocked, isError: true }
            : await o.tools.call(call.name, params, { ...o.toolCtx, signal: o.signal });
        let result: ToolResultMessage = {
          role: "toolResult",
          toolCallId: call.id,
          toolName: call.name,
          content: [{ type: "text", text: r.text }],
          ...("details" in r && r.details !== undefined ? { details: r.details } : {}),
          isError: r.isError ?? false,
          timestamp: o.now(),
        };
        o.toolHooks?.after?.(call, params, result, o.now() - startedAt);
        if (o.toolHooks?.persist) result = o.toolHooks.persist(call, result);
        append([{ type: "message", message: result }]);
        for (const c of result.content) resultChars += c.type === "text" ? c.text.length : c.type === "image" ? c.data.length : 0;
        o.events?.onToolEnd?.(call, result);
      }
      if (o.signal.aborted) throw new ProviderError("aborted", "aborted");
    }
    const note = `(Stopped after ${maxIterations} tool rounds without a final answer. Send another message to continue.)`;
    text += (text ? "\n\n" : "") + note;
    o.events?.onText?.(note, text);
    return finish("ok");
  } catch (e) {
    const aborted = o.signal.aborted || (e instanceof ProviderError && e.kind === "aborted");
    const err = e instanceof Error ? e : new Error(String(e));
    // Record what happened in the conversation: partial text on abort, the reason on error. The
    // partial text goes to the model with the next message, so no more of it than a request can carry.
    const kept =
      partial.text.length > MAX_KEPT_PARTIAL_CHARS
        ? `${partial.text.slice(0, MAX_KEPT_PARTIAL_CHARS)}\n\n[reply cut here: it ran to ${partial.text.length.toLocaleString("en")} characters]`
        : partial.text;
    const record: AssistantMessage = {
      role: "assistant",
      content: kept ? [{ type: "text", text: kept }] : [],
      api: model?.api ?? "unknown",
      provider: model?.provider ?? "unknown",
      model: model?.id ?? "unknown",
      usage: emptyUsage(),
      stopReason: aborted ? "aborted" : "error",
      ...(aborted ? {} : { errorMessage: err.message }),
      timestamp: o.now(),
    };
    append([{ type: "message", message: record }]);
    final = record;
    return finish(aborted ? "aborted" : "error", aborted ? undefined : err);
  } finally {
    // Also when the record of a failure could not be written (a full disk).
    clearTimeout(earlySync);
  }
}

export { textOf };
