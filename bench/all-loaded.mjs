#!/usr/bin/env node
// The built gateway (dist/index.js, launched as bench/lib.mjs does) with everything loaded at once:
// Telegram, Discord, Slack and Signal connected to their fakes on loopback, one linked WhatsApp
// account, cron with a few jobs, memory search enabled over a small workspace that was indexed first
// (`openclaw memory index`), the voice-call plugin on a fake Twilio, and a third-party plugin loaded
// from a directory (test/fixtures/plugins/hello, TypeScript, through the plugin loader; loaded once by
// `openclaw plugins list` beforehand, so its transpiled code is cached as on every start but the first
// after installing or editing it; --cold skips that). It waits for
// every channel, idles 15 s, and reports VmRSS / RssAnon and the time until the gateway listened.
//
// WhatsApp is measured in the built gateway, not in process: WhatsApp's servers cannot be faked at
// the wire (Baileys checks their certificate against a key built into it) and the built gateway takes
// no socket factory, so the account is linked with fresh credentials (Baileys' `initAuthCreds`) and,
// as in bench/whatsapp-rss.mjs, dials out, fails and backs off. That is the library and one account
// in its reconnect loop, i.e. what a linked account costs while idle, less its open socket and the
// state a live session syncs. Measuring in process with the fake socket instead would also count tsx
// and the TypeScript sources, which the real gateway never holds.
//
//   node --import tsx bench/all-loaded.mjs [--json] [--breakdown]
//
// --breakdown also launches the gateway with the pieces added one at a time (none, +Telegram and
// Discord, +Slack and Signal, +WhatsApp, +cron and memory, +voice calls, +the third-party plugin)
// and reports what each adds. --pieces a,b launches it with only those pieces.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { launch, procMb, root, seedConfig, sleep, targets } from "./lib.mjs";

const args = process.argv.slice(2);
const JSON_OUT = args.includes("--json");
const BREAKDOWN = args.includes("--breakdown");
// --pieces a,b: only those pieces (names as in PIECES), e.g. to measure one of them on its own.
// --snapshot <file>: also writes a heap snapshot of the gateway at the end of the idle time.
const SNAPSHOT = args.includes("--snapshot") ? path.resolve(args[args.indexOf("--snapshot") + 1]) : null;
// --cold: the third-party plugin starts uncached (the first start after installing or editing it).
const COLD = args.includes("--cold");
const ONLY = args.includes("--pieces") ? args[args.indexOf("--pieces") + 1].split(",") : null;
const IDLE_MS = 15_000;

const { FakeTelegram } = await import(path.join(root, "test/fakes/telegram.ts"));
const { FakeDiscord } = await import(path.join(root, "test/fakes/discord.ts"));
const { FakeLlm } = await import(path.join(root, "test/fakes/llm.ts"));
const { startSlackFake } = await import(path.join(root, "test/fakes/slack.ts"));
const { startSignalFake } = await import(path.join(root, "test/fakes/signal.ts"));
const { FakeTwilio } = await import(path.join(root, "test/fakes/twilio.ts"));
const { initAuthCreds, BufferJSON } = await import("@whiskeysockets/baileys");

const tg = await FakeTelegram.start();
const dc = await FakeDiscord.start();
dc.addGuild({ id: "100000000000000001", name: "Home", channels: [{ id: "100000000000000002", name: "general" }] });
const slack = await startSlackFake();
const signal = await startSignalFake({ account: "+15550009999" });
const twilio = await FakeTwilio.start();
const llm = await FakeLlm.start("anthropic");
llm.responder = () => ({ text: "ok" });

const PIECES = ["telegram+discord", "slack+signal", "whatsapp", "cron+memory", "voice-call", "plugin"];

