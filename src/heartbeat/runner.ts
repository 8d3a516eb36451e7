/**
 * The heartbeat: every `every` (30m by default) each beating agent's main session gets the heartbeat
 * prompt, with any queued system events in front of it. A reply that only acknowledges
 * (`HEARTBEAT_OK`, plus at most `ackMaxChars` of text) stays quiet; anything else is an alert and goes
 * to the target chat (`last`: the chat the session last talked in), unless it repeats the last alert
 * delivered within 24 hours.
 *
 * One timer for all agents, armed for the earliest due agent; a due time is counted from when the
 * last beat ran, so a late or slow beat never piles up missed ones. A beat never starts while
 * another runs, nor while the session is answering someone (it is retried a second later). Wake
 * requests (`wake` with mode `now`, finished background commands) run a beat at once.
 *
 * Each outcome is the `heartbeat` event and what `last-heartbeat` answers:
 * `{ts, status: sent|ok-empty|ok-token|skipped|failed, reason?, preview?, durationMs, channel?, ...}`.
 */
import fs from "node:fs";
import path from "node:path";
import type { AgentService } from "../agents/service.js";
import { WAKE_RETRY_MS, type WakeResult } from "../agents/system-events.js";
import { ensureWorkspace, workspaceDirFor } from "../agents/workspace.js";
import type { GatewayServices } from "../gateway/services.js";
import type { Logger } from "../infra/logger.js";
import {
  ackMaxCharsFor,
  HEARTBEAT_FILE,
  HEARTBEAT_TOKEN,
  heartbeatAgentIds,
  heartbeatConfigFor,
  intervalMs,
  isEffectivelyEmpty,
  promptFor,
  readReply,
  visibilityFor,
  withinActiveHours,
  type HeartbeatConfig,
} from "./settings.js";

export type HeartbeatStatus = "sent" | "ok-empty" | "ok-token" | "skipped" | "failed";

/** The `heartbeat` event payload and `last-heartbeat` answer. */
export interface HeartbeatEvent {
  ts: number;
  status: HeartbeatStatus;
  to?: string;
  preview?: string;
  durationMs?: number;
  hasMedia?: boolean;
  reason?: string;
  channel?: string;
  silent?: boolean;
  indicatorType?: "ok" | "alert" | "error";
}

/** Alerts repeating the last delivered one within this window are not sent again. */
export const DUPLICATE_WINDOW_MS = 24 * 60 * 60_000;
/** Longest preview kept on an event. */
const PREVIEW_CHARS = 200;
/** The timer re-reads the settings at least this often (config reloads, new agents). */
const MAX_SLEEP_MS = 60_000;
/** Largest HEARTBEAT.md read to decide whether it is empty. */
const MAX_FILE_BYTES = 256 * 1024;

interface AgentState {
  intervalMs: number;
  nextDueMs: number;
  lastRunMs?: number;
}

interface Target {
  channel: string;
  to: string;
  accountId?: string;
  threadId?: string;
  /** `to` was written by a person (`heartbeat.to`), not recorded from a chat. */
  explicit: boolean;
}

const indicator = (s: HeartbeatStatus): HeartbeatEvent["indicatorType"] =>
  s === "ok-empty" || s === "ok-token" ? "ok" : s === "sent" ? "alert" : s === "failed" ? "error" : undefined;

export class HeartbeatRunner {
  private readonly agents = new Map<string, AgentState>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private stopped = true;
  private enabled = true;
  private last: HeartbeatEvent | null = null;
  private readonly busy = new Map<string, number>();
  private readonly cleanups: Array<() => void> = [];
  private unregisterWake: (() => void) | null = null;
  private log!: Logger;

  constructor(private readonly services: () => GatewayServices) {}

