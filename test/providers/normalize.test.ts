/** What every model API is sent of a conversation: tool calls and results paired, failed turns left out. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { NO_TOOL_RESULT, normalizeTranscript } from "../../src/providers/common.js";
import { emptyUsage, type AssistantMessage, type Message, type ToolCall, type ToolResultMessage } from "../../src/providers/types.js";

const user = (text: string): Message => ({ role: "user", content: text, timestamp: 1 });
const assistant = (calls: string[], opts: { text?: string; stopReason?: AssistantMessage["stopReason"] } = {}): AssistantMessage => ({
  role: "assistant",
  content: [
    ...(opts.text === undefined ? [] : [{ type: "text" as const, text: opts.text }]),
    ...calls.map((id): ToolCall => ({ type: "toolCall", id, name: `tool_${id}`, arguments: {} })),
  ],
  api: "openai-completions",
  provider: "p",
  model: "m",
  usage: emptyUsage(),
  stopReason: opts.stopReason ?? (calls.length ? "toolUse" : "stop"),
  timestamp: 1,
});
const result = (id: string): ToolResultMessage => ({
  role: "toolResult",
  toolCallId: id,
  toolName: `tool_${id}`,
  content: [{ type: "text", text: `result ${id}` }],
  isError: false,
  timestamp: 1,
});

/** The rules as the providers' docs state them, written plainly: the reference for the checks below. */
function expected(messages: Message[]): Message[] {
  const out: Message[] = [];
  let waiting: ToolCall[] = [];
  // A call left without a result gets an error result saying so.
  const interrupted = (call: ToolCall): ToolResultMessage => ({
    ...result(call.id),
    toolName: call.name,
    content: [{ type: "text", text: NO_TOOL_RESULT }],
    isError: true,
    timestamp: 0,
  });
  const answerTheRest = () => {
    out.push(...waiting.map(interrupted));
    waiting = [];
  };
  for (const m of messages) {
    if (m.role === "toolResult") {
      const call = waiting.find((c) => c.id === m.toolCallId);
      if (!call) continue;
      waiting = waiting.filter((c) => c !== call);
      out.push(m);
      continue;
    }
    if (m.role === "assistant") {
      const failed = m.stopReason === "error" || m.stopReason === "aborted";
      const usable = m.content.some((b) => (b.type === "text" ? b.text.trim() !== "" : b.type === "toolCall"));
      if (failed && !usable) continue;
    }
    answerTheRest();
    out.push(m);
    if (m.role === "assistant") waiting = m.content.filter((b): b is ToolCall => b.type === "toolCall");
  }
  answerTheRest();
  return out;
}

describe("normalizeTranscript", () => {
  it("sends a well-formed conversation as it is, without copying it", () => {
    const history = [
      user("hi"),
      assistant(["a", "b"], { text: "Looking." }),
      result("a"),
      result("b"),
      assistant([], { text: "Done." }),
      user("more"),
    ];
    assert.equal(normalizeTranscript(history), history);
    assert.equal(normalizeTranscript([]).length, 0);
  });

  it("answers a call left without a result, drops a stray result and a failed empty turn", () => {
    const history = [
      user("hi"),
      assistant(["a", "b"]),
      result("a"),
      user("are you there?"),
      assistant([], { stopReason: "error" }),
      result("orphan"),
      assistant([], { text: "Yes.", stopReason: "stop" }),
    ];
    const out = normalizeTranscript(history);
    assert.deepEqual(
      out.map((m) => (m.role === "toolResult" ? `result ${m.toolCallId}${m.isError ? " (error)" : ""}` : m.role)),
      ["user", "assistant", "result a", "result b (error)", "user", "assistant"],
    );
    assert.deepEqual(out, expected(history));
    assert.equal(history.length, 7, "the transcript itself is left as it was");
  });

  it("keeps results that came back in another order than the calls", () => {
    const history = [user("hi"), assistant(["a", "b"]), result("b"), result("a"), assistant([], { text: "ok" })];
    assert.deepEqual(normalizeTranscript(history), history);
  });

  it("agrees with the rules on random conversations", () => {
    let seed = 7;
    let wellFormed = 0;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let round = 0; round < 2000; round++) {
      const history: Message[] = [];
      const ids: string[] = [];
      let open: string[] = [];
      for (let i = 0, n = rand(12); i < n; i++) {
        const kind = rand(6);
        if (kind === 0) history.push(user(`u${i}`));
        else if (kind <= 2) {
          const calls = Array.from({ length: rand(3) }, (_, k) => `c${i}_${k}`);
          ids.push(...calls);
          open = [...calls];
          const stopReason = rand(5) === 0 ? (rand(2) ? "error" : "aborted") : undefined;
          history.push(assistant(calls, { ...(rand(2) ? { text: rand(3) ? "t" : " " } : {}), ...(stopReason ? { stopReason } : {}) }));
        } else {
          // Mostly the next call waiting for its result; sometimes any call ever made, or a stranger.
          const r = rand(4);
          history.push(result(r < 2 && open.length ? open.shift()! : r === 2 && ids.length ? ids[rand(ids.length)]! : `x${i}`));
        }
      }
      if (normalizeTranscript(history) === history) wellFormed++;
      assert.deepEqual(normalizeTranscript(history), expected(history), JSON.stringify(history));
    }
    assert.ok(wellFormed > 200 && wellFormed < 1800, `both paths taken (${wellFormed} of 2000 sent as they were)`);
  });
});
