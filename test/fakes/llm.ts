/**
 * Fake Anthropic, OpenAI and Gemini HTTP APIs on 127.0.0.1 (port 0) that speak the real wire formats,
 * so tests can drive the official SDKs (and the gateway) without network.
 *
 * `baseUrl` is what goes into `models.providers.<id>.baseUrl`:
 * - anthropic: `http://127.0.0.1:PORT`        (SDK appends `/v1/messages`)
 * - openai:    `http://127.0.0.1:PORT/v1`     (SDK appends `/chat/completions`)
 * - gemini:    `http://127.0.0.1:PORT`        (SDK appends `/v1beta/models/{model}:streamGenerateContent?alt=sse`;
 *                                              `http://127.0.0.1:PORT/v1beta` works with our client too)
 *
 * Endpoints: anthropic `POST /v1/messages` (`stream: true` → SSE, else a `message` object), `GET /v1/models`;
 * openai `POST /v1/chat/completions` (`stream: true` → `chat.completion.chunk` SSE ending in `[DONE]`, a usage
 * chunk when `stream_options.include_usage`; else a `chat.completion`), `GET /v1/models`; gemini
 * `POST /v1beta/models/{model}:streamGenerateContent?alt=sse` and `:generateContent`, `GET /v1beta/models`.
 *
 * Each generate request (also one refused for its key) is recorded in `requests` with a normalized view (model, system, messages, tool names,
 * tool results, images). Replies come from `enqueue(...)` in order, else from `responder` (default: echo
 * `echo: <last user text>`). Set `requiredKey` to make the fake answer 401 (in that API's error format)
 * to a wrong key (anthropic: `x-api-key` or `Authorization: Bearer`; openai: `Authorization: Bearer`;
 * gemini: `x-goog-api-key` or `?key=`).
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { randomBytes } from "node:crypto";
import { readBody } from "./http.js";
import { stripEnvelope } from "../../src/agents/envelope.js";

export type FakeKind = "anthropic" | "openai" | "gemini";

export interface FakeRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  /** normalized view: */
  model: string;
  system?: string;
  messages: Array<{ role: string; text: string }>;
  toolNames: string[];
  toolResults: Array<{ name?: string; id?: string; content: string }>;
  hasImage: boolean;
  /** Extra: whether the client asked for a streamed reply. */
  stream: boolean;
}

export interface FakeReply {
  /** Streamed in several chunks. */
  text?: string;
  /** Extra: how many chunks `text` streams in (default: up to 4). */
  textChunks?: number;
  toolCalls?: Array<{ name: string; arguments: Record<string, unknown>; id?: string }>;
  /** Send this literal (possibly malformed) JSON as the first tool call's arguments (Gemini: as a string `args`). */
  rawToolArguments?: string;
  error?: { status: number; message?: string; type?: string; retryAfterSeconds?: number };
  /** Before the response starts. */
  delayMs?: number;
  /** Between streamed chunks. */
  chunkDelayMs?: number;
  /** Extra: awaited after the nth streamed chunk (1, 2, …) before the next, e.g. until the client has shown it. */
  afterChunk?: (n: number) => Promise<unknown> | void;
  /** Accept the request and never answer (for timeouts). */
  hang?: boolean;
  /** Default: derived from text lengths. Extra: cache counts (Anthropic cache read/creation, OpenAI/Gemini cached). */
  usage?: { input: number; output: number; cacheRead?: number; cacheWrite?: number };
  /** Literal stop reason in the API's vocabulary (end_turn / stop / STOP, ...). */
  stopReason?: string;
  /** Extra: reasoning streamed before the text (Anthropic thinking block, OpenAI `reasoning_content`, Gemini thought part). */
  thinking?: string;
  /** Extra: signature for the thinking block (Anthropic `signature_delta`; Gemini `thoughtSignature`). */
  signature?: string;
  /** Extra: after the text chunks, send this error inside the open stream instead of finishing. */
  streamError?: { type?: string; message?: string; status?: number };
}

interface Auth {
  ok: boolean;
}

/** Waits `ms`, or less when the client goes away (so no timer outlives a closed fake). */
function pause(ms: number, res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off("close", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.on("close", done);
  });
}
const rid = (n = 12) =>
  randomBytes(n)
    .toString("hex")
    .slice(0, n * 2);

