/**
 * OpenAI-compatible HTTP: `POST /v1/chat/completions` (plain and SSE streaming) and `GET /v1/models`,
 * off unless `gateway.http.endpoints.chatCompletions.enabled`. A request is an ordinary agent run:
 * `model: "openclaw:<agentId>"` (or header `x-openclaw-agent-id`) picks the agent; the OpenAI `user`
 * field (or header `x-openclaw-session-key`) makes calls share a session, otherwise each is fresh.
 * Authenticated with the gateway token or password as `Authorization: Bearer …`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import * as z from "zod";
import type { AuthRateLimiter, ResolvedAuth } from "../auth.js";
import { checkBearer } from "./bearer.js";
import type { GatewayContext } from "../context.js";
import { AgentError, MAX_MESSAGE_CHARS, type RunEvent } from "../../agents/service.js";
import { checkJsonShape } from "../../infra/json-shape.js";
import type { BodyBudget } from "./body.js";
import type { RequestTrust } from "../trust.js";
import { ModelRefError } from "../../providers/models.js";
import type { ImageContent } from "../../providers/types.js";

/** Largest request body: room for a few images inline as base64, little enough for a 256 MB machine. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Nesting and size a chat request never needs; deeper or bigger bodies are refused before parsing. */
export const MAX_BODY_DEPTH = 32;
export const MAX_BODY_CONTAINERS = 10_000;
/** A flat list of millions of numbers is one array but hundreds of megabytes once parsed. */
export const MAX_BODY_VALUES = 100_000;
/** A request body still being sent after a 413 is read and dropped up to this much, then cut. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/** Built on the first request. */
const ChatRequest = z.lazy(() => {
  const ContentPart = z.looseObject({
    type: z.string(),
    text: z.string().optional(),
    image_url: z.union([z.string(), z.looseObject({ url: z.string() })]).optional(),
  });
  return z.looseObject({
    model: z.string().optional(),
    messages: z
      .array(
        z.looseObject({
          role: z.enum(["system", "developer", "user", "assistant", "tool"]),
          content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
        }),
      )
      .min(1),
    stream: z.boolean().optional(),
    user: z.string().optional(),
  });
});

export interface OpenAiHttpDeps {
  auth: () => ResolvedAuth;
  limiter: AuthRateLimiter;
  /** Request bodies held at once across requests (none when absent). */
  bodies?: BodyBudget;
}

/** Bodies of concurrent chat requests held at once: one of the largest, and a little more. */
export const MAX_BODIES_IN_FLIGHT_BYTES = 20 * 1024 * 1024;

function error(
  res: ServerResponse,
  status: number,
  message: string,
  type = "invalid_request_error",
  extra: Record<string, string> = {},
): void {
  writeError(res, status, message, type, extra);
  res.end();
}

/** Writes an OpenAI-style error answer without ending the response. */
function writeError(res: ServerResponse, status: number, message: string, type: string, extra: Record<string, string> = {}): void {
  const body = JSON.stringify({ error: { message, type, code: null } });
  res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), ...extra });
  res.write(body);
}

class TooLarge extends Error {}
class Busy extends Error {}

/**
 * The body as text, or `TooLarge` as soon as it is known to exceed the cap (from `Content-Length`, or
 * while it streams in), or `Busy` when other requests' bodies already hold the shared budget. Nothing
 * past the cap is kept; the bytes kept count against the budget until the response is over.
 */
function readBody(req: IncomingMessage, res: ServerResponse, budget: BodyBudget | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) return reject(new TooLarge());
    let size = 0;
    let held = 0;
    res.once("close", () => budget?.give(held));
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      const fits = size <= MAX_BODY_BYTES;
      if (fits && (!budget || budget.take(chunk.length))) {
        held += chunk.length;
        return void chunks.push(chunk);
      }
      // Stop keeping it, but leave the stream alone: destroying it would reset the socket.
      req.off("data", onData);
      chunks.length = 0;
      budget?.give(held);
      held = 0;
      reject(fits ? new Busy() : new TooLarge());
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.once("error", reject);
  });
}

