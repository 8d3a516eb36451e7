/**
 * One WebSocket client, from challenge to close.
 *
 * The server speaks first (`connect.challenge` with a nonce). The first frame must be a `connect`
 * request no larger than 64 KiB; anything else closes the socket. `connect` is checked in order:
 * schema, protocol range, role, device signature (the Control UI must show a device), rate limit,
 * shared secret or device token, then the device's pairing (see `devices.ts`). Then `hello-ok`,
 * carrying the device's token when it has one, and requests are dispatched by method name with
 * their scope checked.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { WebSocket } from "ws";
import type * as z from "zod";
import { checkAuth, type AuthRateLimiter, type ResolvedAuth } from "./auth.js";
import { TwoPhaseReply, hasScope, type ClientInfo, type GatewayContext, type MethodTable } from "./context.js";
import {
  ConnectParamsSchema,
  ErrorCodes,
  HANDSHAKE_TIMEOUT_MS,
  MAX_BUFFERED_BYTES,
  MAX_PAYLOAD_BYTES,
  MAX_PRECONNECT_BYTES,
  MethodError,
  PROTOCOL_VERSION,
  RequestFrameSchema,
  ROLES,
  TICK_INTERVAL_MS,
  eventFrame,
  resFrame,
  type ConnectParams,
  type ErrorShape,
} from "./protocol/frames.js";
import {
  DEVICE_SIGNATURE_SKEW_MS,
  base64UrlEncode,
  buildDeviceAuthPayload,
  deviceIdFromPublicKey,
  rawPublicKey,
  verifyDeviceSignature,
} from "./protocol/device.js";
import { healthSnapshot, defaultAgentId } from "./methods/health.js";
import { samePublicKey, scopesAllow, type DeviceMetadata, type DeviceStore, type DeviceTokenEntry } from "./devices.js";
import { isLoopbackIp } from "./trust.js";
import { checkJsonShape } from "../infra/json-shape.js";
import { StorageError, isStorageFailure } from "../infra/faults.js";
import type { PresenceEntry } from "./presence.js";
import { stageClock, stageSince } from "../infra/stages.js";

export interface ConnectionDeps {
  ctx: GatewayContext;
  methods: MethodTable;
  events: readonly string[];
  auth: () => ResolvedAuth;
  limiter: AuthRateLimiter;
  isLocal: boolean;
  /**
   * From this machine (loopback address, loopback Host, nothing forwarded by a stranger), whatever
   * page it was opened from. Enough to pair a device that already passed auth automatically, as
   * OpenClaw does: a page served from another local port (a dev server) is still the owner's.
   */
  sameMachine: boolean;
  /** The client's address (see `trust.ts`); failed attempts are counted against it. */
  remoteAddress: string;
  devices: DeviceStore;
  /** The presence list for `hello-ok` (bounded). */
  presenceSnapshot: () => PresenceEntry[];
}

/** Nesting and size no request needs; such frames are dropped before parsing. */
const MAX_FRAME_DEPTH = 64;
const MAX_FRAME_CONTAINERS = 50_000;
const MAX_FRAME_VALUES = 100_000;

/** WebSocket close codes used here. */
const CLOSE_POLICY = 1008;
const CLOSE_TOO_BIG = 1009;
const CLOSE_PROTOCOL = 1002;

export class GatewayConnection {
  readonly connId = randomUUID();
  readonly nonce = randomBytes(16).toString("base64url");
  client: ClientInfo | null = null;
  private handshakeTimer: NodeJS.Timeout;

  constructor(
    readonly socket: WebSocket,
    private readonly deps: ConnectionDeps,
    /** Called once authenticated: `register` before `hello-ok` is built, `announce` right after it is sent. */
    private readonly hooks: { register(conn: GatewayConnection, params: ConnectParams): void; announce(conn: GatewayConnection): void },
  ) {
    this.send(eventFrame("connect.challenge", { nonce: this.nonce, ts: deps.ctx.now() }));
    this.handshakeTimer = setTimeout(() => this.close(CLOSE_POLICY, "handshake timeout"), HANDSHAKE_TIMEOUT_MS);
    this.handshakeTimer.unref();
    socket.on("message", (data, isBinary) =>
      this.onMessage(data as Buffer, isBinary).catch((e: unknown) => {
        // A bug or an exhausted resource in one request must not take the gateway down.
        deps.ctx.log.error(`connection ${this.connId} from ${deps.remoteAddress}: ${(e as Error)?.stack ?? e}`);
        if (!this.client) this.close(1011, "internal error");
      }),
    );
    socket.on("close", () => clearTimeout(this.handshakeTimer));
  }

