/**
 * Plugins in a running gateway: a plugin written from OpenClaw's plugin docs, found through
 * `plugins.load.paths`, answers its gateway method over the WebSocket and its HTTP route on the
 * gateway port (behind the token), its service runs, and `status` lists it; a broken plugin is
 * marked and the gateway keeps running.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect, fixturePath, startTestGateway } from "../helpers/gateway.js";
import { KEYS, chatClient, fakeConfig, startFakes } from "../helpers/agents.js";

const TOKEN = "plugin-test-token-123456";

describe("plugins in the gateway", () => {
  it("serves a plugin's method and route, and lists plugins with their status", { timeout: 60_000 }, async () => {
    const gw = await startTestGateway({
      token: TOKEN,
      config: {
        gateway: { mode: "local" },
        plugins: {
          load: { paths: [fixturePath("plugins/hello"), fixturePath("plugins/broken")] },
          entries: { hello: { config: { greeting: "Hi", repeat: 2 } } },
        },
      },
    });
    try {
      const c = await connect(gw.wsUrl, { token: TOKEN });
      assert.ok((c.hello as any).features.methods.includes("hello.greet"));
      assert.deepEqual(await c.request("hello.greet", { name: "Ada" }), { text: "Hi, Ada! Hi, Ada!" });
      await assert.rejects(c.request("hello.greet", {}), /name is required \(plugin hello\)/);

      const denied = await fetch(`${gw.httpUrl}/hello`);
      assert.equal(denied.status, 401, "plugin routes are behind the gateway token");
      const ok = await fetch(`${gw.httpUrl}/hello`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(await ok.text(), "Hi, web! Hi, web!");

      const handled = await fetch(`${gw.httpUrl}/hello-any/Lin`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(await handled.text(), "Hi, Lin! Hi, Lin!", "a registerHttpHandler handler answers with the token");
      const anonymous = await fetch(`${gw.httpUrl}/hello-any/Lin`);
      assert.notEqual(await anonymous.text(), "Hi, Lin! Hi, Lin!", "and never without it");
      const wrong = await fetch(`${gw.httpUrl}/hello-any/Lin`, { headers: { authorization: "Bearer wrong" } });
      assert.equal(wrong.status, 401);

      const schema = await c.request<any>("config.schema", {});
      assert.equal(schema.uiHints["plugins.entries.hello.config.greeting"].label, "Greeting", "the manifest's uiHints");
      assert.equal(schema.uiHints["plugins.entries.hello"].label, "Hello");
      assert.equal(schema.schema.properties.plugins.properties.entries.properties.hello.properties.config.properties.repeat.minimum, 1);

      const status = await c.request<any>("status");
      const byId = Object.fromEntries(status.plugins.map((p: any) => [p.id, p]));
      assert.equal(byId.hello.status, "loaded");
      assert.equal(byId.broken.status, "error");
      assert.match(byId.broken.error, /cannot start without its database/);
      c.close();
    } finally {
      await gw.close();
    }
  });

  it("refuses a plugin whose config does not match its manifest, naming the path", { timeout: 60_000 }, async () => {
    const gw = await startTestGateway({
      token: TOKEN,
      config: {
        gateway: { mode: "local" },
        plugins: { load: { paths: [fixturePath("plugins/hello")] }, entries: { hello: { config: { repeat: 0 } } } },
      },
    });
    try {
      const c = await connect(gw.wsUrl, { token: TOKEN });
      const hello = (await c.request<any>("status")).plugins.find((p: any) => p.id === "hello");
      assert.equal(hello.status, "error");
      assert.match(hello.error, /plugins\.entries\.hello\.config\.repeat/);
      assert.ok(!(c.hello as any).features.methods.includes("hello.greet"), "its code never ran");
      c.close();
    } finally {
      await gw.close();
    }
  });

  it("offers a plugin's tool to the model and returns its result", { timeout: 60_000 }, async () => {
    const f = await startFakes();
    const gw = await startTestGateway({
      config: {
        ...fakeConfig(f),
        plugins: {
          load: { paths: [fixturePath("plugins/hello")] },
          entries: { hello: { config: { greeting: "Hey", note: "The user's cat is called Miso." } } },
        },
      },
      env: KEYS,
    });
    try {
      f.anthropic.enqueue({ toolCalls: [{ name: "hello_greet", arguments: { name: "Grace" } }] }, { text: "done" });
      const c = await chatClient(gw);
      const out = await c.send("greet Grace", "agent:main:plugin-tool");
      assert.equal(out.text, "done");
      assert.ok(f.anthropic.requests[0]!.toolNames.includes("hello_greet"), "the model is offered the plugin's tool");
      assert.ok(!f.anthropic.requests[0]!.toolNames.includes("hello_wave"), "an optional tool is not offered unless allowed");
      assert.equal(f.anthropic.requests[1]!.toolResults[0]!.content, "Hey, Grace!");
      const prompt = f.anthropic.requests[0]!.messages.at(-1)!.text;
      assert.match(prompt, /The user's cat is called Miso\.[\s\S]*greet Grace/, "before_agent_start's prependContext comes first");

      const command = await c.send("/hello Ada", "agent:main:plugin-tool");
      assert.equal(command.text, "Hey, Ada!", "the plugin's chat command answers");
      assert.equal(f.anthropic.requests.length, 2, "without a model call");
      c.client.close();
    } finally {
      await gw.close();
      await f.close();
    }
  });

  it("offers an optional plugin tool once tools.alsoAllow names it", { timeout: 60_000 }, async () => {
    const f = await startFakes();
    const gw = await startTestGateway({
      config: { ...fakeConfig(f), tools: { alsoAllow: ["hello_wave"] }, plugins: { load: { paths: [fixturePath("plugins/hello")] } } },
      env: KEYS,
    });
    try {
      f.anthropic.enqueue({ text: "ok" });
      const c = await chatClient(gw);
      await c.send("hi", "agent:main:optional-tool");
      assert.ok(f.anthropic.requests[0]!.toolNames.includes("hello_wave"));
      c.client.close();
    } finally {
      await gw.close();
      await f.close();
    }
  });

  it("a gateway without plugins reports none", { timeout: 30_000 }, async () => {
    const gw = await startTestGateway({ token: TOKEN, config: { gateway: { mode: "local" } } });
    try {
      const c = await connect(gw.wsUrl, { token: TOKEN });
      assert.deepEqual((await c.request<any>("status")).plugins, []);
      c.close();
    } finally {
      await gw.close();
    }
  });
});