/**
 * Answers 413 and closes the connection. The answer is written at once, but the response is ended
 * (which makes Node close the socket) only when the client has finished sending, or has sent too much
 * more, or after a while: closing a socket with unread data resets it, and a reset can destroy the
 * answer before the client reads it.
 */
function tooLarge(req: IncomingMessage, res: ServerResponse, busy = false): void {
  if (busy)
    writeError(
      res,
      503,
      "the gateway is already holding as many request bodies as it has memory for; retry in a few seconds or send a smaller request",
      "server_error",
      { connection: "close", "retry-after": "5" },
    );
  else writeError(res, 413, `request body is larger than ${MAX_BODY_BYTES / 1048576} MB`, "invalid_request_error", { connection: "close" });
  let drained = 0;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    res.end();
  };
  const timer = setTimeout(finish, 10_000);
  timer.unref();
  req.on("data", (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > MAX_DRAIN_BYTES) finish();
  });
  req.once("end", finish);
  req.once("error", finish);
  req.resume();
}

const isJson = (req: IncomingMessage) => /^application\/json\s*(?:;|$)/i.test(req.headers["content-type"] ?? "");

function textOf(content: z.infer<typeof ChatRequest>["messages"][number]["content"]): string {
  if (typeof content === "string") return content;
  return (content ?? []).map((p) => (p.type === "text" ? (p.text ?? "") : "")).join("");
}

function imagesOf(content: z.infer<typeof ChatRequest>["messages"][number]["content"]): ImageContent[] {
  if (!Array.isArray(content)) return [];
  const out: ImageContent[] = [];
  for (const p of content) {
    if (p.type !== "image_url" || !p.image_url) continue;
    const url = typeof p.image_url === "string" ? p.image_url : p.image_url.url;
    const m = /^data:([^;]+);base64,(.*)$/s.exec(url);
    if (m) out.push({ type: "image", mimeType: m[1]!, data: m[2]! });
  }
  return out;
}

