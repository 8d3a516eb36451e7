/** The optimizing compiler is held while the gateway starts and comes back once start-up is over. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { holdOptimizer, optimizerHeld } from "../../src/infra/optimizer.js";
import type { AdapterFactory } from "../../src/channels/types.js";
import { startTestGateway, waitFor } from "../helpers/gateway.js";
import { MemoryChannel } from "../helpers/memory-channel.js";

describe("holding the optimizing compiler", { timeout: 20_000 }, () => {
  it("holds nest, and a release counts once", () => {
    assert.equal(optimizerHeld(), false);
    const a = holdOptimizer();
    const b = holdOptimizer();
    a();
    a();
    assert.equal(optimizerHeld(), true, "b still holds it");
    b();
    assert.equal(optimizerHeld(), false);
  });

  it("a gateway holds it until its channels have started, then lets go", async () => {
    const tg = new MemoryChannel("telegram");
    let open!: () => void;
    const connecting = new Promise<void>((resolve) => (open = resolve));
    // A channel still connecting when the gateway is already listening.
    const slow: AdapterFactory = (ctx) => {
      const adapter = tg.factory(ctx);
      return {
        ...adapter,
        start: async () => {
          await connecting;
          await adapter.start();
        },
      };
    };
    const gw = await startTestGateway({
      config: { gateway: { mode: "local" }, channels: { telegram: { enabled: true } } },
      env: { TELEGRAM_BOT_TOKEN: "t" },
      channelFactories: { telegram: slow },
    });
    try {
      assert.equal(optimizerHeld(), true, "still starting: telegram is connecting");
      open();
      await waitFor(() => tg.started && !optimizerHeld(), 5000, "telegram started and the compiler back");
    } finally {
      await gw.close();
    }
    assert.equal(optimizerHeld(), false);
  });

  it("a gateway that fails to start lets go of it", async () => {
    // A public bind without a token is refused.
    await assert.rejects(startTestGateway({ bind: "lan", config: { gateway: { mode: "local" } } }));
    assert.equal(optimizerHeld(), false);
  });
});
