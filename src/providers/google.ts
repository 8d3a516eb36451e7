/**
 * Gemini API (`api: "google-generative-ai"`) over `@google/genai`, `generateContentStream`.
 *
 * - `baseUrl` is the host root (`https://generativelanguage.googleapis.com`); a trailing API version
 *   (`/v1beta`, the OpenClaw default, or `/v1`, `/v1alpha`) is split off and used as the version.
 * - No SDK retries (none configured) and no automatic continuation: failover decides.
 * - Gemini gives tool calls no ids; we generate `gcall_...` ids and do not send those back.
 * - Thought signatures are kept (`thoughtSignature` on text, thinking and functionCall parts) and
 *   returned to Gemini; a functionCall from another API gets Gemini's documented bypass signature on
 *   Gemini 3+ models, which otherwise reject calls without one.
 */
import { GoogleGenAI, type Content, type GenerateContentConfig, type GenerateContentResponse, type Part } from "@google/genai";
import {
  ClientCache,
  IMAGE_OMITTED,
  RequestGuard,
  acceptsImages,
  generateToolCallId,
  isBlank,
  normalizeTranscript,
  toolArgumentsFrom,
  toolResultImages,
  toolResultText,
  truncatedStream,
  REPLY_PART_CHARS,
} from "./common.js";
import {
  ProviderError,
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

const GENERATED_ID = "gcall_";
const SKIP_SIGNATURE = "skip_thought_signature_validator";

export function createGoogleClient(opts: ClientOptions = {}): ProviderClient {
  const now = opts.now ?? Date.now;
  const sdks = new ClientCache<GoogleGenAI>();
  const sdkFor = (model: ModelSpec, apiKey: string | undefined) => {
    const { baseUrl, apiVersion } = splitBaseUrl(model.baseUrl);
    const key = apiKey || "missing-api-key";
    return sdks.get(JSON.stringify([baseUrl, apiVersion, key, model.headers ?? {}]), () => {
      return new GoogleGenAI({
        vertexai: false,
        apiKey: key,
        apiVersion,
        httpOptions: { baseUrl, apiVersion, ...(model.headers ? { headers: model.headers } : {}) },
      });
    });
  };
  return {
    stream: (req) => streamGoogle(sdkFor(req.model, req.apiKey), req, now),
  };
}

export function splitBaseUrl(raw: string): { baseUrl: string; apiVersion: string } {
  const trimmed = raw.replace(/\/+$/, "");
  const m = /^(.*)\/(v\d+(?:alpha|beta)?\d*)$/.exec(trimmed);
  return m ? { baseUrl: m[1]!, apiVersion: m[2]! } : { baseUrl: trimmed, apiVersion: "v1beta" };
}

async function* streamGoogle(sdk: GoogleGenAI, req: StreamRequest, now: () => number): AsyncGenerator<StreamEvent> {
  const { model } = req;
  const ctx = { provider: model.provider, model: model.id };
  const guard = new RequestGuard(ctx, req.signal, req.idleTimeoutMs);
  let iterator: AsyncIterator<GenerateContentResponse> | undefined;
  try {
    guard.throwIfFired();
    const { contents, config } = buildRequest(req);
    config.abortSignal = guard.signal;
    const stream = await guard.wait(sdk.models.generateContentStream({ model: model.id, contents, config }));
    iterator = stream[Symbol.asyncIterator]();

    const content: AssistantMessage["content"] = [];
    let current: TextContent | ThinkingContent | undefined;
    const usage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
    let finish: string | undefined;
    let hasToolCalls = false;
    for (;;) {
      const next = await guard.wait(iterator.next());
      if (next.done) break;
      const chunk = next.value;
      const u = chunk.usageMetadata;
      if (u) {
        const cached = u.cachedContentTokenCount ?? 0;
        usage.input = Math.max(0, (u.promptTokenCount ?? 0) - cached);
        usage.output = (u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0);
        usage.cacheRead = cached;
      }
      if (chunk.promptFeedback?.blockReason) {
        throw new ProviderError("bad_request", `${ctx.provider}/${ctx.model}: prompt blocked (${chunk.promptFeedback.blockReason})`, {
          provider: ctx.provider,
          model: ctx.model,
        });
      }
      const candidate = chunk.candidates?.[0];
      if (!candidate) continue;
      for (const part of candidate.content?.parts ?? []) {
        if (part.functionCall) {
          guard.count(REPLY_PART_CHARS + JSON.stringify(part.functionCall.args ?? {}).length);
          const call: ToolCall = {
            type: "toolCall",
            id: part.functionCall.id || generateToolCallId(GENERATED_ID.slice(0, -1)),
            name: part.functionCall.name ?? "",
            arguments: toolArgumentsFrom(part.functionCall.args),
          };
          if (part.thoughtSignature) call.thoughtSignature = part.thoughtSignature;
          content.push(call);
          current = undefined;
          hasToolCalls = true;
          yield { type: "toolcall", toolCall: call };
          continue;
        }
        if (typeof part.text !== "string") continue;
        const isThought = part.thought === true;
        if (part.text) {
          guard.counted(part.text);
          const kind = isThought ? "thinking" : "text";
          if (current?.type !== kind) {
            current = isThought ? { type: "thinking", thinking: "" } : { type: "text", text: "" };
            content.push(current);
          }
          if (current.type === "thinking") current.thinking += part.text;
          else current.text += part.text;
          yield isThought ? { type: "thinking_delta", delta: part.text } : { type: "text_delta", delta: part.text };
        }
        // A signature can arrive on its own (empty) part; it belongs to the block it follows.
        if (part.thoughtSignature) {
          if (!current) {
            current = isThought ? { type: "thinking", thinking: "" } : { type: "text", text: "" };
            content.push(current);
          }
          if (current.type === "thinking") current.thinkingSignature = part.thoughtSignature;
          else current.textSignature = part.thoughtSignature;
        }
      }
      if (candidate.finishReason) finish = candidate.finishReason;
    }
    guard.streamEnded();
    if (!finish) throw truncatedStream(ctx, "finishReason");

    const message: AssistantMessage = {
      role: "assistant",
      content: content.filter(
        (b) => b.type === "toolCall" || (b.type === "text" ? b.text || b.textSignature : b.thinking || b.thinkingSignature),
      ),
      api: model.api,
      provider: model.provider,
      model: model.id,
      usage: priceUsage(usage, model),
      stopReason: mapStop(finish, hasToolCalls),
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

function mapStop(reason: string | undefined, hasToolCalls: boolean): StopReason {
  if (hasToolCalls) return "toolUse";
  if (reason === "MAX_TOKENS") return "length";
  return "stop";
}

export function buildRequest(req: StreamRequest): { contents: Content[]; config: GenerateContentConfig } {
  const { model } = req;
  const config: GenerateContentConfig = {
    maxOutputTokens: req.maxTokens ?? model.maxTokens,
    automaticContinuation: false,
  };
  if (!isBlank(req.systemPrompt)) config.systemInstruction = { parts: [{ text: req.systemPrompt! }] };
  if (req.temperature !== undefined) config.temperature = req.temperature;
  if (model.reasoning) config.thinkingConfig = { includeThoughts: true };
  if (req.tools?.length) {
    config.tools = [
      {
        functionDeclarations: req.tools.map((t) => ({ name: t.name, description: t.description, parametersJsonSchema: t.parameters })),
      },
    ];
  }
  return { contents: convertMessages(req.messages, model), config };
}

function imagePart(img: ImageContent, model: ModelSpec): Part {
  if (!acceptsImages(model)) return { text: IMAGE_OMITTED };
  return { inlineData: { mimeType: img.mimeType, data: img.data } };
}

export function convertMessages(messages: Message[], model: ModelSpec): Content[] {
  const out: Content[] = [];
  const push = (role: "user" | "model", parts: Part[]) => {
    if (!parts.length) return;
    const last = out[out.length - 1];
    if (last?.role === role) last.parts!.push(...parts);
    else out.push({ role, parts });
  };
  const needsSignature = /gemini-([3-9]|\d{2,})/.test(model.id);
  // Ids go back only for calls whose id Gemini itself issued (and then on both call and response).
  const sentIds = new Set<string>();
  for (const msg of normalizeTranscript(messages)) {
    if (msg.role === "user") {
      if (typeof msg.content === "string") push("user", isBlank(msg.content) ? [] : [{ text: msg.content }]);
      else
        push(
          "user",
          msg.content.flatMap((c): Part[] => (c.type === "text" ? (isBlank(c.text) ? [] : [{ text: c.text }]) : [imagePart(c, model)])),
        );
      continue;
    }
    if (msg.role === "toolResult") {
      const text = toolResultText(msg);
      const id = sentIds.has(msg.toolCallId) ? msg.toolCallId : undefined;
      const parts: Part[] = [
        {
          functionResponse: {
            name: msg.toolName,
            ...(id ? { id } : {}),
            response: msg.isError ? { error: text || "(error)" } : { output: text },
          },
        },
      ];
      for (const img of toolResultImages(msg)) parts.push(imagePart(img, model));
      push("user", parts);
      continue;
    }
    const sameApi = msg.api === "google-generative-ai";
    const parts: Part[] = [];
    for (const b of msg.content) {
      if (b.type === "text") {
        if (isBlank(b.text)) continue;
        parts.push({ text: b.text, ...(sameApi && b.textSignature ? { thoughtSignature: b.textSignature } : {}) });
      } else if (b.type === "thinking") {
        if (!sameApi || (isBlank(b.thinking) && !b.thinkingSignature)) continue;
        parts.push({ text: b.thinking, thought: true, ...(b.thinkingSignature ? { thoughtSignature: b.thinkingSignature } : {}) });
      } else {
        const id = sameApi && !b.id.startsWith(GENERATED_ID) ? b.id : undefined;
        if (id) sentIds.add(id);
        const signature = sameApi && b.thoughtSignature ? b.thoughtSignature : needsSignature ? SKIP_SIGNATURE : undefined;
        parts.push({
          functionCall: { name: b.name, args: b.arguments, ...(id ? { id } : {}) },
          ...(signature ? { thoughtSignature: signature } : {}),
        });
      }
    }
    push("model", parts);
  }
  return out;
}