/** True when the request was handled here. */
export async function handleOpenAi(
  ctx: GatewayContext,
  deps: OpenAiHttpDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  trust: RequestTrust,
): Promise<boolean> {
  if (path !== "/v1/chat/completions" && path !== "/v1/models") return false;
  if (ctx.config().gateway?.http?.endpoints?.chatCompletions?.enabled !== true) {
    error(
      res,
      404,
      `the OpenAI-compatible endpoint ${path} is off; turn it on with \`openclaw config set gateway.http.endpoints.chatCompletions.enabled true\``,
      "not_found_error",
    );
    return true;
  }

  const gate = checkBearer(deps, req, trust);
  if (!gate.ok) {
    if (gate.status === 429)
      error(res, 429, "too many failed auth attempts; try again later", "rate_limit_error", {
        "retry-after": String(Math.ceil(gate.retryAfterMs / 1000)),
      });
    else error(res, 401, "invalid or missing gateway token (send Authorization: Bearer <OPENCLAW_GATEWAY_TOKEN>)", "authentication_error");
    return true;
  }

  if (path === "/v1/models") {
    if (req.method !== "GET") return (error(res, 405, "use GET"), true);
    const created = Math.floor(ctx.info.startedAt / 1000);
    const data = ctx.agents.agentIds().map((id) => ({ id: `openclaw:${id}`, object: "model", created, owned_by: "openclaw" }));
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ object: "list", data }));
    return true;
  }
  if (req.method !== "POST") return (error(res, 405, "use POST"), true);
  // Browsers send text/plain and form types across sites without asking first; JSON needs a preflight
  // that this endpoint never grants, so insisting on it keeps web pages out.
  if (!isJson(req)) return (error(res, 415, "Content-Type must be application/json"), true);

  let body: z.infer<typeof ChatRequest>;
  let text: string;
  try {
    text = await readBody(req, res, deps.bodies);
  } catch (e) {
    if (e instanceof TooLarge) return (tooLarge(req, res), true);
    if (e instanceof Busy) return (tooLarge(req, res, true), true);
    throw e;
  }
  const shape = checkJsonShape(text, { maxDepth: MAX_BODY_DEPTH, maxContainers: MAX_BODY_CONTAINERS, maxValues: MAX_BODY_VALUES });
  if (shape) return (error(res, 400, `invalid request body: ${shape.message}`), true);
  try {
    const parsed = ChatRequest.safeParse(JSON.parse(text));
    if (!parsed.success) return (error(res, 400, parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")), true);
    body = parsed.data;
  } catch (e) {
    return (error(res, 400, `invalid request body: ${(e as Error).message}`), true);
  }

  const headerAgent = req.headers["x-openclaw-agent-id"];
  const modelAgent = /^(?:openclaw|agent):(.+)$/.exec(body.model ?? "")?.[1];
  const agentId = (typeof headerAgent === "string" && headerAgent) || modelAgent || undefined;
  const headerKey = req.headers["x-openclaw-session-key"];
  const slug = (s: string) => s.replace(/[^A-Za-z0-9_.@+-]/g, "_").slice(0, 100);
  const sessionKey =
    typeof headerKey === "string" && headerKey
      ? headerKey
      : `agent:${agentId ?? ctx.agents.defaultAgentId()}:openai:${body.user ? slug(body.user) : randomUUID()}`;

  const lastUser = [...body.messages].reverse().find((m) => m.role === "user");
  if (!lastUser) return (error(res, 400, "messages: needs at least one user message"), true);
  const system = body.messages
    .filter((m) => m.role === "system" || m.role === "developer")
    .map((m) => textOf(m.content))
    .join("\n\n");
  if (system.length > MAX_MESSAGE_CHARS)
    return (error(res, 400, `system messages are ${system.length} characters; the limit is ${MAX_MESSAGE_CHARS}`), true);
  // Stateless calls carry their own history: give it to the agent as context.
  const earlier =
    body.user || typeof headerKey === "string"
      ? []
      : body.messages.slice(0, body.messages.lastIndexOf(lastUser)).filter((m) => m.role === "user" || m.role === "assistant");
  const history = earlier.length
    ? `Earlier in this conversation:\n${earlier.map((m) => `${m.role}: ${textOf(m.content)}`).join("\n")}\n\n`
    : "";

  let handle;
  try {
    handle = ctx.agents.send({
      sessionKey,
      agentId,
      text: history + textOf(lastUser.content),
      images: imagesOf(lastUser.content),
      extraSystemPrompt: system || undefined,
    });
  } catch (e) {
    if (e instanceof AgentError || e instanceof ModelRefError) return (error(res, 400, e.message), true);
    throw e;
  }
  const id = `chatcmpl-${handle.runId}`;
  const created = Math.floor(ctx.now() / 1000);
  const model = body.model ?? "openclaw";

  if (!body.stream) {
    const r = await handle.done;
    if (r.status === "error") return (error(res, 502, r.error ?? "the agent run failed", "server_error"), true);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        id,
        object: "chat.completion",
        created,
        model,
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: r.text },
            finish_reason: r.status === "aborted" ? "stop" : r.message?.stopReason === "length" ? "length" : "stop",
          },
        ],
        usage: {
          prompt_tokens: r.usage?.input ?? 0,
          completion_tokens: r.usage?.output ?? 0,
          total_tokens: (r.usage?.input ?? 0) + (r.usage?.output ?? 0),
        },
      }),
    );
    return true;
  }

  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  const chunk = (delta: Record<string, unknown>, finish: string | null) =>
    res.write(
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`,
    );
  chunk({ role: "assistant", content: "" }, null);
  const off = ctx.agents.onEvent((ev: RunEvent) => {
    if (ev.type === "text" && ev.runId === handle.runId) chunk({ content: ev.delta }, null);
  });
  req.on("close", () => {
    if (!res.writableEnded) ctx.agents.abort(sessionKey, handle.runId);
  });
  const r = await handle.done;
  off();
  if (r.status === "error")
    res.write(`data: ${JSON.stringify({ error: { message: r.error ?? "the agent run failed", type: "server_error" } })}\n\n`);
  else chunk({}, "stop");
  res.end("data: [DONE]\n\n");
  return true;
}
