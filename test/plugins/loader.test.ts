/** Loading plugins end to end: discovery, config checks, module loading, registrations and their clashes. */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { Command } from "commander";
import { LogSink } from "../../src/infra/logger.js";
import { loadPlugins, type LoadPluginsOptions } from "../../src/plugins/index.js";
import { tmpDir } from "../helpers/cleanup.js";

const HELLO = path.resolve("test/fixtures/plugins/hello");
const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function scratch(): string {
  const d = tmpDir("oc-plugins-");
  dirs.push(d);
  return d;
}
/** Writes a one-file TypeScript plugin into `<root>/<id>/`. */
function plugin(root: string, id: string, code: string, configSchema: unknown = {}): string {
  const dir = path.join(root, id);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "openclaw.plugin.json"), JSON.stringify({ id, configSchema }));
  fs.writeFileSync(path.join(dir, "index.ts"), code);
  return dir;
}
function logs() {
  const lines: string[] = [];
  const sink = new LogSink({ consoleStyle: "compact", consoleLevel: "debug", stdout: (l) => lines.push(l), stderr: (l) => lines.push(l) });
  return { lines, logger: sink.logger("plugins") };
}
async function load(config: LoadPluginsOptions["config"], extra: Partial<LoadPluginsOptions> = {}) {
  const log = logs();
  const result = await loadPlugins({ config, logger: log.logger, env: {}, ...extra });
  return { ...result, lines: log.lines };
}

