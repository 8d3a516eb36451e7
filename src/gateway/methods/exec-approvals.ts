/**
 * Exec approvals over the protocol, as OpenClaw 2026.1.29 names them: `exec.approvals.get|set` (the
 * approvals file, admin only) and `exec.approval.request|resolve` (a command waiting for an operator,
 * `operator.approvals`), with the `exec.approval.requested|resolved` events.
 */
import * as z from "zod";
import { ApprovalsError, ExecApprovalsFileSchema, redactApprovals } from "../../exec/approvals-file.js";
import { DEFAULT_APPROVAL_TIMEOUT_MS as DEFAULT_TIMEOUT_MS, type ExecApprovalService } from "../../exec/service.js";
import { defineMethod, type MethodTable } from "../context.js";
import { ErrorCodes, MethodError } from "../protocol/frames.js";

const MAX_TIMEOUT_MS = 600_000;

const requestParams = () => {
  const nullableText = z.string().max(8192).nullable().optional();
  return z.strictObject({
    id: z.string().trim().min(1).max(128).optional(),
    command: z.string().min(1).max(65_536),
    cwd: nullableText,
    host: nullableText,
    security: nullableText,
    ask: nullableText,
    agentId: nullableText,
    resolvedPath: nullableText,
    sessionKey: nullableText,
    timeoutMs: z.number().int().min(1).max(MAX_TIMEOUT_MS, `timeoutMs is at most ${MAX_TIMEOUT_MS} (10 minutes)`).optional(),
  });
};

export function execApprovalMethods(service: ExecApprovalService): MethodTable {
  const store = service.store;
  const view = () => {
    const s = store.snapshot();
    return { path: s.path, exists: s.exists, hash: s.hash, file: redactApprovals(s.file) };
  };
  return {
    "exec.approvals.get": defineMethod({ scope: "operator.admin", params: z.strictObject({}).optional(), handler: () => view() }),
    "exec.approvals.set": defineMethod({
      scope: "operator.admin",
      params: () => z.strictObject({ file: ExecApprovalsFileSchema, baseHash: z.string().trim().min(1).optional() }),
      handler: (p, ctx) => {
        try {
          store.save(p.file, p.baseHash);
        } catch (e) {
          if (e instanceof ApprovalsError) throw new MethodError(ErrorCodes.INVALID_REQUEST, e.message);
          throw new MethodError(ErrorCodes.UNAVAILABLE, `could not write ${store.path}: ${(e as Error).message}`);
        }
        ctx.log.info(`exec approvals saved (${store.path})`);
        return view();
      },
    }),
    "exec.approval.request": defineMethod({
      scope: "operator.approvals",
      params: requestParams,
      handler: async (p) => {
        const request = {
          command: p.command,
          cwd: p.cwd ?? null,
          host: p.host ?? null,
          security: p.security ?? null,
          ask: p.ask ?? null,
          agentId: p.agentId ?? null,
          resolvedPath: p.resolvedPath ?? null,
          sessionKey: p.sessionKey ?? null,
        };
        try {
          return await service.request(request, { timeoutMs: p.timeoutMs ?? DEFAULT_TIMEOUT_MS, ...(p.id ? { id: p.id } : {}) });
        } catch (e) {
          throw new MethodError(ErrorCodes.INVALID_REQUEST, (e as Error).message);
        }
      },
    }),
    "exec.approval.resolve": defineMethod({
      scope: "operator.approvals",
      params: () => z.strictObject({ id: z.string().trim().min(1), decision: z.string().min(1) }),
      handler: (p, _ctx, client) => {
        const decision = p.decision;
        if (decision !== "allow-once" && decision !== "allow-always" && decision !== "deny")
          throw new MethodError(ErrorCodes.INVALID_REQUEST, "invalid decision (allow-once, allow-always or deny)");
        if (!service.resolve(p.id, decision, client.clientId)) throw new MethodError(ErrorCodes.INVALID_REQUEST, "unknown approval id");
        return { ok: true };
      },
    }),
  };
}
