/**
 * Exec approvals through the plugin API: the `exec.approvals.*` and `exec.approval.*` methods, and the
 * `/approve <id> allow-once|allow-always|deny` chat command, which the owner (or an allowlisted sender)
 * can send from any chat, even while the run that asked is waiting.
 */
import { execApprovalMethods } from "../gateway/methods/exec-approvals.js";
import type { BuiltinPlugin } from "../plugins/builtin.js";
import type { ApprovalDecision } from "./approval-queue.js";
import type { ExecApprovalService } from "./service.js";

const DECISIONS: Record<string, ApprovalDecision> = {
  "allow-once": "allow-once",
  once: "allow-once",
  allow: "allow-once",
  "allow-always": "allow-always",
  always: "allow-always",
  deny: "deny",
  reject: "deny",
};

export function execApprovalsPlugin(service: ExecApprovalService): BuiltinPlugin {
  return {
    id: "core-exec-approvals",
    name: "Exec approvals",
    register(api) {
      for (const [name, def] of Object.entries(execApprovalMethods(service))) api.registerGatewayMethod(name, def);
      api.registerCommand({
        name: "approve",
        description: "Decide a command waiting for approval: /approve <id> allow-once|allow-always|deny",
        acceptsArgs: true,
        requireAuth: true,
        handler(ctx) {
          const [id, word] = (ctx.args ?? "").trim().split(/\s+/);
          const pending = service.pending();
          if (!id || !word) {
            const list = pending.map((p) => `${p.id.slice(0, 8)}: ${p.request.command.slice(0, 80)}`);
            return {
              text: [
                "Usage: /approve <id> allow-once|allow-always|deny",
                list.length ? `Waiting:\n${list.join("\n")}` : "Nothing is waiting for approval.",
              ].join("\n"),
            };
          }
          const decision = DECISIONS[word.toLowerCase()];
          if (!decision) return { text: `Unknown decision "${word}". Use allow-once, allow-always or deny.` };
          const by = `${ctx.channel ?? "chat"}:${ctx.senderId ?? "unknown"}`;
          if (!service.resolve(id, decision, by))
            return { text: `No command with id ${id} is waiting for approval (it may have been decided or timed out).` };
          return { text: decision === "deny" ? "Denied." : decision === "allow-always" ? "Approved, and remembered." : "Approved once." };
        },
      });
    },
  };
}
