/**
 * How the voice-call webhook gets a public URL when `publicUrl` is not set: `tunnel.provider` ngrok
 * (the `ngrok` agent as a child process), tailscale-serve or tailscale-funnel (`tailscale serve|funnel
 * --set-path`), or none. Nothing here is loaded or run unless a provider is configured.
 */
import { startNgrok, type TunnelLog } from "./ngrok.js";
import { startTailscaleTunnel } from "./tailscale.js";

export type TunnelProvider = "none" | "ngrok" | "tailscale-serve" | "tailscale-funnel";

export interface TunnelOptions {
  provider: TunnelProvider;
  /** Local webhook port. */
  port: number;
  /** Webhook path (appended to the public URL; for Tailscale also the mount path). */
  path: string;
  ngrokAuthToken?: string;
  ngrokDomain?: string;
  env: Record<string, string | undefined>;
  log: TunnelLog;
  /** The `ngrok` or `tailscale` executable (default: found on the PATH). */
  binPath?: string;
  /** ngrok only: the new webhook URL after ngrok was restarted. */
  onUrlChange?(publicUrl: string): void;
}

export interface Tunnel {
  /** The public webhook URL; null for provider "none" (and while a restarting ngrok has none). */
  readonly publicUrl: string | null;
  stop(): Promise<void>;
}

const PROVIDERS: readonly TunnelProvider[] = ["none", "ngrok", "tailscale-serve", "tailscale-funnel"];

/** Starts the configured tunnel; throws a clear error when it cannot (missing binary, auth, tailnet). */
export async function startTunnel(opts: TunnelOptions): Promise<Tunnel> {
  switch (opts.provider) {
    case "none":
      return { publicUrl: null, stop: async () => undefined };
    case "ngrok":
      return startNgrok({
        port: opts.port,
        path: opts.path,
        authToken: opts.ngrokAuthToken ?? opts.env.NGROK_AUTHTOKEN,
        domain: opts.ngrokDomain ?? opts.env.NGROK_DOMAIN,
        env: opts.env,
        log: opts.log,
        binPath: opts.binPath,
        onUrlChange: opts.onUrlChange,
      });
    case "tailscale-serve":
    case "tailscale-funnel": {
      const mode = opts.provider === "tailscale-serve" ? "serve" : "funnel";
      const t = await startTailscaleTunnel({ mode, port: opts.port, path: opts.path, env: opts.env, binPath: opts.binPath });
      opts.log.info(`tailscale ${mode} active: ${t.publicUrl}`);
      return t;
    }
    default:
      throw new Error(`unknown tunnel.provider ${JSON.stringify(opts.provider)}: expected one of ${PROVIDERS.join(", ")}`);
  }
}

export { isNgrokFreeTierUrl, ngrokFreeTierBypassAllowed, NgrokError, startNgrok, type NgrokTunnel, type TunnelLog } from "./ngrok.js";
export { exposeTailscale, unexposeTailscale, type ExposeOptions, type ExposeResult } from "./tailscale.js";
export { registerExposeCommands } from "./cli.js";
