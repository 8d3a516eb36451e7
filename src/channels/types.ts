/**
 * The channel adapter contract. An adapter connects one account of one chat platform, turns the
 * platform's events into `InboundMessage`s, and sends replies. Everything platform-specific (length
 * limits, markdown dialect, mention syntax, rate limits, reconnects) stays inside the adapter: the
 * router and the agent never see it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ImageContent } from "../providers/types.js";
import type { Env } from "../infra/paths.js";
import type { Logger } from "../infra/logger.js";

export type ChatKind = "dm" | "group" | "channel";

/** One message from a person, normalised. */
export interface InboundMessage {
  channel: string; // the channel's id in CHANNELS
  accountId: string; // "default" or a key of channels.<name>.accounts
  messageId: string;
  chat: {
    kind: ChatKind;
    /** Where to reply: the platform's chat or channel id (a DM channel for DMs). */
    id: string;
    /** Forum topic or thread the message is in. */
    threadId?: string;
    /** A thread's parent channel (threads inherit its rules). */
    parentId?: string;
    title?: string;
    /** The server (guild) on platforms that have them. */
    guildId?: string;
    guildName?: string;
    /** The channel's name without `#` (config may key channels by name). */
    channelName?: string;
    parentName?: string;
  };
  sender: {
    id: string;
    username?: string;
    name?: string;
    isBot?: boolean;
  };
  /** Text with the bot's own mention removed (`<@123> hi` → `hi`, `/status@bot` → `/status`). */
  text: string;
  images?: ImageContent[];
  /** The bot was mentioned, or the message replies to the bot. Always true in DMs. */
  mentioned: boolean;
  replyToMessageId?: string;
  timestamp: number;
}

export interface OutboundTarget {
  chatId: string;
  threadId?: string;
  replyToMessageId?: string;
}

/** A target string a platform cannot send to; the message says which forms it accepts. */
export class TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TargetError";
  }
}

export interface OutboundContent {
  /** Markdown as the agent wrote it; the adapter converts it to its platform's dialect. */
  text: string;
  images?: Array<{ mimeType: string; data: Buffer; fileName?: string }>;
}

export interface SendResult {
  messageIds: string[];
  /** Where it landed, named as OpenClaw's `send` reply names it (`chatId`, `channelId`, …). */
  delivered?: Record<string, string>;
}

/** Status fields follow the protocol's `channels.status` account shape. */
export interface ChannelStatus {
  accountId: string;
  name?: string;
  enabled: boolean;
  configured: boolean;
  running: boolean;
  connected: boolean;
  reconnectAttempts?: number;
  lastConnectedAt?: number;
  lastError?: string;
  lastStartAt?: number;
  lastStopAt?: number;
  lastInboundAt?: number;
  lastOutboundAt?: number;
  mode?: string; // "polling" | "webhook" | "gateway"
  tokenSource?: string; // "env" | "config" | "none"
  baseUrl?: string;
  /** Bot identity once connected. */
  botId?: string;
  botName?: string;
  /** Replies waiting for the connection to come back. */
  queued?: number;
}

export interface ProbeResult {
  ok: boolean;
  detail?: string;
  latencyMs?: number;
  bot?: { id: string; name: string };
}

export interface ChannelAdapter {
  readonly channel: string;
  readonly accountId: string;
  /**
   * Connects and starts receiving. Never throws for a bad token or an unreachable API: those end in
   * `status().lastError` (and a retry with backoff where it can help), so one broken channel cannot
   * take the gateway down or into a crash loop.
   */
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): ChannelStatus;
  /**
   * Sends a reply: converted to the platform's markdown, chunked to its limit (never inside a code
   * fence), queued while disconnected and delivered after, platform rate limits honoured.
   */
  send(to: OutboundTarget, content: OutboundContent): Promise<SendResult>;
  /**
   * Reads a target as an operator writes it (`openclaw message send --target`, the `send` method):
   * in the platform's own forms (`-1001234567890:topic:42`, `@channel`, `user:123`, …). Throws a
   * `TargetError` naming the accepted forms. Without it, the trimmed string is the chat id.
   */
  parseTarget?(raw: string): OutboundTarget;
  /** Adds (or removes) an emoji reaction to a message, where the platform has reactions. */
  react?(to: OutboundTarget, messageId: string, emoji: string, remove: boolean): Promise<void>;
  /** Shows "typing…" once (callers repeat it while the agent works). */
  typing(to: OutboundTarget): Promise<void>;
  /** Checks the credentials and API reachability now. */
  probe(): Promise<ProbeResult>;
  /**
   * Interactive linking (a QR code scanned on a phone), for platforms that link a device instead of
   * taking a token: what `web.login.start|wait` and `openclaw channels login` drive.
   */
  login?: ChannelLogin;
}

