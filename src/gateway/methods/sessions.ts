/** `sessions.*`, `models.list` and `agents.list`. */
import * as z from "zod";
import { defineMethod } from "../context.js";
import { agentCall } from "./chat.js";

const nonEmpty = z.string().min(1);
const nullable = <T extends z.ZodType>(t: T) => z.union([t, z.null()]).optional();

export const sessionMethods = {
  "sessions.list": defineMethod({
    scope: "operator.read",
    params: z
      .looseObject({
        limit: z.number().int().min(1).optional(),
        activeMinutes: z.number().int().min(1).optional(),
        agentId: nonEmpty.optional(),
      })
      .optional(),
    handler: (p, ctx) => agentCall(() => ctx.agents.listSessions(p ?? {})),
  }),
  "sessions.preview": defineMethod({
    scope: "operator.read",
    params: z.looseObject({ keys: z.array(nonEmpty).max(100), limit: z.number().int().min(1).max(50).optional() }),
    handler: (p, ctx) => ({ ts: ctx.now(), previews: ctx.agents.preview(p.keys, p.limit) }),
  }),
  "sessions.patch": defineMethod({
    scope: "operator.write",
    params: z.looseObject({
      key: nonEmpty,
      label: nullable(z.string().min(1).max(64)),
      model: nullable(nonEmpty),
      thinkingLevel: nullable(nonEmpty),
      sendPolicy: nullable(z.enum(["allow", "deny"])),
    }),
    handler: (p, ctx) => agentCall(() => ctx.agents.patch(p.key, p)),
  }),
  "sessions.reset": defineMethod({
    scope: "operator.write",
    params: z.strictObject({ key: nonEmpty }),
    handler: (p, ctx) => agentCall(() => ctx.agents.reset(p.key)),
  }),
  "sessions.delete": defineMethod({
    scope: "operator.write",
    params: z.strictObject({ key: nonEmpty, deleteTranscript: z.boolean().optional() }),
    handler: (p, ctx) => agentCall(() => ctx.agents.delete(p.key, p.deleteTranscript)),
  }),
  "sessions.compact": defineMethod({
    scope: "operator.write",
    params: z.strictObject({ key: nonEmpty, maxLines: z.number().int().min(1).optional() }),
    handler: async (p, ctx) => agentCall(() => ctx.agents.compact(p.key)),
  }),
  "models.list": defineMethod({
    scope: "operator.read",
    params: z.strictObject({}).optional(),
    handler: (_p, ctx) => ({
      models: ctx.agents
        .listModels()
        .models.map((m) => ({ id: m.id, name: m.name, provider: m.provider, contextWindow: m.contextWindow, reasoning: m.reasoning })),
    }),
  }),
  "agents.list": defineMethod({
    scope: "operator.read",
    params: z.strictObject({}).optional(),
    handler: (_p, ctx) => ctx.agents.listAgents(),
  }),
};