  /** Starts the timer and registers as the wake handler (after the gateway is built). */
  start(): void {
    const s = this.services();
    this.log = s.logger("heartbeat");
    this.stopped = false;
    this.cleanups.push(s.agents.onEvent((ev) => this.trackBusy(ev)));
    this.cleanups.push(() => this.unregisterWake?.());
    const ids = this.plan();
    if (ids.length) this.log.info(`heartbeat: started (${ids.map((id) => `${id} every ${this.describe(id)}`).join(", ")})`);
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const c of this.cleanups.splice(0)) c();
    this.unregisterWake = null;
  }

  lastEvent(): HeartbeatEvent | null {
    return this.last;
  }

  /** Pauses (false) or resumes (true) all heartbeats until the gateway restarts. */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    this.log?.info(`heartbeat: ${enabled ? "resumed" : "paused"}`);
    // Paused: the timer is dropped; resumed: armed again for the earliest due agent.
    if (!this.stopped) this.schedule();
  }

  get isEnabled(): boolean {
    return this.enabled;
  }

  // ---- scheduling ------------------------------------------------------------------------------

  private describe(id: string): string {
    const ms = this.agents.get(id)?.intervalMs ?? 0;
    return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`;
  }

  /** Re-reads the settings: which agents beat and how often, keeping each one's last run. */
  private plan(): string[] {
    const s = this.services();
    const cfg = s.config();
    const now = s.now();
    const seen = new Set<string>();
    for (const id of heartbeatAgentIds(cfg)) {
      const ms = intervalMs(heartbeatConfigFor(cfg, id));
      if (!ms) continue;
      seen.add(id);
      const prev = this.agents.get(id);
      if (!prev) this.agents.set(id, { intervalMs: ms, nextDueMs: now + ms });
      else if (prev.intervalMs !== ms) {
        prev.intervalMs = ms;
        prev.nextDueMs = (prev.lastRunMs ?? now) + ms;
      }
    }
    for (const id of [...this.agents.keys()]) if (!seen.has(id)) this.agents.delete(id);
    // Wake requests are answered while some agent beats; otherwise `wake` says nothing runs them.
    if (seen.size && !this.unregisterWake) this.unregisterWake = s.agents.systemEvents.onWake((req) => this.wake(req.reason));
    else if (!seen.size && this.unregisterWake) {
      this.unregisterWake();
      this.unregisterWake = null;
    }
    return [...seen];
  }

  private schedule(minDelayMs = 0): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.enabled) return;
    const now = this.services().now();
    let next = Number.POSITIVE_INFINITY;
    for (const a of this.agents.values()) next = Math.min(next, a.nextDueMs);
    const delay = Number.isFinite(next) ? Math.min(MAX_SLEEP_MS, Math.max(minDelayMs, next - now)) : MAX_SLEEP_MS;
    this.timer = setTimeout(() => {
      this.tick().catch((e: Error) => {
        this.log.error(`heartbeat: ${e.stack ?? e.message}`);
        this.schedule(WAKE_RETRY_MS);
      });
    }, delay);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (this.stopped) return;
    this.plan();
    const due = [...this.agents.entries()].some(([, a]) => this.services().now() >= a.nextDueMs);
    if (due && this.running) {
      this.log.debug("heartbeat: the previous beat is still running; this one waits");
      return this.schedule(WAKE_RETRY_MS);
    }
    if (due) await this.runAll("interval");
    this.schedule();
  }

  /** A wake request: every beating agent, now. */
  private async wake(reason: string): Promise<WakeResult> {
    if (!this.enabled) {
      this.log.debug(`heartbeat: paused; the wake (${reason}) did not run one`);
      return { status: "skipped", reason: "disabled" };
    }
    if (this.running) return { status: "skipped", reason: "requests-in-flight" };
    this.plan();
    const r = await this.runAll(reason);
    this.schedule();
    return r;
  }

  private async runAll(reason: string): Promise<WakeResult> {
    if (!this.enabled) return { status: "skipped", reason: "disabled" };
    if (this.agents.size === 0) return { status: "skipped", reason: "disabled" };
    this.running = true;
    let ran = false;
    try {
      const interval = reason === "interval";
      for (const [id, a] of this.agents) {
        const now = this.services().now();
        if (interval && now < a.nextDueMs) continue;
        const r = await this.runOnce(id, reason);
        if (r.status === "skipped" && r.reason === "requests-in-flight") {
          if (interval) a.nextDueMs = now + WAKE_RETRY_MS;
          return { status: "skipped", reason: r.reason };
        }
        a.lastRunMs = now;
        a.nextDueMs = now + a.intervalMs;
        // A beat that outlasted its interval does not leave a backlog: the ticks it covered are skipped.
        const end = this.services().now();
        if (end >= a.nextDueMs) {
          const missed = Math.floor((end - a.nextDueMs) / a.intervalMs) + 1;
          a.nextDueMs += missed * a.intervalMs;
          this.log.info(`heartbeat (${id}): the beat took ${end - now}ms, longer than its interval; skipped ${missed} tick(s)`);
        }
        if (r.status === "ran") ran = true;
      }
    } finally {
      this.running = false;
    }
    return ran ? { status: "ran" } : { status: "skipped", reason: reason === "interval" ? "not-due" : "disabled" };
  }

  private trackBusy(ev: Parameters<Parameters<AgentService["onEvent"]>[0]>[0]): void {
    if (ev.type === "start") this.busy.set(ev.sessionKey, (this.busy.get(ev.sessionKey) ?? 0) + 1);
    else if (ev.type === "end") {
      const n = (this.busy.get(ev.result.sessionKey) ?? 1) - 1;
      if (n > 0) this.busy.set(ev.result.sessionKey, n);
      else this.busy.delete(ev.result.sessionKey);
    }
  }

  // ---- one beat --------------------------------------------------------------------------------

  private emit(ev: Omit<HeartbeatEvent, "ts">): void {
    const s = this.services();
    const full: HeartbeatEvent = { ts: s.now(), ...ev };
    for (const k of Object.keys(full) as Array<keyof HeartbeatEvent>) if (full[k] === undefined) delete full[k];
    this.last = full;
    s.broadcast("heartbeat", full);
  }

  private sessionKeyFor(agents: AgentService, agentId: string, hb: HeartbeatConfig): string {
    const main = agents.resolveKey(undefined, agentId).key;
    const wanted = hb.session?.trim();
    if (!wanted || ["main", "global"].includes(wanted.toLowerCase())) return main;
    try {
      const r = agents.resolveKey(wanted, agentId);
      return r.agentId === agentId ? r.key : main;
    } catch {
      return main;
    }
  }

  private target(hb: HeartbeatConfig, entry: Record<string, unknown> | undefined): Target | { none: string } {
    const raw = hb.target?.trim().toLowerCase() || "last";
    if (raw === "none") return { none: "target-none" };
    const str = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : undefined);
    const lastChannel = str(entry?.lastChannel);
    const lastTo = str(entry?.lastTo);
    const channel = raw === "last" ? lastChannel : raw;
    if (!channel) return { none: "no-target" };
    const explicitTo = str(hb.to);
    if (explicitTo) return { channel, to: explicitTo, explicit: true };
    if (!lastTo || lastChannel !== channel) return { none: "no-target" };
    const accountId = str(entry?.lastAccountId);
    const threadId = str(entry?.lastThreadId);
    return { channel, to: lastTo, explicit: false, ...(accountId ? { accountId } : {}), ...(threadId ? { threadId } : {}) };
  }

  private readHeartbeatFile(dir: string): string | null {
    try {
      const fd = fs.openSync(path.join(dir, HEARTBEAT_FILE), "r");
      try {
        const buf = Buffer.alloc(MAX_FILE_BYTES);
        const n = fs.readSync(fd, buf, 0, MAX_FILE_BYTES, 0);
        return buf.subarray(0, n).toString("utf8");
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return null;
    }
  }

  /** One heartbeat for one agent. */
  async runOnce(agentId: string, reason: string): Promise<{ status: "ran" } | { status: "skipped" | "failed"; reason: string }> {
    const s = this.services();
    const cfg = s.config();
    const hb = heartbeatConfigFor(cfg, agentId);
    if (!this.enabled || !intervalMs(hb)) return { status: "skipped", reason: "disabled" };
    const startedAt = s.now();
    const took = () => s.now() - startedAt;
    if (!withinActiveHours(cfg, hb, startedAt)) {
      this.log.debug(`heartbeat (${agentId}): outside active hours`);
      return { status: "skipped", reason: "quiet-hours" };
    }
    const agents = s.agents;
    const sessionKey = this.sessionKeyFor(agents, agentId, hb);
    if (this.busy.has(sessionKey)) return { status: "skipped", reason: "requests-in-flight" };

    const exec = reason.startsWith("exec");
    const dir = workspaceDirFor(cfg, agentId, s.stateDir, s.env);
    // A new workspace gets its files (HEARTBEAT.md among them) before the first beat reads it.
    try {
      ensureWorkspace(dir, cfg.agents?.defaults?.skipBootstrap);
    } catch (e) {
      this.log.warn(`heartbeat (${agentId}): could not set up the workspace ${dir}: ${(e as Error).message}`);
    }
    const file = this.readHeartbeatFile(dir);
    if (!exec && isEffectivelyEmpty(file)) {
      this.emit({ status: "skipped", reason: "empty-heartbeat-file", durationMs: took() });
      return { status: "skipped", reason: "empty-heartbeat-file" };
    }

    const store = agents.store(agentId);
    const entry = store.get(sessionKey);
    const previousUpdatedAt = entry?.updatedAt;
    const target = this.target(hb, entry);
    const channel = "none" in target ? undefined : target.channel;
    const vis = !("none" in target)
      ? visibilityFor(cfg, target.channel, target.accountId)
      : { showOk: false, showAlerts: true, useIndicator: true };
    const ind = (st: HeartbeatStatus) => (vis.useIndicator ? indicator(st) : undefined);
    if (!vis.showAlerts && !vis.showOk && !vis.useIndicator) {
      this.emit({ status: "skipped", reason: "alerts-disabled", durationMs: took(), channel });
      return { status: "skipped", reason: "alerts-disabled" };
    }
    // A quiet beat leaves the session's last activity where it was (idle expiry is not pushed back).
    const restore = () => {
      if (typeof previousUpdatedAt !== "number") return;
      const cur = store.get(sessionKey);
      if (cur && cur.updatedAt !== previousUpdatedAt) store.update(sessionKey, { updatedAt: Math.max(previousUpdatedAt, 0) });
    };
    const deliver = async (t: Target, text: string) => {
      if (t.explicit) await s.channels.deliver({ channel: t.channel, to: t.to, text, ...(t.accountId ? { accountId: t.accountId } : {}) });
      else await s.channels.send({ channel: t.channel, to: t.to, accountId: t.accountId, threadId: t.threadId }, text);
    };
    const sendOk = async () => {
      if (!vis.showOk || "none" in target) return false;
      await deliver(target, HEARTBEAT_TOKEN);
      return true;
    };

    try {
      const handle = agents.send({ sessionKey, agentId, text: promptFor(hb) });
      const result = await handle.done;
      if (result.status === "error") throw new Error(result.error ?? "the heartbeat run failed");
      if (result.mergedInto) {
        this.emit({ status: "skipped", reason: "requests-in-flight", durationMs: took(), channel });
        return { status: "skipped", reason: "requests-in-flight" };
      }
      const raw = result.text ?? "";
      const reply = readReply(raw, ackMaxCharsFor(hb));
      if (!raw.trim() || reply.ok) {
        restore();
        const status: HeartbeatStatus = raw.trim() ? "ok-token" : "ok-empty";
        const okSent = await sendOk();
        this.emit({ status, reason, durationMs: took(), channel, silent: !okSent, indicatorType: ind(status) });
        return { status: "ran" };
      }
      const text = reply.text;
      const preview = text.slice(0, PREVIEW_CHARS);
      const fresh = store.get(sessionKey);
      const prevText = typeof fresh?.lastHeartbeatText === "string" ? fresh.lastHeartbeatText.trim() : "";
      const prevAt = typeof fresh?.lastHeartbeatSentAt === "number" ? fresh.lastHeartbeatSentAt : undefined;
      if (prevText && prevText === text.trim() && prevAt !== undefined && startedAt - prevAt < DUPLICATE_WINDOW_MS) {
        restore();
        this.emit({ status: "skipped", reason: "duplicate", preview, durationMs: took(), hasMedia: false, channel });
        return { status: "ran" };
      }
      if ("none" in target) {
        this.emit({ status: "skipped", reason: target.none, preview, durationMs: took(), hasMedia: false });
        return { status: "ran" };
      }
      if (!vis.showAlerts) {
        restore();
        this.emit({
          status: "skipped",
          reason: "alerts-disabled",
          preview,
          durationMs: took(),
          channel,
          hasMedia: false,
          indicatorType: ind("sent"),
        });
        return { status: "ran" };
      }
      await deliver(target, text);
      store.update(sessionKey, { lastHeartbeatText: text, lastHeartbeatSentAt: startedAt });
      this.emit({ status: "sent", to: target.to, preview, durationMs: took(), hasMedia: false, channel, indicatorType: ind("sent") });
      return { status: "ran" };
    } catch (e) {
      const msg = (e as Error).message;
      this.log.error(`heartbeat (${agentId}) failed: ${msg}`);
      this.emit({ status: "failed", reason: msg, durationMs: took(), channel, indicatorType: ind("failed") });
      return { status: "failed", reason: msg };
    }
  }
}