describe("loadPlugins", { timeout: 30_000 }, () => {
  it("loads the TypeScript fixture plugin from plugins.load.paths and exposes everything it registered", async (t) => {
    const config = { plugins: { load: { paths: [HELLO] }, entries: { hello: { config: { greeting: "Hi" } } } } };
    const { registry, plugins, diagnostics, lines } = await load(config);
    assert.deepEqual(diagnostics, []);
    assert.equal(plugins.length, 1);
    const rec = plugins[0]!;
    assert.equal(rec.status, "loaded");
    assert.equal(rec.origin, "config");
    assert.equal(rec.version, "0.1.0");
    assert.deepEqual(rec.gatewayMethods, ["hello.greet"]);
    assert.deepEqual(rec.toolNames, ["hello_greet", "hello_wave"]);
    assert.deepEqual(rec.httpRoutes, ["/hello"]);
    assert.deepEqual(rec.cliCommands, ["hello"]);
    assert.deepEqual(rec.commands, ["hello"]);
    assert.deepEqual(rec.services, ["hello-service"]);
    assert.ok(lines.some((l) => l.includes("loaded plugins: hello")));

    // Gateway method, with OpenClaw's ({ params, respond }) handler shape.
    const method = registry.gatewayMethods.get("hello.greet")!;
    assert.equal(method.pluginId, "hello");
    const answers: unknown[][] = [];
    await method.handler({ params: { name: "Ada" }, respond: (...a) => answers.push(a) });
    await method.handler({ params: {}, respond: (...a) => answers.push(a) });
    assert.deepEqual(answers, [
      [true, { text: "Hi, Ada!" }],
      [false, { error: "name is required" }],
    ]);

    // Tool.
    const tool = registry.tools[0]!.factory({});
    assert.ok(tool && !Array.isArray(tool));
    assert.deepEqual(await tool.execute!("call-1", { name: "Bob" }), { content: [{ type: "text", text: "Hi, Bob!" }] });

    // HTTP route, served the way the gateway will: exact path match.
    const server = http.createServer((req, res) => {
      const route = registry.httpRoutes.find((r) => r.path === new URL(req.url!, "http://x").pathname);
      if (route) void route.handler(req, res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    t.after(() => server.close());
    const { port } = server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/hello`);
    assert.equal(await res.text(), "Hi, web!");

    // CLI command on a commander program.
    const program = new Command().exitOverride();
    for (const r of registry.cliRegistrars) await r.register({ program });
    const printed = t.mock.method(console, "log", () => {});
    await program.parseAsync(["node", "openclaw", "hello", "Cy"]);
    assert.deepEqual(printed.mock.calls[0]!.arguments, ["Hi, Cy!"]);

    // Chat command, matched case-insensitively.
    const cmd = registry.commands.get("hello")!;
    assert.deepEqual(await cmd.command.handler({ args: " Di " }), { text: "Hi, Di!" });

    // Service, logging under the plugin's own name.
    const svc = registry.services[0]!.service;
    await svc.start?.({});
    await svc.stop?.({});
    assert.ok(
      lines.some((l) => l.includes("plugins/hello") && l.includes("hello service started")),
      lines.join("\n"),
    );
    assert.ok(lines.some((l) => l.includes("plugins/hello") && l.includes("hello service stopped")));
  });

  it("refuses invalid plugin config by its full path without running the plugin", async () => {
    const root = scratch();
    const marker = path.join(root, "ran");
    const dir = plugin(
      root,
      "strict",
      `import fs from "node:fs"; fs.writeFileSync(${JSON.stringify(marker)}, "x"); export default () => {};\n`,
      { type: "object", required: ["token"], properties: { token: { type: "string" }, port: { type: "integer" } } },
    );
    const { plugins, diagnostics, lines } = await load({
      plugins: { load: { paths: [dir, HELLO] }, entries: { strict: { config: { port: "80" } }, hello: { config: { repeat: 0 } } } },
    });
    const strict = plugins.find((p) => p.id === "strict")!;
    assert.equal(strict.status, "error");
    assert.match(strict.error!, /plugins\.entries\.strict\.config\.token: is required/);
    assert.match(strict.error!, /plugins\.entries\.strict\.config\.port: must be integer/);
    assert.equal(fs.existsSync(marker), false, "plugin code ran although its config was invalid");
    const hello = plugins.find((p) => p.id === "hello")!;
    assert.equal(hello.status, "error");
    assert.match(hello.error!, /plugins\.entries\.hello\.config\.repeat: must be >= 1/);
    assert.ok(diagnostics.some((d) => d.path === "plugins.entries.strict.config" && d.level === "error"));
    assert.ok(lines.some((l) => l.includes("plugins.entries.hello.config.repeat")));
  });

  it("marks a plugin that throws at load or in register as errored and still loads the others", async () => {
    const root = scratch();
    plugin(root, "boom-load", `throw new Error("cannot start: missing binary");\nexport default () => {};\n`);
    plugin(
      root,
      "boom-register",
      `export default (api: any) => { api.registerGatewayMethod("half.done", () => {}); throw new Error("register broke"); };\n`,
    );
    plugin(root, "no-register", `export const nothing = 1;\n`);
    plugin(
      root,
      "ok",
      `export default { id: "ok", activate(api: any) { api.registerGatewayMethod("ok.ping", ({ respond }: any) => respond(true, {})); } };\n`,
    );
    const { plugins, registry, diagnostics } = await load({ plugins: { load: { paths: [root] } } });
    const byId = Object.fromEntries(plugins.map((p) => [p.id, p]));
    assert.equal(byId["boom-load"]!.status, "error");
    assert.match(byId["boom-load"]!.error!, /failed to load .*index\.ts: cannot start: missing binary/);
    assert.equal(byId["boom-register"]!.status, "error");
    assert.equal(byId["boom-register"]!.error, "register failed: register broke");
    assert.deepEqual(byId["boom-register"]!.gatewayMethods, []);
    assert.equal(registry.gatewayMethods.has("half.done"), false);
    assert.equal(byId["no-register"]!.status, "error");
    assert.match(byId["no-register"]!.error!, /exports no register function/);
    assert.equal(byId.ok!.status, "loaded");
    assert.ok(registry.gatewayMethods.has("ok.ping"));
    assert.equal(diagnostics.filter((d) => d.level === "error").length, 3);
  });

  it("refuses colliding registrations, naming both plugins; the first keeps them", async () => {
    const root = scratch();
    const code = (tag: string) => `export default (api: any) => {
      api.registerGatewayMethod("shared.method", () => "${tag}");
      api.registerGatewayMethod("health", () => "${tag}");
      api.registerHttpRoute({ path: "shared", handler: () => "${tag}" });
      api.registerTool({ name: "shared_tool", execute: () => "${tag}" });
      api.registerTool({ name: "read", execute: () => "${tag}" });
      api.registerCommand({ name: "${tag === "a" ? "Shared" : "shared"}", handler: () => ({ text: "${tag}" }) });
      api.registerCommand({ name: "status", handler: () => ({ text: "${tag}" }) });
      api.registerService({ id: "shared-svc" });
    };\n`;
    plugin(root, "a", code("a"));
    plugin(root, "b", code("b"));
    const { registry, plugins, diagnostics } = await load(
      { plugins: { load: { paths: [root] } } },
      { coreGatewayMethods: ["health"], coreToolNames: ["read"] },
    );
    assert.deepEqual(
      plugins.map((p) => p.status),
      ["loaded", "loaded"],
    );
    assert.equal(registry.gatewayMethods.get("shared.method")!.pluginId, "a");
    assert.equal(registry.httpRoutes.length, 1);
    assert.equal(registry.httpRoutes[0]!.path, "/shared");
    assert.equal(registry.httpRoutes[0]!.pluginId, "a");
    assert.deepEqual(
      registry.tools.map((t) => [t.pluginId, t.names]),
      [["a", ["shared_tool"]]],
    );
    assert.equal(registry.commands.get("shared")!.pluginId, "a");
    assert.deepEqual(plugins[1]!.gatewayMethods, []);
    const messages = diagnostics.map((d) => d.message);
    for (const expected of [
      'plugin b: gateway method "shared.method" is already registered by plugin "a"; the registration by plugin "b" is refused',
      'plugin b: http route "/shared" is already registered by plugin "a"; the registration by plugin "b" is refused',
      'plugin b: tool "shared_tool" is already registered by plugin "a"; the registration by plugin "b" is refused',
      'plugin b: command "shared" is already registered by plugin "a"; the registration by plugin "b" is refused',
      'plugin b: service "shared-svc" is already registered by plugin "a"; the registration by plugin "b" is refused',
      'plugin a: gateway method "health" is already registered by the gateway itself; the registration by plugin "a" is refused',
      'plugin a: tool "read" is already registered by the gateway itself; the registration by plugin "a" is refused',
      'plugin a: command name "status" is reserved by a built-in command',
    ]) {
      assert.ok(messages.includes(expected), `missing: ${expected}\n${messages.join("\n")}`);
    }
    assert.ok(diagnostics.every((d) => d.level === "error"));
  });

  it("applies enabled, deny, allow and entries.enabled, and reports unknown ids", async () => {
    const root = scratch();
    for (const id of ["one", "two", "three", "four"]) plugin(root, id, `export default () => {};\n`);
    const paths = [root];
    const off = await load({ plugins: { enabled: false, load: { paths }, allow: ["one"] } });
    assert.ok(off.plugins.every((p) => p.status === "disabled" && p.error === "plugins disabled (plugins.enabled is false)"));

    const { plugins, diagnostics } = await load({
      plugins: {
        load: { paths },
        allow: ["one", "two", "three", "ghost"],
        deny: ["two", "phantom"],
        entries: { three: { enabled: false, config: { x: 1 } }, spectre: {} },
      },
    });
    const state = Object.fromEntries(plugins.map((p) => [p.id, [p.status, p.error]]));
    assert.deepEqual(state, {
      one: ["loaded", undefined],
      two: ["disabled", "blocked by plugins.deny"],
      three: ["disabled", "disabled in config (plugins.entries.three.enabled is false)"],
      four: ["disabled", "not in plugins.allow"],
    });
    const issues = diagnostics.map((d) => [d.level, d.path, d.message.split(" (")[0]]);
    assert.deepEqual(issues, [
      ["error", "plugins.entries.spectre", "plugin not found: spectre"],
      ["error", "plugins.allow", "plugin not found: ghost"],
      ["error", "plugins.deny", "plugin not found: phantom"],
      ["warn", "plugins.entries.three", "plugin three: disabled"],
    ]);
  });

  it("finds plugins in the workspace and state dir, load paths first", async () => {
    const root = scratch();
    const workspace = path.join(root, "ws");
    const state = path.join(root, "state");
    plugin(
      path.join(workspace, ".openclaw", "extensions"),
      "ws-plugin",
      `export default (api: any) => api.registerGatewayMethod("ws.ping", () => {});\n`,
    );
    plugin(path.join(state, "extensions"), "hello", `export default () => { throw new Error("the state copy must not run"); };\n`);
    const { plugins, diagnostics } = await load({ plugins: { load: { paths: [HELLO] } } }, { workspaceDir: workspace, stateDir: state });
    assert.deepEqual(
      plugins.map((p) => [p.id, p.origin, p.status]),
      [
        ["hello", "config", "loaded"],
        ["ws-plugin", "workspace", "loaded"],
      ],
    );
    assert.ok(diagnostics.some((d) => d.level === "warn" && d.message.startsWith('duplicate plugin id "hello"')));
  });
  it("orders hooks by priority, warns about unknown hooks and async register, and refuses a second provider id", async () => {
    const root = scratch();
    plugin(
      root,
      "first",
      `export default async (api: any) => {
        api.on("message_received", () => "low", { priority: 1 });
        api.on("no_such_hook", () => {});
        api.registerProvider({ id: "acme-llm" });
        api.registerChannel({ plugin: { id: "acme-chat" } });
      };\n`,
    );
    plugin(
      root,
      "second",
      `export default (api: any) => {
        api.on("message_received", () => "high", { priority: 10 });
        api.registerProvider({ id: "acme-llm" });
        api.registerChannel({ plugin: { id: "acme-chat" } });
      };\n`,
    );
    const { registry, plugins, diagnostics } = await load({ plugins: { load: { paths: [root] } } });
    assert.deepEqual(
      plugins.map((p) => p.status),
      ["loaded", "loaded"],
    );
    assert.deepEqual(
      registry.hookHandlers("message_received").map((h) => h.handler()),
      ["high", "low"],
    );
    const messages = diagnostics.map((d) => `${d.level} ${d.message}`);
    assert.ok(
      messages.some((m) => m.startsWith('warn plugin first: unknown hook "no_such_hook"')),
      messages.join("\n"),
    );
    assert.ok(messages.includes("warn plugin first: register returned a promise; only what it registers before its first await counts"));
    assert.ok(
      messages.includes(
        'error plugin second: provider "acme-llm" is already registered by plugin "first"; the registration by plugin "second" is refused',
      ),
    );
    assert.ok(
      messages.includes(
        'error plugin second: channel "acme-chat" is already registered by plugin "first"; the registration by plugin "second" is refused',
      ),
    );
    assert.deepEqual(plugins[0]!.providerIds, ["acme-llm"]);
    assert.deepEqual(plugins[0]!.channelIds, ["acme-chat"]);
  });

  it("keeps transpiled plugins in the state dir, puts back the stack-trace hook Babel installs, and picks up an edit", async () => {
    const root = scratch();
    const stateDir = scratch();
    const dir = plugin(
      root,
      "cached",
      `export default (api: { registerGatewayMethod(n: string, h: () => void): void }) => api.registerGatewayMethod("cached.one", () => {});`,
    );
    const config = { plugins: { load: { paths: [dir] } } };
    const prepare = Error.prepareStackTrace;
    const first = await load(config, { stateDir });
    assert.deepEqual(first.plugins[0]!.gatewayMethods, ["cached.one"]);
    assert.equal(Error.prepareStackTrace, prepare, "the transpiler's stack-trace hook is removed once plugins are loaded");
    const cached = fs.readdirSync(path.join(stateDir, "cache", "plugins"));
    assert.equal(cached.length, 1, "the transpiled plugin is kept");
    assert.deepEqual(
      (await load(config, { stateDir })).plugins[0]!.gatewayMethods,
      ["cached.one"],
      "a start with the cache loads the same plugin",
    );
    fs.writeFileSync(
      path.join(dir, "index.ts"),
      `export default (api: { registerGatewayMethod(n: string, h: () => void): void }) => api.registerGatewayMethod("cached.two", () => {});`,
    );
    assert.deepEqual((await load(config, { stateDir })).plugins[0]!.gatewayMethods, ["cached.two"], "an edited plugin is transpiled again");
  });
});

describe("built-in plugins in the same registry", { timeout: 30_000 }, () => {
  it("keeps the gateway's own methods, tools, channels and ids from third-party plugins", async () => {
    const { PluginRegistry } = await import("../../src/plugins/registry.js");
    const { registerBuiltins, channelCatalog } = await import("../../src/plugins/builtin.js");
    const { BUNDLED_PLUGINS } = await import("../../src/plugins/bundled.js");
    const { coreToolsPlugin } = await import("../../src/tools/plugin.js");
    const registry = new PluginRegistry();
    registerBuiltins(registry, [coreToolsPlugin, ...BUNDLED_PLUGINS]);
    const builtInChannels = channelCatalog(registry).ids();
    assert.ok(builtInChannels.length >= 2);
    const root = scratch();
    const taker = plugin(
      root,
      "taker",
      `export default { register(api) {
        api.registerTool({ name: "current_time", execute: () => "no" });
        api.registerChannel({ plugin: { id: "${builtInChannels[0]}" } });
        api.registerChannel({ plugin: { id: "openclaw-shaped", meta: { label: "X" }, gateway: {} } });
      } };`,
    );
    const impostor = plugin(root, builtInChannels[1]!, `export default () => { throw new Error("must not run"); };`);
    const { plugins, diagnostics } = await load({ plugins: { load: { paths: [taker, impostor] } } }, { registry });
    const messages = diagnostics.map((d) => d.message);
    assert.ok(
      messages.includes(
        'plugin taker: tool "current_time" is already registered by the gateway itself; the registration by plugin "taker" is refused',
      ),
      messages.join("\n"),
    );
    assert.ok(
      messages.includes(
        `plugin taker: channel "${builtInChannels[0]}" is already registered by the gateway itself; the registration by plugin "taker" is refused`,
      ),
      messages.join("\n"),
    );
    assert.ok(messages.some((m) => /channel "openclaw-shaped" does not provide what this gateway runs channels with/.test(m)));
    assert.ok(messages.some((m) => m.includes(`"${builtInChannels[1]}" is built into the gateway (give the plugin another id)`)));
    assert.equal(plugins.find((p) => p.id === "taker")?.status, "loaded");
    assert.deepEqual(channelCatalog(registry).ids(), builtInChannels, "the shapeless channel is recorded, not run");
  });
});

describe("openclaw/plugin-sdk", { timeout: 30_000 }, () => {
  it("resolves for plugins, with the SDK's tool helpers", async () => {
    const dir = plugin(
      scratch(),
      "sdk-user",
      `import { jsonResult, readStringParam, emptyPluginConfigSchema } from "openclaw/plugin-sdk";
       import type { OpenClawPluginApi } from "openclaw/plugin-sdk";
       export default {
         id: "sdk-user",
         configSchema: emptyPluginConfigSchema(),
         register(api: OpenClawPluginApi) {
           api.registerTool({
             name: "sdk_echo",
             parameters: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
             async execute(_id: string, params: Record<string, unknown>) {
               return jsonResult({ echoed: readStringParam(params, "text", { required: true }) });
             },
           });
         },
       };`,
    );
    const { registry, plugins } = await load({ plugins: { load: { paths: [dir] } } });
    assert.equal(plugins[0]!.status, "loaded", plugins[0]!.error);
    const tool = registry.tools[0]!.factory({}) as { execute: (...a: unknown[]) => Promise<unknown> };
    assert.deepEqual(await tool.execute("1", { text: " hi " }), {
      content: [{ type: "text", text: '{\n  "echoed": "hi"\n}' }],
      details: { echoed: "hi" },
    });
    await assert.rejects(tool.execute("2", {}), /text required/);
  });
});
