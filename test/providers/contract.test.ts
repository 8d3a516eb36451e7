/**
 * The same contract for every provider client: each real SDK is driven through our client against a
 * fake that speaks the API's wire format on 127.0.0.1.
 */
import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { FakeLlm, type FakeKind } from "../fakes/llm.js";
import { BUILTIN_MODEL_APIS, ProviderClients } from "../../src/providers/index.js";
import { MAX_REPLY_CHARS, REPLY_PART_CHARS } from "../../src/providers/common.js";

const loadProviderClient = new ProviderClients(BUILTIN_MODEL_APIS).load;
import {
  ProviderError,
  RAW_TOOL_ARGUMENTS_KEY,
  type Api,
  type AssistantMessage,
  type Message,
  type ModelSpec,
  type ProviderClient,
  type StreamEvent,
  type StreamRequest,
  type ToolCall,
  type UserMessage,
} from "../../src/providers/types.js";

const KINDS: Array<{ kind: FakeKind; api: Api }> = [
  { kind: "anthropic", api: "anthropic-messages" },
  { kind: "openai", api: "openai-completions" },
  { kind: "gemini", api: "google-generative-ai" },
];

const PNG_1PX = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

function modelFor(fake: FakeLlm, api: Api, over: Partial<ModelSpec> = {}): ModelSpec {
  return {
    provider: `fake-${fake.kind}`,
    id: `${fake.kind}-model-1`,
    api,
    baseUrl: fake.baseUrl,
    contextWindow: 200_000,
    maxTokens: 1024,
    input: ["text", "image"],
    cost: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
    ...over,
  };
}

const user = (content: UserMessage["content"]): Message => ({ role: "user", content, timestamp: Date.now() });

async function collect(client: ProviderClient, req: StreamRequest): Promise<{ events: StreamEvent[]; done: AssistantMessage }> {
  const events: StreamEvent[] = [];
  for await (const ev of client.stream(req)) events.push(ev);
  const last = events[events.length - 1];
  assert.equal(last?.type, "done", "the stream ends with one done event");
  assert.equal(events.filter((e) => e.type === "done").length, 1);
  return { events, done: (last as { type: "done"; message: AssistantMessage }).message };
}

async function failure(client: ProviderClient, req: StreamRequest): Promise<{ error: ProviderError; events: StreamEvent[] }> {
  const events: StreamEvent[] = [];
  try {
    for await (const ev of client.stream(req)) events.push(ev);
  } catch (err) {
    assert.ok(err instanceof ProviderError, `expected ProviderError, got ${String(err)}`);
    return { error: err, events };
  }
  assert.fail(`expected the stream to fail; got ${JSON.stringify(events.map((e) => e.type))}`);
}

const texts = (events: StreamEvent[]) =>
  events.filter((e): e is { type: "text_delta"; delta: string } => e.type === "text_delta").map((e) => e.delta);

