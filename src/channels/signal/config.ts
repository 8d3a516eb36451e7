/**
 * What the Signal adapter reads from its account config, and the settings it derives: the daemon's
 * address, whether to spawn `signal-cli` itself (and with which arguments), limits.
 */
import type { ChunkMode } from "../chunking.js";

/** One account's config: top-level `channels.signal` keys overlaid with `accounts.<id>`. */
export interface SignalConfig {
  name?: string;
  enabled?: boolean;
  /** The bot's Signal number (E.164), as linked or registered in signal-cli. */
  account?: string;
  /** The daemon's base URL (`http://127.0.0.1:8080`); overrides httpHost/httpPort. */
  httpUrl?: string;
  httpHost?: string;
  httpPort?: number;
  cliPath?: string;
  /** Spawn `signal-cli daemon` ourselves; default: when `httpUrl` is not set. */
  autoStart?: boolean;
  startupTimeoutMs?: number;
  receiveMode?: "on-start" | "manual";
  ignoreAttachments?: boolean;
  ignoreStories?: boolean;
  sendReadReceipts?: boolean;
  textChunkLimit?: number;
  chunkMode?: ChunkMode;
  mediaMaxMb?: number;
  actions?: { reactions?: boolean };
  reactionLevel?: "off" | "ack" | "minimal" | "extensive";
}

export const DEFAULT_HTTP_HOST = "127.0.0.1";
export const DEFAULT_HTTP_PORT = 8080;
export const DEFAULT_CLI_PATH = "signal-cli";
export const DEFAULT_STARTUP_TIMEOUT_MS = 30_000;
export const DEFAULT_TEXT_CHUNK_LIMIT = 4000;
export const DEFAULT_MEDIA_MAX_MB = 8;

export interface DaemonSpawn {
  cliPath: string;
  args: string[];
  startupTimeoutMs: number;
}

export interface SignalSettings {
  /** The bot's number in E.164 (`+15551234567`), or undefined when not set. */
  account?: string;
  baseUrl: string;
  /** Set when this gateway runs the daemon itself. */
  daemon: DaemonSpawn | null;
  textChunkLimit: number;
  chunkMode?: ChunkMode;
  mediaMaxBytes: number;
  ignoreAttachments: boolean;
  ignoreStories: boolean;
  /** The gateway sends read receipts itself (when the daemon is external; a spawned one is told to). */
  readReceipts: boolean;
  reactions: boolean;
}

/** `+1 (555) 123-4567`, `0015551234567`, `15551234567` → `+15551234567`. */
export function normalizeE164(raw: string): string {
  const trimmed = raw.trim().replace(/^signal:/i, "");
  const digits = trimmed.replace(/[^\d]/g, "");
  if (!digits) return trimmed;
  if (trimmed.startsWith("00")) return `+${digits.slice(2)}`;
  return `+${digits}`;
}

/** `http://host:port` without a trailing slash; a bare `host:port` gets `http://`. */
export function normalizeBaseUrl(url: string): string {
  const t = url.trim().replace(/\/+$/, "");
  return /^https?:\/\//i.test(t) ? t : `http://${t}`;
}

export function clampStartupTimeout(ms: number | undefined): number {
  const v = typeof ms === "number" && Number.isFinite(ms) ? ms : DEFAULT_STARTUP_TIMEOUT_MS;
  return Math.min(120_000, Math.max(1_000, Math.round(v)));
}

/** `signal-cli [-a <account>] daemon --http <host>:<port> --no-receive-stdout [...]`. */
export function daemonArgs(config: SignalConfig, host: string, port: number): string[] {
  const args: string[] = [];
  if (config.account?.trim()) args.push("-a", normalizeE164(config.account));
  args.push("daemon", "--http", `${host}:${port}`, "--no-receive-stdout");
  if (config.receiveMode) args.push("--receive-mode", config.receiveMode);
  if (config.ignoreAttachments) args.push("--ignore-attachments");
  if (config.ignoreStories) args.push("--ignore-stories");
  if (config.sendReadReceipts) args.push("--send-read-receipts");
  return args;
}

/**
 * Settings with defaults applied. Like OpenClaw, the daemon is spawned unless `httpUrl` is set
 * (`autoStart` decides when given); an `httpUrl` never leads to a spawn unless `autoStart: true`.
 */
export function resolveSettings(config: SignalConfig): SignalSettings {
  const host = config.httpHost?.trim() || DEFAULT_HTTP_HOST;
  const port = config.httpPort ?? DEFAULT_HTTP_PORT;
  const httpUrl = config.httpUrl?.trim();
  const baseUrl = normalizeBaseUrl(httpUrl || `${host}:${port}`);
  const autoStart = config.autoStart ?? !httpUrl;
  let daemon: DaemonSpawn | null = null;
  if (autoStart) {
    // With an httpUrl and autoStart, the daemon listens where the URL points.
    let bindHost = host;
    let bindPort = port;
    if (httpUrl) {
      const u = new URL(baseUrl);
      bindHost = u.hostname;
      bindPort = u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 80;
    }
    daemon = {
      cliPath: config.cliPath?.trim() || DEFAULT_CLI_PATH,
      args: daemonArgs(config, bindHost, bindPort),
      startupTimeoutMs: clampStartupTimeout(config.startupTimeoutMs),
    };
  }
  const level = config.reactionLevel;
  return {
    account: config.account?.trim() ? normalizeE164(config.account) : undefined,
    baseUrl,
    daemon,
    textChunkLimit: config.textChunkLimit ?? DEFAULT_TEXT_CHUNK_LIMIT,
    chunkMode: config.chunkMode,
    mediaMaxBytes: Math.floor((config.mediaMaxMb ?? DEFAULT_MEDIA_MAX_MB) * 1024 * 1024),
    ignoreAttachments: config.ignoreAttachments === true,
    ignoreStories: config.ignoreStories === true,
    readReceipts: config.sendReadReceipts === true && !daemon,
    reactions: config.actions?.reactions !== false && level !== "off" && level !== "ack",
  };
}
