/** Test helpers: temp state dirs, in-process gateways, real gateway processes, protocol clients. */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { GatewayClient, type ClientOptions, type GatewayRequestError } from "../../src/cli/client.js";
import { startGateway, type Gateway, type GatewayOptions } from "../../src/gateway/start.js";
import { killOnExit, tmpDir } from "./cleanup.js";
import { ROOT } from "./fixtures.js";

export { killOnExit, removeOnExit, tmpDir } from "./cleanup.js";
export { FIXTURES, ROOT, fixture, fixturePath } from "./fixtures.js";
export const ENTRY = path.join(ROOT, "dist/index.js");

export function writeConfig(stateDir: string, config: unknown): string {
  const file = path.join(stateDir, "openclaw.json");
  fs.writeFileSync(file, typeof config === "string" ? config : JSON.stringify(config, null, 2));
  return file;
}

export interface TestGateway extends Gateway {
  stateDir: string;
  output: string[];
  wsUrl: string;
  httpUrl: string;
}

/** Starts a gateway in this process on 127.0.0.1 with a random port and its own state dir. */
export async function startTestGateway(opts: GatewayOptions & { config?: unknown; stateDir?: string } = {}): Promise<TestGateway> {
  const stateDir = opts.stateDir ?? tmpDir();
  if (opts.config !== undefined) writeConfig(stateDir, opts.config);
  const output: string[] = [];
  const gw = await startGateway({
    allowUnconfigured: true,
    port: 0,
    ...opts,
    env: { HOME: stateDir, OPENCLAW_STATE_DIR: stateDir, ...(opts.env ?? {}) },
    cwd: stateDir,
    stdout: (l) => output.push(l),
    stderr: (l) => output.push(l),
  });
  return Object.assign(gw, {
    stateDir,
    output,
    wsUrl: `ws://127.0.0.1:${gw.port}`,
    httpUrl: `http://127.0.0.1:${gw.port}`,
  }) as TestGateway;
}

/** The protocol error a request was refused with; fails when the request succeeds. */
export async function refused(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return (e as GatewayRequestError).error;
  }
  throw new Error("expected the request to be refused");
}

export async function connect(url: string, opts: Partial<ClientOptions> = {}): Promise<GatewayClient> {
  const c = new GatewayClient({ url, timeoutMs: 5000, ...opts });
  await c.connect();
  return c;
}

/**
 * A port nothing listens on: one the system just handed out and took back. For a config that needs
 * a real port number, or a client that must find nothing there (never the default 18789, where a
 * gateway may well be running).
 */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves when `fn` returns truthy; rejects after `timeoutMs`. */
export async function waitFor<T>(fn: () => T | Promise<T>, timeoutMs = 5000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface GatewayProcess {
  proc: ChildProcess;
  stdout: string;
  stderr: string;
  port: number;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs `node dist/index.js ...args` with a clean environment plus `env` (and this process's TMPDIR,
 * so whatever it puts in the temp dir lands where the test run looks for leftovers).
 */
export function runCli(args: string[], env: Record<string, string>, cwd = ROOT) {
  const proc = killOnExit(
    spawn(process.execPath, [ENTRY, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? "", ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  const out = { stdout: "", stderr: "" };
  proc.stdout!.on("data", (d) => (out.stdout += d));
  proc.stderr!.on("data", (d) => (out.stderr += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { proc, out, exit };
}

/** Runs a CLI command to completion. */
export async function cli(args: string[], env: Record<string, string>, cwd = ROOT) {
  const r = runCli(args, env, cwd);
  const { code } = await r.exit;
  return { code, stdout: r.out.stdout, stderr: r.out.stderr };
}

/** Spawns a gateway process and waits for its `listening on` line. */
export async function spawnGateway(args: string[], env: Record<string, string>, timeoutMs = 10_000): Promise<GatewayProcess> {
  const r = runCli(["gateway", ...args], env);
  let exited: { code: number | null } | null = null;
  void r.exit.then((e) => (exited = e));
  const m = await waitFor(
    () => {
      if (exited) throw new Error(`gateway exited (${exited.code}) before listening:\n${r.out.stdout}${r.out.stderr}`);
      return /listening on ws:\/\/[^:]+:(\d+) \(PID (\d+)\)/.exec(r.out.stdout);
    },
    timeoutMs,
    "gateway to listen",
  );
  return {
    proc: r.proc,
    get stdout() {
      return r.out.stdout;
    },
    get stderr() {
      return r.out.stderr;
    },
    port: Number(m![1]),
    exit: r.exit,
  };
}
