/**
 * Linking a WhatsApp account from the command line when no gateway is running: the same adapter the
 * gateway runs, started only for its `login`, writing the credentials into the state directory, where
 * the gateway finds them when it starts. Loads Baileys, so it is imported only by that command.
 */
import type { Env } from "../../infra/paths.js";
import type { Logger } from "../../infra/logger.js";
import { whatsappAdapterFactory, type WhatsAppDeps } from "./index.js";
import type { WhatsAppConfig } from "./config.js";

export interface LocalLoginOptions {
  accountId: string;
  config: WhatsAppConfig;
  env: Env;
  stateDir: string;
  force?: boolean;
  verbose?: boolean;
  timeoutMs?: number;
  /** Called with the QR's text once WhatsApp sends it. */
  onQr(qr: string, message: string): void | Promise<void>;
  print(line: string): void;
  deps?: WhatsAppDeps;
}

function cliLogger(print: (line: string) => void, verbose: boolean): Logger {
  const log: Logger = {
    subsystem: "whatsapp",
    trace: () => undefined,
    debug: (m) => (verbose ? print(m) : undefined),
    info: (m) => (verbose ? print(m) : undefined),
    warn: (m) => print(m),
    error: (m) => print(m),
    child: () => log,
  };
  return log;
}

export async function loginLocally(opts: LocalLoginOptions): Promise<{ connected: boolean; message: string }> {
  const adapter = whatsappAdapterFactory(opts.deps)({
    accountId: opts.accountId,
    config: opts.config,
    env: opts.env,
    log: cliLogger(opts.print, Boolean(opts.verbose)),
    stateDir: opts.stateDir,
    now: Date.now,
    onInbound: () => undefined,
  });
  try {
    const start = await adapter.login!.start({ force: opts.force });
    if (!start.qr) return { connected: !/^Failed/.test(start.message), message: start.message };
    await opts.onQr(start.qr, start.message);
    return await adapter.login!.wait({ timeoutMs: opts.timeoutMs });
  } finally {
    await adapter.stop();
  }
}
