/** `openclaw gateway` (run in the foreground) and `openclaw gateway call <method>`. */
import type { Command } from "commander";
import { isStorageFailure } from "../infra/faults.js";

interface RunFlags {
  port?: string;
  bind?: string;
  token?: string;
  password?: string;
  auth?: string;
  allowUnconfigured?: boolean;
  force?: boolean;
  verbose?: boolean;
}

async function runGateway(flags: RunFlags): Promise<void> {
  const { startGateway, StartupError } = await import("../gateway/start.js");
  if (flags.token) process.env.OPENCLAW_GATEWAY_TOKEN = flags.token;
  if (flags.password) process.env.OPENCLAW_GATEWAY_PASSWORD = flags.password;
  let gw: Awaited<ReturnType<typeof startGateway>> | undefined;
  let stopRequested: string | undefined;
  const stop = (signal: string) => {
    // Never hang on the way out: a stuck socket must not keep the container from stopping.
    setTimeout(() => process.exit(0), 5000).unref();
    // A signal during start-up (the listener may already be up) is honoured once start-up is done,
    // so the lock and the port are still released properly.
    if (!gw) stopRequested = signal;
    else void gw.close(`received ${signal}`).then(() => process.exit(0));
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
  guardProcess();
  try {
    gw = await startGateway({
      port: flags.port !== undefined ? Number(flags.port) : undefined,
      bind: flags.bind,
      token: flags.token,
      password: flags.password,
      allowUnconfigured: flags.allowUnconfigured,
      force: flags.force,
      verbose: flags.verbose,
    });
  } catch (e) {
    if (e instanceof StartupError) {
      process.stderr.write(`[gateway] error: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  if (stopRequested) stop(stopRequested);
  await gw.closed;
}

/**
 * Last line of defence for a long-running gateway. A rejected promise nobody awaited is logged, not
 * fatal: one request failed, the rest keep working. An uncaught exception caused by the environment
 * (full disk, read-only volume, no descriptors left) is logged and survived, since it heals when the
 * environment does; any other uncaught exception means a bug, so the process exits and a supervisor
 * starts it fresh.
 */
function guardProcess(): void {
  const say = (what: string, e: unknown) => process.stderr.write(`[gateway] error: ${what}: ${(e as Error)?.stack ?? String(e)}\n`);
  process.on("unhandledRejection", (e) => say("unhandled rejection (the gateway keeps running)", e));
  process.on("uncaughtException", (e) => {
    if (isStorageFailure(e)) return say("environment failure (the gateway keeps running)", e);
    say("uncaught exception; exiting", e);
    process.exit(1);
  });
}

function withRunOptions(cmd: Command): Command {
  return cmd
    .option("--port <port>", "port for WebSocket + HTTP (default: OPENCLAW_GATEWAY_PORT, gateway.port, 18789)")
    .option("--bind <mode>", "listener bind: loopback | lan | auto | custom | tailnet")
    .option("--token <token>", "shared token clients must present (also sets OPENCLAW_GATEWAY_TOKEN)")
    .option("--password <password>", "shared password clients must present (also sets OPENCLAW_GATEWAY_PASSWORD)")
    .option("--allow-unconfigured", "start even without gateway.mode=local in the config")
    .option("--force", "stop whatever listens on the port first")
    .option("--verbose", "debug output on the console");
}

export function registerGateway(program: Command): void {
  const gateway = withRunOptions(program.command("gateway").description("Run the gateway in the foreground, or talk to a running one"));
  gateway.action((flags: RunFlags) => runGateway(flags));
  withRunOptions(gateway.command("run").description("Run the gateway in the foreground (same as `openclaw gateway`)")).action(
    (flags: RunFlags) => runGateway(flags),
  );
  gateway
    .command("call <method>")
    .description("Call one gateway method and print the result")
    .option("--params <json>", "method params as JSON/JSON5", "{}")
    .option("--url <url>", "gateway WebSocket URL")
    .option("--token <token>", "gateway token")
    .option("--password <password>", "gateway password")
    .option("--timeout <ms>", "timeout in milliseconds", "10000")
    .option("--json", "print JSON (the default for call)")
    .action(async (method: string, flags: { params: string; url?: string; token?: string; password?: string; timeout?: string }) => {
      // The client side (WebSocket, JSON5) is loaded here: running the gateway does not need it.
      const [{ parseJson5Text }, { callGateway, fail, printJson }] = await Promise.all([import("../infra/json5.js"), import("./call.js")]);
      let params: unknown;
      try {
        params = parseJson5Text(flags.params);
      } catch (e) {
        return fail(`--params is not valid JSON: ${(e as Error).message}`);
      }
      try {
        printJson(await callGateway(method, params, flags));
      } catch (e) {
        fail((e as Error).message);
      }
    });
}
