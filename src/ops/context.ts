/**
 * Everything `doctor` and `security audit` look at, gathered once: the config, the state directory's
 * gateway locks, the gateway process that holds one (its command line and environment say which
 * port, bind and secrets it really runs with), a `fly.toml` in the working directory, and the machine.
 */
import fs from "node:fs";
import path from "node:path";
import { readConfigSnapshot, type ConfigSnapshot } from "../config/load.js";
import type { OpenClawConfig } from "../config/schema.js";
import { resolveAuth, type ResolvedAuth } from "../gateway/auth.js";
import { BIND_MODES, isLoopbackHost } from "../gateway/bind.js";
import { lockOwnerAlive, MAX_LOCK_BYTES, type LockInfo } from "../gateway/lock.js";
import { DEFAULT_GATEWAY_PORT, type Env } from "../infra/paths.js";
import { FlyConfigError, parseGatewayArgs, readFlyToml, type FlyApp, type GatewayArgs } from "./fly.js";
import { hostProbe, type ProcessInfo, type SystemProbe } from "./system.js";
import { readStateFileSync } from "../infra/read-bounded.js";

export interface LockState {
  file: string;
  /** null when the file cannot be read or parsed. */
  info: LockInfo | null;
  alive: boolean;
}

export interface RunningGateway extends ProcessInfo {
  args: GatewayArgs;
  lock: LockState;
}

/** Where a setting comes from, for messages (`--port`, `OPENCLAW_GATEWAY_PORT`, `gateway.port`, `default`). */
export interface Sourced<T> {
  value: T;
  source: string;
}

export interface Effective {
  port: Sourced<number>;
  /** The port the running gateway actually listens on, when it can be seen. */
  listeningPort: number | null;
  bind: Sourced<string>;
  /** Whether the bind reaches beyond this machine. */
  publicBind: boolean;
  auth: ResolvedAuth;
  authSource: string;
  nodeOptions: Sourced<string | undefined>;
}

export interface OpsContext {
  env: Env;
  cwd: string;
  stateDir: string;
  configPath: string;
  snapshot: ConfigSnapshot;
  /** The config the gateway runs with: the file when valid, safe defaults (empty) when not. */
  config: OpenClawConfig;
  system: SystemProbe;
  locks: LockState[];
  running: RunningGateway | null;
  fly: FlyApp | null;
  flyError: string | null;
  effective: Effective;
}

export interface GatherOptions {
  env: Env;
  cwd: string;
  stateDir: string;
  configPath: string;
  system?: SystemProbe;
  /** Default `<cwd>/fly.toml`. */
  flyTomlPath?: string;
}

function readLocks(stateDir: string): LockState[] {
  let names: string[];
  try {
    names = fs.readdirSync(stateDir).filter((n) => /^gateway\..+\.lock$/.test(n));
  } catch {
    return [];
  }
  return names.sort().map((name) => {
    const file = path.join(stateDir, name);
    let info: LockInfo | null = null;
    try {
      const parsed = JSON.parse(readStateFileSync(file, MAX_LOCK_BYTES)) as Partial<LockInfo>;
      if (typeof parsed.pid === "number") info = parsed as LockInfo;
    } catch {
      /* unreadable or half-written */
    }
    return { file, info, alive: info ? lockOwnerAlive(info) : false };
  });
}

function parsePortValue(v: string | number | undefined): number | null {
  if (v === undefined) return null;
  const n = typeof v === "number" ? v : Number(String(v).trim());
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : null;
}

/** Port, bind and auth as `startGateway` would resolve them from flags, environment and config. */
export function resolveEffective(cfg: OpenClawConfig, env: Env, args: Partial<GatewayArgs>, listening: number[] = []): Effective {
  const flagPort = parsePortValue(args.port);
  const envPort = env.OPENCLAW_GATEWAY_PORT?.trim() ? parsePortValue(env.OPENCLAW_GATEWAY_PORT) : null;
  const port: Sourced<number> =
    flagPort !== null
      ? { value: flagPort, source: "--port" }
      : envPort !== null
        ? { value: envPort, source: "OPENCLAW_GATEWAY_PORT" }
        : cfg.gateway?.port !== undefined
          ? { value: cfg.gateway.port, source: "gateway.port" }
          : { value: DEFAULT_GATEWAY_PORT, source: "default" };
  const bindValue = args.bind ?? cfg.gateway?.bind ?? "loopback";
  const bind: Sourced<string> = { value: bindValue, source: args.bind ? "--bind" : cfg.gateway?.bind ? "gateway.bind" : "default" };
  const host =
    bindValue === "custom" ? (cfg.gateway?.customBindHost ?? "") : bindValue === "lan" || bindValue === "tailnet" ? "0.0.0.0" : "127.0.0.1";
  const publicBind = (BIND_MODES as readonly string[]).includes(bindValue) ? !isLoopbackHost(host) : false;
  const auth = resolveAuth(cfg, env, { token: args.token, password: args.password });
  const authSource =
    auth.mode === "none"
      ? "none"
      : auth.mode === "token"
        ? args.token
          ? "--token"
          : env.OPENCLAW_GATEWAY_TOKEN
            ? "OPENCLAW_GATEWAY_TOKEN"
            : "gateway.auth.token"
        : args.password
          ? "--password"
          : env.OPENCLAW_GATEWAY_PASSWORD
            ? "OPENCLAW_GATEWAY_PASSWORD"
            : "gateway.auth.password";
  const listeningPort = listening.includes(port.value) ? port.value : listening.length === 1 ? listening[0]! : null;
  return {
    port,
    listeningPort,
    bind,
    publicBind,
    auth,
    authSource,
    nodeOptions: { value: env.NODE_OPTIONS, source: "NODE_OPTIONS" },
  };
}

export async function gatherContext(opts: GatherOptions): Promise<OpsContext> {
  const system = opts.system ?? hostProbe(opts.env);
  const snapshot = readConfigSnapshot(opts.configPath, { ...opts.env });
  const config = snapshot.valid ? snapshot.config : ({} as OpenClawConfig);
  const locks = readLocks(opts.stateDir);

  let running: RunningGateway | null = null;
  for (const lock of locks) {
    if (!lock.alive || !lock.info) continue;
    const proc = system.processInfo(lock.info.pid);
    if (proc) running = { ...proc, args: parseGatewayArgs(proc.argv), lock };
    break;
  }

  let fly: FlyApp | null = null;
  let flyError: string | null = null;
  try {
    fly = await readFlyToml(opts.flyTomlPath ?? path.join(opts.cwd, "fly.toml"));
  } catch (e) {
    if (!(e instanceof FlyConfigError)) throw e;
    flyError = e.message;
  }

  // A running gateway's own environment beats ours (it is what it started with), key by key.
  const gatewayEnv: Env = running?.env ? { ...opts.env, ...running.env } : opts.env;
  const effective = resolveEffective(config, gatewayEnv, running?.args ?? {}, running?.listeningPorts ?? []);
  if (running?.env) effective.nodeOptions = { value: running.env.NODE_OPTIONS, source: `NODE_OPTIONS of pid ${running.pid}` };

  return { ...opts, system, snapshot, config, locks, running, fly, flyError, effective };
}
