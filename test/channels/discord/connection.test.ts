import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { FakeDiscord } from "../../fakes/discord.js";
import { addWorld, harness, sleep, until, type Harness } from "./helpers.js";

describe("discord adapter: gateway handshake", () => {
  let fake: FakeDiscord;
  let h: Harness;
  before(async () => {
    fake = await FakeDiscord.start({ botName: "Krill", heartbeatIntervalMs: 100 });
    addWorld(fake);
    h = harness(fake);
    await h.adapter.start();
  });
  after(async () => {
    await h.adapter.stop();
    await fake.close();
  });

  it("identifies once with JSON encoding, no compression and only the four intents it needs", () => {
    assert.equal(fake.identifies, 1);
    assert.equal(fake.resumes, 0);
    assert.equal(fake.lastIdentify?.token, fake.token);
    // Guilds | GuildMessages | DirectMessages | MessageContent
    assert.equal(fake.lastIdentify?.intents, 1 | 512 | 4096 | 32768);
    assert.equal(fake.lastIdentify?.compress, false);
    assert.deepEqual(fake.lastIdentify?.shard, [0, 1]);
    assert.equal(fake.gatewayUrls.length, 1);
    const query = new URLSearchParams(fake.gatewayUrls[0]!.split("?")[1]);
    assert.equal(query.get("v"), "10");
    assert.equal(query.get("encoding"), "json");
    assert.equal(query.get("compress"), null);
  });

  it("reports the bot identity, connection and token source once READY arrives, and logs the login", () => {
    const s = h.adapter.status();
    assert.equal(s.connected, true);
    assert.equal(s.running, true);
    assert.equal(s.configured, true);
    assert.equal(s.botName, "Krill");
    assert.equal(s.botId, fake.botId);
    assert.equal(s.tokenSource, "env");
    assert.equal(s.mode, "gateway");
    assert.equal(s.lastError, undefined);
    assert.equal(typeof s.lastConnectedAt, "number");
    assert.ok(
      h.logs.some((l) => l.level === "info" && l.msg === "logged in to discord as Krill"),
      JSON.stringify(h.logs),
    );
    assert.ok(fake.connected);
  });

  it("keeps the session alive with heartbeats the gateway acknowledges", async () => {
    const before = fake.heartbeats;
    await until(() => fake.heartbeats >= before + 3, 2000, "three heartbeats");
    assert.equal(h.adapter.status().connected, true);
    assert.equal(fake.identifies, 1, "acknowledged heartbeats never force a new session");
  });

  it("probe() checks the token with GET /users/@me and times it", async () => {
    const p = await h.adapter.probe();
    assert.equal(p.ok, true);
    assert.deepEqual(p.bot, { id: fake.botId, name: "Krill" });
    assert.equal(typeof p.latencyMs, "number");
    assert.ok(fake.requests.some((r) => r.path === "/api/v10/users/@me" && r.status === 200));
  });

  it("stop() closes the gateway and refuses further sends", async () => {
    await h.adapter.stop();
    const s = h.adapter.status();
    assert.equal(s.running, false);
    assert.equal(s.connected, false);
    assert.equal(typeof s.lastStopAt, "number");
    await until(() => !fake.connected, 2000, "the fake to see the socket close");
    await assert.rejects(h.adapter.send({ chatId: "300000000000000001" }, { text: "late" }));
    // No event says "will not reconnect": the quiet window is what is tested. A reconnect would start
    // at once (the first retries after a close wait 0 ms), well within it.
    await sleep(700);
    assert.equal(fake.identifies + fake.resumes, 1, "no reconnect after stop");
  });
});

