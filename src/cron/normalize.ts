/**
 * The job shape the `cron.*` methods and the `cron` tool accept, normalized first as OpenClaw does:
 * `{data:…}`/`{job:…}` unwrapped, `schedule.at` or a string `atMs` read as a time (ISO without a zone
 * is UTC), a missing `schedule.kind` inferred, `enabled: "true"` coerced, the legacy
 * `payload.provider` read as `channel`; for a new job `wakeMode` defaults to `next-heartbeat` and
 * `sessionTarget` follows the payload kind.
 */
import { periodLimitsSchema } from "../budget/config.js";
import * as z from "zod";
import { normalizeAgentId } from "../sessions/keys.js";
import { parseAbsoluteTimeMs } from "./schedule.js";

/** Text fields are bounded: a job is a reminder or a prompt, not a document. */
const MAX_TEXT = 100_000;

/** The schemas, built when a job is first added, changed or checked (a gateway without jobs never does). */
function build() {
  const NonEmpty = z.string().min(1);
  const Text = NonEmpty.max(MAX_TEXT);

  const ScheduleSchema = z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("at"), atMs: z.number().int().min(0) }),
    z.strictObject({ kind: z.literal("every"), everyMs: z.number().int().min(1), anchorMs: z.number().int().min(0).optional() }),
    z.strictObject({ kind: z.literal("cron"), expr: NonEmpty.max(200), tz: z.string().max(100).optional() }),
  ]);

  const agentTurnFields = {
    model: z.string().max(200).optional(),
    thinking: z.string().max(50).optional(),
    timeoutSeconds: z.number().int().min(1).optional(),
    deliver: z.boolean().optional(),
    channel: z.union([z.literal("last"), NonEmpty.max(100)]).optional(),
    to: z.string().max(500).optional(),
    bestEffortDeliver: z.boolean().optional(),
  };

  const PayloadSchema = z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("systemEvent"), text: Text }),
    z.strictObject({ kind: z.literal("agentTurn"), message: Text, ...agentTurnFields }),
  ]);

  const PayloadPatchSchema = z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("systemEvent"), text: Text.optional() }),
    z.strictObject({ kind: z.literal("agentTurn"), message: Text.optional(), ...agentTurnFields }),
  ]);

  const IsolationSchema = z.strictObject({
    postToMainPrefix: z.string().max(200).optional(),
    postToMainMode: z.enum(["summary", "full"]).optional(),
    postToMainMaxChars: z.number().int().min(0).optional(),
  });

  const StatePatchSchema = z.strictObject({
    nextRunAtMs: z.number().int().min(0).optional(),
    runningAtMs: z.number().int().min(0).optional(),
    lastRunAtMs: z.number().int().min(0).optional(),
    lastStatus: z.enum(["ok", "error", "skipped"]).optional(),
    lastError: z.string().optional(),
    lastDurationMs: z.number().int().min(0).optional(),
  });

  const SessionTarget = z.enum(["main", "isolated"]);
  const WakeMode = z.enum(["next-heartbeat", "now"]);

  const AddSchema = z.strictObject({
    name: NonEmpty.max(200),
    agentId: z.union([NonEmpty.max(100), z.null()]).optional(),
    description: z.string().max(2000).optional(),
    enabled: z.boolean().optional(),
    deleteAfterRun: z.boolean().optional(),
    schedule: ScheduleSchema,
    sessionTarget: SessionTarget,
    wakeMode: WakeMode,
    payload: PayloadSchema,
    isolation: IsolationSchema.optional(),
    /** Ours: per-day and per-month spending limits for the job's runs. */
    budget: periodLimitsSchema().optional(),
  });

  const PatchSchema = z.strictObject({
    name: NonEmpty.max(200).optional(),
    agentId: z.union([NonEmpty.max(100), z.null()]).optional(),
    description: z.string().max(2000).optional(),
    enabled: z.boolean().optional(),
    deleteAfterRun: z.boolean().optional(),
    schedule: ScheduleSchema.optional(),
    sessionTarget: SessionTarget.optional(),
    wakeMode: WakeMode.optional(),
    payload: PayloadPatchSchema.optional(),
    isolation: IsolationSchema.optional(),
    budget: periodLimitsSchema().optional(),
    state: StatePatchSchema.optional(),
  });

  /** Params of `cron.add`: normalized, then checked against the job shape. */
  const AddParams = z.preprocess((raw) => normalizeJobInput(raw, true), AddSchema);

  type JobRef = { id?: string; jobId?: string };
  /** Params naming one job by `id` or `jobId` (one of them required), plus `fields`. */
  const byJob = <T extends z.ZodRawShape>(fields: T) =>
    z
      .strictObject({ id: NonEmpty.optional(), jobId: NonEmpty.optional(), ...fields })
      .refine((p: unknown) => Boolean((p as JobRef).id || (p as JobRef).jobId), {
        message: "give the job's id (id or jobId)",
        path: ["id"],
      });

  const UpdateParams = byJob({ patch: z.preprocess((raw) => normalizeJobInput(raw, false), PatchSchema) });
  const RemoveParams = byJob({});
  const RunParams = byJob({ mode: z.enum(["due", "force"]).optional() });
  const RunsParams = byJob({ limit: z.number().int().min(1).max(5000).optional() });
  return { AddSchema, PatchSchema, AddParams, UpdateParams, RemoveParams, RunParams, RunsParams };
}

