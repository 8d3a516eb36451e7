import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chunkText } from "../../src/channels/chunking.js";

/** Fence markers balance in every chunk (even count of ``` lines). */
function fencesBalanced(chunk: string): boolean {
  return chunk.split("\n").filter((l) => /^\s*```/.test(l)).length % 2 === 0;
}

describe("chunkText", () => {
  it("keeps short text whole and splits long text under the limit at paragraph or line breaks", () => {
    assert.deepEqual(chunkText("hello", { limit: 100 }), ["hello"]);
    const paras = Array.from({ length: 30 }, (_, i) => `Paragraph ${i} ${"word ".repeat(20).trim()}.`).join("\n\n");
    const chunks = chunkText(paras, { limit: 500 });
    assert.ok(chunks.length > 1);
    for (const c of chunks) assert.ok(c.length <= 500, `chunk of ${c.length}`);
    assert.equal(chunks.join("\n").replace(/\n+/g, "\n"), paras.replace(/\n+/g, "\n"), "nothing lost or reordered");
  });

  it("never leaves a code fence open across chunks: closes and reopens it with its language", () => {
    const code = Array.from({ length: 80 }, (_, i) => `  console.log("line ${i}");`).join("\n");
    const text = `Here is the code:\n\n\`\`\`js\n${code}\n\`\`\`\n\nThat is all.`;
    const chunks = chunkText(text, { limit: 600 });
    assert.ok(chunks.length >= 3);
    for (const c of chunks) {
      assert.ok(c.length <= 600, `chunk of ${c.length}`);
      assert.ok(fencesBalanced(c), `unbalanced fence in:\n${c}`);
    }
    assert.ok(
      chunks.slice(1, -1).every((c) => c.startsWith("```js")),
      "continuation chunks reopen the fence with its language",
    );
    const rejoined = chunks
      .join("\n")
      .split("\n")
      .filter((l) => l.includes("console.log"));
    assert.equal(rejoined.length, 80, "every code line arrives once");
  });

  it("cuts a single over-long line at spaces, and hard when there are none", () => {
    const line = "word ".repeat(100).trim();
    const chunks = chunkText(line, { limit: 120 });
    for (const c of chunks) assert.ok(c.length <= 120);
    assert.equal(chunks.join(" "), line);
    const hard = chunkText("x".repeat(250), { limit: 100 });
    assert.deepEqual(
      hard.map((c) => c.length),
      [100, 100, 50],
    );
  });

  it("newline mode starts a message per paragraph; maxLines splits tall messages", () => {
    assert.deepEqual(chunkText("one\n\ntwo\n\nthree", { limit: 2000, mode: "newline" }), ["one", "two", "three"]);
    const tall = Array.from({ length: 40 }, (_, i) => `line ${i}`).join("\n");
    const chunks = chunkText(tall, { limit: 2000, maxLines: 17 });
    assert.deepEqual(
      chunks.map((c) => c.split("\n").length),
      [17, 17, 6],
    );
  });
});
