/**
 * The agents' sessions as operators see and change them (`chat.history`, `sessions.list|preview|
 * resolve|patch|reset`, `chat.inject`), in OpenClaw's shapes. Reads never create files.
 */
import { randomUUID } from "node:crypto";
import type { OpenClawConfig } from "../config/schema.js";
import { modelChainFor, resolveModel } from "../providers/models.js";
import { emptyUsage, type AssistantMessage } from "../providers/types.js";
import { normalizeAgentId } from "../sessions/keys.js";
import type { SessionDirectory } from "../sessions/directory.js";
import type { SessionEntry } from "../sessions/store.js";
import type { MessageEntry } from "../sessions/transcript.js";
import { deriveSessionTitle, messageText, previewItems, sessionRow, type SessionRow } from "../sessions/views.js";
import type { AgentModels } from "./models.js";
import { stripEnvelopeFromMessage } from "./envelope.js";
import { agentIds, resolveKey } from "./roster.js";
import { sessionDefaults } from "./status.js";
import { AgentError, type SessionListOptions } from "./types.js";

export interface AgentSessionsDeps {
  config(): OpenClawConfig;
  sessions: SessionDirectory;
  models: AgentModels;
  now: () => number;
  /** Whether a run is in progress in the session. */
  isRunning(key: string): boolean;
  defaultAgentId(): string;
}

export class AgentSessions {
  constructor(private readonly deps: AgentSessionsDeps) {}

  private resolve(sessionKey: string | undefined) {
    return resolveKey(this.deps.config(), sessionKey);
  }

  async history(sessionKey: string, limit = 200) {
    const { sessions } = this.deps;
    const { key, agentId } = this.resolve(sessionKey);
    const entry = sessions.store(agentId).get(key);
    if (!entry) return { sessionKey: key, sessionId: null as string | null, messages: [] as unknown[] };
    // Reading never creates files (a read-only volume still shows what it has).
    if (!sessions.hasTranscript(agentId, entry))
      return { sessionKey: key, sessionId: entry.sessionId, messages: [] as unknown[], thinkingLevel: entry.thinkingLevel ?? "off" };
    const t = await sessions.loadTranscript(agentId, entry);
    // Shown as written: without the envelope header the model reads (as OpenClaw's chat.history).
    const messages = t.messages().map((e: MessageEntry) => stripEnvelopeFromMessage(e.message));
    return { sessionKey: key, sessionId: entry.sessionId, messages: messages.slice(-limit), thinkingLevel: entry.thinkingLevel ?? "off" };
  }

