/** An in-memory channel adapter for router tests: inject inbound messages, read what was sent. */
import type { AdapterFactory, ChannelAdapter, InboundMessage, OutboundContent, OutboundTarget } from "../../src/channels/types.js";

export class MemoryChannel {
  sent: Array<{ to: OutboundTarget; text: string }> = [];
  typing: OutboundTarget[] = [];
  /** Whether the gateway has started this channel's adapter. */
  started = false;
  private inbound: ((m: InboundMessage) => void) | null = null;
  private seq = 0;
  private waiters: Array<() => void> = [];

  constructor(readonly channel: string) {}

  factory: AdapterFactory = (ctx) => {
    this.inbound = ctx.onInbound;
    const self = this;
    const adapter: ChannelAdapter = {
      channel: self.channel,
      accountId: ctx.accountId,
      async start() {
        self.started = true;
      },
      async stop() {},
      status: () => ({ accountId: ctx.accountId, enabled: true, configured: true, running: true, connected: true, botName: "testbot" }),
      async send(to: OutboundTarget, content: OutboundContent) {
        self.sent.push({ to, text: content.text });
        for (const w of self.waiters.splice(0)) w();
        return { messageIds: [String(++self.seq)] };
      },
      async typing(to: OutboundTarget) {
        self.typing.push(to);
      },
      async probe() {
        return { ok: true, latencyMs: 1 };
      },
    };
    return adapter;
  };

  /** Delivers a message as the adapter would. */
  receive(m: Partial<InboundMessage> & { text: string; chat: InboundMessage["chat"]; sender: InboundMessage["sender"] }): void {
    if (!this.inbound) throw new Error("adapter not started");
    this.inbound({
      channel: this.channel,
      accountId: "default",
      messageId: String(++this.seq),
      mentioned: m.chat.kind === "dm",
      timestamp: Date.now(),
      ...m,
    });
  }

  async waitForSent(n: number, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.sent.length < n) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${n} sent messages (have ${this.sent.length}: ${JSON.stringify(this.sent)})`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }
}
