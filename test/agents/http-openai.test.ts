/** The OpenAI-compatible endpoint, driven by the official `openai` SDK as any integration would. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { startAgentGateway, startFakes, type Fakes } from "../helpers/agents.js";
import type { TestGateway } from "../helpers/gateway.js";

const TOKEN = "http-token-0123456789";

describe("OpenAI-compatible HTTP endpoint", () => {
  let f: Fakes;
  let gw: TestGateway;
  before(async () => {
    f = await startFakes();
    gw = await startAgentGateway(
      f,
      { gatewayExtra: { http: { endpoints: { chatCompletions: { enabled: true } } } } },
      { env: { OPENCLAW_GATEWAY_TOKEN: TOKEN } },
    );
  });
  after(async () => {
    await gw.close();
    await f.close();
  });
  const sdk = (key = TOKEN) => new OpenAI({ apiKey: key, baseURL: `${gw.httpUrl}/v1`, maxRetries: 0 });

  it("answers a chat completion with the agent's reply and usage", async () => {
    f.anthropic.enqueue({ text: "Hi from the agent", usage: { input: 42, output: 7 } });
    const r = await sdk().chat.completions.create({ model: "openclaw:main", messages: [{ role: "user", content: "hello" }] });
    assert.equal(r.choices[0]!.message.content, "Hi from the agent");
    assert.equal(r.usage?.prompt_tokens, 42);
    assert.equal(r.usage?.completion_tokens, 7);
  });

  it("streams with SSE", async () => {
    f.anthropic.enqueue({ text: "streamed over server-sent events", chunkDelayMs: 20 });
    const stream = await sdk().chat.completions.create({
      model: "openclaw",
      stream: true,
      messages: [{ role: "user", content: "stream please" }],
    });
    const parts: string[] = [];
    for await (const chunk of stream) {
      const d = chunk.choices[0]?.delta?.content;
      if (d) parts.push(d);
    }
    assert.ok(parts.length >= 2);
    assert.equal(parts.join(""), "streamed over server-sent events");
  });

  it("keeps a session per `user`, and is stateless without one", async () => {
    const before = f.anthropic.requests.length;
    await sdk().chat.completions.create({ model: "openclaw", user: "alice", messages: [{ role: "user", content: "I like tea" }] });
    await sdk().chat.completions.create({ model: "openclaw", user: "alice", messages: [{ role: "user", content: "what do I like?" }] });
    const second = f.anthropic.requests[before + 1]!;
    assert.deepEqual(
      second.messages.map((m) => m.text),
      ["I like tea", "echo: I like tea", "what do I like?"],
    );
    await sdk().chat.completions.create({ model: "openclaw", messages: [{ role: "user", content: "fresh" }] });
    assert.deepEqual(
      f.anthropic.requests.at(-1)!.messages.map((m) => m.text),
      ["fresh"],
    );
  });

  it("refuses a wrong token and lists agents as models", async () => {
    await assert.rejects(
      sdk("wrong").chat.completions.create({ model: "openclaw", messages: [{ role: "user", content: "x" }] }),
      (e: any) => e.status === 401,
    );
    const models = await sdk().models.list();
    assert.deepEqual(
      models.data.map((m) => m.id),
      ["openclaw:main"],
    );
  });

  it("reports a failed run as an error, not an empty answer", async () => {
    f.anthropic.enqueue({ error: { status: 400, message: "bad request from model" } });
    await assert.rejects(sdk().chat.completions.create({ model: "openclaw", messages: [{ role: "user", content: "x" }] }), (e: any) => {
      assert.equal(e.status, 502);
      assert.match(e.message, /bad request from model/);
      return true;
    });
  });

  it("is off unless enabled", async () => {
    const other = await startAgentGateway(f, {}, { env: { OPENCLAW_GATEWAY_TOKEN: TOKEN } });
    try {
      const res = await fetch(`${other.httpUrl}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}` },
        body: "{}",
      });
      assert.equal(res.status, 404);
    } finally {
      await other.close();
    }
  });
});
