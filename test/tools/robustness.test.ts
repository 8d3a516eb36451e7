/**
 * Tools that misbehave (throw, hang, answer with megabytes, get malformed arguments) give the model an
 * error or a cut-short result it can act on, and the conversation carries on. An abort in the middle
 * of a tool leaves a transcript whose every tool call has its result, so the next turn is accepted.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chatClient, fakeConfig, KEYS, startFakes, type Fakes } from "../helpers/agents.js";
import { startTestGateway, waitFor, type TestGateway } from "../helpers/gateway.js";
import { fixturePath } from "../helpers/fixtures.js";
import { DEFAULT_TOOL_RESULT_MAX_CHARS } from "../../src/tools/registry.js";

const FLOOD_CHARS = 16 * 5 * 65536;

function gatewayWithTroubleTools(f: Fakes, toolTimeoutMs?: number): Promise<TestGateway> {
  return startTestGateway({
    config: { ...fakeConfig(f), plugins: { load: { paths: [fixturePath("plugins/tool-trouble")] } } },
    env: KEYS,
    modelIdleTimeoutMs: 5000,
    ...(toolTimeoutMs ? { toolTimeoutMs } : {}),
  });
}

describe("tool calls that go wrong", { timeout: 120_000 }, () => {
  let f: Fakes;
  let gw: TestGateway;
  before(async () => {
    f = await startFakes();
    gw = await gatewayWithTroubleTools(f, 300);
  });
  after(async () => {
    await gw?.close();
    await f?.close();
  });

  it("a tool that throws becomes an error result, and the session carries on", { timeout: 30_000 }, async () => {
    const c = await chatClient(gw);
    try {
      const first = f.anthropic.requests.length;
      f.anthropic.enqueue({ toolCalls: [{ name: "trouble_throw", arguments: {} }] }, { text: "It failed; sorry." });
      const out = await c.send("do the risky thing", "agent:main:throw");
      assert.equal(out.state, "final");
      assert.equal(out.text, "It failed; sorry.");
      const next = f.anthropic.requests[first + 1]!;
      assert.equal(next.toolResults[0]!.content, "trouble_throw failed: the disk is on fire");
      const block = next.body.messages.at(-1).content.find((b: any) => b.type === "tool_result");
      assert.equal(block.is_error, true, "the model is told it is an error");

      f.anthropic.enqueue({ text: "still here" });
      assert.equal((await c.send("and now?", "agent:main:throw")).text, "still here");
      assert.equal(f.anthropic.requests.at(-1)!.toolResults.length, 1, "the earlier call and its result stay in the context");
    } finally {
      c.client.close();
    }
  });

  it("a tool that never answers times out: its signal is aborted and the model is told after how long", { timeout: 30_000 }, async () => {
    const c = await chatClient(gw);
    try {
      const first = f.anthropic.requests.length;
      f.anthropic.enqueue({ toolCalls: [{ name: "trouble_hang", arguments: {} }] }, { text: "That took too long." });
      const out = await c.send("wait for it", "agent:main:hang");
      assert.equal(out.state, "final");
      assert.equal(out.text, "That took too long.");
      assert.match(f.anthropic.requests[first + 1]!.toolResults[0]!.content, /^trouble_hang timed out after 300 ms and was stopped\./);
      const { hangs } = await c.client.request<any>("trouble.hangs", {});
      assert.equal(hangs.length, 1);
      assert.equal(hangs[0].aborted, true, "the tool's abort signal fired");
      assert.match(hangs[0].reason, /timed out after 300 ms/);
    } finally {
      c.client.close();
    }
  });

  it("a tool that answers with 5 MB is cut to 64 Ki characters with a note saying how much was dropped", { timeout: 30_000 }, async () => {
    const c = await chatClient(gw);
    try {
      const first = f.anthropic.requests.length;
      f.anthropic.enqueue({ toolCalls: [{ name: "trouble_flood", arguments: {} }] }, { text: "That is a lot." });
      const out = await c.send("give me everything", "agent:main:flood");
      assert.equal(out.text, "That is a lot.");
      const sent = f.anthropic.requests[first + 1]!.toolResults[0]!.content;
      assert.ok(sent.startsWith("0123456789abcdef"));
      assert.ok(sent.length < DEFAULT_TOOL_RESULT_MAX_CHARS + 500, `the model got ${sent.length} characters`);
      const dropped = FLOOD_CHARS - DEFAULT_TOOL_RESULT_MAX_CHARS;
      assert.ok(
        sent.includes(
          `[Result truncated: the first ${DEFAULT_TOOL_RESULT_MAX_CHARS} of ${FLOOD_CHARS} characters are shown; ${dropped} were dropped.`,
        ),
        sent.slice(-300),
      );
      const h = await c.client.request<any>("chat.history", { sessionKey: "agent:main:flood" });
      const stored = h.messages.find((m: any) => m.role === "toolResult");
      assert.equal(stored.content[0].text, sent, "the transcript keeps the capped text, not the 5 MB");
    } finally {
      c.client.close();
    }
  });

  it("malformed arguments and unknown tools get errors the model can correct", { timeout: 30_000 }, async () => {
    const c = await chatClient(gw);
    try {
      const first = f.anthropic.requests.length;
      f.anthropic.enqueue(
        {
          toolCalls: [
            { name: "current_time", arguments: {} },
            { name: "current_time", arguments: { timezone: 5 } },
            { name: "no_such_tool", arguments: {} },
          ],
          rawToolArguments: '{"timezone": "Europe/Par',
        },
        { text: "Let me fix that." },
      );
      const out = await c.send("what time is it?", "agent:main:malformed");
      assert.equal(out.text, "Let me fix that.");
      const [bad, wrong, unknown] = f.anthropic.requests[first + 1]!.toolResults;
      assert.match(bad!.content, /^The arguments for current_time were not valid JSON .*Call it again with a JSON object\.$/);
      assert.match(wrong!.content, /^Invalid arguments for current_time: timezone: .*Call it again with arguments matching its schema\.$/);
      assert.match(unknown!.content, /^Unknown tool "no_such_tool"\. Available tools: .*current_time/);
    } finally {
      c.client.close();
    }
  });

  it("chat.history returns tool calls and results in OpenClaw's transcript shape", { timeout: 30_000 }, async () => {
    const c = await chatClient(gw);
    try {
      f.anthropic.enqueue({ toolCalls: [{ name: "trouble_throw", arguments: { why: "test" }, id: "toolu_shape1" }] }, { text: "ok" });
      await c.send("shape", "agent:main:shape");
      const h = await c.client.request<any>("chat.history", { sessionKey: "agent:main:shape" });
      const roles = h.messages.map((m: any) => m.role);
      assert.deepEqual(roles, ["user", "assistant", "toolResult", "assistant"]);
      assert.deepEqual(h.messages[1].content.at(-1), {
        type: "toolCall",
        id: "toolu_shape1",
        name: "trouble_throw",
        arguments: { why: "test" },
      });
      const r = h.messages[2];
      assert.equal(r.toolCallId, "toolu_shape1");
      assert.equal(r.toolName, "trouble_throw");
      assert.equal(r.isError, true);
      assert.deepEqual(r.content, [{ type: "text", text: "trouble_throw failed: the disk is on fire" }]);
      assert.equal(typeof r.timestamp, "number");
    } finally {
      c.client.close();
    }
  });
});

describe("aborting a run while a tool runs", { timeout: 120_000 }, () => {
  let f: Fakes;
  let gw: TestGateway;
  before(async () => {
    f = await startFakes();
    gw = await gatewayWithTroubleTools(f); // the default tool time limit: only the abort stops the tool
  });
  after(async () => {
    await gw?.close();
    await f?.close();
  });

  it("the fake Anthropic API refuses a tool_use without its tool_result, as the real one does", { timeout: 10_000 }, async () => {
    const res = await fetch(`${f.anthropic.baseUrl}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "k", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        model: "claude-opus-4-5",
        max_tokens: 10,
        messages: [
          { role: "user", content: "hi" },
          { role: "assistant", content: [{ type: "tool_use", id: "toolu_x", name: "t", input: {} }] },
          { role: "user", content: "next" },
        ],
      }),
    });
    assert.equal(res.status, 400);
    assert.match(
      ((await res.json()) as any).error.message,
      /tool_use` ids were found without `tool_result` blocks immediately after: toolu_x/,
    );
  });

  it("stops the tool, answers every call of the turn, and the next turn is accepted", { timeout: 30_000 }, async () => {
    const c = await chatClient(gw);
    const key = "agent:main:abort-tool";
    try {
      f.anthropic.enqueue({
        toolCalls: [
          { name: "trouble_hang", arguments: {}, id: "toolu_hang" },
          { name: "trouble_throw", arguments: {}, id: "toolu_after" },
        ],
      });
      const pending = c.send("start something slow", key);
      await waitFor(
        () => c.events.some((e) => e.event === "agent" && e.payload.stream === "tool" && e.payload.data?.name === "trouble_hang"),
        10_000,
        "the hanging tool to start",
      );
      const res = await c.client.request<any>("chat.abort", { sessionKey: key });
      assert.equal(res.aborted, true);
      const out = await pending;
      assert.equal(out.state, "aborted");

      const { hangs } = await c.client.request<any>("trouble.hangs", {});
      assert.equal(hangs.at(-1).aborted, true, "the tool's abort signal fired");

      const h = await c.client.request<any>("chat.history", { sessionKey: key });
      const results = h.messages.filter((m: any) => m.role === "toolResult");
      assert.deepEqual(
        results.map((m: any) => [m.toolCallId, m.isError]),
        [
          ["toolu_hang", true],
          ["toolu_after", true],
        ],
        "every call of the aborted turn has a result entry",
      );
      assert.match(results[0].content[0].text, /^trouble_hang was stopped after .* because the run was aborted; it did not finish\.$/);
      assert.equal(results[1].content[0].text, "trouble_throw was not run: the run was aborted before it started.");

      const before = f.anthropic.requests.length;
      f.anthropic.enqueue({ text: "Back again." });
      const next = await c.send("are you there?", key);
      assert.equal(next.state, "final");
      assert.equal(next.text, "Back again.");
      assert.equal(f.anthropic.requests.length, before + 1, "accepted on the first try");
      assert.equal(f.openai.requests.length, 0, "no failover was needed");
      const sent = f.anthropic.requests.at(-1)!.toolResults;
      assert.deepEqual(
        sent.map((r) => r.id),
        ["toolu_hang", "toolu_after"],
      );
      assert.match(sent[0]!.content, /because the run was aborted/);
    } finally {
      c.client.close();
    }
  });
});
