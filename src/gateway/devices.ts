/**
 * Device pairing, in OpenClaw's files under `$OPENCLAW_STATE_DIR/devices/`:
 *
 * - `pending.json`: request id → `{requestId, deviceId, publicKey, displayName, platform, clientId,
 *   clientMode, role, roles, scopes, remoteIp, silent, isRepair, ts}`. A request lives 5 minutes.
 * - `paired.json`: device id → `{deviceId, publicKey, displayName, platform, clientId, clientMode,
 *   role, roles, scopes, remoteIp, tokens: {<role>: {token, role, scopes, createdAtMs, rotatedAtMs?,
 *   revokedAtMs?, lastUsedAtMs?}}, createdAtMs, approvedAtMs}`.
 *
 * A device is an Ed25519 key pair on the client (see `protocol/device.ts`). The first time it
 * connects, a pending request is stored; the owner approves it (`openclaw devices approve`, the
 * Control UI) and the device gets a per-role device token, a secret it can present instead of the
 * gateway's shared token from then on.
 *
 * Every write is atomic (temp file, fsync, rename). A `paired.json` that cannot be parsed is never
 * overwritten: the owner's pairings are worth more than a new one, so writes fail with a message that
 * says which file to fix.
 */
import path from "node:path";
import { randomUUID } from "node:crypto";
import { writeFileAtomicSync } from "../infra/atomic.js";
import { StorageError } from "../infra/faults.js";
import { safeEqualSecret } from "./auth.js";
import { base64UrlEncode, rawPublicKey } from "./protocol/device.js";
import { byCodeUnits } from "../infra/compare.js";
import { FileTooLargeError, NotRegularFileError, readStateFileSync } from "../infra/read-bounded.js";

/** How long a pairing request waits for the owner. */
export const PENDING_TTL_MS = 5 * 60 * 1000;

export interface DeviceTokenEntry {
  token: string;
  role: string;
  scopes: string[];
  createdAtMs: number;
  rotatedAtMs?: number;
  revokedAtMs?: number;
  lastUsedAtMs?: number;
}

/** What a client says about itself when it connects (kept on its request and its pairing). */
export interface DeviceMetadata {
  displayName?: string;
  platform?: string;
  clientId?: string;
  clientMode?: string;
  role?: string;
  scopes?: string[];
  remoteIp?: string;
}

export interface PendingRequest extends DeviceMetadata {
  requestId: string;
  deviceId: string;
  publicKey: string;
  roles?: string[];
  /** A local client's request, approved as soon as it is made. */
  silent?: boolean;
  /** The device was paired before (it now asks for another role or more scopes). */
  isRepair?: boolean;
  ts: number;
}

export interface PairedDevice extends DeviceMetadata {
  deviceId: string;
  publicKey: string;
  roles?: string[];
  tokens?: Record<string, DeviceTokenEntry>;
  createdAtMs: number;
  approvedAtMs: number;
}

/** A paired device as methods show it: token secrets replaced by a summary per role. */
export type PairedDeviceView = Omit<PairedDevice, "tokens"> & { tokens?: Array<Omit<DeviceTokenEntry, "token">> };

export type DeviceTokenCheck = { ok: true } | { ok: false; reason: string };

interface State {
  pending: Record<string, PendingRequest>;
  paired: Record<string, PairedDevice>;
  /** `paired.json` exists but is not a JSON object: reads see no devices, writes are refused. */
  pairedUnreadable: string | null;
}

export class DeviceStore {
  constructor(
    private readonly stateDir: string,
    private readonly now: () => number = Date.now,
  ) {}

  get dir(): string {
    return path.join(this.stateDir, "devices");
  }
  get pendingFile(): string {
    return path.join(this.dir, "pending.json");
  }
  get pairedFile(): string {
    return path.join(this.dir, "paired.json");
  }

  private load(): State {
    const pending = readObject(this.pendingFile);
    const paired = readObject(this.pairedFile);
    const state: State = {
      pending: (pending.value ?? {}) as Record<string, PendingRequest>,
      paired: (paired.value ?? {}) as Record<string, PairedDevice>,
      pairedUnreadable: paired.error,
    };
    const now = this.now();
    for (const [id, req] of Object.entries(state.pending)) {
      if (!req || typeof req !== "object" || typeof req.ts !== "number" || now - req.ts > PENDING_TTL_MS) delete state.pending[id];
    }
    return state;
  }

