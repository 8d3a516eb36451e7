/** Lanes and limits, abort, restarts, compaction, OpenClaw transcripts, and sessions.* methods. */
import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { chatClient, startAgentGateway, startFakes, type Fakes } from "../helpers/agents.js";
import { tmpDir, waitFor } from "../helpers/gateway.js";
import { MAX_REPLY_CHARS } from "../../src/providers/common.js";
import { MAX_KEPT_PARTIAL_CHARS, MAX_TOOL_RESULT_CHARS } from "../../src/agents/run.js";
import { stripEnvelope } from "../../src/agents/envelope.js";

type Chat = Awaited<ReturnType<typeof chatClient>>;

/** The last message of the session's history. */
async function lastMessage(c: Chat, sessionKey: string): Promise<any> {
  return (await c.client.request<any>("chat.history", { sessionKey })).messages.at(-1);
}

describe("sessions and runs", () => {
  let f: Fakes;
  /** The session still answers: the next message gets the model's next reply. */
  const goesOn = async (c: Chat, sessionKey: string) => {
    f.anthropic.enqueue({ text: "fine again" });
    assert.equal((await c.send("next", sessionKey)).text, "fine again");
  };
  before(async () => {
    f = await startFakes();
  });
  after(() => f.close());
  beforeEach(() => {
    for (const k of [f.anthropic, f.openai, f.gemini]) k.requests.length = 0;
  });

  it("never runs more than agents.defaults.maxConcurrent turns at once", async () => {
    const gw = await startAgentGateway(f, { agents: { defaults: { maxConcurrent: 2 } } });
    try {
      f.anthropic.peakActive = 0;
      f.anthropic.responder = () => ({ text: "done", delayMs: 150 });
      const c = await chatClient(gw);
      const outs = await Promise.all([1, 2, 3, 4, 5].map((i) => c.send(`m${i}`, `agent:main:conc-${i}`)));
      assert.ok(outs.every((o) => o.state === "final"));
      assert.equal(f.anthropic.peakActive, 2, `peak concurrency ${f.anthropic.peakActive}`);
      c.client.close();
    } finally {
      f.anthropic.responder = (req) => ({ text: `echo: ${stripEnvelope(req.messages.at(-1)?.text ?? "")}` });
      await gw.close();
    }
  });

  it("runs one turn at a time per session and collects messages that arrive meanwhile", async () => {
    const gw = await startAgentGateway(f);
    try {
      f.anthropic.enqueue({ text: "first answer", delayMs: 300 }, { text: "answer to the rest" });
      const c = await chatClient(gw);
      const first = c.send("first", "agent:main:collect");
      await waitFor(() => f.anthropic.requests.length === 1, 5000, "the first turn to reach the model");
      const second = c.send("second", "agent:main:collect");
      const third = c.send("third", "agent:main:collect");
      const [a, b, d] = await Promise.all([first, second, third]);
      assert.equal(a.text, "first answer");
      assert.equal(b.text, "answer to the rest");
      assert.equal(d.text, "answer to the rest");
      assert.equal(f.anthropic.requests.length, 2, "the two waiting messages became one turn");
      assert.match(
        f.anthropic.requests[1]!.messages.at(-1)!.text,
        /^\[WebChat [^\]]+\] second\n\n\[WebChat [^\]]+\] third$/,
        "each with its header",
      );
      c.client.close();
    } finally {
      await gw.close();
    }
  });

  it("chat.abort stops a streaming reply, keeps the partial text, and the session stays usable", async () => {
    const gw = await startAgentGateway(f);
    try {
      f.anthropic.enqueue({ text: "one two three four five six seven eight nine ten", chunkDelayMs: 150 });
      const c = await chatClient(gw);
      const pending = c.send("count slowly", "agent:main:abort");
      await waitFor(() => c.events.some((e) => e.event === "agent" && e.payload.stream === "assistant"), 5000, "first tokens");
      const res = await c.client.request<any>("chat.abort", { sessionKey: "agent:main:abort" });
      assert.equal(res.aborted, true);
      const out = await pending;
      assert.equal(out.state, "aborted");
      const last = await lastMessage(c, "agent:main:abort");
      assert.equal(last.stopReason, "aborted");
      assert.ok(last.content[0].text.length > 0 && last.content[0].text.length < 49, "partial text kept");
      await goesOn(c, "agent:main:abort");
      c.client.close();
    } finally {
      await gw.close();
    }
  });

  it("a model that will not stop writing is cut off; the conversation keeps a part of it and goes on", async () => {
    const gw = await startAgentGateway(f);
    try {
      f.anthropic.enqueue({ text: "x".repeat(MAX_REPLY_CHARS + 4) });
      const c = await chatClient(gw);
      const out = await c.send("write forever", "agent:main:flood");
      assert.equal(out.state, "error");
      assert.match(String(out.errorMessage), /the reply passed 1,000,000 characters/);
      const last = await lastMessage(c, "agent:main:flood");
      assert.equal(last.stopReason, "error");
      const kept: string = last.content[0].text;
      assert.ok(kept.length < MAX_KEPT_PARTIAL_CHARS + 100, `kept ${kept.length} characters`);
      assert.match(kept, /\[reply cut here: it ran to [\d,]+ characters\]$/);
      await goesOn(c, "agent:main:flood");
      c.client.close();
    } finally {
      await gw.close();
    }
  });

  it("runs one reply's tool calls until their results fill a request, and answers the rest as not run", async () => {
    const gw = await startAgentGateway(f);
    try {
      // 60 reads of a 50,000-character file: 3,000,000 characters of results if all ran.
      fs.mkdirSync(path.join(gw.stateDir, "workspace"), { recursive: true });
      fs.writeFileSync(path.join(gw.stateDir, "workspace", "big.txt"), `${"y".repeat(99)}\n`.repeat(500));
      const calls = Array.from({ length: 60 }, (_, i) => ({ name: "read", arguments: { path: "big.txt" }, id: `toolu_${i}` }));
      f.anthropic.enqueue({ toolCalls: calls }, { text: "read enough" });
      const c = await chatClient(gw);
      const out = await c.send("read it sixty times", "agent:main:many-calls");
      assert.equal(out.text, "read enough");
      const results = f.anthropic.requests[1]!.toolResults;
      assert.equal(results.length, 60, "every call has a result");
      const ran = results.filter((r) => !r.content.includes("was not run")).length;
      // Each read returns 49,999 characters: the 21st takes the results past 1,000,000.
      assert.equal(MAX_TOOL_RESULT_CHARS, 1_000_000);
      assert.equal(ran, 21);
      assert.match(
        results.at(-1)!.content,
        /read was not run: the results of the \d+ tool calls before it in this reply already come to [\d,]+ characters/,
      );
      c.client.close();
    } finally {
      await gw.close();
    }
  });

  it("/stop in the conversation stops the reply in progress", async () => {
    const gw = await startAgentGateway(f);
    try {
      f.anthropic.enqueue({ text: "a b c d e f g h i j k l", chunkDelayMs: 150 });
      const c = await chatClient(gw);
      const pending = c.send("go", "agent:main:stopcmd");
      await waitFor(() => c.events.some((e) => e.event === "agent" && e.payload.stream === "assistant"), 5000, "first tokens");
      assert.equal((await c.send("/stop", "agent:main:stopcmd")).text, "Stopped.");
      assert.equal((await pending).state, "aborted");
      c.client.close();
    } finally {
      await gw.close();
    }
  });

  it("a restart keeps the history, and the model sees it on the next message", async () => {
    const stateDir = tmpDir();
    let gw = await startAgentGateway(f, {}, { stateDir });
    let c = await chatClient(gw);
    f.anthropic.enqueue({ text: "Nice to meet you, Ada." });
    await c.send("My name is Ada.", "agent:main:restart");
    c.client.close();
    await gw.close();

    gw = await startAgentGateway(f, {}, { stateDir });
    c = await chatClient(gw);
    const h = await c.client.request<any>("chat.history", { sessionKey: "agent:main:restart" });
    assert.deepEqual(
      h.messages.map((m: any) => (typeof m.content === "string" ? m.content : m.content[0].text)),
      ["My name is Ada.", "Nice to meet you, Ada."],
    );
    f.anthropic.enqueue({ text: "Ada." });
    await c.send("What is my name?", "agent:main:restart");
    assert.deepEqual(
      f.anthropic.requests.at(-1)!.messages.map((m) => stripEnvelope(m.text)),
      ["My name is Ada.", "Nice to meet you, Ada.", "What is my name?"],
    );
    c.client.close();
    await gw.close();
  });

  it("a transcript torn by a crash mid-write still loads, and the session continues", async () => {
    const stateDir = tmpDir();
    let gw = await startAgentGateway(f, {}, { stateDir });
    let c = await chatClient(gw);
    await c.send("before the crash", "agent:main:torn");
    c.client.close();
    await gw.close();
    const dir = path.join(stateDir, "agents/main/sessions");
    const id = JSON.parse(fs.readFileSync(path.join(dir, "sessions.json"), "utf8"))["agent:main:torn"].sessionId;
    fs.appendFileSync(path.join(dir, `${id}.jsonl`), '{"type":"message","id":"torn1","parentId":'); // half a line

    gw = await startAgentGateway(f, {}, { stateDir });
    c = await chatClient(gw);
    const out = await c.send("after the crash", "agent:main:torn");
    assert.equal(out.state, "final");
    assert.deepEqual(
      f.anthropic.requests.at(-1)!.messages.map((m) => stripEnvelope(m.text)),
      ["before the crash", "echo: before the crash", "after the crash"],
    );
    const lines = fs
      .readFileSync(path.join(dir, `${id}.jsonl`), "utf8")
      .split("\n")
      .filter(Boolean);
    assert.equal(lines.filter((l) => l.startsWith('{"type":"message","id":"torn1"')).length, 1, "the torn line stays, untouched");
    c.client.close();
    await gw.close();
  });

  it("compacts automatically near the context window, keeping recent turns and the summary", async () => {
    const gw = await startAgentGateway(f, {
      providers: { anthropic: { models: [{ id: "claude-opus-4-5", name: "Opus (small window)", contextWindow: 4000, maxTokens: 500 }] } },
    });
    try {
      const c = await chatClient(gw);
      f.anthropic.enqueue({ text: "noted one", usage: { input: 500, output: 20 } });
      await c.send("fact one: the boat is blue", "agent:main:compact");
      f.anthropic.enqueue({ text: "noted two", usage: { input: 800, output: 20 } });
      await c.send("fact two: the car is red", "agent:main:compact");
      // This turn reports a nearly full window: compaction follows.
      f.anthropic.enqueue({ text: "noted three", usage: { input: 3500, output: 20 } }, { text: "SUMMARY: boat blue, car red" });
      await c.send("fact three: the sky is grey", "agent:main:compact");
      await waitFor(() => c.events.some((e) => e.event === "agent" && e.payload.stream === "compaction"), 5000, "compaction event");
      const summaryReq = f.anthropic.requests.at(-1)!;
      assert.match(summaryReq.messages[0]!.text, /Summarise the conversation.*fact one: the boat is blue/s);

      f.anthropic.enqueue({ text: "ok" });
      await c.send("what do you know?", "agent:main:compact");
      const next = f.anthropic.requests.at(-1)!.messages.map((m) => stripEnvelope(m.text));
      assert.match(next[0]!, /compacted into the following summary:[\s\S]*SUMMARY: boat blue, car red/);
      assert.ok(!next.some((t) => t === "fact one: the boat is blue"), "old turns replaced by the summary");
      assert.equal(next.at(-1), "what do you know?");
      const list = await c.client.request<any>("sessions.list", {});
      assert.equal(list.sessions.find((s: any) => s.key === "agent:main:compact").compactionCount, 1);
      // History still shows everything: compaction never deletes.
      const h = await c.client.request<any>("chat.history", { sessionKey: "agent:main:compact" });
      assert.ok(h.messages.some((m: any) => m.content === "fact one: the boat is blue"));
      c.client.close();
    } finally {
      await gw.close();
    }
  });

  it("loads an existing OpenClaw session: store, transcript with a compaction entry, extension entries", async () => {
    const stateDir = tmpDir();
    const dir = path.join(stateDir, "agents/main/sessions");
    fs.mkdirSync(dir, { recursive: true });
    const sid = "3f2c9a1e-0000-4000-8000-000000000001";
    fs.writeFileSync(
      path.join(dir, "sessions.json"),
      JSON.stringify({
        "agent:main:main": {
          sessionId: sid,
          updatedAt: Date.now(),
          chatType: "direct",
          thinkingLevel: "low",
          someFutureField: { kept: true },
        },
      }),
    );
    const ts = new Date().toISOString();
    const lines = [
      { type: "session", version: 3, id: sid, timestamp: ts, cwd: "/root/.openclaw/workspace" },
      {
        type: "message",
        id: "a1",
        parentId: null,
        timestamp: ts,
        message: { role: "user", content: [{ type: "text", text: "old question" }], timestamp: 1 },
      },
      {
        type: "message",
        id: "a2",
        parentId: "a1",
        timestamp: ts,
        message: {
          role: "assistant",
          content: [{ type: "text", text: "old answer" }],
          api: "anthropic-messages",
          provider: "anthropic",
          model: "claude-opus-4-5",
          usage: {
            input: 1,
            output: 1,
            cacheRead: 0,
            cacheWrite: 0,
            totalTokens: 2,
            cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 },
          },
          stopReason: "stop",
          timestamp: 2,
        },
      },
      { type: "model_change", id: "a3", parentId: "a2", timestamp: ts, provider: "anthropic", modelId: "claude-opus-4-5" },
      { type: "message", id: "a4", parentId: "a3", timestamp: ts, message: { role: "user", content: "kept question", timestamp: 3 } },
      {
        type: "message",
        id: "a5",
        parentId: "a4",
        timestamp: ts,
        message: {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "hmm", thinkingSignature: "sig" },
            { type: "text", text: "kept answer" },
          ],
          api: "anthropic-messages",
          provider: "anthropic",
          model: "claude-opus-4-5",
          usage: {
            input: 1,
            output: 1,
            cacheRead: 0,
            cacheWrite: 0,
            totalTokens: 2,
            cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 },
          },
          stopReason: "stop",
          timestamp: 4,
        },
      },
      {
        type: "compaction",
        id: "a6",
        parentId: "a5",
        timestamp: ts,
        summary: "The user asked an old question.",
        firstKeptEntryId: "a4",
        tokensBefore: 1234,
      },
      { type: "custom", id: "a7", parentId: "a6", timestamp: ts, customType: "memory-flush", data: { at: 1 } },
      {
        type: "custom_message",
        id: "a8",
        parentId: "a7",
        timestamp: ts,
        customType: "note",
        content: "a note for the model",
        display: false,
      },
    ];
    fs.writeFileSync(path.join(dir, `${sid}.jsonl`), lines.map((l) => JSON.stringify(l)).join("\n") + "\n");

    const gw = await startAgentGateway(f, {}, { stateDir });
    try {
      const c = await chatClient(gw);
      const h = await c.client.request<any>("chat.history", { sessionKey: "main" });
      assert.equal(h.sessionId, sid);
      assert.equal(h.messages.length, 4);
      f.anthropic.enqueue({ text: "continuing" });
      await c.send("new question", "main");
      const sent = f.anthropic.requests.at(-1)!.messages.map((m) => stripEnvelope(m.text));
      assert.match(sent[0]!, /The user asked an old question\./);
      assert.deepEqual(sent.slice(1), ["kept question", "kept answer", "a note for the model", "new question"]);
      c.client.close();
      await gw.close();
      const store = JSON.parse(fs.readFileSync(path.join(dir, "sessions.json"), "utf8"));
      assert.deepEqual(store["agent:main:main"].someFutureField, { kept: true }, "unknown store fields survive");
      assert.equal(store["agent:main:main"].sessionId, sid);
    } catch (e) {
      await gw.close();
      throw e;
    }
  });

  it("sessions.list / preview / patch / reset / delete / compact", async () => {
    const gw = await startAgentGateway(f);
    try {
      const c = await chatClient(gw);
      await c.send("hello one", "agent:main:s1");
      await c.send("hello two", "agent:main:s2");
      const list = await c.client.request<any>("sessions.list", {});
      assert.deepEqual(
        list.sessions.map((s: any) => s.key).filter((k: string) => k.startsWith("agent:main:s")),
        ["agent:main:s2", "agent:main:s1"],
      );
      assert.ok(list.sessions[0].totalTokens > 0);
      // Stored as OpenClaw stores them: the model and provider of the last run, the model's window.
      assert.equal(list.sessions[0].modelProvider, "anthropic");
      assert.equal(list.sessions[0].model, "claude-opus-4-5");
      assert.equal(list.sessions[0].contextTokens, 200_000);
      assert.equal(list.sessions[0].kind, "direct");
      assert.equal(list.defaults.model, "claude-opus-4-5");
      assert.equal(list.count, list.sessions.length);
      const prev = await c.client.request<any>("sessions.preview", { keys: ["agent:main:s1", "agent:main:nope"] });
      assert.equal(prev.previews[0].status, "ok");
      assert.deepEqual(prev.previews[0].items, [
        { role: "user", text: "hello one" },
        { role: "assistant", text: "echo: hello one" },
      ]);
      assert.deepEqual(prev.previews[1], { key: "agent:main:nope", status: "missing", items: [] });
      assert.equal((await c.client.request<any>("sessions.resolve", { key: "s1" })).key, "agent:main:s1");
      await assert.rejects(c.client.request("sessions.resolve", { key: "nope" }), /No session found: nope/);
      const injected = await c.client.request<any>("chat.inject", { sessionKey: "agent:main:s2", message: "a note", label: "ops" });
      assert.equal(injected.ok, true);
      const h2 = await c.client.request<any>("chat.history", { sessionKey: "agent:main:s2" });
      assert.equal(h2.messages.at(-1).content[0].text, "[ops]\n\na note");
      await c.client.request("sessions.patch", { key: "agent:main:s1", label: "Work", model: "openai/gpt-4o" });
      await assert.rejects(c.client.request("sessions.patch", { key: "agent:main:s1", model: "bogus" }), /provider\/model/);
      f.openai.enqueue({ text: "gpt here" });
      assert.equal((await c.send("which model?", "agent:main:s1")).text, "gpt here");
      const reset = await c.client.request<any>("sessions.reset", { key: "agent:main:s1" });
      assert.equal(reset.entry.label, "Work", "reset keeps the label and model choice");
      assert.equal((await c.client.request<any>("chat.history", { sessionKey: "agent:main:s1" })).messages.length, 0);
      const del = await c.client.request<any>("sessions.delete", { key: "agent:main:s2" });
      assert.ok(fs.existsSync(del.archived), "the transcript is archived, not destroyed");
      await assert.rejects(c.client.request("sessions.delete", { key: "agent:main:s2" }), /no session agent:main:s2/);
      const comp = await c.client.request<any>("sessions.compact", { key: "agent:main:s1" });
      assert.equal(comp.compacted, false, "nothing to compact in an empty session");
      c.client.close();
    } finally {
      await gw.close();
    }
  });

  it("models.list and agents.list describe what is configured", async () => {
    const gw = await startAgentGateway(f, {
      agents: {
        list: [
          { id: "main", default: true },
          { id: "work", model: "openai/gpt-4o" },
        ],
      },
    });
    try {
      const c = await chatClient(gw);
      const models = await c.client.request<any>("models.list", {});
      const refs = models.models.map((m: any) => `${m.provider}/${m.id}`);
      assert.ok(refs.includes("anthropic/claude-opus-4-5") && refs.includes("openai/gpt-4o"));
      const agents = await c.client.request<any>("agents.list", {});
      assert.equal(agents.defaultId, "main");
      assert.deepEqual(
        agents.agents.map((a: any) => a.id),
        ["main", "work"],
      );
      f.openai.enqueue({ text: "work agent" });
      assert.equal((await c.send("hi", "agent:work:main")).text, "work agent");
      await waitFor(() => fs.existsSync(path.join(gw.stateDir, "agents/work/sessions/sessions.json")), 2000, "the work agent's own store");
      c.client.close();
    } finally {
      await gw.close();
    }
  });
});