describe("discord adapter: token problems", { concurrency: true }, () => {
  it("without a token: not configured, says how to fix it, start() resolves and nothing is contacted", async () => {
    const fake = await FakeDiscord.start();
    try {
      const h = harness(fake, { env: {} });
      await h.adapter.start();
      const s = h.adapter.status();
      assert.equal(s.configured, false);
      assert.equal(s.running, false);
      assert.equal(s.tokenSource, "none");
      assert.equal(s.lastError, "no bot token: set DISCORD_BOT_TOKEN or channels.discord.token");
      assert.equal(fake.requests.length, 0);
      assert.equal((await h.adapter.probe()).ok, false);
      await h.adapter.stop();
    } finally {
      await fake.close();
    }
  });

  it("prefers DISCORD_BOT_TOKEN for the default account, falls back to config, and other accounts never use the env token", async () => {
    const fake = await FakeDiscord.start();
    try {
      const envFirst = harness(fake, { env: { DISCORD_BOT_TOKEN: fake.token }, config: { token: "stale-config-token" } });
      await envFirst.adapter.start();
      assert.equal(envFirst.adapter.status().tokenSource, "env");
      assert.equal(envFirst.adapter.status().connected, true);
      await envFirst.adapter.stop();

      const fromConfig = harness(fake, { env: {}, config: { token: `Bot ${fake.token}` } });
      await fromConfig.adapter.start();
      assert.equal(fromConfig.adapter.status().tokenSource, "config");
      assert.equal(fromConfig.adapter.status().connected, true, "a pasted `Bot ` prefix is dropped");
      await fromConfig.adapter.stop();

      const second = harness(fake, { accountId: "work", env: { DISCORD_BOT_TOKEN: fake.token } });
      assert.equal(second.adapter.status().tokenSource, "none");
      assert.equal(second.adapter.status().configured, false);
    } finally {
      await fake.close();
    }
  });

  it("a bad token ends in lastError without crashing or retrying", async () => {
    const fake = await FakeDiscord.start();
    try {
      const h = harness(fake, { env: { DISCORD_BOT_TOKEN: "not-a-real-token" } });
      await h.adapter.start();
      await until(() => /^invalid bot token/.test(h.adapter.status().lastError ?? ""), 3000, "lastError to name the bad token");
      // No event says "will not retry": the quiet window is what is tested. A failed GET /gateway/bot
      // is retried after 1 s, so a retry would show within it.
      await sleep(2000);
      const s = h.adapter.status();
      assert.match(s.lastError ?? "", /^invalid bot token \(401/);
      assert.equal(s.connected, false);
      assert.equal(s.running, false);
      assert.equal(fake.identifies, 0);
      assert.equal(fake.requests.filter((r) => r.path === "/api/v10/gateway/bot").length, 1, "asked once, no retry storm");
      await assert.rejects(h.adapter.send({ chatId: "300000000000000001" }, { text: "hi" }), /invalid bot token/);
      const p = await h.adapter.probe();
      assert.equal(p.ok, false);
      assert.match(p.detail ?? "", /invalid bot token/);
      await h.adapter.stop();
    } finally {
      await fake.close();
    }
  });

  it("a token revoked mid-session (gateway close 4004) stops reconnecting", async () => {
    const fake = await FakeDiscord.start({ heartbeatIntervalMs: 1000 });
    try {
      const h = harness(fake);
      await h.adapter.start();
      assert.equal(h.adapter.status().connected, true);
      fake.revokeToken();
      fake.dropConnection();
      await until(() => /4004/.test(h.adapter.status().lastError ?? ""), 3000, "lastError to name close code 4004");
      const attempts = fake.identifies + fake.resumes;
      // No event says "will not reconnect": the quiet window is what is tested. Reconnects after a
      // close start at once, then back off from 500 ms; several would show within it.
      await sleep(2000);
      assert.equal(fake.identifies + fake.resumes, attempts, "no new attempts after 4004");
      assert.ok(attempts <= 2, `attempts: ${attempts}`);
      const s = h.adapter.status();
      assert.match(s.lastError ?? "", /^invalid bot token/);
      assert.equal(s.connected, false);
      assert.equal(s.running, false);
      await h.adapter.stop();
    } finally {
      await fake.close();
    }
  });

  it("MESSAGE_CONTENT not enabled for the bot (close 4014) says which switch to flip and does not retry", async () => {
    const fake = await FakeDiscord.start({ allowMessageContent: false });
    try {
      const h = harness(fake);
      await h.adapter.start();
      await until(() => /4014/.test(h.adapter.status().lastError ?? ""), 3000, "lastError to name close code 4014");
      // No event says "will not retry": the quiet window is what is tested (reconnects start at once).
      await sleep(1000);
      const s = h.adapter.status();
      assert.match(s.lastError ?? "", /4014.*Message Content Intent/);
      assert.equal(s.connected, false);
      assert.equal(fake.identifies, 1);
      await h.adapter.stop();
    } finally {
      await fake.close();
    }
  });
});
