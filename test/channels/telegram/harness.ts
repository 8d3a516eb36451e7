/** Starts the real Telegram adapter against a FakeTelegram and collects what it delivers. */
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createTelegramAdapter, type TelegramConfig } from "../../../src/channels/telegram/index.js";
import type { ChannelAdapter, InboundMessage } from "../../../src/channels/types.js";
import type { Env } from "../../../src/infra/paths.js";
import type { Logger } from "../../../src/infra/logger.js";
import type { FakeTelegram } from "../../fakes/telegram.js";

export interface Harness {
  adapter: ChannelAdapter;
  inbound: InboundMessage[];
  logs: string[];
  waitInbound(n: number, timeoutMs?: number): Promise<void>;
}

export function memoryLogger(lines: string[], subsystem = "telegram"): Logger {
  const emit = (level: string) => (msg: string) => void lines.push(`${level}: ${msg}`);
  return {
    subsystem,
    trace: emit("trace"),
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
    child: (sub) => memoryLogger(lines, `${subsystem}/${sub}`),
  };
}

/** One state directory per test process, removed when it exits; each adapter gets its own inside. */
let stateRoot: string | undefined;
function stateDir(): string {
  if (!stateRoot) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "tg-state-"));
    process.once("exit", () => fs.rmSync(root, { recursive: true, force: true }));
    stateRoot = root;
  }
  return fs.mkdtempSync(path.join(stateRoot, "account-"));
}

/**
 * Builds (and by default starts) an adapter pointed at `fake`. The long-poll timeout is 1 s
 * (OPENCLAW_TELEGRAM_POLL_TIMEOUT) so nothing waits on a 30 s poll.
 */
export async function startAdapter(
  fake: FakeTelegram,
  opts: {
    config?: TelegramConfig;
    env?: Env;
    accountId?: string;
    start?: boolean;
    withToken?: boolean;
    commands?: Array<{ name: string; description: string }>;
  } = {},
): Promise<Harness> {
  const inbound: InboundMessage[] = [];
  const logs: string[] = [];
  const config: TelegramConfig = { apiRoot: fake.apiRoot, ...(opts.withToken === false ? {} : { botToken: fake.token }), ...opts.config };
  const adapter = createTelegramAdapter({
    accountId: opts.accountId ?? "default",
    config,
    env: { OPENCLAW_TELEGRAM_POLL_TIMEOUT: "1", ...opts.env },
    log: memoryLogger(logs),
    stateDir: stateDir(),
    now: Date.now,
    onInbound: (m) => void inbound.push(m),
    ...(opts.commands ? { commands: () => opts.commands! } : {}),
  });
  if (opts.start !== false) await adapter.start();
  return {
    adapter,
    inbound,
    logs,
    waitInbound: (n, timeoutMs = 5000) =>
      until(
        () => inbound.length >= n,
        timeoutMs,
        () => `${n} inbound messages (have ${inbound.length})`,
      ),
  };
}

export async function until(predicate: () => boolean, timeoutMs = 5000, what: string | (() => string) = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${typeof what === "string" ? what : what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A port that was free a moment ago (the webhook listener needs it before start, for webhookUrl). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}
