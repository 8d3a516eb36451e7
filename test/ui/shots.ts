/**
 * Screenshots of every Control UI view, desktop (1280x800) and phone (375x812), light and dark, into
 * /tmp/ui-shots/ (or the folder given as the first argument), for looking at the UI with one's own eyes.
 *
 *   npm run build && node --import tsx test/ui/shots.ts
 */
import fs from "node:fs";
import path from "node:path";
import { startFakes, chatClient } from "../helpers/agents.js";
import { MemoryChannel } from "../helpers/memory-channel.js";
import { TOKEN, launchBrowser, newPage, signIn, startUiGateway } from "./helpers.js";
import { tmpDir } from "../helpers/gateway.js";

const out = process.argv[2] ?? "/tmp/ui-shots";
fs.mkdirSync(out, { recursive: true });

const fakes = await startFakes();
const browser = await launchBrowser();
const stateDir = tmpDir();
// A month of earlier usage, for the Usage charts.
const sessions = path.join(stateDir, "agents", "main", "sessions");
fs.mkdirSync(sessions, { recursive: true });
const lines: string[] = [JSON.stringify({ type: "session", version: 3, id: "old", timestamp: new Date().toISOString(), cwd: "/" })];
for (let i = 1; i < 28; i++) {
  for (const [provider, model, k] of [
    ["anthropic", "claude-opus-4-5", 1],
    ["openai", "gpt-4o", 0.4],
  ] as const) {
    if ((i * 7) % 5 === 0 && provider === "openai") continue;
    const input = Math.round((3000 + ((i * 2654435761) % 9000)) * k);
    const output = Math.round(input / 6);
    lines.push(
      JSON.stringify({
        type: "message",
        id: `m${i}${provider}`,
        parentId: null,
        timestamp: new Date(Date.now() - i * 86_400_000).toISOString(),
        message: {
          role: "assistant",
          content: [{ type: "text", text: "x" }],
          provider,
          model,
          usage: { input, output, cacheRead: 0, cacheWrite: 0, totalTokens: input + output },
          stopReason: "stop",
          timestamp: Date.now() - i * 86_400_000,
        },
      }),
    );
  }
}
fs.writeFileSync(path.join(sessions, "old.jsonl"), lines.join("\n") + "\n");

const tg = new MemoryChannel("telegram");
const gw = await startUiGateway(fakes, {}, { stateDir, env: { TELEGRAM_BOT_TOKEN: "t" }, channelFactories: { telegram: tg.factory } });
await new Promise((r) => setTimeout(r, 100));
tg.receive({ chat: { kind: "dm", id: "4242" }, sender: { id: "4242", username: "alice", name: "Alice Example" }, text: "hi" });

// Some conversation: markdown, a tool call, a second session.
const { client, send } = await chatClient(gw, { token: TOKEN });
fakes.anthropic.enqueue(
  { toolCalls: [{ name: "current_time", arguments: { timezone: "Europe/Paris" } }] },
  {
    text: "Here is a **summary**:\n\n- It is *afternoon* in Paris\n- `current_time` answered\n\n```js\nconsole.log('hello');\n```\n\n| city | time |\n|---|---|\n| Paris | 14:02 |",
  },
);
await send("What time is it in Paris? Also show me some markdown.");
await send("Thanks! A short one now.");
await send("hello from telegram side", "agent:main:telegram:dm:4242");
await client.request("sessions.patch", { key: "agent:main:telegram:dm:4242", label: "Alice on Telegram" });
client.close();

const views = ["", "overview", "channels", "sessions", "config", "logs", "usage"];
for (const theme of ["light", "dark"] as const) {
  for (const [label, size] of [
    ["desktop", { width: 1280, height: 800 }],
    ["phone", { width: 375, height: 812 }],
  ] as const) {
    const { context, page, errors } = await newPage(browser, size);
    await page.emulateMedia({ colorScheme: theme });
    await page.goto(gw.httpUrl + "/");
    await page.screenshot({ path: path.join(out, `login-${label}-${theme}.png`) });
    await signIn(page, gw);
    for (const v of views) {
      await page.goto(`${gw.httpUrl}/${v}`);
      await page.getByRole("status").filter({ hasText: "Connected" }).waitFor();
      await page.waitForTimeout(v === "logs" ? 1800 : 600);
      await page.screenshot({ path: path.join(out, `${v || "chat"}-${label}-${theme}.png`) });
    }
    if (errors.length) console.error(`${label} ${theme}: page errors:`, errors);
    await context.close();
  }
}
await gw.close();
await browser.close();
await fakes.close();
console.log(`screenshots in ${out}`);
