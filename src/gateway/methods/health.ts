/** `health` and `status`: cheap snapshots of the running gateway. */
import os from "node:os";
import v8 from "node:v8";
import * as z from "zod";
import { defineMethod, type GatewayContext } from "../context.js";

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

export function healthSnapshot(ctx: GatewayContext) {
  const start = ctx.now();
  const agentId = defaultAgentId(ctx);
  return {
    ok: true,
    ts: ctx.now(),
    durationMs: ctx.now() - start,
    uptimeMs: ctx.now() - ctx.info.startedAt,
    version: ctx.info.version,
    channels: {},
    channelOrder: [] as string[],
    channelLabels: {},
    heartbeatSeconds: 0,
    defaultAgentId: agentId,
    agents: (ctx.config().agents?.list ?? [{ id: agentId }]).map((a) => ({ agentId: a.id, isDefault: a.id === agentId })),
    config: { valid: ctx.configSnapshot().valid, path: ctx.configPath },
    memory: (({ rss, heapUsed }) => ({ rss, heapUsed }))(processMemory()),
  };
}

export function statusSnapshot(ctx: GatewayContext) {
  const mem = processMemory();
  const snap = ctx.configSnapshot();
  return {
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
    clients: ctx.presence.list().length,
    agents: ctx.agents.status(),
    logFile: ctx.logs.currentFile(),
  };
}

const Empty = z.object({ probe: z.boolean().optional() }).strict().optional();

export const healthMethods = {
  health: defineMethod({ scope: "operator.read", params: Empty, handler: (_p, ctx) => healthSnapshot(ctx) }),
  status: defineMethod({
    scope: "operator.read",
    params: z.object({}).passthrough().optional(),
    handler: (_p, ctx) => statusSnapshot(ctx),
  }),
  "system-presence": defineMethod({
    scope: "operator.read",
    params: z.object({}).strict().optional(),
    handler: (_p, ctx) => ctx.presence.list(),
  }),
};
