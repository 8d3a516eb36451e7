/**
 * The voice-call webhook behind Tailscale: `tailscale serve` (tailnet only) or `tailscale funnel`
 * (public HTTPS, what a telephony provider needs) mounted on one path.
 *
 *   tailscale <serve|funnel> --bg --yes --set-path <path> <localUrl>   turn on
 *   tailscale <serve|funnel> off <path>                                 turn off
 *
 * The public URL is `https://<MagicDNS name><path>`, the name read from `tailscale status --json`
 * (`Self.DNSName`). Tailscale strips the mount path when it proxies, so the local URL carries the
 * webhook path itself.
 */
import { runTailscaleChecked, tailscaleSelf, type TailscaleRunOptions } from "../../gateway/tailscale.js";

export type TailscaleExposeMode = "serve" | "funnel";

export interface ExposeOptions {
  mode: TailscaleExposeMode;
  /** Path mounted on the Tailscale side (usually the same as `servePath`). */
  path: string;
  /** Local webhook port. */
  port: number;
  /** Local webhook path the requests go to (default: `path`). */
  servePath?: string;
  env: Record<string, string | undefined>;
  binPath?: string;
}

export interface ExposeResult {
  mode: TailscaleExposeMode;
  path: string;
  localUrl: string;
  /** `https://<magicdns><path>`. */
  publicUrl: string;
}

/** A path as Tailscale wants it: one leading slash, no trailing one (except the root). */
export function normalizePath(p: string): string {
  const trimmed = p.trim();
  if (!trimmed) throw new Error("the path is empty; pass one such as /voice/webhook");
  if (trimmed.length > 512 || /[\s?#]/.test(trimmed))
    throw new Error(`invalid path ${JSON.stringify(trimmed.slice(0, 80))}: use a plain URL path such as /voice/webhook`);
  const withSlash = trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
  return withSlash.replace(/\/+$/, "") || "/";
}

function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`invalid port ${JSON.stringify(port)}: expected 1-65535`);
  return port;
}

/**
 * Mounts `path` on this node's Tailscale HTTPS name, proxied to `http://127.0.0.1:<port><servePath>`.
 * Reads the node's name first, so nothing changes when Tailscale is not running. Throws with what
 * tailscale said when it refuses (not logged in, Funnel not allowed, no binary).
 */
export async function exposeTailscale(opts: ExposeOptions): Promise<ExposeResult> {
  const path = normalizePath(opts.path);
  const localUrl = `http://127.0.0.1:${checkPort(opts.port)}${normalizePath(opts.servePath ?? opts.path)}`;
  const run: TailscaleRunOptions = { env: opts.env, binPath: opts.binPath };
  const self = await tailscaleSelf(run);
  if (!self?.host) {
    throw new Error(
      "could not read this node's Tailscale name from `tailscale status --json`. Is Tailscale running and logged in (`tailscale up`), with MagicDNS and HTTPS enabled for the tailnet?",
    );
  }
  try {
    await runTailscaleChecked([opts.mode, "--bg", "--yes", "--set-path", path, localUrl], run);
  } catch (e) {
    const enable = self.nodeId
      ? ` An admin can enable ${opts.mode} for this node at https://login.tailscale.com/f/${opts.mode}?node=${self.nodeId}`
      : "";
    throw new Error(`${(e as Error).message}${enable}`);
  }
  return { mode: opts.mode, path, localUrl, publicUrl: `https://${self.host}${path}` };
}

/** Removes the mount of `path` for `mode` (both modes when none is given). Missing mounts are fine. */
export async function unexposeTailscale(opts: {
  mode?: TailscaleExposeMode;
  path: string;
  env: Record<string, string | undefined>;
  binPath?: string;
}): Promise<void> {
  const path = normalizePath(opts.path);
  const run: TailscaleRunOptions = { env: opts.env, binPath: opts.binPath };
  const errors: string[] = [];
  for (const mode of opts.mode ? [opts.mode] : (["serve", "funnel"] as const)) {
    await runTailscaleChecked([mode, "off", path], run).catch((e: Error) => {
      // Turning off what was never on is not a failure.
      if (!/not found|no serve config|does not exist|nothing to/i.test(e.message)) errors.push(e.message);
    });
  }
  if (errors.length) throw new Error(errors.join("; "));
}

/**
 * `tunnel.provider` tailscale-serve / tailscale-funnel: exposes the webhook and returns its public
 * URL; `stop` removes the mount again.
 */
export async function startTailscaleTunnel(opts: {
  mode: TailscaleExposeMode;
  port: number;
  path: string;
  env: Record<string, string | undefined>;
  binPath?: string;
}): Promise<{ publicUrl: string; stop(): Promise<void> }> {
  const r = await exposeTailscale({ mode: opts.mode, path: opts.path, port: opts.port, env: opts.env, binPath: opts.binPath });
  let stopped = false;
  return {
    publicUrl: r.publicUrl,
    async stop() {
      if (stopped) return;
      stopped = true;
      await unexposeTailscale({ mode: opts.mode, path: r.path, env: opts.env, binPath: opts.binPath });
    },
  };
}
