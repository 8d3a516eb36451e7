/**
 * Where and how the gateway listens: bind mode → host, port (flag, env, config), auth. Refuses a
 * non-loopback bind without auth, before anything listens.
 */
import type { OpenClawConfig } from "../config/schema.js";
import { DEFAULT_GATEWAY_PORT, type Env } from "../infra/paths.js";
import { resolveAuth, type ResolvedAuth } from "./auth.js";
import { BIND_MODES, BindError, isLoopbackHost, resolveBindHost, type BindMode } from "./bind.js";

export class StartupError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "StartupError";
  }
}

export interface ListenPlan {
  bindMode: BindMode;
  host: string;
  port: number;
  auth: ResolvedAuth;
}

/** What the command line overrides (`--bind`, `--port`, `--token`, `--password`). */
export interface ListenOverrides {
  bind?: string;
  port?: number;
  token?: string;
  password?: string;
}

function parsePort(value: unknown, source: string): number {
  const n = typeof value === "number" ? value : Number(String(value).trim());
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new StartupError("GATEWAY_PORT", `${source}: invalid port ${JSON.stringify(value)} (expected 1-65535)`);
  return n;
}

export function urlFor(host: string, port: number): string {
  return `ws://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

export function planListen(cfg: OpenClawConfig, env: Env, o: ListenOverrides): ListenPlan {
  const mode = (o.bind ?? cfg.gateway?.bind ?? "loopback") as BindMode;
  if (!(BIND_MODES as readonly string[]).includes(mode)) {
    throw new StartupError("GATEWAY_BIND", `invalid bind mode "${mode}" (expected one of ${BIND_MODES.join(", ")})`);
  }
  let host: string;
  try {
    host = resolveBindHost(mode, cfg.gateway?.customBindHost);
  } catch (e) {
    if (e instanceof BindError) throw new StartupError(e.code, e.message);
    throw e;
  }
  const port =
    o.port !== undefined
      ? parsePort(o.port, "--port")
      : env.OPENCLAW_GATEWAY_PORT?.trim()
        ? parsePort(env.OPENCLAW_GATEWAY_PORT, "OPENCLAW_GATEWAY_PORT")
        : (cfg.gateway?.port ?? DEFAULT_GATEWAY_PORT);
  const auth = resolveAuth(cfg, env, { token: o.token, password: o.password });
  if (!isLoopbackHost(host) && auth.mode === "none") {
    throw new StartupError(
      "GATEWAY_INSECURE_BIND",
      `refusing to bind the gateway to ${host}:${port} (bind "${mode}") without auth. Set OPENCLAW_GATEWAY_TOKEN (for example \`fly secrets set OPENCLAW_GATEWAY_TOKEN=$(openssl rand -hex 32)\`), set gateway.auth.token, or pass --token.`,
    );
  }
  return { bindMode: mode, host, port, auth };
}

/** Whether `cfg` asks for another host or port than `p` (an unplannable config counts as a change). */
export function listenChanged(p: ListenPlan, cfg: OpenClawConfig, env: Env, o: ListenOverrides): boolean {
  try {
    const n = planListen(cfg, env, o);
    return n.host !== p.host || (n.port !== p.port && !(o.port === 0 && n.port === 0));
  } catch {
    return true;
  }
}
