/**
 * `openclaw devices list|approve|reject|rotate|revoke`: device pairing requests and device tokens,
 * through the running gateway (`device.pair.*`, `device.token.*`; they need `operator.pairing`).
 */
import { age, table as columns } from "./table.js";
import type { Command } from "commander";
import { callGateway, cliAction, fail, gatewayCallOptions, printJson } from "./call.js";
import type { TargetFlags } from "./target.js";
import { byCodeUnits } from "../infra/compare.js";

type Flags = TargetFlags & { json?: boolean };

interface TokenSummary {
  role: string;
  revokedAtMs?: number;
}
interface Pending {
  requestId: string;
  deviceId: string;
  displayName?: string;
  role?: string;
  remoteIp?: string;
  isRepair?: boolean;
  ts?: number;
}
interface Paired {
  deviceId: string;
  displayName?: string;
  roles?: string[];
  scopes?: string[];
  remoteIp?: string;
  tokens?: TokenSummary[];
}

function table(header: string[], rows: string[][]): string {
  return columns([header, ...rows]);
}

function tokenSummary(tokens: TokenSummary[] | undefined): string {
  if (!tokens?.length) return "none";
  return tokens
    .map((t) => `${t.role}${t.revokedAtMs ? " (revoked)" : ""}`)
    .sort(byCodeUnits)
    .join(", ");
}

export function registerDevices(program: Command): void {
  const devices = program.command("devices").description("Device pairing and device tokens");

  gatewayCallOptions(devices.command("list").description("List pending pairing requests and paired devices")).action(
    cliAction(async (flags: Flags) => {
      const res = await callGateway<{ pending?: Pending[]; paired?: Paired[] }>("device.pair.list", {}, flags);
      const list = { pending: Array.isArray(res?.pending) ? res.pending : [], paired: Array.isArray(res?.paired) ? res.paired : [] };
      if (flags.json) return printJson(list);
      const out: string[] = [];
      if (list.pending.length) {
        const now = Date.now();
        out.push(`Pending (${list.pending.length})`);
        out.push(
          table(
            ["Request", "Device", "Role", "IP", "Age", "Flags"],
            list.pending.map((r) => [
              r.requestId,
              r.displayName || r.deviceId,
              r.role ?? "",
              r.remoteIp ?? "",
              typeof r.ts === "number" ? `${age(now - r.ts)} ago` : "",
              r.isRepair ? "repair" : "",
            ]),
          ),
        );
      }
      if (list.paired.length) {
        if (out.length) out.push("");
        out.push(`Paired (${list.paired.length})`);
        out.push(
          table(
            ["Device", "Roles", "Scopes", "Tokens", "IP"],
            list.paired.map((d) => [
              d.displayName || d.deviceId,
              d.roles?.join(", ") ?? "",
              d.scopes?.join(", ") ?? "",
              tokenSummary(d.tokens),
              d.remoteIp ?? "",
            ]),
          ),
        );
      }
      if (!out.length) out.push("No device pairing entries.");
      process.stdout.write(out.join("\n") + "\n");
    }),
  );

  gatewayCallOptions(
    devices.command("approve").description("Approve a pending device pairing request").argument("<requestId>", "pending request id"),
  ).action(
    cliAction(async (requestId: string, flags: Flags) => {
      const res = await callGateway<{ device?: { deviceId?: string } }>("device.pair.approve", { requestId }, flags);
      if (flags.json) return printJson(res);
      process.stdout.write(`Approved ${res?.device?.deviceId ?? "ok"}\n`);
    }),
  );

  gatewayCallOptions(
    devices.command("reject").description("Reject a pending device pairing request").argument("<requestId>", "pending request id"),
  ).action(
    cliAction(async (requestId: string, flags: Flags) => {
      const res = await callGateway<{ deviceId?: string }>("device.pair.reject", { requestId }, flags);
      if (flags.json) return printJson(res);
      process.stdout.write(`Rejected ${res?.deviceId ?? "ok"}\n`);
    }),
  );

  gatewayCallOptions(
    devices
      .command("rotate")
      .description("Issue a new device token for a role (the old one stops working; the new one is printed)")
      .requiredOption("--device <id>", "device id")
      .requiredOption("--role <role>", "role (operator or node)")
      .option("--scope <scope...>", "scopes for the new token (repeatable); default: the current token's"),
  ).action(
    cliAction(async (flags: Flags & { device: string; role: string; scope?: string[] }) => {
      const deviceId = flags.device.trim();
      const role = flags.role.trim();
      if (!deviceId || !role) return fail("--device and --role required");
      const res = await callGateway("device.token.rotate", { deviceId, role, ...(flags.scope ? { scopes: flags.scope } : {}) }, flags);
      printJson(res);
    }),
  );

  gatewayCallOptions(
    devices
      .command("revoke")
      .description("Revoke a device token for a role")
      .requiredOption("--device <id>", "device id")
      .requiredOption("--role <role>", "role (operator or node)"),
  ).action(
    cliAction(async (flags: Flags & { device: string; role: string }) => {
      const deviceId = flags.device.trim();
      const role = flags.role.trim();
      if (!deviceId || !role) return fail("--device and --role required");
      printJson(await callGateway("device.token.revoke", { deviceId, role }, flags));
    }),
  );
}
