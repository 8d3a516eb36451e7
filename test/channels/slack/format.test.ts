import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { markdownToMrkdwn } from "../../../src/channels/slack/format.js";
import { parseSlackTarget } from "../../../src/channels/slack/targets.js";
import { TargetError } from "../../../src/channels/types.js";

describe("slack mrkdwn", () => {
  const cases: Array<[string, string, string]> = [
    ["bold", "a **b** c", "a *b* c"],
    ["bold with underscores", "__b__", "*b*"],
    ["italic", "an *idea* and _another_", "an _idea_ and _another_"],
    ["strike", "~~gone~~", "~gone~"],
    ["link", "see [the docs](https://example.com/a?b=1&c=2)", "see <https://example.com/a?b=1&c=2|the docs>"],
    ["bare link label", "[https://x.io](https://x.io)", "<https://x.io>"],
    ["autolink", "<https://x.io>", "<https://x.io>"],
    ["escapes & < >", "1 < 2 & 3 > 2", "1 &lt; 2 &amp; 3 &gt; 2"],
    ["raw html shows as text", "<b>hi</b>", "&lt;b&gt;hi&lt;/b&gt;"],
    ["slack tokens pass through", "ping <@U123> in <#C1|general> <!here>", "ping <@U123> in <#C1|general> <!here>"],
    ["inline code is only escaped", "use `a **b** <c>`", "use `a **b** &lt;c&gt;`"],
    ["heading", "## Plan", "*Plan*"],
    ["bullets", "- one\n* two", "• one\n• two"],
    ["quote", "> said **so**", "> said *so*"],
    ["snake_case stays", "my_var_name", "my_var_name"],
    ["nested", "**bold _and italic_**", "*bold _and italic_*"],
  ];
  for (const [name, md, want] of cases) it(name, () => assert.equal(markdownToMrkdwn(md), want));

  it("code fences: language dropped, content escaped and not restyled", () => {
    assert.equal(markdownToMrkdwn("```ts\nconst a = x && **y** < 2;\n```"), "```\nconst a = x &amp;&amp; **y** &lt; 2;\n```");
  });

  it("an unclosed fence is closed", () => {
    assert.equal(markdownToMrkdwn("```\ncode"), "```\ncode\n```");
  });
});

describe("slack targets", () => {
  it("reads OpenClaw's forms", () => {
    assert.deepEqual(parseSlackTarget("channel:C123"), { chatId: "C123" });
    assert.deepEqual(parseSlackTarget("#C123"), { chatId: "C123" });
    assert.deepEqual(parseSlackTarget("C123"), { chatId: "C123" });
    assert.deepEqual(parseSlackTarget("D42"), { chatId: "D42" });
    assert.deepEqual(parseSlackTarget("user:U1"), { chatId: "user:U1" });
    assert.deepEqual(parseSlackTarget("slack:U1"), { chatId: "user:U1" });
    assert.deepEqual(parseSlackTarget("@U1"), { chatId: "user:U1" });
    assert.deepEqual(parseSlackTarget("<@U1>"), { chatId: "user:U1" });
    assert.deepEqual(parseSlackTarget("<@U1|olivia>"), { chatId: "user:U1" });
    assert.deepEqual(parseSlackTarget("U1"), { chatId: "user:U1" }, "a bare user id is a DM");
    assert.deepEqual(parseSlackTarget(" channel: c9 "), { chatId: "C9" });
  });

  it("refuses names and empty targets, saying which forms work", () => {
    assert.throws(() => parseSlackTarget(""), TargetError);
    assert.throws(() => parseSlackTarget("#general-chat"), /channel:<id>; names are not looked up/);
    assert.throws(() => parseSlackTarget("@olivia.k"), /user id/);
    assert.throws(() => parseSlackTarget("user:"), /names no id/);
    assert.throws(() => parseSlackTarget("hello world"), /not a Slack target/);
  });
});
