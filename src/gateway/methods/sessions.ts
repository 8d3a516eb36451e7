/** `sessions.*`, `models.list` and `agents.list`. */
import * as z from "zod";
import { defineMethod } from "../context.js";
import { agentCall } from "./chat.js";

const nonEmpty = z.string().min(1);
const nullable = <T extends z.ZodType>(t: T) => z.union([t, z.null()]).optional();
/** A session label as OpenClaw bounds it. */
const label = z.string().min(1).max(64);

export const sessionMethods = {
  "sessions.list": defineMethod({
    scope: "operator.read",
    params: () =>
      z
        .strictObject({
          limit: z.number().int().min(1).optional(),
          activeMinutes: z.number().int().min(1).optional(),
          includeGlobal: z.boolean().optional(),
          includeUnknown: z.boolean().optional(),
          includeDerivedTitles: z.boolean().optional(),
          includeLastMessage: z.boolean().optional(),
          label: label.optional(),
          spawnedBy: nonEmpty.optional(),
          agentId: nonEmpty.optional(),
          search: z.string().optional(),
        })
        .optional(),
    handler: (p, ctx) => agentCall(() => ctx.agents.listSessions(p ?? {})),
  }),
  "sessions.preview": defineMethod({
    scope: "operator.read",
    params: () =>
      z.strictObject({
        keys: z.array(nonEmpty).min(1).max(1000),
        limit: z.number().int().min(1).optional(),
        maxChars: z.number().int().min(20).optional(),
      }),
    handler: (p, ctx) => {
      // As OpenClaw: at most 64 keys are looked at, 12 items of 240 characters by default.
      const keys = p.keys
        .map((k) => k.trim())
        .filter(Boolean)
        .slice(0, 64);
      return { ts: ctx.now(), previews: ctx.agents.preview(keys, p.limit ?? 12, p.maxChars ?? 240) };
    },
  }),
  "sessions.resolve": defineMethod({
    scope: "operator.admin",
    params: () =>
      z.strictObject({
        key: nonEmpty.optional(),
        sessionId: nonEmpty.optional(),
        label: label.optional(),
        agentId: nonEmpty.optional(),
        spawnedBy: nonEmpty.optional(),
        includeGlobal: z.boolean().optional(),
        includeUnknown: z.boolean().optional(),
      }),
    handler: (p, ctx) => agentCall(() => ctx.agents.resolveSession(p)),
  }),
  "sessions.patch": defineMethod({
    scope: "operator.admin",
    params: () =>
      z.looseObject({
        key: nonEmpty,
        label: nullable(label),
        model: nullable(nonEmpty),
        thinkingLevel: nullable(nonEmpty),
        sendPolicy: nullable(z.enum(["allow", "deny"])),
      }),
    handler: (p, ctx) => agentCall(() => ctx.agents.patch(p.key, p)),
  }),
  "sessions.reset": defineMethod({
    scope: "operator.admin",
    params: () => z.strictObject({ key: nonEmpty }),
    handler: (p, ctx) => agentCall(() => ctx.agents.reset(p.key)),
  }),
  "sessions.delete": defineMethod({
    scope: "operator.admin",
    params: () => z.strictObject({ key: nonEmpty, deleteTranscript: z.boolean().optional() }),
    handler: (p, ctx) => agentCall(() => ctx.agents.delete(p.key, p.deleteTranscript)),
  }),
  "sessions.compact": defineMethod({
    scope: "operator.admin",
    params: () => z.strictObject({ key: nonEmpty, maxLines: z.number().int().min(1).optional() }),
    handler: async (p, ctx) => agentCall(() => ctx.agents.compact(p.key)),
  }),
  "models.list": defineMethod({
    scope: "operator.read",
    params: () => z.strictObject({}).optional(),
    handler: (_p, ctx) => ({
      models: ctx.agents.listModels().models.map((m) => ({
        id: m.id,
        name: m.name,
        provider: m.provider,
        contextWindow: m.contextWindow,
        reasoning: m.reasoning,
        input: m.input,
      })),
    }),
  }),
  "agents.list": defineMethod({
    scope: "operator.read",
    params: () => z.strictObject({}).optional(),
    handler: (_p, ctx) => ctx.agents.listAgents(),
  }),
};
