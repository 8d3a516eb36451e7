/** Signal as a channel plugin: what the gateway knows about it before (and without) talking to signal-cli. */
import { channelOnlyPlugin, type ChannelPlugin, type SetupCheck } from "../plugin.js";
import { resolveSettings, type SignalConfig } from "./config.js";
import { signalRules } from "./rules.js";

/** Doctor's view of an account: it needs a number, and a daemon to reach or a signal-cli to run. */
export function signalSetup(config: Record<string, any>): SetupCheck {
  const cfg = config as SignalConfig;
  if (!cfg.account?.trim()) {
    return {
      ok: false,
      detail: "no Signal account number",
      fix: 'set channels.signal.account to the bot\'s number (E.164, e.g. +15551234567), linked with `signal-cli link -n "OpenClaw"`',
    };
  }
  const s = resolveSettings(cfg);
  const detail = s.daemon
    ? `${s.account} through ${s.daemon.cliPath} daemon on ${s.baseUrl}`
    : `${s.account} through the signal-cli daemon at ${s.baseUrl}`;
  return { ok: true, detail };
}

export const signalChannel: ChannelPlugin = {
  id: "signal",
  label: "Signal",
  detailLabel: "Signal REST",
  systemImage: "antenna.radiowaves.left.and.right",
  credentialKeys: ["account", "httpUrl", "httpHost", "httpPort", "cliPath"],
  rules: signalRules,
  setup: (config) => signalSetup(config),
  load: async () => (await import("./index.js")).createSignalAdapter,
};

export default channelOnlyPlugin(signalChannel, "Signal through signal-cli's HTTP daemon (JSON-RPC and server-sent events)");
