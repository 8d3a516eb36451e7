/**
 * Compaction: when a conversation nears the model's context window, older turns are summarised by the
 * model and replaced (in what the model sees next) by that summary; recent turns stay verbatim. The
 * summary is a `compaction` entry in the transcript, so it survives restarts and nothing is deleted.
 *
 * It runs on `/compact` and `sessions.compact`, after a turn that filled most of the window, and when
 * the model refuses a prompt as too long (then the turn is tried once more).
 */
import type { OpenClawConfig } from "../config/schema.js";
import type { Logger } from "../infra/logger.js";
import type { HookRunner } from "../plugins/hooks.js";
import { memoryFlushDue } from "../memory/flush.js";
import { modelChainFor, resolveModel } from "../providers/models.js";
import type { AssistantMessage, Message } from "../providers/types.js";
import type { SessionDirectory } from "../sessions/directory.js";
import type { SessionEntry } from "../sessions/store.js";
import type { Transcript, TranscriptEntry, MessageEntry } from "../sessions/transcript.js";
import type { AgentModels } from "./models.js";
import { startHook } from "./plugin-hooks.js";
import type { TurnResult } from "./run.js";
import { entryModelRef } from "./status.js";
import type { RunEvents } from "./types.js";

/** Rough token count (4 characters a token), used where the API has not told us. */
export function estimateTokens(messages: Message[]): number {
  let chars = 0;
  for (const m of messages) {
    if (typeof m.content === "string") chars += m.content.length;
    else
      for (const c of m.content) {
        if (c.type === "text") chars += c.text.length;
        else if (c.type === "thinking") chars += c.thinking.length;
        else if (c.type === "toolCall") chars += JSON.stringify(c.arguments).length + c.name.length;
        else if (c.type === "image") chars += 4000;
      }
  }
  return Math.ceil(chars / 4);
}

export interface CompactionPlan {
  /** First entry kept verbatim (a user message, so tool calls and results are never split). */
  firstKeptEntryId: string;
  /** What gets summarised. */
  older: Message[];
  tokensBefore: number;
}

/** Decides what to summarise so that roughly `keepRecentTokens` of the newest turns stay verbatim. */
export function planCompaction(t: Transcript, keepRecentTokens: number): CompactionPlan | null {
  const path = t.branch();
  let startIdx = 0;
  for (let i = path.length - 1; i >= 0; i--) {
    if (path[i]!.type === "compaction") {
      startIdx = i + 1;
      break;
    }
  }
  const live = path.slice(startIdx).filter((e): e is MessageEntry => e.type === "message");
  const userTurns = live.map((e, i) => ({ e, i })).filter(({ e }) => e.message.role === "user");
  if (userTurns.length < 2) return null;
  let kept = 0;
  let cut = userTurns[userTurns.length - 1]!.i; // always keep at least the last turn
  for (let k = userTurns.length - 1; k >= 1; k--) {
    const from = userTurns[k]!.i;
    const size = estimateTokens(live.slice(from).map((e) => e.message as Message));
    if (size > keepRecentTokens) break;
    cut = from;
    kept = size;
  }
  void kept;
  const olderEntries: TranscriptEntry[] = live.slice(0, cut);
  if (olderEntries.length === 0) return null;
  const context = t.context();
  return {
    firstKeptEntryId: live[cut]!.id,
    older: context.slice(0, context.length - (live.length - cut)),
    tokensBefore: estimateTokens(context),
  };
}

export const SUMMARY_SYSTEM_PROMPT =
  "You write compact, faithful summaries of conversations between a user and their assistant, so the assistant can continue the conversation without the full history.";

/** The request that asks the model for a summary of `older`. */
export function summaryRequest(older: Message[], now: number): Message[] {
  const lines: string[] = [];
  for (const m of older) {
    const text =
      typeof m.content === "string"
        ? m.content
        : m.content
            .map((c) =>
              c.type === "text"
                ? c.text
                : c.type === "toolCall"
                  ? `[called ${c.name} ${JSON.stringify(c.arguments)}]`
                  : c.type === "image"
                    ? "[image]"
                    : "",
            )
            .filter(Boolean)
            .join("\n");
    if (text.trim()) lines.push(`${m.role === "toolResult" ? `tool ${m.toolName}` : m.role}: ${text}`);
  }
  return [
    {
      role: "user",
      content: [
        {
          type: "text",
          text: `Summarise the conversation below. Keep facts, decisions, names, numbers, open questions and anything the user asked to remember; drop small talk. Write it as notes for yourself.\n\n<conversation>\n${lines.join("\n\n")}\n</conversation>`,
        },
      ],
      timestamp: now,
    },
  ];
}

