/** Failover between credentials and models, cooldowns that survive restarts, and clear errors. */
import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { chatClient, startAgentGateway, startFakes, type Fakes } from "../helpers/agents.js";
import { tmpDir, type TestGateway } from "../helpers/gateway.js";

describe("model failover", () => {
  let f: Fakes;
  before(async () => {
    f = await startFakes();
  });
  after(() => f.close());
  beforeEach(() => {
    for (const k of [f.anthropic, f.openai, f.gemini]) k.requests.length = 0;
  });

  for (const [label, reply] of [
    ["overloaded (529)", { error: { status: 529, type: "overloaded_error", message: "Overloaded" } }],
    ["server error (500)", { error: { status: 500, message: "Internal error" } }],
    ["bad key (401)", { error: { status: 401, type: "authentication_error", message: "invalid x-api-key" } }],
    ["no answer (timeout)", { hang: true }],
  ] as const) {
    it(`falls over to the next model at once on ${label}`, async () => {
      const gw = await startAgentGateway(f);
      try {
        f.anthropic.enqueue(reply);
        f.openai.enqueue({ text: "fallback answered" });
        const c = await chatClient(gw);
        const t0 = Date.now();
        const out = await c.send("hello");
        assert.equal(out.state, "final", out.errorMessage);
        assert.equal(out.text, "fallback answered");
        // Not a speed test: a retry loop with backoff (or waiting out a retry-after) takes a minute or
        // more; a busy machine takes a few seconds at worst.
        assert.ok(Date.now() - t0 < 30_000, "no long retry loop before failing over");
        assert.equal(f.anthropic.requests.length, 1, "the failing provider was asked once, not retried");
        assert.ok(
          gw.output.some((l) => /anthropic\/claude-opus-4-5 .*failed/.test(l)),
          "the switch is logged",
        );
        const status = await c.client.request<any>("status");
        assert.equal(status.agents.failovers.at(-1).from, "anthropic/claude-opus-4-5");
        assert.ok(status.agents.cooldowns.some((x: any) => x.profileId === "anthropic:env" && x.remainingMs > 0));
        c.client.close();
      } finally {
        await gw.close();
      }
    });
  }

  it("skips a provider in cooldown on the next message, and remembers it across a restart", async () => {
    const stateDir = tmpDir();
    let gw: TestGateway = await startAgentGateway(f, {}, { stateDir });
    f.anthropic.enqueue({ error: { status: 529, type: "overloaded_error", message: "Overloaded" } });
    let c = await chatClient(gw);
    assert.equal((await c.send("one")).state, "final");
    assert.equal((await c.send("two")).state, "final");
    assert.equal(f.anthropic.requests.length, 1, "second message went straight to the fallback");
    assert.equal(f.openai.requests.length, 2);
    c.client.close();
    await gw.close();

    const stored = JSON.parse(fs.readFileSync(path.join(stateDir, "agents/main/agent/auth-profiles.json"), "utf8"));
    assert.ok(stored.usageStats["anthropic:env"].cooldownUntil > Date.now(), "cooldown is on disk");

    gw = await startAgentGateway(f, {}, { stateDir });
    c = await chatClient(gw);
    assert.equal((await c.send("three")).state, "final");
    assert.equal(f.anthropic.requests.length, 1, "after a restart the resting provider is still skipped");
    c.client.close();
    await gw.close();
  });

  it("rotates to a second credential of the same provider before changing model", async () => {
    const stateDir = tmpDir();
    fs.mkdirSync(path.join(stateDir, "agents/main/agent"), { recursive: true });
    fs.writeFileSync(
      path.join(stateDir, "agents/main/agent/auth-profiles.json"),
      JSON.stringify({ version: 1, profiles: { "anthropic:work": { type: "api_key", provider: "anthropic", key: "key-work" } } }),
    );
    const gw = await startAgentGateway(f, {}, { stateDir });
    try {
      f.anthropic.enqueue({ error: { status: 429, type: "rate_limit_error", message: "slow down" } }, { text: "second key worked" });
      const c = await chatClient(gw);
      const out = await c.send("hi");
      assert.equal(out.text, "second key worked");
      const keys = f.anthropic.requests.map((r) => r.headers["x-api-key"] ?? r.headers.authorization);
      assert.equal(keys.length, 2);
      assert.notEqual(keys[0], keys[1], "a different credential was used for the retry");
      assert.equal(f.openai.requests.length, 0);
      c.client.close();
    } finally {
      await gw.close();
    }
  });

  it("when every model fails, the conversation gets a readable error and stays usable", async () => {
    const gw = await startAgentGateway(f);
    try {
      f.anthropic.enqueue({ error: { status: 529, type: "overloaded_error", message: "Overloaded" } });
      f.openai.enqueue({ error: { status: 503, message: "unavailable" } });
      const c = await chatClient(gw);
      const out = await c.send("hello?", "agent:main:allfail");
      assert.equal(out.state, "error");
      assert.match(out.errorMessage!, /no model could answer: anthropic\/claude-opus-4-5.*Overloaded.*openai\/gpt-4o/s);
      const h = await c.client.request<any>("chat.history", { sessionKey: "agent:main:allfail" });
      assert.equal(h.messages.at(-1).stopReason, "error");
      assert.match(h.messages.at(-1).errorMessage, /no model could answer/);
      // The user's message was kept, and the next message works once a model is back.
      assert.equal(h.messages.at(-2).content, "hello?");
      f.openai.enqueue({ text: "back" });
      // Both are resting now; the gateway still tries them (soonest first) rather than refusing.
      const next = await c.send("still there?", "agent:main:allfail");
      assert.equal(next.state, "final", next.errorMessage);
      c.client.close();
    } finally {
      await gw.close();
    }
  });

  it("a missing API key is named, with the variable to set", async () => {
    const gw = await startAgentGateway(
      f,
      { agents: { defaults: { model: { primary: "anthropic/claude-opus-4-5", fallbacks: [] } } } },
      { env: { ANTHROPIC_API_KEY: "" } },
    );
    try {
      const c = await chatClient(gw);
      const out = await c.send("hi");
      assert.equal(out.state, "error");
      assert.match(out.errorMessage!, /no API key for anthropic: set ANTHROPIC_API_KEY/);
      c.client.close();
    } finally {
      await gw.close();
    }
  });

  it("an unknown model ref is named in the error", async () => {
    const gw = await startAgentGateway(f, { agents: { defaults: { model: { primary: "nope/model-x", fallbacks: [] } } } });
    try {
      const c = await chatClient(gw);
      const out = await c.send("hi");
      assert.equal(out.state, "error");
      assert.match(out.errorMessage!, /unknown provider "nope" in model "nope\/model-x"/);
      c.client.close();
    } finally {
      await gw.close();
    }
  });
});
