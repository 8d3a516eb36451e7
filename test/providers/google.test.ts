/** Gemini specifics: contents/parts shapes, tool-call ids, thought signatures, base URL handling. */
import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { GoogleGenAI } from "@google/genai";
import { FakeLlm } from "../fakes/llm.js";
import { createGoogleClient, splitBaseUrl } from "../../src/providers/google.js";
import type {
  AssistantMessage,
  Message,
  ModelSpec,
  ProviderClient,
  StreamEvent,
  StreamRequest,
  ToolResultMessage,
} from "../../src/providers/types.js";

let fake: FakeLlm;
let client: ProviderClient;
let model: ModelSpec;

before(async () => {
  fake = await FakeLlm.start("gemini");
  client = createGoogleClient();
  model = {
    provider: "google",
    id: "gemini-2.5-flash",
    api: "google-generative-ai",
    baseUrl: fake.baseUrl,
    contextWindow: 1_000_000,
    maxTokens: 8192,
    input: ["text", "image"],
    cost: { input: 0.3, output: 2.5, cacheRead: 0.075, cacheWrite: 0 },
  };
});
after(() => fake.close());
beforeEach(() => {
  fake.requests = [];
  fake.requiredKey = undefined;
});

async function run(req: Partial<StreamRequest> & { messages: Message[] }): Promise<{ events: StreamEvent[]; done: AssistantMessage }> {
  const events: StreamEvent[] = [];
  for await (const ev of client.stream({ model, apiKey: "AIza-test", ...req })) events.push(ev);
  const last = events.at(-1);
  assert.equal(last?.type, "done");
  return { events, done: (last as Extract<StreamEvent, { type: "done" }>).message };
}