export function summaryText(m: AssistantMessage): string {
  return m.content
    .filter((c) => c.type === "text")
    .map((c) => (c as { text: string }).text)
    .join("")
    .trim();
}

export interface CompactorDeps {
  config(): OpenClawConfig;
  sessions: SessionDirectory;
  models: AgentModels;
  events: RunEvents;
  log: Logger;
  now: () => number;
  /** Plugins' `before_compaction` / `after_compaction` hooks (not waited for). */
  hooks?: HookRunner;
}

/** Summarises conversations with their own model chain. */
export class Compactor {
  /** Sessions whose compaction is waiting for their memory flush turn. */
  private readonly waitedForFlush = new Set<string>();

  constructor(private readonly deps: CompactorDeps) {}

  /** Compacts when the turn's last call used most of the window (all but the reserve). */
  async afterTurn(agentId: string, key: string, turn: TurnResult, runId: string): Promise<void> {
    const cfg = this.deps.config();
    const window = cfg.agents?.defaults?.contextTokens ?? turn.model!.contextWindow;
    const reserve = Math.min(cfg.agents?.defaults?.compaction?.reserveTokensFloor ?? 20_000, Math.floor(window * 0.25));
    if (turn.contextTokens <= window - reserve) return;
    const entry = this.deps.sessions.store(agentId).get(key);
    // A memory flush this cycle still owes goes first (src/memory/flush.ts); its turn compacts. Waits once.
    if (entry && memoryFlushDue(cfg, entry, turn.contextTokens, window, reserve) && !this.waitedForFlush.has(key)) {
      this.waitedForFlush.add(key);
      return;
    }
    this.waitedForFlush.delete(key);
    if (entry) await this.compact(agentId, key, entry, runId, false);
  }

  /** Summarises older turns into a compaction entry. Returns it, or null when there is too little. */
  async compact(
    agentId: string,
    key: string,
    entry: SessionEntry,
    runId: string,
    manual: boolean,
  ): Promise<{ tokensBefore: number } | null> {
    const { sessions, log, now } = this.deps;
    const cfg = this.deps.config();
    const t = sessions.transcript(agentId, entry);
    const chain = modelChainFor(cfg, agentId, entry.modelOverride);
    let window = 128_000;
    try {
      window = cfg.agents?.defaults?.contextTokens ?? resolveModel(cfg, entryModelRef(entry) ?? chain[0]!).contextWindow;
    } catch {
      /* default window */
    }
    const keepRecent = Math.min(20_000, Math.floor(window * 0.3));
    const plan = planCompaction(t, keepRecent);
    if (!plan) return null;
    const hooks = this.deps.hooks;
    const hookCtx = { agentId, sessionKey: key };
    const messageCount = t.context().length;
    if (hooks?.hasHooks("before_compaction"))
      startHook(hooks.runBeforeCompaction({ messageCount, tokenCount: plan.tokensBefore }, hookCtx));
    try {
      const gen = this.deps.models.stream(
        agentId,
        chain,
      )({ systemPrompt: SUMMARY_SYSTEM_PROMPT, messages: summaryRequest(plan.older, now()) });
      let step = await gen.next();
      while (!step.done) step = await gen.next();
      const summary = summaryText(step.value);
      if (!summary) throw new Error("the model returned an empty summary");
      t.append([{ type: "compaction", summary, firstKeptEntryId: plan.firstKeptEntryId, tokensBefore: plan.tokensBefore }], now);
      t.sync();
      const store = sessions.store(agentId);
      store.update(key, { compactionCount: (store.get(key)?.compactionCount ?? 0) + 1, totalTokens: estimateTokens(t.context()) });
      log.info(`session ${key}: ${manual ? "compacted" : "auto-compacted"} ${plan.tokensBefore} tokens of history`);
      this.deps.events.emit({ type: "compaction", runId, sessionKey: key, tokensBefore: plan.tokensBefore, ts: now() });
      if (hooks?.hasHooks("after_compaction")) {
        const after = t.context();
        const event = { messageCount: after.length, tokenCount: estimateTokens(after), compactedCount: plan.older.length };
        startHook(hooks.runAfterCompaction(event, hookCtx));
      }
      return { tokensBefore: plan.tokensBefore };
    } catch (e) {
      log.warn(`session ${key}: compaction failed: ${(e as Error).message}`);
      return null;
    }
  }
}
