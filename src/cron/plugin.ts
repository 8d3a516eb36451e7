/**
 * Scheduled jobs as a built-in feature: the `cron.*` gateway methods, the `cron` agent tool, the
 * `cron` event and the scheduler service (started once the gateway listens, stopped with it).
 *
 * `cron.enabled: false` or `OPENCLAW_SKIP_CRON=1` stops jobs from running (they can still be listed
 * and edited); `cron.store` moves jobs.json; `cron.maxConcurrentRuns` bounds the jobs running at once.
 * All three are read at each decision, so a config change applies without a restart.
 */
import * as z from "zod";
import { defineMethod, type MethodTable } from "../gateway/context.js";
import { ErrorCodes, MethodError } from "../gateway/protocol/frames.js";
import type { GatewayServices, LateServices } from "../gateway/services.js";
import type { BuiltinPlugin } from "../plugins/builtin.js";
import type { PluginTool } from "../plugins/registry.js";
import { defineTool, type ToolResult } from "../tools/registry.js";
import { AddParams, AddSchema, normalizeJobInput, PatchSchema, RemoveParams, RunParams, RunsParams, UpdateParams } from "./normalize.js";
import { executeJob, postToMain } from "./runner.js";
import { CronInputError, CronService } from "./service.js";
import { resolveStorePath } from "./store.js";

export function cronEnabled(s: GatewayServices): boolean {
  const skip = s.env.OPENCLAW_SKIP_CRON?.trim();
  if (skip && skip !== "0" && skip.toLowerCase() !== "false") return false;
  return s.config().cron?.enabled !== false;
}

export function createCronService(s: GatewayServices): CronService {
  const log = s.logger("cron");
  return new CronService({
    storePath: resolveStorePath(s.stateDir, s.config().cron?.store),
    enabled: () => cronEnabled(s),
    maxConcurrentRuns: () => s.config().cron?.maxConcurrentRuns ?? 1,
    now: () => s.now(),
    log,
    emit: (evt) => s.broadcast("cron", evt),
    execute: (job) => executeJob(s, job),
    afterIsolated: (job, outcome) => postToMain(s, job, outcome),
  });
}

/** Turns the service's errors into method errors: the caller's mistakes are INVALID_REQUEST. */
async function answer<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof CronInputError) throw new MethodError(ErrorCodes.INVALID_REQUEST, e.message);
    if (e instanceof z.ZodError)
      throw new MethodError(ErrorCodes.INVALID_REQUEST, e.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    throw e;
  }
}

export function cronMethods(cron: () => CronService): MethodTable {
  return {
    "cron.status": defineMethod({
      scope: "operator.read",
      params: () => z.strictObject({}),
      handler: () => answer(() => cron().status()),
    }),
    "cron.list": defineMethod({
      scope: "operator.read",
      params: () => z.strictObject({ includeDisabled: z.boolean().optional() }),
      handler: (p) => answer(async () => ({ jobs: await cron().list(p) })),
    }),
    "cron.add": defineMethod({
      scope: "operator.admin",
      params: AddParams,
      handler: (p) => answer(() => cron().add(p)),
    }),
    "cron.update": defineMethod({
      scope: "operator.admin",
      params: UpdateParams,
      handler: (p) => answer(() => cron().update((p.id ?? p.jobId)!, p.patch)),
    }),
    "cron.remove": defineMethod({
      scope: "operator.admin",
      params: RemoveParams,
      handler: (p) => answer(() => cron().remove((p.id ?? p.jobId)!)),
    }),
    "cron.run": defineMethod({
      scope: "operator.admin",
      params: RunParams,
      handler: (p) => answer(() => cron().run((p.id ?? p.jobId)!, p.mode)),
    }),
    "cron.runs": defineMethod({
      scope: "operator.read",
      params: RunsParams,
      handler: (p) => answer(async () => ({ entries: await cron().runs((p.id ?? p.jobId)!, p.limit) })),
    }),
  };
}

const ACTIONS = ["status", "list", "add", "update", "remove", "run", "runs", "wake"] as const;

const json = (value: unknown): ToolResult => ({ text: JSON.stringify(value, null, 2), details: value });
const fail = (text: string): ToolResult => ({ text, isError: true });