const user = (text: string): Message => ({ role: "user", content: text, timestamp: 1 });
const result = (toolCallId: string, text: string, toolName = "exec", isError = false): ToolResultMessage => ({
  role: "toolResult",
  toolCallId,
  toolName,
  content: [{ type: "text", text }],
  isError,
  timestamp: 1,
});
function assistant(content: AssistantMessage["content"], api = "google-generative-ai"): AssistantMessage {
  return {
    role: "assistant",
    content,
    api,
    provider: "google",
    model: "gemini-2.5-flash",
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

describe("gemini request shape", () => {
  it("uses systemInstruction, roles user/model, generationConfig and functionDeclarations", async () => {
    await run({
      systemPrompt: "You are terse.",
      messages: [user("hello"), { ...assistant([{ type: "text", text: "hi!" }]), stopReason: "stop" }, user("again")],
      maxTokens: 500,
      temperature: 0.5,
      tools: [{ name: "exec", description: "Run", parameters: { type: "object", properties: { cmd: { type: "string" } } } }],
    });
    const body = fake.last.body;
    assert.equal(fake.last.system, "You are terse.");
    assert.deepEqual(
      body.contents.map((c: any) => c.role),
      ["user", "model", "user"],
    );
    assert.equal(body.generationConfig.maxOutputTokens, 500);
    assert.equal(body.generationConfig.temperature, 0.5);
    assert.deepEqual(body.tools, [
      {
        functionDeclarations: [
          { name: "exec", description: "Run", parametersJsonSchema: { type: "object", properties: { cmd: { type: "string" } } } },
        ],
      },
    ]);
    assert.equal(fake.last.path.split("?")[0], "/v1beta/models/gemini-2.5-flash:streamGenerateContent");
    assert.match(fake.last.path, /alt=sse/);
  });

  it("sends functionCall parts and one user turn of functionResponse parts; generated ids stay local", async () => {
    fake.enqueue({
      toolCalls: [
        { name: "exec", arguments: { cmd: "ls" } },
        { name: "read", arguments: { path: "a.txt" } },
      ],
    });
    const first = await run({ messages: [user("go")] });
    const calls = first.done.content.filter((c) => c.type === "toolCall");
    assert.equal(calls.length, 2);
    assert.notEqual(calls[0]!.id, calls[1]!.id, "ids are generated, distinct");

    await run({ messages: [user("go"), first.done, result(calls[0]!.id, "a.txt b.txt"), result(calls[1]!.id, "not found", "read", true)] });
    const [, m, u] = fake.last.body.contents;
    assert.equal(m.role, "model");
    assert.deepEqual(
      m.parts.map((p: any) => p.functionCall),
      [
        { name: "exec", args: { cmd: "ls" } },
        { name: "read", args: { path: "a.txt" } },
      ],
    );
    assert.equal(u.role, "user");
    assert.deepEqual(
      u.parts.map((p: any) => p.functionResponse),
      [
        { name: "exec", response: { output: "a.txt b.txt" } },
        { name: "read", response: { error: "not found" } },
      ],
    );
  });

  it("keeps ids Gemini issued, on both the call and the response", async () => {
    const call = assistant([{ type: "toolCall", id: "fc_issued_by_api", name: "exec", arguments: {} }]);
    await run({ messages: [user("go"), call, result("fc_issued_by_api", "ok")] });
    const [, m, u] = fake.last.body.contents;
    assert.equal(m.parts[0].functionCall.id, "fc_issued_by_api");
    assert.equal(u.parts[0].functionResponse.id, "fc_issued_by_api");
  });

  it("returns thought signatures, and gives foreign calls the bypass signature on Gemini 3", async () => {
    fake.enqueue({ toolCalls: [{ name: "exec", arguments: { cmd: "ls" } }], signature: "c2lnbmF0dXJl" });
    const first = await run({ messages: [user("go")] });
    const call = first.done.content.find((c) => c.type === "toolCall");
    assert.equal(call?.type === "toolCall" && call.thoughtSignature, "c2lnbmF0dXJl");
    await run({ messages: [user("go"), first.done, result(call!.id, "done")] });
    assert.equal(fake.last.body.contents[1].parts[0].thoughtSignature, "c2lnbmF0dXJl");

    const foreign = assistant([{ type: "toolCall", id: "toolu_x", name: "exec", arguments: {} }], "anthropic-messages");
    await run({ model: { ...model, id: "gemini-3-pro-preview" }, messages: [user("go"), foreign, result("toolu_x", "done")] });
    assert.equal(fake.last.body.contents[1].parts[0].thoughtSignature, "skip_thought_signature_validator");
    assert.equal(fake.last.body.contents[1].parts[0].functionCall.id, undefined);
    await run({ messages: [user("go"), foreign, result("toolu_x", "done")] });
    assert.equal(fake.last.body.contents[1].parts[0].thoughtSignature, undefined, "not for Gemini 2.5");
  });

  it("asks for thoughts on reasoning models and streams them as thinking", async () => {
    fake.enqueue({ thinking: "pondering", text: "done" });
    const { events, done } = await run({ model: { ...model, reasoning: true }, messages: [user("q")] });
    assert.deepEqual(fake.last.body.generationConfig.thinkingConfig, { includeThoughts: true });
    assert.equal(
      events
        .filter((e) => e.type === "thinking_delta")
        .map((e) => (e as { delta: string }).delta)
        .join(""),
      "pondering",
    );
    assert.deepEqual(
      done.content.map((c) => c.type),
      ["thinking", "text"],
    );
  });

  it("maps finishReason MAX_TOKENS → length", async () => {
    fake.enqueue({ text: "cut", stopReason: "MAX_TOKENS" });
    const { done } = await run({ messages: [user("long")] });
    assert.equal(done.stopReason, "length");
  });
});

describe("gemini SDK wiring", () => {
  it("sends the key as x-goog-api-key plus custom headers", async () => {
    fake.requiredKey = "AIza-right";
    await run({ apiKey: "AIza-right", model: { ...model, headers: { "x-custom": "1" } }, messages: [user("hi")] });
    assert.equal(fake.last.headers["x-goog-api-key"], "AIza-right");
    assert.equal(fake.last.headers["x-custom"], "1");
  });

  it("accepts a baseUrl that includes the API version (OpenClaw's default .../v1beta)", async () => {
    await run({ model: { ...model, baseUrl: `${fake.baseUrl}/v1beta` }, messages: [user("hi")] });
    assert.equal(fake.last.path.split("?")[0], "/v1beta/models/gemini-2.5-flash:streamGenerateContent");
    assert.deepEqual(splitBaseUrl("https://generativelanguage.googleapis.com/v1beta/"), {
      baseUrl: "https://generativelanguage.googleapis.com",
      apiVersion: "v1beta",
    });
    assert.deepEqual(splitBaseUrl("https://proxy.example/gemini"), { baseUrl: "https://proxy.example/gemini", apiVersion: "v1beta" });
    assert.deepEqual(splitBaseUrl("https://x.example/v1"), { baseUrl: "https://x.example", apiVersion: "v1" });
  });

  it("the fake answers non-streaming generateContent too", async () => {
    const sdk = new GoogleGenAI({ vertexai: false, apiKey: "k", httpOptions: { baseUrl: fake.baseUrl } });
    fake.enqueue({ text: "plain reply" });
    const res = await sdk.models.generateContent({ model: "gemini-2.5-flash", contents: "hi" });
    assert.equal(res.text, "plain reply");
    assert.equal(res.candidates?.[0]?.finishReason, "STOP");
    assert.equal(fake.last.stream, false);
  });
});
