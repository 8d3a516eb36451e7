/** Which gateway a CLI command talks to, and with what secret: flags, then env, then config. */
import { readConfigSnapshot } from "../config/load.js";
import { loadDotEnv } from "../infra/dotenv.js";
import { DEFAULT_GATEWAY_PORT, resolveConfigPath, resolveStateDir, type Env } from "../infra/paths.js";

export interface TargetFlags {
  url?: string;
  token?: string;
  password?: string;
  timeout?: string;
}

export interface CliEnv {
  env: Env;
  stateDir: string;
  configPath: string;
}

export function cliEnv(env: Env = process.env): CliEnv {
  loadDotEnv(env, process.cwd(), resolveStateDir(env));
  const stateDir = resolveStateDir(env);
  return { env, stateDir, configPath: resolveConfigPath(env, stateDir) };
}

export interface Target {
  url: string;
  /** Where `url` came from, for messages: `from --url`, `from OPENCLAW_GATEWAY_PORT`, `the default port`, … */
  source: string;
  /** `gateway.remote.url` picked it: the gateway runs on another machine. */
  remote: boolean;
  token?: string;
  password?: string;
  timeoutMs: number;
}

export function resolveTarget(flags: TargetFlags, c: CliEnv = cliEnv()): Target {
  const snap = readConfigSnapshot(c.configPath, { ...c.env });
  const gw = snap.valid ? snap.config.gateway : undefined;
  const remote = gw?.mode === "remote" ? gw.remote : undefined;
  const envPort = c.env.OPENCLAW_GATEWAY_PORT?.trim();
  const port = envPort || String(gw?.port ?? DEFAULT_GATEWAY_PORT);
  const url = flags.url ?? remote?.url ?? `ws://127.0.0.1:${port}`;
  const source = flags.url
    ? "from --url"
    : remote?.url
      ? `from gateway.remote.url in ${c.configPath}`
      : envPort
        ? "from OPENCLAW_GATEWAY_PORT"
        : gw?.port !== undefined
          ? `from gateway.port in ${c.configPath}`
          : "the default port";
  const token = flags.token ?? c.env.OPENCLAW_GATEWAY_TOKEN ?? (remote ? remote.token : gw?.auth?.token);
  const password = flags.password ?? c.env.OPENCLAW_GATEWAY_PASSWORD ?? (remote ? remote.password : gw?.auth?.password);
  const timeoutMs = flags.timeout ? Number(flags.timeout) : 10_000;
  return {
    url,
    source,
    remote: !flags.url && Boolean(remote?.url),
    token,
    password,
    timeoutMs: Number.isFinite(timeoutMs) && timeoutMs > 0 ? timeoutMs : 10_000,
  };
}
