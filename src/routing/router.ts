/**
 * Inbound chat messages → the agent → the reply. For each message: access policy (pairing codes for
 * strangers, allowlists, mention gating), the agent from `bindings`, the session key from
 * `session.dmScope`, a typing indicator while the agent works, then the reply through the same
 * adapter. Un-mentioned group messages are kept (up to `historyLimit`) and handed to the agent as
 * context the next time it is addressed there.
 *
 * With plugins' hooks (`deps.hooks`): `message_received` for each message the agent is to answer (not
 * waited for), `message_sending` before each reply (a plugin may change or cancel it) and
 * `message_sent` after it.
 */
import type { AgentService } from "../agents/service.js";
import type { ChannelManager } from "../channels/manager.js";
import type { ChannelAdapter, ChannelRules, GroupRules, GroupToolPolicy, InboundMessage, OutboundTarget } from "../channels/types.js";
import type { OpenClawConfig } from "../config/schema.js";
import type { Logger } from "../infra/logger.js";
import type { HookRunner } from "../plugins/hooks.js";
import { sessionKeyFor, type DmScope } from "../sessions/keys.js";
import { decide, senderMatches } from "./access.js";
import { resolveAgentId } from "./bindings.js";
import type { PairingStore } from "./pairing.js";
import { stageClock, stageSince } from "../infra/stages.js";

const TYPING_EVERY_MS = 4500;

/** The sender as the envelope names them: their name, with their id when that says something else. */
function senderLabel(msg: InboundMessage): string {
  const name = msg.sender.name?.trim() || (msg.sender.username ? `@${msg.sender.username}` : "");
  return name && name !== msg.sender.id ? `${name} id:${msg.sender.id}` : msg.sender.id;
}

export interface RouterDeps {
  config(): OpenClawConfig;
  agents: AgentService;
  channels: ChannelManager;
  pairing: PairingStore;
  log: Logger;
  now: () => number;
  /** Plugins' typed hooks (none without it). */
  hooks?: HookRunner;
}

interface ContextLine {
  who: string;
  text: string;
}

type Obj = Record<string, any>;

export class ChannelRouter {
  private history = new Map<string, ContextLine[]>();

  constructor(private readonly deps: RouterDeps) {}

  private accountConfig(msg: InboundMessage): { config: Obj; sectionPresent: boolean } {
    const section = ((this.deps.config().channels ?? {}) as Obj)[msg.channel] as Obj | undefined;
    const { accounts, ...base } = section ?? {};
    return { config: { ...base, ...(accounts?.[msg.accountId] ?? {}) }, sectionPresent: Boolean(section) };
  }

  /** Called by adapters for every inbound message; never throws. */
  handle(msg: InboundMessage): void {
    void this.route(msg).catch((e: Error) => this.deps.log.error(`${msg.channel} message ${msg.messageId}: ${e.stack ?? e.message}`));
  }

  private chatKey(msg: InboundMessage): string {
    return `${msg.channel}:${msg.accountId}:${msg.chat.id}:${msg.chat.threadId ?? ""}`;
  }

