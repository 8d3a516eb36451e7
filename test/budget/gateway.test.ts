/**
 * Budgets through a running gateway with a fake model: a session over its limit is refused without
 * a model call, the 80% warning comes once, a new day starts over, and `usage.status`, `status` and
 * `/status` show what was spent against each limit.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { chatClient, fakeConfig, KEYS, startFakes, type Fakes } from "../helpers/agents.js";
import { startTestGateway, tmpDir, waitFor } from "../helpers/gateway.js";
import { agentLines } from "../../src/cli/health.js";

const DAY = 86_400_000;

describe("budgets through the gateway", { timeout: 60_000 }, () => {
  let fakes: Fakes;
  before(async () => {
    fakes = await startFakes();
  });
  after(() => fakes.close());

  it("refuses a session over its daily budget without calling the model, warns once at 80%, starts over the next day", async () => {
    // A clock at noon UTC today (far from a day's end) that the test can move forward a day.
    const t = new Date();
    let offset = Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), 12) - t.getTime();
    const now = () => Date.now() + offset;
    const config = fakeConfig(fakes, {
      agents: { defaults: { budget: { session: { daily: { tokens: 1000 } }, monthly: { usd: 100 } } } },
    });
    const gw = await startTestGateway({ config, env: KEYS, now, modelIdleTimeoutMs: 1500 });
    const { client, send } = await chatClient(gw);
    try {
      fakes.anthropic.enqueue({ text: "one", usage: { input: 400, output: 100 } });
      const r1 = await send("first", "main");
      assert.equal(r1.state, "final");
      assert.equal(r1.text, "one", "half the budget: no warning");

      fakes.anthropic.enqueue({ text: "two", usage: { input: 300, output: 50 } });
      const r2 = await send("second", "main");
      assert.equal(r2.state, "final");
      assert.match(
        r2.text,
        /^two\n\n⚠️ Budget: This conversation has used 85% of its daily budget \(850 tokens of 1,000 tokens; resets at 00:00 UTC\)\.$/,
      );

      fakes.anthropic.enqueue({ text: "three", usage: { input: 150, output: 50 } });
      const r3 = await send("third", "main");
      assert.equal(r3.text, "three", "the warning comes once a day");

      const before = fakes.anthropic.requests.length;
      const r4 = await send("fourth", "main");
      assert.equal(r4.state, "error");
      assert.equal(
        r4.errorMessage,
        "This conversation has reached its daily budget of 1,000 tokens (spent 1,050 tokens today, resets at 00:00 UTC). Raise agents.defaults.budget.session.daily.tokens or wait.",
      );
      assert.equal(fakes.anthropic.requests.length, before, "no model call for a refused run");

      // Session limits count each session on its own.
      fakes.anthropic.enqueue({ text: "elsewhere", usage: { input: 10, output: 10 } });
      assert.equal((await send("hello", "side")).text, "elsewhere");

      // What usage.status, status and /status say.
      const us = await client.request<any>("usage.status", {});
      const main = us.budgets.agents.find((a: any) => a.agentId === "main");
      assert.equal(main.timezone, "UTC");
      assert.equal(main.warnAt, 0.8);
      const monthly = main.limits.find((l: any) => l.scope === "agent" && l.period === "monthly");
      assert.equal(monthly.metric, "usd");
      assert.equal(monthly.limit, 100);
      assert.ok(monthly.spent > 0, "the runs had a cost");
      const session = main.sessions.find((s: any) => s.sessionKey === "agent:main:main");
      assert.deepEqual(
        session.limits.map((l: any) => [l.period, l.metric, l.spent, l.limit]),
        [["daily", "tokens", 1050, 1000]],
      );
      assert.equal(main.sessions[0].sessionKey, "agent:main:main", "the most used first");
      const status = await client.request<any>("status", {});
      assert.equal(status.agents.budgets.agents[0].agentId, "main");
      // What `openclaw status` prints from it.
      const lines = agentLines(status.agents, Date.now());
      assert.ok(lines.includes("budgets:    spent of limit, this period"), lines.join("\n"));
      assert.ok(lines.includes("  session agent:main:main, daily: 1,050 tokens of 1,000 tokens (105%), reached"), lines.join("\n"));
      assert.ok(
        lines.some((l) => /^ {2}agent main, monthly: \$0\.\d\d of \$100\.00 \(0%\)$/.test(l)),
        lines.join("\n"),
      );
      const slash = await send("/status", "main");
      assert.match(slash.text, /Budget \(session, daily\): 1,050 tokens of 1,000 tokens \(105%\)/);
      assert.match(slash.text, /Budget \(agent, monthly\): \$0\.\d\d of \$100\.00/);

      // The ledger on disk, written shortly after the run.
      const month = new Date(now()).toISOString().slice(0, 7);
      const ledgerFile = path.join(gw.stateDir, "usage", "main", `${month}.json`);
      const file = await waitFor(
        () => {
          const f = fs.existsSync(ledgerFile) ? JSON.parse(fs.readFileSync(ledgerFile, "utf8")) : null;
          return f?.sessions["agent:main:main"]?.month.tokens === 1050 ? f : null;
        },
        5000,
        "the ledger file",
      );
      assert.equal(file.sessions["agent:main:main"].month.tokens, 1050);

      // The next day starts over.
      offset += DAY;
      fakes.anthropic.enqueue({ text: "new day", usage: { input: 10, output: 10 } });
      const r5 = await send("again", "main");
      assert.equal(r5.state, "final");
      assert.equal(r5.text, "new day");
      assert.equal(fakes.anthropic.requests.length, before + 2);
    } finally {
      client.close();
      await gw.close();
    }
  });

  it("a ledger that cannot be written is logged and the reply still arrives", async () => {
    const stateDir = tmpDir();
    fs.writeFileSync(path.join(stateDir, "usage"), "a file where the ledger's folder should be");
    const config = fakeConfig(fakes, { agents: { defaults: { budget: { daily: { tokens: 100 } } } } });
    const gw = await startTestGateway({ config, stateDir, env: KEYS, modelIdleTimeoutMs: 1500 });
    const { client, send } = await chatClient(gw);
    try {
      fakes.anthropic.enqueue({ text: "still here", usage: { input: 60, output: 10 } });
      const r1 = await send("hi", "main");
      assert.equal(r1.state, "final");
      assert.equal(r1.text, "still here");
      await waitFor(() => gw.output.some((l) => l.includes("cannot write usage ledger")), 5000, "the ledger error in the log");
      // Counted in memory all the same: the limit still holds.
      fakes.anthropic.enqueue({ text: "more", usage: { input: 30, output: 10 } });
      await send("again", "main");
      const before = fakes.anthropic.requests.length;
      const r3 = await send("once more", "main");
      assert.equal(r3.state, "error");
      assert.match(r3.errorMessage ?? "", /^This agent has reached its daily budget of 100 tokens \(spent 110 tokens today/);
      assert.equal(fakes.anthropic.requests.length, before);
    } finally {
      client.close();
      await gw.close();
    }
  });
});
