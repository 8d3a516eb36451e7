/**
 * What the Discord adapter reads from its account config (the top-level `channels.discord` keys
 * overlaid with `accounts.<id>`), and where its bot token comes from. Policy fields (dm, guilds,
 * groupPolicy, ...) belong to the router; only the adapter's own fields are typed here.
 */
import type { ChunkMode } from "../chunking.js";
import type { Env } from "../../infra/paths.js";

export interface DiscordConfig {
  name?: string;
  enabled?: boolean;
  token?: string;
  /** REST root (a proxy, or a fake in tests). Default `https://discord.com/api`; `/v10/...` is appended. */
  apiBaseUrl?: string;
  /** Outbound characters per message; Discord's hard limit (2000) is also the default. */
  textChunkLimit?: number;
  chunkMode?: ChunkMode;
  /** Tall replies split after this many lines (default 17) so they do not flood a channel. */
  maxLinesPerMessage?: number;
  /** Inbound image attachments larger than this are not downloaded (default 8). */
  mediaMaxMb?: number;
  /** Accept messages written by other bots (the bot's own messages are always ignored). */
  allowBots?: boolean;
}

export const DEFAULT_API_BASE_URL = "https://discord.com/api";
export const DISCORD_MAX_CHARS = 2000;
export const DEFAULT_MAX_LINES = 17;
export const DEFAULT_MEDIA_MAX_MB = 8;
export const NO_TOKEN_ERROR = "no bot token: set DISCORD_BOT_TOKEN or channels.discord.token";

export type TokenSource = "env" | "config" | "none";

/**
 * `DISCORD_BOT_TOKEN` first for the `default` account (hosting guides keep it as a secret), then
 * `token` from config. Other accounts only use their own config token, so a second bot never
 * silently borrows the first one's. A pasted `Bot ` prefix is dropped.
 */
export function resolveToken(config: DiscordConfig, accountId: string, env: Env): { token: string | null; source: TokenSource } {
  const clean = (t: string | undefined) => t?.trim().replace(/^Bot\s+/i, "") || null;
  const fromEnv = accountId === "default" ? clean(env.DISCORD_BOT_TOKEN) : null;
  if (fromEnv) return { token: fromEnv, source: "env" };
  const fromConfig = clean(config.token);
  if (fromConfig) return { token: fromConfig, source: "config" };
  return { token: null, source: "none" };
}