describe("session reset policy", () => {
  it("starts a new conversation after session.reset idleMinutes, and at the daily boundary by default", async () => {
    const f = await startFakes();
    let clock = new Date(2026, 10, 20, 10, 0, 0).getTime(); // 10:00 local
    const { startTestGateway } = await import("../helpers/gateway.js");
    const { fakeConfig, KEYS } = await import("../helpers/agents.js");
    const idle = await startTestGateway({
      config: { ...fakeConfig(f), session: { reset: { mode: "idle", idleMinutes: 30 } } },
      env: KEYS,
      now: () => clock,
    });
    try {
      const c = await chatClient(idle);
      await c.send("one", "agent:main:idle");
      const first = (await c.client.request<any>("chat.history", { sessionKey: "agent:main:idle" })).sessionId;
      clock += 10 * 60_000;
      await c.send("two", "agent:main:idle");
      assert.equal(
        (await c.client.request<any>("chat.history", { sessionKey: "agent:main:idle" })).sessionId,
        first,
        "within the idle window",
      );
      clock += 31 * 60_000;
      await c.send("three", "agent:main:idle");
      const h = await c.client.request<any>("chat.history", { sessionKey: "agent:main:idle" });
      assert.notEqual(h.sessionId, first, "idle for 31 minutes: new conversation");
      assert.equal(h.messages.length, 2);
      c.client.close();
    } finally {
      await idle.close();
    }
    const daily = await startTestGateway({ config: fakeConfig(f), env: KEYS, now: () => clock });
    try {
      const c = await chatClient(daily);
      await c.send("evening", "agent:main:daily");
      const first = (await c.client.request<any>("chat.history", { sessionKey: "agent:main:daily" })).sessionId;
      clock = new Date(2026, 10, 21, 3, 59, 0).getTime();
      await c.send("before four", "agent:main:daily");
      assert.equal((await c.client.request<any>("chat.history", { sessionKey: "agent:main:daily" })).sessionId, first);
      clock = new Date(2026, 10, 21, 4, 1, 0).getTime();
      await c.send("after four", "agent:main:daily");
      assert.notEqual(
        (await c.client.request<any>("chat.history", { sessionKey: "agent:main:daily" })).sessionId,
        first,
        "4 AM boundary passed",
      );
      c.client.close();
    } finally {
      await daily.close();
      await f.close();
    }
  });
});
