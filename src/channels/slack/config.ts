/**
 * What the Slack adapter reads from its account config (the top-level `channels.slack` keys overlaid
 * with `accounts.<id>`), and where its tokens come from. Access keys (dm, channels, groupPolicy) belong
 * to the router (rules.ts); only the adapter's own fields are typed here. No Slack library import:
 * doctor and the plugin read this without loading Bolt.
 */
import type { ChunkMode } from "../chunking.js";
import type { Env } from "../../infra/paths.js";
import type { SetupCheck } from "../plugin.js";

export type ReplyToMode = "off" | "first" | "all";

export interface SlackChannelEntry {
  enabled?: boolean;
  allow?: boolean;
  requireMention?: boolean;
  allowBots?: boolean;
  users?: Array<string | number>;
  systemPrompt?: string;
}

export interface SlackConfig {
  name?: string;
  enabled?: boolean;
  /** `socket` (default: Socket Mode, no inbound port) or `http` (Events API posted to webhookPath). */
  mode?: "socket" | "http";
  botToken?: string;
  appToken?: string;
  userToken?: string;
  signingSecret?: string;
  webhookPath?: string;
  /** Web API root (a proxy, or a fake in tests). Default `https://slack.com/api/`. */
  apiBaseUrl?: string;
  allowBots?: boolean;
  requireMention?: boolean;
  textChunkLimit?: number;
  chunkMode?: ChunkMode;
  mediaMaxMb?: number;
  replyToMode?: ReplyToMode;
  replyToModeByChatType?: { direct?: ReplyToMode; group?: ReplyToMode; channel?: ReplyToMode };
  dm?: { replyToMode?: ReplyToMode; [k: string]: unknown };
  channels?: Record<string, SlackChannelEntry>;
}

export const DEFAULT_API_BASE_URL = "https://slack.com/api/";
export const DEFAULT_WEBHOOK_PATH = "/slack/events";
/** Slack accepts up to 40,000 characters but folds long messages; OpenClaw's default chunk is 4000. */
export const SLACK_TEXT_LIMIT = 4000;
export const DEFAULT_MEDIA_MAX_MB = 20;

export type TokenSource = "env" | "config" | "none";

export interface SlackTokens {
  botToken: string | null;
  appToken: string | null;
  signingSecret: string | null;
  /** Where the bot token came from. */
  source: TokenSource;
}

const clean = (t: unknown) => (typeof t === "string" && t.trim() ? t.trim() : null);

/**
 * `SLACK_BOT_TOKEN` / `SLACK_APP_TOKEN` for the `default` account (hosting guides keep them as
 * secrets), then the config. Other accounts use only their own config, so a second workspace never
 * borrows the first one's tokens.
 */
export function resolveTokens(config: SlackConfig, accountId: string, env: Env): SlackTokens {
  const envBot = accountId === "default" ? clean(env.SLACK_BOT_TOKEN) : null;
  const envApp = accountId === "default" ? clean(env.SLACK_APP_TOKEN) : null;
  const botToken = envBot ?? clean(config.botToken);
  return {
    botToken,
    appToken: envApp ?? clean(config.appToken),
    signingSecret: clean(config.signingSecret),
    source: envBot ? "env" : botToken ? "config" : "none",
  };
}

export function modeOf(config: SlackConfig): "socket" | "http" {
  return config.mode === "http" ? "http" : "socket";
}

/** What is missing for this account to connect, in words doctor and `status().lastError` can show. */
export function missingCredentials(config: SlackConfig, accountId: string, env: Env): string | null {
  const t = resolveTokens(config, accountId, env);
  const where = (key: string, envName: string) =>
    accountId === "default" ? `${envName} or channels.slack.${key}` : `channels.slack.accounts.${accountId}.${key}`;
  const missing: string[] = [];
  if (!t.botToken) missing.push(`a bot token (xoxb-…: ${where("botToken", "SLACK_BOT_TOKEN")})`);
  if (modeOf(config) === "socket") {
    if (!t.appToken) missing.push(`an app-level token for Socket Mode (xapp-…: ${where("appToken", "SLACK_APP_TOKEN")})`);
  } else if (!t.signingSecret) {
    missing.push(
      `the signing secret for HTTP mode (channels.slack${accountId === "default" ? "" : `.accounts.${accountId}`}.signingSecret)`,
    );
  }
  return missing.length ? `missing ${missing.join(" and ")}` : null;
}

export function setupCheck(config: Record<string, any>, accountId: string, env: Env): SetupCheck {
  const cfg = config as SlackConfig;
  const missing = missingCredentials(cfg, accountId, env);
  const mode = modeOf(cfg);
  if (missing)
    return {
      ok: false,
      detail: `${mode === "socket" ? "Socket Mode" : "HTTP mode"}: ${missing}`,
      fix:
        mode === "socket"
          ? 'Socket Mode needs the bot token (xoxb-) and an app-level token (xapp-) with connections:write; or set mode: "http" with a signingSecret'
          : "HTTP mode needs the bot token (xoxb-) and the app's signing secret (Basic Information → App Credentials)",
    };
  const t = resolveTokens(cfg, accountId, env);
  return {
    ok: true,
    detail: `${mode === "socket" ? "Socket Mode" : "HTTP mode"}, bot token from ${t.source === "env" ? "SLACK_BOT_TOKEN" : "config"}`,
  };
}

/** Where replies go for this chat type: `replyToModeByChatType`, then legacy `dm.replyToMode` for DMs, then `replyToMode` ("off"). */
export function replyToModeFor(config: SlackConfig, kind: "dm" | "group" | "channel"): ReplyToMode {
  const byType = config.replyToModeByChatType;
  const key = kind === "dm" ? "direct" : kind;
  const own = byType?.[key];
  if (own) return own;
  if (kind === "dm" && config.dm?.replyToMode) return config.dm.replyToMode;
  return config.replyToMode ?? "off";
}
