/**
 * The running gateway's services, for built-in feature plugins (scheduler, heartbeat, webhooks,
 * memory) that act on their own rather than inside a request: they are constructed with this
 * object before the agents exist, and read it once the gateway is built (from their service's
 * `start`, or later). Reading it earlier throws, naming the caller: a wiring bug, never a user error.
 */
import type { AgentService } from "../agents/service.js";
import type { ChannelSender } from "../channels/sender.js";
import type { OpenClawConfig } from "../config/schema.js";
import type { Logger } from "../infra/logger.js";
import type { Env } from "../infra/paths.js";
import type { HookRunner } from "../plugins/hooks.js";

export interface GatewayServices {
  agents: AgentService;
  /** Send into chats: a run's origin, or any target as a person writes it. */
  channels: ChannelSender;
  config(): OpenClawConfig;
  stateDir: string;
  configPath: string;
  env: Env;
  now(): number;
  logger(subsystem: string): Logger;
  /** An event to every connected client allowed to hear it (see `EVENTS` in server.ts). */
  broadcast(event: string, payload: unknown): void;
  hooks?: HookRunner;
}

export class LateServices {
  private value: GatewayServices | null = null;

  set(services: GatewayServices): void {
    this.value = services;
  }

  get ready(): boolean {
    return this.value !== null;
  }

  get(who: string): GatewayServices {
    if (!this.value) throw new Error(`${who} used the gateway's services before the gateway was built`);
    return this.value;
  }
}