  /** `sessions.list`: OpenClaw's listing (filters, sort, defaults), newest first. */
  list(opts: SessionListOptions = {}) {
    const { sessions } = this.deps;
    const now = this.deps.now();
    const cfg = this.deps.config();
    const defaults = sessionDefaults(cfg, this.deps.defaultAgentId());
    const agents = opts.agentId ? [normalizeAgentId(opts.agentId)] : agentIds(cfg);
    const label = opts.label?.trim();
    const search = opts.search?.trim().toLowerCase();
    const windows = new Map<string, number | undefined>();
    const windowFor = (agentId: string, e: SessionEntry): number | undefined => {
      const ref = e.modelOverride ?? modelChainFor(cfg, agentId)[0];
      if (!ref) return undefined;
      if (!windows.has(ref)) {
        let w: number | undefined;
        try {
          w = cfg.agents?.defaults?.contextTokens ?? resolveModel(cfg, ref).contextWindow;
        } catch {
          w = undefined;
        }
        windows.set(ref, w);
      }
      return windows.get(ref);
    };
    let rows: Array<SessionRow & { file: string }> = [];
    for (const agentId of agents) {
      for (const [key, e] of sessions.store(agentId).list()) {
        if (!opts.includeGlobal && key === "global") continue;
        if (!opts.includeUnknown && key === "unknown") continue;
        if (opts.spawnedBy && e.spawnedBy !== opts.spawnedBy) continue;
        if (label && e.label !== label) continue;
        const row = sessionRow(key, e, {
          agentId,
          active: this.deps.isRunning(key),
          defaultContextTokens: e.contextTokens ?? windowFor(agentId, e),
        });
        rows.push(Object.assign(row, { file: sessions.transcriptFile(agentId, e) }));
      }
    }
    rows.sort((a, b) => (b.updatedAt ?? 0) - (a.updatedAt ?? 0));
    if (search)
      rows = rows.filter((r) =>
        [r.displayName, r.label, r.subject, r.sessionId, r.key].some((f) => typeof f === "string" && f.toLowerCase().includes(search)),
      );
    if (opts.activeMinutes) rows = rows.filter((r) => (r.updatedAt ?? 0) >= now - opts.activeMinutes! * 60_000);
    if (opts.limit) rows = rows.slice(0, Math.max(1, Math.floor(opts.limit)));
    const out: SessionRow[] = rows.map(({ file, ...row }) => {
      if (!opts.includeDerivedTitles && !opts.includeLastMessage) return row;
      // Like OpenClaw: the title from the first 8 KB of the transcript, the last message from its last 16 KB.
      const r: SessionRow = { ...row };
      if (opts.includeDerivedTitles) {
        const first = sessions.readMessages(file, { from: "head", bytes: 8192 }).find((m) => (m as { role?: string }).role === "user");
        r.derivedTitle = deriveSessionTitle(sessions.store(row.agentId).get(row.key)!, first ? messageText(first as never) : undefined);
      }
      if (opts.includeLastMessage) {
        const last = sessions
          .readMessages(file, { from: "tail", bytes: 16384 })
          .reverse()
          .find((m) => ["user", "assistant"].includes((m as { role?: string }).role ?? "") && messageText(m as never));
        if (last) r.lastMessagePreview = messageText(last as never);
      }
      return r;
    });
    const storePath = agents.length === 1 ? sessions.store(agents[0]!).file : "(multiple)";
    return { ts: now, path: storePath, count: out.length, defaults, sessions: out };
  }

  /** `sessions.preview`: the last messages of each session, in OpenClaw's item shape. */
  preview(keys: string[], limit = 12, maxChars = 240) {
    const { sessions } = this.deps;
    return keys.map((k) => {
      try {
        const { key, agentId } = this.resolve(k);
        const entry = sessions.store(agentId).get(key);
        if (!entry?.sessionId) return { key: k, status: "missing" as const, items: [] };
        // The end of the transcript, read in growing windows until something shows (at most 1 MB).
        const file = sessions.transcriptFile(agentId, entry);
        let items: ReturnType<typeof previewItems> = [];
        for (const bytes of [64 * 1024, 256 * 1024, 1024 * 1024]) {
          items = previewItems(sessions.readMessages(file, { from: "tail", bytes }), limit, maxChars);
          if (items.length > 0 || sessions.isOpen(file)) break;
        }
        return { key: k, status: items.length > 0 ? ("ok" as const) : ("empty" as const), items };
      } catch {
        return { key: k, status: "error" as const, items: [] };
      }
    });
  }

