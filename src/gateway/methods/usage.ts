/** `usage.cost`: tokens and cost per day and per model over the last `days` days, from the transcripts. */
import path from "node:path";
import * as z from "zod";
import { defineMethod } from "../context.js";
import { resolveModel } from "../../providers/models.js";
import { costUsageSummary } from "../../sessions/usage.js";

export const usageMethods = {
  "usage.cost": defineMethod({
    scope: "operator.read",
    params: () =>
      z
        .looseObject({
          days: z.coerce.number().int().min(1).max(366).optional(),
          agentId: z
            .string()
            .regex(/^[a-z0-9][a-z0-9_-]*$/i, "an agent id such as main")
            .optional(),
        })
        .optional(),
    handler: async (p, ctx) => {
      const cfg = ctx.config();
      const agents = p?.agentId ? [p.agentId] : ctx.agents.agentIds();
      return costUsageSummary({
        dirs: agents.map((id) => path.join(ctx.stateDir, "agents", id, "sessions")),
        days: p?.days ?? 30,
        now: ctx.now(),
        priceOf: (provider, model) => {
          try {
            return resolveModel(cfg, `${provider}/${model}`).cost;
          } catch {
            return undefined;
          }
        },
      });
    },
  }),
};
