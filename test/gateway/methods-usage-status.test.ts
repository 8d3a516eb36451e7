/**
 * `usage.status`: OpenClaw's provider usage shape, filled with what this gateway knows: the providers
 * it has keys for and each key's failover state, as a failed model call leaves it.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chatClient, startAgentGateway, startFakes, type Fakes } from "../helpers/agents.js";
import type { TestGateway } from "../helpers/gateway.js";

const timeout = 30_000;

describe("usage.status", () => {
  let f: Fakes;
  let gw: TestGateway;
  let chat: Awaited<ReturnType<typeof chatClient>>;

  before(async () => {
    f = await startFakes();
    gw = await startAgentGateway(f, {}, { env: { GEMINI_API_KEY: "" } });
    chat = await chatClient(gw, { scopes: ["operator.read", "operator.write"] });
  });
  after(async () => {
    chat?.client.close();
    await gw?.close();
    await f?.close();
  });

  it("lists the providers with credentials, in the order the agent uses them, with no invented quota", { timeout }, async () => {
    const res = await chat.client.request<any>("usage.status", {});
    assert.equal(typeof res.updatedAt, "number");
    assert.deepEqual(
      res.providers.map((p: any) => [p.provider, p.displayName, p.windows.length]),
      [
        ["anthropic", "Claude", 0],
        ["openai", "OpenAI", 0],
      ],
      "Gemini has no key: not listed",
    );
    assert.deepEqual(res.providers[0].profiles, [{ profileId: "anthropic:env", agentId: "main", source: "env" }]);
    assert.equal(res.providers[0].error, undefined);
  });

  it("shows a key in cooldown after the provider refused it, and says when every key is resting", { timeout }, async () => {
    f.anthropic.enqueue({ error: { status: 429, message: "slow down", type: "rate_limit_error" } });
    f.openai.enqueue({ text: "answered by the fallback" });
    const out = await chat.send("hello");
    assert.equal(out.text, "answered by the fallback");

    const res = await chat.client.request<any>("usage.status");
    const claude = res.providers.find((p: any) => p.provider === "anthropic");
    const [profile] = claude.profiles;
    assert.equal(profile.profileId, "anthropic:env");
    assert.equal(profile.errorCount, 1);
    assert.ok(profile.cooldownUntil > res.updatedAt, "cooling down");
    assert.match(profile.lastError, /^rate_limit: .*slow down/);
    assert.match(claude.error, /^every credential is resting \(cooldown\) until \d{4}-\d\d-\d\dT.*; last error: rate_limit: .*slow down/);
    const openai = res.providers.find((p: any) => p.provider === "openai");
    assert.equal(openai.error, undefined);
    assert.equal(typeof openai.profiles[0].lastUsed, "number");
  });
});
