/**
 * `openclaw voicecall expose` / `unexpose`: put the voice-call webhook behind Tailscale Serve (tailnet)
 * or Funnel (public) by hand, or take it down again. Runs `tailscale` on this machine; defaults come
 * from `plugins.entries.voice-call.config` (`serve.port`, `serve.path`, `tailscale.path`).
 */
import type { Command } from "commander";
import { readConfigSnapshot } from "../../config/load.js";
import { cliAction, printJson } from "../../cli/call.js";
import { cliEnv } from "../../cli/target.js";
import { exposeTailscale, normalizePath, unexposeTailscale } from "./tailscale.js";

const DEFAULT_PORT = 3334;
const DEFAULT_PATH = "/voice/webhook";
const MODES = ["off", "serve", "funnel"] as const;

export interface ExposeDefaults {
  port?: number;
  servePath?: string;
  /** `tailscale.path`: the mount path on the Tailscale side. */
  tailscalePath?: string;
}

export interface ExposeCommandDeps {
  env?: Record<string, string | undefined>;
  /** Defaults for --port, --serve-path and --path; default: read from the config file. */
  defaults?: () => ExposeDefaults;
  /** The `tailscale` executable (default: on the PATH). */
  binPath?: string;
  print?: (value: unknown) => void;
}

interface Flags {
  mode?: string;
  path?: string;
  port?: string;
  servePath?: string;
}

/** `serve.port`, `serve.path` and `tailscale.path` of the voice-call plugin's config, when readable. */
function configDefaults(): ExposeDefaults {
  try {
    const c = cliEnv();
    const snap = readConfigSnapshot(c.configPath, { ...c.env });
    const entry = (snap.config.plugins?.entries as Record<string, { config?: Record<string, any> }> | undefined)?.["voice-call"];
    const cfg = entry?.config ?? {};
    return {
      port: typeof cfg.serve?.port === "number" ? cfg.serve.port : undefined,
      servePath: typeof cfg.serve?.path === "string" ? cfg.serve.path : undefined,
      tailscalePath: typeof cfg.tailscale?.path === "string" ? cfg.tailscale.path : undefined,
    };
  } catch {
    return {};
  }
}

function parsePort(raw: string | number): number {
  const n = typeof raw === "number" ? raw : Number(raw.trim());
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`--port: invalid port ${JSON.stringify(raw)} (expected 1-65535)`);
  return n;
}

function resolve(flags: Flags, defaults: ExposeDefaults) {
  const servePath = normalizePath(flags.servePath ?? defaults.servePath ?? DEFAULT_PATH);
  return {
    port: parsePort(flags.port ?? defaults.port ?? DEFAULT_PORT),
    servePath,
    path: normalizePath(flags.path ?? defaults.tailscalePath ?? servePath),
  };
}

/** Adds `expose` and `unexpose` to the `voicecall` command. */
export function registerExposeCommands(voicecall: Command, deps: ExposeCommandDeps = {}): void {
  const env = () => deps.env ?? process.env;
  const defaults = () => (deps.defaults ?? configDefaults)();
  const print = (v: unknown) => (deps.print ?? printJson)(v);
  voicecall
    .command("expose")
    .description("Expose the webhook through Tailscale serve (tailnet) or funnel (public), or turn it off")
    .option("--mode <mode>", "off | serve (tailnet) | funnel (public)", "funnel")
    .option("--path <path>", "path on the Tailscale side (default: tailscale.path, else the webhook path)")
    .option("--port <port>", `local webhook port (default: serve.port, else ${DEFAULT_PORT})`)
    .option("--serve-path <path>", `local webhook path (default: serve.path, else ${DEFAULT_PATH})`)
    .action(
      cliAction(async (flags: Flags) => {
        const mode = String(flags.mode ?? "funnel")
          .trim()
          .toLowerCase();
        if (!(MODES as readonly string[]).includes(mode))
          throw new Error(`--mode: unknown mode "${flags.mode}" (expected off, serve or funnel)`);
        const o = resolve(flags, defaults());
        if (mode === "off") {
          await unexposeTailscale({ path: o.path, env: env(), binPath: deps.binPath });
          print({ ok: true, mode: "off", path: o.path });
          return;
        }
        const r = await exposeTailscale({ mode: mode as "serve" | "funnel", ...o, env: env(), binPath: deps.binPath });
        print({ ok: true, mode: r.mode, path: r.path, localUrl: r.localUrl, publicUrl: r.publicUrl });
      }),
    );
  voicecall
    .command("unexpose")
    .description("Remove the webhook's Tailscale serve and funnel mounts")
    .option("--path <path>", "path on the Tailscale side (default: tailscale.path, else the webhook path)")
    .option("--serve-path <path>", `local webhook path (default: serve.path, else ${DEFAULT_PATH})`)
    .action(
      cliAction(async (flags: Flags) => {
        const o = resolve({ ...flags, port: undefined }, defaults());
        await unexposeTailscale({ path: o.path, env: env(), binPath: deps.binPath });
        print({ ok: true, mode: "off", path: o.path });
      }),
    );
}
