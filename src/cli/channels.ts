/**
 * `openclaw pairing list|approve|reject` (works on the state directory's files, so it works whether or
 * not the gateway is running), `openclaw channels status [--probe]` (asks the running gateway), and
 * `openclaw channels login|logout` (link or unlink a device such as WhatsApp: through the running
 * gateway, so the account it runs is the one linked; without one, in this process).
 */
import type { Command } from "commander";
import { readConfigSnapshot } from "../config/load.js";
import { PairingStore } from "../routing/pairing.js";
import { callGateway, fail, NoGatewayError, printJson } from "./call.js";
import { cliEnv, type TargetFlags } from "./target.js";

type LoginFlags = TargetFlags & { channel?: string; account?: string; verbose?: boolean; force?: boolean };

/** Draws a QR code with text blocks, readable in a terminal (also over `fly ssh console`). */
async function terminalQr(text: string): Promise<string> {
  const QRCode = (await import("qrcode")).default;
  return QRCode.toString(text, { type: "terminal", small: true });
}

const LINKABLE = ["whatsapp"];

async function login(flags: LoginFlags): Promise<void> {
  const channel = (flags.channel ?? "whatsapp").trim().toLowerCase();
  if (!LINKABLE.includes(channel))
    return fail(
      `${channel} has nothing to link: only ${LINKABLE.join(", ")} links a device (token channels take their token in the config)`,
    );
  const accountId = flags.account?.trim() || "default";
  const out = (line: string) => process.stdout.write(line + "\n");
  const showQr = async (qr: string, message: string) => {
    out(message);
    out(await terminalQr(qr));
    out("Waiting for the phone to finish linking…");
  };
  try {
    const start = await callGateway<{ qrDataUrl?: string; qr?: string; message: string }>(
      "web.login.start",
      { accountId, ...(flags.force ? { force: true } : {}), ...(flags.verbose ? { verbose: true } : {}) },
      { ...flags, timeout: flags.timeout ?? "60000" },
    );
    if (!start.qr) {
      if (start.qrDataUrl) out(`${start.message}\n(open the Control UI's Channels view to see the QR code)`);
      else out(start.message);
      if (!start.qrDataUrl) return;
    } else await showQr(start.qr, start.message);
    const done = await callGateway<{ connected: boolean; message: string }>(
      "web.login.wait",
      { accountId, timeoutMs: 180_000 },
      { ...flags, timeout: "190000" },
    );
    out(done.message);
    if (!done.connected) process.exitCode = 1;
  } catch (e) {
    if (!(e instanceof NoGatewayError) || e.target.remote) return fail((e as Error).message);
    await loginHere(accountId, flags, showQr, out);
  }
}

/** No gateway answered on this machine: link in this process; the gateway reads the credentials on start. */
async function loginHere(
  accountId: string,
  flags: LoginFlags,
  showQr: (qr: string, message: string) => Promise<void>,
  out: (line: string) => void,
): Promise<void> {
  const c = cliEnv();
  const snap = readConfigSnapshot(c.configPath, { ...c.env });
  const section = ((snap.valid ? snap.config.channels?.whatsapp : undefined) ?? {}) as Record<string, any>;
  const { accounts, ...base } = section;
  const config = { ...base, ...(accounts?.[accountId] ?? {}) };
  out("No gateway is running here; linking in this process.");
  try {
    const { loginLocally } = await import("../channels/whatsapp/local-login.js");
    const r = await loginLocally({
      accountId,
      config,
      env: c.env,
      stateDir: c.stateDir,
      force: flags.force,
      verbose: flags.verbose,
      timeoutMs: 180_000,
      onQr: showQr,
      print: out,
    });
    out(r.message);
    if (r.connected) {
      out("The gateway will use this link when it starts.");
      if (!snap.config.channels?.whatsapp)
        out("Add channels.whatsapp to the config to run it (for example `openclaw config set channels.whatsapp.dmPolicy pairing`).");
    } else process.exitCode = 1;
  } catch (e) {
    fail(`WhatsApp login failed: ${(e as Error).message}`);
  }
}

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

  channels
    .command("login")
    .description("Link a device (WhatsApp: scan the QR code in WhatsApp → Linked Devices)")
    .option("--channel <name>", "channel to link", "whatsapp")
    .option("--account <id>", "account id (accounts.<id>)", "default")
    .option("--force", "link again even when already linked (drops the current link)")
    .option("--verbose", "print connection details")
    .option("--url <url>", "gateway WebSocket URL")
    .option("--token <token>", "gateway token")
    .option("--password <password>", "gateway password")
    .action((flags: LoginFlags) => login(flags));
  channels
    .command("logout")
    .description("Unlink a channel account and remove its credentials (the running gateway stops it first)")
    .option("--channel <name>", "channel", "whatsapp")
    .option("--account <id>", "account id (accounts.<id>)", "default")
    .option("--json", "print JSON")
    .option("--url <url>", "gateway WebSocket URL")
    .option("--token <token>", "gateway token")
    .option("--password <password>", "gateway password")
    .option("--timeout <ms>", "timeout in milliseconds", "10000")
    .action(async (flags: TargetFlags & { channel?: string; account?: string; json?: boolean }) => {
      const channel = (flags.channel ?? "whatsapp").trim().toLowerCase();
      const accountId = flags.account?.trim() || "default";
      try {
        const r = await callGateway<any>("channels.logout", { channel, accountId }, flags);
        if (flags.json) printJson(r);
        else process.stdout.write(`${channel}/${accountId}: ${r.cleared ? "logged out, credentials removed" : "nothing to remove"}\n`);
      } catch (e) {
        if (!(e instanceof NoGatewayError) || e.target.remote || channel !== "whatsapp") return fail((e as Error).message);
        // No gateway here: nothing runs the account, so its credentials can go directly.
        const c = cliEnv();
        const snap = readConfigSnapshot(c.configPath, { ...c.env });
        const section = ((snap.valid ? snap.config.channels?.whatsapp : undefined) ?? {}) as Record<string, any>;
        const { accounts, ...base } = section;
        const { whatsappChannel } = await import("../channels/whatsapp/plugin.js");
        const removed = await whatsappChannel.logout!({ ...base, ...(accounts?.[accountId] ?? {}) }, accountId, c.env, c.stateDir);
        process.stdout.write(`${channel}/${accountId}: ${removed ? "credentials removed" : "nothing to remove"} (no gateway running)\n`);
      }
    });
}
