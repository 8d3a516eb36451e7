/**
 * The agent's view of sessions, as OpenClaw 2026.1.29 names it: `sessions_list`, `sessions_history`,
 * `sessions_send` (talk to another session and wait for its reply), `sessions_spawn` (start a
 * sub-agent on a task; its result is announced back), `session_status` and `agents_list`.
 *
 * Results are JSON text in the original's shapes. Reaching another agent's sessions needs
 * `tools.agentToAgent.enabled` (and, with `allow`, the agent named there); spawning another agent's
 * sub-agent needs `agents.list[].subagents.allowAgents`. A sub-agent cannot spawn.
 */
import { randomUUID } from "node:crypto";
import * as z from "zod";
import type { OpenClawConfig } from "../../config/schema.js";
import { statusText } from "../../agents/status.js";
import { defineTool, type ToolContext, type ToolResult } from "../registry.js";
import type { AgentsHost } from "../host.js";

const json = (value: unknown, isError = false): ToolResult => ({
  text: JSON.stringify(value, null, 2),
  ...(isError ? { isError } : {}),
  details: value,
});

const agentOfKey = (key: string): string | undefined => /^agent:([^:]+):/.exec(key)?.[1];

function host(ctx: ToolContext): AgentsHost {
  const agents = ctx.host?.agents;
  if (!agents) throw new Error("sessions are not available in this context");
  return agents;
}

/** Whether `from` may see or message `to`'s sessions (`tools.agentToAgent`). */
function agentToAgent(cfg: OpenClawConfig | undefined, from: string, to: string): boolean {
  if (from === to) return true;
  const a2a = (cfg?.tools as { agentToAgent?: { enabled?: boolean; allow?: string[] } } | undefined)?.agentToAgent;
  if (!a2a?.enabled) return false;
  const allow = a2a.allow ?? [];
  return allow.length === 0 || allow.includes("*") || (allow.includes(from) && allow.includes(to)) || allow.includes(to);
}

function kindOf(key: string, mainKey: string): string {
  if (key === "global" || key.endsWith(`:${mainKey}`)) return "main";
  if (key.includes(":cron:")) return "cron";
  if (key.includes(":hook:")) return "hook";
  if (key.includes(":node:")) return "node";
  if (/:(group|channel):/.test(key)) return "group";
  return "other";
}

type HistoryMessage = { role?: string; content?: unknown };
const textOf = (m: HistoryMessage): string =>
  typeof m.content === "string"
    ? m.content
    : Array.isArray(m.content)
      ? m.content
          .filter((b: { type?: string }) => b?.type === "text")
          .map((b: { text?: string }) => b.text ?? "")
          .join("")
      : "";
const withoutTools = (messages: HistoryMessage[]) => messages.filter((m) => m.role === "user" || m.role === "assistant");

export const sessionsListTool = defineTool({
  name: "sessions_list",
  description: "List sessions with optional filters and last messages.",
  args: () =>
    z.object({
      kinds: z.array(z.string()).optional().describe("main, group, cron, hook, node, other"),
      limit: z.number().min(1).optional(),
      activeMinutes: z.number().min(1).optional(),
      messageLimit: z.number().min(0).optional().describe("last messages per session (at most 20)"),
    }),
  async run(args, ctx) {
    const agents = host(ctx);
    const mainKey = agents.mainKey();
    const kinds = args.kinds?.map((k) => k.trim().toLowerCase()).filter(Boolean);
    const messageLimit = Math.min(Math.floor(args.messageLimit ?? 0), 20);
    const listed = agents.listSessions({
      ...(args.limit ? { limit: Math.floor(args.limit) } : {}),
      ...(args.activeMinutes ? { activeMinutes: Math.floor(args.activeMinutes) } : {}),
    }) as { sessions: Array<Record<string, unknown>> };
    const rows: Array<Record<string, unknown>> = [];
    for (const s of listed.sessions) {
      const key = String(s.key ?? "");
      if (!key || key === "unknown") continue;
      const owner = agentOfKey(key) ?? ctx.agentId;
      if (!agentToAgent(ctx.config, ctx.agentId, owner)) continue;
      const kind = kindOf(key, mainKey);
      if (kinds?.length && !kinds.includes(kind)) continue;
      const row: Record<string, unknown> = {
        key,
        kind,
        channel: s.channel ?? s.lastChannel,
        label: s.label,
        displayName: s.displayName,
        updatedAt: s.updatedAt,
        sessionId: s.sessionId,
        model: s.model,
        contextTokens: s.contextTokens,
        totalTokens: s.totalTokens,
        lastChannel: s.lastChannel,
        lastTo: s.lastTo,
      };
      if (messageLimit > 0) row.messages = withoutTools((await agents.history(key, 200)).messages as HistoryMessage[]).slice(-messageLimit);
      rows.push(row);
    }
    return json({ count: rows.length, sessions: rows });
  },
});