  private save(state: State, which: { pending?: boolean; paired?: boolean }): void {
    // The pairing lands first: a crash between the two writes leaves a stale request, never a lost device.
    if (which.paired) {
      if (state.pairedUnreadable) throw new StorageError(this.pairedFile, new Error(state.pairedUnreadable), "update");
      write(this.pairedFile, state.paired);
    }
    if (which.pending) write(this.pendingFile, state.pending);
  }

  /** Pending requests (newest first) and paired devices (most recently approved first). */
  list(): { pending: PendingRequest[]; paired: PairedDevice[] } {
    const s = this.load();
    return {
      pending: Object.values(s.pending).sort((a, b) => b.ts - a.ts),
      paired: Object.values(s.paired)
        .filter(isDevice)
        .sort((a, b) => (b.approvedAtMs ?? 0) - (a.approvedAtMs ?? 0)),
    };
  }

  get(deviceId: string): PairedDevice | null {
    const d = this.load().paired[deviceId.trim()];
    return isDevice(d) ? d : null;
  }

  /**
   * A pairing request for this device: the one already waiting (a device has at most one), or a new
   * one. `silent` requests (local clients) are approved by the caller at once.
   */
  request(input: DeviceMetadata & { deviceId: string; publicKey: string; silent: boolean }): { request: PendingRequest; created: boolean } {
    const s = this.load();
    const deviceId = input.deviceId.trim();
    const existing = Object.values(s.pending).find((p) => p.deviceId === deviceId);
    if (existing) {
      if (!input.silent) return { request: existing, created: false };
      // The owner, on this machine, with a device a remote attempt already asked for: approve what
      // this connection needs too.
      const merged: PendingRequest = {
        ...existing,
        role: input.role ?? existing.role,
        roles: mergeRoles(existing.roles, existing.role, input.role),
        scopes: mergeScopes(existing.scopes, input.scopes),
        silent: true,
      };
      s.pending[existing.requestId] = merged;
      this.save(s, { pending: true });
      return { request: merged, created: false };
    }
    const request: PendingRequest = {
      requestId: randomUUID(),
      deviceId,
      publicKey: input.publicKey,
      displayName: input.displayName,
      platform: input.platform,
      clientId: input.clientId,
      clientMode: input.clientMode,
      role: input.role,
      roles: input.role ? [input.role] : undefined,
      scopes: input.scopes,
      remoteIp: input.remoteIp,
      silent: input.silent,
      isRepair: isDevice(s.paired[deviceId]),
      ts: this.now(),
    };
    s.pending[request.requestId] = request;
    this.save(s, { pending: true });
    return { request, created: true };
  }

  /** Pairs the request's device (roles and scopes add to any earlier pairing) with a fresh token for its role. */
  approve(requestId: string): { requestId: string; device: PairedDevice } | null {
    const s = this.load();
    const req = s.pending[requestId];
    if (!req) return null;
    const now = this.now();
    const existing = isDevice(s.paired[req.deviceId]) ? s.paired[req.deviceId] : undefined;
    const tokens = { ...(existing?.tokens ?? {}) };
    const role = req.role?.trim();
    if (role) {
      const prev = tokens[role];
      tokens[role] = {
        token: newToken(),
        role,
        scopes: normalizeScopes(req.scopes),
        createdAtMs: prev?.createdAtMs ?? now,
        rotatedAtMs: prev ? now : undefined,
        revokedAtMs: undefined,
        lastUsedAtMs: prev?.lastUsedAtMs,
      };
    }
    const device: PairedDevice = {
      deviceId: req.deviceId,
      publicKey: req.publicKey,
      displayName: req.displayName,
      platform: req.platform,
      clientId: req.clientId,
      clientMode: req.clientMode,
      role: req.role,
      roles: mergeRoles(existing?.roles, existing?.role, req.roles, req.role),
      scopes: mergeScopes(existing?.scopes, req.scopes),
      remoteIp: req.remoteIp,
      tokens,
      createdAtMs: existing?.createdAtMs ?? now,
      approvedAtMs: now,
    };
    delete s.pending[requestId];
    s.paired[device.deviceId] = device;
    this.save(s, { paired: true, pending: true });
    return { requestId, device };
  }

  reject(requestId: string): { requestId: string; deviceId: string } | null {
    const s = this.load();
    const req = s.pending[requestId];
    if (!req) return null;
    delete s.pending[requestId];
    this.save(s, { pending: true });
    return { requestId, deviceId: req.deviceId };
  }

