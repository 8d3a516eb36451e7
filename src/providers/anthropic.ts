/**
 * Anthropic Messages API (`api: "anthropic-messages"`) over `@anthropic-ai/sdk`, streaming.
 *
 * - `baseUrl` is the API root without `/v1` (`https://api.anthropic.com`); a trailing `/v1` is
 *   tolerated and stripped, since the SDK appends `/v1/messages` itself.
 * - SDK retries are off (`maxRetries: 0`): failover decides what happens after a 529 or 429.
 * - The key is always passed explicitly, so the SDK never falls back to `ANTHROPIC_API_KEY`, auth
 *   tokens or profile files on disk. SDK v1 sends it as `Authorization: Bearer <key>`.
 */
import { createHttpFetch } from "./http-fetch.js";
import Anthropic from "@anthropic-ai/sdk";
import type {
  ContentBlockParam,
  ImageBlockParam,
  MessageCreateParamsStreaming,
  MessageParam,
  RawMessageStreamEvent,
  TextBlockParam,
  Tool,
  ToolResultBlockParam,
} from "@anthropic-ai/sdk/resources/messages/messages";
import type { Stream } from "@anthropic-ai/sdk/streaming";
import {
  ClientCache,
  IMAGE_OMITTED,
  RequestGuard,
  acceptsImages,
  isBlank,
  normalizeTranscript,
  parseToolArguments,
  quietLogLevel,
  toolResultImages,
  toolArgumentsFrom,
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
  type ClientOptions,
} from "./types.js";

type MediaType = "image/jpeg" | "image/png" | "image/gif" | "image/webp";
const MEDIA_TYPES = new Set<string>(["image/jpeg", "image/png", "image/gif", "image/webp"]);
const CACHE = { type: "ephemeral" } as const;

export function createAnthropicClient(opts: ClientOptions = {}): ProviderClient {
  const now = opts.now ?? Date.now;
  const sdks = new ClientCache<Anthropic>();
  const fetch = createHttpFetch();
  const sdkFor = (model: ModelSpec, apiKey: string | undefined) => {
    const baseURL = model.baseUrl.replace(/\/+$/, "").replace(/\/v1$/, "");
    const key = apiKey || "missing-api-key";
    return sdks.get(JSON.stringify([baseURL, key, model.headers ?? {}]), () => {
      // Claude subscription tokens (setup-token) go in as auth tokens, with the OAuth beta header.
      const oauth = key.startsWith("sk-ant-oat");
      return new Anthropic({
        ...(oauth ? { authToken: key } : { apiKey: key }),
        baseURL,
        maxRetries: 0,
        defaultHeaders: { ...(oauth ? { "anthropic-beta": "oauth-2025-04-20" } : {}), ...model.headers },
        openTelemetry: false,
        logLevel: quietLogLevel("ANTHROPIC_LOG"),
        fetch,
      });
    });
  };
  return {
    stream: (req) => streamAnthropic(sdkFor(req.model, req.apiKey), req, now),
  };
}