export const sessionsHistoryTool = defineTool({
  name: "sessions_history",
  description: "Fetch message history for a session.",
  args: () =>
    z.object({
      sessionKey: z.string().min(1),
      limit: z.number().min(1).optional(),
      includeTools: z.boolean().optional(),
    }),
  async run(args, ctx) {
    const agents = host(ctx);
    const resolved = resolveTarget(agents, args.sessionKey, ctx);
    if ("error" in resolved) return json(resolved, true);
    const h = await agents.history(resolved.key, Math.min(Math.floor(args.limit ?? 50), 200));
    const messages = args.includeTools ? h.messages : withoutTools(h.messages as HistoryMessage[]);
    return json({ sessionKey: resolved.key, messages });
  },
});

/** A session key (or id or label) the caller may reach, or why not. */
function resolveTarget(
  agents: AgentsHost,
  raw: string,
  ctx: ToolContext,
): { key: string; agentId: string } | { status: "forbidden" | "error"; error: string } {
  let key: string;
  let agentId: string;
  try {
    ({ key, agentId } = agents.resolveKey(raw.trim(), ctx.agentId));
  } catch (e) {
    return { status: "error", error: (e as Error).message };
  }
  if (!agentToAgent(ctx.config, ctx.agentId, agentId))
    return {
      status: "forbidden",
      error: `Agent-to-agent access is off: ${ctx.agentId} cannot reach ${agentId}'s sessions. Set tools.agentToAgent.enabled (and allow) to permit it.`,
    };
  return { key, agentId };
}

export const sessionsSendTool = defineTool({
  name: "sessions_send",
  description: "Send a message into another session. Waits for its reply up to timeoutSeconds (default 30); 0 sends without waiting.",
  args: () =>
    z.object({
      sessionKey: z.string().min(1).optional(),
      label: z.string().min(1).max(64).optional(),
      agentId: z.string().min(1).max(64).optional(),
      message: z.string().min(1),
      timeoutSeconds: z.number().min(0).optional(),
    }),
  // Its own wait (timeoutSeconds) bounds it.
  timeoutMs: 0,
  async run(args, ctx) {
    const agents = host(ctx);
    let target = args.sessionKey;
    if (!target && args.label) {
      try {
        target = (agents.resolveSession({ label: args.label, ...(args.agentId ? { agentId: args.agentId } : {}) }) as { key: string }).key;
      } catch (e) {
        return json({ status: "error", error: (e as Error).message }, true);
      }
    }
    if (!target) return json({ status: "error", error: "Give sessionKey or label." }, true);
    const resolved = resolveTarget(agents, target, ctx);
    if ("error" in resolved) return json(resolved, true);
    if (resolved.key === ctx.sessionKey)
      return json({ status: "error", error: "That is this session; sessions_send talks to another one." }, true);
    const timeoutSeconds = args.timeoutSeconds ?? 30;
    let handle;
    try {
      handle = agents.send({
        sessionKey: resolved.key,
        agentId: resolved.agentId,
        text: args.message,
        extraSystemPrompt: `This message comes from another session (${ctx.sessionKey}), not from a person.`,
      });
    } catch (e) {
      return json({ status: "error", error: (e as Error).message, sessionKey: resolved.key }, true);
    }
    const runId = handle.runId;
    if (timeoutSeconds === 0) return json({ runId, status: "accepted", sessionKey: resolved.key });
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      handle.done,
      new Promise<null>((r) => {
        timer = setTimeout(() => r(null), timeoutSeconds * 1000);
        timer.unref();
      }),
      new Promise<null>((r) => ctx.signal.addEventListener("abort", () => r(null), { once: true })),
    ]).finally(() => clearTimeout(timer));
    if (!result) return json({ runId, status: "timeout", sessionKey: resolved.key });
    if (result.status === "error") return json({ runId, status: "error", error: result.error ?? "agent error", sessionKey: resolved.key });
    return json({ runId, status: "ok", reply: result.text, sessionKey: resolved.key });
  },
});

/** How long spawned sub-agents' results are kept for announcement bookkeeping. */
const MAX_SPAWNED = 200;

