/**
 * Paired devices, as OpenClaw keeps them in `$OPENCLAW_STATE_DIR/devices/paired.json`: device id →
 * `{ deviceId, publicKey, role(s), scopes, tokens: { <role>: { token, scopes, revokedAtMs? } } }`.
 *
 * A device token is a per-device secret issued at pairing. A client that proves it holds the device's
 * key (a signature over the connect nonce) and presents that device's token is the owner's own
 * device: it is let in even when its address is locked out by failed attempts from strangers who
 * share it (a NAT, a proxy).
 */
import fs from "node:fs";
import path from "node:path";
import { safeEqualSecret } from "./auth.js";
import { rawPublicKey } from "./protocol/device.js";

interface DeviceToken {
  token?: unknown;
  scopes?: unknown;
  revokedAtMs?: unknown;
}

export interface PairedDevice {
  deviceId: string;
  publicKey?: string;
  tokens?: Record<string, DeviceToken>;
}

export type DeviceTokenCheck = { ok: true } | { ok: false; reason: string };

export class PairedDevices {
  constructor(private readonly stateDir: string) {}

  get file(): string {
    return path.join(this.stateDir, "devices", "paired.json");
  }

  /** The paired device with this id, or null (a missing or unreadable file means none). */
  get(deviceId: string): PairedDevice | null {
    try {
      const all = JSON.parse(fs.readFileSync(this.file, "utf8")) as Record<string, PairedDevice> | null;
      const d = all && typeof all === "object" ? all[deviceId.trim()] : undefined;
      return d && typeof d === "object" ? d : null;
    } catch {
      return null;
    }
  }

  /** Is `token` this device's live token for `role`, covering the requested scopes? */
  verifyToken(deviceId: string, publicKey: string, token: string, role: string, scopes: readonly string[]): DeviceTokenCheck {
    const device = this.get(deviceId);
    if (!device) return { ok: false, reason: "device not paired" };
    if (device.publicKey && !sameKey(device.publicKey, publicKey)) return { ok: false, reason: "device key changed" };
    const entry = device.tokens?.[role];
    if (!entry || typeof entry.token !== "string") return { ok: false, reason: `no ${role} token for this device` };
    if (entry.revokedAtMs) return { ok: false, reason: "device token revoked" };
    if (!safeEqualSecret(token, entry.token)) return { ok: false, reason: "device token mismatch" };
    const allowed = Array.isArray(entry.scopes) ? (entry.scopes as string[]) : [];
    if (scopes.length > 0 && !scopes.every((s) => allowed.includes(s))) return { ok: false, reason: "scopes exceed the device token's" };
    return { ok: true };
  }
}

function sameKey(a: string, b: string): boolean {
  const ra = rawPublicKey(a);
  const rb = rawPublicKey(b);
  return ra !== null && rb !== null && ra.equals(rb);
}
