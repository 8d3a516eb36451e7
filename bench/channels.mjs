#!/usr/bin/env node
// The channels, each against its fake platform on loopback (test/fakes), with a model that answers at
// once:
// - idle RSS: the built gateway with the guide's openclaw.json and Telegram and Discord connected,
//   15 s after both logged in;
// - message → agent → reply in the chat, p50 / p99, with `--users` people (20) in a closed loop: each
//   sends, waits for the bot's reply in their own chat, reads it for about `--think` ms (1000, ±50 %)
//   and sends again, all of them at once.
//   Telegram, Discord, Slack (Socket Mode) and Signal (signal-cli's HTTP daemon) run the built gateway,
//   one channel per process. WhatsApp cannot be faked at the wire (see test/fakes/whatsapp.ts), so its
//   fake stands at Baileys' socket and the gateway runs in this process (`startGateway`).
// The Telegram gateway runs with OPENCLAW_STAGE_TIMINGS, and its per-stage timings are part of the output.
//
//   node --import tsx bench/channels.mjs [--json] [--per-user 25] [--users 20] [--think 1000] [--idle 15] [--only telegram,discord]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  benchModelConfig,
  instantModelServer,
  launch,
  procMb,
  readStageTimings,
  root,
  seedConfig,
  sleep,
  summarize,
  targets,
} from "./lib.mjs";

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const PER_USER = Number(opt("--per-user", 25));
const USERS = Number(opt("--users", 20));
// What a person takes to read a reply and write again: 0.5–1.5 × this, in ms.
const THINK_MS = Number(opt("--think", 1000));
const IDLE_S = Number(opt("--idle", 15));
const ONLY = opt("--only", "idle,telegram,discord,slack,signal,whatsapp").split(",");
// Each person their own conversation (the default, one shared session for all direct messages, would
// queue the 20 behind one another and fold their messages together).
const PER_PEER = { dmScope: "per-channel-peer" };
const log = (s) => process.stderr.write(`${s}\n`);

const { FakeTelegram } = await import(path.join(root, "test/fakes/telegram.ts"));
const { FakeDiscord } = await import(path.join(root, "test/fakes/discord.ts"));
const { startSlackFake } = await import(path.join(root, "test/fakes/slack.ts"));
const { startSignalFake } = await import(path.join(root, "test/fakes/signal.ts"));
const model = await instantModelServer();

/** Waits for a line of the gateway's output matching `re`. */
async function until(gw, re, what, ms = 30_000) {
  const end = Date.now() + ms;
  while (!re.test(gw.output())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${gw.output()}`);
    await sleep(5);
  }
}

/** RSS 15 s after Telegram and Discord logged in, the guide's openclaw.json otherwise. */
async function idleRss() {
  const tg = await FakeTelegram.start();
  const dc = await FakeDiscord.start();
  dc.addGuild({ id: "100000000000000001", name: "Home", channels: [{ id: "100000000000000002", name: "general" }] });
  const seed = JSON.parse(fs.readFileSync(seedConfig, "utf8"));
  seed.channels.discord.apiBaseUrl = dc.apiBaseUrl;
  seed.channels.discord.guilds = { "100000000000000001": { channels: { general: { allow: true } }, requireMention: false } };
  seed.channels.telegram = { apiRoot: tg.apiRoot, dmPolicy: "open", allowFrom: ["*"] };
  seed.models = { providers: { openai: { baseUrl: "http://127.0.0.1:9/v1", models: [] } } };
  const gw = await launch(targets.ours, { config: seed, env: { TELEGRAM_BOT_TOKEN: tg.token, DISCORD_BOT_TOKEN: dc.token } });
  try {
    await until(gw, /logged in to telegram/, "telegram login");
    await until(gw, /logged in to discord/, "discord login");
    await sleep(IDLE_S * 1000);
    return procMb(gw.child.pid);
  } finally {
    await gw.stop();
    await Promise.all([tg.close(), dc.close()]);
  }
}

/**
 * USERS people, each sending PER_USER messages one after the other (after one untimed warm-up each),
 * all at once, each writing again 0.5–1.5 × THINK_MS after their reply (a person reading and typing). `send(u, i)` makes user `u` write (synchronously) and returns the key of their chat;
 * `list()` is what the bot has sent so far, `keyOf(entry)` its chat, `waitNext(n)` resolves once the bot
 * has sent more than `n` things.
 */
async function closedLoop({ send, list, keyOf, waitNext }) {
  const waiters = new Map();
  let seen = list().length;
  let running = true;
  void (async () => {
    while (running) {
      try {
        await waitNext(seen);
      } catch {
        continue; // the fake's own wait timed out: wait again
      }
      const l = list();
      for (; seen < l.length; seen++) {
        const w = waiters.get(keyOf(l[seen]));
        if (w) {
          waiters.delete(keyOf(l[seen]));
          w();
        }
      }
    }
  })();
  const one = async (u, i) => {
    const t = performance.now();
    const key = send(u, i);
    let timer;
    const replied = new Promise((resolve, reject) => {
      waiters.set(key, resolve);
      timer = setTimeout(() => reject(new Error(`no reply to user ${u}'s message ${i} within 30 s`)), 30_000);
    });
    await replied.finally(() => clearTimeout(timer));
    return performance.now() - t;
  };
  const times = [];
  // When the warm-up ended: the stage timings count from here, like the latencies.
  let timedFrom = 0;
  try {
    await Promise.all(Array.from({ length: USERS }, (_, u) => one(u, -1)));
    // The warm-up is every user at once: 40 requests to Discord within a few ms, of the 50 a second
    // its global rate limit allows (which @discordjs/rest keeps). Timed messages start after that
    // second, so they wait for their own load on the platform, not for the warm-up's.
    await sleep(1000);
    timedFrom = Date.now();
    const think = () => sleep(THINK_MS * (0.5 + Math.random()));
    await Promise.all(
      Array.from({ length: USERS }, async (_, u) => {
        for (let i = 0; i < PER_USER; i++) {
          await think();
          times.push(await one(u, i));
        }
      }),
    );
  } finally {
    running = false;
  }
  return { ...summarize(times), timedFrom };
}

