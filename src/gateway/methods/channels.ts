/** `channels.status` and the DM pairing queue (`pairing.list|approve|reject`). */
import * as z from "zod";
import { defineMethod } from "../context.js";
import { ErrorCodes, MethodError } from "../protocol/frames.js";

const Channel = z.string().regex(/^[a-z0-9_-]+$/i, "a channel name such as telegram or discord");

export const channelMethods = {
  "channels.status": defineMethod({
    scope: "operator.read",
    params: z.strictObject({ probe: z.boolean().optional(), timeoutMs: z.number().int().min(0).optional() }).optional(),
    handler: (p, ctx) => ctx.channels.status(p?.probe ?? false, p?.timeoutMs || 8000),
  }),
  "pairing.list": defineMethod({
    scope: "operator.read",
    params: z.strictObject({ channel: Channel.optional() }).optional(),
    handler: (p, ctx) => {
      const names = p?.channel ? [p.channel] : ["telegram", "discord"];
      return { requests: names.flatMap((channel) => ctx.pairing.list(channel).map((r) => ({ channel, ...r }))) };
    },
  }),
  "pairing.approve": defineMethod({
    scope: "operator.admin",
    params: z.strictObject({ channel: Channel, code: z.string().min(1) }),
    handler: (p, ctx) => {
      const req = ctx.pairing.approve(p.channel, p.code);
      if (!req)
        throw new MethodError(
          ErrorCodes.NOT_FOUND,
          `no pending ${p.channel} pairing request with code ${p.code.toUpperCase()} (codes expire after an hour)`,
        );
      ctx.log.info(`${p.channel}: approved ${req.meta?.username ?? req.id}`);
      return { ok: true, channel: p.channel, id: req.id, ...(req.meta ? { meta: req.meta } : {}) };
    },
  }),
  "pairing.reject": defineMethod({
    scope: "operator.admin",
    params: z.strictObject({ channel: Channel, code: z.string().min(1) }),
    handler: (p, ctx) => {
      const req = ctx.pairing.reject(p.channel, p.code);
      if (!req) throw new MethodError(ErrorCodes.NOT_FOUND, `no pending ${p.channel} pairing request with code ${p.code.toUpperCase()}`);
      return { ok: true, channel: p.channel, id: req.id };
    },
  }),
};
