/**
 * Starts one adapter per configured channel account, loading each platform's library only when it is
 * configured, restarts an account when its config changes, and reports status for `channels.status`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { OpenClawConfig } from "../config/schema.js";
import type { Env } from "../infra/paths.js";
import type { LogSink } from "../infra/logger.js";
import type {
  AdapterFactory,
  ChannelAdapter,
  ChannelHttp,
  ChannelHttpHandler,
  ChannelRules,
  ChannelStatus,
  InboundMessage,
  ProbeResult,
} from "./types.js";
import type { ChannelCatalog } from "./plugin.js";

type AccountSnapshot = ChannelStatus & { probe?: ProbeResult; lastProbeAt?: number; dmPolicy?: string };

type Obj = Record<string, any>;

export interface AccountPlan {
  channel: string;
  accountId: string;
  config: Obj;
  /** The config the adapter was started with, to spot changes. */
  fingerprint: string;
}

/** Accounts to run: the top-level block is the `default` account; `accounts.<id>` add more (inheriting top-level keys). */
export function planAccounts(cfg: OpenClawConfig, env: Env, catalog: ChannelCatalog): AccountPlan[] {
  const out: AccountPlan[] = [];
  const channels = (cfg.channels ?? {}) as Obj;
  for (const def of catalog.list()) {
    const channel = def.id;
    const section: Obj | undefined = channels[channel];
    if (section?.enabled === false) continue;
    const { accounts, ...base } = section ?? {};
    const ids = Object.keys(accounts ?? {});
    const fromEnv = Boolean(def.envToken && env[def.envToken]);
    const hasDefault = !ids.length || Boolean(section && def.credentialKeys.some((k) => base[k])) || fromEnv;
    if (!section && !fromEnv) continue;
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
  /** The channels this gateway can run. */
  catalog: ChannelCatalog;
  /** Chat commands plugins added (for command menus). */
  commands?: () => Array<{ name: string; description: string }>;
  /** Adapter factories by channel (tests may inject); default loads each channel's own lazily. */
  factories?: Partial<Record<string, AdapterFactory<any>>>;
}

export class ChannelManager {
  private running = new Map<string, Running>(); // `${channel}:${accountId}`
  /** Public routes adapters mounted on the gateway port, by exact path. */
  private routes = new Map<string, { owner: string; handler: ChannelHttpHandler }>();

  readonly catalog: ChannelCatalog;
  private inbound: ((msg: InboundMessage) => void) | null = null;

  constructor(private readonly deps: ChannelManagerDeps) {
    this.catalog = deps.catalog;
  }

  /**
   * Where the adapters' messages go (the router, which itself replies through this manager: the one
   * cycle in the flow, closed here explicitly). Must be set before `sync` starts any adapter.
   */
  connect(handler: (msg: InboundMessage) => void): void {
    this.inbound = handler;
  }

  private readonly onInbound = (msg: InboundMessage): void => {
    if (!this.inbound) throw new Error("channel manager: a message arrived before connect() was called");
    this.inbound(msg);
  };

  private key(channel: string, accountId: string): string {
    return `${channel}:${accountId}`;
  }

  /**
   * The route an adapter mounted at this exact path, for the gateway's HTTP server: public (the
   * adapter verifies the platform's signature), and a handler that throws answers 500, logged.
   */
  publicRoute(path: string): { public: true; handle(req: IncomingMessage, res: ServerResponse): Promise<void> } | null {
    const r = this.routes.get(path);
    if (!r) return null;
    return {
      public: true,
      handle: async (req, res) => {
        try {
          await r.handler(req, res);
        } catch (e) {
          this.deps.logs.logger(r.owner).error(`HTTP ${path} failed: ${(e as Error).message}`);
          if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
          if (!res.writableEnded)
            res.end(JSON.stringify({ error: { code: "CHANNEL_ERROR", message: `${r.owner} could not handle this request` } }));
        }
      },
    };
  }

  private httpFor(owner: string): ChannelHttp {
    return {
      route: (path, handler) => {
        if (!path.startsWith("/")) throw new Error(`${owner}: an HTTP path must start with "/" (got "${path}")`);
        const taken = this.routes.get(path);
        if (taken && taken.owner !== owner)
          throw new Error(`${owner}: ${path} is already served by ${taken.owner}; give this account another path`);
        const entry = { owner, handler };
        this.routes.set(path, entry);
        return () => {
          if (this.routes.get(path) === entry) this.routes.delete(path);
        };
      },
    };
  }

  /** Stops and starts one account again (after linking a device, say), keeping its config. */
  async restart(channel: string, accountId = "default"): Promise<boolean> {
    const r = this.running.get(this.key(channel, accountId));
    if (!r) return false;
    await r.adapter.stop().catch(() => undefined);
    await r.adapter.start();
    return true;
  }

  /** The channel's name as people see it ("Telegram"), else undefined. */
  label(channel: string): string | undefined {
    return this.catalog.get(channel)?.label;
  }

  /** The router's rules for a channel this gateway knows, else undefined. */
  rules(channel: string): ChannelRules | undefined {
    return this.catalog.get(channel)?.rules;
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
    const plans = planAccounts(this.deps.config(), this.deps.env, this.catalog);
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
          const name = p.accountId === "default" ? p.channel : `${p.channel}/${p.accountId}`;
          const log = this.deps.logs.logger(name);
          try {
            const factory = this.deps.factories?.[p.channel] ?? (await this.catalog.get(p.channel)!.load());
            const adapter = factory({
              accountId: p.accountId,
              config: p.config,
              env: this.deps.env,
              log,
              stateDir: this.deps.stateDir,
              now: this.deps.now,
              onInbound: this.onInbound,
              commands: this.deps.commands,
              http: this.httpFor(name),
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

  /**
   * Every account of every channel this gateway knows, as `channels.status` reports them: running
   * accounts from their adapter, channels with nothing configured as one unconfigured `default`.
   */
  snapshot(): { order: string[]; accounts: Record<string, AccountSnapshot[]>; defaults: Record<string, string> } {
    const accounts: Record<string, AccountSnapshot[]> = {};
    for (const r of this.running.values()) {
      const s: AccountSnapshot = { ...r.adapter.status() };
      const dm = r.plan.config.dm?.policy ?? r.plan.config.dmPolicy;
      if (dm) s.dmPolicy = dm;
      (accounts[r.plan.channel] ??= []).push(s);
    }
    const order = this.catalog.ids();
    const defaults: Record<string, string> = {};
    for (const ch of order) {
      const list = (accounts[ch] ??= []);
      if (list.length === 0) list.push({ accountId: "default", enabled: true, configured: false, running: false, connected: false });
      defaults[ch] = list.some((a) => a.accountId === "default") ? "default" : list[0]!.accountId;
    }
    return { order, accounts, defaults };
  }

  /** `channels.status` payload (OpenClaw's shape), optionally probing each running account. */
  async status(probe = false, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const snap = this.snapshot();
    if (probe) {
      await Promise.all(
        [...this.running.values()].map(async (r) => {
          const s = snap.accounts[r.plan.channel]?.find((a) => a.accountId === r.plan.accountId);
          if (!s) return;
          s.probe = await Promise.race([
            r.adapter.probe().catch((e: Error) => ({ ok: false, detail: e.message })),
            new Promise<ProbeResult>((res) =>
              setTimeout(() => res({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs).unref(),
            ),
          ]);
          s.lastProbeAt = this.deps.now();
        }),
      );
    }
    const channels: Record<string, unknown> = {};
    for (const ch of snap.order) channels[ch] = channelSummary(snap.accounts[ch]!, snap.defaults[ch]!);
    const meta = snap.order.map((id) => {
      const d = this.catalog.get(id)!;
      return { id, label: d.label, detailLabel: d.detailLabel, ...(d.systemImage ? { systemImage: d.systemImage } : {}) };
    });
    return {
      ts: this.deps.now(),
      channelOrder: snap.order,
      channelLabels: Object.fromEntries(meta.map((m) => [m.id, m.label])),
      channelDetailLabels: Object.fromEntries(meta.map((m) => [m.id, m.detailLabel])),
      channelSystemImages: Object.fromEntries(meta.filter((m) => m.systemImage).map((m) => [m.id, m.systemImage])),
      channelMeta: meta,
      channels,
      channelAccounts: snap.accounts,
      channelDefaultAccountId: snap.defaults,
    };
  }
}

/** A channel's summary: its default account's state, with whether any account is configured, running, connected. */
export function channelSummary(accounts: AccountSnapshot[], defaultAccountId: string) {
  const def = accounts.find((a) => a.accountId === defaultAccountId) ?? accounts[0];
  return {
    configured: accounts.some((a) => a.configured),
    running: accounts.some((a) => a.running),
    connected: accounts.some((a) => a.connected),
    ...(def?.mode ? { mode: def.mode } : {}),
    ...(def?.tokenSource ? { tokenSource: def.tokenSource } : {}),
    ...(def?.lastStartAt ? { lastStartAt: def.lastStartAt } : {}),
    ...(def?.lastStopAt ? { lastStopAt: def.lastStopAt } : {}),
    lastError: def?.lastError ?? null,
    ...(def?.probe ? { probe: def.probe } : {}),
    ...(def?.lastProbeAt ? { lastProbeAt: def.lastProbeAt } : {}),
  };
}
