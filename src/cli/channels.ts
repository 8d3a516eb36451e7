/**
 * `openclaw pairing list|approve|reject` (works on the state directory's files, so it works whether or
 * not the gateway is running) and `openclaw channels status [--probe]` (asks the running gateway).
 */
import type { Command } from "commander";
import { PairingStore } from "../routing/pairing.js";
import { callGateway, fail, printJson } from "./call.js";
import { cliEnv, type TargetFlags } from "./target.js";

export function registerChannels(program: Command): void {
  const pairing = program.command("pairing").description("Approve who may message the assistant (DM pairing)");
  pairing
    .command("list <channel>")
    .description("Pending pairing requests for a channel (`openclaw channels status` lists them)")
    .option("--json", "print JSON")
    .action((channel: string, flags: { json?: boolean }) => {
      let list;
      try {
        list = PairingStore.forStateDir(cliEnv().stateDir).list(channel);
      } catch (e) {
        return fail((e as Error).message);
      }
      if (flags.json) return printJson({ channel, requests: list });
      if (list.length === 0) return void process.stdout.write(`no pending ${channel} pairing requests\n`);
      for (const r of list) {
        const who = [r.meta?.name, r.meta?.username ? `@${r.meta.username}` : undefined].filter(Boolean).join(" ");
        process.stdout.write(`${r.code}  ${r.id}${who ? `  ${who}` : ""}  requested ${r.createdAt}\n`);
      }
    });
  for (const verb of ["approve", "reject"] as const) {
    pairing
      .command(`${verb} <channel> <code>`)
      .description(verb === "approve" ? "Let the sender who got this code talk to the assistant" : "Drop a pending request")
      .action((channel: string, code: string) => {
        const store = PairingStore.forStateDir(cliEnv().stateDir);
        let req;
        try {
          req = verb === "approve" ? store.approve(channel, code) : store.reject(channel, code);
        } catch (e) {
          return fail((e as Error).message);
        }
        if (!req)
          return fail(
            `no pending ${channel} pairing request with code ${code.toUpperCase()} (codes expire after an hour; see \`openclaw pairing list ${channel}\`)`,
          );
        process.stdout.write(
          `${verb === "approve" ? "approved" : "rejected"} ${channel} sender ${req.id}${req.meta?.username ? ` (@${req.meta.username})` : ""}\n`,
        );
      });
  }

  const channels = program.command("channels").description("Chat channels of the running gateway");
  channels
    .command("status")
    .description("Connection state of each channel account")
    .option("--probe", "also check each account's credentials against its API now; exits non-zero if any check fails")
    .option("--json", "print JSON")
    .option("--url <url>", "gateway WebSocket URL")
    .option("--token <token>", "gateway token")
    .option("--password <password>", "gateway password")
    .option("--timeout <ms>", "timeout in milliseconds", "10000")
    .action(async (flags: TargetFlags & { probe?: boolean; json?: boolean }) => {
      try {
        const res = await callGateway<any>("channels.status", { probe: Boolean(flags.probe) }, flags);
        const probed: Array<{ name: string; ok: boolean }> = [];
        for (const ch of res.channelOrder as string[])
          for (const a of res.channelAccounts[ch] as any[])
            if (a.probe) probed.push({ name: `${res.channelLabels[ch]} ${a.accountId}`, ok: Boolean(a.probe.ok) });
        if (flags.json) printJson(res);
        else if (res.channelOrder.length === 0) process.stdout.write("no channels configured\n");
        else
          for (const ch of res.channelOrder as string[]) {
            for (const a of res.channelAccounts[ch] as any[]) {
              const state = !a.configured ? "not configured" : a.connected ? "connected" : a.running ? "connecting" : "stopped";
              const parts = [`${res.channelLabels[ch]} ${a.accountId}: ${state}`];
              if (a.botName) parts.push(`as ${a.botName}`);
              if (a.mode) parts.push(`(${a.mode})`);
              if (a.queued) parts.push(`${a.queued} queued`);
              if (a.lastError) parts.push(`— ${a.lastError}`);
              if (a.probe)
                parts.push(
                  a.probe.ok
                    ? `probe ok${a.probe.latencyMs !== undefined ? ` ${a.probe.latencyMs} ms` : ""}`
                    : `probe failed: ${a.probe.detail}`,
                );
              process.stdout.write(parts.join(" ") + "\n");
            }
          }
        // A failed probe is a failed check: scripts and health checks see it in the exit status.
        const failed = probed.filter((p) => !p.ok).map((p) => p.name);
        if (failed.length)
          fail(`probe failed for ${failed.length} of ${probed.length} account${probed.length === 1 ? "" : "s"}: ${failed.join(", ")}`);
      } catch (e) {
        fail((e as Error).message);
      }
    });
}
