/**
 * Plugins on the message path: message_received, message_sending (change or cancel a reply),
 * message_sent, and plugin commands from chat senders, through the real router, agent service and
 * delivery, with an in-memory Telegram adapter and the fake Anthropic API.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { AgentService } from "../../src/agents/service.js";
import { deliver } from "../../src/channels/deliver.js";
import { ChannelManager } from "../../src/channels/manager.js";
import { ChannelCatalog } from "../../src/channels/plugin.js";
import { telegramChannel } from "../../src/channels/telegram/plugin.js";
import type { OpenClawConfig } from "../../src/config/schema.js";
import { LogSink } from "../../src/infra/logger.js";
import { createHookRunner, createPluginCommands } from "../../src/plugins/hooks.js";
import { PluginRegistry } from "../../src/plugins/registry.js";
import { pluginRecord } from "../helpers/plugins.js";
import { PairingStore } from "../../src/routing/pairing.js";
import { ChannelRouter } from "../../src/routing/router.js";
import { FakeLlm } from "../fakes/llm.js";
import { tmpDir } from "../helpers/cleanup.js";
import { waitFor } from "../helpers/gateway.js";
import { MemoryChannel } from "../helpers/memory-channel.js";

const alice = { id: "111", username: "alice", name: "Alice" };
const bob = { id: "222", username: "bob", name: "Bob" };

const record = pluginRecord;

describe("plugins on the message path", { timeout: 30_000 }, () => {
  let llm: FakeLlm;
  const registry = new PluginRegistry();
  const plugin = record("relay");
  registry.plugins.push(plugin);
  const received: Array<{ event: any; ctx: any }> = [];
  const sending: Array<{ event: any; ctx: any }> = [];
  const sent: any[] = [];
  const tg = new MemoryChannel("telegram");
  let agents: AgentService;
  let channels: ChannelManager;
  const sink = new LogSink({ consoleStyle: "compact", consoleLevel: "error", stdout: () => {}, stderr: () => {} });

  before(async () => {
    llm = await FakeLlm.start("anthropic");
    registry.on(plugin, "message_received", (event: any, ctx: any) => void received.push({ event, ctx }));
    registry.on(plugin, "message_sending", (event: any, ctx: any) => {
      sending.push({ event, ctx });
      if (event.content.includes("secret")) return { cancel: true };
      return { content: `${event.content} [checked]` };
    });
    registry.on(plugin, "message_sent", (event: any) => void sent.push(event));
    registry.registerCommand(plugin, { name: "ping", description: "Answers pong", handler: () => ({ text: "pong" }) });

    const hooks = createHookRunner(registry, sink.logger("plugins"));
    const stateDir = tmpDir("oc-router-plugins-");
    const config = {
      gateway: { mode: "local" },
      models: { providers: { anthropic: { baseUrl: llm.baseUrl, models: [] } } },
      agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },
      // Anyone may write; only Alice is on the allowlist.
      channels: { telegram: { dmPolicy: "open", allowFrom: ["111"] } },
    } as unknown as OpenClawConfig;
    const env = { ANTHROPIC_API_KEY: "k", TELEGRAM_BOT_TOKEN: "t" };
    agents = new AgentService({
      config: () => config,
      stateDir,
      env,
      log: sink.logger("agent"),
      hooks,
      pluginCommands: createPluginCommands(registry, sink.logger("plugins")),
    });
    channels = new ChannelManager({
      config: () => config,
      env,
      logs: sink,
      stateDir,
      now: Date.now,
      catalog: new ChannelCatalog([telegramChannel]),
      factories: { telegram: tg.factory },
    });
    const pairing = PairingStore.forStateDir(stateDir);
    const router = new ChannelRouter({ config: () => config, agents, channels, pairing, log: sink.logger("router"), now: Date.now, hooks });
    channels.connect((msg) => router.handle(msg));
    await channels.sync();
    await waitFor(() => tg.started, 5000, "telegram started");
  });
  after(async () => {
    await channels.stop();
    await agents.close();
    await llm.close();
  });

  it("message_received hears the message; message_sending changes the reply; message_sent hears it went out", async () => {
    tg.receive({ chat: { kind: "dm", id: "111" }, sender: alice, text: "hello there" });
    await tg.waitForSent(1);
    assert.equal(tg.sent[0]!.text, "echo: hello there [checked]");

    assert.equal(received.length, 1);
    assert.equal(received[0]!.event.from, "telegram:111");
    assert.equal(received[0]!.event.content, "hello there");
    assert.equal(received[0]!.event.metadata.senderUsername, "alice");
    assert.deepEqual(received[0]!.ctx, { channelId: "telegram", accountId: "default", conversationId: "111" });
    assert.equal(sending[0]!.event.to, "111");
    assert.equal(sending[0]!.event.content, "echo: hello there");
    await waitFor(() => sent.length === 1, 5000, "message_sent");
    assert.deepEqual(sent[0], { to: "111", content: "echo: hello there [checked]", success: true });
  });

  it("message_sending can cancel a reply", async () => {
    const before = tg.sent.length;
    tg.receive({ chat: { kind: "dm", id: "111" }, sender: alice, text: "tell me the secret" });
    tg.receive({ chat: { kind: "dm", id: "111" }, sender: alice, text: "and now?" });
    await tg.waitForSent(before + 1);
    await waitFor(() => sending.some((s) => s.event.content === "echo: and now?"), 5000, "the second reply");
    assert.ok(
      sending.some((s) => s.event.content === "echo: tell me the secret"),
      "the first reply reached message_sending",
    );
    assert.deepEqual(
      tg.sent.slice(before).map((m) => m.text),
      ["echo: and now? [checked]"],
      "the cancelled reply was never sent",
    );
  });

  it("a plugin command runs for an allowlisted sender and is refused to others, without the model", async () => {
    const requests = llm.requests.length;
    const before = tg.sent.length;
    tg.receive({ chat: { kind: "dm", id: "222" }, sender: bob, text: "/ping" });
    await tg.waitForSent(before + 1);
    assert.equal(tg.sent.at(-1)!.text, "/ping is only for the owner and allowlisted senders. [checked]");
    tg.receive({ chat: { kind: "dm", id: "111" }, sender: alice, text: "/ping" });
    await tg.waitForSent(before + 2);
    assert.equal(tg.sent.at(-1)!.text, "pong [checked]");
    assert.equal(llm.requests.length, requests, "the model was not called");
  });

  it("an operator's send passes message_sending and message_sent too", async () => {
    const r = await deliver(
      channels,
      { channel: "telegram", to: "111", text: "from the operator" },
      { hooks: createHookRunner(registry, sink.logger("plugins")) },
    );
    assert.equal(r.cancelled, undefined);
    assert.equal(tg.sent.at(-1)!.text, "from the operator [checked]");
    await waitFor(() => sent.some((s) => s.content === "from the operator [checked]"), 5000, "message_sent");

    const before = tg.sent.length;
    const cancelled = await deliver(
      channels,
      { channel: "telegram", to: "111", text: "the secret plan" },
      { hooks: createHookRunner(registry, sink.logger("plugins")) },
    );
    assert.equal(cancelled.cancelled, true);
    assert.deepEqual(cancelled.messageIds, []);
    assert.equal(tg.sent.length, before, "nothing was sent");
  });
});
