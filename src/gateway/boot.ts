/**
 * The first step of start-up: `.env` files, the state directory, the log sink and the config. Refuses
 * to run a gateway that is not configured for it (`gateway.mode` must be "local"), and runs an invalid
 * config file on safe defaults instead of refusing (a refusal would put a container into a restart
 * loop), keeping whatever auth the file asks for.
 */
import path from "node:path";
import { readConfigSnapshot, type ConfigSnapshot } from "../config/load.js";
import type { OpenClawConfig } from "../config/schema.js";
import { loadDotEnv } from "../infra/dotenv.js";
import { LogSink, type LogLevel, type LogSinkOptions, type Logger } from "../infra/logger.js";
import { resolveConfigPath, resolveStateDir, type Env } from "../infra/paths.js";
import { StartupError } from "./listen-plan.js";
import { LiveConfig, warnUnimplemented } from "./live-config.js";

export interface BootOptions {
  cwd?: string;
  allowUnconfigured?: boolean;
  verbose?: boolean;
  stdout?: LogSinkOptions["stdout"];
  stderr?: LogSinkOptions["stderr"];
}

export interface Boot {
  stateDir: string;
  configPath: string;
  logs: LogSink;
  log: Logger;
  config: LiveConfig;
}

export function boot(env: Env, opts: BootOptions): Boot {
  loadDotEnv(env, opts.cwd ?? process.cwd(), resolveStateDir(env));
  const stateDir = resolveStateDir(env);
  const configPath = resolveConfigPath(env, stateDir);
  const logs = new LogSink({
    dir: path.join(stateDir, "logs"),
    consoleLevel: opts.verbose ? "debug" : "info",
    stdout: opts.stdout,
    stderr: opts.stderr,
  });
  const log = logs.logger("gateway");

  const snapshot: ConfigSnapshot = readConfigSnapshot(configPath, env);
  let good: OpenClawConfig = snapshot.valid ? snapshot.config : ({} as OpenClawConfig);
  applyLogging(logs, good, opts.verbose);
  if (!snapshot.valid) {
    log.error(`config ${configPath} is invalid; running with safe defaults until it is fixed:`);
    for (const i of snapshot.issues) log.error(`  ${i.path || "<root>"}: ${i.message}`);
  }
  warnUnimplemented(log, snapshot);

  const rawMode = snapshot.valid ? good.gateway?.mode : readRawGatewayMode(snapshot.parsed);
  if (!opts.allowUnconfigured && rawMode !== "local") {
    logs.close();
    if (snapshot.exists && !snapshot.valid && rawMode === undefined) {
      // The file may well say "local": what stops us is that it cannot be read. Say that.
      throw new StartupError(
        "GATEWAY_CONFIG_INVALID",
        `config ${configPath} cannot be used:\n${snapshot.issues.map((i) => `  ${i.path || "<root>"}: ${i.message}`).join("\n")}\nFix the file (\`openclaw config validate\` lists the problems), or start with --allow-unconfigured to run on safe defaults until it is fixed.`,
      );
    }
    throw new StartupError(
      "GATEWAY_UNCONFIGURED",
      snapshot.exists
        ? `gateway.mode is ${rawMode === undefined ? "not set" : JSON.stringify(rawMode)} in ${configPath}; the gateway only runs when it is "local". Run \`openclaw config set gateway.mode local\`, or start with --allow-unconfigured.`
        : `no config at ${configPath}. Run \`openclaw config set gateway.mode local\` to create one, or start with --allow-unconfigured.`,
    );
  }
  // Running on safe defaults: keep the auth the file asks for when it can still be read, so a file
  // broken elsewhere never opens the gateway to tokenless clients.
  const salvagedAuth = snapshot.valid ? undefined : readRawAuth(snapshot.parsed);
  if (salvagedAuth) good = { gateway: { auth: salvagedAuth } } as OpenClawConfig;

  return { stateDir, configPath, logs, log, config: new LiveConfig(configPath, env, log, snapshot, good) };
}

export function applyLogging(logs: LogSink, cfg: OpenClawConfig, verbose?: boolean): void {
  const l = cfg.logging;
  logs.configure({
    level: (l?.level as LogLevel | undefined) ?? "info",
    consoleLevel: verbose ? "debug" : ((l?.consoleLevel as LogLevel | undefined) ?? "info"),
    consoleStyle: l?.consoleStyle ?? "pretty",
    file: l?.file,
  });
}

/** `gateway.auth.token|password` from a file that failed validation, when they are plain strings. */
function readRawAuth(parsed: unknown): { token?: string; password?: string } | undefined {
  const a = (parsed as { gateway?: { auth?: { token?: unknown; password?: unknown } } } | null)?.gateway?.auth;
  if (!a || typeof a !== "object") return undefined;
  const str = (v: unknown) => (typeof v === "string" && v && !v.includes("${") ? v : undefined);
  const out = { ...(str(a.token) ? { token: str(a.token) } : {}), ...(str(a.password) ? { password: str(a.password) } : {}) };
  return Object.keys(out).length ? out : undefined;
}

function readRawGatewayMode(parsed: unknown): unknown {
  const g = (parsed as { gateway?: { mode?: unknown } } | null)?.gateway;
  return g && typeof g === "object" ? g.mode : undefined;
}
