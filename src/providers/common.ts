/**
 * Pieces every provider client shares: the abort/idle-timeout guard around an SDK stream, transcript
 * clean-up before conversion, tool-argument parsing and small content helpers. No SDK imports here.
 */
import { randomUUID } from "node:crypto";
import { classifyError, type ErrorContext } from "./errors.js";
import {
  ProviderError,
  RAW_TOOL_ARGUMENTS_KEY,
  type AssistantMessage,
  type ImageContent,
  type Message,
  type ModelSpec,
  type TextContent,
  type ToolCall,
  type ToolResultMessage,
} from "./types.js";

/**
 * The most one reply may stream (text, thinking and tool-call arguments together): about 250,000
 * tokens, several times the largest output any current model allows. A server that streams without
 * end is stopped there instead of filling the machine's memory.
 */
export const MAX_REPLY_CHARS = 1_000_000;
/** What a new block or tool call of a reply counts toward {@link MAX_REPLY_CHARS} besides its text. */
export const REPLY_PART_CHARS = 100;

/**
 * Owns the AbortController handed to an SDK request and remembers *why* it fired. Needed because the
 * Stainless SDKs (Anthropic, OpenAI) end a stream silently when its signal aborts: without the guard
 * an idle timeout or a caller abort would look like a short, successful reply.
 *
 * The idle timer runs only while we wait on the SDK (`guard.wait(...)`), never while the consumer is
 * busy with an event we yielded, so a slow consumer cannot cause a timeout.
 */
export class RequestGuard {
  readonly controller = new AbortController();
  private reason: "aborted" | "timeout" | "too_large" | undefined;
  /** Characters of reply seen so far (see {@link counted}). */
  private chars = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The SDK's stream was read to its end (nothing left to abort). */
  private ended = false;
  /** Rejects the promise {@link wait} is awaiting, if any, when the guard fires. */
  private rejectWait: ((e: unknown) => void) | undefined;
  private readonly onCallerAbort = () => this.fire("aborted");

