/**
 * What a channel plugin registers (`api.registerChannel({ plugin })`): everything the rest of the
 * gateway needs to know about a chat platform without loading its library. The router reads its
 * rules, `channels.status`/`health` its labels, `channels.logout` its credential keys, doctor and the
 * security audit its token lookup and access keys; the adapter itself loads only when an account of
 * the channel is configured.
 */
import type { Env } from "../infra/paths.js";
import type { AdapterFactory, ChannelRules } from "./types.js";
import type { BuiltinPlugin } from "../plugins/builtin.js";

export interface ChannelPlugin {
  /** The `channels.<id>` config key and the `channel` of its messages. */
  id: string;
  label: string;
  /** What clients show under the name (`Telegram Bot`), and an SF Symbols name for native apps. */
  detailLabel: string;
  systemImage?: string;
  /** The env var that alone is enough to start the default account (channels without a token have none). */
  envToken?: string;
  /** Config keys of an account that hold its credentials (what `channels.logout` removes from the config). */
  credentialKeys: string[];
  /** How its access config reads for the router. */
  rules: ChannelRules;
  /** For channels with one bot token: the account config key that holds it (`botToken`), and where a token comes from. */
  tokenKey?: string;
  resolveToken?(config: Record<string, any>, accountId: string, env: Env): { token: string | null; source: string; error?: string };
  /**
   * For channels set up otherwise (a linked device, a daemon, two tokens): whether an account has what
   * it needs to connect, as `openclaw doctor` reports it. Takes precedence over `resolveToken`.
   */
  setup?(config: Record<string, any>, accountId: string, env: Env, stateDir: string): SetupCheck;
  /**
   * Credentials kept outside the config (a linked device's keys): removed by `channels.logout` after
   * the account has stopped. Returns whether anything was removed.
   */
  logout?(config: Record<string, any>, accountId: string, env: Env, stateDir: string): Promise<boolean>;
  /** The adapter factory, imported on first use. */
  load(): Promise<AdapterFactory<any>>;
}

/** What doctor says about one account's credentials. */
export interface SetupCheck {
  ok: boolean;
  /** `bot token from TELEGRAM_BOT_TOKEN`, `linked as +15551234567`, or what is missing. */
  detail: string;
  /** What to do when not ok. */
  fix?: string;
}

/** Whether a registered channel is one this gateway can run (OpenClaw's own channel shape is not). */
export function isChannelPlugin(value: unknown): value is ChannelPlugin {
  const p = value as Partial<ChannelPlugin> | null;
  return Boolean(
    p &&
    typeof p.id === "string" &&
    typeof p.label === "string" &&
    typeof p.load === "function" &&
    (typeof p.resolveToken === "function" || typeof p.setup === "function") &&
    p.rules &&
    typeof p.rules.dm === "function" &&
    typeof p.rules.group === "function",
  );
}

/** The channels one gateway (or one CLI command) knows, in registration order. */
export class ChannelCatalog {
  private readonly byId = new Map<string, ChannelPlugin>();

  constructor(plugins: Iterable<ChannelPlugin>) {
    for (const p of plugins) if (!this.byId.has(p.id)) this.byId.set(p.id, p);
  }

  get(id: string): ChannelPlugin | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  list(): ChannelPlugin[] {
    return [...this.byId.values()];
  }
}

/** The built-in plugin of a channel that registers nothing but the channel itself. */
export function channelOnlyPlugin(channel: ChannelPlugin, description: string): BuiltinPlugin {
  return { id: channel.id, name: channel.label, description, register: (api) => api.registerChannel({ plugin: channel }) };
}
