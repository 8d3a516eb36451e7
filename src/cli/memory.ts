/**
 * `openclaw memory status|index|search`: the memory index of this machine's agents, read and built
 * locally from the config and the workspaces (as OpenClaw does), sharing the gateway's index files.
 */
import type { Command } from "commander";
import { readConfigSnapshot } from "../config/load.js";
import type { OpenClawConfig } from "../config/schema.js";
import { resolveConfigPath, resolveStateDir } from "../infra/paths.js";
import { defaultAgentId } from "../agents/roster.js";
import { MemoryService, MemoryDisabledError } from "../memory/service.js";
import type { MemoryStatus } from "../memory/manager.js";
import { fail, printJson } from "./call.js";

function setup(verbose?: boolean): { cfg: OpenClawConfig; memory: MemoryService } {
  const env = process.env;
  const stateDir = resolveStateDir(env);
  const cfg = readConfigSnapshot(resolveConfigPath(env, stateDir), env).config;
  const memory = new MemoryService({
    config: () => cfg,
    stateDir,
    env,
    warn: (m) => {
      if (verbose) process.stderr.write(`warning: ${m}\n`);
    },
  });
  return { cfg, memory };
}

function agentIds(cfg: OpenClawConfig, agent?: string): string[] {
  const known = cfg.agents?.list?.map((a) => a.id) ?? [];
  if (agent) {
    if (known.length && !known.includes(agent)) throw new Error(`unknown agent "${agent}"; configured agents: ${known.join(", ")}`);
    return [agent];
  }
  return known.length ? known : [defaultAgentId(cfg)];
}

function printStatus(s: MemoryStatus, verbose?: boolean): void {
  const lines = [
    `Memory (${s.agentId})`,
    `  workspace: ${s.workspaceDir}`,
    `  index:     ${s.storePath}`,
    `  files:     ${s.files}   chunks: ${s.chunks}   vectors: ${s.vectors}`,
    `  search:    ${s.mode === "hybrid" ? "hybrid (vector + keyword)" : "keyword only"}`,
    `  provider:  ${s.provider}${s.model ? ` (${s.model})` : ""}`,
  ];
  if (verbose) lines.push(`  chunking:  ${s.chunking.tokens} tokens, overlap ${s.chunking.overlap}`);
  if (s.lastSyncAt) lines.push(`  indexed:   ${new Date(s.lastSyncAt).toISOString()}`);
  for (const n of s.notes) lines.push(`  note: ${n}`);
  process.stdout.write(lines.join("\n") + "\n");
}

async function each(
  opts: { agent?: string; verbose?: boolean; json?: boolean },
  fn: (memory: MemoryService, id: string) => Promise<MemoryStatus>,
) {
  const { cfg, memory } = setup(opts.verbose);
  const out: MemoryStatus[] = [];
  for (const id of agentIds(cfg, opts.agent)) {
    try {
      const s = await fn(memory, id);
      out.push(s);
      if (!opts.json) printStatus(s, opts.verbose);
    } catch (e) {
      if (e instanceof MemoryDisabledError) {
        if (!opts.json) process.stdout.write(`Memory (${id}): disabled (memorySearch.enabled is false)\n`);
        continue;
      }
      fail(`memory (${id}): ${(e as Error).message}`);
    }
  }
  if (opts.json) printJson(out);
}

export function registerMemory(program: Command): void {
  const memory = program.command("memory").description("Search and index the agents' memory files (MEMORY.md, memory/*.md)");
  memory
    .command("status")
    .description("Show the memory index: files, chunks, embedding provider, search mode")
    .option("--agent <id>", "only this agent (default: all configured agents)")
    .option("--deep", "accepted for compatibility: status always checks the files")
    .option("--index", "accepted for compatibility: status always brings the index up to date")
    .option("--json", "print JSON")
    .option("--verbose", "more detail")
    .action(async (opts: { agent?: string; json?: boolean; verbose?: boolean }) => {
      try {
        await each(opts, (m, id) => m.index(id).status());
      } catch (e) {
        fail((e as Error).message);
      }
    });
  memory
    .command("index")
    .description("Rebuild the memory index from the files")
    .option("--agent <id>", "only this agent (default: all configured agents)")
    .option("--json", "print JSON")
    .option("--verbose", "more detail")
    .action(async (opts: { agent?: string; json?: boolean; verbose?: boolean }) => {
      try {
        await each(opts, (m, id) => m.index(id).reindex());
      } catch (e) {
        fail((e as Error).message);
      }
    });
  memory
    .command("search")
    .description("Search memory files")
    .argument("<query>", "what to look for")
    .option("--agent <id>", "agent id (default: the default agent)")
    .option("--max-results <n>", "most results", (v) => Number(v))
    .option("--min-score <n>", "lowest score (0-1)", (v) => Number(v))
    .option("--json", "print JSON")
    .action(async (query: string, opts: { agent?: string; maxResults?: number; minScore?: number; json?: boolean }) => {
      try {
        if (opts.maxResults !== undefined && !(Number.isInteger(opts.maxResults) && opts.maxResults > 0))
          return fail("--max-results must be a positive whole number");
        if (opts.minScore !== undefined && !(opts.minScore >= 0 && opts.minScore <= 1)) return fail("--min-score must be between 0 and 1");
        const { cfg, memory: svc } = setup();
        const id = agentIds(cfg, opts.agent ?? defaultAgentId(cfg))[0]!;
        const answer = await svc.index(id).search(query, {
          ...(opts.maxResults !== undefined ? { maxResults: opts.maxResults } : {}),
          ...(opts.minScore !== undefined ? { minScore: opts.minScore } : {}),
        });
        if (opts.json) return printJson({ results: answer.results });
        if (!answer.results.length) return void process.stdout.write("No matches.\n");
        const lines: string[] = [];
        for (const r of answer.results) lines.push(`${r.score.toFixed(3)} ${r.path}:${r.startLine}-${r.endLine}`, r.snippet, "");
        process.stdout.write(lines.join("\n").trim() + "\n");
      } catch (e) {
        if (e instanceof MemoryDisabledError) return void process.stdout.write("Memory search disabled.\n");
        fail((e as Error).message);
      }
    });
}
