/**
 * Device pairing and device tokens: `device.pair.list|approve|reject`, `device.token.rotate|revoke`.
 * All need `operator.pairing` (or `operator.admin`). Approving or rejecting a request is announced
 * with `device.pair.resolved`; lists never carry token secrets, only a summary per role.
 */
import * as z from "zod";
import { defineMethod } from "../context.js";
import { redactDevice, type DeviceStore } from "../devices.js";
import { ErrorCodes, MethodError } from "../protocol/frames.js";

const NonEmpty = z.string().min(1);

function unknownRequest(requestId: string): MethodError {
  return new MethodError(
    ErrorCodes.INVALID_REQUEST,
    `unknown requestId ${requestId} (requests expire after 5 minutes; \`openclaw devices list\` shows the pending ones)`,
  );
}

function unknownDeviceRole(deviceId: string, role: string): MethodError {
  return new MethodError(
    ErrorCodes.INVALID_REQUEST,
    `unknown deviceId/role: no ${role} token for device ${deviceId} (\`openclaw devices list\` shows paired devices and their tokens)`,
  );
}

export function deviceMethods(devices: DeviceStore) {
  return {
    "device.pair.list": defineMethod({
      scope: "operator.pairing",
      params: () => z.strictObject({}).optional(),
      handler: () => {
        const { pending, paired } = devices.list();
        return { pending, paired: paired.map(redactDevice) };
      },
    }),
    "device.pair.approve": defineMethod({
      scope: "operator.pairing",
      params: () => z.strictObject({ requestId: NonEmpty }),
      handler: (p, ctx) => {
        const approved = devices.approve(p.requestId);
        if (!approved) throw unknownRequest(p.requestId);
        const { device } = approved;
        ctx.log.info(
          `device ${device.deviceId.slice(0, 12)}… (${device.displayName ?? device.clientId ?? "unnamed"}) paired as ${device.role ?? "?"}`,
        );
        ctx.broadcast("device.pair.resolved", { requestId: p.requestId, deviceId: device.deviceId, decision: "approved", ts: ctx.now() });
        return { requestId: p.requestId, device: redactDevice(device) };
      },
    }),
    "device.pair.reject": defineMethod({
      scope: "operator.pairing",
      params: () => z.strictObject({ requestId: NonEmpty }),
      handler: (p, ctx) => {
        const rejected = devices.reject(p.requestId);
        if (!rejected) throw unknownRequest(p.requestId);
        ctx.log.info(`device ${rejected.deviceId.slice(0, 12)}…: pairing request rejected`);
        ctx.broadcast("device.pair.resolved", { requestId: p.requestId, deviceId: rejected.deviceId, decision: "rejected", ts: ctx.now() });
        return rejected;
      },
    }),
    "device.token.rotate": defineMethod({
      scope: "operator.pairing",
      params: () => z.strictObject({ deviceId: NonEmpty, role: NonEmpty, scopes: z.array(NonEmpty).optional() }),
      handler: (p, ctx) => {
        const entry = devices.rotate(p.deviceId, p.role, p.scopes);
        if (!entry) throw unknownDeviceRole(p.deviceId, p.role);
        ctx.log.info(`device ${p.deviceId.slice(0, 12)}…: ${entry.role} token rotated (scopes ${entry.scopes.join(",") || "none"})`);
        return {
          deviceId: p.deviceId,
          role: entry.role,
          token: entry.token,
          scopes: entry.scopes,
          rotatedAtMs: entry.rotatedAtMs ?? entry.createdAtMs,
        };
      },
    }),
    "device.token.revoke": defineMethod({
      scope: "operator.pairing",
      params: () => z.strictObject({ deviceId: NonEmpty, role: NonEmpty }),
      handler: (p, ctx) => {
        const entry = devices.revoke(p.deviceId, p.role);
        if (!entry) throw unknownDeviceRole(p.deviceId, p.role);
        ctx.log.info(`device ${p.deviceId.slice(0, 12)}…: ${entry.role} token revoked`);
        return { deviceId: p.deviceId, role: entry.role, revokedAtMs: entry.revokedAtMs ?? ctx.now() };
      },
    }),
  };
}
