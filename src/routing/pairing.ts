/**
 * DM pairing, in OpenClaw's files: `credentials/<channel>-pairing.json` holds pending requests
 * (`{version:1, requests:[{id, code, createdAt, lastSeenAt, meta}]}`), and
 * `credentials/<channel>-allowFrom.json` the senders the owner approved (`{version:1, allowFrom:[]}`).
 *
 * A code is 8 characters from an alphabet without 0/O/1/I, expires after an hour, and at most 3
 * requests wait per channel. The files are re-read when they change on disk, so `openclaw pairing
 * approve` works with or without a running gateway.
 */
import fs from "node:fs";
import path from "node:path";
import { randomInt } from "node:crypto";
import { writeFileAtomicSync } from "../infra/atomic.js";
import { byCodeUnits } from "../infra/compare.js";
import { readStateFileSync } from "../infra/read-bounded.js";

export const PAIRING_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
export const PAIRING_CODE_LENGTH = 8;
export const PAIRING_TTL_MS = 60 * 60 * 1000;
export const PAIRING_MAX_PENDING = 3;

export interface PairingRequest {
  /** The sender's platform id. */
  id: string;
  code: string;
  createdAt: string;
  lastSeenAt: string;
  meta?: Record<string, string>;
}

export type PairingOutcome = { code: string; created: boolean } | { code: null; created: false; reason: "capped" };

/** The largest pairing or allowlist file read (each holds at most a few hundred entries). */
const MAX_PAIRING_FILE_BYTES = 4 * 1024 * 1024;

export class PairingStore {
  private cache = new Map<string, { mtimeMs: number; value: unknown }>();

  constructor(
    readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {}

  static forStateDir(stateDir: string, now?: () => number): PairingStore {
    return new PairingStore(path.join(stateDir, "credentials"), now);
  }

  private file(channel: string, kind: "pairing" | "allowFrom"): string {
    if (!/^[a-z0-9_-]+$/i.test(channel)) throw new Error(`invalid channel name "${channel}"`);
    return path.join(this.dir, `${channel}-${kind}.json`);
  }

  private read<T>(file: string, fallback: T): T {
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      this.cache.delete(file);
      return fallback;
    }
    const hit = this.cache.get(file);
    if (hit && hit.mtimeMs === st.mtimeMs) return hit.value as T;
    try {
      const value = JSON.parse(readStateFileSync(file, MAX_PAIRING_FILE_BYTES)) as T;
      this.cache.set(file, { mtimeMs: st.mtimeMs, value });
      return value;
    } catch {
      return fallback;
    }
  }

  private write(file: string, value: unknown): void {
    writeFileAtomicSync(file, JSON.stringify(value, null, 2) + "\n", { mode: 0o600 });
    this.cache.delete(file);
  }

  /** Pending, unexpired requests, oldest first. */
  list(channel: string): PairingRequest[] {
    const data = this.read<{ requests?: PairingRequest[] }>(this.file(channel, "pairing"), {});
    const cutoff = this.now() - PAIRING_TTL_MS;
    return (data.requests ?? []).filter((r) => Date.parse(r.createdAt) > cutoff).sort((a, b) => byCodeUnits(a.createdAt, b.createdAt));
  }

  /** Approved sender ids. */
  allowFrom(channel: string): string[] {
    return this.read<{ allowFrom?: string[] }>(this.file(channel, "allowFrom"), {}).allowFrom ?? [];
  }

  isApproved(channel: string, senderId: string): boolean {
    return this.allowFrom(channel).includes(senderId);
  }

  /** A request for `senderId`: its existing code, a new one, or nothing when 3 are already waiting. */
  request(channel: string, senderId: string, meta?: Record<string, string>): PairingOutcome {
    const pending = this.list(channel);
    const nowIso = new Date(this.now()).toISOString();
    const existing = pending.find((r) => r.id === senderId);
    if (existing) {
      existing.lastSeenAt = nowIso;
      this.write(this.file(channel, "pairing"), { version: 1, requests: pending });
      return { code: existing.code, created: false };
    }
    if (pending.length >= PAIRING_MAX_PENDING) return { code: null, created: false, reason: "capped" };
    const taken = new Set(pending.map((r) => r.code));
    let code = "";
    do {
      code = Array.from({ length: PAIRING_CODE_LENGTH }, () => PAIRING_CODE_ALPHABET[randomInt(PAIRING_CODE_ALPHABET.length)]).join("");
    } while (taken.has(code));
    pending.push({ id: senderId, code, createdAt: nowIso, lastSeenAt: nowIso, ...(meta ? { meta } : {}) });
    this.write(this.file(channel, "pairing"), { version: 1, requests: pending });
    return { code, created: true };
  }

  /** Approves a pending code: the sender joins the allowlist. Returns the request, or null. */
  approve(channel: string, code: string): PairingRequest | null {
    const pending = this.list(channel);
    const wanted = code.trim().toUpperCase();
    const req = pending.find((r) => r.code === wanted);
    if (!req) return null;
    const allow = this.allowFrom(channel);
    if (!allow.includes(req.id)) this.write(this.file(channel, "allowFrom"), { version: 1, allowFrom: [...allow, req.id] });
    this.write(this.file(channel, "pairing"), { version: 1, requests: pending.filter((r) => r !== req) });
    return req;
  }

  reject(channel: string, code: string): PairingRequest | null {
    const pending = this.list(channel);
    const req = pending.find((r) => r.code === code.trim().toUpperCase());
    if (!req) return null;
    this.write(this.file(channel, "pairing"), { version: 1, requests: pending.filter((r) => r !== req) });
    return req;
  }
}