  constructor(
    private readonly ctx: ErrorContext,
    private readonly callerSignal: AbortSignal | undefined,
    private readonly idleTimeoutMs: number | undefined,
  ) {
    if (callerSignal?.aborted) this.fire("aborted");
    else callerSignal?.addEventListener("abort", this.onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  private fire(reason: "aborted" | "timeout" | "too_large"): void {
    if (this.reason) return;
    this.reason = reason;
    this.clearTimer();
    const err = this.failure(undefined);
    this.controller.abort(err);
    this.rejectWait?.(err);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Awaits an SDK promise with the idle timer armed; rejects at once when the guard fires. Each call
   * makes its own promise to settle: racing every chunk against one promise that stays pending for the
   * whole reply would add a reaction to it per chunk, each holding that chunk until the reply ends.
   * One wait at a time: each SDK read follows the one before.
   */
  async wait<T>(p: Promise<T>): Promise<T> {
    p.catch(() => {}); // first: `p` may reject after we stop listening
    this.throwIfFired();
    const ms = this.idleTimeoutMs;
    if (ms !== undefined && ms > 0 && Number.isFinite(ms)) this.timer = setTimeout(() => this.fire("timeout"), ms);
    try {
      return await new Promise<T>((resolve, reject) => {
        this.rejectWait = reject;
        p.then(resolve, reject);
      });
    } finally {
      this.rejectWait = undefined;
      this.clearTimer();
    }
  }

  throwIfFired(): void {
    if (this.reason) throw this.failure(undefined);
  }

  /**
   * `text` (a piece of the reply: text, thinking, tool-call arguments), counted toward
   * {@link MAX_REPLY_CHARS}; past it the request is stopped and this throws.
   */
  counted(text: string): string {
    this.count(text.length);
    return text;
  }

  /** Counts `chars` toward {@link MAX_REPLY_CHARS} (see {@link counted}). */
  count(chars: number): void {
    this.chars += chars;
    if (this.chars > MAX_REPLY_CHARS) {
      this.fire("too_large");
      this.throwIfFired();
    }
  }

  /**
   * The SDK's stream ran to its end: throws if the guard fired (the SDK ends a stream quietly when its
   * signal aborts), else notes that the HTTP exchange is over, so `dispose` has nothing to abort.
   */
  streamEnded(): void {
    this.throwIfFired();
    this.ended = true;
  }

  /** The ProviderError to throw for `err`: the guard's own reason wins over what the SDK said. */
  failure(err: unknown): ProviderError {
    if (this.reason === "too_large") {
      return new ProviderError(
        "server",
        `${this.ctx.provider}/${this.ctx.model}: the reply passed ${MAX_REPLY_CHARS.toLocaleString("en")} characters, more than any model writes at once, so it was cut off there. The model server seems to be repeating itself without end: check its settings (maximum output tokens, stop sequences).`,
        { provider: this.ctx.provider, model: this.ctx.model, cause: err },
      );
    }
    if (this.reason === "timeout") {
      return new ProviderError("timeout", `${this.ctx.provider}/${this.ctx.model}: no data for ${this.idleTimeoutMs} ms`, {
        provider: this.ctx.provider,
        model: this.ctx.model,
        cause: err,
      });
    }
    if (this.reason === "aborted") {
      return new ProviderError("aborted", `${this.ctx.provider}/${this.ctx.model}: request aborted`, {
        provider: this.ctx.provider,
        model: this.ctx.model,
        cause: err,
      });
    }
    return classifyError(err, this.ctx);
  }

  /** Stops the timer, detaches from the caller's signal and aborts the HTTP request if still open. */
  dispose(): void {
    this.clearTimer();
    this.callerSignal?.removeEventListener("abort", this.onCallerAbort);
    // Aborting costs an exception object and an event through the SDK: only for a request still open.
    if (!this.ended && !this.controller.signal.aborted) this.controller.abort();
  }
}

/** A `ProviderError` for a stream that ended without its terminal event (connection cut mid-reply). */
export function truncatedStream(ctx: ErrorContext, what: string): ProviderError {
  return new ProviderError("network", `${ctx.provider}/${ctx.model}: stream ended before ${what}`, {
    provider: ctx.provider,
    model: ctx.model,
  });
}

/**
 * Parses streamed tool-call arguments. Never throws: text that is not a JSON object is kept as
 * `{ __raw: text }` (see RAW_TOOL_ARGUMENTS_KEY) so the agent loop can tell the model its call was
 * malformed.
 */
export function parseToolArguments(text: string): Record<string, unknown> {
  if (!text.trim()) return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  return { [RAW_TOOL_ARGUMENTS_KEY]: text };
}

/** Normalizes arguments that arrived already parsed (Gemini): objects pass, anything else is raw. */
export function toolArgumentsFrom(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  if (typeof value === "string") return parseToolArguments(value);
  return { [RAW_TOOL_ARGUMENTS_KEY]: JSON.stringify(value) };
}

/** An id for APIs that do not give tool calls one (Gemini). */
export function generateToolCallId(prefix = "call"): string {
  return `${prefix}_${randomUUID().replace(/-/g, "").slice(0, 20)}`;
}

export function acceptsImages(model: ModelSpec): boolean {
  return model.input.includes("image");
}

export const IMAGE_OMITTED = "(image omitted: this model does not accept images)";
export const NO_TOOL_RESULT = "No result: the tool call was interrupted before it finished.";

/** The text of a tool result (text blocks joined). */
export function toolResultText(msg: ToolResultMessage): string {
  return msg.content
    .filter((c): c is TextContent => c.type === "text")
    .map((c) => c.text)
    .join("\n");
}

export function toolResultImages(msg: ToolResultMessage): ImageContent[] {
  return msg.content.filter((c): c is ImageContent => c.type === "image");
}

export function isBlank(text: string | undefined): boolean {
  return !text || !text.trim();
}

/**
 * Cleans a transcript before it is converted for an API:
 * - drops assistant messages that failed (`stopReason` "error"/"aborted") and have no usable content;
 * - drops tool results that answer no earlier tool call (e.g. after compaction cut the call away);
 * - adds an error tool result for every tool call left unanswered (a run interrupted mid-tool), since
 *   every API rejects a tool call without a result.
 *
 * Runs on every model call over the whole conversation, so a transcript that needs none of this (the
 * usual case) is returned as it is, after one pass that allocates nothing. The result is only read.
 */
export function normalizeTranscript(messages: Message[]): readonly Message[] {
  return isWellFormed(messages) ? messages : repairTranscript(messages);
}

/**
 * True when {@link repairTranscript} would return the same messages: no failed empty assistant message,
 * and each assistant message's tool calls answered right after it, one result per call in call order.
 * (Results in another order are also fine for the APIs; they take the slower path, which keeps them.)
 */
function isWellFormed(messages: Message[]): boolean {
  // The content of the assistant message whose tool calls are being answered, and where in it the
  // next call to answer is looked for.
  let calls: AssistantMessage["content"] | null = null;
  let at = 0;
  const unanswered = (): boolean => {
    if (!calls) return false;
    while (at < calls.length && calls[at]!.type !== "toolCall") at++;
    return at < calls.length;
  };
  for (const msg of messages) {
    if (msg.role === "toolResult") {
      if (!unanswered() || (calls![at] as ToolCall).id !== msg.toolCallId) return false;
      at++;
      continue;
    }
    if (unanswered()) return false;
    calls = null;
    if (msg.role === "assistant") {
      if (isFailedAndEmpty(msg)) return false;
      calls = msg.content;
      at = 0;
    }
  }
  return !unanswered();
}

/** {@link normalizeTranscript}'s repairs, into a new array. */
function repairTranscript(messages: Message[]): Message[] {
  const out: Message[] = [];
  let pending: Array<{ id: string; name: string }> = [];
  const flush = () => {
    for (const call of pending) {
      out.push({
        role: "toolResult",
        toolCallId: call.id,
        toolName: call.name,
        content: [{ type: "text", text: NO_TOOL_RESULT }],
        isError: true,
        timestamp: 0,
      });
    }
    pending = [];
  };
  for (const msg of messages) {
    if (msg.role === "assistant") {
      if (isFailedAndEmpty(msg)) continue;
      flush();
      out.push(msg);
      for (const block of msg.content) if (block.type === "toolCall") pending.push({ id: block.id, name: block.name });
    } else if (msg.role === "toolResult") {
      const idx = pending.findIndex((p) => p.id === msg.toolCallId);
      if (idx < 0) continue; // orphan or duplicate
      pending.splice(idx, 1);
      out.push(msg);
    } else {
      flush();
      out.push(msg);
    }
  }
  flush();
  return out;
}

/** An assistant message that failed (`stopReason` "error"/"aborted") with nothing usable in it: never sent. */
function isFailedAndEmpty(msg: AssistantMessage): boolean {
  if (msg.stopReason !== "error" && msg.stopReason !== "aborted") return false;
  return !msg.content.some((b) => (b.type === "text" ? !isBlank(b.text) : b.type === "toolCall"));
}

/** A tiny bounded cache for SDK client instances (one per base URL + key + headers). */
export class ClientCache<T> {
  private readonly map = new Map<string, T>();
  constructor(private readonly max = 16) {}
  get(key: string, make: () => T): T {
    let v = this.map.get(key);
    if (v === undefined) {
      v = make();
      if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as string);
      this.map.set(key, v);
    }
    return v;
  }
}

/** True when the base URL points at the vendor's own host (used to pick vendor-only behaviour). */
export function isHost(baseUrl: string, host: string): boolean {
  try {
    return new URL(baseUrl).hostname === host;
  } catch {
    return false;
  }
}

/** Reads an SDK log level override only when the user did not set the SDK's own env variable. */
export function quietLogLevel(envVar: string): "off" | undefined {
  return process.env[envVar] ? undefined : "off";
}
