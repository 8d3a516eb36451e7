/**
 * What the Telegram adapter reads from its account config, and how it turns that (plus the
 * environment) into settings: token source, Bot API root, polling or webhook.
 */
import type { ChunkMode } from "../chunking.js";
import { expandHome, type Env } from "../../infra/paths.js";
import { FileTooLargeError, NotRegularFileError, readStateFileSync } from "../../infra/read-bounded.js";

/**
 * One account's config: the top-level `channels.telegram` keys overlaid with `accounts.<id>`.
 * Only the fields the adapter reads; the router reads the policy fields (dmPolicy, groups, ...).
 */
export interface TelegramConfig {
  name?: string;
  enabled?: boolean;
  botToken?: string;
  /** File holding the bot token (read at start). */
  tokenFile?: string;
  /** Bot API root, default `https://api.telegram.org` (a local Bot API server or proxy). */
  apiRoot?: string;
  /** Setting this switches from long polling to webhook mode. */
  webhookUrl?: string;
  webhookSecret?: string;
  /** Local path the webhook listener serves, default `/telegram-webhook`. */
  webhookPath?: string;
  textChunkLimit?: number;
  chunkMode?: ChunkMode;
  /** Inbound photo size cap in MB, default 5. */
  mediaMaxMb?: number;
  /** Bot API request timeout; grammY's default (500 s) when unset. */
  timeoutSeconds?: number;
  /** `false` disables link previews on outbound messages. */
  linkPreview?: boolean;
  /** Extra bot menu entries registered next to the native commands. */
  customCommands?: Array<{ command: string; description: string }>;
  commands?: { native?: boolean | "auto" };
}

export const DEFAULT_API_ROOT = "https://api.telegram.org";
export const DEFAULT_WEBHOOK_HOST = "0.0.0.0";
export const DEFAULT_WEBHOOK_PORT = 8787;
export const DEFAULT_WEBHOOK_PATH = "/telegram-webhook";
export const DEFAULT_TEXT_CHUNK_LIMIT = 4000;
export const DEFAULT_MEDIA_MAX_MB = 5;
export const DEFAULT_POLL_TIMEOUT_SECONDS = 30;

export type TokenSource = "config" | "env" | "none";

export interface ResolvedToken {
  token: string | null;
  source: TokenSource;
  /** Why there is no token, in words a person can act on. */
  error?: string;
}

export const NO_TOKEN_ERROR = "no bot token: set TELEGRAM_BOT_TOKEN or channels.telegram.botToken";

/** A bot token is under 100 characters; a tokenFile much bigger is not one. */
const MAX_TOKEN_FILE_BYTES = 64 * 1024;

/**
 * Config first (`botToken`, then `tokenFile`), then `TELEGRAM_BOT_TOKEN`, which only the `default`
 * account may use (a second bot must never silently share the first one's token).
 */
export function resolveToken(config: TelegramConfig, accountId: string, env: Env): ResolvedToken {
  const inline = config.botToken?.trim();
  if (inline) return { token: inline, source: "config" };
  if (config.tokenFile?.trim()) {
    const file = expandHome(config.tokenFile.trim(), env);
    try {
      const fromFile = readStateFileSync(file, MAX_TOKEN_FILE_BYTES).trim();
      if (fromFile) return { token: fromFile, source: "config" };
      return { token: null, source: "none", error: `tokenFile ${file} is empty` };
    } catch (err) {
      if (err instanceof FileTooLargeError || err instanceof NotRegularFileError)
        return {
          token: null,
          source: "none",
          error: `tokenFile ${file} is ${err instanceof FileTooLargeError ? "too large for a bot token" : "not a regular file"}`,
        };
      const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
      return { token: null, source: "none", error: `cannot read tokenFile ${file} (${code})` };
    }
  }
  const fromEnv = accountId === "default" ? env.TELEGRAM_BOT_TOKEN?.trim() : undefined;
  if (fromEnv) return { token: fromEnv, source: "env" };
  return { token: null, source: "none", error: NO_TOKEN_ERROR };
}

export interface TelegramSettings {
  apiRoot: string;
  mode: "polling" | "webhook";
  webhook: { url: string; secret?: string; path: string; host: string; port: number } | null;
  textChunkLimit: number;
  chunkMode?: ChunkMode;
  mediaMaxBytes: number;
  /** getUpdates long-poll timeout in seconds. */
  pollTimeoutSeconds: number;
  timeoutSeconds?: number;
  linkPreview: boolean;
}

