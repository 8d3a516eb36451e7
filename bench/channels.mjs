#!/usr/bin/env node
// The gateway process with Telegram and Discord connected (to fake Bot API / Discord servers on
// loopback) and the guide's openclaw.json: time until both are logged in, idle RSS, and the round trip
// of a Telegram message through the agent (fake model answering at once) back to the chat. With
// `--all`, Slack (Socket Mode) and Signal (signal-cli's HTTP daemon) are connected to their fakes too.
//
//   node --import tsx bench/channels.mjs [--messages 200] [--all]
import fs from "node:fs";
import path from "node:path";
import { launch, procMb, root, seedConfig, sleep, targets } from "./lib.mjs";

const args = process.argv.slice(2);
const MESSAGES = Number(args[args.indexOf("--messages") + 1]) || 200;
const ALL = args.includes("--all");
const { FakeTelegram } = await import(path.join(root, "test/fakes/telegram.ts"));
const { FakeDiscord } = await import(path.join(root, "test/fakes/discord.ts"));
const { FakeLlm } = await import(path.join(root, "test/fakes/llm.ts"));

const tg = await FakeTelegram.start();
const dc = await FakeDiscord.start();
dc.addGuild({ id: "100000000000000001", name: "Home", channels: [{ id: "100000000000000002", name: "general" }] });
const slack = ALL ? await (await import(path.join(root, "test/fakes/slack.ts"))).startSlackFake() : null;
const signal = ALL ? await (await import(path.join(root, "test/fakes/signal.ts"))).startSignalFake({ account: "+15550009999" }) : null;
const llm = await FakeLlm.start("anthropic");
llm.responder = () => ({ text: "ok" });

const seed = JSON.parse(fs.readFileSync(seedConfig, "utf8"));
seed.channels.discord.apiBaseUrl = dc.apiBaseUrl;
seed.channels.discord.guilds = { "100000000000000001": { channels: { general: { allow: true } }, requireMention: false } };
seed.channels.telegram = { apiRoot: tg.apiRoot, dmPolicy: "open", allowFrom: ["*"] };
if (slack) seed.channels.slack = { apiBaseUrl: slack.apiBaseUrl, botToken: slack.botToken, appToken: slack.appToken };
if (signal) seed.channels.signal = { account: signal.account, httpUrl: signal.url };
seed.models = { providers: { anthropic: { baseUrl: llm.baseUrl, models: [] }, openai: { baseUrl: "http://127.0.0.1:9/v1", models: [] } } };

const gw = await launch(targets.ours, {
  config: seed,
  env: { ANTHROPIC_API_KEY: "bench", TELEGRAM_BOT_TOKEN: tg.token, DISCORD_BOT_TOKEN: dc.token },
});
/** ms from launch until a line matching `re` is printed. */
const until = async (re, what, ms = 20000) => {
  const end = Date.now() + ms;
  while (!re.test(gw.output())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${gw.output()}`);
    await sleep(5);
  }
  return performance.now() - gw.startedAt;
};
const listening = gw.listeningMs;
const tgReady = await until(/logged in to telegram/, "telegram login");
const dcReady = await until(/logged in to discord/, "discord login");
const slackReady = slack ? await until(/logged in to slack/, "slack login") : null;
const signalReady = signal ? await until(/connected to signal-cli/, "signal-cli stream") : null;
const status = (k) => procMb(gw.child.pid, k);
await sleep(3000);
const rss3 = status("VmRSS");
await sleep(12000);
const rss15 = status("VmRSS");
const anon15 = status("RssAnon");

const times = [];
for (let i = 0; i < MESSAGES; i++) {
  const before = tg.sent.length;
  const t = performance.now();
  tg.userSends({ chatId: 5000 + (i % 20), from: { id: 5000 + (i % 20), username: `user${i % 20}` }, text: `hello ${i}` });
  await tg.waitForSent(before + 1, 10000);
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
const pct = (p) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))].toFixed(1);
await sleep(1000);
const rssAfter = status("VmRSS");

if (args.includes("--json")) {
  console.log(
    JSON.stringify({
      listeningMs: listening,
      telegramMs: tgReady,
      discordMs: dcReady,
      ...(ALL ? { slackMs: slackReady, signalMs: signalReady } : {}),
      rss3,
      rss15,
      anon15,
      p50: Number(pct(50)),
      p99: Number(pct(99)),
      rssAfter,
    }),
  );
} else {
  printReport();
}
function printReport() {
  const names = ALL ? "Telegram, Discord, Slack and Signal" : "Telegram and Discord";
  console.log(`gateway with the guide's openclaw.json, ${names} connected (fakes on loopback):`);
  console.log(
    `  listening ${listening.toFixed(0)} ms, telegram logged in ${tgReady.toFixed(0)} ms, discord logged in ${dcReady.toFixed(0)} ms${
      ALL ? `, slack ${slackReady.toFixed(0)} ms, signal ${signalReady.toFixed(0)} ms` : ""
    } after launch`,
  );
  console.log(`  RSS ${rss3.toFixed(1)} MB 3 s after login, ${rss15.toFixed(1)} MB after 15 s idle (${anon15.toFixed(1)} MB anonymous)`);
  console.log(
    `  Telegram message → agent → reply in the chat (${MESSAGES} messages, 20 users): p50 ${pct(50)} ms, p99 ${pct(99)} ms; RSS after ${rssAfter.toFixed(1)} MB`,
  );
}
await gw.stop();
await Promise.all([tg.close(), dc.close(), llm.close(), slack?.close(), signal?.close()]);