  private async route(msg: InboundMessage): Promise<void> {
    const routingStart = stageClock();
    const { config, sectionPresent } = this.accountConfig(msg);
    const rules = this.deps.channels.rules(msg.channel);
    if (!rules) return this.deps.log.warn(`message from unknown channel ${msg.channel} dropped`);
    const decision = decide(msg, { config, sectionPresent, pairing: this.deps.pairing, rules });
    const adapter = this.deps.channels.get(msg.channel, msg.accountId);
    if (!adapter) return;
    const to: OutboundTarget = { chatId: msg.chat.id, ...(msg.chat.threadId ? { threadId: msg.chat.threadId } : {}) };

    if (decision.action === "drop") {
      this.deps.log.debug(`${msg.channel}: ignored message from ${msg.sender.id} in ${msg.chat.kind} ${msg.chat.id}: ${decision.reason}`);
      return;
    }
    if (decision.action === "context") {
      this.remember(msg, config);
      return;
    }
    if (decision.action === "pair") {
      const meta: Record<string, string> = {};
      if (msg.sender.username) meta.username = msg.sender.username;
      if (msg.sender.name) meta.name = msg.sender.name;
      const r = this.deps.pairing.request(msg.channel, msg.sender.id, meta);
      if (r.code === null) {
        this.deps.log.info(`${msg.channel}: pairing request from ${msg.sender.id} ignored: 3 requests are already waiting`);
        return;
      }
      if (!r.created) return; // already told them; the code stands for an hour
      this.deps.log.info(`${msg.channel}: pairing request from ${msg.sender.username ?? msg.sender.id} (code ${r.code})`);
      await adapter.send(to, {
        text: [
          "This assistant is private. To let you in, its owner runs:",
          "",
          `openclaw pairing approve ${msg.channel} ${r.code}`,
          "",
          `Your ${msg.channel} user id: ${msg.sender.id}. The code expires in an hour.`,
        ].join("\n"),
      });
      return;
    }

    this.received(msg);
    const cfg = this.deps.config();
    const agentId = resolveAgentId(cfg, msg, this.deps.agents.defaultAgentId());
    const kind = msg.chat.kind;
    const peerId = kind === "dm" ? msg.sender.id : rules.groupPeerId(msg);
    const sessionKey = sessionKeyFor(
      { agentId, channel: msg.channel, accountId: msg.accountId, kind, id: peerId },
      (cfg.session?.dmScope ?? "main") as DmScope,
      cfg.session?.mainKey ?? "main",
    );

    let text = msg.text;
    // A command (/status, /new) goes to the command parser unchanged; group context waits for a real message.
    if (kind !== "dm" && !text.trim().startsWith("/")) {
      const who = msg.sender.name ?? msg.sender.username ?? msg.sender.id;
      const earlier = this.history.get(this.chatKey(msg)) ?? [];
      this.history.delete(this.chatKey(msg));
      const context = earlier.length
        ? `[Earlier in this chat, not addressed to you]\n${earlier.map((l) => `${l.who}: ${l.text}`).join("\n")}\n\n`
        : "";
      text = `${context}[${who}${msg.sender.username ? ` (@${msg.sender.username})` : ""}]: ${text}`;
    }

    let handle;
    stageSince("routing", routingStart);
    try {
      handle = this.deps.agents.send({
        sessionKey,
        agentId,
        text,
        images: msg.images,
        extraSystemPrompt: decision.systemPrompt,
        channel: msg.channel,
        envelope: {
          label: this.deps.channels.label(msg.channel) ?? msg.channel,
          from: kind === "dm" ? senderLabel(msg) : `${msg.chat.title ?? msg.chat.channelName ?? "Group"} id:${msg.chat.id}`,
          at: msg.timestamp,
        },
        senderId: msg.sender.id,
        senderAuthorized: this.authorized(msg, config, sectionPresent, rules),
        origin: {
          channel: msg.channel,
          accountId: msg.accountId,
          to: msg.chat.id,
          ...(msg.chat.threadId ? { threadId: msg.chat.threadId } : {}),
          chatType: kind,
          senderId: msg.sender.id,
        },
        ...(kind !== "dm" ? { toolPolicy: groupToolPolicy(rules.group(config, msg, sectionPresent), msg) } : {}),
      });
    } catch (e) {
      await this.reply(adapter, { ...to, replyToMessageId: msg.messageId }, `Sorry, I can't answer that: ${(e as Error).message}`, msg);
      return;
    }
    this.rememberRoute(agentId, sessionKey, msg);

    const typing = () => void adapter.typing(to).catch(() => undefined);
    typing();
    const timer = setInterval(typing, TYPING_EVERY_MS);
    let result;
    try {
      result = await handle.done;
    } finally {
      clearInterval(timer);
    }
    if (result.mergedInto) return; // answered by the run it was collected into
    const reply =
      result.status === "error"
        ? result.refused && result.error
          ? result.error
          : `Sorry, something went wrong: ${result.error ?? "the agent run failed"}`
        : result.text.trim() || (result.status === "aborted" ? "" : "(no reply)");
    if (!reply) return;
    await this.reply(adapter, { ...to, ...(kind !== "dm" ? { replyToMessageId: msg.messageId } : {}) }, reply, msg);
  }

  /**
   * Whether the sender is the owner or allowlisted (may run commands that require it): named in the
   * DM allowlist, paired, or named in the group's own sender list.
   */
  private authorized(msg: InboundMessage, config: Obj, sectionPresent: boolean, rules: ChannelRules): boolean {
    if (senderMatches(rules.dm(config).allowFrom, msg.sender) || this.deps.pairing.isApproved(msg.channel, msg.sender.id)) return true;
    return msg.chat.kind !== "dm" && senderMatches(rules.group(config, msg, sectionPresent).users, msg.sender);
  }