export function createSessionsSpawnTool() {
  const running = new Set<string>();
  return defineTool({
    name: "sessions_spawn",
    description:
      "Start a sub-agent on a task in its own session. Returns at once; the sub-agent's result is announced back to this session when it finishes.",
    args: () =>
      z.object({
        task: z.string().min(1),
        label: z.string().optional(),
        agentId: z.string().optional(),
        model: z.string().optional(),
        thinking: z.string().optional(),
        runTimeoutSeconds: z.number().min(0).optional(),
        timeoutSeconds: z.number().min(0).optional(),
        cleanup: z.enum(["delete", "keep"]).optional(),
      }),
    async run(args, ctx) {
      const agents = host(ctx);
      if (ctx.sessionKey.includes(":subagent:"))
        return json({ status: "forbidden", error: "sessions_spawn is not allowed from sub-agent sessions" }, true);
      if (running.size >= MAX_SPAWNED) return json({ status: "error", error: `too many sub-agents running (${MAX_SPAWNED})` }, true);
      const cfg = ctx.config;
      const target = args.agentId?.trim().toLowerCase() || ctx.agentId;
      if (target !== ctx.agentId) {
        const allow = (cfg?.agents?.list ?? []).find((a) => a.id === ctx.agentId)?.subagents?.allowAgents ?? [];
        if (!allow.includes("*") && !allow.map((a) => a.toLowerCase()).includes(target))
          return json(
            {
              status: "forbidden",
              error: `agentId is not allowed for sessions_spawn (allowed: ${allow.length ? allow.join(", ") : "none"})`,
            },
            true,
          );
        if (!agents.agentIds().includes(target)) return json({ status: "error", error: `unknown agent "${target}"` }, true);
      }
      const childSessionKey = `agent:${target}:subagent:${randomUUID()}`;
      const model = args.model ?? (cfg?.agents?.list ?? []).find((a) => a.id === target)?.subagents?.model;
      let warning: string | undefined;
      const modelRef = typeof model === "string" ? model : (model as { primary?: string } | undefined)?.primary;
      if (modelRef) {
        try {
          agents.patch(childSessionKey, { model: modelRef });
        } catch (e) {
          warning = (e as Error).message;
        }
      }
      const label = args.label?.trim();
      if (label) {
        try {
          agents.patch(childSessionKey, { label });
        } catch {
          // a label already in use: the sub-agent runs unlabelled
        }
      }
      const timeout = args.runTimeoutSeconds ?? args.timeoutSeconds;
      let handle;
      try {
        handle = agents.send({
          sessionKey: childSessionKey,
          agentId: target,
          text: args.task,
          ...(timeout ? { timeoutMs: timeout * 1000 } : {}),
          extraSystemPrompt: [
            "You are a sub-agent started by another session to do one task. Do the task and reply with the result;",
            "your final reply is handed back to the session that started you.",
            `Started by: ${ctx.sessionKey}.${label ? ` Label: ${label}.` : ""}`,
          ].join(" "),
        });
      } catch (e) {
        return json({ status: "error", error: (e as Error).message, childSessionKey }, true);
      }
      running.add(handle.runId);
      const requester = ctx.sessionKey;
      const origin = ctx.origin;
      const sink = ctx.host;
      void handle.done.then(async (r) => {
        running.delete(handle.runId);
        const name = label ? `Sub-agent "${label}"` : "A sub-agent";
        const body = r.status === "ok" ? r.text.trim() || "(no reply)" : `failed: ${r.error ?? r.status}`;
        sink?.systemEvents?.enqueue(requester, `${name} (${childSessionKey}) finished: ${body.slice(0, 2000)}`);
        if (origin && sink?.channels)
          await sink.channels
            .send(
              { channel: origin.channel, to: origin.to, accountId: origin.accountId, threadId: origin.threadId },
              `${name} finished:\n\n${body}`,
            )
            .catch(() => undefined);
        if (args.cleanup === "delete") {
          try {
            agents.delete(childSessionKey);
          } catch {
            // already gone
          }
        }
      });
      return json({
        status: "accepted",
        childSessionKey,
        runId: handle.runId,
        ...(modelRef ? { modelApplied: !warning } : {}),
        ...(warning ? { warning } : {}),
      });
    },
  });
}

export const sessionStatusTool = defineTool({
  name: "session_status",
  description: "Show this session's status card: model, context use, tokens and cost. With model, change the session's model.",
  args: () => z.object({ sessionKey: z.string().optional(), model: z.string().optional() }),
  run(args, ctx) {
    const agents = host(ctx);
    const resolved = resolveTarget(agents, args.sessionKey ?? ctx.sessionKey, ctx);
    if ("error" in resolved) return json(resolved, true);
    if (args.model) {
      try {
        agents.patch(resolved.key, { model: args.model === "default" ? null : args.model });
      } catch (e) {
        return { text: `Could not change the model: ${(e as Error).message}`, isError: true };
      }
    }
    const entry = agents.store(resolved.agentId).get(resolved.key);
    if (!entry) return { text: `No session ${resolved.key} yet.`, isError: true };
    return { text: statusText(ctx.config!, resolved.agentId, resolved.key, entry), details: { sessionKey: resolved.key } };
  },
});

export const agentsListTool = defineTool({
  name: "agents_list",
  description: "List agent ids you can target with sessions_spawn (based on allowlists).",
  args: () => z.object({}),
  run(_args, ctx) {
    const agents = host(ctx);
    const cfg = ctx.config;
    const list = cfg?.agents?.list ?? [];
    const allow = list.find((a) => a.id === ctx.agentId)?.subagents?.allowAgents ?? [];
    const known = agents.agentIds();
    const ids = allow.includes("*") ? known : known.filter((id) => allow.map((a) => a.toLowerCase()).includes(id));
    const ordered = [ctx.agentId, ...ids.filter((id) => id !== ctx.agentId).sort()];
    return json({
      requester: ctx.agentId,
      allowAny: allow.includes("*"),
      agents: ordered.map((id) => ({
        id,
        name: list.find((a) => a.id === id)?.name,
        configured: list.some((a) => a.id === id),
      })),
    });
  },
});

export const SESSION_TOOLS = [sessionsListTool, sessionsHistoryTool, sessionsSendTool, sessionStatusTool, agentsListTool];
