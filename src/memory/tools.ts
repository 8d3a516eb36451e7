/**
 * The agent's memory tools, as OpenClaw 2026.1.29 shapes them: `memory_search {query, maxResults?,
 * minScore?}` answers `{results: [{path, startLine, endLine, score, snippet, source}], provider,
 * model, fallback}` (or `{results: [], disabled: true, error}`), and `memory_get {path, from?,
 * lines?}` answers `{path, text}` for MEMORY.md / memory/*.md only, at most 2,000 lines a call.
 */
import * as z from "zod";
import { defineTool, type Tool, type ToolResult } from "../tools/registry.js";
import { readMemoryFile } from "./files.js";
import type { MemoryService } from "./service.js";
import { memorySettings } from "./settings.js";

const json = (value: Record<string, unknown>): ToolResult => ({ text: JSON.stringify(value, null, 2), details: value });

export function memoryTools(memory: () => MemoryService): Tool<never>[] {
  const search = defineTool({
    name: "memory_search",
    description:
      "Mandatory recall step: search MEMORY.md and memory/*.md before answering questions about prior work, decisions, dates, people, preferences or todos. Returns the best snippets with path and line numbers.",
    args: () =>
      z.object({
        query: z.string().min(1).max(2_000),
        maxResults: z.number().int().min(1).max(100).optional(),
        minScore: z.number().min(0).max(1).optional(),
      }),
    available: ({ config, agentId }) => memorySettings(config, agentId).enabled,
    async run(args, ctx) {
      try {
        const index = memory().index(ctx.agentId, ctx.config);
        const answer = await index.search(args.query, {
          ...(args.maxResults !== undefined ? { maxResults: args.maxResults } : {}),
          ...(args.minScore !== undefined ? { minScore: args.minScore } : {}),
        });
        return json({ ...answer });
      } catch (e) {
        return json({ results: [], disabled: true, error: (e as Error).message });
      }
    },
  });
  const get = defineTool({
    name: "memory_get",
    description:
      "Read lines of MEMORY.md or a memory/*.md file (from: first line, 1-based; lines: how many). Use after memory_search to pull only the lines you need.",
    args: () =>
      z.object({
        path: z.string().min(1).max(4_096),
        from: z.number().int().min(1).optional(),
        lines: z.number().int().min(1).optional(),
      }),
    available: ({ config, agentId }) => memorySettings(config, agentId).enabled,
    run(args, ctx) {
      try {
        const cfg = ctx.config;
        const settings = memorySettings(cfg ?? {}, ctx.agentId);
        const workspace = memory().workspaceDir(ctx.agentId, cfg);
        return json({ ...readMemoryFile(workspace, settings.extraPaths, args.path, args.from, args.lines) });
      } catch (e) {
        return { ...json({ path: args.path, text: "", disabled: true, error: (e as Error).message }), isError: true };
      }
    },
  });
  return [search, get] as unknown as Tool<never>[];
}
