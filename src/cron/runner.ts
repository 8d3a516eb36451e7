/**
 * What a job does when it runs, through the gateway's services:
 *
 * - `main` (`systemEvent`): the text is queued as a system event on the agent's main session and a
 *   wake is requested (`cron:<jobId>`), so the agent acts on it at its next turn or heartbeat.
 * - `isolated` (`agentTurn`): a fresh conversation in session `agent:<agentId>:cron:<jobId>` with the
 *   prompt `[cron:<jobId> <name>] <message>` and the current time; the job's `model` (checked against
 *   the allowed models), `thinking` and `timeoutSeconds` apply. The reply is delivered to
 *   `channel`/`to` when `deliver` is true, or when it is unset and `to` is given; `channel` "last" (or
 *   none) means where the main session last talked. Afterwards the result is noted on the main session
 *   (`Cron: <summary>`, or `Cron (error): …`).
 */
import type { GatewayServices } from "../gateway/services.js";
import type { RunOutcome } from "./service.js";
import type { CronJob } from "./types.js";
import { MONTH_NAMES, WEEKDAY_NAMES, hostZoneName, loadZone, wallClock } from "../infra/zoneinfo.js";

const HEARTBEAT_TOKEN = "HEARTBEAT_OK";
const DEFAULT_POST_MAX_CHARS = 8000;

function agentOf(s: GatewayServices, job: CronJob): string {
  const id = job.agentId?.trim().toLowerCase();
  // An unknown (or no longer configured) agent falls back to the default one, as in OpenClaw.
  return id && s.agents.agentIds().includes(id) ? id : s.agents.defaultAgentId();
}

function mainKeyOf(s: GatewayServices, agentId: string): string {
  return s.agents.resolveKey(undefined, agentId).key;
}

export async function executeJob(s: GatewayServices, job: CronJob): Promise<RunOutcome> {
  const agentId = agentOf(s, job);
  if (job.sessionTarget === "main") {
    if (job.payload.kind !== "systemEvent") return { status: "skipped", error: 'main job requires payload.kind="systemEvent"' };
    const text = job.payload.text.trim();
    if (!text) return { status: "skipped", error: "main job requires non-empty systemEvent text" };
    s.agents.systemEvents.enqueue(mainKeyOf(s, agentId), text);
    s.agents.systemEvents.requestWake(`cron:${job.id}`);
    return { status: "ok", summary: text };
  }
  if (job.payload.kind !== "agentTurn") return { status: "skipped", error: "isolated job requires payload.kind=agentTurn" };
  return runIsolated(s, job, agentId, job.payload);
}

async function runIsolated(
  s: GatewayServices,
  job: CronJob,
  agentId: string,
  p: Extract<CronJob["payload"], { kind: "agentTurn" }>,
): Promise<RunOutcome> {
  const key = `agent:${agentId}:cron:${job.id}`;
  // A new conversation every run: a job's runs do not pile up one transcript.
  s.agents.reset(key);
  if (p.model?.trim()) {
    try {
      s.agents.patch(key, { model: p.model.trim() });
    } catch (e) {
      return { status: "error", error: `model ${p.model} cannot be used: ${(e as Error).message}` };
    }
  }
  if (p.thinking?.trim()) s.agents.patch(key, { thinkingLevel: p.thinking.trim().toLowerCase() });
  const cfg = s.config();
  const tz = cfg.agents?.defaults?.userTimezone?.trim() || hostZoneName() || Intl.DateTimeFormat().resolvedOptions().timeZone;
  const prompt = `[cron:${job.id} ${job.name}] ${p.message.trim()}\nCurrent time: ${formatNow(s.now(), tz)} (${tz})`;
  const handle = s.agents.send({
    sessionKey: key,
    agentId,
    text: prompt,
    ...(p.timeoutSeconds ? { timeoutMs: p.timeoutSeconds * 1000 } : {}),
    ...(job.budget ? { budget: job.budget, budgetSetting: `cron job "${job.name}" budget` } : {}),
  });
  const result = await handle.done;
  const output = (result.text ?? "").trim();
  if (result.status !== "ok")
    return { status: "error", error: result.error ?? `the run ended ${result.status}`, summary: output || undefined, outputText: output };

  const mode = p.deliver === true ? "explicit" : p.deliver === false ? "off" : p.to?.trim() ? "auto" : "off";
  if (mode !== "off") {
    const delivered = await deliverReply(s, agentId, p, output);
    if (delivered) return { status: "error", error: delivered, summary: output || undefined, outputText: output };
  }
  return { status: "ok", summary: output || undefined, outputText: output };
}

