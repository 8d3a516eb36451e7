/**
 * `send`: a message from the operator to a chat (`to`) on a channel, through the same adapter path as
 * the agent's replies (markdown conversion, chunking, rate limits). `mediaUrl` / `mediaUrls` add
 * images fetched from http(s) URLs.
 *
 * Idempotent as in OpenClaw: the answer for an `idempotencyKey` is remembered for five minutes (errors
 * too), and a request arriving while the same key is still being sent waits for that send instead of
 * sending again.
 *
 * Differences from OpenClaw: without `channel`, the one channel that is set up is used (OpenClaw
 * falls back to WhatsApp, which this gateway does not have); the message is not copied into a session
 * transcript (`sessionKey` is accepted and not used); `gifPlayback` (WhatsApp only) is ignored.
 */
import * as z from "zod";
import { DeliveryError, deliver, type DeliverOptions } from "../../channels/deliver.js";
import { defineMethod, type MethodTable } from "../context.js";
import { ErrorCodes, MethodError, type ErrorCode } from "../protocol/frames.js";

/** How long an answer is replayed for a repeated idempotency key, and how many are kept. */
export const SEND_DEDUPE_TTL_MS = 5 * 60_000;
export const SEND_DEDUPE_MAX = 1000;

const nonEmpty = z.string().min(1);
const sendParams = () =>
  z.strictObject({
    to: nonEmpty,
    message: nonEmpty,
    mediaUrl: z.string().optional(),
    mediaUrls: z.array(z.string()).optional(),
    gifPlayback: z.boolean().optional(),
    channel: z.string().optional(),
    accountId: z.string().optional(),
    sessionKey: z.string().optional(),
    idempotencyKey: nonEmpty,
  });

type Outcome = { ok: true; payload: Record<string, unknown> } | { ok: false; code: ErrorCode; message: string };

/** Bad requests are the caller's to fix; anything else means the channel could not send (UNAVAILABLE). */
function failure(e: unknown): Outcome {
  if (e instanceof MethodError) return { ok: false, code: e.code, message: e.message };
  if (e instanceof DeliveryError)
    return { ok: false, code: e.kind === "unavailable" ? ErrorCodes.UNAVAILABLE : ErrorCodes.INVALID_REQUEST, message: e.message };
  return { ok: false, code: ErrorCodes.UNAVAILABLE, message: (e as Error)?.message ?? String(e) };
}

function settle(o: Outcome): Record<string, unknown> {
  if (o.ok) return o.payload;
  throw new MethodError(o.code, o.message);
}

/** The `send` family; each gateway builds its own (the idempotency memory is per gateway). */
export function sendMethods(opts: DeliverOptions = {}): MethodTable {
  const answered = new Map<string, { at: number; outcome: Outcome }>();
  const inflight = new Map<string, Promise<Outcome>>();

  const prune = (now: number) => {
    for (const [k, v] of answered) if (now - v.at > SEND_DEDUPE_TTL_MS) answered.delete(k);
    while (answered.size > SEND_DEDUPE_MAX) answered.delete(answered.keys().next().value!);
  };

  return {
    send: defineMethod({
      scope: "operator.write",
      params: sendParams,
      handler: async (p, ctx) => {
        const key = p.idempotencyKey;
        prune(ctx.now());
        const cached = answered.get(key);
        if (cached) return settle(cached.outcome);
        const running = inflight.get(key);
        if (running) return settle(await running);

        const work = (async (): Promise<Outcome> => {
          try {
            const message = p.message.trim();
            if (!message) throw new MethodError(ErrorCodes.INVALID_REQUEST, "message is empty");
            const r = await deliver(
              ctx.channels,
              {
                channel: p.channel,
                accountId: p.accountId,
                to: p.to,
                text: message,
                mediaUrls: [...(p.mediaUrls ?? []), ...(p.mediaUrl ? [p.mediaUrl] : [])],
              },
              { ...opts, hooks: ctx.hooks ?? opts.hooks },
            );
            if (r.cancelled) {
              ctx.log.info(`send: ${r.channel}/${r.accountId} → ${r.target.chatId}: cancelled by a plugin's message_sending hook`);
              return { ok: true, payload: { runId: key, messageId: "cancelled", channel: r.channel, cancelled: true } };
            }
            ctx.log.info(`send: ${r.channel}/${r.accountId} → ${r.target.chatId}: ${r.messageIds.length} message(s)`);
            return { ok: true, payload: { runId: key, messageId: r.messageIds.at(-1) ?? "unknown", channel: r.channel, ...r.delivered } };
          } catch (e) {
            const out = failure(e);
            if (!out.ok && out.code === ErrorCodes.UNAVAILABLE) ctx.log.warn(`send failed: ${out.message}`);
            return out;
          }
        })();
        inflight.set(key, work);
        try {
          const outcome = await work;
          // Like OpenClaw, a refused request is not remembered (a corrected one may reuse the key).
          if (outcome.ok || outcome.code !== ErrorCodes.INVALID_REQUEST) answered.set(key, { at: ctx.now(), outcome });
          return settle(outcome);
        } finally {
          inflight.delete(key);
        }
      },
    }),
  };
}
