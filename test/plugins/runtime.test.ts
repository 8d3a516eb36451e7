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
