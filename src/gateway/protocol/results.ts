/**
 * What the gateway sends back, as the 2026.1.29 runtime defines it (its TypeBox schemas where it has
 * them, the shape its clients read where it does not). Objects are loose where the runtime's are or
 * where this gateway adds fields beside the original's; tests check our frames against these.
 */
import * as z from "zod";

const nonEmpty = z.string().min(1);
const int = z.number().int().min(0);
const nullableInt = z.union([int, z.null()]);

export const PresenceEntrySchema = z.strictObject({
  host: nonEmpty.optional(),
  ip: nonEmpty.optional(),
  version: nonEmpty.optional(),
  platform: nonEmpty.optional(),
  deviceFamily: nonEmpty.optional(),
  modelIdentifier: nonEmpty.optional(),
  mode: nonEmpty.optional(),
  lastInputSeconds: int.optional(),
  reason: nonEmpty.optional(),
  tags: z.array(nonEmpty).optional(),
  text: z.string().optional(),
  ts: int,
  deviceId: nonEmpty.optional(),
  roles: z.array(nonEmpty).optional(),
  scopes: z.array(nonEmpty).optional(),
  instanceId: nonEmpty.optional(),
});

const SessionSummarySchema = z.looseObject({
  path: nonEmpty,
  count: int,
  recent: z.array(z.looseObject({ key: nonEmpty, updatedAt: nullableInt, age: nullableInt })),
});

const HeartbeatSummarySchema = z.looseObject({
  enabled: z.boolean(),
  every: nonEmpty,
  everyMs: nullableInt,
  prompt: z.string(),
  target: nonEmpty,
  ackMaxChars: int,
});

/** `health` (what `openclaw health` and the apps read). */
export const HealthSnapshotSchema = z.looseObject({
  ok: z.boolean(),
  ts: int,
  durationMs: int,
  channels: z.record(nonEmpty, z.looseObject({ accounts: z.record(nonEmpty, z.looseObject({ accountId: nonEmpty })) })),
  channelOrder: z.array(nonEmpty),
  channelLabels: z.record(nonEmpty, nonEmpty),
  heartbeatSeconds: int,
  defaultAgentId: nonEmpty,
  agents: z.array(
    z.looseObject({
      agentId: nonEmpty,
      name: nonEmpty.optional(),
      isDefault: z.boolean(),
      heartbeat: HeartbeatSummarySchema,
      sessions: SessionSummarySchema,
    }),
  ),
  sessions: SessionSummarySchema,
});

export const SnapshotSchema = z.strictObject({
  presence: z.array(PresenceEntrySchema),
  health: z.unknown(),
  stateVersion: z.strictObject({ presence: int, health: int }),
  uptimeMs: int,
  configPath: nonEmpty.optional(),
  stateDir: nonEmpty.optional(),
  sessionDefaults: z
    .strictObject({ defaultAgentId: nonEmpty, mainKey: nonEmpty, mainSessionKey: nonEmpty, scope: nonEmpty.optional() })
    .optional(),
});

export const HelloOkSchema = z.strictObject({
  type: z.literal("hello-ok"),
  protocol: z.number().int().min(1),
  server: z.strictObject({ version: nonEmpty, commit: nonEmpty.optional(), host: nonEmpty.optional(), connId: nonEmpty }),
  features: z.strictObject({ methods: z.array(nonEmpty), events: z.array(nonEmpty) }),
  snapshot: SnapshotSchema,
  canvasHostUrl: nonEmpty.optional(),
  auth: z.strictObject({ deviceToken: nonEmpty, role: nonEmpty, scopes: z.array(nonEmpty), issuedAtMs: int.optional() }).optional(),
  policy: z.strictObject({
    maxPayload: z.number().int().min(1),
    maxBufferedBytes: z.number().int().min(1),
    tickIntervalMs: z.number().int().min(1),
  }),
});

export const ChatEventSchema = z.strictObject({
  runId: nonEmpty,
  sessionKey: nonEmpty,
  seq: int,
  state: z.enum(["delta", "final", "aborted", "error"]),
  message: z.unknown().optional(),
  errorMessage: z.string().optional(),
  usage: z.unknown().optional(),
  stopReason: z.string().optional(),
});

export const AgentEventSchema = z.strictObject({
  runId: nonEmpty,
  seq: int,
  stream: nonEmpty,
  ts: int,
  data: z.record(z.string(), z.unknown()),
});

export const LogsTailResultSchema = z.strictObject({
  file: nonEmpty,
  cursor: int,
  size: int,
  lines: z.array(z.string()),
  truncated: z.boolean().optional(),
  reset: z.boolean().optional(),
});

