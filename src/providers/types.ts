/**
 * One streaming interface for every model API. Messages use the same shapes OpenClaw's transcripts
 * store (user / assistant / toolResult with typed content blocks), so a transcript line is also a
 * provider input, and existing OpenClaw sessions load unchanged.
 */

export interface TextContent {
  type: "text";
  text: string;
  textSignature?: string;
}
export interface ThinkingContent {
  type: "thinking";
  thinking: string;
  thinkingSignature?: string;
}
export interface ImageContent {
  type: "image";
  /** base64 data, no `data:` prefix */
  data: string;
  mimeType: string;
}
export interface ToolCall {
  type: "toolCall";
  id: string;
  name: string;
  arguments: Record<string, unknown>;
  thoughtSignature?: string;
}

export interface Usage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  totalTokens: number;
  /** USD, computed from the model's per-million prices. */
  cost: { input: number; output: number; cacheRead: number; cacheWrite: number; total: number };
}

export type StopReason = "stop" | "length" | "toolUse" | "error" | "aborted";

/** Wire API families; `models.providers.<id>.api` picks one. */
/** What a model client is created with: the gateway's clock (message timestamps). */
export interface ClientOptions {
  now?: () => number;
}

export type Api = "anthropic-messages" | "openai-completions" | "google-generative-ai";

export interface UserMessage {
  role: "user";
  content: string | Array<TextContent | ImageContent>;
  timestamp: number;
}
export interface AssistantMessage {
  role: "assistant";
  content: Array<TextContent | ThinkingContent | ToolCall>;
  api: string;
  provider: string;
  model: string;
  usage: Usage;
  stopReason: StopReason;
  errorMessage?: string;
  timestamp: number;
}
export interface ToolResultMessage {
  role: "toolResult";
  toolCallId: string;
  toolName: string;
  content: Array<TextContent | ImageContent>;
  details?: unknown;
  isError: boolean;
  timestamp: number;
}
export type Message = UserMessage | AssistantMessage | ToolResultMessage;

/** A tool as the model sees it: JSON Schema parameters. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** Everything a provider needs to know about one model. Prices are USD per million tokens. */
export interface ModelSpec {
  /** Provider id as written in model refs: `anthropic` in `anthropic/claude-opus-4-5`. */
  provider: string;
  /** Model id sent to the API. */
  id: string;
  name?: string;
  api: Api;
  /** API root, e.g. `https://api.anthropic.com` or `http://127.0.0.1:11434/v1`. */
  baseUrl: string;
  headers?: Record<string, string>;
  contextWindow: number;
  maxTokens: number;
  reasoning?: boolean;
  input: Array<"text" | "image">;
  cost: { input: number; output: number; cacheRead: number; cacheWrite: number };
}

export interface StreamRequest {
  model: ModelSpec;
  apiKey?: string;
  systemPrompt?: string;
  messages: Message[];
  tools?: ToolSpec[];
  /** Aborts the HTTP request; the stream then ends with a `ProviderError` of kind `aborted`. */
  signal?: AbortSignal;
  maxTokens?: number;
  temperature?: number;
  /** Give up when no byte arrived for this long (ms); kind `timeout`. */
  idleTimeoutMs?: number;
}

/**
 * Events, in order: any number of `text_delta` / `thinking_delta` / `toolcall`, then exactly one
 * `done` with the complete assistant message (usage and cost filled in). Failures are thrown from the
 * iterator as `ProviderError`, never yielded.
 */
export type StreamEvent =
  | { type: "text_delta"; delta: string }
  | { type: "thinking_delta"; delta: string }
  | { type: "toolcall"; toolCall: ToolCall }
  | { type: "done"; message: AssistantMessage };

export interface ProviderClient {
  stream(req: StreamRequest): AsyncIterable<StreamEvent>;
}

/** What went wrong, in the terms failover decides on. */
export type ProviderErrorKind =
  | "auth" // 401/403, bad or missing key: try the next profile/model, cool down this one
  | "billing" // 402, out of credit
  | "rate_limit" // 429
  | "overloaded" // 529, 503
  | "server" // other 5xx
  | "timeout" // no response / idle stream
  | "network" // connection refused, DNS, reset
  | "context_overflow" // prompt too long for the model
  | "bad_request" // 400 and other 4xx: our request is wrong; failing over will not help
  | "aborted"; // the caller aborted

export class ProviderError extends Error {
  readonly kind: ProviderErrorKind;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly provider?: string;
  readonly model?: string;
  constructor(
    kind: ProviderErrorKind,
    message: string,
    opts: { status?: number; retryAfterMs?: number; provider?: string; model?: string; cause?: unknown } = {},
  ) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = "ProviderError";
    this.kind = kind;
    this.status = opts.status;
    this.retryAfterMs = opts.retryAfterMs;
    this.provider = opts.provider;
    this.model = opts.model;
  }
  /** Whether trying another profile or model could succeed. */
  get failover(): boolean {
    return this.kind !== "bad_request" && this.kind !== "aborted" && this.kind !== "context_overflow";
  }
}

export function emptyUsage(): Usage {
  return {
    input: 0,
    output: 0,
    cacheRead: 0,
    cacheWrite: 0,
    totalTokens: 0,
    cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 },
  };
}

/** Fills `totalTokens` and `cost` from token counts and the model's prices. */
export function priceUsage(u: Omit<Usage, "totalTokens" | "cost">, model: Pick<ModelSpec, "cost">): Usage {
  const per = (n: number, price: number) => (n * price) / 1_000_000;
  const cost = {
    input: per(u.input, model.cost.input),
    output: per(u.output, model.cost.output),
    cacheRead: per(u.cacheRead, model.cost.cacheRead),
    cacheWrite: per(u.cacheWrite, model.cost.cacheWrite),
    total: 0,
  };
  cost.total = cost.input + cost.output + cost.cacheRead + cost.cacheWrite;
  return { ...u, totalTokens: u.input + u.output + u.cacheRead + u.cacheWrite, cost };
}

// ---------------------------------------------------------------------------------------------
// Additions made with the provider clients (appended; nothing above changed).

/**
 * When a model sends tool-call arguments that are not a JSON object (truncated or malformed JSON),
 * the provider does not throw: the `ToolCall` gets `arguments: { [RAW_TOOL_ARGUMENTS_KEY]: "<text>" }`
 * and the agent loop answers the model with an error tool result.
 */
export const RAW_TOOL_ARGUMENTS_KEY = "__raw";

/** Quirks of OpenAI-compatible servers, as in config `models.providers.*.models[].compat`. */
export interface ModelCompat {
  supportsStore?: boolean;
  /** Send the system prompt with role `developer` (OpenAI reasoning models). */
  supportsDeveloperRole?: boolean;
  supportsReasoningEffort?: boolean;
  /** Default: `max_completion_tokens` for api.openai.com, `max_tokens` elsewhere. */
  maxTokensField?: "max_completion_tokens" | "max_tokens";
}

/** Declaration merge: an optional `compat` on ModelSpec (only the OpenAI client reads it). */
export interface ModelSpec {
  compat?: ModelCompat;
}
