/**
 * `chat.send|history|abort` (the web chat's methods) and `agent` / `agent.wait` (run an agent turn and
 * wait for it). Runs stream out as events: `chat` (`delta` with the text so far, at most every 150 ms,
 * then `final`, `error` or `aborted`) and `agent` (`lifecycle`, `assistant`, `tool` streams).
 */
import * as z from "zod";
import { AgentError, type RunEvent, type RunResult, type SendRequest } from "../../agents/service.js";
import { ModelRefError } from "../../providers/models.js";
import type { ImageContent } from "../../providers/types.js";
import { TwoPhaseReply, defineMethod, type GatewayContext } from "../context.js";
import { ErrorCodes, MethodError } from "../protocol/frames.js";

const nonEmpty = z.string().min(1);
/** Largest image accepted in one attachment (decoded bytes). */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

const attachment = () =>
  z.looseObject({
    type: z.string().optional(),
    mimeType: z.string().optional(),
    fileName: z.string().optional(),
    content: z.string().optional(),
    data: z.string().optional(),
  });
type Attachment = z.infer<ReturnType<typeof attachment>>;

const chatSendParams = () =>
  z.strictObject({
    sessionKey: nonEmpty,
    message: z.string(),
    thinking: z.string().optional(),
    deliver: z.boolean().optional(),
    attachments: z.array(attachment()).optional(),
    timeoutMs: z.number().int().min(0).optional(),
    idempotencyKey: nonEmpty,
  });

const agentParams = () =>
  z.looseObject({
    message: nonEmpty,
    agentId: nonEmpty.optional(),
    sessionKey: z.string().optional(),
    sessionId: z.string().optional(),
    timeout: z.number().int().min(0).optional(),
    extraSystemPrompt: z.string().optional(),
    attachments: z.array(attachment()).optional(),
    idempotencyKey: nonEmpty,
  });

/** Image attachments as model input; anything else is refused with the reason. */
export function toImages(attachments: Attachment[] | undefined): ImageContent[] {
  const out: ImageContent[] = [];
  for (const [i, a] of (attachments ?? []).entries()) {
    let data = a.content ?? a.data ?? "";
    let mimeType = a.mimeType ?? "";
    const m = /^data:([^;]+);base64,(.*)$/s.exec(data);
    if (m) {
      mimeType ||= m[1]!;
      data = m[2]!;
    }
    if (!mimeType.startsWith("image/"))
      throw new MethodError(ErrorCodes.INVALID_REQUEST, `attachments.${i}: only images are supported (got ${mimeType || "no mimeType"})`);
    if (!data) throw new MethodError(ErrorCodes.INVALID_REQUEST, `attachments.${i}: empty content`);
    if (Math.floor((data.length * 3) / 4) > MAX_ATTACHMENT_BYTES) {
      throw new MethodError(ErrorCodes.INVALID_REQUEST, `attachments.${i}: image is larger than ${MAX_ATTACHMENT_BYTES / 1048576} MB`);
    }
    out.push({ type: "image", data, mimeType });
  }
  return out;
}

/** A runtime error as the protocol error a client should see (others are passed on unchanged). */
function toMethodError(e: unknown): unknown {
  if (e instanceof AgentError) {
    const code = e.code === "NOT_FOUND" ? ErrorCodes.NOT_FOUND : e.code === "STORAGE" ? ErrorCodes.UNAVAILABLE : ErrorCodes.INVALID_REQUEST;
    return new MethodError(code, e.message);
  }
  if (e instanceof ModelRefError) return new MethodError(ErrorCodes.INVALID_REQUEST, e.message);
  return e;
}

/** Maps runtime errors to protocol errors, thrown at once or (for async work) when it settles. */
export function agentCall<T>(fn: () => T): T {
  let out: T;
  try {
    out = fn();
  } catch (e) {
    throw toMethodError(e);
  }
  if (out instanceof Promise) return out.catch((e: unknown) => Promise.reject(toMethodError(e))) as T;
  return out;
}

function send(ctx: GatewayContext, req: SendRequest) {
  return agentCall(() => ctx.agents.send(req));
}

/**
 * The final `agent` result as OpenClaw's clients read it: reply `payloads` (what its CLI prints) and
 * run `meta`; `text`, `model` and `usage` stay beside them for clients of this gateway.
 */
export function agentResult(r: RunResult) {
  const u = r.lastUsage;
  return {
    payloads: r.text ? [{ text: r.text, mediaUrl: null }] : [],
    meta: {
      durationMs: r.endedAt - r.startedAt,
      agentMeta: {
        sessionId: r.sessionId,
        provider: r.provider,
        model: r.modelId,
        ...(u
          ? { usage: { input: u.input, output: u.output, cacheRead: u.cacheRead, cacheWrite: u.cacheWrite, total: u.totalTokens } }
          : {}),
      },
      aborted: r.status === "aborted",
    },
    text: r.text,
    model: r.model,
    usage: r.usage,
  };
}

