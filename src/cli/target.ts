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

export function resolveTarget(flags: TargetFlags, c: CliEnv = cliEnv()) {
  const snap = readConfigSnapshot(c.configPath, { ...c.env });
  const gw = snap.valid ? snap.config.gateway : undefined;
  const remote = gw?.mode === "remote" ? gw.remote : undefined;
  const port = c.env.OPENCLAW_GATEWAY_PORT?.trim() || String(gw?.port ?? DEFAULT_GATEWAY_PORT);
  const url = flags.url ?? remote?.url ?? `ws://127.0.0.1:${port}`;
  const token = flags.token ?? c.env.OPENCLAW_GATEWAY_TOKEN ?? (remote ? remote.token : gw?.auth?.token);
  const password = flags.password ?? c.env.OPENCLAW_GATEWAY_PASSWORD ?? (remote ? remote.password : gw?.auth?.password);
  const timeoutMs = flags.timeout ? Number(flags.timeout) : 10_000;
  return { url, token, password, timeoutMs: Number.isFinite(timeoutMs) && timeoutMs > 0 ? timeoutMs : 10_000 };
}
