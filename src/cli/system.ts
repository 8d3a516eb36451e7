/**
 * `openclaw system event|heartbeat last|enable|disable|presence`: system events and heartbeat
 * controls of the running gateway. `event` queues a note on the default agent's main session (`wake`;
 * `--mode now` runs a heartbeat at once, `next-heartbeat` lets the next one carry it); `heartbeat last`
 * shows the last heartbeat outcome, `enable`/`disable` resume or pause every heartbeat until the
 * gateway restarts (`set-heartbeats`); `presence` lists the presence entries. Answers print as JSON,
 * as OpenClaw's do; `event` prints `ok` unless `--json`.
 */
import type { Command } from "commander";
import { callGateway, cliAction, gatewayCallOptions, printJson } from "./call.js";
import type { TargetFlags } from "./target.js";

type Flags = TargetFlags & { json?: boolean };

export function registerSystem(program: Command): void {
  const system = program.command("system").description("System events, heartbeat controls and presence of the running gateway");

  gatewayCallOptions(
    system
      .command("event")
      .description("Queue a system event on the main session, and optionally run a heartbeat now")
      .requiredOption("--text <text>", "the event text")
      .option("--mode <mode>", "now | next-heartbeat", "next-heartbeat"),
  ).action(
    cliAction(async (opts: Flags & { text: string; mode?: string }) => {
      const text = opts.text.trim();
      if (!text) throw new Error('--text is empty: give the event text, e.g. --text "Backup finished"');
      const mode = (opts.mode ?? "next-heartbeat").trim() || "next-heartbeat";
      if (mode !== "now" && mode !== "next-heartbeat") throw new Error(`--mode must be now or next-heartbeat (got "${mode}")`);
      const result = await callGateway("wake", { mode, text }, opts);
      if (opts.json) printJson(result);
      else process.stdout.write("ok\n");
    }),
  );

  const heartbeat = system.command("heartbeat").description("Heartbeat controls");
  gatewayCallOptions(heartbeat.command("last").description("Show the last heartbeat outcome")).action(
    cliAction(async (opts: Flags) => printJson(await callGateway("last-heartbeat", {}, opts))),
  );
  gatewayCallOptions(heartbeat.command("enable").description("Resume heartbeats")).action(
    cliAction(async (opts: Flags) => printJson(await callGateway("set-heartbeats", { enabled: true }, opts))),
  );
  gatewayCallOptions(heartbeat.command("disable").description("Pause heartbeats until enabled again or the gateway restarts")).action(
    cliAction(async (opts: Flags) => printJson(await callGateway("set-heartbeats", { enabled: false }, opts))),
  );

  gatewayCallOptions(system.command("presence").description("List the presence entries the gateway knows")).action(
    cliAction(async (opts: Flags) => printJson(await callGateway("system-presence", {}, opts))),
  );
}