  send(frame: unknown): void {
    this.sendText(JSON.stringify(frame));
  }

  /** Sends an already serialised frame (broadcasts serialise once for every client). */
  sendText(text: string): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.close(CLOSE_POLICY, "slow consumer");
      return;
    }
    this.corkForThisTick();
    this.socket.send(text);
  }

  /**
   * Frames sent in one go (a run's last events, a broadcast) leave in one write: the TCP socket under
   * the WebSocket is corked until the current operation is done. `ws` keeps it as `_socket`.
   */
  private corkForThisTick(): void {
    if (this.corked) return;
    const raw = (this.socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    if (typeof raw?.cork !== "function") return;
    raw.cork();
    this.corked = true;
    process.nextTick(() => {
      this.corked = false;
      raw.uncork();
    });
  }
  private corked = false;

  close(code: number, reason: string): void {
    clearTimeout(this.handshakeTimer);
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) this.socket.close(code, reason);
  }

  private async onMessage(data: Buffer, isBinary: boolean): Promise<void> {
    const receivedAt = stageClock();
    const log = this.deps.ctx.log;
    if (!this.client && data.length > MAX_PRECONNECT_BYTES) return this.close(CLOSE_TOO_BIG, "connect frame too large");
    let frame: unknown;
    try {
      if (isBinary) throw new Error("binary frame");
      const text = data.toString("utf8");
      // Deep nesting parses, but whatever walks it next (validation, logging) would overflow the stack.
      const shape = checkJsonShape(text, { maxDepth: MAX_FRAME_DEPTH, maxContainers: MAX_FRAME_CONTAINERS, maxValues: MAX_FRAME_VALUES });
      if (shape) throw new Error(shape.message);
      frame = JSON.parse(text);
    } catch {
      if (!this.client) return this.close(CLOSE_PROTOCOL, "invalid frame: expected JSON text");
      log.debug(`dropped unparseable frame from ${this.deps.remoteAddress}`);
      return;
    }
    const req = RequestFrameSchema.safeParse(frame);
    if (!req.success) {
      const id = typeof (frame as { id?: unknown })?.id === "string" ? (frame as { id: string }).id : undefined;
      if (!this.client) {
        if (id) this.send(resFrame(id, false, undefined, err(ErrorCodes.INVALID_REQUEST, "first frame must be a connect request")));
        return this.close(CLOSE_PROTOCOL, "first frame must be connect");
      }
      if (id) this.send(resFrame(id, false, undefined, err(ErrorCodes.INVALID_REQUEST, `invalid request frame: ${zodMessage(req.error)}`)));
      return;
    }
    const { id, method, params } = req.data;
    if (!this.client) {
      if (method !== "connect") {
        this.send(resFrame(id, false, undefined, err(ErrorCodes.INVALID_REQUEST, "first frame must be a connect request")));
        return this.close(CLOSE_PROTOCOL, "first frame must be connect");
      }
      return this.handleConnect(id, params);
    }
    if (method === "connect") {
      this.send(resFrame(id, false, undefined, err(ErrorCodes.INVALID_REQUEST, "already connected")));
      return;
    }
    await this.dispatch(id, method, params, receivedAt);
  }

  private refuse(id: string, code: string, message: string, extra: Partial<ErrorShape> = {}): void {
    this.deps.ctx.log.warn(`connect refused from ${this.deps.remoteAddress}: ${message}`);
    this.send(resFrame(id, false, undefined, { ...err(code, message), ...extra }));
    this.close(CLOSE_POLICY, message.slice(0, 120));
  }

  private handleConnect(id: string, rawParams: unknown): void {
    const { ctx, limiter, remoteAddress } = this.deps;
    const parsed = ConnectParamsSchema.safeParse(rawParams);
    if (!parsed.success) return this.refuse(id, ErrorCodes.INVALID_REQUEST, `invalid connect params: ${zodMessage(parsed.error)}`);
    const p = parsed.data;
    if (p.maxProtocol < PROTOCOL_VERSION || p.minProtocol > PROTOCOL_VERSION) {
      return this.refuse(
        id,
        ErrorCodes.INVALID_REQUEST,
        `protocol mismatch: server speaks ${PROTOCOL_VERSION}, client ${p.minProtocol}-${p.maxProtocol}`,
        {
          details: { expectedProtocol: PROTOCOL_VERSION },
        },
      );
    }
    const role = p.role ?? "operator";
    if (!(ROLES as readonly string[]).includes(role)) return this.refuse(id, ErrorCodes.INVALID_REQUEST, `invalid role "${role}"`);

    const auth = this.deps.auth();
    const requestedScopes = p.scopes ?? [];
    const scopes = p.scopes ?? (role === "operator" ? ["operator.read", "operator.write"] : []);
    const isLocal = this.deps.isLocal;

    // Device identity. Every client may show one; the Control UI must, unless the owner allowed
    // token-only sign-in for it (a browser on plain HTTP cannot sign: WebCrypto needs a secure page).
    const ui = ctx.config().gateway?.controlUi;
    const isControlUi = p.client.id === "openclaw-control-ui";
    const uiWithoutDevice = isControlUi && ui?.dangerouslyDisableDeviceAuth === true;
    const uiBypass = isControlUi && (ui?.allowInsecureAuth === true || uiWithoutDevice);
    const hasSharedAuth = Boolean(p.auth?.token || p.auth?.password);
    const d = uiWithoutDevice ? undefined : p.device;
    if (!d && isControlUi && !uiBypass && !(auth.mode === "none" && isLocal))
      return this.refuse(
        id,
        ErrorCodes.INVALID_REQUEST,
        "control ui requires HTTPS or localhost (secure context): open it over HTTPS or at http://127.0.0.1, or set gateway.controlUi.allowInsecureAuth to sign in with the token alone",
      );
    let publicKey: string | null = null;
    if (d) {
      const raw = rawPublicKey(d.publicKey);
      if (!raw) return this.refuse(id, ErrorCodes.INVALID_REQUEST, "device public key invalid");
      if (deviceIdFromPublicKey(raw) !== d.id) return this.refuse(id, ErrorCodes.INVALID_REQUEST, "device identity mismatch");
      if (Math.abs(ctx.now() - d.signedAt) > DEVICE_SIGNATURE_SKEW_MS)
        return this.refuse(id, ErrorCodes.INVALID_REQUEST, "device signature expired");
      if (!d.nonce && !isLocal) return this.refuse(id, ErrorCodes.INVALID_REQUEST, "device nonce required");
      if (d.nonce && d.nonce !== this.nonce) return this.refuse(id, ErrorCodes.INVALID_REQUEST, "device nonce mismatch");
      // Signed as the client sent them: its own spelling of the client id, the scopes it asked for.
      const payload = buildDeviceAuthPayload({
        deviceId: d.id,
        clientId: rawClientId(rawParams) ?? p.client.id,
        clientMode: p.client.mode,
        role,
        scopes: requestedScopes,
        signedAtMs: d.signedAt,
        token: p.auth?.token ?? null,
        nonce: d.nonce,
      });
      if (!verifyDeviceSignature(raw, payload, d.signature)) {
        limiter.fail(remoteAddress);
        return this.refuse(id, ErrorCodes.INVALID_REQUEST, "device signature invalid");
      }
      publicKey = base64UrlEncode(raw);
    }

    // A paired device may sign in with its own token instead of the shared one.
    const token = p.auth?.token;
    const deviceToken = Boolean(d && token && this.deps.devices.verifyToken(d.id, token, role, scopes).ok);

    // A locked-out address may not keep guessing the shared secret; the owner's paired device (its
    // token with a signature over this connection's nonce) still gets in, so strangers behind the
    // same address (a NAT, a proxy) cannot lock the owner out.
    const wait = limiter.retryAfter(remoteAddress);
    if (wait > 0 && !(deviceToken && d?.nonce))
      return this.refuse(id, ErrorCodes.RATE_LIMITED, "too many failed auth attempts; try again later", {
        retryable: true,
        retryAfterMs: wait,
      });

    const result = deviceToken ? { ok: true as const } : checkAuth(auth, p.auth);
    if (!result.ok) {
      limiter.fail(remoteAddress);
      const what = auth.mode === "password" ? "password" : "token";
      const hint = auth.mode === "password" ? "OPENCLAW_GATEWAY_PASSWORD" : "OPENCLAW_GATEWAY_TOKEN";
      return this.refuse(
        id,
        ErrorCodes.UNAUTHORIZED,
        result.reason === "missing"
          ? `unauthorized: gateway ${what} missing (set ${hint} or pass --${what})`
          : `unauthorized: gateway ${what} mismatch`,
      );
    }
    if (!deviceToken && auth.mode === "none" && !isLocal) {
      // Unreachable with a safe bind, but never let an unauthenticated stranger in.
      return this.refuse(id, ErrorCodes.UNAUTHORIZED, "unauthorized: remote clients need a gateway token");
    }
    limiter.succeed(remoteAddress);

    let issued: DeviceTokenEntry | null = null;
    if (d && publicKey) {
      try {
        const pairing = uiBypass && hasSharedAuth ? "skipped" : this.checkPairing(id, d.id, publicKey, p, role, scopes);
        if (pairing === "refused") return;
        issued = this.deps.devices.connected(
          d.id,
          {
            role,
            scopes,
            usedToken: deviceToken,
            ...(pairing === "paired" ? { metadata: this.deviceMetadata(p, role, scopes) } : {}),
          },
          (e) => ctx.log.warn(`device ${shortId(d.id)}: not recording this connection: ${(e as Error).message}`),
        );
      } catch (e) {
        if (!isStorageFailure(e)) throw e;
        return this.refuse(id, ErrorCodes.UNAVAILABLE, storageMessage(e), { retryable: true });
      }
    }

    clearTimeout(this.handshakeTimer);
    this.client = {
      connId: this.connId,
      role,
      scopes,
      clientId: p.client.id,
      clientMode: p.client.mode,
      remoteAddress,
      ...(d ? { deviceId: d.id } : {}),
    };
    this.hooks.register(this, p);
    this.send(
      resFrame(
        id,
        true,
        this.helloOk(
          issued
            ? { deviceToken: issued.token, role: issued.role, scopes: issued.scopes, issuedAtMs: issued.rotatedAtMs ?? issued.createdAtMs }
            : undefined,
        ),
      ),
    );
    this.hooks.announce(this);
  }

  /**
   * Is this device paired for the role and scopes it asks for? A local client's request is approved
   * at once; anyone else gets `NOT_PAIRED` with the request id to approve, and the owner's clients
   * hear `device.pair.requested`. Returns "paired" (it already was), "approved" (just now), or
   * "refused" (the answer has been sent).
   */
  private checkPairing(
    id: string,
    deviceId: string,
    publicKey: string,
    p: ConnectParams,
    role: string,
    scopes: string[],
  ): "paired" | "approved" | "refused" {
    const { ctx, devices, sameMachine } = this.deps;
    const paired = devices.get(deviceId);
    let reason: string | null = null;
    if (!paired || !samePublicKey(paired.publicKey, publicKey)) reason = "not-paired";
    else {
      const roles = Array.isArray(paired.roles) ? paired.roles : paired.role ? [paired.role] : [];
      if (!roles.includes(role)) reason = "role-upgrade";
      else if (scopes.length > 0 && !scopesAllow(scopes, Array.isArray(paired.scopes) ? paired.scopes : [])) reason = "scope-upgrade";
    }
    if (!reason) return "paired";

    const { request, created } = devices.request({ deviceId, publicKey, ...this.deviceMetadata(p, role, scopes), silent: sameMachine });
    if (sameMachine) {
      const approved = devices.approve(request.requestId);
      if (approved) {
        ctx.log.info(
          `device ${shortId(deviceId)} (${p.client.displayName ?? p.client.id}) paired automatically as ${role}: it connects from this machine`,
        );
        ctx.broadcast("device.pair.resolved", { requestId: request.requestId, deviceId, decision: "approved", ts: ctx.now() });
        return "approved";
      }
    } else if (created) {
      ctx.broadcast("device.pair.requested", request);
      ctx.log.info(
        `device ${shortId(deviceId)} (${p.client.displayName ?? p.client.id}) from ${this.deps.remoteAddress} asks to pair as ${role} (${reason}); approve it with \`openclaw devices approve ${request.requestId}\``,
      );
    }
    this.refuse(id, ErrorCodes.NOT_PAIRED, "pairing required", { details: { requestId: request.requestId } });
    return "refused";
  }

  /** What the client says about itself, for its pairing request and record. */
  private deviceMetadata(p: ConnectParams, role: string, scopes: string[]): DeviceMetadata {
    const addr = this.deps.remoteAddress;
    return {
      displayName: p.client.displayName,
      platform: p.client.platform,
      clientId: p.client.id,
      clientMode: p.client.mode,
      role,
      scopes,
      remoteIp: this.deps.isLocal || isLoopbackIp(addr) ? undefined : addr,
    };
  }

  private helloOk(auth?: { deviceToken: string; role: string; scopes: string[]; issuedAtMs: number }) {
    const { ctx, methods, events } = this.deps;
    const agentId = defaultAgentId(ctx);
    return {
      type: "hello-ok",
      protocol: PROTOCOL_VERSION,
      server: { version: ctx.info.version, host: ctx.info.host, connId: this.connId },
      features: { methods: Object.keys(methods), events: [...events] },
      snapshot: {
        presence: this.deps.presenceSnapshot(),
        health: healthSnapshot(ctx),
        stateVersion: { presence: ctx.presence.version, health: 0 },
        uptimeMs: Math.max(0, ctx.now() - ctx.info.startedAt),
        configPath: ctx.configPath,
        stateDir: ctx.stateDir,
        sessionDefaults: { defaultAgentId: agentId, mainKey: "main", mainSessionKey: `agent:${agentId}:main`, scope: "per-sender" },
      },
      ...(auth ? { auth } : {}),
      policy: { maxPayload: MAX_PAYLOAD_BYTES, maxBufferedBytes: MAX_BUFFERED_BYTES, tickIntervalMs: TICK_INTERVAL_MS },
    };
  }

  private async dispatch(id: string, method: string, rawParams: unknown, receivedAt = 0): Promise<void> {
    const { ctx, methods } = this.deps;
    const client = this.client!;
    const spec = Object.hasOwn(methods, method) ? methods[method] : undefined;
    if (!spec) return this.send(resFrame(id, false, undefined, err(ErrorCodes.INVALID_REQUEST, `unknown method: ${method}`)));
    if (client.role !== "operator" || !hasScope(client.scopes, spec.scope)) {
      return this.send(resFrame(id, false, undefined, err(ErrorCodes.FORBIDDEN, `${method} requires scope ${spec.scope}`)));
    }
    let params = rawParams;
    if (spec.params) {
      const r = spec.params.safeParse(rawParams);
      if (!r.success)
        return this.send(
          resFrame(id, false, undefined, err(ErrorCodes.INVALID_REQUEST, `invalid ${method} params: ${zodMessage(r.error)}`)),
        );
      params = r.data;
    }
    const started = ctx.now();
    stageSince("intake", receivedAt);
    try {
      const payload = await spec.handler(params, ctx, client);
      if (payload instanceof TwoPhaseReply) {
        this.send(resFrame(id, true, payload.ack));
        void payload.final.then(
          (f) => this.send(resFrame(id, f.ok, f.payload, f.error)),
          (e: Error) => this.send(resFrame(id, false, undefined, err(ErrorCodes.INTERNAL, e.message))),
        );
      } else this.send(resFrame(id, true, payload ?? {}));
    } catch (e) {
      const shape =
        e instanceof MethodError
          ? e.toShape()
          : isStorageFailure(e)
            ? err(ErrorCodes.UNAVAILABLE, storageMessage(e))
            : err(ErrorCodes.INTERNAL, (e as Error)?.message || String(e));
      if (isStorageFailure(e)) ctx.log.error(`${method}: ${shape.message}`);
      else if (!(e instanceof MethodError)) ctx.log.error(`${method} failed: ${(e as Error)?.stack ?? e}`);
      this.send(resFrame(id, false, undefined, shape));
    } finally {
      const ms = ctx.now() - started;
      if (ms >= 50) ctx.log.debug(`${method} took ${ms}ms`);
    }
  }
}

function err(code: string, message: string): ErrorShape {
  return { code, message };
}

export function zodMessage(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map(
      (i) =>
        `${i.path.length ? i.path.join(".") : "<root>"}: ${i.code === "unrecognized_keys" ? `unknown key ${i.keys.join(", ")}` : i.message}`,
    )
    .join("; ");
}

/** The client id exactly as sent (the schema normalises it; the signature covers the original). */
function rawClientId(params: unknown): string | undefined {
  const id = (params as { client?: { id?: unknown } } | null)?.client?.id;
  return typeof id === "string" ? id : undefined;
}

function shortId(deviceId: string): string {
  return `${deviceId.slice(0, 12)}…`;
}

function storageMessage(e: unknown): string {
  return (e instanceof StorageError ? e : new StorageError((e as NodeJS.ErrnoException).path ?? "the state directory", e)).message;
}
