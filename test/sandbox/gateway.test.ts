/**
 * Sandboxed sessions through the gateway, with a stand-in `docker` on PATH: without a reachable
 * engine the run is refused with the setting to change (never run on the host); with one, `exec`
 * goes into the session's container and the sandbox's tool policy narrows what the model is offered.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { FakeLlm } from "../fakes/llm.js";
import { startTestGateway, tmpDir } from "../helpers/gateway.js";
import { chatClient } from "../helpers/agents.js";
import { fakeDocker } from "./fake-docker.js";

const T = { timeout: 30_000 };

async function gatewayWith(docker: ReturnType<typeof fakeDocker>, llm: FakeLlm) {
  const ws = tmpDir("oc-sbx-ws-");
  const gw = await startTestGateway({
    config: {
      gateway: { mode: "local" },
      models: { providers: { anthropic: { baseUrl: llm.baseUrl, models: [] } } },
      agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" }, workspace: ws, sandbox: { mode: "all" } } },
    },
    env: { ANTHROPIC_API_KEY: "k", PATH: `${docker.dir}:${process.env.PATH ?? ""}` },
  });
  return { gw, ws };
}

describe("sandboxed sessions through the gateway", () => {
  it("no Docker engine: the run is refused naming agents.defaults.sandbox.mode, and the model is never called", T, async () => {
    const llm = await FakeLlm.start("anthropic");
    const docker = fakeDocker({ down: true });
    const { gw, ws } = await gatewayWith(docker, llm);
    try {
      const c = await chatClient(gw);
      const out = await c.send("run something", "agent:main:main");
      assert.equal(out.state, "error");
      assert.match(out.errorMessage ?? "", /agents\.defaults\.sandbox\.mode is "all" but no Docker engine is reachable/);
      assert.match(out.errorMessage ?? "", /set agents\.defaults\.sandbox\.mode to "off"/);
      assert.equal(llm.requests.length, 0, "nothing ran, on the host or anywhere");
      c.client.close();
    } finally {
      await gw.close();
      await llm.close();
      fs.rmSync(ws, { recursive: true, force: true });
      fs.rmSync(docker.dir, { recursive: true, force: true });
    }
  });

  it("with an engine: exec runs in the session's container, and the sandbox policy hides gateway and browser", T, async () => {
    const llm = await FakeLlm.start("anthropic");
    const docker = fakeDocker({ images: ["openclaw-sandbox:bookworm-slim"] });
    const { gw, ws } = await gatewayWith(docker, llm);
    try {
      const c = await chatClient(gw);
      llm.enqueue({ toolCalls: [{ name: "exec", arguments: { command: "echo in-the-box" } }] }, { text: "done" });
      const out = await c.send("run it", "agent:main:main");
      assert.equal(out.text, "done");
      const execs = docker.calls().filter((a) => a[0] === "exec");
      assert.ok(
        execs.some((a) => a.at(-1)?.includes("echo in-the-box") && a.includes("sh") && a.includes("-lc")),
        JSON.stringify(execs),
      );
      assert.ok(docker.calls().some((a) => a[0] === "create" && a.includes("--network") && a.includes("none")));
      const offered = llm.requests[0]!.toolNames;
      assert.ok(offered.includes("exec") && offered.includes("read"), offered.join(","));
      assert.ok(!offered.includes("gateway"), "gateway is denied in a sandbox");
      c.client.close();
    } finally {
      await gw.close();
      await llm.close();
      fs.rmSync(ws, { recursive: true, force: true });
      fs.rmSync(docker.dir, { recursive: true, force: true });
    }
  });
});
