/** OpenAI Chat Completions specifics (also OpenAI-compatible servers): request bodies and SDK quirks. */
import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { FakeLlm } from "../fakes/llm.js";
import { buildParams, createOpenAIClient } from "../../src/providers/openai.js";
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
  fake = await FakeLlm.start("openai");
  client = createOpenAIClient();
  model = {
    provider: "ollama",
    id: "llama3.3:70b",
    api: "openai-completions",
    baseUrl: fake.baseUrl,
    contextWindow: 128_000,
    maxTokens: 4096,
    input: ["text", "image"],
    cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
  };
});
after(() => fake.close());
beforeEach(() => {
  fake.requests = [];
  fake.requiredKey = undefined;
});

async function run(req: Partial<StreamRequest> & { messages: Message[] }): Promise<{ events: StreamEvent[]; done: AssistantMessage }> {
  const events: StreamEvent[] = [];
  for await (const ev of client.stream({ model, apiKey: "sk-test", ...req })) events.push(ev);
  const last = events.at(-1);
  assert.equal(last?.type, "done");
  return { events, done: (last as Extract<StreamEvent, { type: "done" }>).message };
}

const user = (text: string): Message => ({ role: "user", content: text, timestamp: 1 });
const result = (toolCallId: string, content: ToolResultMessage["content"], toolName = "exec"): ToolResultMessage => ({
  role: "toolResult",
  toolCallId,
  toolName,
  content,
  isError: false,
  timestamp: 1,
});
function assistant(content: AssistantMessage["content"]): AssistantMessage {
  return {
    role: "assistant",
    content,
    api: "openai-completions",
    provider: "ollama",
    model: "llama3.3:70b",
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

describe("openai request shape", () => {
  it("sends the system message first, plain string content, streaming with usage", async () => {
    await run({ systemPrompt: "You are terse.", messages: [user("hello")], temperature: 0.2 });
    const body = fake.last.body;
    assert.deepEqual(body.messages, [
      { role: "system", content: "You are terse." },
      { role: "user", content: "hello" },
    ]);
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
    assert.equal(body.temperature, 0.2);
    assert.equal(body.max_tokens, 4096, "compatible servers get max_tokens");
    assert.equal(body.max_completion_tokens, undefined);
  });

  it("uses compat settings: developer role for reasoning models, max_completion_tokens", async () => {
    await run({
      model: { ...model, reasoning: true, compat: { supportsDeveloperRole: true, maxTokensField: "max_completion_tokens" } },
      systemPrompt: "sys",
      messages: [user("hi")],
    });
    assert.equal(fake.last.body.messages[0].role, "developer");
    assert.equal(fake.last.body.max_completion_tokens, 4096);
    assert.equal(fake.last.body.max_tokens, undefined);
  });

  it("sends assistant tool_calls with JSON-string arguments and results as role tool", async () => {
    const calls = assistant([
      { type: "text", text: "Checking." },
      { type: "toolCall", id: "call_1", name: "exec", arguments: { cmd: "ls", n: 1 } },
      { type: "toolCall", id: "call_2", name: "read", arguments: { path: "a" } },
    ]);
    await run({
      messages: [user("go"), calls, result("call_1", [{ type: "text", text: "a.txt" }]), result("call_2", [], "read")],
      tools: [{ name: "exec", description: "Run", parameters: { type: "object", properties: {} } }],
    });
    const [, a, t1, t2] = fake.last.body.messages;
    assert.deepEqual(a, {
      role: "assistant",
      content: "Checking.",
      tool_calls: [
        { id: "call_1", type: "function", function: { name: "exec", arguments: JSON.stringify({ cmd: "ls", n: 1 }) } },
        { id: "call_2", type: "function", function: { name: "read", arguments: JSON.stringify({ path: "a" }) } },
      ],
    });
    assert.deepEqual(t1, { role: "tool", tool_call_id: "call_1", content: "a.txt" });
    assert.equal(t2.role, "tool");
    assert.equal(t2.tool_call_id, "call_2");
    assert.ok(t2.content.length > 0, "an empty result still sends some content");
    assert.deepEqual(fake.last.body.tools, [
      { type: "function", function: { name: "exec", description: "Run", parameters: { type: "object", properties: {} } } },
    ]);
  });

  it("sends the same tool definitions on every call, as JSON, after the rest of the request", async () => {
    const tools = [
      { name: "read", description: "Read a file", parameters: { type: "object", properties: { path: { type: "string" } } } },
      { name: "note", description: 'Says "hi" ✓\nthen stops', parameters: { type: "object", properties: {} } },
    ];
    const expected = tools.map((t) => ({ type: "function", function: t }));
    for (const text of ["first", "second"]) {
      await run({ systemPrompt: "Be brief.", messages: [user(text)], tools, temperature: 0.5 });
      assert.match(String(fake.last.headers["content-type"]), /^application\/json/);
      assert.deepEqual(fake.last.body.tools, expected);
      assert.equal(fake.last.body.messages[1].content, text);
      assert.equal(fake.last.body.temperature, 0.5);
      assert.equal(fake.last.body.stream, true);
    }
    // Another set, of the same length or not, is sent as it is, not the set before it.
    const other = { name: "wéb", description: "Fetch a page", parameters: { type: "object", properties: { url: { type: "string" } } } };
    for (const set of [[tools[0]!, other], [other], tools]) {
      await run({ systemPrompt: "Be brief.", messages: [user("again")], tools: set });
      assert.deepEqual(
        fake.last.body.tools,
        set.map((t) => ({ type: "function", function: t })),
      );
    }
    await run({ messages: [user("none")] });
    assert.equal(fake.last.body.tools, undefined, "no tools, no tools field");
  });

  it("follows tool results that carry images with one user message holding them as image_url parts", async () => {
    const calls = assistant([{ type: "toolCall", id: "call_s", name: "screenshot", arguments: {} }]);
    await run({
      messages: [
        user("shot"),
        calls,
        result("call_s", [
          { type: "text", text: "captured" },
          { type: "image", data: PNG, mimeType: "image/png" },
        ]),
      ],
    });
    const msgs = fake.last.body.messages;
    assert.equal(msgs[2].role, "tool");
    assert.equal(msgs[2].content, "captured");
    assert.equal(msgs[3].role, "user");
    assert.deepEqual(msgs[3].content[1], { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } });
  });

  it("sends a conversation's history the same on every call, and as the model in use takes it", async () => {
    // The body is put together from parts (some reused from call to call): it must read exactly as the
    // request's objects, for a model with and without images.
    const history: Message[] = [
      user("first"),
      assistant([
        { type: "text", text: "Looking." },
        { type: "toolCall", id: "call_a", name: "screenshot", arguments: { full: true } },
        { type: "toolCall", id: "call_b", name: "exec", arguments: { cmd: 'echo "hi"\n' } },
      ]),
      result("call_a", [
        { type: "text", text: "captured ✓" },
        { type: "image", data: PNG, mimeType: "image/png" },
      ]),
      // call_b is left unanswered (an interrupted run): an error result is sent for it.
      { role: "user", content: [{ type: "image", data: PNG, mimeType: "image/png" }], timestamp: 2 },
      { ...assistant([]), stopReason: "error" },
      result("orphan", [{ type: "text", text: "dropped" }]),
      { ...assistant([{ type: "text", text: "Done." }]), stopReason: "stop" },
    ];
    const textOnly: ModelSpec = { ...model, input: ["text"] };
    for (const m of [model, textOnly, model]) {
      const req: StreamRequest = { model: m, messages: history, systemPrompt: "Be brief.", maxTokens: 100 };
      await run(req);
      const sent = fake.last.body as { messages: Array<{ role: string; content: unknown }> };
      assert.deepEqual(sent, JSON.parse(JSON.stringify(buildParams(req))));
      const images = JSON.stringify(sent.messages).includes("image_url");
      assert.equal(images, m === model, "images only to a model that takes them");
    }
    const roles = (fake.last.body as { messages: Array<{ role: string }> }).messages.map((x) => x.role);
    assert.deepEqual(roles, ["system", "user", "assistant", "tool", "tool", "user", "user", "assistant"]);
  });

  it("streams reasoning_content as thinking and does not send it back", async () => {
    fake.enqueue({ thinking: "step by step", text: "42" });
    const first = await run({ messages: [user("q")] });
    assert.equal(
      first.events
        .filter((e) => e.type === "thinking_delta")
        .map((e) => (e as { delta: string }).delta)
        .join(""),
      "step by step",
    );
    assert.deepEqual(
      first.done.content.map((c) => c.type),
      ["thinking", "text"],
    );
    await run({ messages: [user("q"), first.done, user("again")] });
    assert.deepEqual(fake.last.body.messages[1], { role: "assistant", content: "42" });
  });

  it("maps finish_reason length → length", async () => {
    fake.enqueue({ text: "cut", stopReason: "length" });
    const { done } = await run({ messages: [user("long")] });
    assert.equal(done.stopReason, "length");
  });
});

describe("openai SDK wiring", () => {
  it("works without an API key (local servers) by sending a placeholder", async () => {
    const { done } = await run({ apiKey: "", messages: [user("hi")] });
    assert.equal(done.content[0]?.type, "text");
    assert.match(String(fake.last.headers.authorization), /^Bearer \S+/);
  });

  it("does not leak OPENAI_* environment settings to the configured server", async () => {
    const saved = { key: process.env.OPENAI_API_KEY, org: process.env.OPENAI_ORG_ID, project: process.env.OPENAI_PROJECT_ID };
    process.env.OPENAI_API_KEY = "sk-env";
    process.env.OPENAI_ORG_ID = "org-env";
    process.env.OPENAI_PROJECT_ID = "proj-env";
    try {
      await run({ apiKey: "", model: { ...model, id: "env-check" }, messages: [user("hi")] });
      const h = fake.last.headers;
      assert.notEqual(h.authorization, "Bearer sk-env");
      assert.equal(h["openai-organization"], undefined);
      assert.equal(h["openai-project"], undefined);
    } finally {
      for (const [k, v] of [
        ["OPENAI_API_KEY", saved.key],
        ["OPENAI_ORG_ID", saved.org],
        ["OPENAI_PROJECT_ID", saved.project],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it("sends the Bearer key and custom headers", async () => {
    fake.requiredKey = "sk-or-right";
    await run({ apiKey: "sk-or-right", model: { ...model, headers: { "HTTP-Referer": "https://example.test" } }, messages: [user("hi")] });
    assert.equal(fake.last.headers.authorization, "Bearer sk-or-right");
    assert.equal(fake.last.headers["http-referer"], "https://example.test");
  });

  it("the fake answers non-streaming requests with a chat.completion (for the OpenAI-compatible endpoint tests)", async () => {
    const sdk = new OpenAI({ apiKey: "k", baseURL: fake.baseUrl, maxRetries: 0 });
    fake.enqueue({ text: "plain reply", usage: { input: 11, output: 3 } });
    const res = await sdk.chat.completions.create({ model: "gpt-test", messages: [{ role: "user", content: "hi" }] });
    assert.equal(res.object, "chat.completion");
    assert.equal(res.choices[0]?.message.content, "plain reply");
    assert.equal(res.choices[0]?.finish_reason, "stop");
    assert.equal(res.usage?.prompt_tokens, 11);
    assert.equal(res.usage?.completion_tokens, 3);
    assert.equal(fake.last.stream, false);
  });

  it("the SDK's own stream helper reads the fake's chunks, tool-call fragments included", async () => {
    const sdk = new OpenAI({ apiKey: "k", baseURL: fake.baseUrl, maxRetries: 0 });
    fake.enqueue({ toolCalls: [{ name: "exec", arguments: { cmd: "echo hi" } }] });
    const stream = sdk.chat.completions.stream({
      model: "gpt-test",
      messages: [{ role: "user", content: "hi" }],
      stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    assert.ok(call && call.type === "function");
    assert.deepEqual(JSON.parse(call.function.arguments), { cmd: "echo hi" });
    assert.equal(final.choices[0]?.finish_reason, "tool_calls");
    assert.ok((final.usage?.total_tokens ?? 0) > 0);
  });
});