export interface ChannelLogin {
  /** Starts linking (stopping the account's connection first); resolves with the QR once there is one. */
  start(opts: { force?: boolean; timeoutMs?: number }): Promise<LoginStart>;
  /** Waits for the phone to finish linking; on success the account connects without a restart. */
  wait(opts: { timeoutMs?: number }): Promise<{ connected: boolean; message: string }>;
}

export interface LoginStart {
  message: string;
  /** The QR as a PNG data URL, for the Control UI. Absent when already linked. */
  qrDataUrl?: string;
  /** The QR's text, for terminals that draw it themselves. */
  qr?: string;
}

/** What an adapter factory gets. `config` is the merged config of this account. */
export interface ChannelContext<C = Record<string, unknown>> {
  accountId: string;
  config: C;
  env: Env;
  log: Logger;
  stateDir: string;
  now: () => number;
  onInbound: (msg: InboundMessage) => void;
  /** Chat commands plugins added, for platforms with a command menu (read when the menu is set). */
  commands?: () => Array<{ name: string; description: string }>;
  /**
   * Mounts a public route on the gateway's own HTTP port (Fly exposes one port) for a platform that
   * pushes events over HTTP. The route is not behind the gateway token: the handler must verify the
   * platform's signature itself. Returns a function that unmounts it; a path already taken throws.
   */
  http?: ChannelHttp;
}

export type ChannelHttpHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface ChannelHttp {
  route(path: string, handler: ChannelHttpHandler): () => void;
}

export type AdapterFactory<C = Record<string, unknown>> = (ctx: ChannelContext<C>) => ChannelAdapter;

/** A DM or group policy as channels word it. */
export type AccessPolicy = "pairing" | "allowlist" | "open" | "disabled";

/** Who may write in direct messages, as the router applies it. */
export interface DmRules {
  enabled: boolean;
  policy: AccessPolicy;
  allowFrom: Array<string | number>;
}

/** Who may be answered in a group, guild channel or thread, as the router applies it. */
export interface GroupRules {
  policy: "allowlist" | "open" | "disabled";
  /** Whether the group/guild/channel itself is admitted (listed, or the policy is open). */
  listed: boolean;
  /** An entry switched off explicitly (`enabled: false`, `allow: false`). */
  off: boolean;
  /** Senders admitted in this group (undefined: anyone who reaches the group). */
  users?: Array<string | number>;
  /**
   * Set when, under an allowlist policy with no `users`, nobody is admitted (a channel whose group
   * allowlist is about senders): the reason to log. Unset: a listed group admits everyone in it.
   */
  noUsersReason?: string;
  requireMention: boolean;
  systemPrompt?: string;
  /** The group's tool policy (`tools`), and per-sender ones (`toolsBySender`), as its config gives them. */
  tools?: GroupToolPolicy;
  toolsBySender?: Record<string, GroupToolPolicy>;
}

/** A tool policy entry in a channel's group config: `{ allow, alsoAllow, deny }`. */
export interface GroupToolPolicy {
  allow?: string[];
  alsoAllow?: string[];
  deny?: string[];
}

/**
 * How a channel's config reads for the router: each channel words it differently, and its own
 * folder turns that into the same rules. Loaded without the platform's library.
 */
export interface ChannelRules {
  dm(cfg: Record<string, any>): DmRules;
  /** `sectionPresent`: whether `channels.<name>` exists in the config file (not just an env token). */
  group(cfg: Record<string, any>, msg: InboundMessage, sectionPresent: boolean): GroupRules;
  /** The peer a group message belongs to in session keys (a forum topic may be its own peer). */
  groupPeerId(msg: InboundMessage): string;
  /** Un-mentioned group messages kept as context when neither the account nor `messages.groupChat` sets it. */
  historyLimit: number;
  /** The group policy in force when the account sets none. */
  defaultGroupPolicy(sectionPresent: boolean): "allowlist" | "open" | "disabled";
  /** Where an account's settings live, relative to it, for messages that name keys. */
  keys: { dmPolicy: string; groupList: string };
}