/** Splits text into up to 4 chunks so a reply arrives as several deltas. */
function chunks(text: string, max = 4): string[] {
  if (!text) return [];
  const n = Math.min(max, text.length);
  const size = Math.ceil(text.length / n);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

const tokens = (s: string) => Math.max(1, Math.ceil(s.length / 4));

/** In an event list: where `chunkDelayMs` applies (between content chunks, not framing events). */
const PAUSE = Symbol("pause");
type Frame = string | typeof PAUSE;

/** Puts a PAUSE before every content frame except the first. */
function paced(frames: Frame[]): Frame[] {
  let seen = false;
  return frames.filter((f) => {
    if (f !== PAUSE || seen) return true;
    seen = true;
    return false;
  });
}

export class FakeLlm {
  readonly kind: FakeKind;
  readonly baseUrl: string;
  readonly port: number;
  requests: FakeRequest[] = [];
  /** Generate requests being answered right now (until their response ends or is cut off). */
  active = 0;
  /** The most generate requests answered at once (set it to 0 to start counting again). */
  peakActive = 0;
  /** When set, requests with another key get a 401 in the API's error format. */
  requiredKey: string | undefined;
  /** Default answer; initially echoes: text `echo: <last user text>`. */
  responder: (req: FakeRequest) => FakeReply = (req) => ({ text: `echo: ${lastUserText(req)}` });
  private readonly queue: FakeReply[] = [];
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();

  private constructor(kind: FakeKind, server: http.Server, port: number) {
    this.kind = kind;
    this.server = server;
    this.port = port;
    const root = `http://127.0.0.1:${port}`;
    this.baseUrl = kind === "openai" ? `${root}/v1` : root;
  }

  static async start(kind: FakeKind): Promise<FakeLlm> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const fake = new FakeLlm(kind, server, (server.address() as AddressInfo).port);
    server.on("connection", (s) => {
      fake.sockets.add(s);
      s.on("close", () => fake.sockets.delete(s));
    });
    server.on("request", (req, res) => {
      fake.handle(req, res).catch((err) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(String(err));
      });
    });
    return fake;
  }

  /** Replies used in order, one per request; when empty, `responder` answers. */
  enqueue(...replies: FakeReply[]): void {
    this.queue.push(...replies);
  }

  /** The last recorded request (throws when there is none). */
  get last(): FakeRequest {
    const r = this.requests[this.requests.length - 1];
    if (!r) throw new Error("FakeLlm: no requests yet");
    return r;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  // ---------------------------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const raw = (await readBody(req)).toString("utf8");
    let body: any = {};
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return this.sendError(res, { status: 400, message: "request body is not valid JSON" });
      }
    }
    const route = this.route(req.method ?? "GET", url.pathname);
    if (!route) return this.sendError(res, { status: 404, message: `no route for ${req.method} ${url.pathname}` });
    const fr =
      route.kind === "generate" ? this.normalize(url.pathname + url.search, req.headers, body, route.model, route.stream) : undefined;
    if (fr) {
      this.requests.push(fr); // recorded even when the key is refused below
      this.peakActive = Math.max(this.peakActive, ++this.active);
      res.once("close", () => this.active--);
    }
    if (!this.checkAuth(req, url).ok) {
      const message =
        this.kind === "gemini"
          ? "API key not valid. Please pass a valid API key."
          : this.kind === "anthropic"
            ? "invalid x-api-key"
            : "Incorrect API key provided.";
      return this.sendError(res, { status: 401, message });
    }
    if (!fr) return this.sendModels(res);
    // Like the real APIs: a tool call without its result (or a result without its call) is refused.
    const unpaired =
      this.kind === "anthropic" ? anthropicPairingError(body) : this.kind === "openai" ? openaiPairingError(body) : undefined;
    if (unpaired) return this.sendError(res, { status: 400, message: unpaired });

    const reply = this.queue.shift() ?? this.responder(fr);
    if (reply.hang) return; // keep the socket open, never answer
    if (reply.delayMs) await pause(reply.delayMs, res);
    if (res.destroyed) return;
    if (reply.error) return this.sendError(res, reply.error);
    if (fr.stream) {
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache",
        connection: "keep-alive",
        ...this.idHeaders(),
      });
      const events =
        this.kind === "anthropic" ? anthropicEvents(fr, reply) : this.kind === "openai" ? openaiEvents(fr, reply) : geminiEvents(fr, reply);
      let chunk = 0;
      for (const ev of paced(events)) {
        if (ev === PAUSE) {
          if (reply.chunkDelayMs) await pause(reply.chunkDelayMs, res);
          if (reply.afterChunk) await reply.afterChunk(++chunk);
          continue;
        }
        if (res.destroyed || res.writableEnded) return;
        res.write(ev);
      }
      res.end();
      return;
    }
    const json =
      this.kind === "anthropic"
        ? anthropicMessage(fr, reply)
        : this.kind === "openai"
          ? openaiCompletion(fr, reply)
          : geminiResponse(fr, reply);
    res.writeHead(200, { "content-type": "application/json", ...this.idHeaders() });
    res.end(JSON.stringify(json));
  }

  private route(method: string, path: string): { kind: "generate" | "models"; model?: string; stream: boolean } | undefined {
    if (this.kind === "anthropic") {
      if (method === "POST" && path === "/v1/messages") return { kind: "generate", stream: false };
      if (method === "GET" && path === "/v1/models") return { kind: "models", stream: false };
    } else if (this.kind === "openai") {
      if (method === "POST" && path === "/v1/chat/completions") return { kind: "generate", stream: false };
      if (method === "GET" && path === "/v1/models") return { kind: "models", stream: false };
    } else {
      const m = /^\/v1(?:beta|alpha)?\/models\/([^:/]+):(streamGenerateContent|generateContent)$/.exec(path);
      if (method === "POST" && m) return { kind: "generate", model: decodeURIComponent(m[1]!), stream: m[2] === "streamGenerateContent" };
      if (method === "GET" && /^\/v1(?:beta|alpha)?\/models$/.test(path)) return { kind: "models", stream: false };
    }
    return undefined;
  }

  private checkAuth(req: http.IncomingMessage, url: URL): Auth {
    const want = this.requiredKey;
    if (want === undefined) return { ok: true };
    const bearer = /^Bearer (.+)$/i.exec(String(req.headers.authorization ?? ""))?.[1];
    if (this.kind === "anthropic") return { ok: req.headers["x-api-key"] === want || bearer === want };
    if (this.kind === "openai") return { ok: bearer === want };
    return { ok: req.headers["x-goog-api-key"] === want || url.searchParams.get("key") === want };
  }

  private idHeaders(): Record<string, string> {
    return this.kind === "anthropic" ? { "request-id": `req_${rid()}` } : this.kind === "openai" ? { "x-request-id": `req_${rid()}` } : {};
  }

  private sendModels(res: http.ServerResponse): void {
    const body =
      this.kind === "anthropic"
        ? {
            data: [{ type: "model", id: "claude-fake", display_name: "Claude Fake", created_at: "2026-01-01T00:00:00Z" }],
            has_more: false,
            first_id: "claude-fake",
            last_id: "claude-fake",
          }
        : this.kind === "openai"
          ? { object: "list", data: [{ id: "gpt-fake", object: "model", created: 1767225600, owned_by: "fake" }] }
          : { models: [{ name: "models/gemini-fake", displayName: "Gemini Fake", supportedGenerationMethods: ["generateContent"] }] };
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  }

  private sendError(res: http.ServerResponse, e: NonNullable<FakeReply["error"]>): void {
    const headers: Record<string, string> = { "content-type": "application/json", ...this.idHeaders() };
    if (e.retryAfterSeconds !== undefined) headers["retry-after"] = String(e.retryAfterSeconds);
    const message = e.message ?? defaultMessage(e.status);
    let body: unknown;
    if (this.kind === "anthropic") {
      body = { type: "error", error: { type: e.type ?? anthropicErrorType(e.status), message }, request_id: headers["request-id"] };
    } else if (this.kind === "openai") {
      const type = e.type ?? openaiErrorType(e.status);
      body = {
        error: { message, type, param: null, code: e.status === 401 ? "invalid_api_key" : e.status === 429 ? "rate_limit_exceeded" : null },
      };
    } else {
      // Gemini sends no retry-after header; the delay is a RetryInfo detail.
      const details =
        e.retryAfterSeconds !== undefined
          ? [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${e.retryAfterSeconds}s` }]
          : undefined;
      delete headers["retry-after"];
      body = { error: { code: e.status, message, status: e.type ?? googleStatus(e.status), ...(details ? { details } : {}) } };
    }
    res.writeHead(e.status, headers);
    res.end(JSON.stringify(body));
  }

  private normalize(
    path: string,
    headers: http.IncomingHttpHeaders,
    body: any,
    pathModel: string | undefined,
    pathStream: boolean,
  ): FakeRequest {
    const base = { path, headers: { ...headers }, body };
    if (this.kind === "anthropic") return { ...base, ...normalizeAnthropic(body), stream: body?.stream === true };
    if (this.kind === "openai") return { ...base, ...normalizeOpenAI(body), stream: body?.stream === true };
    return { ...base, ...normalizeGemini(body, pathModel ?? ""), stream: pathStream };
  }
}

// ---------------------------------------------------------------------------------------------
// Request normalization

type Normalized = Omit<FakeRequest, "path" | "headers" | "body" | "stream">;

/** The last user message as its sender wrote it (the default reply echoes it without its envelope header). */
function lastUserText(req: FakeRequest): string {
  for (let i = req.messages.length - 1; i >= 0; i--) {
    const m = req.messages[i]!;
    if (m.role === "user" && m.text) return stripEnvelope(m.text);
  }
  return "";
}

function textOfBlocks(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .filter((b) => b && (b.type === "text" || b.type === "input_text") && typeof b.text === "string")
    .map((b) => b.text as string)
    .join("\n");
}

/** Anthropic's check: every `tool_use` is answered by a `tool_result` in the very next (user) message, and only then. */
function anthropicPairingError(body: any): string | undefined {
  const msgs: any[] = Array.isArray(body?.messages) ? body.messages : [];
  const blocksOf = (m: any): any[] => (Array.isArray(m?.content) ? m.content : []);
  for (let i = 0; i < msgs.length; i++) {
    const uses =
      msgs[i].role === "assistant"
        ? blocksOf(msgs[i])
            .filter((b) => b?.type === "tool_use")
            .map((b) => String(b.id))
        : [];
    const next = msgs[i + 1];
    const results =
      next?.role === "user"
        ? blocksOf(next)
            .filter((b) => b?.type === "tool_result")
            .map((b) => String(b.tool_use_id))
        : [];
    const missing = uses.filter((id) => !results.includes(id));
    if (missing.length)
      return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(", ")}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
    if (msgs[i].role === "user") {
      const prev =
        i > 0 && msgs[i - 1].role === "assistant"
          ? blocksOf(msgs[i - 1])
              .filter((b) => b?.type === "tool_use")
              .map((b) => String(b.id))
          : [];
      const stray = blocksOf(msgs[i]).filter((b) => b?.type === "tool_result" && !prev.includes(String(b.tool_use_id)));
      if (stray.length)
        return `messages.${i}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${stray.map((b) => b.tool_use_id).join(", ")}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
    }
  }
  return undefined;
}

