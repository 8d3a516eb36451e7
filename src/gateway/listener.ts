/**
 * The gateway's listener over its lifetime: opens the server for a listen plan, re-listens in process
 * when the gateway's bind, port or auth change (falling back to the old address when the new one
 * fails), and closes it. `broadcast` reaches whichever server is current.
 */
import type { OpenClawConfig } from "../config/schema.js";
import type { Logger } from "../infra/logger.js";
import { findListeningPids, stopProcesses } from "../infra/port-owner.js";
import type { GatewayInfo } from "./context.js";
import { urlFor, type ListenPlan } from "./listen-plan.js";
import type { GatewayServer } from "./server.js";
import type { Scope } from "./context.js";

export interface ListenerDeps {
  log: Logger;
  /** Updated with the address actually listened on. */
  info: GatewayInfo;
  makeServer(): GatewayServer;
  /** The plan a config asks for (throws when it cannot be used). */
  plan(cfg: OpenClawConfig): ListenPlan;
}

export class Listener {
  private server: GatewayServer | null = null;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: ListenerDeps,
    private current: ListenPlan,
  ) {}

  get plan(): ListenPlan {
    return this.current;
  }

  /** Keeps the address, takes new credentials (a token change needs no re-listen). */
  setAuth(auth: ListenPlan["auth"]): void {
    this.current = { ...this.current, auth };
  }

  broadcast(event: string, payload: unknown): void {
    this.server?.broadcast(event, payload);
  }

  clientCount(scope?: Scope): number {
    return this.server?.clientCount(scope) ?? 0;
  }

  async listen(p: ListenPlan = this.current, force = false): Promise<void> {
    const { log, info } = this.deps;
    this.server = this.deps.makeServer();
    if (force && p.port > 0) {
      const pids = findListeningPids(p.port);
      if (pids.length > 0) {
        log.warn(`--force: stopping pid ${pids.join(", ")} listening on port ${p.port}`);
        await stopProcesses(pids);
      }
    }
    const port = await this.server.listen(p.host, p.port);
    this.current = { ...p, port };
    Object.assign(info, { url: urlFor(p.host, port), bindMode: p.bindMode, bindHost: p.host, port, authMode: p.auth.mode });
    log.info(`listening on ${info.url} (PID ${process.pid})`);
    if (p.auth.mode === "none") log.warn("no gateway token set: only clients on this machine can connect");
  }

  /** Re-listens with `cfg`'s gateway settings after `delayMs` (a later call replaces an earlier one). */
  scheduleRestart(reason: string, delayMs: number, cfg: () => OpenClawConfig): void {
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => void this.restart(reason, cfg()), delayMs);
    this.restartTimer.unref();
  }

  private async restart(reason: string, cfg: OpenClawConfig): Promise<void> {
    const { log, info } = this.deps;
    let next: ListenPlan;
    try {
      next = this.deps.plan(cfg);
    } catch (e) {
      log.error(`not restarting the listener (${reason}): ${(e as Error).message}; keeping ${info.url}`);
      return;
    }
    log.info(`restarting listener (${reason})`);
    await this.server?.close(reason, 1000);
    try {
      await this.listen(next, false);
    } catch (e) {
      log.error(`${(e as Error).message}; going back to ${this.current.host}:${this.current.port}`);
      await this.listen(this.current, false);
    }
  }

  async close(reason: string): Promise<void> {
    clearTimeout(this.restartTimer);
    await this.server?.close(reason);
  }
}
