/**
 * `wake` and `system-event`: notes for the agent, queued on the default agent's main session and put
 * in front of its next prompt as `System:` lines (see agents/system-events.ts).
 *
 * `wake` (what `openclaw system event --text ... --mode now|next-heartbeat` calls) queues the text;
 * `now` also asks for an immediate wake. Waking is what a heartbeat runner does; while none is
 * registered the note waits for the session's next turn, and the reply says so.
 *
 * `system-event` (sent by apps and nodes) updates the sender's presence entry and queues the text;
 * `Node: ...` presence lines are queued only when something worth telling the agent changed (host,
 * address, version, mode or a non-periodic reason).
 */
import os from "node:os";
import * as z from "zod";
import { defineMethod, type GatewayContext } from "../context.js";
import { ErrorCodes, MethodError } from "../protocol/frames.js";
import type { PresenceEntry } from "../presence.js";
import { MAX_PRESENCE_ENTRIES } from "../server.js";
import { agentCall } from "./chat.js";

/** A presence entry reported by `system-event` lasts this long without news (unless a connection owns it). */
export const EVENT_PRESENCE_TTL_MS = 5 * 60_000;

const WakeParams = z.strictObject({
  mode: z.enum(["now", "next-heartbeat"]),
  text: z.string().min(1),
});