export function assistantMessage(text: string, ts: number) {
  return { role: "assistant", content: [{ type: "text", text }], timestamp: ts };
}

/**
 * Turns run events into `chat` and `agent` broadcast events. Deltas are coalesced per run, at most one
 * every 150 ms, so a fast model does not flood slow clients; the final text always goes out. Each
 * `agent` assistant event carries the whole text so far (as OpenClaw's do): one per model delta would
 * cost the square of a long reply's length (a 64,000-token reply, some 16,000 deltas, would encode and
 * send about 2 GB). Its `delta` is everything since the event before, and pending text goes out before
 * the run's next event. `agent` events are numbered 1, 2, 3… per run; a `chat` event carries the number
 * of the `agent` event it follows (as OpenClaw's do).
 */
export function bridgeRunEvents(ctx: GatewayContext): () => void {
  const seqs = new Map<string, number>();
  const pending = new Map<
    string,
    { timer: NodeJS.Timeout | null; last: number; text: string; delta: string; ts: number; sessionKey: string }
  >();
  const next = (runId: string) => {
    const n = (seqs.get(runId) ?? 0) + 1;
    seqs.set(runId, n);
    return n;
  };
  /** The run's assistant text not sent yet, as one `agent` event. */
  const flushText = (runId: string) => {
    const p = pending.get(runId);
    if (!p?.delta) return;
    const delta = p.delta;
    p.delta = "";
    ctx.broadcast("agent", { runId, seq: next(runId), stream: "assistant", ts: p.ts, data: { text: p.text, delta } });
  };
  const agentEvent = (runId: string, stream: string, data: Record<string, unknown>, ts: number) => {
    flushText(runId);
    ctx.broadcast("agent", { runId, seq: next(runId), stream, ts, data });
  };
  const flushDelta = (runId: string) => {
    const p = pending.get(runId);
    if (!p) return;
    if (p.timer) clearTimeout(p.timer);
    p.timer = null;
    p.last = ctx.now();
    flushText(runId);
    ctx.broadcast("chat", {
      runId,
      sessionKey: p.sessionKey,
      seq: seqs.get(runId) ?? 0,
      state: "delta",
      message: assistantMessage(p.text, p.last),
    });
  };

  return ctx.agents.onEvent((ev: RunEvent) => {
    switch (ev.type) {
      case "start":
        agentEvent(ev.runId, "lifecycle", { phase: "start", sessionKey: ev.sessionKey, agentId: ev.agentId }, ev.ts);
        break;
      case "model":
        agentEvent(ev.runId, "lifecycle", { phase: "model", model: ev.model, profileId: ev.profileId }, ev.ts);
        break;
      case "text": {
        let p = pending.get(ev.runId);
        if (!p) {
          p = { timer: null, last: 0, text: "", delta: "", ts: ev.ts, sessionKey: ctx.chatKeys.get(ev.runId) ?? ev.sessionKey };
          pending.set(ev.runId, p);
        }
        p.text = ev.text;
        p.delta += ev.delta;
        p.ts = ev.ts;
        const wait = 150 - (ctx.now() - p.last);
        if (wait <= 0) flushDelta(ev.runId);
        else if (!p.timer) p.timer = setTimeout(() => flushDelta(ev.runId), wait);
        break;
      }
      case "tool":
        agentEvent(
          ev.runId,
          "tool",
          {
            phase: ev.phase === "start" ? "start" : "result",
            name: ev.call.name,
            toolCallId: ev.call.id,
            args: ev.call.arguments,
            ...(ev.result
              ? { result: ev.result.content.map((c) => (c.type === "text" ? c.text : "[image]")).join(""), isError: ev.result.isError }
              : {}),
          },
          ev.ts,
        );
        break;
      case "compaction":
        agentEvent(ev.runId, "compaction", { sessionKey: ev.sessionKey, tokensBefore: ev.tokensBefore }, ev.ts);
        break;
      case "end": {
        const p = pending.get(ev.runId);
        if (p?.timer) clearTimeout(p.timer);
        const r = ev.result;
        agentEvent(
          r.runId,
          "lifecycle",
          { phase: r.status === "error" ? "error" : "end", status: r.status, ...(r.error ? { error: r.error } : {}) },
          ev.ts,
        );
        pending.delete(ev.runId);
        const base = { runId: r.runId, sessionKey: ctx.chatKeys.get(r.runId) ?? r.sessionKey, seq: seqs.get(r.runId) ?? 0 };
        ctx.chatKeys.delete(r.runId);
        if (r.status === "ok")
          ctx.broadcast("chat", {
            ...base,
            state: "final",
            message: assistantMessage(r.text, r.endedAt),
            ...(r.usage ? { usage: r.usage } : {}),
            stopReason: r.message?.stopReason ?? "stop",
          });
        else if (r.status === "aborted")
          ctx.broadcast("chat", { ...base, state: "aborted", ...(r.text ? { message: assistantMessage(r.text, r.endedAt) } : {}) });
        else ctx.broadcast("chat", { ...base, state: "error", errorMessage: r.error ?? "run failed" });
        seqs.delete(r.runId);
        break;
      }
    }
  });
}

