/**
 * OpenAI Chat Completions (`api: "openai-completions"`) over the `openai` SDK, streaming. Also the
 * client for OpenAI-compatible servers: Ollama, vLLM, LM Studio, OpenRouter, LiteLLM, ...
 *
 * - `baseUrl` includes the version path (`https://api.openai.com/v1`, `http://127.0.0.1:11434/v1`);
 *   the SDK appends `/chat/completions`.
 * - Local servers need no key: an empty `apiKey` becomes a placeholder, because the SDK refuses to
 *   start without one (and must never pick up `OPENAI_API_KEY` / `OPENAI_ORG_ID` from the environment
 *   and send them to a third-party host).
 * - SDK retries are off (`maxRetries: 0`); failover decides.
 * - Reasoning text from compatible servers (`delta.reasoning_content` / `delta.reasoning`) becomes
 *   `thinking_delta` events; it is not sent back.
 */
import { createHttpFetch } from "./http-fetch.js";
import OpenAI from "openai";
import type {
  ChatCompletionChunk,
  ChatCompletionContentPart,
  ChatCompletionContentPartText,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
} from "openai/resources/chat/completions";
import {
  ClientCache,
  IMAGE_OMITTED,
  RequestGuard,
  acceptsImages,
  generateToolCallId,
  isBlank,
  isHost,
  normalizeTranscript,
  parseToolArguments,
  quietLogLevel,
  toolResultImages,
  toolResultText,
  truncatedStream,
  REPLY_PART_CHARS,
} from "./common.js";
import {
  priceUsage,
  type AssistantMessage,
  type ImageContent,
  type Message,
  type ModelSpec,
  type ProviderClient,
  type StopReason,
  type StreamEvent,
  type StreamRequest,
  type TextContent,
  type ThinkingContent,
  type ToolCall,
  type ToolSpec,
  type ClientOptions,
} from "./types.js";

export function createOpenAIClient(opts: ClientOptions = {}): ProviderClient {
  const now = opts.now ?? Date.now;
  const sdks = new ClientCache<OpenAI>();
  const fetch = createHttpFetch();
  const sdkFor = (model: ModelSpec, apiKey: string | undefined) => {
    const baseURL = model.baseUrl.replace(/\/+$/, "");
    const key = apiKey || "no-api-key";
    return sdks.get(JSON.stringify([baseURL, key, model.headers ?? {}]), () => {
      return new OpenAI({
        apiKey: key,
        baseURL,
        organization: null,
        project: null,
        adminAPIKey: null,
        webhookSecret: null,
        maxRetries: 0,
        defaultHeaders: model.headers,
        logLevel: quietLogLevel("OPENAI_LOG"),
        fetch,
      });
    });
  };
  return {
    stream: (req) => streamOpenAI(sdkFor(req.model, req.apiKey), req, now),
  };
}

interface PendingCall {
  id: string;
  name: string;
  args: string;
  call?: ToolCall;
}

