/**
 * `openclaw voicecall call|start|continue|speak|end|status|tail`: phone calls through the running
 * gateway's voice-call plugin (`voicecall.*` methods), and the call log (`calls.jsonl`) read from
 * the state directory.
 */
import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { readConfigSnapshot } from "../config/load.js";
import { resolveConfigPath, resolveStateDir } from "../infra/paths.js";
import { callGateway, cliAction, gatewayCallOptions, printJson } from "./call.js";
import type { TargetFlags } from "./target.js";

type Flags = TargetFlags & { json?: boolean };

/** Where the call log is: `--file`, else the config's `store`, else `$OPENCLAW_STATE_DIR/voice-calls/calls.jsonl`. */
export function callLogPath(env: NodeJS.ProcessEnv = process.env): string {
  const stateDir = resolveStateDir(env);
  let store: unknown;
  try {
    const snap = readConfigSnapshot(resolveConfigPath(env, stateDir), { ...env });
    if (snap.valid) store = (snap.config as any)?.plugins?.entries?.["voice-call"]?.config?.store;
  } catch {
    /* no config: the default place */
  }
  const home = env.HOME ?? "";
  const dir = typeof store === "string" && store ? path.resolve(store.replace(/^~(?=$|\/)/, home)) : path.join(stateDir, "voice-calls");
  return path.join(dir, "calls.jsonl");
}

const mode = (m: string | undefined) => (m === "notify" || m === "conversation" ? m : undefined);

/** `more` adds further subcommands (the tunnel side's `expose`/`unexpose`). */
export function registerVoicecall(program: Command, more?: (voicecall: Command) => void): void {
  const root = program.command("voicecall").description("Phone calls through the gateway's voice-call plugin (plugins.entries.voice-call)");
  more?.(root);

  gatewayCallOptions(
    root
      .command("call")
      .description("Place a call and say a message")
      .requiredOption("-m, --message <text>", "what to say when the call is answered")
      .option("-t, --to <phone>", "E.164 number to call (default: the config's toNumber)")
      .option("--mode <mode>", "notify (hang up after the message) or conversation (stay on the line)", "conversation"),
    "30000",
  ).action(
    cliAction(async (o: Flags & { message: string; to?: string; mode?: string }) => {
      const r = await callGateway<{ callId: string }>("voicecall.initiate", { message: o.message, to: o.to, mode: mode(o.mode) }, o);
      printJson({ callId: r.callId });
    }),
  );

  gatewayCallOptions(
    root
      .command("start")
      .description("Place a call (like call, with --to required)")
      .requiredOption("--to <phone>", "E.164 number to call")
      .option("--message <text>", "what to say when the call is answered")
      .option("--mode <mode>", "notify or conversation", "conversation"),
    "30000",
  ).action(
    cliAction(async (o: Flags & { to: string; message?: string; mode?: string }) => {
      const r = await callGateway<{ callId: string }>("voicecall.start", { to: o.to, message: o.message, mode: mode(o.mode) }, o);
      printJson({ callId: r.callId });
    }),
  );

  gatewayCallOptions(
    root
      .command("continue")
      .description("Say a message on a call and wait for the answer")
      .requiredOption("--call-id <id>", "the call's id")
      .requiredOption("--message <text>", "what to say"),
    "200000",
  ).action(
    cliAction(async (o: Flags & { callId: string; message: string }) => {
      printJson(await callGateway("voicecall.continue", { callId: o.callId, message: o.message }, o));
    }),
  );

  gatewayCallOptions(
    root
      .command("speak")
      .description("Say a message on a call without waiting")
      .requiredOption("--call-id <id>", "the call's id")
      .requiredOption("--message <text>", "what to say"),
  ).action(
    cliAction(async (o: Flags & { callId: string; message: string }) => {
      printJson(await callGateway("voicecall.speak", { callId: o.callId, message: o.message }, o));
    }),
  );

  gatewayCallOptions(root.command("end").description("Hang up a call").requiredOption("--call-id <id>", "the call's id")).action(
    cliAction(async (o: Flags & { callId: string }) => {
      printJson(await callGateway("voicecall.end", { callId: o.callId }, o));
    }),
  );

  gatewayCallOptions(
    root
      .command("status")
      .description("A call's state and transcript")
      .requiredOption("--call-id <id>", "the call's id (or the provider's call sid)"),
  ).action(
    cliAction(async (o: Flags & { callId: string }) => {
      printJson(await callGateway("voicecall.status", { callId: o.callId }, o));
    }),
  );

  root
    .command("tail")
    .description("Print the call log (calls.jsonl) and follow it")
    .option("--file <path>", "the call log (default: the state directory's voice-calls/calls.jsonl, or the config's store)")
    .option("--since <n>", "print the last N lines first", "25")
    .option("--poll <ms>", "how often to look for new lines", "250")
    .option("--no-follow", "print and exit")
    .action(
      cliAction(async (o: { file?: string; since: string; poll: string; follow: boolean }) => {
        const file = o.file ?? callLogPath();
        if (!fs.existsSync(file)) throw new Error(`no call log at ${file} (calls are logged once the gateway has placed or received one)`);
        const since = Math.max(0, Math.floor(Number(o.since) || 0));
        const pollMs = Math.max(50, Math.floor(Number(o.poll) || 250));
        const initial = fs.readFileSync(file, "utf8");
        const lines = initial.split("\n").filter(Boolean);
        for (const line of since ? lines.slice(-since) : []) process.stdout.write(line + "\n");
        if (!o.follow) return;
        let offset = Buffer.byteLength(initial);
        for (;;) {
          await new Promise((r) => setTimeout(r, pollMs));
          let size: number;
          try {
            size = fs.statSync(file).size;
          } catch {
            continue;
          }
          if (size < offset) offset = 0;
          if (size === offset) continue;
          const fd = fs.openSync(file, "r");
          try {
            const buf = Buffer.alloc(size - offset);
            fs.readSync(fd, buf, 0, buf.length, offset);
            offset = size;
            for (const line of buf.toString("utf8").split("\n").filter(Boolean)) process.stdout.write(line + "\n");
          } finally {
            fs.closeSync(fd);
          }
        }
      }),
    );
}
