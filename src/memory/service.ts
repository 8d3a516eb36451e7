/**
 * The memory indexes of a gateway (or of one CLI command): one per agent, made on first use and kept,
 * re-pointed when the config changes (another provider, model or chunking rebuilds that index on its
 * next sync).
 */
import type { OpenClawConfig } from "../config/schema.js";
import type { Env } from "../infra/paths.js";
import { workspaceDirFor } from "../agents/workspace.js";
import { chooseProvider } from "./embeddings.js";
import { MemoryIndex, memoryStorePath, type MemoryIndexOptions } from "./manager.js";
import { memorySettings } from "./settings.js";

export interface MemoryServiceDeps {
  config(): OpenClawConfig;
  stateDir: string;
  env: Env;
  now?: () => number;
  fetch?: typeof fetch;
  warn?: (msg: string) => void;
}

export class MemoryDisabledError extends Error {}

export class MemoryService {
  private readonly indexes = new Map<string, { index: MemoryIndex; fingerprint: string }>();

  constructor(private readonly deps: MemoryServiceDeps) {}

  enabled(agentId: string, cfg = this.deps.config()): boolean {
    return memorySettings(cfg, agentId).enabled;
  }

  workspaceDir(agentId: string, cfg = this.deps.config()): string {
    return workspaceDirFor(cfg, agentId, this.deps.stateDir, this.deps.env);
  }

  /** The agent's index; throws {@link MemoryDisabledError} when `memorySearch.enabled` is false. */
  index(agentId: string, cfg = this.deps.config()): MemoryIndex {
    const settings = memorySettings(cfg, agentId);
    if (!settings.enabled) throw new MemoryDisabledError(`memory search is disabled for agent ${agentId} (memorySearch.enabled is false)`);
    const choice = chooseProvider(settings, cfg, this.deps.env, this.deps.fetch);
    const opts: MemoryIndexOptions = {
      agentId,
      workspaceDir: this.workspaceDir(agentId, cfg),
      storePath: memoryStorePath(this.deps.stateDir, agentId, settings.storePath),
      settings,
      provider: choice.provider,
      ...(choice.note ? { providerNote: choice.note } : {}),
      ...(this.deps.now ? { now: this.deps.now } : {}),
      ...(this.deps.warn ? { warn: this.deps.warn } : {}),
    };
    const fingerprint = JSON.stringify([settings, opts.workspaceDir, opts.storePath, choice.provider?.endpoint, choice.note]);
    const known = this.indexes.get(agentId);
    if (known) {
      if (known.fingerprint !== fingerprint) {
        known.index.reconfigure(opts);
        known.fingerprint = fingerprint;
      }
      return known.index;
    }
    const index = new MemoryIndex(opts);
    this.indexes.set(agentId, { index, fingerprint });
    return index;
  }

  /** Lets go of what the indexes watch; they stay usable (the next search looks at every file). */
  close(): void {
    for (const { index } of this.indexes.values()) index.close();
  }
}