/** Sends the reply; returns an error text when it could not (and `bestEffortDeliver` is off). */
async function deliverReply(
  s: GatewayServices,
  agentId: string,
  p: Extract<CronJob["payload"], { kind: "agentTurn" }>,
  text: string,
): Promise<string | undefined> {
  const stripped = text.replaceAll(HEARTBEAT_TOKEN, "").trim();
  if (!stripped) return undefined; // nothing worth sending
  let channel = p.channel?.trim().toLowerCase();
  let to = p.to?.trim();
  let accountId: string | undefined;
  let threadId: string | undefined;
  if (!channel || channel === "last") {
    const last = lastRoute(s, agentId);
    channel = to ? (last?.channel ?? undefined) : last?.channel;
    if (!to && last) {
      to = last.to;
      accountId = last.accountId;
      threadId = last.threadId;
    }
  }
  if (!to) {
    return p.bestEffortDeliver
      ? undefined
      : 'no delivery target: set payload.to (and payload.channel), or talk to the agent from a chat first so channel "last" has one';
  }
  try {
    const r = await s.channels.deliver({
      ...(channel ? { channel } : {}),
      to,
      text,
      ...(accountId ? { accountId } : {}),
      ...(threadId ? { threadId } : {}),
    });
    void r;
    return undefined;
  } catch (e) {
    const msg = `delivery to ${channel ?? "the channel"} ${to} failed: ${(e as Error).message}`;
    if (p.bestEffortDeliver) {
      s.logger("cron").warn(msg);
      return undefined;
    }
    return msg;
  }
}

interface Route {
  channel?: string;
  to?: string;
  accountId?: string;
  threadId?: string;
}

/** Where the agent's main session last talked (its delivery context). */
function lastRoute(s: GatewayServices, agentId: string): Route | undefined {
  const entry = s.agents.store(agentId).get(mainKeyOf(s, agentId)) as Record<string, unknown> | undefined;
  if (!entry) return undefined;
  const dc = (entry.deliveryContext ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : undefined);
  const route: Route = {
    channel: str(dc.channel) ?? str(entry.lastChannel),
    to: str(dc.to) ?? str(entry.lastTo),
    accountId: str(dc.accountId) ?? str(entry.lastAccountId),
    threadId: str(dc.threadId) ?? (typeof dc.threadId === "number" ? String(dc.threadId) : undefined),
  };
  return route.to || route.channel ? route : undefined;
}

/** After an isolated run: its result as a system event on the agent's main session. */
export function postToMain(s: GatewayServices, job: CronJob, outcome: RunOutcome): void {
  const prefix = job.isolation?.postToMainPrefix?.trim() || "Cron";
  let body = (outcome.summary ?? outcome.error ?? outcome.status).trim();
  if (job.isolation?.postToMainMode === "full") {
    const max = Math.max(0, job.isolation.postToMainMaxChars ?? DEFAULT_POST_MAX_CHARS);
    const full = (outcome.outputText ?? "").trim();
    if (full) body = full.length > max ? `${full.slice(0, max)}…` : full;
  }
  const label = outcome.status === "ok" ? prefix : `${prefix} (${outcome.status})`;
  const agentId = agentOf(s, job);
  s.agents.systemEvents.enqueue(mainKeyOf(s, agentId), `${label}: ${body}`);
  if (job.wakeMode === "now") s.agents.systemEvents.requestWake(`cron:${job.id}:post`);
}

/** How a run's prompt writes the current time with `Intl` (en-US): "Monday, January 5, 2026 at 07:00". */
export const PROMPT_TIME_FORMAT: Intl.DateTimeFormatOptions = {
  weekday: "long",
  year: "numeric",
  month: "long",
  day: "numeric",
  hour: "numeric",
  minute: "2-digit",
  hourCycle: "h23",
};

/** The time as {@link PROMPT_TIME_FORMAT} writes it in `tz`: from the tz database when it has the zone, else `Intl`. */
export function formatNow(ms: number, tz: string): string {
  const zone = loadZone(tz);
  if (zone) {
    const d = wallClock(zone, ms);
    const two = (n: number) => String(n).padStart(2, "0");
    return `${WEEKDAY_NAMES[d.getUTCDay()]}, ${MONTH_NAMES[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} at ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
  }
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: tz, ...PROMPT_TIME_FORMAT }).format(new Date(ms));
  } catch {
    return new Date(ms).toISOString();
  }
}