/** One channel on the built gateway against its fake; returns the latencies (and stage timings). */
async function channelLatency(name) {
  let fake;
  let channel;
  let env;
  let ready;
  let loop;
  if (name === "telegram") {
    fake = await FakeTelegram.start();
    channel = { apiRoot: fake.apiRoot, dmPolicy: "open", allowFrom: ["*"] };
    env = { TELEGRAM_BOT_TOKEN: fake.token };
    ready = /logged in to telegram/;
    loop = {
      send: (u, i) => {
        fake.userSends({ chatId: 5000 + u, from: { id: 5000 + u, username: `user${u}` }, text: `hello ${i}` });
        return String(5000 + u);
      },
      list: () => fake.sent,
      keyOf: (s) => String(s.chatId),
      waitNext: (n) => fake.waitFor(() => fake.sent.length > n, 60_000),
    };
  } else if (name === "discord") {
    fake = await FakeDiscord.start();
    channel = { apiBaseUrl: fake.apiBaseUrl, dm: { policy: "open", allowFrom: ["*"] } };
    env = { DISCORD_BOT_TOKEN: fake.token };
    ready = /logged in to discord/;
    loop = {
      send: (u, i) =>
        fake.userDMs({ author: { id: String(200000000000000000n + BigInt(u)), username: `user${u}` }, content: `hello ${i}` }).channelId,
      list: () => fake.sent,
      keyOf: (s) => s.channelId,
      waitNext: (n) => fake.waitForSent(n + 1, 60_000),
    };
  } else if (name === "slack") {
    fake = await startSlackFake({ botName: "bench" });
    for (let u = 0; u < USERS; u++) fake.addUser({ id: `U0USER${u}`, name: `user${u}`, real_name: `User ${u}` });
    channel = { apiBaseUrl: fake.apiBaseUrl, dm: { policy: "open", allowFrom: ["*"] } };
    env = { SLACK_BOT_TOKEN: fake.botToken, SLACK_APP_TOKEN: fake.appToken };
    ready = /logged in to slack/;
    loop = {
      send: (u, i) => {
        fake.userSays({ channel: `D0USER${u}`, user: `U0USER${u}`, text: `hello ${i}` });
        return `D0USER${u}`;
      },
      list: () => fake.callsOf("chat.postMessage"),
      keyOf: (c) => c.args.channel,
      waitNext: (n) => fake.waitForCall("chat.postMessage", { after: n, timeoutMs: 60_000 }),
    };
  } else if (name === "signal") {
    fake = await startSignalFake({ account: "+15550009999" });
    channel = { account: fake.account, httpUrl: fake.url, dmPolicy: "open", allowFrom: ["*"] };
    env = {};
    ready = /connected to signal-cli/;
    const number = (u) => `+1555001${String(u).padStart(4, "0")}`;
    loop = {
      send: (u, i) => {
        fake.userSends({ from: { number: number(u), name: `User ${u}` }, text: `hello ${i}` });
        return number(u);
      },
      list: () => fake.sent(),
      keyOf: (p) => [p.recipient].flat()[0],
      waitNext: (n) => (fake.sent().length > n ? Promise.resolve() : fake.nextCall("send")),
    };
  } else throw new Error(`unknown channel ${name}`);

  const stageFile = path.join(os.tmpdir(), `oc-bench-stages-${name}-${process.pid}.json`);
  const gw = await launch(targets.ours, {
    config: { ...benchModelConfig(model.baseUrl), session: PER_PEER, channels: { [name]: channel } },
    env: { ...env, OPENCLAW_STAGE_TIMINGS: stageFile },
    bind: "loopback",
  });
  try {
    await until(gw, ready, `${name} to connect`);
    if (name === "slack") await fake.waitForConnection(1, 30_000);
    const r = await closedLoop(loop);
    await gw.stop();
    return { ...r, stages: readStageTimings(stageFile, r.timedFrom) };
  } catch (e) {
    await gw.stop();
    throw new Error(`${name}: ${e.message}\n${gw.output().slice(-1500)}`);
  } finally {
    await fake.close();
  }
}

