/// <reference lib="dom" />
/**
 * The Usage view's Budgets card: each limit with what was spent against it, from a real gateway
 * whose model is the fake Anthropic API.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chatClient } from "../helpers/agents.js";
import { TOKEN, newPage, signIn, startUiGateway, timeout, uiSuite } from "./helpers.js";

describe("Control UI: budgets in the Usage view", () => {
  const ui = uiSuite(async (fakes) => {
    const gw = await startUiGateway(fakes, {
      agents: { defaults: { budget: { daily: { tokens: 1800 }, session: { monthly: { usd: 50 } } } } },
    });
    const { client, send } = await chatClient(gw, { token: TOKEN });
    fakes.anthropic.enqueue({ text: "Hello", usage: { input: 1200, output: 300 } });
    await send("hello there");
    client.close();
    return gw;
  });

  it("shows spent against each limit, and a limit near its end", { timeout }, async () => {
    const { context, page, errors } = await newPage(ui.browser);
    try {
      await signIn(page, ui.gw);
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Usage" }).click();
      const card = page.getByRole("region", { name: "Budgets" });
      const list = card.getByRole("list", { name: "Budgets of agent main" });
      await list.waitFor();
      const items = (await list.getByRole("listitem").allTextContents()).map((t) => t.replace(/\s+/g, " ").trim());
      assert.equal(items.length, 2, items.join("\n"));
      assert.match(items[0]!, /^Agent main · daily 1.5k tokens of 1.8k tokens \(83%, near the limit\)$/);
      assert.match(items[1]!, /^Session agent:main:main · monthly \$0\.\d+ of \$50\.00 \(0%\)$/);
      assert.match((await card.textContent()) ?? "", /Days and months begin in UTC; a reply warns at 80%\./);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
