/**
 * The gateway's config while it runs: the last good config, the file's latest snapshot (valid or not),
 * and reloads (file watcher, `config.set`/`config.apply`, start-up). A bad edit is reported and the
 * last good config keeps running; a good one is handed to every subscriber with the top-level keys
 * that changed.
 */
import { readConfigSnapshot, type ConfigSnapshot } from "../config/load.js";
import type { OpenClawConfig } from "../config/schema.js";
import { watchFile } from "../config/watch.js";
import type { Logger } from "../infra/logger.js";
import type { Env } from "../infra/paths.js";

export type ConfigChange = (next: OpenClawConfig, changed: string[], prev: OpenClawConfig) => void;
export type ConfigReloaded = (event: { hash: string; valid: boolean; issues?: ConfigSnapshot["issues"]; changed?: string[] }) => void;

export class LiveConfig {
  private snap: ConfigSnapshot;
  private good: OpenClawConfig;
  private readonly changeListeners: ConfigChange[] = [];
  private readonly reloadListeners: ConfigReloaded[] = [];

  constructor(
    private readonly path: string,
    private readonly env: Env,
    private readonly log: Logger,
    snapshot: ConfigSnapshot,
    good: OpenClawConfig,
  ) {
    this.snap = snapshot;
    this.good = good;
  }

  /** The config in force (the last valid one). */
  readonly current = (): OpenClawConfig => this.good;
  /** The file as last read, valid or not. */
  readonly snapshot = (): ConfigSnapshot => this.snap;

  /** Called with each applied config (after the file changed and validated). */
  onChange(fn: ConfigChange): void {
    this.changeListeners.push(fn);
  }

  /** Called after every reload that saw a new file, applied or rejected (clients get `config.changed`). */
  onReload(fn: ConfigReloaded): void {
    this.reloadListeners.push(fn);
  }

  readonly reload = (reason: string): { applied: boolean; snapshot: ConfigSnapshot } => {
    const next = readConfigSnapshot(this.path, this.env);
    if (next.hash === this.snap.hash && next.valid === this.snap.valid) return { applied: false, snapshot: this.snap };
    this.snap = next;
    if (!next.valid) {
      this.log.error(`config reload (${reason}) rejected; keeping the last good config:`);
      for (const i of next.issues) this.log.error(`  ${i.path || "<root>"}: ${i.message}`);
      for (const fn of this.reloadListeners) fn({ hash: next.hash, valid: false, issues: next.issues });
      return { applied: false, snapshot: next };
    }
    const prev = this.good;
    this.good = next.config;
    const changed = changedKeys(prev, this.good);
    warnUnimplemented(this.log, next);
    for (const fn of this.changeListeners) fn(this.good, changed, prev);
    this.log.info(`config reloaded (${reason})${changed.length ? `: ${changed.join(", ")} changed` : ""}`);
    for (const fn of this.reloadListeners) fn({ hash: next.hash, valid: true, changed });
    return { applied: true, snapshot: next };
  };

  /** Watches the file (unless `gateway.reload.mode` is "off"); returns the stop function. */
  watch(): () => void {
    if ((this.good.gateway?.reload?.mode ?? "hybrid") === "off") return () => undefined;
    return watchFile(this.path, this.good.gateway?.reload?.debounceMs ?? 300, () => this.safeReload("file changed"));
  }

  /** A reload whose failure is logged, not thrown (watchers and timers). */
  safeReload(reason: string): void {
    try {
      this.reload(reason);
    } catch (e) {
      this.log.error(`config reload failed: ${(e as Error).message}`);
    }
  }
}

/** One line naming every key that loads but does nothing yet. */
export function warnUnimplemented(log: Logger, snap: ConfigSnapshot): void {
  if (snap.warnings.length === 0) return;
  log.warn(`config: not implemented yet, accepted and ignored: ${snap.warnings.map((w) => w.path).join(", ")}`);
}

function changedKeys(a: OpenClawConfig, b: OpenClawConfig): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return [...keys].filter((k) => JSON.stringify(ra[k]) !== JSON.stringify(rb[k]));
}