/** OpenAI's check: an assistant message with `tool_calls` is followed by a `tool` message for each call id. */
function openaiPairingError(body: any): string | undefined {
  const msgs: any[] = Array.isArray(body?.messages) ? body.messages : [];
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i];
    if (m.role === "assistant" && Array.isArray(m.tool_calls) && m.tool_calls.length) {
      const answered = new Set<string>();
      for (let j = i + 1; j < msgs.length && msgs[j].role === "tool"; j++) answered.add(String(msgs[j].tool_call_id));
      const missing = m.tool_calls.map((c: any) => String(c.id)).filter((id: string) => !answered.has(id));
      if (missing.length)
        return `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${missing.join(", ")}`;
    }
    if (m.role === "tool") {
      let k = i - 1;
      while (k >= 0 && msgs[k].role === "tool") k--;
      const calls: any[] = k >= 0 && msgs[k].role === "assistant" ? (msgs[k].tool_calls ?? []) : [];
      if (!calls.some((c) => String(c.id) === String(m.tool_call_id)))
        return `Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.`;
    }
  }
  return undefined;
}

function normalizeAnthropic(body: any): Normalized {
  const names = new Map<string, string>();
  const messages: Normalized["messages"] = [];
  const toolResults: Normalized["toolResults"] = [];
  let hasImage = false;
  for (const m of body?.messages ?? []) {
    const blocks: any[] = typeof m.content === "string" ? [{ type: "text", text: m.content }] : (m.content ?? []);
    for (const b of blocks) {
      if (b.type === "tool_use") names.set(b.id, b.name);
      if (b.type === "image") hasImage = true;
      if (b.type === "tool_result") {
        if (Array.isArray(b.content) && b.content.some((c: any) => c.type === "image")) hasImage = true;
        toolResults.push({ id: b.tool_use_id, name: names.get(b.tool_use_id), content: textOfBlocks(b.content ?? "") });
      }
    }
    messages.push({ role: m.role, text: textOfBlocks(blocks) });
  }
  const system = typeof body?.system === "string" ? body.system : Array.isArray(body?.system) ? textOfBlocks(body.system) : undefined;
  return {
    model: String(body?.model ?? ""),
    system,
    messages,
    toolNames: (body?.tools ?? []).map((t: any) => t.name),
    toolResults,
    hasImage,
  };
}