async function* streamOpenAI(sdk: OpenAI, req: StreamRequest, now: () => number): AsyncGenerator<StreamEvent> {
  const { model } = req;
  const ctx = { provider: model.provider, model: model.id };
  const guard = new RequestGuard(ctx, req.signal, req.idleTimeoutMs);
  let iterator: AsyncIterator<ChatCompletionChunk> | undefined;
  try {
    guard.throwIfFired();
    // The SDK gets the request without its messages; what is sent is `body`, the whole request
    // encoded (a byte body is passed through as it is).
    const params = baseParams(req);
    const stream = await guard.wait(
      sdk.chat.completions.create(params, {
        signal: guard.signal,
        body: requestBody(req, params),
        headers: { "content-type": "application/json" },
      }),
    );
    iterator = stream[Symbol.asyncIterator]();

    // Content in arrival order; text and thinking blocks grow in place, tool calls are placeholders
    // (by stream index) filled when the reply finishes.
    const order: Array<TextContent | ThinkingContent | PendingCall> = [];
    const calls = new Map<number, PendingCall>();
    let text: TextContent | undefined;
    let thinking: ThinkingContent | undefined;
    const usage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
    let finish: string | null | undefined;
    const finishCalls = function* (): Generator<StreamEvent> {
      for (const [, pc] of [...calls.entries()].sort((a, b) => a[0] - b[0])) {
        if (pc.call) continue;
        pc.call = { type: "toolCall", id: pc.id || generateToolCallId(), name: pc.name, arguments: parseToolArguments(pc.args) };
        yield { type: "toolcall", toolCall: pc.call };
      }
    };

    for (;;) {
      const next = await guard.wait(iterator.next());
      if (next.done) break;
      const chunk = next.value;
      if (chunk.usage) {
        const u = chunk.usage;
        const cached = u.prompt_tokens_details?.cached_tokens ?? 0;
        usage.input = Math.max(0, (u.prompt_tokens ?? 0) - cached);
        usage.output = u.completion_tokens ?? 0;
        usage.cacheRead = cached;
      }
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      const delta = (choice.delta ?? {}) as ChatCompletionChunk.Choice.Delta & { reasoning_content?: unknown; reasoning?: unknown };
      const reasoning =
        typeof delta.reasoning_content === "string" ? delta.reasoning_content : typeof delta.reasoning === "string" ? delta.reasoning : "";
      if (reasoning) {
        if (!thinking) {
          thinking = { type: "thinking", thinking: "" };
          order.push(thinking);
          text = undefined;
        }
        thinking.thinking += guard.counted(reasoning);
        yield { type: "thinking_delta", delta: reasoning };
      }
      if (typeof delta.content === "string" && delta.content) {
        if (!text) {
          text = { type: "text", text: "" };
          order.push(text);
          thinking = undefined;
        }
        text.text += guard.counted(delta.content);
        yield { type: "text_delta", delta: delta.content };
      }
      for (const tc of delta.tool_calls ?? []) {
        const index = tc.index ?? 0;
        let pc = calls.get(index);
        if (!pc) {
          guard.count(REPLY_PART_CHARS);
          pc = { id: "", name: "", args: "" };
          calls.set(index, pc);
          order.push(pc);
          text = undefined;
          thinking = undefined;
        }
        if (tc.id) pc.id = tc.id;
        if (tc.function?.name && !pc.name) pc.name = tc.function.name;
        if (tc.function?.arguments) pc.args += guard.counted(tc.function.arguments);
      }
      if (choice.finish_reason) {
        finish = choice.finish_reason;
        yield* finishCalls(); // the calls are complete; usage may still follow
      }
    }
    guard.streamEnded();
    if (!finish) throw truncatedStream(ctx, "finish_reason");
    yield* finishCalls();

    const content: AssistantMessage["content"] = [];
    for (const item of order) {
      if ("type" in item) {
        if (item.type === "text" ? item.text : item.thinking) content.push(item);
      } else if (item.call) content.push(item.call);
    }
    const message: AssistantMessage = {
      role: "assistant",
      content,
      api: model.api,
      provider: model.provider,
      model: model.id,
      usage: priceUsage(usage, model),
      stopReason: mapStop(finish, calls.size > 0),
      timestamp: now(),
    };
    yield { type: "done", message };
  } catch (err) {
    throw guard.failure(err);
  } finally {
    guard.dispose();
    void iterator?.return?.().catch(() => {});
  }
}

function mapStop(reason: string | null | undefined, hasToolCalls: boolean): StopReason {
  if (hasToolCalls || reason === "tool_calls" || reason === "function_call") return "toolUse";
  if (reason === "length") return "length";
  return "stop";
}

/** The request without its `messages` (left empty): model, streaming, limits and tools. */
function baseParams(req: StreamRequest): ChatCompletionCreateParamsStreaming {
  const { model } = req;
  const official = isHost(model.baseUrl, "api.openai.com");
  const params: ChatCompletionCreateParamsStreaming = {
    model: model.id,
    messages: [],
    stream: true,
    stream_options: { include_usage: true },
  };
  const maxTokens = req.maxTokens ?? model.maxTokens;
  if (maxTokens) {
    const field = model.compat?.maxTokensField ?? (official ? "max_completion_tokens" : "max_tokens");
    params[field] = maxTokens;
  }
  if (req.temperature !== undefined) params.temperature = req.temperature;
  if (req.tools?.length) {
    params.tools = req.tools.map((t) => ({
      type: "function" as const,
      function: { name: t.name, description: t.description, parameters: t.parameters },
    }));
  }
  return params;
}

function systemMessage(req: StreamRequest): ChatCompletionMessageParam | undefined {
  if (isBlank(req.systemPrompt)) return undefined;
  const role = req.model.compat?.supportsDeveloperRole && req.model.reasoning ? "developer" : "system";
  return { role, content: req.systemPrompt! };
}

/** The request as objects (what {@link requestBody} encodes). */
export function buildParams(req: StreamRequest): ChatCompletionCreateParamsStreaming {
  const params = baseParams(req);
  const system = systemMessage(req);
  params.messages = [...(system ? [system] : []), ...convertMessages(req.messages, req.model)];
  return params;
}

/**
 * Each tool's entry in a request's `tools`, encoded once per spec: the definitions are the same on
 * every call and often the largest part of the request (the built-in tools' schemas are about 16 KB).
 */
const toolJson = new WeakMap<ToolSpec, string>();

