/**
 * `api.runtime` in a running gateway: a plugin reads the config in force, queues a system event that
 * reaches the session's next prompt, runs a command with a time limit, and chunks text.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { tmpDir } from "../helpers/cleanup.js";
import { connect, startTestGateway } from "../helpers/gateway.js";
import { KEYS, chatClient, fakeConfig, startFakes } from "../helpers/agents.js";

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function runtimePlugin(): string {
  const dir = tmpDir("oc-runtime-plugin-");
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, "openclaw.plugin.json"), JSON.stringify({ id: "rt", configSchema: { type: "object" } }));
  fs.writeFileSync(
    path.join(dir, "index.js"),
    `export default function register(api) {
      api.registerGatewayMethod("rt.crash", () => { throw new Error("database gone"); });
      api.registerHttpRoute({ path: "/rt", handler: (_req, res) => res.end("rt here") });
      api.registerGatewayMethod("rt.check", async ({ params, respond }) => {
        const rt = api.runtime;
        const cmd = await rt.system.runCommandWithTimeout([process.execPath, "-e", "process.stdout.write('ran')"], { timeoutMs: 10000 });
        const slow = await rt.system.runCommandWithTimeout([process.execPath, "-e", "setTimeout(() => {}, 60000)"], { timeoutMs: 100 });
        rt.system.enqueueSystemEvent(params.note, { sessionKey: params.sessionKey });
        respond(true, {
          version: rt.version,
          mode: rt.config.loadConfig().gateway.mode,
          stdout: cmd.stdout,
          code: cmd.code,
          slowKilled: slow.killed,
          chunks: rt.channel.text.chunkText("one two three four five six seven eight nine ten eleven twelve", 25).length,
        });
      });
    }`,
  );
  return dir;
}

describe("a plugin that throws at run time", () => {
  it("is marked error with the reason, its methods and routes say it is off, the gateway runs on", { timeout: 60_000 }, async () => {
    const token = "runtime-test-token-123456";
    const gw = await startTestGateway({ token, config: { gateway: { mode: "local" }, plugins: { load: { paths: [runtimePlugin()] } } } });
    try {
      const c = await connect(gw.wsUrl, { token });
      const auth = { authorization: `Bearer ${token}` };
      assert.equal(await (await fetch(`${gw.httpUrl}/rt`, { headers: auth })).text(), "rt here");
      await assert.rejects(c.request("rt.crash", {}), /database gone \(plugin rt\)/);
      const rt = (await c.request<any>("status")).plugins.find((p: any) => p.id === "rt");
      assert.equal(rt.status, "error");
      assert.equal(rt.error, "gateway method rt.crash failed: database gone");
      await assert.rejects(c.request("rt.check", {}), /plugin rt is off after an error/);
      assert.equal((await fetch(`${gw.httpUrl}/rt`, { headers: auth })).status, 503);
      assert.ok(await c.request("health", {}), "the gateway keeps answering");
      c.close();
    } finally {
      await gw.close();
    }
  });
});

describe("api.runtime", () => {
  it("gives plugins the config, system events, commands and chunking", { timeout: 60_000 }, async () => {
    const f = await startFakes();
    const gw = await startTestGateway({
      env: KEYS,
      config: { ...fakeConfig(f), plugins: { load: { paths: [runtimePlugin()] } } },
    });
    try {
      const c = await connect(gw.wsUrl);
      const out = await c.request<any>("rt.check", { note: "Backup finished.", sessionKey: "agent:main:main" });
      assert.equal(out.mode, "local");
      assert.equal(out.stdout, "ran");
      assert.equal(out.code, 0);
      assert.equal(out.slowKilled, true, "the time limit kills the command");
      assert.ok(out.chunks >= 2);
      assert.equal(out.version, gw.ctx.info.version);
      c.close();

      f.anthropic.enqueue({ text: "noted" });
      const chat = await chatClient(gw);
      await chat.send("anything new?", "agent:main:main");
      assert.match(f.anthropic.requests[0]!.messages.at(-1)!.text, /System: .*Backup finished\./);
      chat.client.close();
    } finally {
      await gw.close();
      await f.close();
    }
  });
});