  /** Is `token` this device's live token for `role`, covering the requested scopes? (Reads only.) */
  verifyToken(deviceId: string, token: string, role: string, scopes: readonly string[]): DeviceTokenCheck {
    const device = this.get(deviceId);
    if (!device) return { ok: false, reason: "device not paired" };
    const entry = device.tokens?.[role.trim()];
    if (!entry || typeof entry.token !== "string") return { ok: false, reason: `no ${role} token for this device` };
    if (entry.revokedAtMs) return { ok: false, reason: "device token revoked" };
    if (!safeEqualSecret(token, entry.token)) return { ok: false, reason: "device token mismatch" };
    if (!scopesAllow(normalizeScopes([...scopes]), Array.isArray(entry.scopes) ? entry.scopes : []))
      return { ok: false, reason: "scopes exceed the device token's" };
    return { ok: true };
  }

  /**
   * A paired device has connected: its metadata is refreshed (and `lastUsedAtMs` when it signed in
   * with its token), and its token for `role` is returned, a new one when there is none that covers
   * `scopes`. Null when the device is not paired.
   *
   * Only a new token must be stored for the connection to go on; when just the bookkeeping cannot be
   * written, `bookkeepingFailed` is called and the current token is returned.
   */
  connected(
    deviceId: string,
    opts: { role: string; scopes: string[]; metadata?: DeviceMetadata; usedToken: boolean },
    bookkeepingFailed: (e: unknown) => void,
  ): DeviceTokenEntry | null {
    const s = this.load();
    const device = s.paired[deviceId.trim()];
    if (!isDevice(device)) return null;
    const role = opts.role.trim();
    const now = this.now();
    const requested = normalizeScopes(opts.scopes);
    const tokens = { ...(device.tokens ?? {}) };
    let entry = tokens[role];
    let issued = false;
    if (!entry || typeof entry.token !== "string" || entry.revokedAtMs || !scopesAllow(requested, entry.scopes ?? [])) {
      entry = {
        token: newToken(),
        role,
        scopes: requested,
        createdAtMs: entry?.createdAtMs ?? now,
        rotatedAtMs: entry ? now : undefined,
        revokedAtMs: undefined,
        lastUsedAtMs: entry?.lastUsedAtMs,
      };
      issued = true;
    } else if (opts.usedToken) entry = { ...entry, lastUsedAtMs: now };
    tokens[role] = entry;
    let next: PairedDevice = { ...device, tokens };
    if (opts.metadata) {
      // What this connection does not say (a display name, a remote address) keeps its last value.
      const m = Object.fromEntries(Object.entries(opts.metadata).filter(([, v]) => v !== undefined)) as DeviceMetadata;
      next = {
        ...next,
        ...m,
        deviceId: device.deviceId,
        createdAtMs: device.createdAtMs,
        approvedAtMs: device.approvedAtMs,
        role: m.role ?? device.role,
        roles: mergeRoles(device.roles, device.role, m.role),
        scopes: mergeScopes(device.scopes, m.scopes),
      };
    }
    if (!issued && JSON.stringify(next) === JSON.stringify(device)) return entry;
    s.paired[device.deviceId] = next;
    if (issued) this.save(s, { paired: true });
    else {
      try {
        this.save(s, { paired: true });
      } catch (e) {
        bookkeepingFailed(e);
      }
    }
    return entry;
  }

  /** A new token for the device's role (optionally with new scopes, which become the device's). */
  rotate(deviceId: string, role: string, scopes?: string[]): DeviceTokenEntry | null {
    const s = this.load();
    const device = s.paired[deviceId.trim()];
    const r = role.trim();
    if (!isDevice(device) || !r) return null;
    const tokens = { ...(device.tokens ?? {}) };
    const prev = tokens[r];
    const now = this.now();
    const next: DeviceTokenEntry = {
      token: newToken(),
      role: r,
      scopes: normalizeScopes(scopes ?? prev?.scopes ?? device.scopes),
      createdAtMs: prev?.createdAtMs ?? now,
      rotatedAtMs: now,
      revokedAtMs: undefined,
      lastUsedAtMs: prev?.lastUsedAtMs,
    };
    tokens[r] = next;
    s.paired[device.deviceId] = { ...device, tokens, ...(scopes !== undefined ? { scopes: next.scopes } : {}) };
    this.save(s, { paired: true });
    return next;
  }

