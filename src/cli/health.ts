/** `openclaw health` (asks the running gateway) and `openclaw status` (local view plus a probe). */
import type { Command } from "commander";
import { readConfigSnapshot } from "../config/load.js";
import { NoGatewayError, callGateway, fail, printJson, unreachableAdvice } from "./call.js";
import { cliEnv, resolveTarget, type TargetFlags } from "./target.js";

function targetOptions(cmd: Command): Command {
  return cmd
    .option("--url <url>", "gateway WebSocket URL")
    .option("--token <token>", "gateway token")
    .option("--password <password>", "gateway password")
    .option("--timeout <ms>", "timeout in milliseconds", "10000")
    .option("--json", "print JSON");
}

function fmtDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

export function registerHealth(program: Command): void {
  targetOptions(program.command("health").description("Health of the running gateway (exits non-zero when unreachable)")).action(
    async (flags: TargetFlags & { json?: boolean }) => {
      try {
        const h = await callGateway<{ ok: boolean; version: string; uptimeMs: number; config: { valid: boolean } }>("health", {}, flags);
        if (flags.json) printJson(h);
        else
          process.stdout.write(
            `gateway ok: version ${h.version}, up ${fmtDuration(h.uptimeMs)}, config ${h.config.valid ? "valid" : "INVALID"}\n`,
          );
        if (!h.ok) process.exitCode = 1;
      } catch (e) {
        fail((e as Error).message);
      }
    },
  );

  targetOptions(program.command("status").description("Local state and the running gateway's status")).action(
    async (flags: TargetFlags & { json?: boolean }) => {
      const c = cliEnv();
      const snap = readConfigSnapshot(c.configPath, { ...c.env });
      const target = resolveTarget(flags, c);
      let gateway: unknown = null;
      let error: string | null = null;
      let unreachable: NoGatewayError | null = null;
      try {
        gateway = await callGateway("status", {}, flags);
      } catch (e) {
        if (e instanceof NoGatewayError) unreachable = e;
        error = e instanceof NoGatewayError ? e.headline : (e as Error).message;
      }
      const local = { stateDir: c.stateDir, config: { path: snap.path, exists: snap.exists, valid: snap.valid, issues: snap.issues } };
      if (flags.json) return printJson({ ...local, url: target.url, reachable: gateway !== null, gateway, error });
      const out = [
        `state dir:  ${c.stateDir}`,
        `config:     ${snap.path} (${snap.exists ? (snap.valid ? "valid" : "INVALID") : "missing; defaults apply"})`,
        ...snap.issues.map((i) => `  ${i.path || "<root>"}: ${i.message}`),
      ];
      if (gateway) {
        const g = gateway as { version: string; uptimeMs: number; pid: number; clients: number; memory: { rss: number } };
        out.push(`gateway:    reachable at ${target.url} (version ${g.version}, pid ${g.pid}, up ${fmtDuration(g.uptimeMs)})`);
        out.push(`memory:     ${(g.memory.rss / 1048576).toFixed(1)} MB RSS, ${g.clients} client(s)`);
      } else if (unreachable) {
        const { url, reason } = unreachable.unreachable;
        out.push(`gateway:    not reachable at ${url} (${unreachable.target.source}): ${reason}`);
        out.push(...unreachableAdvice(unreachable.target).map((l) => `  ${l}`));
      } else out.push(`gateway:    not reachable at ${target.url} (${error})`);
      process.stdout.write(out.join("\n") + "\n");
    },
  );
}
