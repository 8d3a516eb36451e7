/** Shared set-up for the Discord adapter tests: the real adapter wired to a FakeDiscord. */
import type { Logger } from "../../../src/infra/logger.js";
import type { ChannelAdapter, InboundMessage } from "../../../src/channels/types.js";
import { createDiscordAdapter, type DiscordConfig } from "../../../src/channels/discord/index.js";
import type { FakeDiscord } from "../../fakes/discord.js";

export const GUILD = "200000000000000001";
export const GENERAL = "300000000000000001";
export const THREAD = "300000000000000002";
export const ALICE = { id: "400000000000000001", username: "alice", global_name: "Alice" };
export const BOB = { id: "400000000000000002", username: "bob" };

export function addWorld(fake: FakeDiscord): void {
  fake.addGuild({
    id: GUILD,
    name: "Friends of Krill",
    channels: [
      { id: GENERAL, name: "general" },
      { id: THREAD, name: "release-plan", type: 11, parentId: GENERAL },
    ],
  });
}

export interface Harness {
  adapter: ChannelAdapter;
  logs: Array<{ level: string; msg: string }>;
  inbound: InboundMessage[];
  /** The next inbound message not yet taken (waits for it). */
  next(timeoutMs?: number): Promise<InboundMessage>;
}

export function harness(
  fake: FakeDiscord,
  opts: { config?: DiscordConfig; env?: Record<string, string | undefined>; accountId?: string } = {},
): Harness {
  const logs: Harness["logs"] = [];
  const log: Logger = {
    subsystem: "discord",
    trace: () => undefined,
    debug: (msg) => logs.push({ level: "debug", msg }),
    info: (msg) => logs.push({ level: "info", msg }),
    warn: (msg) => logs.push({ level: "warn", msg }),
    error: (msg) => logs.push({ level: "error", msg }),
    child: () => log,
  };
  const inbound: InboundMessage[] = [];
  let taken = 0;
  let wake: (() => void) | null = null;
  const adapter = createDiscordAdapter({
    accountId: opts.accountId ?? "default",
    config: { apiBaseUrl: fake.apiBaseUrl, ...opts.config },
    env: opts.env ?? { DISCORD_BOT_TOKEN: fake.token },
    log,
    stateDir: "/nonexistent",
    now: Date.now,
    onInbound: (m) => {
      inbound.push(m);
      wake?.();
    },
  });
  const next = async (timeoutMs = 3000): Promise<InboundMessage> => {
    const deadline = Date.now() + timeoutMs;
    while (taken >= inbound.length) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no inbound message within ${timeoutMs} ms (got ${inbound.length})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = null;
    }
    return inbound[taken++]!;
  };
  return { adapter, logs, inbound, next };
}

export async function until(cond: () => boolean, timeoutMs = 3000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
