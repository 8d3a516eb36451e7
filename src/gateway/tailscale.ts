/**
 * Tailscale Serve / Funnel for the gateway itself (`gateway.tailscale`), and the small `tailscale` CLI
 * runner the voice-call tunnels share.
 *
 * - `serve`: `tailscale serve --bg --yes <port>`: HTTPS on the tailnet, proxied to the loopback port.
 * - `funnel`: `tailscale funnel --bg --yes <port>`: the same, public on the internet. Refused unless
 *   the gateway asks for a password (`gateway.auth.mode: "password"`): a public URL never reaches a
 *   gateway that anyone could use.
 * - Both need the gateway on loopback (`gateway.bind: "loopback"`): Tailscale is the only way in.
 * - `resetOnExit`: `tailscale serve reset` / `tailscale funnel reset` when the gateway stops.
 *
 * Nothing here runs unless `gateway.tailscale.mode` is serve or funnel. A failing `tailscale` (not
 * installed, not logged in, Funnel not allowed on the tailnet) is a warning: the gateway keeps running
 * on loopback. The configuration errors above stop start-up instead, since they are the user's to fix.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import type { OpenClawConfig } from "../config/schema.js";
import type { Env } from "../infra/paths.js";
import { isLoopbackHost } from "./bind.js";
import { StartupError, type ListenPlan } from "./listen-plan.js";

export type TailscaleMode = "off" | "serve" | "funnel";

/** Where the macOS app keeps its CLI when `tailscale` is not on the PATH. */
const MAC_APP_BIN = "/Applications/Tailscale.app/Contents/MacOS/Tailscale";
/** `tailscale` output kept (status JSON of a large tailnet included); the rest is dropped. */
const MAX_OUTPUT = 512 * 1024;

export interface TailscaleRunOptions {
  env: Env;
  /** The `tailscale` executable; default: `tailscale` on the PATH, else the macOS app's. */
  binPath?: string;
  timeoutMs?: number;
}

export interface TailscaleResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Thrown when no `tailscale` executable could be started. */
export class TailscaleMissingError extends Error {
  constructor(bin: string) {
    super(
      `tailscale CLI not found (tried "${bin}"). Install Tailscale (https://tailscale.com/download), log in with \`tailscale up\`, and make sure \`tailscale\` is on the PATH.`,
    );
    this.name = "TailscaleMissingError";
  }
}

function resolveBin(opts: TailscaleRunOptions): string {
  if (opts.binPath) return opts.binPath;
  const onPath = (opts.env.PATH ?? "").split(":").some((dir) => dir && fs.existsSync(`${dir}/tailscale`));
  return !onPath && fs.existsSync(MAC_APP_BIN) ? MAC_APP_BIN : "tailscale";
}