const ChannelAccountSnapshotSchema = z.looseObject({
  accountId: nonEmpty,
  name: z.string().optional(),
  enabled: z.boolean().optional(),
  configured: z.boolean().optional(),
  running: z.boolean().optional(),
  connected: z.boolean().optional(),
  reconnectAttempts: int.optional(),
  lastConnectedAt: int.optional(),
  lastError: z.string().optional(),
  lastStartAt: int.optional(),
  lastStopAt: int.optional(),
  lastInboundAt: int.optional(),
  lastOutboundAt: int.optional(),
  lastProbeAt: int.optional(),
  mode: z.string().optional(),
  dmPolicy: z.string().optional(),
  tokenSource: z.string().optional(),
  baseUrl: z.string().optional(),
});

export const ChannelsStatusResultSchema = z.strictObject({
  ts: int,
  channelOrder: z.array(nonEmpty),
  channelLabels: z.record(nonEmpty, nonEmpty),
  channelDetailLabels: z.record(nonEmpty, nonEmpty).optional(),
  channelSystemImages: z.record(nonEmpty, nonEmpty).optional(),
  channelMeta: z
    .array(z.strictObject({ id: nonEmpty, label: nonEmpty, detailLabel: nonEmpty, systemImage: z.string().optional() }))
    .optional(),
  channels: z.record(nonEmpty, z.unknown()),
  channelAccounts: z.record(nonEmpty, z.array(ChannelAccountSnapshotSchema)),
  channelDefaultAccountId: z.record(nonEmpty, nonEmpty),
});

/** The runtime's `ModelChoice`, plus `input` (its catalog sends it) and this gateway's `ref`/`configured`. */
export const ModelsListResultSchema = z.strictObject({
  models: z.array(
    z.looseObject({
      id: nonEmpty,
      name: nonEmpty,
      provider: nonEmpty,
      contextWindow: z.number().int().min(1).optional(),
      reasoning: z.boolean().optional(),
      input: z.array(z.enum(["text", "image"])),
    }),
  ),
});

export const AgentsListResultSchema = z.strictObject({
  defaultId: nonEmpty,
  mainKey: nonEmpty,
  scope: z.enum(["per-sender", "global"]),
  agents: z.array(
    z.strictObject({
      id: nonEmpty,
      name: nonEmpty.optional(),
      identity: z
        .strictObject({
          name: nonEmpty.optional(),
          theme: nonEmpty.optional(),
          emoji: nonEmpty.optional(),
          avatar: nonEmpty.optional(),
          avatarUrl: nonEmpty.optional(),
        })
        .optional(),
    }),
  ),
});

/** `sessions.list` as the original's listing builds it. */
export const SessionsListResultSchema = z.looseObject({
  ts: int,
  path: nonEmpty,
  count: int,
  defaults: z.strictObject({
    modelProvider: z.union([nonEmpty, z.null()]),
    model: z.union([nonEmpty, z.null()]),
    contextTokens: nullableInt,
  }),
  sessions: z.array(
    z.looseObject({
      key: nonEmpty,
      kind: z.enum(["global", "unknown", "group", "direct"]),
      updatedAt: nullableInt,
      sessionId: nonEmpty.optional(),
      totalTokens: int,
      inputTokens: int.optional(),
      outputTokens: int.optional(),
      model: nonEmpty.optional(),
      modelProvider: nonEmpty.optional(),
      contextTokens: int.optional(),
    }),
  ),
});

export const SessionsPreviewResultSchema = z.strictObject({
  ts: int,
  previews: z.array(
    z.strictObject({
      key: nonEmpty,
      status: z.enum(["ok", "empty", "missing", "error"]),
      items: z.array(z.strictObject({ role: z.enum(["user", "assistant", "system", "tool", "other"]), text: z.string() })),
    }),
  ),
});

/** The second `agent` response (what `openclaw agent` prints from). */
export const AgentFinalSchema = z.looseObject({
  runId: nonEmpty,
  status: z.enum(["ok", "error", "aborted"]),
  summary: z.string(),
  result: z.looseObject({
    payloads: z.array(z.looseObject({ text: z.string(), mediaUrl: z.union([z.string(), z.null()]) })),
    meta: z.looseObject({
      durationMs: int,
      agentMeta: z.looseObject({ sessionId: nonEmpty.optional(), provider: nonEmpty.optional(), model: nonEmpty.optional() }),
      aborted: z.boolean(),
    }),
  }),
});

/** `status` (what `openclaw status` reads from the gateway). */
export const StatusSummarySchema = z.looseObject({
  heartbeat: z.strictObject({
    defaultAgentId: nonEmpty,
    agents: z.array(z.strictObject({ agentId: nonEmpty, enabled: z.boolean(), every: nonEmpty, everyMs: nullableInt })),
  }),
  channelSummary: z.array(z.string()),
  queuedSystemEvents: z.array(z.string()),
  sessions: z.looseObject({
    paths: z.array(nonEmpty),
    count: int,
    defaults: z.strictObject({ model: z.union([nonEmpty, z.null()]), contextTokens: nullableInt }),
    recent: z.array(z.looseObject({ key: nonEmpty, kind: nonEmpty, flags: z.array(z.string()) })),
    byAgent: z.array(z.looseObject({ agentId: nonEmpty, path: nonEmpty, count: int, recent: z.array(z.unknown()) })),
  }),
});