/** The default agent's main session, where both methods queue (as OpenClaw does). */
function mainSession(ctx: GatewayContext): string {
  return agentCall(() => ctx.agents.resolveKey(undefined).key);
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const strList = (v: unknown) => (Array.isArray(v) && v.every((t) => typeof t === "string") ? (v as string[]) : undefined);
const lower = (v: string | undefined) => v?.trim().toLowerCase() || undefined;

function mergeLists(...lists: Array<string[] | undefined>): string[] | undefined {
  const out = new Set<string>();
  for (const l of lists) for (const s of l ?? []) if (s.trim()) out.add(s.trim());
  return out.size ? [...out] : undefined;
}

/** `Node: host (ip) · app 1.2 · last input 5s ago · mode ui · reason connect`, as nodes report themselves. */
function parsePresenceText(text: string): Partial<PresenceEntry> {
  const m =
    /Node:\s*([^ (]+)\s*\(([^)]+)\)\s*\u00b7\s*app\s*([^\u00b7]+?)\s*\u00b7\s*last input\s*([0-9]+)s ago\s*\u00b7\s*mode\s*([^\u00b7]+?)\s*\u00b7\s*reason\s*(.+)$/i.exec(
      text,
    );
  if (!m) return {};
  const lastInput = Number.parseInt(m[4]!, 10);
  return {
    host: m[1]!.trim(),
    ip: m[2]!.trim(),
    version: m[3]!.trim(),
    ...(Number.isFinite(lastInput) ? { lastInputSeconds: lastInput } : {}),
    mode: m[5]!.trim(),
    reason: m[6]!.trim(),
  };
}

const TRACKED = ["host", "ip", "version", "mode", "reason"] as const;

/**
 * Merges a report into the sender's presence entry: the entry of its connection when one carries the
 * same device or instance id, else an entry of its own that expires without news.
 */
function updatePresence(ctx: GatewayContext, text: string, p: Record<string, unknown>) {
  const parsed = parsePresenceText(text);
  const report = {
    deviceId: str(p.deviceId),
    instanceId: str(p.instanceId),
    host: str(p.host),
    ip: str(p.ip),
    mode: str(p.mode),
    version: str(p.version),
    platform: str(p.platform),
    deviceFamily: str(p.deviceFamily),
    modelIdentifier: str(p.modelIdentifier),
    reason: str(p.reason),
    lastInputSeconds: typeof p.lastInputSeconds === "number" && Number.isFinite(p.lastInputSeconds) ? p.lastInputSeconds : undefined,
    roles: strList(p.roles),
    scopes: strList(p.scopes),
  };
  const id = lower(report.deviceId) ?? lower(report.instanceId);
  const key = id ?? lower(parsed.host) ?? parsed.ip ?? (text.slice(0, 64) || os.hostname().toLowerCase());
  const owned = id ? ctx.presence.findKey((e) => lower(e.deviceId) === id || lower(e.instanceId) === id) : undefined;
  const entryKey = owned ?? `event:${key}`;
  const existing: Partial<PresenceEntry> = ctx.presence.get(entryKey) ?? {};
  const next: PresenceEntry = {
    ...existing,
    ...parsed,
    text,
    ts: ctx.now(),
  };
  const set = <K extends keyof PresenceEntry>(k: K, v: PresenceEntry[K] | undefined) => {
    if (v === undefined) delete next[k];
    else next[k] = v;
  };
  set("host", report.host ?? parsed.host ?? existing.host);
  set("ip", report.ip ?? parsed.ip ?? existing.ip);
  set("version", report.version ?? parsed.version ?? existing.version);
  set("platform", report.platform ?? existing.platform);
  set("deviceFamily", report.deviceFamily ?? existing.deviceFamily);
  set("modelIdentifier", report.modelIdentifier ?? existing.modelIdentifier);
  set("mode", report.mode ?? parsed.mode ?? existing.mode);
  set("lastInputSeconds", report.lastInputSeconds ?? parsed.lastInputSeconds ?? existing.lastInputSeconds);
  set("reason", report.reason ?? parsed.reason ?? existing.reason);
  set("deviceId", report.deviceId ?? existing.deviceId);
  set("instanceId", report.instanceId ?? existing.instanceId);
  set("roles", mergeLists(existing.roles, report.roles));
  set("scopes", mergeLists(existing.scopes, report.scopes));
  ctx.presence.upsert(entryKey, next, owned ? undefined : EVENT_PRESENCE_TTL_MS);
  const changed = new Set(TRACKED.filter((k) => existing[k] !== next[k]));
  return { key, next, changed, reason: report.reason };
}

export const systemMethods = {
  wake: defineMethod({
    scope: "operator.write",
    params: WakeParams,
    handler: (p, ctx) => {
      const text = p.text.trim();
      if (!text) return { ok: false };
      const sessionKey = mainSession(ctx);
      const events = ctx.agents.systemEvents;
      events.enqueue(sessionKey, text);
      const woke = p.mode === "now" && events.requestWake("wake");
      if (events.canWake) {
        ctx.log.debug(`wake (${p.mode}): queued a system event for ${sessionKey}`);
        return { ok: true, sessionKey, woke };
      }
      const note = `queued for ${sessionKey}; no heartbeat runs in this gateway, so it reaches the agent with that session's next message`;
      if (p.mode === "now") ctx.log.info(`wake (now): nothing to wake, ${note}`);
      return { ok: true, sessionKey, woke, note };
    },
  }),
  "system-event": defineMethod({
    scope: "operator.admin",
    params: () => z.looseObject({}).optional(),
    handler: (raw, ctx) => {
      const p = (raw ?? {}) as Record<string, unknown>;
      const text = typeof p.text === "string" ? p.text.trim() : "";
      if (!text) throw new MethodError(ErrorCodes.INVALID_REQUEST, "text required");
      const sessionKey = mainSession(ctx);
      const events = ctx.agents.systemEvents;
      const update = updatePresence(ctx, text, p);
      if (text.startsWith("Node:")) {
        const { next, changed } = update;
        const reason = next.reason ?? update.reason;
        const routine = (reason ?? "").toLowerCase().startsWith("periodic") || (reason ?? "").toLowerCase() === "heartbeat";
        const reasonChanged = changed.has("reason") && !routine;
        if (changed.has("host") || changed.has("ip") || changed.has("version") || changed.has("mode") || reasonChanged) {
          const parts: string[] = [];
          if (events.contextChanged(sessionKey, update.key) || changed.has("host") || changed.has("ip"))
            parts.push(`Node: ${next.host?.trim() || "Unknown"}${next.ip?.trim() ? ` (${next.ip.trim()})` : ""}`);
          if (changed.has("version")) parts.push(`app ${next.version?.trim() || "unknown"}`);
          if (changed.has("mode")) parts.push(`mode ${next.mode?.trim() || "unknown"}`);
          if (reasonChanged) parts.push(`reason ${reason?.trim() || "event"}`);
          if (parts.length) events.enqueue(sessionKey, parts.join(" · "), update.key);
        }
      } else events.enqueue(sessionKey, text);
      ctx.broadcast("presence", { presence: ctx.presence.list().slice(0, MAX_PRESENCE_ENTRIES) });
      return { ok: true };
    },
  }),
};
