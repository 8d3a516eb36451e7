/** One RPC against a running gateway, for `gateway call`, `health` and `status`. */
import { GatewayClient } from "./client.js";
import { resolveTarget, type TargetFlags } from "./target.js";

export async function callGateway<T = unknown>(method: string, params: unknown, flags: TargetFlags): Promise<T> {
  const target = resolveTarget(flags);
  const client = new GatewayClient({ url: target.url, token: target.token, password: target.password, timeoutMs: target.timeoutMs });
  const timer = setTimeout(() => client.close(), target.timeoutMs);
  try {
    await client.connect();
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
