/**
 * What method handlers and HTTP routes may use. Built once by `start.ts` (the composition root) and
 * passed explicitly: no module-level state, so tests can run several gateways in one process.
 */
import { withLazyProperty } from "../infra/lazy.js";
import type { ZodType } from "zod";
import type { ConfigSnapshot } from "../config/load.js";
import type { OpenClawConfig } from "../config/schema.js";
import type { Env } from "../infra/paths.js";
import type { LogSink, Logger } from "../infra/logger.js";
import type { PresenceRegistry } from "./presence.js";
import type { AgentService } from "../agents/service.js";
import type { ChannelManager } from "../channels/manager.js";
import type { PairingStore } from "../routing/pairing.js";
import type { FaultBoard } from "../infra/faults.js";
import type { PluginConfigInfo, PluginSummary } from "./plugins.js";
import type { HookRunner } from "../plugins/hooks.js";

export interface GatewayInfo {
  version: string;
  pid: number;
  host: string;
  /** The address clients can reach (`ws://0.0.0.0:3000`). */
  url: string;
  bindMode: string;
  bindHost: string;
  port: number;
  authMode: string;
  startedAt: number;
}

export interface GatewayContext {
  info: GatewayInfo;
  env: Env;
  stateDir: string;
  configPath: string;
  now(): number;
  /** The config in force (last good one when the file is currently invalid). */
  config(): OpenClawConfig;
  /** The file as last read, including problems that kept it from applying. */
  configSnapshot(): ConfigSnapshot;
  /** Re-reads the config file now and applies it (same path as the file watcher). */
  reloadConfig(reason: string): { applied: boolean; snapshot: ConfigSnapshot };
  logs: LogSink;
  log: Logger;
  presence: PresenceRegistry;
  broadcast(event: string, payload: unknown): void;
  /** Restarts the gateway in process (config apply); resolves once scheduled. */
  scheduleRestart(reason: string, delayMs: number): void;
  /** The agent runtime. */
  agents: AgentService;
  channels: ChannelManager;
  pairing: PairingStore;
  /** What is failing right now (state writes...); `/readyz` reports them. */
  faults: FaultBoard;
  /**
   * Run id → the session key as the client that started the run wrote it (`main`), so the run's
   * `chat` events carry that key back, as OpenClaw's do. Entries leave when the run ends.
   */
  chatKeys: Map<string, string>;
  /** Plugins found at start-up, with their status (`loaded`, `disabled`, `error` and why). */
  plugins(): PluginSummary[];
  /** Plugins' typed hooks, when any plugin registered one. */
  hooks?: HookRunner;
  /** Plugins' config schemas and field hints, for `config.schema`. */
  pluginConfigs(): PluginConfigInfo[];
}

export type Scope = "operator.read" | "operator.write" | "operator.admin" | "operator.approvals" | "operator.pairing";

export interface ClientInfo {
  connId: string;
  role: string;
  scopes: string[];
  clientId: string;
  clientMode: string;
  remoteAddress: string;
  deviceId?: string;
}

export interface MethodSpec<P = unknown> {
  /** Scope the caller needs; `operator.admin` satisfies every scope, `operator.write` satisfies read. */
  scope: Scope;
  params?: ZodType<P>;
  handler(params: P, ctx: GatewayContext, client: ClientInfo): unknown | Promise<unknown>;
}

export type MethodTable = Record<string, MethodSpec<any>>;

/**
 * A reply in two frames with the same request id: `ack` at once, then `final` when it settles (how
 * OpenClaw's `agent` method lets clients wait for the end of a run).
 */
export class TwoPhaseReply {
  constructor(
    readonly ack: unknown,
    readonly final: Promise<{ ok: boolean; payload?: unknown; error?: { code: string; message: string } }>,
  ) {}
}

/**
 * A method as written. Its params schema may be a function: most methods are never called in a
 * gateway's life, so their schemas are built on first use instead of at start-up.
 */
export interface MethodDefinition<P> extends Omit<MethodSpec<P>, "params"> {
  params?: ZodType<P> | (() => ZodType<P>);
}

export function defineMethod<P>(spec: MethodDefinition<P>): MethodSpec<P> {
  const { params } = spec;
  return typeof params === "function" ? withLazyProperty<MethodSpec<P>, "params">(spec, "params", params) : (spec as MethodSpec<P>);
}

export function hasScope(granted: readonly string[], needed: Scope): boolean {
  if (granted.includes("operator.admin")) return true;
  if (granted.includes(needed)) return true;
  return needed === "operator.read" && granted.includes("operator.write");
}
