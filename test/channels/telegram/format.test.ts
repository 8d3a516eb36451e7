import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { markdownToTelegramHtml as toHtml } from "../../../src/channels/telegram/format.js";
import { parseHtml } from "../../fakes/telegram.js";

describe("markdown → Telegram HTML", () => {
  const cases: Array<[string, string]> = [
    ["**bold** *it* _it_ __b__ ***both*** ~~gone~~", "<b>bold</b> <i>it</i> <i>it</i> <b>b</b> <b><i>both</i></b> <s>gone</s>"],
    ["*a **b** c* and **a *b* c**", "<i>a <b>b</b> c</i> and <b>a <i>b</i> c</b>"],
    ["snake_case_name and 2 * 3 * 4", "snake_case_name and 2 * 3 * 4"],
    ["**unclosed bold", "**unclosed bold"],
    ["`a < b && **c**`", "<code>a &lt; b &amp;&amp; **c**</code>"],
    ['[docs](https://example.com/?a=1&b="2")', '<a href="https://example.com/?a=1&amp;b=&quot;2&quot;">docs</a>'],
    ["[click](javascript:alert(1))", "[click](javascript:alert(1))"],
    ["# Title\n### Sub", "<b>Title</b>\n<b>Sub</b>"],
    ["- one\n* two\n  + nested\n1. first\n2) second", "• one\n• two\n  • nested\n1. first\n2. second"],
    ["> quoted **text**\n> more", "<blockquote>quoted <b>text</b>\nmore</blockquote>"],
    ["```ts\nif (a < b) {}\n```", '<pre><code class="language-ts">if (a &lt; b) {}</code></pre>'],
    ["```\nplain & simple\n```", "<pre>plain &amp; simple</pre>"],
    ["<b>not a tag</b> & co", "&lt;b&gt;not a tag&lt;/b&gt; &amp; co"],
    ["escaped \\*stars\\*", "escaped *stars*"],
  ];
  for (const [md, html] of cases) {
    test(JSON.stringify(md), () => {
      const out = toHtml(md);
      assert.equal(out, html);
      // Whatever we produce must be HTML Telegram accepts.
      assert.doesNotThrow(() => parseHtml(out));
    });
  }

  test("an unterminated fence (the tail of a chunk) still renders as a closed code block", () => {
    assert.equal(toHtml("text\n```py\nprint(1)"), 'text\n<pre><code class="language-py">print(1)</code></pre>');
  });

  test("awkward input always yields well-formed HTML", () => {
    const samples = [
      "***",
      "**a*b**c*",
      "_*_*",
      "~~~",
      "[a](b",
      "`",
      "a **b `c** d`",
      "<<>>&&",
      "**[x](https://a.b)**",
      "*_x_*",
      "__a _b_ c__",
    ];
    for (const s of samples) assert.doesNotThrow(() => parseHtml(toHtml(s)), s);
  });
});