  /** Marks the device's token for `role` revoked; null when it has none. */
  revoke(deviceId: string, role: string): DeviceTokenEntry | null {
    const s = this.load();
    const device = s.paired[deviceId.trim()];
    const r = role.trim();
    if (!isDevice(device) || !r || !device.tokens?.[r]) return null;
    const entry = { ...device.tokens[r], revokedAtMs: this.now() };
    s.paired[device.deviceId] = { ...device, tokens: { ...device.tokens, [r]: entry } };
    this.save(s, { paired: true });
    return entry;
  }
}

/** The stored form of a public key: the raw 32 bytes, base64url (PEM keys are converted). */
export function normalizePublicKey(publicKey: string): string | null {
  const raw = rawPublicKey(publicKey);
  return raw ? base64UrlEncode(raw) : null;
}

/** Same key, whichever of the accepted spellings each side uses. */
export function samePublicKey(a: unknown, b: string): boolean {
  if (typeof a !== "string") return false;
  const ra = rawPublicKey(a);
  const rb = rawPublicKey(b);
  return ra !== null && rb !== null && ra.equals(rb);
}

export function redactDevice(device: PairedDevice): PairedDeviceView {
  const { tokens, ...rest } = device;
  const summary = Object.values(tokens ?? {})
    .filter((t) => t && typeof t === "object")
    .map(({ token: _secret, ...t }) => ({
      role: t.role,
      scopes: t.scopes,
      createdAtMs: t.createdAtMs,
      rotatedAtMs: t.rotatedAtMs,
      revokedAtMs: t.revokedAtMs,
      lastUsedAtMs: t.lastUsedAtMs,
    }))
    .sort((a, b) => byCodeUnits(String(a.role), String(b.role)));
  return { ...rest, tokens: summary.length ? summary : undefined };
}

/** Scopes as tokens keep them: trimmed, unique, sorted. */
export function normalizeScopes(scopes: readonly string[] | undefined): string[] {
  if (!Array.isArray(scopes)) return [];
  return [...new Set(scopes.map((s) => String(s).trim()).filter(Boolean))].sort();
}

/** Exact membership: a pairing for `operator.admin` does not stand in for `operator.read`. */
export function scopesAllow(requested: readonly string[], allowed: readonly string[]): boolean {
  if (requested.length === 0) return true;
  const set = new Set(allowed);
  return requested.every((s) => set.has(s));
}

function mergeRoles(...items: Array<string | string[] | undefined>): string[] | undefined {
  const out = new Set<string>();
  for (const item of items) for (const r of Array.isArray(item) ? item : item ? [item] : []) if (r.trim()) out.add(r.trim());
  return out.size ? [...out] : undefined;
}

function mergeScopes(...items: Array<string[] | undefined>): string[] | undefined {
  const out = new Set<string>();
  for (const item of items) for (const s of Array.isArray(item) ? item : []) if (s.trim()) out.add(s.trim());
  return out.size ? [...out] : undefined;
}

function newToken(): string {
  return randomUUID().replaceAll("-", "");
}

function isDevice(d: unknown): d is PairedDevice {
  return Boolean(d && typeof d === "object" && typeof (d as PairedDevice).deviceId === "string");
}

/** The largest paired-devices or pending-requests file read (a device entry is under 2 KB). */
const MAX_DEVICES_FILE_BYTES = 4 * 1024 * 1024;

/** A JSON object from `file`; a missing file is empty, anything else unreadable is an error. */
function readObject(file: string): { value: Record<string, unknown> | null; error: string | null } {
  let text: string;
  try {
    text = readStateFileSync(file, MAX_DEVICES_FILE_BYTES);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { value: null, error: null };
    if (e instanceof FileTooLargeError || e instanceof NotRegularFileError)
      return {
        value: null,
        error: `it is ${e instanceof FileTooLargeError ? `larger than ${MAX_DEVICES_FILE_BYTES} bytes` : "not a regular file"}; fix or move the file, then try again`,
      };
    return { value: null, error: `cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === "object" && !Array.isArray(value)) return { value: value as Record<string, unknown>, error: null };
    if (value === null) return { value: null, error: null };
  } catch {
    /* reported below */
  }
  return { value: null, error: "it is not a JSON object; fix or move the file, then try again" };
}

function write(file: string, value: unknown): void {
  try {
    writeFileAtomicSync(file, JSON.stringify(value, null, 2) + "\n", { mode: 0o600 });
  } catch (e) {
    throw new StorageError(file, e);
  }
}
