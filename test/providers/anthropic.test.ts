/** Anthropic Messages specifics: how transcripts become request bodies, and SDK quirks. */
import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { FakeLlm } from "../fakes/llm.js";
import { createAnthropicClient } from "../../src/providers/anthropic.js";
import type {
  AssistantMessage,
  Message,
  ModelSpec,
  ProviderClient,
  StreamEvent,
  StreamRequest,
  ToolResultMessage,
} from "../../src/providers/types.js";

const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

let fake: FakeLlm;
let client: ProviderClient;
let model: ModelSpec;

before(async () => {
  fake = await FakeLlm.start("anthropic");
  client = createAnthropicClient();
  model = {
    provider: "anthropic",
    id: "claude-test-1",
    api: "anthropic-messages",
    baseUrl: fake.baseUrl,
    contextWindow: 200_000,
    maxTokens: 8192,
    input: ["text", "image"],
    cost: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  };
});
after(() => fake.close());
beforeEach(() => {
  fake.requests = [];
  fake.requiredKey = undefined;
});

async function run(req: Partial<StreamRequest> & { messages: Message[] }): Promise<{ events: StreamEvent[]; done: AssistantMessage }> {
  const events: StreamEvent[] = [];
  for await (const ev of client.stream({ model, apiKey: "sk-ant-test", ...req })) events.push(ev);
  const last = events.at(-1);
  assert.equal(last?.type, "done");
  return { events, done: (last as Extract<StreamEvent, { type: "done" }>).message };
}

const user = (text: string): Message => ({ role: "user", content: text, timestamp: 1 });
const result = (toolCallId: string, text: string, extra: Partial<ToolResultMessage> = {}): ToolResultMessage => ({
  role: "toolResult",
  toolCallId,
  toolName: "exec",
  content: [{ type: "text", text }],
  isError: false,
  timestamp: 1,
  ...extra,
});

function assistant(content: AssistantMessage["content"], api = "anthropic-messages"): AssistantMessage {
  return {
    role: "assistant",
    content,
    api,
    provider: "anthropic",
    model: "claude-test-1",
    usage: {
      input: 0,
      output: 0,
      cacheRead: 0,
      cacheWrite: 0,
      totalTokens: 0,
      cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 },
    },
    stopReason: "toolUse",
    timestamp: 1,
  };
}