/** Writes the config for `pieces` into `stateDir`, with cron jobs and an indexed memory workspace when asked; returns the env. */
function fill(stateDir, pieces) {
  const has = (p) => pieces.includes(p);
  const cfg = JSON.parse(fs.readFileSync(seedConfig, "utf8"));
  cfg.gateway.bind = "loopback";
  cfg.models = { providers: { anthropic: { baseUrl: llm.baseUrl, models: [] }, openai: { baseUrl: "http://127.0.0.1:9/v1", models: [] } } };
  cfg.channels = {};
  if (has("telegram+discord")) {
    cfg.channels.discord = {
      enabled: true,
      apiBaseUrl: dc.apiBaseUrl,
      groupPolicy: "allowlist",
      guilds: { "100000000000000001": { channels: { general: { allow: true } }, requireMention: false } },
    };
    cfg.channels.telegram = { apiRoot: tg.apiRoot, dmPolicy: "open", allowFrom: ["*"] };
  }
  if (has("slack+signal")) {
    cfg.channels.slack = { apiBaseUrl: slack.apiBaseUrl, botToken: slack.botToken, appToken: slack.appToken };
    cfg.channels.signal = { account: signal.account, httpUrl: signal.url };
  }
  if (has("whatsapp")) {
    const authDir = path.join(stateDir, "wa-auth");
    fs.mkdirSync(authDir);
    const creds = initAuthCreds();
    creds.me = { id: "15550001111:1@s.whatsapp.net", name: "bench" };
    creds.registered = true;
    fs.writeFileSync(path.join(authDir, "creds.json"), JSON.stringify(creds, BufferJSON.replacer));
    cfg.channels.whatsapp = { allowFrom: ["+15550002222"], accounts: { default: { authDir } } };
  }
  if (has("cron+memory")) {
    const ws = path.join(stateDir, "workspace");
    fs.mkdirSync(path.join(ws, "memory"), { recursive: true });
    fs.writeFileSync(path.join(ws, "MEMORY.md"), "# Memory\n\nThe owner likes green tea and walks the dog at seven.\n");
    for (let d = 1; d <= 5; d++) {
      const lines = Array.from(
        { length: 30 },
        (_, i) => `- note ${i} of day ${d}: the passport renewal, the garden, the train to the coast.`,
      );
      fs.writeFileSync(path.join(ws, "memory", `2026-11-0${d}.md`), `# 2026-11-0${d}\n\n${lines.join("\n")}\n`);
    }
    cfg.agents.defaults.workspace = ws;
    cfg.agents.defaults.memorySearch = { enabled: true };
    cfg.cron = { enabled: true };
    const now = Date.now();
    const job = (id, schedule, text) => ({
      id,
      name: id,
      enabled: true,
      createdAtMs: now,
      updatedAtMs: now,
      schedule,
      sessionTarget: "main",
      wakeMode: "next-heartbeat",
      payload: { kind: "systemEvent", text },
      state: {},
    });
    fs.mkdirSync(path.join(stateDir, "cron"));
    fs.writeFileSync(
      path.join(stateDir, "cron", "jobs.json"),
      JSON.stringify({
        version: 1,
        jobs: [
          job("morning", { kind: "cron", expr: "0 7 * * *", tz: "Europe/Berlin" }, "Good morning"),
          job("hourly", { kind: "every", everyMs: 3_600_000 }, "Hourly check"),
          job("later", { kind: "at", atMs: now + 86_400_000 }, "Tomorrow"),
        ],
      }),
    );
  }
  const plugins = { entries: {} };
  if (has("voice-call")) Object.assign(plugins.entries, twilio.plugins().entries);
  if (has("plugin")) {
    plugins.load = { paths: [path.join(root, "test/fixtures/plugins/hello")] };
    plugins.entries.hello = { config: { greeting: "Hi", repeat: 1 } };
  }
  if (Object.keys(plugins.entries).length || plugins.load) cfg.plugins = plugins;
  fs.writeFileSync(path.join(stateDir, "openclaw.json"), JSON.stringify(cfg, null, 2));
  const env = { OPENCLAW_STATE_DIR: stateDir, HOME: stateDir, ANTHROPIC_API_KEY: "bench" };
  // The tokens alone would start those channels.
  if (has("telegram+discord")) Object.assign(env, { TELEGRAM_BOT_TOKEN: tg.token, DISCORD_BOT_TOKEN: dc.token });
  if (has("plugin") && !COLD) {
    // Loads the plugin once, as any earlier start would: its transpiled code is then cached.
    execFileSync(process.execPath, [path.join(root, "dist/index.js"), "plugins", "list"], {
      env: { PATH: process.env.PATH, ...env },
      stdio: "ignore",
    });
  }
  if (has("cron+memory")) {
    execFileSync(process.execPath, [path.join(root, "dist/index.js"), "memory", "index"], {
      env: { PATH: process.env.PATH, ...env },
      stdio: "ignore",
    });
  }
  return env;
}

/** {@link fill}s a fresh state dir, removed again if that fails. */
function prepare(pieces) {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "oc-bench-all-"));
  try {
    return { stateDir, env: fill(stateDir, pieces) };
  } catch (e) {
    fs.rmSync(stateDir, { recursive: true, force: true });
    throw e;
  }
}