async function* streamAnthropic(sdk: Anthropic, req: StreamRequest, now: () => number): AsyncGenerator<StreamEvent> {
  const { model } = req;
  const ctx = { provider: model.provider, model: model.id };
  const guard = new RequestGuard(ctx, req.signal, req.idleTimeoutMs);
  let iterator: AsyncIterator<RawMessageStreamEvent> | undefined;
  try {
    guard.throwIfFired();
    const params = buildParams(req);
    // `messages.create` would also print a console warning on every request for a model Anthropic has
    // announced an end-of-life date for (the guide's default among them); the same request, quietly.
    const stream = await guard.wait(
      sdk.post<Stream<RawMessageStreamEvent>>("/v1/messages", { body: params, stream: true, signal: guard.signal }),
    );
    iterator = stream[Symbol.asyncIterator]();

    const blocks = new Map<number, Block>();
    const usage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
    let apiStop: string | null | undefined;
    let stopped = false;
    for (;;) {
      const next = await guard.wait(iterator.next());
      if (next.done) break;
      const ev = next.value;
      switch (ev.type) {
        case "message_start": {
          const u = ev.message.usage;
          usage.input = u.input_tokens ?? 0;
          usage.output = u.output_tokens ?? 0;
          usage.cacheRead = u.cache_read_input_tokens ?? 0;
          usage.cacheWrite = u.cache_creation_input_tokens ?? 0;
          break;
        }
        case "content_block_start": {
          const cb = ev.content_block;
          guard.count(REPLY_PART_CHARS + (cb.type === "text" ? (cb.text?.length ?? 0) : 0));
          if (cb.type === "text") blocks.set(ev.index, { kind: "text", text: cb.text ?? "" });
          else if (cb.type === "thinking")
            blocks.set(ev.index, { kind: "thinking", text: cb.thinking ?? "", signature: cb.signature || undefined });
          else if (cb.type === "tool_use") blocks.set(ev.index, { kind: "tool", id: cb.id, name: cb.name, json: "", input: cb.input });
          if (cb.type === "text" && cb.text) yield { type: "text_delta", delta: cb.text };
          break;
        }
        case "content_block_delta": {
          const b = blocks.get(ev.index);
          const d = ev.delta;
          if (!b) break;
          if (d.type === "text_delta" && b.kind === "text") {
            b.text += guard.counted(d.text);
            if (d.text) yield { type: "text_delta", delta: d.text };
          } else if (d.type === "thinking_delta" && b.kind === "thinking") {
            b.text += guard.counted(d.thinking);
            if (d.thinking) yield { type: "thinking_delta", delta: d.thinking };
          } else if (d.type === "signature_delta" && b.kind === "thinking") {
            b.signature = (b.signature ?? "") + guard.counted(d.signature);
          } else if (d.type === "input_json_delta" && b.kind === "tool") {
            b.json += guard.counted(d.partial_json);
          }
          break;
        }
        case "content_block_stop": {
          const b = blocks.get(ev.index);
          if (b?.kind === "tool") {
            b.call = {
              type: "toolCall",
              id: b.id,
              name: b.name,
              arguments: b.json ? parseToolArguments(b.json) : toolArgumentsFrom(b.input),
            };
            yield { type: "toolcall", toolCall: b.call };
          }
          break;
        }
        case "message_delta": {
          apiStop = ev.delta.stop_reason ?? apiStop;
          const u = ev.usage;
          // Cumulative counts; newer API versions repeat input and cache counts here.
          if (u.output_tokens != null) usage.output = u.output_tokens;
          if (u.input_tokens != null) usage.input = u.input_tokens;
          if (u.cache_read_input_tokens != null) usage.cacheRead = u.cache_read_input_tokens;
          if (u.cache_creation_input_tokens != null) usage.cacheWrite = u.cache_creation_input_tokens;
          break;
        }
        case "message_stop":
          stopped = true;
          break;
      }
    }
    guard.streamEnded();
    if (!stopped) throw truncatedStream(ctx, "message_stop");

    const content: AssistantMessage["content"] = [];
    for (const [, b] of [...blocks.entries()].sort((x, y) => x[0] - y[0])) {
      if (b.kind === "text") {
        if (b.text) content.push({ type: "text", text: b.text });
      } else if (b.kind === "thinking") {
        const t: ThinkingContent = { type: "thinking", thinking: b.text };
        if (b.signature) t.thinkingSignature = b.signature;
        content.push(t);
      } else if (b.call) {
        content.push(b.call);
      }
    }
    const message: AssistantMessage = {
      role: "assistant",
      content,
      api: model.api,
      provider: model.provider,
      model: model.id,
      usage: priceUsage(usage, model),
      stopReason: mapStop(
        apiStop,
        content.some((c) => c.type === "toolCall"),
      ),
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

type Block =
  | { kind: "text"; text: string }
  | { kind: "thinking"; text: string; signature?: string }
  | { kind: "tool"; id: string; name: string; json: string; input: unknown; call?: ToolCall };

function mapStop(reason: string | null | undefined, hasToolCalls: boolean): StopReason {
  if (hasToolCalls || reason === "tool_use") return "toolUse";
  if (reason === "max_tokens" || reason === "model_context_window_exceeded") return "length";
  return "stop";
}

export function buildParams(req: StreamRequest): MessageCreateParamsStreaming {
  const { model } = req;
  const messages = convertMessages(req.messages, model);
  // Prompt caching: mark the system prompt and the newest message so the next turn reads them from cache.
  const last = messages[messages.length - 1];
  if (last && Array.isArray(last.content)) {
    const block = last.content[last.content.length - 1];
    if (block && (block.type === "text" || block.type === "image" || block.type === "tool_result")) block.cache_control = CACHE;
  }
  const params: MessageCreateParamsStreaming = {
    model: model.id,
    max_tokens: req.maxTokens ?? model.maxTokens,
    messages,
    stream: true,
  };
  if (!isBlank(req.systemPrompt)) params.system = [{ type: "text", text: req.systemPrompt!, cache_control: CACHE }];
  // No `temperature`: API version 2026-10-21 (SDK v1) removed sampling parameters from Messages.
  if (req.tools?.length) {
    params.tools = req.tools.map((t): Tool => ({
      name: t.name,
      description: t.description,
      input_schema: { type: "object", ...t.parameters } as Tool.InputSchema,
    }));
  }
  return params;
}

/** Anthropic accepts tool ids matching ^[a-zA-Z0-9_-]{1,64}$; ids from other APIs are mapped into that. */
function toolId(id: string): string {
  const clean = id.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64);
  return clean || "tool";
}

function imageBlock(img: ImageContent, model: ModelSpec): ImageBlockParam | TextBlockParam {
  if (!acceptsImages(model) || !MEDIA_TYPES.has(img.mimeType)) return { type: "text", text: IMAGE_OMITTED };
  return { type: "image", source: { type: "base64", media_type: img.mimeType as MediaType, data: img.data } };
}

function userBlocks(content: string | Array<TextContent | ImageContent>, model: ModelSpec): Array<TextBlockParam | ImageBlockParam> {
  if (typeof content === "string") return isBlank(content) ? [] : [{ type: "text", text: content }];
  const out: Array<TextBlockParam | ImageBlockParam> = [];
  for (const c of content) {
    if (c.type === "text") {
      if (!isBlank(c.text)) out.push({ type: "text", text: c.text });
    } else out.push(imageBlock(c, model));
  }
  return out;
}

export function convertMessages(messages: Message[], model: ModelSpec): MessageParam[] {
  const out: MessageParam[] = [];
  // The user message that holds the tool_result blocks of the current run of toolResult messages.
  let toolResults: ContentBlockParam[] | undefined;
  for (const msg of normalizeTranscript(messages)) {
    if (msg.role === "toolResult") {
      const text = toolResultText(msg);
      const parts: Array<TextBlockParam | ImageBlockParam> = [];
      if (!isBlank(text)) parts.push({ type: "text", text });
      for (const img of toolResultImages(msg)) parts.push(imageBlock(img, model));
      const block: ToolResultBlockParam = { type: "tool_result", tool_use_id: toolId(msg.toolCallId) };
      if (parts.length) block.content = parts;
      if (msg.isError) block.is_error = true;
      if (!toolResults) {
        toolResults = [];
        out.push({ role: "user", content: toolResults });
      }
      toolResults.push(block);
      continue;
    }
    toolResults = undefined;
    if (msg.role === "user") {
      const blocks = userBlocks(msg.content, model);
      if (blocks.length) out.push({ role: "user", content: blocks });
      continue;
    }
    // Signatures are only valid for the API that issued them; thinking from elsewhere is dropped.
    const sameApi = msg.api === "anthropic-messages";
    const blocks: ContentBlockParam[] = [];
    for (const b of msg.content) {
      if (b.type === "text") {
        if (!isBlank(b.text)) blocks.push({ type: "text", text: b.text });
      } else if (b.type === "thinking") {
        if (sameApi && b.thinkingSignature) blocks.push({ type: "thinking", thinking: b.thinking, signature: b.thinkingSignature });
      } else {
        blocks.push({ type: "tool_use", id: toolId(b.id), name: b.name, input: b.arguments });
      }
    }
    if (blocks.length) out.push({ role: "assistant", content: blocks });
  }
  return out;
}
