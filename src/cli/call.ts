/** One RPC against a running gateway, for `gateway call`, `health`, `status` and the other commands. */
import type { Command } from "commander";
import { GatewayClient, GatewayUnreachableError } from "./client.js";
import { resolveTarget, type Target, type TargetFlags } from "./target.js";

/** What to do when no gateway answers where a command looked: start one, or point at one. */
export function unreachableAdvice(target: Target): string[] {
  if (target.remote)
    return [
      "Check that the gateway on that machine is running (`openclaw gateway` there),",
      "or point at another one with --url ws://HOST:PORT.",
    ];
  return [
    "To start one, run in another terminal:",
    "  openclaw gateway --allow-unconfigured",
    "  (from a clone without `npm link`: node dist/index.js gateway --allow-unconfigured)",
    "To use one that is already running: --url ws://HOST:PORT, or OPENCLAW_GATEWAY_PORT=PORT for another port on this machine.",
  ];
}

/**
 * No gateway answered where the command looked. The message is `cannot reach gateway at <url> (<where
 * the url came from>): <reason>` followed by the advice, one line each.
 */
export class NoGatewayError extends Error {
  readonly headline: string;
  constructor(
    readonly unreachable: GatewayUnreachableError,
    readonly target: Target,
  ) {
    const headline = `cannot reach gateway at ${unreachable.url} (${target.source}): ${unreachable.reason}`;
    super([headline, ...unreachableAdvice(target)].join("\n"));
    this.name = "NoGatewayError";
    this.headline = headline;
  }
}

/** Connects and completes the handshake; an unreachable gateway becomes a {@link NoGatewayError}. */
export async function connectGateway(client: GatewayClient, target: Target): Promise<void> {
  try {
    await client.connect();
  } catch (e) {
    if (e instanceof GatewayUnreachableError) throw new NoGatewayError(e, target);
    throw e;
  }
}

export async function callGateway<T = unknown>(method: string, params: unknown, flags: TargetFlags): Promise<T> {
  const target = resolveTarget(flags);
  const client = new GatewayClient({ url: target.url, token: target.token, password: target.password, timeoutMs: target.timeoutMs });
  let timer: NodeJS.Timeout | undefined;
  try {
    // The handshake has its own timeout (and a clearer message); this one bounds the request.
    await connectGateway(client, target);
    timer = setTimeout(() => client.close(), target.timeoutMs);
    return await client.request<T>(method, params);
  } finally {
    clearTimeout(timer);
    client.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + "\n");
}

/** Prints `error: …` to stderr and sets a failing exit code. */
export function fail(message: string, code = 1): void {
  process.stderr.write(`error: ${message}\n`);
  process.exitCode = code;
}

/** The options of a command that calls the running gateway: where it is, its secret, a timeout, JSON output. */
export function gatewayCallOptions(cmd: Command, timeoutMs = "10000"): Command {
  return cmd
    .option("--url <url>", "gateway WebSocket URL (default: gateway.remote.url when configured)")
    .option("--token <token>", "gateway token")
    .option("--password <password>", "gateway password")
    .option("--timeout <ms>", "timeout in milliseconds", timeoutMs)
    .option("--json", "print JSON");
}

/** A command's action whose failures print as `error: …` on stderr with exit code 1. */
export function cliAction<A extends unknown[]>(run: (...args: A) => Promise<void>) {
  return async (...args: A) => {
    try {
      await run(...args);
    } catch (e) {
      fail((e as Error).message);
    }
  };
}
