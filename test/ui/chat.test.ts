/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** Chat in the Control UI: streaming replies, safe markdown, tool cards, Stop, images, history after a reload. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import zlib from "node:zlib";
import { newPage, signIn, timeout, uiSuite } from "./helpers.js";
import { stripEnvelope } from "../../src/agents/envelope.js";

/** A valid 2x2 PNG, built here so the test needs no fixture file. */
function tinyPng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.from([0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0]);
  const raw = Buffer.from([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

describe("Control UI chat", () => {
  const ui = uiSuite();

  it("sends with Enter and shows the reply streaming in, then the history again after a reload", { timeout }, async () => {
    const { context, page, errors } = await newPage(ui.browser);
    try {
      await signIn(page, ui.gw);
      const full = "The quick brown fox jumps over the lazy dog while the gateway streams every word.";
      ui.fakes.anthropic.enqueue({ text: full, chunkDelayMs: 500 });
      const box = page.getByRole("textbox", { name: "Message" });
      await box.fill("Tell me about the fox");
      await box.press("Enter");
      assert.equal(await box.inputValue(), "", "the box is cleared once sent");
      const log = page.getByRole("log", { name: "Messages" });
      await log.getByRole("article", { name: "You" }).filter({ hasText: "Tell me about the fox" }).waitFor();
      // Part of the reply is on screen while the rest is still being written.
      const writing = log.getByRole("article", { name: "Assistant (writing)" });
      await page.waitForFunction(
        (f) => {
          const t = document.querySelector(".msg.streaming .md")?.textContent ?? "";
          return t.length > 0 && t.length < f.length;
        },
        full,
        { timeout: 10_000 },
      );
      assert.equal(await page.getByRole("button", { name: "Stop" }).count(), 1, "Stop is offered while the reply streams");
      await log.getByRole("article", { name: "Assistant", exact: true }).filter({ hasText: full }).waitFor();
      assert.equal(await writing.count(), 0);
      assert.equal(await page.getByRole("button", { name: "Stop" }).count(), 0);

      await page.reload();
      await log.getByRole("article", { name: "You" }).filter({ hasText: "Tell me about the fox" }).waitFor();
      await log.getByRole("article", { name: "Assistant", exact: true }).filter({ hasText: full }).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it("Shift+Enter starts a new line instead of sending", { timeout }, async () => {
    const { context, page } = await newPage(ui.browser);
    try {
      await signIn(page, ui.gw);
      const box = page.getByRole("textbox", { name: "Message" });
      await box.fill("first line");
      await box.press("Shift+Enter");
      await box.pressSequentially("second line");
      assert.equal(await box.inputValue(), "first line\nsecond line");
      await page.getByRole("button", { name: "Send" }).click();
      await page.getByRole("article", { name: "Assistant", exact: true }).filter({ hasText: "second line" }).waitFor();
      assert.equal(stripEnvelope(ui.fakes.anthropic.requests.at(-1)!.messages.at(-1)!.text), "first line\nsecond line");
    } finally {
      await context.close();
    }
  });

  it("renders markdown but never markup or scripts from the model", { timeout }, async () => {
    const { context, page, errors } = await newPage(ui.browser);
    try {
      await signIn(page, ui.gw);
      ui.fakes.anthropic.enqueue({
        text: 'Some **bold** text.\n\n<img src="x" onerror="window.__pwned=1"><script>window.__pwned=2</script>\n\n[click](javascript:window.__pwned=3) and <b onmouseover="window.__pwned=4">hover</b>',
      });
      await page.getByRole("textbox", { name: "Message" }).fill("show me formatting");
      await page.getByRole("button", { name: "Send" }).click();
      const reply = page.getByRole("article", { name: "Assistant", exact: true }).filter({ hasText: "Some bold text" });
      await reply.waitFor();
      assert.equal(await reply.locator("strong").textContent(), "bold");
      assert.match((await reply.textContent()) ?? "", /<img src="x" onerror=/, "raw HTML is shown as text");
      assert.equal(await reply.locator("script, [onerror], [onmouseover]").count(), 0);
      assert.equal(await reply.locator('a[href^="javascript"]').count(), 0);
      await reply.getByText("hover").hover();
      assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it("shows a tool call as a collapsible card with its arguments and result", { timeout }, async () => {
    const { context, page } = await newPage(ui.browser);
    try {
      await signIn(page, ui.gw);
      ui.fakes.anthropic.enqueue({ toolCalls: [{ name: "current_time", arguments: { timezone: "UTC" } }] }, { text: "It is late." });
      await page.getByRole("textbox", { name: "Message" }).fill("what time is it?");
      await page.keyboard.press("Enter");
      await page.getByRole("article", { name: "Assistant", exact: true }).filter({ hasText: "It is late." }).waitFor();
      const card = page.locator("details.tool").filter({ hasText: "current_time" });
      assert.equal(await card.count(), 1);
      assert.equal(await card.getByText("Result").isVisible(), false, "collapsed at first");
      await card.getByText("current_time").click();
      await card.getByText("Result").waitFor();
      assert.match((await card.textContent()) ?? "", /"timezone": "UTC"/);
      assert.match((await card.textContent()) ?? "", /UTC/);
      // Keyboard: the summary is focusable and toggles with Enter.
      await card.locator("summary").focus();
      await page.keyboard.press("Enter");
      assert.equal(await card.getByText("Result").isVisible(), false);
    } finally {
      await context.close();
    }
  });

  it("Stop aborts a reply that is still being written", { timeout }, async () => {
    const { context, page } = await newPage(ui.browser);
    try {
      await signIn(page, ui.gw);
      ui.fakes.anthropic.enqueue({ text: "one two three four five six seven eight", chunkDelayMs: 1500 });
      await page.getByRole("textbox", { name: "Message" }).fill("talk slowly");
      await page.keyboard.press("Enter");
      await page.getByRole("button", { name: "Stop" }).click();
      await page.getByText("Stopped.").waitFor();
      assert.equal(await page.getByRole("button", { name: "Stop" }).count(), 0);
    } finally {
      await context.close();
    }
  });

  it("attaches an image with the picker and sends it to the model", { timeout }, async () => {
    const { context, page, errors } = await newPage(ui.browser);
    try {
      await signIn(page, ui.gw);
      await page.getByLabel("Attach image").setInputFiles({ name: "dot.png", mimeType: "image/png", buffer: tinyPng() });
      const list = page.getByRole("list", { name: "Attachments" });
      await list.getByText("dot.png").waitFor();
      await page.getByRole("textbox", { name: "Message" }).fill("what is in this picture?");
      await page.getByRole("button", { name: "Send" }).click();
      await page.getByRole("article", { name: "Assistant", exact: true }).filter({ hasText: "echo: what is in this picture?" }).waitFor();
      assert.equal(ui.fakes.anthropic.requests.at(-1)!.hasImage, true);
      assert.equal(await list.count(), 0, "attachments are cleared once sent");
      assert.equal(await page.getByRole("article", { name: "You" }).getByRole("img", { name: "Attached image" }).count(), 1);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it("switches sessions with the picker, each with its own history", { timeout }, async () => {
    const { context, page } = await newPage(ui.browser);
    try {
      await signIn(page, ui.gw);
      await page.getByRole("textbox", { name: "Message" }).fill("only in main");
      await page.keyboard.press("Enter");
      await page.getByText("echo: only in main").waitFor();
      // Another session, created from outside the UI.
      const r = await fetch(`${ui.gw.httpUrl}/healthz`);
      assert.equal(r.status, 200);
      await ui.gw.ctx.agents.send({ sessionKey: "agent:main:side", text: "side hello" }).done;
      await page.reload();
      const picker = page.getByRole("combobox", { name: "Session" });
      await picker.selectOption({ label: "side" });
      await page.getByText("echo: side hello").waitFor();
      assert.equal(await page.getByText("echo: only in main").count(), 0);
      await page.reload();
      await page.getByText("echo: side hello").waitFor();
    } finally {
      await context.close();
    }
  });
});