/** The last system message encoded: the same prompt comes back call after call. */
let lastSystem: { message: ChatCompletionMessageParam; json: string } | undefined;

/**
 * The request's JSON, the same as `JSON.stringify(buildParams(req))` where `params` is `baseParams(req)`,
 * with the tool definitions from {@link toolJson} and the system prompt's encoding reused while they are
 * the same. Its pieces are encoded one after another into the bytes sent, outside the JavaScript heap: a
 * string joined or concatenated from them would be one more copy of the whole request on the heap (the
 * tool definitions alone are about 16 KB) for every call.
 */
export function requestBody(req: StreamRequest, params: ChatCompletionCreateParamsStreaming): Buffer {
  const { model: id, messages: _messages, tools, ...rest } = params;
  const pieces: string[] = ['{"model":', JSON.stringify(id), ',"messages":['];
  const system = systemMessage(req);
  if (system) {
    if (lastSystem?.message.role !== system.role || lastSystem.message.content !== system.content) {
      lastSystem = { message: system, json: JSON.stringify(system) };
    }
    pieces.push(lastSystem.json);
  }
  const history = convertMessages(req.messages, req.model);
  if (history.length) pieces.push(system ? "," : "", JSON.stringify(history).slice(1, -1));
  pieces.push("],", JSON.stringify(rest).slice(1, -1));
  if (tools?.length) {
    // `tools` was made from `req.tools`, one entry per spec, in order.
    const specs = req.tools!;
    pieces.push(',"tools":[');
    for (const [i, tool] of tools.entries()) {
      let json = toolJson.get(specs[i]!);
      if (json === undefined) {
        json = JSON.stringify(tool);
        toolJson.set(specs[i]!, json);
      }
      pieces.push(i ? "," : "", json);
    }
    pieces.push("]");
  }
  pieces.push("}");
  let bytes = 0;
  for (const p of pieces) bytes += Buffer.byteLength(p);
  const body = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (const p of pieces) at += body.write(p, at);
  return body;
}

function imagePart(img: ImageContent, model: ModelSpec): ChatCompletionContentPart {
  if (!acceptsImages(model)) return { type: "text", text: IMAGE_OMITTED };
  return { type: "image_url", image_url: { url: `data:${img.mimeType};base64,${img.data}` } };
}

/** Plain string when there are no images: many compatible servers only take string content. */
function userContent(
  content: string | Array<TextContent | ImageContent>,
  model: ModelSpec,
): string | ChatCompletionContentPart[] | undefined {
  if (typeof content === "string") return isBlank(content) ? undefined : content;
  const parts: ChatCompletionContentPart[] = [];
  for (const c of content) {
    if (c.type === "text") {
      if (!isBlank(c.text)) parts.push({ type: "text", text: c.text });
    } else parts.push(imagePart(c, model));
  }
  if (!parts.length) return undefined;
  if (parts.every((p) => p.type === "text")) return (parts as ChatCompletionContentPartText[]).map((p) => p.text).join("\n");
  return parts;
}

export function convertMessages(messages: Message[], model: ModelSpec): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [];
  // Tool messages carry text only; images from a run of tool results follow in one user message.
  let pendingImages: ImageContent[] = [];
  const flushImages = () => {
    if (!pendingImages.length) return;
    if (acceptsImages(model)) {
      out.push({
        role: "user",
        content: [{ type: "text", text: "Images returned by the tool calls above:" }, ...pendingImages.map((i) => imagePart(i, model))],
      });
    }
    pendingImages = [];
  };
  for (const msg of normalizeTranscript(messages)) {
    if (msg.role === "toolResult") {
      const images = toolResultImages(msg);
      let text = toolResultText(msg);
      if (images.length && !acceptsImages(model)) text = [text, IMAGE_OMITTED].filter(Boolean).join("\n");
      out.push({ role: "tool", tool_call_id: msg.toolCallId, content: isBlank(text) ? "(no output)" : text });
      pendingImages.push(...images);
      continue;
    }
    flushImages();
    if (msg.role === "user") {
      const content = userContent(msg.content, model);
      if (content !== undefined) out.push({ role: "user", content });
      continue;
    }
    const text = msg.content
      .filter((b): b is TextContent => b.type === "text" && !isBlank(b.text))
      .map((b) => b.text)
      .join("\n");
    const toolCalls: ChatCompletionMessageToolCall[] = msg.content
      .filter((b): b is ToolCall => b.type === "toolCall")
      .map((b) => ({ id: b.id, type: "function", function: { name: b.name, arguments: JSON.stringify(b.arguments) } }));
    if (!text && !toolCalls.length) continue;
    out.push({ role: "assistant", content: text || null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) });
  }
  flushImages();
  return out;
}
