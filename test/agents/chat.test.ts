/** Chatting with an agent over the gateway, through the real SDKs against fake model APIs. */
import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { chatClient, startAgentGateway, startFakes, type Fakes } from "../helpers/agents.js";
import { waitFor, type TestGateway } from "../helpers/gateway.js";
import { assertMatches } from "../helpers/schema.js";
import { stripEnvelope } from "../../src/agents/envelope.js";

describe("chat over the gateway", () => {
  let f: Fakes;
  let gw: TestGateway;
  before(async () => {
    f = await startFakes();
    gw = await startAgentGateway(f);
  });
  after(async () => {
    await gw.close();
    await f.close();
  });
  beforeEach(() => {
    for (const k of [f.anthropic, f.openai, f.gemini]) k.requests.length = 0;
  });

  it("streams the reply as chat deltas, then a final message, and keeps it in history", async () => {
    const c = await chatClient(gw);
    // Each piece leaves the fake once the one before it has reached the client as a delta (deltas go
    // out at most every 150 ms; pieces arriving together, as on a busy machine, would make one).
    const deltas = () => c.events.filter((e) => e.event === "chat" && e.payload.state === "delta").length;
    f.anthropic.enqueue({
      text: "Hello there, this reply arrives in several pieces.",
      afterChunk: (n) => waitFor(() => deltas() >= n, 5000, `delta ${n}`),
    });
    const out = await c.send("hi", "agent:main:stream-test");
    assert.equal(out.state, "final");
    assert.equal(out.text, "Hello there, this reply arrives in several pieces.");
    assert.ok(out.deltas.length >= 2, `several deltas (${out.deltas.length})`);
    for (let i = 1; i < out.deltas.length; i++)
      assert.ok(out.deltas[i]!.startsWith(out.deltas[i - 1]!), "each delta carries the text so far");
    for (const e of out.events.filter((e) => e.event === "chat")) assertMatches("ChatEvent", e.payload);
    for (const e of out.events.filter((e) => e.event === "agent")) assertMatches("AgentEvent", e.payload);
    assert.equal(f.anthropic.requests.length, 1);
    // The model reads when the message was written in its header, and the system prompt has no clock.
    assert.match(f.anthropic.requests[0]!.messages.at(-1)!.text, /^\[WebChat \d{4}-\d{2}-\d{2} \d{2}:\d{2} [^\]]+\] hi$/);
    assert.match(f.anthropic.requests[0]!.system ?? "", /AGENTS\.md/, "system prompt built from the workspace files");
    assert.doesNotMatch(f.anthropic.requests[0]!.system ?? "", /\d{4}-\d{2}-\d{2}/);

    const h = await c.client.request<any>("chat.history", { sessionKey: "agent:main:stream-test" });
    assert.deepEqual(
      h.messages.map((m: any) => m.role),
      ["user", "assistant"],
    );
    assert.equal(h.messages[0].content, "hi", "shown as written, without the header");
    assert.equal(h.messages[1].usage.totalTokens > 0, true);
    c.client.close();
  });

  it("sends a long streamed reply as a few agent events, each with the text so far and what is new", async () => {
    const c = await chatClient(gw);
    // 2,000 pieces arriving together: one agent event each would send the text so far 2,000 times.
    const text = Array.from({ length: 2000 }, (_, i) => `word${i} `).join("");
    f.anthropic.enqueue({ text: text.slice(0, -1), textChunks: 2000 });
    const out = await c.send("talk a lot", "agent:main:long-stream");
    assert.equal(out.text, text.slice(0, -1));
    const agent = out.events.filter((e) => e.event === "agent");
    const assistant = agent.filter((e) => e.payload.stream === "assistant").map((e) => e.payload.data);
    assert.ok(assistant.length >= 1 && assistant.length < 50, `${assistant.length} assistant events`);
    assert.equal(assistant.map((d) => d.delta).join(""), out.text, "the deltas add up to the reply");
    for (const d of assistant) assert.ok(out.text.startsWith(d.text), "each event carries the text so far");
    assert.equal(assistant.at(-1)!.text, out.text, "all of it before the run ends");
    const seqs = agent.map((e) => e.payload.seq);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => seqs[0] + i),
      "agent events numbered without gaps",
    );
    c.client.close();
  });

  it("writes the session in OpenClaw's layout: sessions.json and a JSONL transcript", async () => {
    f.anthropic.enqueue({ text: "stored", usage: { input: 1000, output: 200 } });
    const c = await chatClient(gw);
    await c.send("remember this", "agent:main:layout");
    c.client.close();
    const dir = path.join(gw.stateDir, "agents/main/sessions");
    // The store write is coalesced: wait for the one that has this turn in it.
    const readEntry = () => {
      try {
        return JSON.parse(fs.readFileSync(path.join(dir, "sessions.json"), "utf8"))["agent:main:layout"];
      } catch {
        return undefined; // not written yet
      }
    };
    const entry = await waitFor(() => (readEntry()?.outputTokens === 200 ? readEntry() : undefined), 5000, "the session store write");
    assert.ok(entry.sessionId);
    assert.equal(entry.inputTokens, 1000);
    assert.equal(entry.outputTokens, 200);
    // claude-opus-4-5 is $5 / $25 per million tokens.
    assert.ok(Math.abs(entry.costUsd - (1000 * 5 + 200 * 25) / 1e6) < 1e-9, `cost ${entry.costUsd}`);
    const lines = fs
      .readFileSync(path.join(dir, `${entry.sessionId}.jsonl`), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(lines[0].type, "session");
    assert.equal(lines[0].id, entry.sessionId);
    assert.deepEqual(
      lines.slice(1).map((l) => [l.type, l.message.role]),
      [
        ["message", "user"],
        ["message", "assistant"],
      ],
    );
    assert.equal(lines[2].parentId, lines[1].id, "entries form a chain");
  });

  it("answers with each provider: Anthropic, OpenAI and Gemini", async () => {
    const c = await chatClient(gw);
    f.anthropic.enqueue({ text: "from claude" });
    assert.equal((await c.send("a", "agent:main:providers")).text, "from claude");
    assert.match((await c.send("/model openai/gpt-4o", "agent:main:providers")).text, /openai\/gpt-4o/);
    f.openai.enqueue({ text: "from gpt" });
    assert.equal((await c.send("b", "agent:main:providers")).text, "from gpt");
    await c.send("/model google/gemini-2.5-flash", "agent:main:providers");
    f.gemini.enqueue({ text: "from gemini" });
    assert.equal((await c.send("c", "agent:main:providers")).text, "from gemini");
    // The conversation carried over between providers.
    assert.deepEqual(
      f.gemini.requests[0]!.messages.map((m) => stripEnvelope(m.text)),
      ["a", "from claude", "b", "from gpt", "c"],
    );
    c.client.close();
  });

  it("runs a tool call round trip and shows it as agent tool events", async () => {
    f.anthropic.enqueue({ toolCalls: [{ name: "current_time", arguments: { timezone: "UTC" } }] }, { text: "It is late." });
    const c = await chatClient(gw);
    const out = await c.send("what time is it?", "agent:main:tools");
    assert.equal(out.state, "final");
    assert.equal(out.text, "It is late.");
    assert.equal(f.anthropic.requests.length, 2);
    assert.ok(f.anthropic.requests[0]!.toolNames.includes("current_time"));
    const result = f.anthropic.requests[1]!.toolResults[0]!;
    assert.match(result.content, /\d{4}.*\(UTC\)/, "the model got the tool's answer");
    const tools = out.events.filter((e) => e.event === "agent" && e.payload.stream === "tool").map((e) => e.payload.data.phase);
    assert.deepEqual(tools, ["start", "result"]);
    c.client.close();
  });

  it("answers malformed tool arguments with an error result the model can recover from", async () => {
    f.anthropic.enqueue({ toolCalls: [{ name: "current_time", arguments: {} }], rawToolArguments: '{"timezone": ' }, { text: "recovered" });
    const c = await chatClient(gw);
    const out = await c.send("time please", "agent:main:badtool");
    assert.equal(out.state, "final");
    assert.equal(out.text, "recovered");
    const back = f.anthropic.requests[1]!.toolResults[0]!;
    assert.match(back.content, /The arguments for current_time were not valid JSON \(\{"timezone": \)/);
    c.client.close();
  });

  it("honours idempotency keys: the same key never starts a second run", async () => {
    f.anthropic.enqueue({ text: "once", delayMs: 100 });
    const c = await chatClient(gw);
    const first = c.send("only once", "agent:main:idem", { idempotencyKey: "same-key-1" });
    const again = await c.client.request<any>("chat.send", {
      sessionKey: "agent:main:idem",
      message: "only once",
      idempotencyKey: "same-key-1",
    });
    assert.equal(again.runId, "same-key-1");
    await first;
    assert.equal(f.anthropic.requests.length, 1);
    c.client.close();
  });

  it("handles chat commands without calling the model", async () => {
    const c = await chatClient(gw);
    assert.match((await c.send("/help", "agent:main:cmds")).text, /\/new.*\/model.*\/status.*\/stop.*\/compact/s);
    f.anthropic.enqueue({ text: "first" });
    await c.send("hello", "agent:main:cmds");
    const status = (await c.send("/status", "agent:main:cmds")).text;
    assert.match(status, /Model: anthropic\/claude-opus-4-5/);
    assert.match(status, /Tokens: \d+ in, \d+ out/);
    const before = (await c.client.request<any>("chat.history", { sessionKey: "agent:main:cmds" })).sessionId;
    assert.match((await c.send("/new", "agent:main:cmds")).text, /New conversation/);
    const afterNew = await c.client.request<any>("chat.history", { sessionKey: "agent:main:cmds" });
    assert.notEqual(afterNew.sessionId, before);
    assert.equal(afterNew.messages.length, 0);
    assert.match((await c.send("/model nope/model-x", "agent:main:cmds")).text, /unknown provider "nope"/);
    assert.equal(f.anthropic.requests.length, 1, "only the real message reached the model");
    c.client.close();
  });

  it("refuses an oversized message and an unknown agent with clear errors", async () => {
    const c = await chatClient(gw);
    await assert.rejects(
      c.client.request("chat.send", { sessionKey: "agent:main:big", message: "x".repeat(200_001), idempotencyKey: "big-1" }),
      /200001 characters; the limit is 200000/,
    );
    await assert.rejects(
      c.client.request("chat.send", { sessionKey: "agent:ghost:main", message: "hi", idempotencyKey: "ghost-1" }),
      /unknown agent "ghost"/,
    );
    c.client.close();
  });

  it("agent + agent.wait run a turn and report its end", async () => {
    f.anthropic.enqueue({ text: "waited", delayMs: 50 });
    const c = await chatClient(gw);
    const ack = await c.client.request<any>("agent", { message: "go", sessionKey: "agent:main:wait", idempotencyKey: "agent-run-1" });
    assert.equal(ack.status, "accepted");
    const done = await c.client.request<any>("agent.wait", { runId: "agent-run-1", timeoutMs: 5000 });
    assert.equal(done.status, "ok");
    assert.ok(done.endedAt >= done.startedAt);
    c.client.close();
  });
});
