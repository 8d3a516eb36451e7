/**
 * Gateway protocol v3 on the wire: frames, the connect handshake and error codes. Each schema here
 * mirrors the published v3 contract; every frame a client sends is validated against one of them.
 */
import * as z from "zod";

export const PROTOCOL_VERSION = 3;
/** Largest frame accepted before `connect` succeeds. */
export const MAX_PRECONNECT_BYTES = 64 * 1024;
/** Largest frame accepted after `connect` (announced in `hello-ok.policy`). */
export const MAX_PAYLOAD_BYTES = 512 * 1024;
/** Send buffer per connection before a slow client is dropped. */
export const MAX_BUFFERED_BYTES = 1.5 * 1024 * 1024;
export const TICK_INTERVAL_MS = 15_000;
export const HANDSHAKE_TIMEOUT_MS = 10_000;

export const ErrorCodes = {
  INVALID_REQUEST: "INVALID_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  RATE_LIMITED: "RATE_LIMITED",
  NOT_PAIRED: "NOT_PAIRED",
  UNAVAILABLE: "UNAVAILABLE",
  INTERNAL: "INTERNAL",
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface ErrorShape {
  code: string;
  message: string;
  details?: unknown;
  retryable?: boolean;
  retryAfterMs?: number;
}

/** An error a method handler throws to answer `{ok:false, error}` with a specific code. */
export class MethodError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "MethodError";
  }
  toShape(): ErrorShape {
    return {
      code: this.code,
      message: this.message,
      ...(this.details !== undefined ? { details: this.details } : {}),
      ...(this.retryAfterMs !== undefined ? { retryable: true, retryAfterMs: this.retryAfterMs } : {}),
    };
  }
}

// Built on first use (the first frame), not when the gateway starts.
const nonEmpty = () => z.string().min(1);

export const RequestFrameSchema = z.lazy(() =>
  z.strictObject({
    type: z.literal("req"),
    id: nonEmpty(),
    method: nonEmpty(),
    params: z.unknown().optional(),
  }),
);
export type RequestFrame = z.infer<typeof RequestFrameSchema>;

/** Client ids the 2026.1.29 runtime accepts (`dist/gateway/protocol/client-info.js`). */
export const CLIENT_IDS = [
  "webchat-ui",
  "openclaw-control-ui",
  "webchat",
  "cli",
  "gateway-client",
  "openclaw-macos",
  "openclaw-ios",
  "openclaw-android",
  "node-host",
  "test",
  "fingerprint",
  "openclaw-probe",
] as const;
/** Ids from the published schema that older clients still send; accepted and reported as the new id. */
export const LEGACY_CLIENT_IDS: Record<string, (typeof CLIENT_IDS)[number]> = {
  "clawdbot-control-ui": "openclaw-control-ui",
  "clawdbot-macos": "openclaw-macos",
  "clawdbot-probe": "openclaw-probe",
};

/** A client id as the runtime normalizes it (trimmed, lower-case), legacy names mapped to current ones. */
const clientIdSchema = () =>
  z.string().transform((raw, ctx) => {
    const id = raw.trim().toLowerCase();
    const known = (CLIENT_IDS as readonly string[]).includes(id) ? (id as (typeof CLIENT_IDS)[number]) : LEGACY_CLIENT_IDS[id];
    if (!known) {
      ctx.addIssue({ code: "custom", message: `unknown client id (expected one of ${CLIENT_IDS.join(", ")})` });
      return z.NEVER;
    }
    return known;
  });
export const CLIENT_MODES = ["webchat", "cli", "ui", "backend", "node", "probe", "test"] as const;

export const ConnectParamsSchema = z.lazy(() =>
  z.strictObject({
    minProtocol: z.number().int().min(1),
    maxProtocol: z.number().int().min(1),
    client: z.strictObject({
      id: clientIdSchema(),
      displayName: nonEmpty().optional(),
      version: nonEmpty(),
      platform: nonEmpty(),
      deviceFamily: nonEmpty().optional(),
      modelIdentifier: nonEmpty().optional(),
      mode: z.enum(CLIENT_MODES),
      instanceId: nonEmpty().optional(),
    }),
    caps: z.array(nonEmpty()).optional(),
    commands: z.array(nonEmpty()).optional(),
    permissions: z.record(z.string(), z.boolean()).optional(),
    pathEnv: z.string().optional(),
    role: nonEmpty().optional(),
    scopes: z.array(nonEmpty()).optional(),
    device: z
      .strictObject({
        id: nonEmpty(),
        publicKey: nonEmpty(),
        signature: nonEmpty(),
        signedAt: z.number().int().min(0),
        nonce: nonEmpty().optional(),
      })
      .optional(),
    auth: z.strictObject({ token: z.string().optional(), password: z.string().optional() }).optional(),
    locale: z.string().optional(),
    userAgent: z.string().optional(),
  }),
);
export type ConnectParams = z.infer<typeof ConnectParamsSchema>;

export const ROLES = ["operator", "node"] as const;
export const OPERATOR_SCOPES = ["operator.read", "operator.write", "operator.admin", "operator.approvals", "operator.pairing"] as const;

export function reqFrame(id: string, method: string, params?: unknown) {
  return { type: "req" as const, id, method, ...(params !== undefined ? { params } : {}) };
}
export function resFrame(id: string, ok: boolean, payload?: unknown, error?: ErrorShape) {
  return { type: "res" as const, id, ok, ...(payload !== undefined ? { payload } : {}), ...(error ? { error } : {}) };
}
export function eventFrame(event: string, payload?: unknown, seq?: number) {
  return { type: "event" as const, event, ...(payload !== undefined ? { payload } : {}), ...(seq !== undefined ? { seq } : {}) };
}