  /**
   * Records on the session entry the chat it last talked in, under OpenClaw's names (`lastChannel`,
   * `lastTo`, `lastAccountId`, `lastThreadId`, `deliveryContext`): where a heartbeat with target
   * `last` reports, and what `sessions.list` shows.
   */
  private rememberRoute(agentId: string, sessionKey: string, msg: InboundMessage): void {
    try {
      const store = this.deps.agents.store(agentId);
      const e = store.get(sessionKey);
      if (!e) return;
      const threadId = msg.chat.threadId ?? undefined;
      if (e.lastChannel === msg.channel && e.lastTo === msg.chat.id && e.lastAccountId === msg.accountId && e.lastThreadId === threadId)
        return;
      store.update(sessionKey, {
        lastChannel: msg.channel,
        lastTo: msg.chat.id,
        lastAccountId: msg.accountId,
        lastThreadId: threadId,
        deliveryContext: { channel: msg.channel, to: msg.chat.id, accountId: msg.accountId, ...(threadId ? { threadId } : {}) },
      });
    } catch (e) {
      this.deps.log.debug(`could not record the last chat of ${sessionKey}: ${(e as Error).message}`);
    }
  }

  /** `message_received` for a message the agent is about to answer (not waited for). */
  private received(msg: InboundMessage): void {
    const hooks = this.deps.hooks;
    if (!hooks?.hasHooks("message_received")) return;
    const event = {
      from: `${msg.channel}:${msg.sender.id}`,
      content: msg.text,
      timestamp: msg.timestamp,
      metadata: {
        to: msg.chat.id,
        provider: msg.channel,
        surface: msg.channel,
        threadId: msg.chat.threadId,
        originatingChannel: msg.channel,
        originatingTo: msg.chat.id,
        messageId: msg.messageId,
        senderId: msg.sender.id,
        senderName: msg.sender.name,
        senderUsername: msg.sender.username,
      },
    };
    hooks.runMessageReceived(event, this.hookContext(msg)).catch(() => undefined);
  }

  private hookContext(msg: InboundMessage) {
    return { channelId: msg.channel, accountId: msg.accountId, conversationId: msg.chat.id };
  }

  /** Sends a reply into the chat, past plugins' `message_sending` (change, cancel) and `message_sent`. */
  private async reply(adapter: ChannelAdapter, target: OutboundTarget, text: string, msg: InboundMessage): Promise<void> {
    const hooks = this.deps.hooks;
    if (!hooks) {
      const sendStart = stageClock();
      await adapter.send(target, { text });
      return stageSince("platform_send", sendStart);
    }
    const ctx = this.hookContext(msg);
    let content = text;
    if (hooks.hasHooks("message_sending")) {
      const out = await hooks.runMessageSending(
        { to: target.chatId, content, metadata: { channel: msg.channel, accountId: msg.accountId } },
        ctx,
      );
      if (out?.cancel) {
        this.deps.log.debug(`${msg.channel}: a plugin cancelled the reply to message ${msg.messageId}`);
        return;
      }
      if (typeof out?.content === "string") content = out.content;
      if (!content.trim()) {
        this.deps.log.debug(`${msg.channel}: a plugin emptied the reply to message ${msg.messageId}; nothing was sent`);
        return;
      }
    }
    const sent = (success: boolean, error?: string) => {
      if (!hooks.hasHooks("message_sent")) return;
      hooks.runMessageSent({ to: target.chatId, content, success, ...(error ? { error } : {}) }, ctx).catch(() => undefined);
    };
    const sendStart = stageClock();
    try {
      await adapter.send(target, { text: content });
      stageSince("platform_send", sendStart);
    } catch (e) {
      sent(false, (e as Error)?.message ?? String(e));
      throw e;
    }
    sent(true);
  }

  private remember(msg: InboundMessage, config: Obj): void {
    const limit =
      config.historyLimit ??
      (this.deps.config().messages as Obj | undefined)?.groupChat?.historyLimit ??
      this.deps.channels.rules(msg.channel)?.historyLimit ??
      20;
    if (limit <= 0 || !msg.text.trim()) return;
    const key = this.chatKey(msg);
    const list = this.history.get(key) ?? [];
    list.push({ who: msg.sender.name ?? msg.sender.username ?? msg.sender.id, text: msg.text.slice(0, 2000) });
    if (list.length > limit) list.splice(0, list.length - limit);
    this.history.set(key, list);
    if (this.history.size > 1000) this.history.delete(this.history.keys().next().value as string);
  }
}

/**
 * The tool policy for a group message: the sender's own entry in `toolsBySender` (by id, username or
 * name; `*` for anyone else) in place of the group's `tools`.
 */
export function groupToolPolicy(group: GroupRules, msg: InboundMessage): GroupToolPolicy | undefined {
  const bySender = group.toolsBySender;
  if (bySender) {
    const u = msg.sender.username;
    const names = [msg.sender.id, u, u ? `@${u}` : undefined, msg.sender.name].filter((n): n is string => Boolean(n));
    const lower = new Map(Object.entries(bySender).map(([k, v]) => [k.trim().toLowerCase(), v]));
    for (const n of names) {
      const hit = lower.get(n.toLowerCase());
      if (hit) return hit;
    }
    if (lower.has("*")) return lower.get("*");
  }
  return group.tools;
}
