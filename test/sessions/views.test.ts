/** Session previews and bounded transcript reads (what `sessions.list` / `sessions.preview` show). */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { Transcript } from "../../src/sessions/transcript.js";
import { classifySessionKey, deriveSessionTitle, previewItems } from "../../src/sessions/views.js";
import { tmpDir } from "../helpers/gateway.js";

const line = (text: string, role = "user") => JSON.stringify({ type: "message", id: text.slice(0, 8), message: { role, content: text } });

describe("session views", () => {
  it("reads only the head or tail of a large transcript, in whole lines", { timeout: 10_000 }, () => {
    const file = path.join(tmpDir(), "t.jsonl");
    const big = "x".repeat(1000);
    const lines = [
      JSON.stringify({ type: "session", id: "s" }),
      line("first question"),
      ...Array.from({ length: 3000 }, (_, i) => line(`${i} ${big}`, "assistant")),
      line("last words"),
    ];
    fs.writeFileSync(file, lines.join("\n") + "\n");
    const head = Transcript.readMessages(file, { from: "head", bytes: 8192 }) as Array<{ content: string }>;
    assert.equal(head[0]!.content, "first question");
    assert.ok(head.length < 10, "only the first few kilobytes are read");
    const tail = Transcript.readMessages(file, { from: "tail", bytes: 16384 }) as Array<{ content: string }>;
    assert.equal(tail.at(-1)!.content, "last words");
    assert.ok(tail.length < 20);
    assert.ok(
      tail.every((m) => typeof m.content === "string"),
      "no line cut in half",
    );
  });

  it("previews as OpenClaw: roles, tool calls, truncation, the last items", () => {
    const items = previewItems(
      [
        { role: "user", content: "hello" },
        { role: "assistant", content: [{ type: "toolCall", name: "read", id: "1" }] },
        { role: "toolResult", toolName: "read", content: [{ type: "text", text: "file body" }] },
        { role: "assistant", content: [{ type: "text", text: "y".repeat(300) }] },
      ],
      3,
      20,
    );
    assert.deepEqual(items, [
      { role: "tool", text: "call read" },
      { role: "tool", text: "file body" },
      { role: "assistant", text: `${"y".repeat(17)}...` },
    ]);
  });

  it("classifies keys and derives titles", () => {
    assert.equal(classifySessionKey("agent:main:telegram:group:-100"), "group");
    assert.equal(classifySessionKey("agent:main:main"), "direct");
    assert.equal(classifySessionKey("global"), "global");
    assert.equal(deriveSessionTitle({ sessionId: "abcdef123456", updatedAt: Date.UTC(2026, 0, 2) }, undefined), "abcdef12 (2026-01-02)");
    assert.equal(deriveSessionTitle({ sessionId: "a", updatedAt: 1 }, "  what   is\nthis "), "what is this");
  });
});
