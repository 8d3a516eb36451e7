/**
 * Sending into chats on behalf of the gateway's services (tool notices, approval prompts, the agent's
 * `message` tool): to a chat a run came from (its native id), or to any target an operator or the
 * model names (read as the platform writes it, through `deliver`).
 */
import { deliver, type DeliverOptions, type DeliverRequest, type DeliverResult } from "./deliver.js";
import type { ChannelManager } from "./manager.js";

export interface ChatTarget {
  channel: string;
  /** The platform's chat id, as a run's origin records it. */
  to: string;
  accountId?: string;
  threadId?: string;
}

export interface ChannelSender {
  /** Sends text to a chat by its native id; queued while the account is disconnected. */
  send(target: ChatTarget, text: string): Promise<void>;
  /** Delivers to a target as written by a person or a model (`@channel`, `user:123`, `-100…:topic:42`). */
  deliver(req: DeliverRequest): Promise<DeliverResult>;
  /** Adds (or with `remove`, takes back) a reaction to a message, where the channel can. */
  react(target: ChatTarget, messageId: string, emoji: string, remove?: boolean): Promise<void>;
  /** The channel accounts this gateway has, and whether each is connected. */
  accounts(): Array<{ channel: string; accountId: string; connected: boolean }>;
}

export function channelSender(channels: ChannelManager, opts: DeliverOptions = {}): ChannelSender {
  const adapterFor = (t: ChatTarget) => {
    const adapter = t.accountId ? channels.get(t.channel, t.accountId) : channels.accounts(t.channel)[0];
    if (!adapter) throw new Error(`${t.channel}${t.accountId ? ` account ${t.accountId}` : ""} is not set up on this gateway`);
    return adapter;
  };
  return {
    async send(t, text) {
      await adapterFor(t).send({ chatId: t.to, ...(t.threadId ? { threadId: t.threadId } : {}) }, { text });
    },
    deliver: (req) => deliver(channels, req, opts),
    async react(t, messageId, emoji, remove) {
      const adapter = adapterFor(t);
      if (!adapter.react) throw new Error(`${t.channel} does not support reactions here`);
      await adapter.react({ chatId: t.to, ...(t.threadId ? { threadId: t.threadId } : {}) }, messageId, emoji, remove ?? false);
    },
    accounts: () =>
      channels.catalog
        .ids()
        .flatMap((channel) =>
          channels.accounts(channel).map((a) => ({ channel, accountId: a.accountId, connected: a.status().connected })),
        ),
  };
}
