/** `usage.cost`: tokens and cost per day and per model, read back from the transcripts. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startFakes, startAgentGateway, chatClient, type Fakes } from "../helpers/agents.js";
import { tmpDir } from "../helpers/gateway.js";
import { localDay } from "../../src/sessions/usage.js";

const DAY = 86_400_000;

function assistant(ts: number, provider: string, model: string, input: number, output: number, cost?: number) {
  return {
    type: "message",
    id: Math.random().toString(16).slice(2, 10),
    parentId: null,
    timestamp: new Date(ts).toISOString(),
    message: {
      role: "assistant",
      content: [{ type: "text", text: "hi" }],
      api: "anthropic-messages",
      provider,
      model,
      usage: {
        input,
        output,
        cacheRead: 0,
        cacheWrite: 0,
        totalTokens: input + output,
        ...(cost !== undefined ? { cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: cost } } : {}),
      },
      stopReason: "stop",
      timestamp: ts,
    },
  };
}

function writeTranscript(file: string, entries: unknown[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const header = { type: "session", version: 3, id: path.basename(file, ".jsonl"), timestamp: new Date().toISOString(), cwd: "/" };
  const user = {
    type: "message",
    id: "u1",
    parentId: null,
    timestamp: new Date().toISOString(),
    message: { role: "user", content: "hello", timestamp: Date.now() },
  };
  fs.writeFileSync(file, [header, user, ...entries].map((e) => JSON.stringify(e)).join("\n") + "\n{torn line");
}

describe("usage.cost", () => {
  let fakes: Fakes;
  before(async () => {
    fakes = await startFakes();
  });
  after(() => fakes.close());

  it("sums tokens and cost per local day and per model, including runs made just now", async () => {
    const stateDir = tmpDir();
    const sessions = path.join(stateDir, "agents", "main", "sessions");
    const now = Date.now();
    const noon = new Date(now);
    noon.setHours(12, 0, 0, 0);
    const today = Math.min(noon.getTime(), now - 1000);
    const yesterday = noon.getTime() - DAY;
    writeTranscript(path.join(sessions, "a.jsonl"), [
      assistant(yesterday, "anthropic", "claude-opus-4-5", 1000, 200, 0.01),
      assistant(today, "anthropic", "claude-opus-4-5", 500, 100, 0.005),
      assistant(now - 40 * DAY, "anthropic", "claude-opus-4-5", 9999, 9999, 9), // outside the window
    ]);
    // No recorded cost: estimated from the model's price (gpt-4o: $2.50 in, $10 out per million).
    writeTranscript(path.join(sessions, "b.jsonl"), [assistant(today, "openai", "gpt-4o", 1_000_000, 100_000)]);
    // A model without a price: tokens count, cost is reported missing.
    writeTranscript(path.join(sessions, "c.jsonl"), [assistant(today, "local", "mystery", 10, 5)]);
    // Archived transcripts of deleted sessions are not counted.
    writeTranscript(path.join(sessions, "d.jsonl.deleted.123"), [assistant(today, "anthropic", "claude-opus-4-5", 7777, 7777, 7)]);

    const gw = await startAgentGateway(fakes, {}, { stateDir });
    const { client, send } = await chatClient(gw);
    try {
      const r0 = await client.request<any>("usage.cost", { days: 30 });
      assert.equal(r0.days, 30);
      assert.deepEqual(
        r0.daily.map((d: any) => [d.date, d.input, d.output]),
        [
          [localDay(new Date(yesterday)), 1000, 200],
          [localDay(new Date(today)), 500 + 1_000_000 + 10, 100 + 100_000 + 5],
        ],
      );
      assert.equal(r0.totals.totalTokens, 1200 + 600 + 1_100_000 + 15);
      assert.equal(r0.totals.missingCostEntries, 1);
      assert.ok(Math.abs(r0.totals.totalCost - (0.015 + 2.5 + 1)) < 1e-9, String(r0.totals.totalCost));
      const models = Object.fromEntries(r0.byModel.map((m: any) => [`${m.provider}/${m.model}`, m]));
      assert.equal(r0.byModel[0].model, "gpt-4o", "most expensive first");
      assert.equal(models["anthropic/claude-opus-4-5"].messages, 2);
      assert.equal(models["local/mystery"].missingCostEntries, 1);

      const one = await client.request<any>("usage.cost", { days: 1 });
      assert.deepEqual(
        one.daily.map((d: any) => d.date),
        [localDay(new Date(today))],
      );

      fakes.anthropic.enqueue({ text: "fresh reply", usage: { input: 40, output: 2 } });
      const run = await send("count me");
      assert.equal(run.state, "final");
      const r1 = await client.request<any>("usage.cost", {});
      assert.equal(r1.totals.input - r0.totals.input, 40);
      assert.equal(r1.totals.output - r0.totals.output, 2);
      assert.ok(r1.totals.totalCost > r0.totals.totalCost, "the new run has a cost");

      await assert.rejects(client.request("usage.cost", { days: 0 }), /days/);
      await assert.rejects(client.request("usage.cost", { agentId: "../../etc" }), /agent id/);
    } finally {
      client.close();
      await gw.close();
    }
  });
});
