/**
 * Starts one adapter per configured channel account, loading each platform's library only when it is
 * configured, restarts an account when its config changes, and reports status for `channels.status`.
 */
import type { OpenClawConfig } from "../config/schema.js";
import type { Env } from "../infra/paths.js";
import type { LogSink } from "../infra/logger.js";
import type { AdapterFactory, ChannelAdapter, ChannelStatus, InboundMessage, ProbeResult } from "./types.js";

/** Channels this gateway can run, with the env var that alone is enough to start the default account. */
export const CHANNELS: Record<string, { label: string; envToken: string; load: () => Promise<AdapterFactory<any>> }> = {
  telegram: {
    label: "Telegram",
    envToken: "TELEGRAM_BOT_TOKEN",
    load: async () => (await import("./telegram/index.js")).createTelegramAdapter,
  },
  discord: { label: "Discord", envToken: "DISCORD_BOT_TOKEN", load: async () => (await import("./discord/index.js")).createDiscordAdapter },
};

type Obj = Record<string, any>;

export interface AccountPlan {
  channel: string;
  accountId: string;
  config: Obj;
  /** The config the adapter was started with, to spot changes. */
  fingerprint: string;
}

/** Accounts to run: the top-level block is the `default` account; `accounts.<id>` add more (inheriting top-level keys). */
export function planAccounts(cfg: OpenClawConfig, env: Env): AccountPlan[] {
  const out: AccountPlan[] = [];
  const channels = (cfg.channels ?? {}) as Obj;
  for (const [channel, def] of Object.entries(CHANNELS)) {
    const section: Obj | undefined = channels[channel];
    if (section?.enabled === false) continue;
    const { accounts, ...base } = section ?? {};
    const ids = Object.keys(accounts ?? {});
    const hasDefault = !ids.length || Boolean(section && (base.token || base.botToken || base.tokenFile)) || Boolean(env[def.envToken]);
    if (!section && !env[def.envToken]) continue;
    if (hasDefault && !ids.includes("default")) ids.unshift("default");
    for (const accountId of ids) {
      const own: Obj = accounts?.[accountId] ?? {};
      if (own.enabled === false) continue;
      const config = { ...base, ...own };
      out.push({ channel, accountId, config, fingerprint: JSON.stringify(config) });
    }
  }
  return out;
}

interface Running {
  plan: AccountPlan;
  adapter: ChannelAdapter;
}

export interface ChannelManagerDeps {
  config(): OpenClawConfig;
  env: Env;
  logs: LogSink;
  stateDir: string;
  now: () => number;
  onInbound: (msg: InboundMessage) => void;
  /** Adapter factories by channel (tests may inject); default loads the built-in ones lazily. */
  factories?: Partial<Record<string, AdapterFactory<any>>>;
}

export class ChannelManager {
  private running = new Map<string, Running>(); // `${channel}:${accountId}`

  constructor(private readonly deps: ChannelManagerDeps) {}

  private key(channel: string, accountId: string): string {
    return `${channel}:${accountId}`;
  }

  get(channel: string, accountId = "default"): ChannelAdapter | undefined {
    return this.running.get(this.key(channel, accountId))?.adapter;
  }

  /** The adapters of one channel (started or not), the `default` account first. */
  accounts(channel: string): ChannelAdapter[] {
    return [...this.running.values()]
      .filter((r) => r.plan.channel === channel)
      .map((r) => r.adapter)
      .sort((a, b) => Number(b.accountId === "default") - Number(a.accountId === "default"));
  }

  /** Starts, restarts or stops adapters so that they match the config. */
  async sync(): Promise<void> {
    const plans = planAccounts(this.deps.config(), this.deps.env);
    const wanted = new Map(plans.map((p) => [this.key(p.channel, p.accountId), p]));
    for (const [k, r] of this.running) {
      const p = wanted.get(k);
      if (!p || p.fingerprint !== r.plan.fingerprint) {
        this.running.delete(k);
        await r.adapter.stop().catch(() => undefined);
      }
    }
    await Promise.all(
      plans
        .filter((p) => !this.running.has(this.key(p.channel, p.accountId)))
        .map(async (p) => {
          const log = this.deps.logs.logger(p.accountId === "default" ? p.channel : `${p.channel}/${p.accountId}`);
          try {
            const factory = this.deps.factories?.[p.channel] ?? (await CHANNELS[p.channel]!.load());
            const adapter = factory({
              accountId: p.accountId,
              config: p.config,
              env: this.deps.env,
              log,
              stateDir: this.deps.stateDir,
              now: this.deps.now,
              onInbound: this.deps.onInbound,
            });
            this.running.set(this.key(p.channel, p.accountId), { plan: p, adapter });
            await adapter.start();
          } catch (e) {
            // An adapter must not throw from start(); if one does, the rest of the gateway still runs.
            log.error(`failed to start: ${(e as Error).message}`);
          }
        }),
    );
  }

  async stop(): Promise<void> {
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map((r) => r.adapter.stop().catch(() => undefined)));
  }

  /** `channels.status` payload (protocol shape), optionally probing each account. */
  async status(probe = false, timeoutMs = 8000): Promise<Record<string, unknown>> {
    const channelAccounts: Record<string, Array<ChannelStatus & { probe?: ProbeResult }>> = {};
    const channels: Record<string, unknown> = {};
    for (const r of this.running.values()) {
      const s: ChannelStatus & { probe?: ProbeResult; dmPolicy?: string } = { ...r.adapter.status() };
      if (probe) {
        s.probe = await Promise.race([
          r.adapter.probe(),
          new Promise<ProbeResult>((res) =>
            setTimeout(() => res({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs).unref(),
          ),
        ]);
      }
      const dm = r.plan.config.dm?.policy ?? r.plan.config.dmPolicy;
      if (dm) s.dmPolicy = dm;
      (channelAccounts[r.plan.channel] ??= []).push(s);
    }
    for (const [ch, list] of Object.entries(channelAccounts)) {
      channels[ch] = {
        configured: list.some((a) => a.configured),
        running: list.some((a) => a.running),
        connected: list.some((a) => a.connected),
      };
    }
    const order = Object.keys(CHANNELS).filter((c) => channelAccounts[c]);
    return {
      ts: this.deps.now(),
      channelOrder: order,
      channelLabels: Object.fromEntries(order.map((c) => [c, CHANNELS[c]!.label])),
      channels,
      channelAccounts,
      channelDefaultAccountId: Object.fromEntries(
        order.map((c) => [c, channelAccounts[c]!.some((a) => a.accountId === "default") ? "default" : channelAccounts[c]![0]!.accountId]),
      ),
    };
  }
}