let built: ReturnType<typeof build> | null = null;
const schemas = () => (built ??= build());

export const AddSchema = z.lazy(() => schemas().AddSchema);
export type CronAddInput = z.infer<typeof AddSchema>;
export const PatchSchema = z.lazy(() => schemas().PatchSchema);
export type CronPatch = z.infer<typeof PatchSchema>;
export const AddParams = z.lazy(() => schemas().AddParams);
export const UpdateParams = z.lazy(() => schemas().UpdateParams);
export const RemoveParams = z.lazy(() => schemas().RemoveParams);
export const RunParams = z.lazy(() => schemas().RunParams);
export const RunsParams = z.lazy(() => schemas().RunsParams);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function coerceSchedule(schedule: Record<string, unknown>): Record<string, unknown> {
  const next = { ...schedule };
  const parsed =
    typeof schedule.atMs === "string"
      ? parseAbsoluteTimeMs(schedule.atMs)
      : typeof schedule.at === "string"
        ? parseAbsoluteTimeMs(schedule.at)
        : null;
  if (typeof schedule.kind !== "string") {
    if (typeof schedule.atMs === "number" || typeof schedule.at === "string" || typeof schedule.atMs === "string") next.kind = "at";
    else if (typeof schedule.everyMs === "number") next.kind = "every";
    else if (typeof schedule.expr === "string") next.kind = "cron";
  }
  if (typeof schedule.atMs !== "number" && parsed !== null) next.atMs = parsed;
  delete next.at;
  return next;
}

function coercePayload(payload: Record<string, unknown>): Record<string, unknown> {
  const next = { ...payload };
  const channel = typeof next.channel === "string" && next.channel.trim() ? next.channel : undefined;
  const provider = typeof next.provider === "string" && next.provider.trim() ? next.provider : undefined;
  const chosen = (channel ?? provider)?.trim().toLowerCase();
  if (chosen) next.channel = chosen;
  delete next.provider;
  return next;
}

export function normalizeJobInput(raw: unknown, applyDefaults: boolean): unknown {
  if (!isRecord(raw)) return raw;
  const base = isRecord(raw.data) ? raw.data : isRecord(raw.job) ? raw.job : raw;
  const next: Record<string, unknown> = { ...base };
  if ("agentId" in base) {
    if (typeof base.agentId === "string") {
      const id = base.agentId.trim();
      if (id) next.agentId = normalizeAgentId(id);
      else delete next.agentId;
    }
  }
  if (typeof base.enabled === "string") {
    const v = base.enabled.trim().toLowerCase();
    if (v === "true") next.enabled = true;
    if (v === "false") next.enabled = false;
  }
  if (isRecord(base.schedule)) next.schedule = coerceSchedule(base.schedule);
  if (isRecord(base.payload)) next.payload = coercePayload(base.payload);
  if (applyDefaults) {
    next.wakeMode ??= "next-heartbeat";
    if (!next.sessionTarget && isRecord(next.payload)) {
      if (next.payload.kind === "systemEvent") next.sessionTarget = "main";
      if (next.payload.kind === "agentTurn") next.sessionTarget = "isolated";
    }
  }
  return next;
}

export function assertSupportedJob(job: { sessionTarget: string; payload: { kind: string } }): void {
  if (job.sessionTarget === "main" && job.payload.kind !== "systemEvent")
    throw new Error('main cron jobs require payload.kind="systemEvent"');
  if (job.sessionTarget === "isolated" && job.payload.kind !== "agentTurn")
    throw new Error('isolated cron jobs require payload.kind="agentTurn"');
}
