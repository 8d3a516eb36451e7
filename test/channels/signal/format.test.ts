/** Send targets and Markdown → Signal text styles, as a reader of the message would see them. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { markdownToSignal, textStyleParam } from "../../../src/channels/signal/format.js";
import { parseSignalTarget, rpcTarget } from "../../../src/channels/signal/targets.js";
import { TargetError } from "../../../src/channels/types.js";

/** Each styled range as the text it covers. */
function spans(md: string): { text: string; styled: string[] } {
  const r = markdownToSignal(md);
  return { text: r.text, styled: r.styles.map((s) => `${s.style}:${r.text.slice(s.start, s.start + s.length)}`) };
}

describe("signal targets", { timeout: 10_000 }, () => {
  it("reads numbers, UUIDs, groups and usernames, with or without signal:", () => {
    assert.deepEqual(parseSignalTarget("signal:+15551234567"), { chatId: "+15551234567" });
    assert.deepEqual(parseSignalTarget("+1 555 123 4567"), { chatId: "+15551234567" });
    assert.deepEqual(parseSignalTarget("uuid:ABCDEF12-3456-7890-ABCD-EF1234567890"), {
      chatId: "uuid:abcdef12-3456-7890-abcd-ef1234567890",
    });
    assert.deepEqual(parseSignalTarget("abcdef12-3456-7890-abcd-ef1234567890"), { chatId: "uuid:abcdef12-3456-7890-abcd-ef1234567890" });
    assert.deepEqual(parseSignalTarget("signal:group:Zm9vYmFy+/="), { chatId: "group:Zm9vYmFy+/=" });
    assert.deepEqual(parseSignalTarget("group:Zm9v"), { chatId: "group:Zm9v" });
    assert.deepEqual(parseSignalTarget("username:alice.01"), { chatId: "username:alice.01" });
    assert.deepEqual(parseSignalTarget("u:alice.01"), { chatId: "username:alice.01" });
  });

  it("refuses what is not a Signal recipient, saying which forms work", () => {
    assert.throws(() => parseSignalTarget(""), TargetError);
    assert.throws(() => parseSignalTarget("@alice"), /not a Signal recipient: use \+15551234567, uuid:<id>, group:<groupId>/);
    assert.throws(() => parseSignalTarget("group:"), /names no group/);
  });

  it("addresses RPC calls by recipient, groupId or username", () => {
    assert.deepEqual(rpcTarget("+15551234567"), { recipient: ["+15551234567"] });
    assert.deepEqual(rpcTarget("uuid:abc"), { recipient: ["abc"] });
    assert.deepEqual(rpcTarget("group:Zm9v"), { groupId: "Zm9v" });
    assert.deepEqual(rpcTarget("username:alice.01"), { username: ["alice.01"] });
  });
});

describe("markdown to Signal text styles", { timeout: 10_000 }, () => {
  it("bold, italic, strikethrough, spoiler and code become styles, markers go", () => {
    assert.deepEqual(spans("**bold** and *it* and _it2_ ~~gone~~ ||secret|| `x = 1`"), {
      text: "bold and it and it2 gone secret x = 1",
      styled: ["BOLD:bold", "ITALIC:it", "ITALIC:it2", "STRIKETHROUGH:gone", "SPOILER:secret", "MONOSPACE:x = 1"],
    });
  });

  it("offsets count UTF-16 units, as Signal does", () => {
    const r = markdownToSignal("😀 **hé**");
    assert.deepEqual(textStyleParam(r.styles), ["3:2:BOLD"]);
    assert.equal(r.text, "😀 hé");
  });

  it("nested styles, headings, links and fenced code", () => {
    const md = "# Title\n\n**bold _and italic_**\nsee [docs](https://example.com)\n\n```ts\nconst a = 1;\n```\ndone";
    const r = spans(md);
    assert.equal(r.text, "Title\n\nbold and italic\nsee docs (https://example.com)\n\nconst a = 1;\ndone");
    assert.deepEqual(r.styled.sort(), ["BOLD:Title", "BOLD:bold and italic", "ITALIC:and italic", "MONOSPACE:const a = 1;"].sort());
  });

  it("leaves markers that do not close, snake_case and arithmetic alone", () => {
    assert.deepEqual(spans("snake_case_name and 2 * 3 * 4 and **open"), { text: "snake_case_name and 2 * 3 * 4 and **open", styled: [] });
    assert.deepEqual(spans("a \\*literal\\* star"), { text: "a *literal* star", styled: [] });
  });
});