function normalizeOpenAI(body: any): Normalized {
  const names = new Map<string, string>();
  const messages: Normalized["messages"] = [];
  const toolResults: Normalized["toolResults"] = [];
  const system: string[] = [];
  let hasImage = false;
  for (const m of body?.messages ?? []) {
    if (Array.isArray(m.content) && m.content.some((p: any) => p.type === "image_url")) hasImage = true;
    for (const tc of m.tool_calls ?? []) names.set(tc.id, tc.function?.name);
    const text = textOfBlocks(m.content ?? "");
    if (m.role === "system" || m.role === "developer") {
      system.push(text);
      continue;
    }
    if (m.role === "tool") toolResults.push({ id: m.tool_call_id, name: names.get(m.tool_call_id), content: text });
    messages.push({ role: m.role, text });
  }
  return {
    model: String(body?.model ?? ""),
    system: system.length ? system.join("\n") : undefined,
    messages,
    toolNames: (body?.tools ?? []).map((t: any) => t.function?.name ?? t.name),
    toolResults,
    hasImage,
  };
}

function normalizeGemini(body: any, model: string): Normalized {
  const messages: Normalized["messages"] = [];
  const toolResults: Normalized["toolResults"] = [];
  let hasImage = false;
  for (const c of body?.contents ?? []) {
    const texts: string[] = [];
    for (const p of c.parts ?? []) {
      if (typeof p.text === "string" && !p.thought) texts.push(p.text);
      if (p.inlineData && String(p.inlineData.mimeType ?? "").startsWith("image/")) hasImage = true;
      if (p.functionResponse) {
        const r = p.functionResponse.response ?? {};
        const content = typeof r.output === "string" ? r.output : typeof r.error === "string" ? r.error : JSON.stringify(r);
        toolResults.push({ name: p.functionResponse.name, id: p.functionResponse.id, content });
      }
    }
    messages.push({ role: c.role ?? "user", text: texts.join("\n") });
  }
  const sys = body?.systemInstruction;
  const system = sys ? (typeof sys === "string" ? sys : (sys.parts ?? []).map((p: any) => p.text ?? "").join("\n")) : undefined;
  return {
    model: model.replace(/^models\//, ""),
    system,
    messages,
    toolNames: (body?.tools ?? []).flatMap((t: any) => (t.functionDeclarations ?? []).map((f: any) => f.name)),
    toolResults,
    hasImage,
  };
}

// ---------------------------------------------------------------------------------------------
// Replies

interface Planned {
  text: string;
  thinking: string;
  calls: Array<{ id: string; name: string; json: string; args: unknown }>;
  usage: { input: number; output: number; cacheRead: number; cacheWrite: number };
}

function plan(req: FakeRequest, reply: FakeReply, idPrefix: string): Planned {
  const calls = (reply.toolCalls ?? []).map((c, i) => ({
    id: c.id ?? `${idPrefix}${rid(8)}`,
    name: c.name,
    json: i === 0 && reply.rawToolArguments !== undefined ? reply.rawToolArguments : JSON.stringify(c.arguments),
    args: i === 0 && reply.rawToolArguments !== undefined ? reply.rawToolArguments : c.arguments,
  }));
  if (!calls.length && reply.rawToolArguments !== undefined) {
    calls.push({ id: `${idPrefix}${rid(8)}`, name: "tool", json: reply.rawToolArguments, args: reply.rawToolArguments });
  }
  const text = reply.text ?? "";
  const thinking = reply.thinking ?? "";
  const usage = {
    input: reply.usage?.input ?? tokens(JSON.stringify(req.body?.messages ?? req.body?.contents ?? []) + (req.system ?? "")),
    output: reply.usage?.output ?? tokens(text + thinking + calls.map((c) => c.name + c.json).join("")),
    cacheRead: reply.usage?.cacheRead ?? 0,
    cacheWrite: reply.usage?.cacheWrite ?? 0,
  };
  return { text, thinking, calls, usage };
}

/** Splits a JSON text into 3 fragments the way APIs stream tool arguments. */
function fragments(json: string): string[] {
  if (json.length < 3) return [json];
  const a = Math.floor(json.length / 3);
  const b = Math.floor((2 * json.length) / 3);
  return [json.slice(0, a), json.slice(a, b), json.slice(b)];
}

// Anthropic -------------------------------------------------------------------------------------

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function anthropicEvents(req: FakeRequest, reply: FakeReply): Frame[] {
  const p = plan(req, reply, "toolu_");
  const out: Frame[] = [];
  out.push(
    sse("message_start", {
      type: "message_start",
      message: {
        id: `msg_${rid()}`,
        type: "message",
        role: "assistant",
        model: req.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: p.usage.input,
          cache_creation_input_tokens: p.usage.cacheWrite,
          cache_read_input_tokens: p.usage.cacheRead,
          output_tokens: 1,
        },
      },
    }),
  );
  let index = 0;
  if (p.thinking) {
    out.push(
      sse("content_block_start", { type: "content_block_start", index, content_block: { type: "thinking", thinking: "", signature: "" } }),
    );
    for (const piece of chunks(p.thinking))
      out.push(
        PAUSE,
        sse("content_block_delta", { type: "content_block_delta", index, delta: { type: "thinking_delta", thinking: piece } }),
      );
    out.push(
      sse("content_block_delta", {
        type: "content_block_delta",
        index,
        delta: { type: "signature_delta", signature: reply.signature ?? `sig_${rid()}` },
      }),
    );
    out.push(sse("content_block_stop", { type: "content_block_stop", index }));
    index++;
  }
  if (p.text) {
    out.push(sse("content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } }));
    out.push(sse("ping", { type: "ping" }));
    for (const piece of chunks(p.text, reply.textChunks))
      out.push(PAUSE, sse("content_block_delta", { type: "content_block_delta", index, delta: { type: "text_delta", text: piece } }));
    if (reply.streamError) return [...out, PAUSE, anthropicStreamError(reply.streamError)];
    out.push(sse("content_block_stop", { type: "content_block_stop", index }));
    index++;
  } else if (reply.streamError) return [...out, PAUSE, anthropicStreamError(reply.streamError)];
  for (const c of p.calls) {
    out.push(
      sse("content_block_start", {
        type: "content_block_start",
        index,
        content_block: { type: "tool_use", id: c.id, name: c.name, input: {} },
      }),
    );
    out.push(sse("content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: "" } }));
    for (const f of fragments(c.json))
      out.push(
        PAUSE,
        sse("content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: f } }),
      );
    out.push(sse("content_block_stop", { type: "content_block_stop", index }));
    index++;
  }
  out.push(
    sse("message_delta", {
      type: "message_delta",
      delta: { stop_reason: reply.stopReason ?? (p.calls.length ? "tool_use" : "end_turn"), stop_sequence: null },
      usage: { output_tokens: p.usage.output },
    }),
  );
  out.push(sse("message_stop", { type: "message_stop" }));
  return out;
}

function anthropicStreamError(e: NonNullable<FakeReply["streamError"]>): string {
  return sse("error", { type: "error", error: { type: e.type ?? "overloaded_error", message: e.message ?? "Overloaded" } });
}

function anthropicMessage(req: FakeRequest, reply: FakeReply): unknown {
  const p = plan(req, reply, "toolu_");
  const content: unknown[] = [];
  if (p.thinking) content.push({ type: "thinking", thinking: p.thinking, signature: reply.signature ?? `sig_${rid()}` });
  if (p.text) content.push({ type: "text", text: p.text });
  for (const c of p.calls) content.push({ type: "tool_use", id: c.id, name: c.name, input: typeof c.args === "object" ? c.args : {} });
  return {
    id: `msg_${rid()}`,
    type: "message",
    role: "assistant",
    model: req.model,
    content,
    stop_reason: reply.stopReason ?? (p.calls.length ? "tool_use" : "end_turn"),
    stop_sequence: null,
    usage: {
      input_tokens: p.usage.input,
      output_tokens: p.usage.output,
      cache_creation_input_tokens: p.usage.cacheWrite,
      cache_read_input_tokens: p.usage.cacheRead,
    },
  };
}

function anthropicErrorType(status: number): string {
  return (
    {
      400: "invalid_request_error",
      401: "authentication_error",
      402: "billing_error",
      403: "permission_error",
      404: "not_found_error",
      413: "request_too_large",
      429: "rate_limit_error",
      504: "timeout_error",
      529: "overloaded_error",
    }[status] ?? (status >= 500 ? "api_error" : "invalid_request_error")
  );
}

// OpenAI ----------------------------------------------------------------------------------------

function data(obj: unknown): string {
  return `data: ${JSON.stringify(obj)}\n\n`;
}

function openaiUsage(p: Planned) {
  return {
    prompt_tokens: p.usage.input + p.usage.cacheRead,
    completion_tokens: p.usage.output,
    total_tokens: p.usage.input + p.usage.cacheRead + p.usage.output,
    prompt_tokens_details: { cached_tokens: p.usage.cacheRead, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function openaiEvents(req: FakeRequest, reply: FakeReply): Frame[] {
  const p = plan(req, reply, "call_");
  const includeUsage = req.body?.stream_options?.include_usage === true;
  const base = {
    id: `chatcmpl-${rid()}`,
    object: "chat.completion.chunk",
    created: Math.floor(Date.now() / 1000),
    model: req.model,
    service_tier: "default",
    system_fingerprint: "fp_fake",
  };
  const chunk = (delta: unknown, finish: string | null = null) =>
    data({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(includeUsage ? { usage: null } : {}) });
  const out: Frame[] = [chunk({ role: "assistant", content: "", refusal: null })];
  for (const piece of chunks(p.thinking)) out.push(PAUSE, chunk({ reasoning_content: piece }));
  for (const piece of chunks(p.text, reply.textChunks)) out.push(PAUSE, chunk({ content: piece }));
  if (reply.streamError) {
    out.push(
      PAUSE,
      data({
        error: {
          message: reply.streamError.message ?? "The server had an error while processing your request.",
          type: reply.streamError.type ?? "server_error",
          param: null,
          code: null,
        },
      }),
    );
    return out;
  }
  p.calls.forEach((c, index) => {
    out.push(chunk({ tool_calls: [{ index, id: c.id, type: "function", function: { name: c.name, arguments: "" } }] }));
    for (const f of fragments(c.json)) out.push(PAUSE, chunk({ tool_calls: [{ index, function: { arguments: f } }] }));
  });
  out.push(chunk({}, reply.stopReason ?? (p.calls.length ? "tool_calls" : "stop")));
  if (includeUsage) out.push(data({ ...base, choices: [], usage: openaiUsage(p) }));
  out.push("data: [DONE]\n\n");
  return out;
}

function openaiCompletion(req: FakeRequest, reply: FakeReply): unknown {
  const p = plan(req, reply, "call_");
  const message: Record<string, unknown> = { role: "assistant", content: p.text || null, refusal: null, annotations: [] };
  if (p.calls.length)
    message.tool_calls = p.calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.json } }));
  return {
    id: `chatcmpl-${rid()}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: req.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: reply.stopReason ?? (p.calls.length ? "tool_calls" : "stop") }],
    usage: openaiUsage(p),
    service_tier: "default",
    system_fingerprint: "fp_fake",
  };
}

function openaiErrorType(status: number): string {
  if (status === 429) return "requests";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

// Gemini ----------------------------------------------------------------------------------------

function geminiUsage(p: Planned, output = p.usage.output) {
  const prompt = p.usage.input + p.usage.cacheRead;
  return {
    promptTokenCount: prompt,
    candidatesTokenCount: output,
    totalTokenCount: prompt + output,
    ...(p.usage.cacheRead ? { cachedContentTokenCount: p.usage.cacheRead } : {}),
    promptTokensDetails: [{ modality: "TEXT", tokenCount: prompt }],
  };
}

function geminiEvents(req: FakeRequest, reply: FakeReply): Frame[] {
  const p = plan(req, reply, "");
  const responseId = rid(10);
  const frame = (parts: unknown[], finish?: string, output?: number) =>
    `data: ${JSON.stringify({
      candidates: [{ content: { parts, role: "model" }, ...(finish ? { finishReason: finish } : {}), index: 0 }],
      usageMetadata: geminiUsage(p, output),
      modelVersion: req.model,
      responseId,
    })}\r\n\r\n`;
  const out: Frame[] = [];
  const thoughts = chunks(p.thinking);
  thoughts.forEach((t, i) =>
    out.push(
      PAUSE,
      frame(
        [
          {
            text: t,
            thought: true,
            ...(i === thoughts.length - 1 && reply.signature && !p.calls.length ? { thoughtSignature: reply.signature } : {}),
          },
        ],
        undefined,
        0,
      ),
    ),
  );
  const texts = chunks(p.text, reply.textChunks);
  const finish = reply.stopReason ?? "STOP";
  if (reply.streamError) {
    for (const t of texts) out.push(PAUSE, frame([{ text: t }], undefined, 0));
    const e = reply.streamError;
    out.push(
      PAUSE,
      `data: ${JSON.stringify({ error: { code: e.status ?? 503, message: e.message ?? "The model is overloaded. Please try again later.", status: e.type ?? googleStatus(e.status ?? 503) } })}\r\n\r\n`,
    );
    return out;
  }
  const callParts = p.calls.map((c, i) => ({
    functionCall: { name: c.name, args: c.args },
    ...(i === 0 && reply.signature ? { thoughtSignature: reply.signature } : {}),
  }));
  texts.forEach((t, i) => {
    const lastText = i === texts.length - 1;
    out.push(
      PAUSE,
      frame([{ text: t }], lastText && !callParts.length ? finish : undefined, lastText && !callParts.length ? p.usage.output : 0),
    );
  });
  if (callParts.length) out.push(PAUSE, frame(callParts, finish));
  if (!texts.length && !callParts.length) out.push(frame([{ text: "" }], finish));
  return out;
}

function geminiResponse(req: FakeRequest, reply: FakeReply): unknown {
  const p = plan(req, reply, "");
  const parts: unknown[] = [];
  if (p.thinking) parts.push({ text: p.thinking, thought: true });
  if (p.text) parts.push({ text: p.text });
  for (const c of p.calls) parts.push({ functionCall: { name: c.name, args: c.args } });
  return {
    candidates: [{ content: { parts, role: "model" }, finishReason: reply.stopReason ?? "STOP", index: 0 }],
    usageMetadata: geminiUsage(p),
    modelVersion: req.model,
    responseId: rid(10),
  };
}

function googleStatus(status: number): string {
  return (
    {
      400: "INVALID_ARGUMENT",
      401: "UNAUTHENTICATED",
      403: "PERMISSION_DENIED",
      404: "NOT_FOUND",
      429: "RESOURCE_EXHAUSTED",
      500: "INTERNAL",
      503: "UNAVAILABLE",
      504: "DEADLINE_EXCEEDED",
    }[status] ?? (status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION")
  );
}

function defaultMessage(status: number): string {
  return (
    {
      400: "Bad request",
      401: "Unauthorized",
      402: "Payment required",
      403: "Forbidden",
      404: "Not found",
      429: "Rate limit exceeded",
      500: "Internal server error",
      503: "Service unavailable",
      529: "Overloaded",
    }[status] ?? `HTTP ${status}`
  );
}
