/** OPENCLAW_STAGE_TIMINGS: where each message's time went, summarised into a file when the gateway stops. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { chatClient, startAgentGateway, startFakes, type Fakes } from "../helpers/agents.js";
import { tmpDir } from "../helpers/gateway.js";

describe("stage timings", { timeout: 30_000 }, () => {
  let f: Fakes;
  before(async () => {
    f = await startFakes();
  });
  after(() => f.close());

  it("writes count and percentiles per stage of the messages it handled, at shutdown", async () => {
    const file = path.join(tmpDir(), "stages.json");
    const gw = await startAgentGateway(f, {}, { env: { OPENCLAW_STAGE_TIMINGS: file } });
    const c = await chatClient(gw);
    for (let i = 0; i < 3; i++) {
      f.anthropic.enqueue({ text: `reply ${i}` });
      assert.equal((await c.send(`message ${i}`, "agent:main:stages")).state, "final");
    }
    c.client.close();
    assert.ok(!fs.existsSync(file), "written when the gateway stops");
    await gw.close();
    const { stages } = JSON.parse(fs.readFileSync(file, "utf8"));
    for (const name of ["intake", "lane_wait", "prompt_build", "model_stream", "transcript_write", "event_fanout"]) {
      const s = stages[name];
      assert.ok(s, `${name} is in ${JSON.stringify(Object.keys(stages))}`);
      assert.ok(s.count >= 3, `${name} counted each message`);
      for (const k of ["p50", "p99", "mean", "max"]) assert.equal(typeof s[k], "number");
      assert.ok(s.p50 <= s.p99 && s.p99 <= s.max);
    }
  });
});