function waitPayload(r: RunResult | null, runId: string) {
  if (!r) return { runId, status: "timeout" };
  return {
    runId,
    status: r.status === "ok" ? "ok" : r.status === "aborted" ? "aborted" : "error",
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    ...(r.error ? { error: r.error } : {}),
  };
}

export const chatMethods = {
  "chat.send": defineMethod({
    scope: "operator.write",
    params: chatSendParams,
    handler: (p, ctx) => {
      const images = toImages(p.attachments);
      ctx.chatKeys.set(p.idempotencyKey, p.sessionKey);
      let handle;
      try {
        handle = send(ctx, {
          sessionKey: p.sessionKey,
          text: p.message,
          images,
          runId: p.idempotencyKey,
          timeoutMs: p.timeoutMs || undefined,
          envelope: { label: "WebChat" },
        });
      } catch (e) {
        ctx.chatKeys.delete(p.idempotencyKey);
        throw e;
      }
      const ack = { runId: handle.runId, status: "started" };
      if (!handle.accepted) return ack;
      return agentCall(() => handle.accepted!).then(
        () => ack,
        (e: unknown) => {
          ctx.chatKeys.delete(p.idempotencyKey);
          throw e;
        },
      );
    },
  }),
  "chat.history": defineMethod({
    scope: "operator.read",
    params: () => z.strictObject({ sessionKey: nonEmpty, limit: z.number().int().min(1).max(1000).optional() }),
    handler: (p, ctx) => agentCall(() => ctx.agents.history(p.sessionKey, p.limit ?? 200)),
  }),
  "chat.abort": defineMethod({
    scope: "operator.write",
    params: () => z.strictObject({ sessionKey: nonEmpty, runId: nonEmpty.optional() }),
    handler: (p, ctx) => {
      const runIds = agentCall(() => ctx.agents.abort(p.sessionKey, p.runId));
      return { ok: true, aborted: runIds.length > 0, runIds };
    },
  }),
  "chat.inject": defineMethod({
    scope: "operator.admin",
    params: () => z.strictObject({ sessionKey: nonEmpty, message: nonEmpty, label: z.string().max(100).optional() }),
    handler: (p, ctx) => {
      const r = agentCall(() => ctx.agents.inject(p.sessionKey, p.message, p.label));
      // Clients showing the session see the note at once, as they see a finished reply.
      ctx.broadcast("chat", { runId: `inject-${r.messageId}`, sessionKey: p.sessionKey, seq: 0, state: "final", message: r.message });
      return { ok: true, messageId: r.messageId };
    },
  }),
  agent: defineMethod({
    scope: "operator.write",
    params: agentParams,
    handler: async (p, ctx) => {
      const handle = send(ctx, {
        sessionKey: p.sessionKey,
        agentId: p.agentId,
        text: p.message,
        images: toImages(p.attachments),
        runId: p.idempotencyKey,
        timeoutMs: p.timeout ? p.timeout * 1000 : undefined,
        extraSystemPrompt: p.extraSystemPrompt,
      });
      if (handle.accepted) await agentCall(() => handle.accepted!);
      const acceptedAt = ctx.now();
      return new TwoPhaseReply(
        { runId: handle.runId, status: "accepted", acceptedAt },
        handle.done.then((r) =>
          r.status === "error"
            ? { ok: false, error: { code: ErrorCodes.UNAVAILABLE, message: r.error ?? "run failed" } }
            : {
                ok: true,
                payload: {
                  runId: r.runId,
                  status: r.status,
                  summary: r.status === "ok" ? "completed" : r.status,
                  result: agentResult(r),
                },
              },
        ),
      );
    },
  }),
  "agent.wait": defineMethod({
    scope: "operator.read",
    params: () => z.strictObject({ runId: nonEmpty, timeoutMs: z.number().int().min(0).optional() }),
    handler: async (p, ctx) => waitPayload(await ctx.agents.wait(p.runId, p.timeoutMs ?? 30_000), p.runId),
  }),
};
