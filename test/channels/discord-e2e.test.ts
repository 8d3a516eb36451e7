/**
 * Discord (and Telegram) through the whole gateway, configured like the Fly.io guide's openclaw.json:
 * the real Discord libraries against the fake Discord gateway + REST API, grammY against the fake Bot
 * API, the real router and agent runtime, a fake model. What the people in those chats would see.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { FakeDiscord } from "../fakes/discord.js";
import { FakeLlm } from "../fakes/llm.js";
import { FakeTelegram } from "../fakes/telegram.js";
import { connect, fixture, startTestGateway, waitFor, type TestGateway } from "../helpers/gateway.js";

const GUILD = "900000000000000001";
const GENERAL = "900000000000000011";
const RANDOM = "900000000000000012";
const OWNER = { id: "800000000000000001", username: "olivia", global_name: "Olivia" };
const STRANGER = { id: "800000000000000002", username: "sam" };
const TG_OWNER = { id: 7101, username: "olivia_tg", first_name: "Olivia" };

describe("Discord end to end, with the guide's openclaw.json", () => {
  let llm: FakeLlm;
  let dc: FakeDiscord;
  let tg: FakeTelegram;
  let gw: TestGateway;
  const latest = () => llm.requests.at(-1)!;

  before(async () => {
    llm = await FakeLlm.start("anthropic");
    dc = await FakeDiscord.start({ botName: "Krill" });
    dc.addGuild({
      id: GUILD,
      name: "Home",
      channels: [
        { id: GENERAL, name: "general" },
        { id: RANDOM, name: "random" },
      ],
    });
    tg = await FakeTelegram.start();

    // The guide's file as published, with its placeholder guild id filled in and the services pointed
    // at the fakes; plus a second agent that Telegram is bound to.
    const config = JSON.parse(fixture("reference/seed-openclaw.json"));
    config.channels.discord.guilds = { [GUILD]: config.channels.discord.guilds.YOUR_GUILD_ID };
    config.channels.discord.apiBaseUrl = dc.apiBaseUrl;
    config.channels.telegram = { apiRoot: tg.apiRoot, allowFrom: [String(TG_OWNER.id)] };
    config.agents.list.push({ id: "work", model: "anthropic/claude-haiku-4-5" });
    config.bindings.push({ agentId: "work", match: { channel: "telegram" } });
    config.models = { providers: { anthropic: { baseUrl: llm.baseUrl, models: [] } } };
    gw = await startTestGateway({
      config,
      env: {
        ANTHROPIC_API_KEY: "k",
        OPENAI_API_KEY: "k",
        DISCORD_BOT_TOKEN: dc.token,
        TELEGRAM_BOT_TOKEN: tg.token,
        OPENCLAW_TELEGRAM_POLL_TIMEOUT: "1",
      },
      // Debug output names every message the router ignores, and why: what proves a message was dropped.
      verbose: true,
    });
    await waitFor(() => gw.output.some((l) => l.includes("[discord] logged in to discord as Krill")), 10_000, "discord login line");
    await waitFor(() => gw.output.some((l) => /\[telegram\] logged in to telegram as @/.test(l)), 10_000, "telegram login");
  });
  after(async () => {
    await gw?.close();
    await Promise.all([dc?.close(), tg?.close(), llm?.close()]);
  });

  it("answers in an allowed guild channel without a mention (requireMention: false), as a reply", async () => {
    llm.enqueue({ text: "Good morning, Olivia." });
    const n = dc.sent.length;
    const asked = dc.userSays({ channelId: GENERAL, guildId: GUILD, author: OWNER, content: "good morning" });
    await dc.waitForSent(n + 1, 10_000);
    assert.equal(dc.sent[n]!.channelId, GENERAL);
    assert.equal(dc.sent[n]!.content, "Good morning, Olivia.");
    assert.equal(dc.sent[n]!.replyTo, asked);
    assert.equal(latest().model, "claude-opus-4-5", "the guide's primary model, through the main agent");
    assert.ok(dc.typing.includes(GENERAL), "typing shown while the agent worked");
  });

  it("ignores channels the guild allowlist does not name", async () => {
    const calls = llm.requests.length;
    const n = dc.sent.length;
    dc.userSays({ channelId: RANDOM, guildId: GUILD, author: OWNER, content: "anyone here?", mentionBot: true });
    const line = `discord: ignored message from ${OWNER.id} in channel ${RANDOM}: `;
    await waitFor(() => gw.output.some((l) => l.includes(line)), 5000, `"${line}"`);
    assert.equal(dc.sent.length, n, "no reply in #random");
    assert.equal(llm.requests.length, calls, "the agent was not run");
  });

  it("pairs a stranger's DM: a code, no agent run, then the agent answers once approved", async () => {
    const calls = llm.requests.length;
    const n = dc.sent.length;
    const dm = dc.userDMs({ author: STRANGER, content: "hi, who are you?" });
    await dc.waitForSent(n + 1, 10_000);
    assert.equal(dc.sent[n]!.channelId, dm.channelId);
    const code = /pairing approve discord ([A-Z2-9]{8})/.exec(dc.sent[n]!.content)?.[1];
    assert.ok(code, `pairing message: ${dc.sent[n]!.content}`);
    assert.equal(llm.requests.length, calls, "no agent run for an unapproved sender");

    const c = await connect(gw.wsUrl);
    const pending = await c.request<{ requests: Array<{ code: string; id: string }> }>("pairing.list", { channel: "discord" });
    assert.ok(pending.requests.some((r) => r.code === code && r.id === STRANGER.id));
    await c.request("pairing.approve", { channel: "discord", code });
    c.close();
    const stored = JSON.parse(fs.readFileSync(path.join(gw.stateDir, "credentials/discord-allowFrom.json"), "utf8"));
    assert.ok(JSON.stringify(stored).includes(STRANGER.id), "approval persisted like OpenClaw's");

    llm.enqueue({ text: "I am Krill, Olivia's assistant." });
    dc.userDMs({ author: STRANGER, content: "and now?" });
    await dc.waitForSent(n + 2, 10_000);
    assert.equal(dc.sent[n + 1]!.content, "I am Krill, Olivia's assistant.");
    assert.equal(dc.sent[n + 1]!.channelId, dm.channelId);
  });

  it("bindings send Telegram to the second agent and Discord to the main one", async () => {
    llm.enqueue({ text: "From the work agent." });
    const t = tg.sent.length;
    tg.userSends({ chatId: TG_OWNER.id, chatType: "private", from: TG_OWNER, text: "status report?" });
    await tg.waitForSent(t + 1, 10_000);
    assert.equal(tg.sent[t]!.plain ?? tg.sent[t]!.text, "From the work agent.");
    assert.equal(latest().model, "claude-haiku-4-5");

    llm.enqueue({ text: "From the main agent." });
    const n = dc.sent.length;
    dc.userSays({ channelId: GENERAL, guildId: GUILD, author: OWNER, content: "and you?" });
    await dc.waitForSent(n + 1, 10_000);
    assert.equal(dc.sent[n]!.content, "From the main agent.");
    assert.equal(latest().model, "claude-opus-4-5");

    const c = await connect(gw.wsUrl);
    const sessions = await c.request<{ sessions: Array<{ key: string }> }>("sessions.list", {});
    c.close();
    const keys = sessions.sessions.map((s) => s.key);
    assert.ok(
      keys.some((k) => k.startsWith("agent:work:")),
      keys.join(", "),
    );
    assert.ok(
      keys.some((k) => k.startsWith("agent:main:discord:")),
      keys.join(", "),
    );
  });

  it("a reply finished while Discord is unreachable is delivered after the reconnect, and status shows the outage", async () => {
    llm.enqueue({ text: "Written during the outage.", delayMs: 400 });
    const n = dc.sent.length;
    const resumesBefore = dc.resumes;
    dc.userSays({ channelId: GENERAL, guildId: GUILD, author: OWNER, content: "are you there?" });
    await waitFor(() => latest().messages.at(-1)?.text.endsWith("]: are you there?"), 5000, "the agent to start");
    dc.goDown();

    const c = await connect(gw.wsUrl);
    const account = async () => (await c.request<any>("channels.status", {})).channelAccounts.discord[0];
    await waitFor(async () => (await account()).connected === false, 10_000, "status to show the outage");
    // The agent answers meanwhile; its reply cannot go out and waits in the queue.
    await waitFor(async () => (await account()).queued >= 1, 10_000, "the reply to wait in the queue");
    assert.equal(dc.sent.length, n, "nothing could be delivered while down");

    dc.comeBack();
    await dc.waitForSent(n + 1, 20_000);
    assert.equal(dc.sent[n]!.content, "Written during the outage.");
    assert.ok(dc.resumes > resumesBefore, "the session was resumed, not started over");
    const s = await c.request<any>("channels.status", { probe: true });
    c.close();
    assert.equal(s.channelAccounts.discord[0].connected, true);
    assert.equal(s.channelAccounts.discord[0].probe.ok, true);
    assert.equal(s.channelAccounts.discord[0].probe.bot.name, "Krill");
  });
});
