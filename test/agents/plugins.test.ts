/**
 * Plugins in an agent run: typed hooks and chat commands, with an AgentService talking to the fake
 * Anthropic API through the real SDK, and plugins registered as the loader would register them.
 */
import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { build } from "esbuild";
import { AgentService } from "../../src/agents/service.js";
import type { OpenClawConfig } from "../../src/config/schema.js";
import { LogSink } from "../../src/infra/logger.js";
import { createHookRunner, createPluginCommands } from "../../src/plugins/hooks.js";
import { loadPlugins } from "../../src/plugins/loader.js";
import { PluginRegistry } from "../../src/plugins/registry.js";
import { pluginRecord } from "../helpers/plugins.js";
import { KEYS, fakeConfig, startFakes, type Fakes } from "../helpers/agents.js";
import { tmpDir } from "../helpers/cleanup.js";
import { waitFor } from "../helpers/gateway.js";

const record = pluginRecord;

describe("plugins in agent runs", { timeout: 60_000 }, () => {
  let f: Fakes;
  const services: AgentService[] = [];
  before(async () => {
    f = await startFakes();
  });
  after(async () => {
    for (const s of services) await s.close();
    await f.close();
  });
  beforeEach(() => {
    f.anthropic.requests.length = 0;
  });

  /** An agent service with `registry`'s hooks and commands, and the log lines it wrote. */
  function agentWith(registry: PluginRegistry) {
    const lines: string[] = [];
    const sink = new LogSink({
      consoleStyle: "compact",
      consoleLevel: "debug",
      stdout: (l) => lines.push(l),
      stderr: (l) => lines.push(l),
    });
    const config = fakeConfig(f) as unknown as OpenClawConfig;
    const service = new AgentService({
      config: () => config,
      stateDir: tmpDir("oc-agent-plugins-"),
      env: { ...KEYS },
      log: sink.logger("agent"),
      modelIdleTimeoutMs: 5000,
      hooks: createHookRunner(registry, sink.logger("plugins")),
      pluginCommands: createPluginCommands(registry, sink.logger("plugins")),
    });
    services.push(service);
    return { service, lines };
  }

  function registryWith(...ids: string[]) {
    const registry = new PluginRegistry();
    const records = ids.map((id) => {
      const r = record(id);
      registry.plugins.push(r);
      return r;
    });
    return { registry, records };
  }

  it("before_agent_start's prependContext reaches the model ahead of the user's message, and stays in the transcript", async () => {
    const { registry, records } = registryWith("memory", "tz");
    const seen: Array<{ event: any; ctx: any }> = [];
    registry.on(records[0]!, "before_agent_start", (event: any, ctx: any) => {
      seen.push({ event, ctx });
      return { prependContext: "Remembered: the user's cat is called Miso." };
    });
    registry.on(records[1]!, "before_agent_start", () => ({ prependContext: "The user is in Lisbon." }), { priority: -1 });
    const { service } = agentWith(registry);

    f.anthropic.enqueue({ text: "Miso is a fine name." });
    const result = await service.send({ sessionKey: "agent:main:hooks", text: "what is my cat called?" }).done;
    assert.equal(result.status, "ok");
    assert.equal(result.text, "Miso is a fine name.");
    assert.equal(f.anthropic.requests.length, 1);
    assert.equal(
      f.anthropic.requests[0]!.messages.at(-1)!.text,
      "Remembered: the user's cat is called Miso.\n\nThe user is in Lisbon.\n\nwhat is my cat called?",
    );
    assert.equal(seen[0]!.event.prompt, "what is my cat called?");
    assert.deepEqual(seen[0]!.event.messages, []);
    assert.equal(seen[0]!.ctx.agentId, "main");
    assert.equal(seen[0]!.ctx.sessionKey, "agent:main:hooks");
    assert.ok(seen[0]!.ctx.workspaceDir);

    const history = await service.history("agent:main:hooks");
    assert.match(JSON.stringify(history.messages[0]), /Remembered: the user's cat is called Miso/);
  });

  it("before_tool_call can block a call: the tool does not run and the model gets the reason", async () => {
    const { registry, records } = registryWith("guard");
    const afterCalls: any[] = [];
    registry.on(records[0]!, "before_tool_call", (event: any) =>
      event.toolName === "current_time" ? { block: true, blockReason: "The clock is off limits today." } : undefined,
    );
    registry.on(records[0]!, "after_tool_call", (event: any, ctx: any) => void afterCalls.push({ event, ctx }));
    const { service } = agentWith(registry);

    f.anthropic.enqueue({ toolCalls: [{ name: "current_time", arguments: { timezone: "UTC" } }] }, { text: "I cannot tell the time." });
    const result = await service.send({ sessionKey: "agent:main:tools", text: "what time is it?" }).done;
    assert.equal(result.text, "I cannot tell the time.");
    assert.equal(f.anthropic.requests.length, 2);
    assert.deepEqual(
      f.anthropic.requests[1]!.toolResults.map((r) => [r.name, r.content]),
      [["current_time", "The clock is off limits today."]],
    );
    await waitFor(() => afterCalls.length === 1, 5000, "after_tool_call");
    assert.equal(afterCalls[0].event.toolName, "current_time");
    assert.deepEqual(afterCalls[0].event.params, { timezone: "UTC" });
    assert.equal(afterCalls[0].event.error, "The clock is off limits today.");
    assert.equal(afterCalls[0].ctx.sessionKey, "agent:main:tools");
  });

  it("before_tool_call can change the arguments, and tool_result_persist what the transcript keeps", async () => {
    const { registry, records } = registryWith("tz");
    registry.on(records[0]!, "before_tool_call", () => ({ params: { timezone: "Asia/Tokyo" } }));
    registry.on(records[0]!, "tool_result_persist", (event: any) => ({
      message: { ...event.message, content: [{ type: "text", text: `[kept] ${event.message.content[0].text}` }] },
    }));
    const { service } = agentWith(registry);
    f.anthropic.enqueue({ toolCalls: [{ name: "current_time", arguments: { timezone: "UTC" } }] }, { text: "done" });
    await service.send({ sessionKey: "agent:main:persist", text: "time in Tokyo?" }).done;
    const toolResult = f.anthropic.requests[1]!.toolResults[0]!.content;
    assert.match(toolResult, /^\[kept\] /);
    assert.match(toolResult, /Asia\/Tokyo|JST|\+09/, `the tool ran with the changed arguments: ${toolResult}`);
  });

  it("a hook that throws does not break the run; its plugin is marked errored and left out from then on", async () => {
    const { registry, records } = registryWith("flaky");
    let calls = 0;
    registry.on(records[0]!, "before_agent_start", () => {
      calls++;
      throw new Error("database is down");
    });
    const { service, lines } = agentWith(registry);
    const first = await service.send({ sessionKey: "agent:main:flaky", text: "one" }).done;
    assert.equal(first.status, "ok");
    assert.equal(first.text, "echo: one");
    assert.equal(records[0]!.status, "error");
    assert.equal(records[0]!.error, "before_agent_start hook failed: database is down");
    assert.ok(lines.some((l) => l.includes("flaky") && l.includes("database is down")));
    await service.send({ sessionKey: "agent:main:flaky", text: "two" }).done;
    assert.equal(calls, 1);
  });

  it("fire-and-forget hooks do not hold up the reply", async () => {
    const { registry, records } = registryWith("slow");
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const ended: any[] = [];
    registry.on(records[0]!, "agent_end", async (event: any) => {
      await gate;
      ended.push(event);
    });
    const { service } = agentWith(registry);
    const result = await service.send({ sessionKey: "agent:main:slow", text: "quick" }).done;
    assert.equal(result.text, "echo: quick");
    assert.equal(ended.length, 0, "the reply came while agent_end was still running");
    release();
    await waitFor(() => ended.length === 1, 5000, "agent_end");
    assert.equal(ended[0].success, true);
    assert.deepEqual(
      ended[0].messages.map((m: any) => m.role),
      ["user", "assistant"],
    );
  });

  it("session_start and session_end follow conversations as they start and are reset", async () => {
    const { registry, records } = registryWith("sessions");
    const events: string[] = [];
    registry.on(records[0]!, "session_start", (e: any, ctx: any) => void events.push(`start ${e.sessionId === ctx.sessionId}`));
    registry.on(records[0]!, "session_end", (e: any) => void events.push(`end ${e.messageCount}`));
    const { service } = agentWith(registry);
    await service.send({ sessionKey: "agent:main:life", text: "hello" }).done;
    await waitFor(() => events.length === 1, 5000, "session_start");
    const reply = await service.send({ sessionKey: "agent:main:life", text: "/new" }).done;
    assert.equal(reply.text, "New conversation started.");
    await waitFor(() => events.length === 3, 5000, "session_end and session_start");
    assert.deepEqual(events, ["start true", "end 2", "start true"]);
  });

  it("a plugin command answers without calling the model, and /help lists it", async () => {
    const registry = (
      await loadPlugins({
        config: {
          plugins: { load: { paths: [path.resolve("test/fixtures/plugins/hello")] }, entries: { hello: { config: { greeting: "Hi" } } } },
        },
        logger: new LogSink({ consoleStyle: "compact", consoleLevel: "error", stdout: () => {}, stderr: () => {} }).logger("plugins"),
        env: {},
      })
    ).registry;
    const { service } = agentWith(registry);
    const events: string[] = [];
    service.onEvent((ev) => events.push(ev.type));

    const out = await service.send({ sessionKey: "agent:main:cmd", text: "/hello Ann" }).done;
    assert.equal(out.text, "Hi, Ann!");
    assert.equal(out.command, "hello");
    assert.deepEqual(events, ["start", "end"]);
    assert.equal((await service.send({ sessionKey: "agent:main:cmd", text: "/HELLO" }).done).text, "Hi, friend!");
    assert.equal(f.anthropic.requests.length, 0, "the model was not called");

    const help = await service.send({ sessionKey: "agent:main:cmd", text: "/help" }).done;
    assert.match(help.text, /\/new/);
    assert.match(help.text, /Plugins:\n\/hello \(hello\): Greets the sender/);
    assert.equal((await service.send({ sessionKey: "agent:main:cmd", text: "/commands" }).done).text, help.text);
  });

  it("plugin commands: requireAuth, acceptsArgs: false, and a handler that throws", async () => {
    const { registry, records } = registryWith("tools");
    const calls: any[] = [];
    registry.registerCommand(records[0]!, {
      name: "ping",
      description: "Answers pong",
      handler: (ctx) => (calls.push(ctx), { text: "pong" }),
    });
    registry.registerCommand(records[0]!, {
      name: "boom",
      requireAuth: false,
      handler: () => {
        throw new Error("kaboom");
      },
    });
    const { service, lines } = agentWith(registry);

    // Only the owner and allowlisted senders may run it (requireAuth is on by default).
    const refused = await service.send({ sessionKey: "agent:main:auth", text: "/ping", senderAuthorized: false, channel: "telegram" }).done;
    assert.equal(refused.text, "/ping is only for the owner and allowlisted senders.");
    assert.equal(calls.length, 0);
    const ok = await service.send({ sessionKey: "agent:main:auth", text: "/ping", senderId: "42", channel: "telegram" }).done;
    assert.equal(ok.text, "pong");
    assert.equal(calls[0].senderId, "42");
    assert.equal(calls[0].channel, "telegram");
    assert.equal(calls[0].isAuthorizedSender, true);
    assert.equal(calls[0].commandBody, "/ping");
    assert.equal(f.anthropic.requests.length, 0);

    // Without acceptsArgs, `/ping with words` is an ordinary message for the model.
    const chat = await service.send({ sessionKey: "agent:main:auth", text: "/ping with words" }).done;
    assert.equal(chat.text, "echo: /ping with words");
    assert.equal(chat.command, undefined);

    const failed = await service.send({ sessionKey: "agent:main:auth", text: "/boom" }).done;
    assert.equal(failed.status, "ok");
    assert.match(failed.text, /^\/boom failed \(plugin tools\)/);
    assert.doesNotMatch(failed.text, /kaboom/, "the handler's error stays in the log");
    assert.equal(records[0]!.status, "error");
    assert.equal(records[0]!.error, "/boom command failed: kaboom");
    assert.ok(lines.some((l) => l.includes("kaboom")));
    // The failed plugin's commands are off: /ping now goes to the model.
    assert.equal((await service.send({ sessionKey: "agent:main:auth", text: "/ping" }).done).text, "echo: /ping");
  });
});

describe("without plugins", { timeout: 30_000 }, () => {
  it("the agent service, the router and delivery load no plugin code (plugins arrive only as deps)", async () => {
    const out = await build({
      entryPoints: ["src/agents/service.ts", "src/routing/router.ts", "src/channels/deliver.ts"],
      bundle: true,
      write: false,
      outdir: "unused",
      platform: "node",
      format: "esm",
      packages: "external",
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(out.metafile.inputs);
    assert.ok(inputs.includes("src/agents/runner.ts"), "the graph was followed");
    assert.deepEqual(
      inputs.filter((i) => i.startsWith("src/plugins/")),
      [],
    );
    const external = Object.values(out.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
    assert.ok(!external.includes("jiti"), "jiti is not imported");
  });
});
