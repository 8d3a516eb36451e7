/**
 * Memory as a built-in plugin: the `memory_search` and `memory_get` tools over each agent's memory
 * files, and the memory flush before compaction. Nothing is read or indexed until the first search.
 */
import type { BuiltinPlugin } from "../plugins/builtin.js";
import type { PluginTool } from "../plugins/registry.js";
import type { LateServices } from "../gateway/services.js";
import { memoryFlushSettings, shouldFlush } from "./flush.js";
import { MemoryService } from "./service.js";
import { memoryTools } from "./tools.js";

export function memoryPlugin(services: LateServices): BuiltinPlugin {
  let memory: MemoryService | null = null;
  const service = (): MemoryService => {
    if (memory) return memory;
    const s = services.get("memory");
    const log = s.logger("memory");
    memory = new MemoryService({
      config: () => s.config(),
      stateDir: s.stateDir,
      env: s.env,
      now: () => s.now(),
      warn: (m) => log.warn(m),
    });
    return memory;
  };
  let unsubscribe: (() => void) | null = null;
  return {
    id: "memory-core",
    name: "Memory (core)",
    description: "memory_search and memory_get over MEMORY.md and memory/*.md; memory flush before compaction",
    register(api) {
      for (const tool of memoryTools(service)) api.registerTool(tool as unknown as PluginTool);
      api.registerService({
        id: "memory-flush",
        start: () => {
          const s = services.get("memory flush");
          const log = s.logger("memory");
          const runAgents = new Map<string, string>();
          const flushRuns = new Set<string>();
          unsubscribe = s.agents.onEvent((ev) => {
            if (ev.type === "start") {
              if (runAgents.size < 10_000) runAgents.set(ev.runId, ev.agentId);
              return;
            }
            if (ev.type !== "end") return;
            const agentId = runAgents.get(ev.runId);
            runAgents.delete(ev.runId);
            if (flushRuns.delete(ev.runId) || !agentId || ev.result.status !== "ok") return;
            const cfg = s.config();
            const settings = memoryFlushSettings(cfg);
            if (!settings) return;
            const key = ev.result.sessionKey;
            const store = s.agents.store(agentId);
            const entry = store.get(key);
            if (!entry || !shouldFlush(cfg, entry)) return;
            try {
              // Marked before the turn runs: a failed flush is not retried in this cycle.
              store.update(key, { memoryFlushCompactionCount: entry.compactionCount ?? 0, memoryFlushAt: s.now() });
              const handle = s.agents.send({ sessionKey: key, agentId, text: settings.prompt, extraSystemPrompt: settings.systemPrompt });
              flushRuns.add(handle.runId);
              log.info(`session ${key}: memory flush before compaction`);
            } catch (e) {
              log.warn(`session ${key}: memory flush not started: ${(e as Error).message}`);
            }
          });
        },
        stop: () => {
          unsubscribe?.();
          unsubscribe = null;
          memory?.close();
        },
      });
    },
  };
}