for (const { kind, api } of KINDS) {
  describe(`provider contract: ${api} (${kind} fake)`, () => {
    let fake: FakeLlm;
    let client: ProviderClient;
    let model: ModelSpec;

    before(async () => {
      fake = await FakeLlm.start(kind);
      client = await loadProviderClient(api);
      model = modelFor(fake, api);
    });
    after(() => fake.close());
    beforeEach(() => {
      fake.requests = [];
      fake.requiredKey = undefined;
    });

    it("streams text as several deltas, then done with usage and cost priced from the model", async () => {
      fake.enqueue({
        text: "The quick brown fox jumps over the lazy dog.",
        usage: { input: 1200, output: 345, cacheRead: 800, cacheWrite: kind === "anthropic" ? 100 : 0 },
      });
      const { events, done } = await collect(client, {
        model,
        apiKey: "sk-test",
        systemPrompt: "Be brief.",
        messages: [user("Say the fox line.")],
      });
      const deltas = texts(events);
      assert.ok(deltas.length >= 3, `several text deltas, got ${deltas.length}`);
      assert.equal(deltas.join(""), "The quick brown fox jumps over the lazy dog.");
      assert.deepEqual(done.content, [{ type: "text", text: deltas.join("") }]);
      assert.equal(done.stopReason, "stop");
      assert.equal(done.api, api);
      assert.equal(done.provider, model.provider);
      assert.equal(done.model, model.id);
      // What the SDK delivered, mapped: input excludes cached tokens for every API.
      assert.equal(done.usage.input, 1200);
      assert.equal(done.usage.output, 345);
      assert.equal(done.usage.cacheRead, 800);
      assert.equal(done.usage.cacheWrite, kind === "anthropic" ? 100 : 0);
      assert.equal(done.usage.totalTokens, done.usage.input + done.usage.output + done.usage.cacheRead + done.usage.cacheWrite);
      const price = (n: number, p: number) => (n * p) / 1_000_000;
      assert.equal(done.usage.cost.input, price(done.usage.input, model.cost.input));
      assert.equal(done.usage.cost.output, price(done.usage.output, model.cost.output));
      assert.equal(done.usage.cost.cacheRead, price(done.usage.cacheRead, model.cost.cacheRead));
      assert.ok(done.usage.cost.total > 0);
      assert.equal(fake.requests.length, 1);
      assert.equal(fake.last.model, model.id);
      assert.equal(fake.last.system, "Be brief.");
      assert.deepEqual(fake.last.messages, [{ role: "user", text: "Say the fox line." }]);
      assert.equal(fake.last.stream, true);
    });

    it("round-trips a tool call: toolcall event, toolUse stop, and the result reaches the next request", async () => {
      const tools = [
        {
          name: "get_weather",
          description: "Weather for a city",
          parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
        },
      ];
      fake.enqueue({ text: "Let me check.", toolCalls: [{ name: "get_weather", arguments: { city: "Paris", days: 2 } }] });
      const first = await collect(client, { model, apiKey: "k", messages: [user("Weather in Paris?")], tools });
      assert.deepEqual(fake.last.toolNames, ["get_weather"]);
      const calls = first.events.filter((e): e is { type: "toolcall"; toolCall: ToolCall } => e.type === "toolcall");
      assert.equal(calls.length, 1);
      const call = calls[0]!.toolCall;
      assert.equal(call.name, "get_weather");
      assert.deepEqual(call.arguments, { city: "Paris", days: 2 });
      assert.ok(call.id, "tool calls always have an id (generated when the API gives none)");
      assert.equal(first.done.stopReason, "toolUse");
      assert.deepEqual(
        first.done.content.map((c) => c.type),
        ["text", "toolCall"],
        "text and tool call in order",
      );
      assert.deepEqual(first.done.content[1], call);
      assert.equal(texts(first.events).join(""), "Let me check.", "text before the call streamed as deltas");

      fake.enqueue({ text: "It is sunny." });
      const history: Message[] = [
        user("Weather in Paris?"),
        first.done,
        {
          role: "toolResult",
          toolCallId: call.id,
          toolName: call.name,
          content: [{ type: "text", text: "sunny, 24C" }],
          isError: false,
          timestamp: Date.now(),
        },
      ];
      const second = await collect(client, { model, apiKey: "k", messages: history, tools });
      assert.equal(second.done.content[0]?.type === "text" && second.done.content[0].text, "It is sunny.");
      assert.equal(fake.requests.length, 2);
      assert.equal(fake.last.toolResults.length, 1);
      assert.equal(fake.last.toolResults[0]!.name, "get_weather");
      assert.equal(fake.last.toolResults[0]!.content, "sunny, 24C");
      if (kind !== "gemini") assert.equal(fake.last.toolResults[0]!.id, call.id);
    });

    it("sends image input in the API's native shape", async () => {
      await collect(client, {
        model,
        apiKey: "k",
        messages: [
          user([
            { type: "text", text: "What is in this picture?" },
            { type: "image", data: PNG_1PX, mimeType: "image/png" },
          ]),
        ],
      });
      assert.equal(fake.last.hasImage, true);
      const body = fake.last.body;
      if (kind === "anthropic") {
        const img = body.messages[0].content.find((b: any) => b.type === "image");
        assert.deepEqual(img.source, { type: "base64", media_type: "image/png", data: PNG_1PX });
      } else if (kind === "openai") {
        const img = body.messages[0].content.find((p: any) => p.type === "image_url");
        assert.equal(img.image_url.url, `data:image/png;base64,${PNG_1PX}`);
      } else {
        const img = body.contents[0].parts.find((p: any) => p.inlineData);
        assert.deepEqual(img.inlineData, { mimeType: "image/png", data: PNG_1PX });
      }
      assert.equal(fake.last.messages[0]!.text, "What is in this picture?");
    });

    it("replaces images with a note when the model does not take image input", async () => {
      await collect(client, {
        model: { ...model, input: ["text"] },
        apiKey: "k",
        messages: [
          user([
            { type: "text", text: "look" },
            { type: "image", data: PNG_1PX, mimeType: "image/png" },
          ]),
        ],
      });
      assert.equal(fake.last.hasImage, false);
      assert.match(fake.last.messages[0]!.text, /image omitted/);
    });

    it("does not throw on malformed tool-call JSON: arguments keep the raw text under __raw", async () => {
      const raw = '{"path": "a.txt", "limit": ';
      fake.enqueue({ toolCalls: [{ name: "read", arguments: {} }], rawToolArguments: raw });
      const { events, done } = await collect(client, { model, apiKey: "k", messages: [user("read it")] });
      const call = events.find((e) => e.type === "toolcall");
      assert.ok(call && call.type === "toolcall");
      assert.deepEqual(call.toolCall.arguments, { [RAW_TOOL_ARGUMENTS_KEY]: raw });
      assert.equal(done.stopReason, "toolUse");

      // Replaying that call to the API stays valid: the arguments go back as a JSON object.
      fake.enqueue({ text: "ok" });
      const result: Message = {
        role: "toolResult",
        toolCallId: call.toolCall.id,
        toolName: "read",
        content: [{ type: "text", text: "invalid JSON arguments" }],
        isError: true,
        timestamp: 1,
      };
      await collect(client, { model, apiKey: "k", messages: [user("read it"), done, result] });
      assert.equal(fake.last.toolResults[0]!.content, "invalid JSON arguments");
    });

    it("drops failed assistant turns and answers tool calls left without a result", async () => {
      const failed: AssistantMessage = { ...emptyAssistant(api), stopReason: "error", errorMessage: "529 overloaded" };
      const interrupted: AssistantMessage = {
        ...emptyAssistant(api),
        stopReason: "toolUse",
        content: [{ type: "toolCall", id: "call_interrupted_1", name: "exec", arguments: { cmd: "ls" } }],
      };
      await collect(client, {
        model,
        apiKey: "k",
        messages: [user("first"), failed, user("second"), interrupted, user("third")],
      });
      // (Gemini merges adjacent same-role turns, so compare the joined user text.)
      assert.equal(
        fake.last.messages
          .filter((m) => m.role === "user" && m.text)
          .map((m) => m.text)
          .join("\n"),
        "first\nsecond\nthird",
      );
      assert.equal(fake.last.toolResults.length, 1, "a synthetic result answers the interrupted call");
      assert.match(fake.last.toolResults[0]!.content, /interrupted/);
      assert.equal(
        fake.last.messages.filter((m) => m.role === "assistant" || m.role === "model").length,
        1,
        "the failed turn was not sent",
      );
    });

    it("a slow consumer does not trip the idle timeout (it only runs while waiting on the API)", async () => {
      fake.enqueue({ text: "four little chunks" });
      let deltas = 0;
      for await (const ev of client.stream({ model, apiKey: "k", messages: [user("hi")], idleTimeoutMs: 80 })) {
        if (ev.type === "text_delta") deltas++;
        // The slow consumer under test: it takes longer per event than idleTimeoutMs (80 ms).
        await new Promise((r) => setTimeout(r, 150));
      }
      assert.ok(deltas >= 3);
    });

    it("breaking out of the stream early closes it quietly; the client keeps working", async () => {
      fake.enqueue({ text: "a reply nobody reads to the end", chunkDelayMs: 100 });
      for await (const ev of client.stream({ model, apiKey: "k", messages: [user("hi")] })) {
        if (ev.type === "text_delta") break;
      }
      const { done } = await collect(client, { model, apiKey: "k", messages: [user("still there?")] });
      assert.equal(done.content[0]?.type === "text" && done.content[0].text, "echo: still there?");
    });

    it("sends the API key the way the API expects it", async () => {
      fake.requiredKey = "sk-right";
      await collect(client, { model, apiKey: "sk-right", messages: [user("hi")] });
      assert.equal(fake.requests.length, 1);
    });

    describe("errors become ProviderError kinds, fast and without SDK retries", () => {
      it("401 → auth", async () => {
        fake.requiredKey = "sk-right";
        const { error } = await failure(client, { model, apiKey: "sk-wrong", messages: [user("hi")] });
        assert.equal(error.kind, "auth");
        assert.equal(error.status, 401);
        assert.equal(error.provider, model.provider);
        assert.equal(error.model, model.id);
        assert.equal(error.failover, true);
        assert.ok(!error.message.includes("sk-wrong"), "the key never appears in the message");
        assert.equal(fake.requests.length, 1);
      });

      for (const status of [529, 503]) {
        it(`${status} → overloaded (one request only)`, async () => {
          fake.enqueue({
            error: { status, message: "Overloaded", ...(kind === "anthropic" && status === 529 ? { type: "overloaded_error" } : {}) },
          });
          const started = Date.now();
          const { error } = await failure(client, { model, apiKey: "k", messages: [user("hi")] });
          assert.equal(error.kind, "overloaded");
          assert.equal(error.status, status);
          assert.equal(fake.requests.length, 1, "the SDK did not retry");
          assert.ok(Date.now() - started < 1000, "failed fast");
        });
      }

      it("500 → server", async () => {
        fake.enqueue({ error: { status: 500, message: "Internal error" } });
        const { error } = await failure(client, { model, apiKey: "k", messages: [user("hi")] });
        assert.equal(error.kind, "server");
        assert.equal(fake.requests.length, 1);
      });

      it("429 → rate_limit with retryAfterMs from retry-after", async () => {
        fake.enqueue({ error: { status: 429, message: "Rate limited", retryAfterSeconds: 17 } });
        const { error } = await failure(client, { model, apiKey: "k", messages: [user("hi")] });
        assert.equal(error.kind, "rate_limit");
        assert.equal(error.retryAfterMs, 17_000);
        assert.equal(fake.requests.length, 1);
      });

      it("context overflow message → context_overflow (no failover)", async () => {
        const message =
          kind === "anthropic"
            ? "prompt is too long: 210000 tokens > 200000 maximum"
            : kind === "openai"
              ? "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens."
              : "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).";
        fake.enqueue({ error: { status: 400, message } });
        const { error } = await failure(client, { model, apiKey: "k", messages: [user("hi")] });
        assert.equal(error.kind, "context_overflow");
        assert.equal(error.failover, false);
      });

      it("other 4xx → bad_request", async () => {
        fake.enqueue({ error: { status: 400, message: "messages: field required" } });
        const { error } = await failure(client, { model, apiKey: "k", messages: [user("hi")] });
        assert.equal(error.kind, "bad_request");
        assert.equal(error.failover, false);
      });

      it("a server that accepts and never answers → timeout via idleTimeoutMs", async () => {
        fake.enqueue({ hang: true });
        const started = Date.now();
        const { error } = await failure(client, { model, apiKey: "k", messages: [user("hi")], idleTimeoutMs: 150 });
        assert.equal(error.kind, "timeout");
        assert.ok(Date.now() - started < 2000);
      });

      it("a stream that stalls mid-reply → timeout via idleTimeoutMs", async () => {
        fake.enqueue({ text: "one two three four", chunkDelayMs: 2000 });
        const { error, events } = await failure(client, { model, apiKey: "k", messages: [user("hi")], idleTimeoutMs: 200 });
        assert.equal(error.kind, "timeout");
        assert.ok(texts(events).length >= 1, "the first delta arrived before the stall");
      });

      it("a reply that goes past MAX_REPLY_CHARS is cut off there with an error that says why", async () => {
        // Text, a tool call's arguments (each over the bound in four pieces), and more tool calls than
        // a reply may hold (each counts REPLY_PART_CHARS besides its arguments).
        const calls = Array.from({ length: Math.ceil(MAX_REPLY_CHARS / REPLY_PART_CHARS) + 1 }, () => ({ name: "t", arguments: {} }));
        for (const reply of [
          { text: "x".repeat(MAX_REPLY_CHARS + 4) },
          { rawToolArguments: `"${"y".repeat(MAX_REPLY_CHARS + 4)}"` },
          { toolCalls: calls },
        ]) {
          fake.enqueue(reply);
          const { error, events } = await failure(client, { model, apiKey: "k", messages: [user("hi")] });
          assert.equal(error.kind, "server");
          assert.match(error.message, /the reply passed 1,000,000 characters, .* cut off there/);
          assert.ok(texts(events).join("").length <= MAX_REPLY_CHARS, "nothing past the bound is handed on");
        }
        // The client keeps working.
        fake.enqueue({ text: "fine" });
        assert.equal(texts((await collect(client, { model, apiKey: "k", messages: [user("hi")] })).events).join(""), "fine");
      });

      it("a slow but steady stream does not time out", async () => {
        fake.enqueue({ text: "slow and steady", chunkDelayMs: 60 });
        const { done } = await collect(client, { model, apiKey: "k", messages: [user("hi")], idleTimeoutMs: 400 });
        assert.equal(done.content[0]?.type === "text" && done.content[0].text, "slow and steady");
      });

      it("AbortSignal mid-stream → aborted", async () => {
        fake.enqueue({ text: "a long answer that keeps going", chunkDelayMs: 300 });
        const ac = new AbortController();
        const events: StreamEvent[] = [];
        let error: unknown;
        try {
          for await (const ev of client.stream({ model, apiKey: "k", messages: [user("hi")], signal: ac.signal })) {
            events.push(ev);
            if (ev.type === "text_delta") ac.abort();
          }
        } catch (err) {
          error = err;
        }
        assert.ok(error instanceof ProviderError);
        assert.equal(error.kind, "aborted");
        assert.equal(error.failover, false);
        assert.equal(texts(events).length, 1);
      });

      it("an already-aborted signal fails before any request", async () => {
        const { error } = await failure(client, { model, apiKey: "k", messages: [user("hi")], signal: AbortSignal.abort() });
        assert.equal(error.kind, "aborted");
        assert.equal(fake.requests.length, 0);
      });

      it("an error event inside an open stream is classified too", async () => {
        fake.enqueue({
          text: "partial answer",
          streamError:
            kind === "openai"
              ? { type: "server_error", message: "The server had an error" }
              : { type: kind === "anthropic" ? "overloaded_error" : "UNAVAILABLE", message: "Overloaded" },
        });
        const { error, events } = await failure(client, { model, apiKey: "k", messages: [user("hi")] });
        assert.equal(error.kind, kind === "openai" ? "server" : "overloaded");
        assert.ok(texts(events).length >= 1);
      });

      it("connection refused → network", async () => {
        const port = await closedPort();
        const { error } = await failure(client, {
          model: { ...model, baseUrl: fake.baseUrl.replace(/:\d+/, `:${port}`) },
          apiKey: "k",
          messages: [user("hi")],
        });
        assert.equal(error.kind, "network");
        assert.equal(error.failover, true);
      });
    });
  });
}

function emptyAssistant(api: Api): AssistantMessage {
  return {
    role: "assistant",
    content: [],
    api,
    provider: "x",
    model: "y",
    usage: {
      input: 0,
      output: 0,
      cacheRead: 0,
      cacheWrite: 0,
      totalTokens: 0,
      cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 },
    },
    stopReason: "stop",
    timestamp: 1,
  };
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