/** WhatsApp: the gateway in this process, Baileys' socket replaced by the fake (test/fakes/whatsapp.ts). */
async function whatsappLatency() {
  const { startWhatsAppFake } = await import(path.join(root, "test/fakes/whatsapp.ts"));
  const { startGateway } = await import(path.join(root, "src/gateway/start.ts"));
  const wa = startWhatsAppFake();
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "oc-bench-wa-"));
  const { channels, channelFactories } = wa.gatewayOptions(stateDir);
  fs.writeFileSync(
    path.join(stateDir, "openclaw.json"),
    JSON.stringify({ ...benchModelConfig(model.baseUrl), session: PER_PEER, channels }),
  );
  const gw = await startGateway({
    env: { PATH: process.env.PATH, HOME: stateDir, OPENCLAW_STATE_DIR: stateDir, NODE_ENV: "production" },
    port: 0,
    bind: "loopback",
    stdout: () => {},
    stderr: () => {},
    channelFactories,
  });
  try {
    await wa.waitFor(() => wa.current, "the WhatsApp socket", 30_000);
    await sleep(500); // the socket reports `open` on its next tick; the adapter subscribes on it
    const number = (u) => `1555002${String(u).padStart(4, "0")}`;
    return await closedLoop({
      send: (u, i) => {
        wa.inbound({ from: number(u), text: `hello ${i}`, pushName: `User ${u}` });
        return `${number(u)}@s.whatsapp.net`;
      },
      list: () => wa.sent,
      keyOf: (s) => s.jid,
      waitNext: (n) => wa.waitForSent(n + 1, 60_000),
    });
  } finally {
    await gw.close();
    wa.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

const result = { users: USERS, perUser: PER_USER, channels: {} };
try {
  if (ONLY.includes("idle")) {
    log("  channels: idle RSS with Telegram and Discord connected…");
    result.rss15 = await idleRss();
  }
  for (const name of ["telegram", "discord", "slack", "signal"]) {
    if (!ONLY.includes(name)) continue;
    log(`  channels: ${name}, ${USERS} users × ${PER_USER} messages…`);
    try {
      result.channels[name] = await channelLatency(name);
    } catch (e) {
      result.channels[name] = { error: e.message.split("\n")[0] };
      log(e.message);
    }
  }
  if (ONLY.includes("whatsapp")) {
    log(`  channels: whatsapp (in process), ${USERS} users × ${PER_USER} messages…`);
    try {
      result.channels.whatsapp = await whatsappLatency();
    } catch (e) {
      result.channels.whatsapp = { error: e.message.split("\n")[0] };
      log(e.stack);
    }
  }
} finally {
  await model.close();
}

if (args.includes("--json")) console.log(JSON.stringify(result));
else {
  if (result.rss15 !== undefined) console.log(`idle RSS, guide's config + Telegram and Discord: ${result.rss15.toFixed(1)} MB`);
  for (const [name, r] of Object.entries(result.channels))
    console.log(
      r.error
        ? `${name}: ${r.error}`
        : `${name}: ${USERS} users at once, each writing again ~${THINK_MS / 1000} s after the reply, ${r.count} messages: p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`,
    );
}
process.exit(0);
