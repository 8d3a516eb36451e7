/**
 * A plugin written from OpenClaw 2026.1.29's plugin docs alone (test/fixtures/plugins/from-docs), placed
 * under `plugins.load.paths` unmodified: its gateway method, agent tool, HTTP route and CLI command work,
 * it reads its `plugins.entries.<id>.config`, and a config value its manifest's schema refuses keeps its
 * code from running, is named by its full path, and leaves the gateway running.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { cli, connect, fixturePath, startTestGateway, tmpDir, writeConfig } from "../helpers/gateway.js";
import { KEYS, chatClient, fakeConfig, startFakes } from "../helpers/agents.js";

const TOKEN = "from-docs-test-token-123456";
const PLUGIN_DIR = fixturePath("plugins/from-docs");
const SOURCE = path.join(PLUGIN_DIR, "index.ts");

function pluginsConfig(config: Record<string, unknown>) {
  return { load: { paths: [PLUGIN_DIR] }, entries: { "from-docs": { config } } };
}

describe("a plugin written from the plugin docs", () => {
  it("answers its gateway method, and its HTTP route behind the gateway token", { timeout: 60_000 }, async () => {
    const gw = await startTestGateway({
      token: TOKEN,
      config: { gateway: { mode: "local" }, plugins: pluginsConfig({ prefix: "~", times: 2 }) },
    });
    try {
      const c = await connect(gw.wsUrl, { token: TOKEN });
      assert.ok((c.hello as any).features.methods.includes("from-docs.status"), "hello-ok lists the plugin's method");
      assert.deepEqual(await c.request("from-docs.status", {}), { ok: true, prefix: "~", times: 2 }, "it read its pluginConfig");

      const url = `${gw.httpUrl}/from-docs/echo?text=hi`;
      const denied = await fetch(url);
      assert.equal(denied.status, 401, "plugin routes are behind the gateway token unless they declare themselves public");
      await denied.body?.cancel();
      const ok = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get("content-type"), "application/json");
      assert.deepEqual(await ok.json(), { echo: "~hi ~hi" });

      const listed = (await c.request<any>("status")).plugins.find((p: any) => p.id === "from-docs");
      assert.equal(listed.status, "loaded");
      assert.equal(listed.source, SOURCE);
      c.close();
    } finally {
      await gw.close();
    }
  });

  it("offers its tool to the model and returns its result into the next model request", { timeout: 60_000 }, async () => {
    const f = await startFakes();
    const gw = await startTestGateway({ config: { ...fakeConfig(f), plugins: pluginsConfig({ prefix: "echo: " }) }, env: KEYS });
    try {
      f.anthropic.enqueue({ toolCalls: [{ name: "from_docs_echo", arguments: { input: "ping" } }] }, { text: "the tool said echo: ping" });
      const c = await chatClient(gw);
      const out = await c.send("echo ping", "agent:main:from-docs");
      assert.equal(out.state, "final");
      assert.equal(out.text, "the tool said echo: ping");
      const first = f.anthropic.requests[0]!;
      const offered = first.body.tools.find((t: any) => t.name === "from_docs_echo");
      assert.ok(offered, `the model is offered the plugin's tool (offered: ${first.toolNames.join(", ")})`);
      assert.equal(offered.description, "Echo the input back with the configured prefix");
      assert.deepEqual(
        offered.input_schema,
        { type: "object", properties: { input: { type: "string" } }, required: ["input"] },
        "with the parameters the plugin declared",
      );
      const result = f.anthropic.requests[1]!.toolResults[0]!;
      assert.equal(result.name, "from_docs_echo");
      assert.equal(result.content, "echo: ping");
      c.client.close();
    } finally {
      await gw.close();
      await f.close();
    }
  });

  it("refuses a config value its schema rules out before its code runs, naming the full path", { timeout: 60_000 }, async () => {
    const gw = await startTestGateway({
      token: TOKEN,
      config: { gateway: { mode: "local" }, plugins: pluginsConfig({ prefix: "~", times: 7 }) },
    });
    try {
      const c = await connect(gw.wsUrl, { token: TOKEN });
      const listed = (await c.request<any>("status")).plugins.find((p: any) => p.id === "from-docs");
      assert.equal(listed.status, "error");
      assert.match(listed.error, /plugins\.entries\.from-docs\.config\.times: must be <= 3/);
      assert.ok(!(c.hello as any).features.methods.includes("from-docs.status"), "its register function never ran");
      await assert.rejects(c.request("from-docs.status", {}), /unknown method/i);
      const route = await fetch(`${gw.httpUrl}/from-docs/echo?text=hi`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.match(
        route.headers.get("content-type") ?? "",
        /^text\/html/,
        "its route was never registered: the Control UI answers the path",
      );
      assert.doesNotMatch(await route.text(), /"echo"/);
      assert.equal((await c.request<any>("health")).ok, true, "the gateway keeps running");
      c.close();
    } finally {
      await gw.close();
    }
  });

  it("runs its CLI command, and `plugins list`/`info` show it loaded or refused", { timeout: 60_000 }, async () => {
    const dir = tmpDir();
    const configPath = path.join(dir, "elsewhere.json");
    const env = { HOME: dir, OPENCLAW_STATE_DIR: dir, OPENCLAW_CONFIG_PATH: configPath };
    writeConfig(dir, {}); // $OPENCLAW_STATE_DIR/openclaw.json names no plugin: OPENCLAW_CONFIG_PATH is the one read
    const useConfig = (config: Record<string, unknown>) =>
      fs.writeFileSync(configPath, JSON.stringify({ plugins: pluginsConfig(config) }, null, 2));

    useConfig({ prefix: "> ", times: 2 });
    const own = await cli(["from-docs-echo"], env);
    assert.equal(own.code, 0, own.stderr);
    assert.equal(own.stdout, "> Hello > Hello\n");
    const list = await cli(["plugins", "list"], env);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^from-docs\s+From the docs\s+loaded\s+config\s/m);
    const info = await cli(["plugins", "info", "from-docs"], env);
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /^From the docs \(from-docs\) 1\.0\.0: loaded$/m);
    assert.match(info.stdout, /^gateway methods: from-docs\.status$/m);
    assert.match(info.stdout, /^tools: from_docs_echo$/m);
    assert.match(info.stdout, /^http routes: \/from-docs\/echo$/m);

    useConfig({ prefix: "", times: 2 });
    const badList = await cli(["plugins", "list"], env);
    assert.equal(badList.code, 0, badList.stderr);
    assert.match(badList.stdout, /^from-docs\s+From the docs\s+error\s/m);
    assert.match(badList.stdout, /^from-docs: invalid config: plugins\.entries\.from-docs\.config\.prefix: /m);
    const badInfo = await cli(["plugins", "info", "from-docs"], env);
    assert.match(badInfo.stdout, /: error \(invalid config: plugins\.entries\.from-docs\.config\.prefix: /);
    const refused = await cli(["from-docs-echo"], env);
    assert.notEqual(refused.code, 0, "a plugin refused for its config adds no commands");
    assert.match(refused.stderr, /plugins\.entries\.from-docs\.config\.prefix/);
  });
});
