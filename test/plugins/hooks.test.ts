/** The typed-hook runner and plugin chat commands: order, merging, failures, and what waits for what. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHookRunner, createPluginCommands } from "../../src/plugins/hooks.js";
import { PluginRegistry } from "../../src/plugins/registry.js";
import { pluginRecord } from "../helpers/plugins.js";

const record = pluginRecord;

function setup(...ids: string[]) {
  const registry = new PluginRegistry();
  const plugins = Object.fromEntries(
    ids.map((id) => {
      const r = record(id);
      registry.plugins.push(r);
      return [id, r];
    }),
  );
  const logged: string[] = [];
  const logger = { warn: (m: string) => logged.push(`warn ${m}`), error: (m: string) => logged.push(`error ${m}`) };
  return { registry, plugins, logged, hooks: createHookRunner(registry, logger), commands: createPluginCommands(registry, logger) };
}

const agentCtx = { agentId: "main", sessionKey: "agent:main:main" };

describe("plugin hook runner", { timeout: 10_000 }, () => {
  it("runs before_agent_start handlers highest priority first and merges what they return", async () => {
    const { registry, plugins, hooks } = setup("a", "b", "c");
    const order: string[] = [];
    registry.on(plugins.a!, "before_agent_start", () => void order.push("a (0)"));
    registry.on(plugins.b!, "before_agent_start", () => (order.push("b (10)"), { prependContext: "from b", systemPrompt: "b's prompt" }), {
      priority: 10,
    });
    registry.on(plugins.c!, "before_agent_start", async () => (order.push("c (5)"), { prependContext: "from c" }), { priority: 5 });
    registry.on(plugins.a!, "before_agent_start", () => (order.push("a again (0)"), { systemPrompt: "a's prompt" }));

    const out = await hooks.runBeforeAgentStart({ prompt: "hi", messages: [] }, agentCtx);
    assert.deepEqual(order, ["b (10)", "c (5)", "a (0)", "a again (0)"]);
    assert.equal(out?.prependContext, "from b\n\nfrom c", "contexts joined in order");
    assert.equal(out?.systemPrompt, "a's prompt", "the last handler that sets a system prompt wins");
  });

  it("merges message_sending (content, cancel) and before_tool_call (params, block, blockReason); nothing registered is undefined", async () => {
    const { registry, plugins, hooks } = setup("a", "b");
    const msgCtx = { channelId: "telegram" };
    assert.equal(await hooks.runMessageSending({ to: "1", content: "x" }, msgCtx), undefined);
    assert.equal(hooks.hasHooks("message_sending"), false);

    registry.on(plugins.a!, "message_sending", (e: { content: string }) => ({ content: e.content.toUpperCase() }), { priority: 2 });
    registry.on(plugins.b!, "message_sending", () => ({ cancel: true }), { priority: 1 });
    assert.deepEqual(await hooks.runMessageSending({ to: "1", content: "hello" }, msgCtx), { content: "HELLO", cancel: true });

    registry.on(plugins.a!, "before_tool_call", () => ({ params: { path: "/safe" } }), { priority: 2 });
    registry.on(plugins.b!, "before_tool_call", (e: { toolName: string }) =>
      e.toolName === "exec" ? { block: true, blockReason: "no shell here" } : undefined,
    );
    const toolCtx = { ...agentCtx, toolName: "exec" };
    assert.deepEqual(await hooks.runBeforeToolCall({ toolName: "exec", params: { command: "ls" } }, toolCtx), {
      params: { path: "/safe" },
      block: true,
      blockReason: "no shell here",
    });
    assert.deepEqual(await hooks.runBeforeToolCall({ toolName: "read", params: {} }, { ...toolCtx, toolName: "read" }), {
      params: { path: "/safe" },
    });
  });

  it("a handler that throws is logged with its plugin, marks the plugin errored, and none of its handlers run again", async () => {
    const { registry, plugins, hooks, logged } = setup("good", "bad");
    const calls: string[] = [];
    registry.on(
      plugins.bad!,
      "before_agent_start",
      () => {
        calls.push("bad");
        throw new Error("boom");
      },
      { priority: 9 },
    );
    registry.on(plugins.good!, "before_agent_start", () => (calls.push("good"), { prependContext: "ok" }));
    registry.on(plugins.bad!, "agent_end", () => void calls.push("bad agent_end"));

    const first = await hooks.runBeforeAgentStart({ prompt: "hi" }, agentCtx);
    assert.deepEqual(first, { prependContext: "ok" }, "the run goes on with the others' results");
    assert.deepEqual(calls, ["bad", "good"]);
    assert.equal(plugins.bad!.status, "error");
    assert.equal(plugins.bad!.error, "before_agent_start hook failed: boom");
    assert.equal(plugins.good!.status, "loaded");
    assert.ok(logged.some((l) => l.startsWith("error ") && l.includes("bad") && l.includes("before_agent_start") && l.includes("boom")));

    calls.length = 0;
    await hooks.runBeforeAgentStart({ prompt: "again" }, agentCtx);
    await hooks.runAgentEnd({ messages: [], success: true }, agentCtx);
    assert.deepEqual(calls, ["good"], "the failed plugin's handlers (all hooks) are skipped");
    assert.equal(hooks.hasHooks("agent_end"), false);
  });

  it("a rejected promise counts as a failure too, in parallel hooks as well", async () => {
    const { registry, plugins, hooks } = setup("p");
    registry.on(plugins.p!, "message_received", async () => {
      throw new Error("no network");
    });
    await hooks.runMessageReceived({ from: "telegram:1", content: "hi" }, { channelId: "telegram" });
    assert.equal(plugins.p!.status, "error");
    assert.equal(plugins.p!.error, "message_received hook failed: no network");
  });

  it("runs fire-and-forget hooks in parallel: every handler starts before any has to finish", async () => {
    const { registry, plugins, hooks } = setup("a", "b");
    let releaseA!: () => void;
    const aWaits = new Promise<void>((r) => (releaseA = r));
    const started: string[] = [];
    // a (higher priority) finishes only once b has started: run one after the other, this never ends.
    registry.on(
      plugins.a!,
      "agent_end",
      async () => {
        started.push("a");
        await aWaits;
      },
      { priority: 5 },
    );
    registry.on(plugins.b!, "agent_end", () => {
      started.push("b");
      releaseA();
    });
    await hooks.runAgentEnd({ messages: [], success: true }, agentCtx);
    assert.deepEqual(started, ["a", "b"]);
  });

  it("tool_result_persist is synchronous: each handler may replace the message; a promise is ignored with a warning", () => {
    const { registry, plugins, hooks, logged } = setup("trim", "async", "tag");
    registry.on(
      plugins.trim!,
      "tool_result_persist",
      (e: { message: { text: string } }) => ({ message: { text: e.message.text.slice(0, 5) } }),
      {
        priority: 3,
      },
    );
    registry.on(plugins.async!, "tool_result_persist", async () => ({ message: { text: "never" } }), { priority: 2 });
    registry.on(plugins.tag!, "tool_result_persist", (e: { message: { text: string } }) => ({ message: { text: `[${e.message.text}]` } }));
    const out = hooks.runToolResultPersist({ toolName: "read", toolCallId: "t1", message: { text: "0123456789" } }, { toolName: "read" });
    assert.deepEqual(out, { message: { text: "[01234]" } });
    assert.ok(logged.some((l) => l.startsWith("warn ") && l.includes("async") && l.includes("synchronous")));
    assert.equal(plugins.async!.status, "loaded", "returning a promise is not a failure");
  });
});

describe("plugin chat commands", { timeout: 10_000 }, () => {
  it("finds commands by any case, lists them, and drops a plugin's commands once it failed", () => {
    const { registry, plugins, commands, hooks, logged } = setup("hello", "other");
    registry.registerCommand(plugins.hello!, { name: "Hello", description: "Greets", handler: () => ({ text: "hi" }) });
    registry.registerCommand(plugins.other!, { name: "ping", description: "Pongs", handler: () => ({ text: "pong" }) });
    registry.on(plugins.hello!, "agent_end", () => undefined);
    assert.equal(commands.get("HELLO")?.pluginId, "hello");
    assert.deepEqual(
      commands.list().map((c) => c.command.name),
      ["Hello", "ping"],
    );

    commands.failed("hello", "/hello command failed: boom");
    assert.equal(plugins.hello!.status, "error");
    assert.equal(plugins.hello!.error, "/hello command failed: boom");
    assert.ok(logged.some((l) => l.includes("hello") && l.includes("boom")));
    assert.equal(commands.get("hello"), undefined);
    assert.deepEqual(
      commands.list().map((c) => c.command.name),
      ["ping"],
    );
    assert.equal(hooks.hasHooks("agent_end"), false, "its hooks stop too");
  });
});