async function measure(pieces) {
  const { stateDir, env } = prepare(pieces);
  if (process.env.BENCH_NODE_OPTIONS) env.NODE_OPTIONS = `--max-old-space-size=1536 ${process.env.BENCH_NODE_OPTIONS}`;
  if (SNAPSHOT) env.NODE_OPTIONS = "--max-old-space-size=1536 --heapsnapshot-signal=SIGUSR2";
  const gw = await launch(targets.ours, { env, bind: "loopback" });
  const has = (p) => pieces.includes(p);
  const until = async (re, what, ms = 30_000) => {
    const end = Date.now() + ms;
    while (!re.test(gw.output())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${gw.output()}`);
      await sleep(10);
    }
  };
  try {
    if (has("telegram+discord")) {
      await until(/logged in to telegram/, "telegram login");
      await until(/logged in to discord/, "discord login");
    }
    if (has("slack+signal")) {
      await until(/logged in to slack/, "slack login");
      await until(/connected to signal-cli/, "signal-cli stream");
    }
    if (has("whatsapp")) await until(/\[whatsapp\]/, "the WhatsApp account");
    await sleep(IDLE_MS);
    const out = gw.output();
    if (has("plugin") && /plugin.*hello.*(fail|error)/i.test(out)) throw new Error(`the hello plugin did not load:\n${out}`);
    const r = { rss15: procMb(gw.child.pid, "VmRSS"), anon15: procMb(gw.child.pid, "RssAnon"), listeningMs: gw.listeningMs, output: out };
    if (SNAPSHOT) {
      process.kill(gw.child.pid, "SIGUSR2");
      const end = Date.now() + 30_000;
      let file;
      while (!(file = fs.readdirSync(gw.stateDir).find((f) => f.endsWith(".heapsnapshot"))) && Date.now() < end) await sleep(100);
      // Written in pieces (the file appears empty first): copied once its size stops changing.
      if (file) {
        const written = path.join(gw.stateDir, file);
        const done = Date.now() + 120_000;
        for (let size = -1; ;) {
          await sleep(1000);
          const now = fs.statSync(written).size;
          if (now > 0 && now === size) break;
          if (Date.now() > done) throw new Error(`${file} was still being written 2 minutes after it appeared`);
          size = now;
        }
        fs.copyFileSync(written, SNAPSHOT);
      }
    }
    return r;
  } finally {
    await gw.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

const r1 = (x) => Math.round(x * 10) / 10;
try {
  const all = await measure(ONLY ?? PIECES);
  const result = { rss15: r1(all.rss15), anon15: r1(all.anon15), listeningMs: Math.round(all.listeningMs) };
  const lines = [
    "built gateway, everything loaded (Telegram, Discord, Slack, Signal on fakes; a linked WhatsApp account dialling out;",
    "cron with 3 jobs; memory indexed; voice calls on a fake Twilio; the hello plugin from a directory):",
    `  listening ${result.listeningMs} ms after launch; after ${IDLE_MS / 1000} s idle: ${result.rss15} MB RSS (${result.anon15} MB anonymous)`,
  ];
  if (ONLY) lines[0] = `built gateway with only: ${ONLY.join(", ")}`;
  if (ONLY) lines.splice(1, 1);
  if (BREAKDOWN && !ONLY) {
    result.breakdown = {};
    let prev = null;
    for (let i = 0; i <= PIECES.length; i++) {
      const pieces = PIECES.slice(0, i);
      const r = i === PIECES.length ? all : await measure(pieces);
      const name = i === 0 ? "none" : `+${PIECES[i - 1]}`;
      result.breakdown[name] = { rss15: r1(r.rss15), anon15: r1(r.anon15), listeningMs: Math.round(r.listeningMs) };
      const delta = prev === null ? "" : ` (${r.rss15 - prev >= 0 ? "+" : ""}${(r.rss15 - prev).toFixed(1)})`;
      lines.push(
        `  ${name.padEnd(18)} ${r.rss15.toFixed(1)} MB RSS${delta}, ${r.anon15.toFixed(1)} MB anonymous, listening ${Math.round(r.listeningMs)} ms`,
      );
      prev = r.rss15;
    }
  }
  for (const l of lines) console.log(l);
  if (JSON_OUT) console.log(JSON.stringify(result));
} finally {
  await Promise.all([tg.close(), dc.close(), llm.close(), slack.close(), signal.close(), twilio.close()]);
}