describe("anthropic request shape", () => {
  it("puts the system prompt top-level and marks it and the newest block for prompt caching", async () => {
    await run({ systemPrompt: "You are terse.", messages: [user("hello")], maxTokens: 321 });
    const body = fake.last.body;
    assert.deepEqual(body.system, [{ type: "text", text: "You are terse.", cache_control: { type: "ephemeral" } }]);
    assert.ok(!body.messages.some((m: any) => m.role === "system"));
    assert.deepEqual(body.messages, [{ role: "user", content: [{ type: "text", text: "hello", cache_control: { type: "ephemeral" } }] }]);
    assert.equal(body.max_tokens, 321);
    assert.equal(body.stream, true);
  });

  it("defaults max_tokens to the model's maxTokens and sends tools with input_schema", async () => {
    await run({
      messages: [user("hi")],
      tools: [{ name: "exec", description: "Run a command", parameters: { properties: { cmd: { type: "string" } } } }],
    });
    assert.equal(fake.last.body.max_tokens, 8192);
    assert.deepEqual(fake.last.body.tools, [
      { name: "exec", description: "Run a command", input_schema: { type: "object", properties: { cmd: { type: "string" } } } },
    ]);
  });

  it("turns consecutive tool results into one user message of tool_result blocks after the tool_use blocks", async () => {
    const calls = assistant([
      { type: "text", text: "Running both." },
      { type: "toolCall", id: "toolu_A", name: "exec", arguments: { cmd: "ls" } },
      { type: "toolCall", id: "toolu_B", name: "exec", arguments: { cmd: "pwd" } },
    ]);
    await run({ messages: [user("go"), calls, result("toolu_A", "a.txt"), result("toolu_B", "boom", { isError: true })] });
    const [, a, u] = fake.last.body.messages;
    assert.equal(a.role, "assistant");
    assert.deepEqual(a.content, [
      { type: "text", text: "Running both." },
      { type: "tool_use", id: "toolu_A", name: "exec", input: { cmd: "ls" } },
      { type: "tool_use", id: "toolu_B", name: "exec", input: { cmd: "pwd" } },
    ]);
    assert.equal(u.role, "user");
    assert.equal(u.content.length, 2);
    assert.deepEqual(u.content[0], { type: "tool_result", tool_use_id: "toolu_A", content: [{ type: "text", text: "a.txt" }] });
    assert.equal(u.content[1].tool_use_id, "toolu_B");
    assert.equal(u.content[1].is_error, true);
    assert.deepEqual(
      fake.last.toolResults.map((r) => [r.id, r.name, r.content]),
      [
        ["toolu_A", "exec", "a.txt"],
        ["toolu_B", "exec", "boom"],
      ],
    );
  });

  it("maps tool ids from other APIs into Anthropic's id alphabet, the same way for call and result", async () => {
    const calls = assistant([{ type: "toolCall", id: "call_1|fc.2", name: "exec", arguments: {} }], "openai-completions");
    await run({ messages: [user("go"), calls, result("call_1|fc.2", "ok")] });
    const id = fake.last.body.messages[1].content[0].id;
    assert.match(id, /^[a-zA-Z0-9_-]+$/);
    assert.equal(fake.last.body.messages[2].content[0].tool_use_id, id);
  });

  it("puts tool-result images inside the tool_result block", async () => {
    const calls = assistant([{ type: "toolCall", id: "toolu_S", name: "screenshot", arguments: {} }]);
    await run({
      messages: [
        user("shot"),
        calls,
        result("toolu_S", "captured", {
          content: [
            { type: "text", text: "captured" },
            { type: "image", data: PNG, mimeType: "image/png" },
          ],
        }),
      ],
    });
    const block = fake.last.body.messages[2].content[0];
    assert.equal(block.content[1].type, "image");
    assert.deepEqual(block.content[1].source, { type: "base64", media_type: "image/png", data: PNG });
    assert.equal(fake.last.hasImage, true);
  });

  it("skips empty text blocks and empty messages", async () => {
    await run({
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "" },
            { type: "text", text: "real question" },
            { type: "text", text: "  " },
          ],
          timestamp: 1,
        },
        { ...assistant([{ type: "text", text: "" }]), stopReason: "stop" },
        user(""),
        user("follow-up"),
      ],
    });
    const msgs = fake.last.body.messages;
    assert.equal(msgs.length, 2);
    assert.deepEqual(
      msgs.map((m: any) => m.content.map((b: any) => b.text)),
      [["real question"], ["follow-up"]],
    );
  });

  it("keeps signed thinking blocks from Anthropic and drops thinking it cannot replay", async () => {
    fake.enqueue({ thinking: "Let me think about it.", signature: "EqSig123==", text: "Answer." });
    const first = await run({ messages: [user("q1")] });
    assert.deepEqual(first.done.content[0], { type: "thinking", thinking: "Let me think about it.", thinkingSignature: "EqSig123==" });
    assert.ok(first.events.some((e) => e.type === "thinking_delta"));

    const foreign = {
      ...assistant(
        [
          { type: "thinking", thinking: "openai reasoning", thinkingSignature: "x" },
          { type: "text", text: "prev" },
        ],
        "openai-completions",
      ),
      stopReason: "stop" as const,
    };
    const unsigned = {
      ...assistant([
        { type: "thinking", thinking: "no signature" },
        { type: "text", text: "prev2" },
      ]),
      stopReason: "stop" as const,
    };
    await run({ messages: [user("q0"), foreign, user("q0b"), unsigned, user("q1"), first.done, user("q2")] });
    const assistants = fake.last.body.messages.filter((m: any) => m.role === "assistant");
    assert.deepEqual(assistants[0].content, [{ type: "text", text: "prev" }]);
    assert.deepEqual(assistants[1].content, [{ type: "text", text: "prev2" }]);
    assert.deepEqual(assistants[2].content[0], { type: "thinking", thinking: "Let me think about it.", signature: "EqSig123==" });
  });

  it("maps stop reasons: max_tokens → length", async () => {
    fake.enqueue({ text: "cut", stopReason: "max_tokens" });
    const { done } = await run({ messages: [user("long")] });
    assert.equal(done.stopReason, "length");
  });
});

describe("anthropic SDK wiring", () => {
  it("sends the key (SDK v1: Authorization Bearer) and the model's custom headers", async () => {
    fake.requiredKey = "sk-ant-right";
    await run({ apiKey: "sk-ant-right", model: { ...model, headers: { "x-custom-header": "yes" } }, messages: [user("hi")] });
    const h = fake.last.headers;
    assert.ok(h["x-api-key"] === "sk-ant-right" || h.authorization === "Bearer sk-ant-right");
    assert.equal(h["x-custom-header"], "yes");
    assert.equal(h["x-stainless-retry-count"], "0");
  });

  it("never falls back to ANTHROPIC_API_KEY from the environment", async () => {
    const saved = process.env.ANTHROPIC_API_KEY;
    process.env.ANTHROPIC_API_KEY = "sk-from-env";
    try {
      await run({ apiKey: "", model: { ...model, id: "claude-env-check" }, messages: [user("hi")] });
      const h = fake.last.headers;
      assert.notEqual(h.authorization, "Bearer sk-from-env");
      assert.notEqual(h["x-api-key"], "sk-from-env");
    } finally {
      if (saved === undefined) delete process.env.ANTHROPIC_API_KEY;
      else process.env.ANTHROPIC_API_KEY = saved;
    }
  });

  it("accepts a baseUrl that ends in /v1", async () => {
    await run({ model: { ...model, baseUrl: `${fake.baseUrl}/v1/` }, messages: [user("hi")] });
    assert.equal(fake.last.path, "/v1/messages");
  });

  it("the fake also answers non-streaming requests with a message object", async () => {
    const sdk = new Anthropic({ apiKey: "k", baseURL: fake.baseUrl, maxRetries: 0 });
    fake.enqueue({ text: "plain reply", toolCalls: [{ name: "exec", arguments: { cmd: "ls" } }] });
    const msg = await sdk.messages.create({ model: "claude-test-1", max_tokens: 10, messages: [{ role: "user", content: "hi" }] });
    assert.equal(msg.type, "message");
    assert.equal(msg.stop_reason, "tool_use");
    assert.deepEqual(
      msg.content.map((b) => b.type),
      ["text", "tool_use"],
    );
    assert.ok(msg.usage.input_tokens > 0);
    assert.equal(fake.last.stream, false);
  });
});