/** The `cron` agent tool, with OpenClaw's actions and parameters. */
export function cronTool(cron: () => CronService, services: LateServices) {
  return defineTool({
    name: "cron",
    description:
      "Manage scheduled jobs and wake events. Actions: status, list (includeDisabled), add (job: {name, schedule: " +
      '{kind:"at",atMs} | {kind:"every",everyMs} | {kind:"cron",expr,tz}, payload: {kind:"systemEvent",text} for a reminder ' +
      'in the main session, or {kind:"agentTurn",message,deliver,channel,to} for an isolated run}), update (jobId, patch), ' +
      "remove (jobId), run (jobId, mode due|force), runs (jobId), wake (text, mode now|next-heartbeat).",
    args: () =>
      z.object({
        action: z.enum(ACTIONS),
        includeDisabled: z.boolean().optional(),
        job: z.record(z.string(), z.unknown()).optional(),
        jobId: z.string().optional(),
        id: z.string().optional(),
        patch: z.record(z.string(), z.unknown()).optional(),
        mode: z.string().optional(),
        text: z.string().max(10_000).optional(),
        limit: z.number().int().min(1).max(5000).optional(),
        contextMessages: z.number().int().min(0).max(10).optional(),
        gatewayUrl: z.string().optional(),
        gatewayToken: z.string().optional(),
        timeoutMs: z.number().optional(),
      }),
    async run(args, ctx) {
      if (ctx.senderAuthorized === false) return fail("The cron tool is only for the owner or an allowlisted sender.");
      const id = args.jobId?.trim() || args.id?.trim();
      const needId = () => {
        if (!id) throw new CronInputError(`${args.action} needs jobId (see the list action for ids)`);
        return id;
      };
      try {
        switch (args.action) {
          case "status":
            return json(await cron().status());
          case "list":
            return json({ jobs: await cron().list({ includeDisabled: args.includeDisabled }) });
          case "add": {
            if (!args.job) return fail("add needs job: {name, schedule, payload} (see the tool description).");
            const normalized = normalizeJobInput(args.job, true) as Record<string, unknown>;
            if (normalized && typeof normalized === "object" && !("agentId" in normalized)) normalized.agentId = ctx.agentId;
            const parsed = AddSchema.safeParse(normalized);
            if (!parsed.success) return fail(`invalid job: ${issues(parsed.error)}`);
            return json(await cron().add(parsed.data));
          }
          case "update": {
            if (!args.patch) return fail("update needs patch (the fields to change).");
            const parsed = PatchSchema.safeParse(normalizeJobInput(args.patch, false));
            if (!parsed.success) return fail(`invalid patch: ${issues(parsed.error)}`);
            return json(await cron().update(needId(), parsed.data));
          }
          case "remove":
            return json(await cron().remove(needId()));
          case "run":
            return json(await cron().run(needId(), args.mode === "due" ? "due" : "force"));
          case "runs":
            return json({ entries: await cron().runs(needId(), args.limit) });
          case "wake": {
            const text = args.text?.trim();
            if (!text) return fail("wake needs text.");
            const s = services.get("cron tool");
            s.agents.systemEvents.enqueue(s.agents.resolveKey(undefined, ctx.agentId).key, text);
            if (args.mode === "now") s.agents.systemEvents.requestWake("wake");
            return json({ ok: true });
          }
        }
      } catch (e) {
        return fail((e as Error).message);
      }
    },
  });
}

function issues(e: z.ZodError): string {
  return e.issues
    .slice(0, 5)
    .map((i) => `${i.path.join(".") || "<root>"}: ${i.message}`)
    .join("; ");
}

export function cronPlugin(services: LateServices): BuiltinPlugin {
  return {
    id: "core-cron",
    name: "Scheduled jobs",
    register(api) {
      // Built on first use (a method, the tool or the service's start), once the gateway exists.
      let service: CronService | null = null;
      const cron = () => (service ??= createCronService(services.get("cron")));
      for (const [name, def] of Object.entries(cronMethods(cron))) api.registerGatewayMethod(name, def);
      api.registerTool(cronTool(cron, services) as unknown as PluginTool);
      api.registerService({
        id: "cron",
        start: () => cron().start(),
        stop: () => service?.stop(),
      });
    },
  };
}