/** Runs `tailscale <args>` once; a missing binary is a {@link TailscaleMissingError}, a timeout is code -1. */
export function runTailscale(args: string[], opts: TailscaleRunOptions): Promise<TailscaleResult> {
  const bin = resolveBin(opts);
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env: opts.env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      if (stdout.length < MAX_OUTPUT) stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      if (stderr.length < MAX_OUTPUT) stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve({ code: -1, stdout, stderr: `${stderr}\ntailscale ${args.join(" ")} timed out` });
    }, opts.timeoutMs ?? 15_000);
    child.on("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(e.code === "ENOENT" || e.code === "EACCES" ? new TailscaleMissingError(bin) : e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

function permissionDenied(r: TailscaleResult): boolean {
  return /permission denied|access denied|not permitted|requires root|must be run as root|sudo/i.test(`${r.stdout}\n${r.stderr}`);
}

/**
 * Runs a `tailscale` command that changes the node's configuration; on a permission error it retries
 * once through `sudo -n` (never prompts), as Linux nodes without `--operator` need. Throws with what
 * tailscale said when it still fails.
 */
export async function runTailscaleChecked(args: string[], opts: TailscaleRunOptions): Promise<TailscaleResult> {
  let r = await runTailscale(args, opts);
  if (r.code !== 0 && permissionDenied(r)) {
    const retried = await runTailscale(["-n", resolveBin(opts), ...args], { ...opts, binPath: "sudo" }).catch(() => null);
    if (retried?.code === 0) return retried;
  }
  if (r.code !== 0) {
    const said = (r.stderr.trim() || r.stdout.trim()).split("\n").slice(0, 6).join(" ").slice(0, 600);
    const hint = /funnel is not enabled|not allowed|nodeattr/i.test(said)
      ? " Funnel must be allowed for this node in the tailnet policy (https://tailscale.com/kb/1223/funnel)."
      : /permission|denied|root/i.test(said)
        ? " Run `sudo tailscale set --operator=$USER` once so this user may change serve settings."
        : "";
    throw new Error(`tailscale ${args.join(" ")} failed (exit ${r.code})${said ? `: ${said}` : ""}.${hint}`);
  }
  return r;
}

export interface TailscaleSelf {
  /** MagicDNS name without the trailing dot (or the first Tailscale IP when MagicDNS is off). */
  host: string | null;
  nodeId: string | null;
}

/** This node's name and id from `tailscale status --json`, or null when Tailscale is not running. */
export async function tailscaleSelf(opts: TailscaleRunOptions): Promise<TailscaleSelf | null> {
  const r = await runTailscale(["status", "--json"], { timeoutMs: 5000, ...opts });
  if (r.code !== 0) return null;
  try {
    const text = r.stdout.trim();
    const start = text.indexOf("{");
    const end = text.lastIndexOf("}");
    const status = JSON.parse(start >= 0 && end > start ? text.slice(start, end + 1) : text) as {
      Self?: { DNSName?: unknown; ID?: unknown; TailscaleIPs?: unknown };
    };
    const self = status.Self;
    const dns = typeof self?.DNSName === "string" && self.DNSName ? self.DNSName.replace(/\.$/, "") : null;
    const ip = Array.isArray(self?.TailscaleIPs) && typeof self.TailscaleIPs[0] === "string" ? self.TailscaleIPs[0] : null;
    return { host: dns ?? ip, nodeId: typeof self?.ID === "string" ? self.ID : null };
  } catch {
    return null;
  }
}

/** `gateway.tailscale.mode`, checked. */
export function gatewayTailscaleMode(cfg: OpenClawConfig): TailscaleMode {
  return cfg.gateway?.tailscale?.mode ?? "off";
}

/**
 * Refuses a Tailscale mode the rest of the config makes unsafe: Funnel without a password, and either
 * mode with the gateway reachable around Tailscale. Part of every listen plan, so it holds at start-up
 * (nothing listens) and on a config reload (a reload that would drop the password while Funnel is on
 * is refused, and the running gateway keeps its password). Returns `plan`.
 */
export function checkGatewayTailscale(cfg: OpenClawConfig, plan: ListenPlan): ListenPlan {
  const mode = gatewayTailscaleMode(cfg);
  if (mode === "off") return plan;
  if (mode === "funnel" && plan.auth.mode !== "password") {
    throw new StartupError(
      "GATEWAY_TAILSCALE_FUNNEL_AUTH",
      'gateway.tailscale.mode "funnel" makes the gateway public and needs password auth. Set gateway.auth.mode to "password" and a password (gateway.auth.password or OPENCLAW_GATEWAY_PASSWORD), or use mode "serve" for the tailnet only.',
    );
  }
  if (!isLoopbackHost(plan.host)) {
    throw new StartupError(
      "GATEWAY_TAILSCALE_BIND",
      `gateway.tailscale.mode "${mode}" needs the gateway bound to loopback (it is bound to ${plan.host}, bind "${plan.bindMode}"). Set gateway.bind to "loopback" (or drop --bind), or set gateway.tailscale.mode to "off".`,
    );
  }
  return plan;
}

/**
 * Turns on Serve or Funnel for the gateway's port and logs the URL. Returns the clean-up to run on
 * shutdown (only with `resetOnExit`), or null. Never throws: a failure is a warning.
 */
export async function startGatewayTailscale(p: {
  config: OpenClawConfig;
  port: number;
  env: Env;
  log: { info(m: string): void; warn(m: string): void };
  binPath?: string;
}): Promise<(() => Promise<void>) | null> {
  const mode = gatewayTailscaleMode(p.config);
  if (mode === "off") return null;
  const opts: TailscaleRunOptions = { env: p.env, binPath: p.binPath };
  try {
    await runTailscaleChecked([mode, "--bg", "--yes", String(p.port)], opts);
    const self = await tailscaleSelf(opts).catch(() => null);
    const base = p.config.gateway?.controlUi?.basePath?.replace(/\/+$/, "") ?? "";
    p.log.info(
      self?.host ? `tailscale ${mode} enabled: https://${self.host}${base}/ (WebSocket: wss://${self.host})` : `tailscale ${mode} enabled`,
    );
  } catch (e) {
    p.log.warn(`tailscale ${mode} failed: ${(e as Error).message} (the gateway keeps running on loopback)`);
  }
  if (!p.config.gateway?.tailscale?.resetOnExit) return null;
  return async () => {
    try {
      await runTailscaleChecked([mode, "reset"], opts);
    } catch (e) {
      p.log.warn(`tailscale ${mode} reset failed: ${(e as Error).message}`);
    }
  };
}
