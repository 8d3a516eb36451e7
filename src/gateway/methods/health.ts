/** `health` and `status`: cheap snapshots of the running gateway. */
import { heartbeatSummary as summarizeHeartbeat } from "../../heartbeat/settings.js";
import os from "node:os";
import v8 from "node:v8";
import * as z from "zod";
import { defineMethod, type GatewayContext } from "../context.js";
import { channelSummary } from "../../channels/manager.js";

export function defaultAgentId(ctx: GatewayContext): string {
  const list = ctx.config().agents?.list ?? [];
  return (list.find((a) => a.default) ?? list[0])?.id ?? "main";
}

/**
 * Process memory, or zeros when it cannot be read: reading it opens /proc, which fails when the
 * process is out of file descriptors, and a health answer must never be what brings the gateway down.
 */
export function processMemory(): NodeJS.MemoryUsage {
  try {
    return process.memoryUsage();
  } catch {
    return { rss: 0, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 };
  }
}

/** What `health` and `status` say about an agent's heartbeat (OpenClaw's summary shape). */
export function heartbeatSummary(ctx: GatewayContext, agentId: string) {
  return summarizeHeartbeat(ctx.config(), agentId);
}

/**
 * The `health` payload as OpenClaw's clients read it (channels with their accounts, agents with
 * their heartbeat and sessions, the default agent's sessions), plus this gateway's own fields
 * (uptime, version, config validity, memory).
 */
export function healthSnapshot(ctx: GatewayContext, probed?: Record<string, unknown>) {
  const start = ctx.now();
  const agentId = defaultAgentId(ctx);
  const list = ctx.config().agents?.list ?? [];
  const ordered = list.length
    ? list.map((a) => ({ id: a.id.trim().toLowerCase(), name: (a as { name?: string }).name }))
    : [{ id: agentId }];
  const agents = ordered.map((a) => ({
    agentId: a.id,
    ...("name" in a && a.name ? { name: a.name } : {}),
    isDefault: a.id === agentId,
    heartbeat: heartbeatSummary(ctx, a.id),
    sessions: ctx.agents.sessionSummary(a.id),
  }));
  const def = agents.find((a) => a.isDefault) ?? agents[0]!;
  const snap = probed ? null : ctx.channels.snapshot();
  const accounts = (probed?.channelAccounts ?? snap!.accounts) as Record<string, Array<{ accountId: string }>>;
  const defaults = (probed?.channelDefaultAccountId ?? snap!.defaults) as Record<string, string>;
  const order = (probed?.channelOrder ?? snap!.order) as string[];
  const channels: Record<string, unknown> = {};
  for (const ch of order) {
    const list = (accounts[ch] ?? []) as Parameters<typeof channelSummary>[0];
    channels[ch] = {
      ...channelSummary(list, defaults[ch] ?? "default"),
      accountId: defaults[ch] ?? "default",
      accounts: Object.fromEntries(list.map((a) => [a.accountId, a])),
    };
  }
  return {
    ok: true,
    ts: ctx.now(),
    durationMs: ctx.now() - start,
    channels,
    channelOrder: order,
    channelLabels: Object.fromEntries(order.map((c) => [c, ctx.channels.catalog.get(c)?.label ?? c])),
    heartbeatSeconds: Math.round((heartbeatSummary(ctx, agentId).everyMs ?? 0) / 1000),
    defaultAgentId: agentId,
    agents,
    sessions: def.sessions,
    uptimeMs: ctx.now() - ctx.info.startedAt,
    version: ctx.info.version,
    config: { valid: ctx.configSnapshot().valid, path: ctx.configPath },
    memory: (({ rss, heapUsed }) => ({ rss, heapUsed }))(processMemory()),
  };
}

/** Channel lines for `status` (`<Label>: configured`, then one line per account). */
function channelLines(ctx: GatewayContext): string[] {
  const snap = ctx.channels.snapshot();
  const lines: string[] = [];
  for (const ch of snap.order) {
    const list = snap.accounts[ch]!;
    const label = ctx.channels.catalog.get(ch)?.label ?? ch;
    const configured = list.filter((a) => a.configured);
    lines.push(`${label}: ${!list.some((a) => a.enabled) ? "disabled" : configured.length ? "configured" : "not configured"}`);
    for (const a of configured) {
      const bits = [a.running ? (a.connected ? "connected" : "not connected") : "stopped"];
      if (a.botName) bits.push(`@${a.botName}`);
      if (a.tokenSource) bits.push(`token:${a.tokenSource}`);
      if (a.lastError) bits.push(`error: ${a.lastError}`);
      lines.push(`  - ${a.accountId} (${bits.join(", ")})`);
    }
  }
  return lines;
}

/**
 * The `status` payload: OpenClaw's summary (heartbeat, channel lines, queued system events,
 * sessions), then this gateway's process, config and agent state.
 */
export function statusSnapshot(ctx: GatewayContext) {
  const mem = processMemory();
  const snap = ctx.configSnapshot();
  const agentId = defaultAgentId(ctx);
  return {
    heartbeat: {
      defaultAgentId: agentId,
      agents: ctx.agents.agentIds().map((id) => {
        const h = heartbeatSummary(ctx, id);
        return { agentId: id, enabled: h.enabled, every: h.every, everyMs: h.everyMs };
      }),
    },
    channelSummary: channelLines(ctx),
    queuedSystemEvents: ctx.agents.systemEvents.peek(ctx.agents.resolveKey(undefined).key),
    sessions: ctx.agents.statusSessions(),
    ok: true,
    version: ctx.info.version,
    pid: ctx.info.pid,
    host: os.hostname(),
    platform: `${process.platform}-${process.arch}`,
    node: process.version,
    uptimeMs: ctx.now() - ctx.info.startedAt,
    gateway: {
      url: ctx.info.url,
      bind: ctx.info.bindMode,
      bindHost: ctx.info.bindHost,
      port: ctx.info.port,
      auth: ctx.info.authMode,
    },
    stateDir: ctx.stateDir,
    config: {
      path: ctx.configPath,
      exists: snap.exists,
      valid: snap.valid,
      hash: snap.hash,
      issues: snap.issues,
      warnings: snap.warnings,
    },
    memory: {
      rss: mem.rss,
      heapUsed: mem.heapUsed,
      heapTotal: mem.heapTotal,
      external: mem.external,
      heapSpaces: Object.fromEntries(
        v8
          .getHeapSpaceStatistics()
          .filter((s) => s.space_size > 0)
          .map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size }]),
      ),
    },
    clients: ctx.presence.list().filter((e) => e.reason !== "self").length,
    agents: ctx.agents.status(),
    plugins: ctx.plugins(),
    logFile: ctx.logs.currentFile(),
  };
}

const Empty = z.object({ probe: z.boolean().optional() }).strict().optional();

export const healthMethods = {
  health: defineMethod({
    scope: "operator.read",
    params: Empty,
    handler: async (p, ctx) => {
      const snap = p?.probe ? healthSnapshot(ctx, await ctx.channels.status(true)) : healthSnapshot(ctx);
      // Every fresh snapshot also goes to the clients that follow health, as OpenClaw's does.
      ctx.broadcast("health", snap);
      return snap;
    },
  }),
  status: defineMethod({
    scope: "operator.read",
    params: () => z.object({}).passthrough().optional(),
    handler: (_p, ctx) => statusSnapshot(ctx),
  }),
  "system-presence": defineMethod({
    scope: "operator.read",
    params: () => z.object({}).strict().optional(),
    handler: (_p, ctx) => ctx.presence.list(),
  }),
};