  /** `sessions.resolve`: the canonical key of the one session named by key, session id or label. */
  resolveSession(p: {
    key?: string;
    sessionId?: string;
    label?: string;
    agentId?: string;
    spawnedBy?: string;
    includeGlobal?: boolean;
    includeUnknown?: boolean;
  }) {
    const key = p.key?.trim();
    const sessionId = p.sessionId?.trim();
    const label = p.label?.trim();
    const given = [key, sessionId, label].filter(Boolean).length;
    if (given > 1) throw new AgentError("INVALID_REQUEST", "Provide either key, sessionId, or label (not multiple)");
    if (given === 0) throw new AgentError("INVALID_REQUEST", "Either key, sessionId, or label is required");
    const filters = { includeGlobal: p.includeGlobal, includeUnknown: p.includeUnknown, spawnedBy: p.spawnedBy, agentId: p.agentId };
    if (key) {
      const r = this.resolve(key);
      if (!this.deps.sessions.store(r.agentId).get(r.key)) throw new AgentError("INVALID_REQUEST", `No session found: ${key}`);
      return { ok: true, key: r.key };
    }
    if (sessionId) {
      const matches = this.list({ ...filters, search: sessionId }).sessions.filter((s) => s.sessionId === sessionId || s.key === sessionId);
      if (matches.length === 0) throw new AgentError("INVALID_REQUEST", `No session found: ${sessionId}`);
      if (matches.length > 1)
        throw new AgentError(
          "INVALID_REQUEST",
          `Multiple sessions found for sessionId: ${sessionId} (${matches.map((s) => s.key).join(", ")})`,
        );
      return { ok: true, key: matches[0]!.key };
    }
    const found = this.list({ ...filters, label, limit: 2 }).sessions;
    if (found.length === 0) throw new AgentError("INVALID_REQUEST", `No session found with label: ${label}`);
    if (found.length > 1)
      throw new AgentError("INVALID_REQUEST", `Multiple sessions found with label: ${label} (${found.map((s) => s.key).join(", ")})`);
    return { ok: true, key: found[0]!.key };
  }

  /**
   * `chat.inject`: appends an assistant note to a session's transcript without running the model
   * (the UI shows it at once; the model sees it on the next turn).
   */
  inject(sessionKey: string, message: string, label?: string) {
    const { sessions, now } = this.deps;
    const { key, agentId } = this.resolve(sessionKey);
    const entry = sessions.store(agentId).get(key);
    if (!entry?.sessionId) throw new AgentError("INVALID_REQUEST", "session not found");
    if (!sessions.hasTranscript(agentId, entry)) throw new AgentError("INVALID_REQUEST", "transcript file not found");
    const at = now();
    const msg = {
      role: "assistant" as const,
      content: [{ type: "text" as const, text: `${label ? `[${label}]\n\n` : ""}${message}` }],
      timestamp: at,
      stopReason: "injected",
      usage: { ...emptyUsage() },
    } as unknown as AssistantMessage;
    const t = sessions.transcript(agentId, entry);
    const [appended] = t.append([{ type: "message", message: msg }], now);
    t.sync();
    sessions.store(agentId).update(key, { updatedAt: at });
    return { messageId: (appended as { id?: string } | undefined)?.id ?? randomUUID().slice(0, 8), message: msg, key };
  }

  /** `sessions.patch`: label, model override, thinking level, send policy (`null` clears). */
  patch(
    sessionKey: string,
    patch: { label?: string | null; model?: string | null; thinkingLevel?: string | null; sendPolicy?: "allow" | "deny" | null },
  ) {
    const { key, agentId } = this.resolve(sessionKey);
    const store = this.deps.sessions.store(agentId);
    this.deps.sessions.touch(agentId, key);
    const next: Partial<SessionEntry> = {};
    if (patch.label !== undefined) next.label = patch.label ?? undefined;
    if (patch.thinkingLevel !== undefined) next.thinkingLevel = patch.thinkingLevel ?? undefined;
    if (patch.sendPolicy !== undefined) next.sendPolicy = patch.sendPolicy ?? undefined;
    if (patch.model !== undefined) {
      if (patch.model === null) next.modelOverride = undefined;
      else {
        try {
          next.modelOverride = this.deps.models.canonicalRef(patch.model);
        } catch (e) {
          throw new AgentError("INVALID_MODEL", (e as Error).message);
        }
      }
    }
    return { ok: true, key, entry: store.update(key, next) };
  }

  /** `sessions.reset`: a new conversation under the same key. */
  reset(sessionKey: string) {
    const { key, agentId } = this.resolve(sessionKey);
    const entry = this.deps.sessions.startNew(agentId, key);
    return { ok: true, key, entry };
  }
}