/**
 * Settings with defaults applied. Three knobs are not config keys (OpenClaw has none for them) and come
 * from the environment instead, mainly so tests can run fast and on a free port:
 * - `OPENCLAW_TELEGRAM_POLL_TIMEOUT`: getUpdates long-poll seconds (default 30)
 * - `OPENCLAW_TELEGRAM_WEBHOOK_HOST` / `OPENCLAW_TELEGRAM_WEBHOOK_PORT`: webhook listener bind address
 *   (default 0.0.0.0:8787)
 */
export function resolveSettings(config: TelegramConfig, env: Env): TelegramSettings {
  const apiRoot = (config.apiRoot?.trim() || DEFAULT_API_ROOT).replace(/\/+$/, "");
  const webhookUrl = config.webhookUrl?.trim();
  const pollTimeout = Number(env.OPENCLAW_TELEGRAM_POLL_TIMEOUT);
  const port = Number(env.OPENCLAW_TELEGRAM_WEBHOOK_PORT);
  let path = config.webhookPath?.trim() || DEFAULT_WEBHOOK_PATH;
  if (!path.startsWith("/")) path = `/${path}`;
  return {
    apiRoot,
    mode: webhookUrl ? "webhook" : "polling",
    webhook: webhookUrl
      ? {
          url: webhookUrl,
          secret: config.webhookSecret?.trim() || undefined,
          path,
          host: env.OPENCLAW_TELEGRAM_WEBHOOK_HOST?.trim() || DEFAULT_WEBHOOK_HOST,
          port: Number.isInteger(port) && port >= 0 && env.OPENCLAW_TELEGRAM_WEBHOOK_PORT?.trim() ? port : DEFAULT_WEBHOOK_PORT,
        }
      : null,
    textChunkLimit: config.textChunkLimit ?? DEFAULT_TEXT_CHUNK_LIMIT,
    chunkMode: config.chunkMode,
    mediaMaxBytes: Math.floor((config.mediaMaxMb ?? DEFAULT_MEDIA_MAX_MB) * 1024 * 1024),
    pollTimeoutSeconds:
      Number.isFinite(pollTimeout) && pollTimeout >= 0 && env.OPENCLAW_TELEGRAM_POLL_TIMEOUT?.trim()
        ? pollTimeout
        : DEFAULT_POLL_TIMEOUT_SECONDS,
    timeoutSeconds: config.timeoutSeconds,
    linkPreview: config.linkPreview !== false,
  };
}

/** The native chat commands shown in Telegram's bot menu. */
export const NATIVE_COMMANDS: ReadonlyArray<{ command: string; description: string }> = [
  { command: "new", description: "Start a new conversation" },
  { command: "reset", description: "Reset the current session" },
  { command: "model", description: "Show or switch the model" },
  { command: "status", description: "Show session status" },
  { command: "stop", description: "Stop the current run" },
  { command: "compact", description: "Compact the conversation history" },
  { command: "help", description: "List available commands" },
];

/**
 * Native commands (unless `commands.native` is false) plus valid `customCommands`; custom entries
 * that collide with a native one or break Telegram's rules are skipped and reported in `skipped`.
 */
export function menuCommands(
  config: TelegramConfig,
  pluginCommands: Array<{ name: string; description: string }> = [],
): {
  commands: Array<{ command: string; description: string }>;
  skipped: string[];
} {
  const commands = config.commands?.native === false ? [] : NATIVE_COMMANDS.map((c) => ({ ...c }));
  const skipped: string[] = [];
  const seen = new Set(commands.map((c) => c.command));
  for (const c of config.customCommands ?? []) {
    const name = c.command.trim().replace(/^\//, "").toLowerCase();
    const description = c.description.trim();
    if (!/^[a-z0-9_]{1,32}$/.test(name) || !description || description.length > 256) {
      skipped.push(`${c.command}: invalid (names are a-z, 0-9, _ up to 32 chars; description 1-256 chars)`);
    } else if (seen.has(name)) {
      skipped.push(`${c.command}: conflicts with an existing command`);
    } else {
      seen.add(name);
      commands.push({ command: name, description });
    }
  }
  if (config.commands?.native !== false) {
    for (const c of pluginCommands) {
      const name = c.name.toLowerCase();
      // Telegram menu names are narrower than plugin command names; those that do not fit still work typed.
      if (seen.has(name) || !/^[a-z0-9_]{1,32}$/.test(name)) continue;
      seen.add(name);
      commands.push({ command: name, description: (c.description || name).slice(0, 256) });
    }
  }
  return { commands, skipped };
}
