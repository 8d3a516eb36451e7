import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { FakeTelegram } from "../../fakes/telegram.js";
import { startAdapter, until } from "./harness.js";

describe("telegram adapter: start, status, probe, stop", () => {
  let fake: FakeTelegram;
  before(async () => {
    fake = await FakeTelegram.start({ botUsername: "claw_helper_bot", botId: 4242 });
  });
  after(async () => {
    await fake.close();
  });

  test("start logs in, long-polls and reports the bot in status", async () => {
    const h = await startAdapter(fake);
    try {
      const st = h.adapter.status();
      assert.equal(st.connected, true);
      assert.equal(st.running, true);
      assert.equal(st.configured, true);
      assert.equal(st.botName, "claw_helper_bot");
      assert.equal(st.botId, "4242");
      assert.equal(st.mode, "polling");
      assert.equal(st.tokenSource, "config");
      assert.equal(st.baseUrl, fake.apiRoot);
      assert.equal(st.lastError, undefined);
      assert.equal(typeof st.lastConnectedAt, "number");
      assert.ok(h.logs.includes("info: logged in to telegram as @claw_helper_bot"), h.logs.join("\n"));
      // Polling mode removes any webhook first, then polls.
      assert.ok(fake.callCount("deleteWebhook") >= 1);
      await until(() => fake.callCount("getUpdates") >= 1);
    } finally {
      await h.adapter.stop();
    }
  });

  test("adds plugins' chat commands to the menu when their names fit Telegram's", async () => {
    const h = await startAdapter(fake, {
      commands: [
        { name: "hello", description: "Greets the sender" },
        { name: "status", description: "clashes with a native one" },
        { name: "too-long-for-a-menu", description: "still works typed" },
      ],
    });
    try {
      assert.deepEqual(fake.commands.map((c) => c.command).slice(-2), ["help", "hello"]);
    } finally {
      await h.adapter.stop();
    }
  });

  test("registers the native bot commands plus valid custom ones", async () => {
    const h = await startAdapter(fake, {
      config: {
        customCommands: [
          { command: "/Backup", description: "Git backup" },
          { command: "status", description: "clashes with a native one" },
          { command: "bad-name!", description: "invalid" },
        ],
      },
    });
    try {
      assert.deepEqual(
        fake.commands.map((c) => c.command),
        ["new", "reset", "model", "status", "stop", "compact", "help", "backup"],
      );
      assert.ok(fake.commands.every((c) => c.description.length > 0));
      assert.ok(h.logs.some((l) => l.startsWith("warn:") && l.includes("status")));
      assert.ok(h.logs.some((l) => l.startsWith("warn:") && l.includes("bad-name!")));
    } finally {
      await h.adapter.stop();
    }
  });

  test("probe measures getMe", async () => {
    const h = await startAdapter(fake);
    try {
      const p = await h.adapter.probe();
      assert.equal(p.ok, true);
      assert.deepEqual(p.bot, { id: "4242", name: "claw_helper_bot" });
      assert.equal(typeof p.latencyMs, "number");
      assert.ok(p.latencyMs! >= 0 && p.latencyMs! < 5000);
    } finally {
      await h.adapter.stop();
    }
  });

  test("probe works before start and reports a refused token", async () => {
    const good = await startAdapter(fake, { start: false });
    assert.equal((await good.adapter.probe()).ok, true);
    const bad = await startAdapter(fake, { start: false, config: { botToken: "4242:not-the-token" } });
    const p = await bad.adapter.probe();
    assert.equal(p.ok, false);
    assert.match(p.detail ?? "", /401/);
  });

  test("stop ends polling, confirms handled updates and reports lastStopAt", async () => {
    const h = await startAdapter(fake);
    fake.userSends({ chatId: 501, from: { id: 501, first_name: "Ann" }, text: "before stop" });
    await h.waitInbound(1);
    await h.adapter.stop();
    const st = h.adapter.status();
    assert.equal(st.running, false);
    assert.equal(st.connected, false);
    assert.equal(typeof st.lastStopAt, "number");
    // The handled update was confirmed, so a restart would not see it again.
    assert.equal(fake.pendingUpdates().length, 0);

    // stop() waited for the poll loop to end, so nothing polls any more: what arrives now stays
    // with Telegram until the restart below fetches it.
    const pollsAfterStop = fake.callCount("getUpdates");
    fake.userSends({ chatId: 501, from: { id: 501, first_name: "Ann" }, text: "after stop" });
    await assert.rejects(h.adapter.send({ chatId: "501" }, { text: "hi" }), /not running/);
    assert.equal(h.inbound.length, 1);
    assert.equal(fake.callCount("getUpdates"), pollsAfterStop);
    assert.equal(fake.pendingUpdates().length, 1);

    // A restarted adapter picks up what arrived meanwhile, exactly once.
    await h.adapter.start();
    try {
      await h.waitInbound(2);
      assert.deepEqual(
        h.inbound.map((m) => m.text),
        ["before stop", "after stop"],
      );
    } finally {
      await h.adapter.stop();
    }
  });

  test("no token: not configured, start resolves without connecting", async () => {
    const h = await startAdapter(fake, { withToken: false });
    const st = h.adapter.status();
    assert.equal(st.configured, false);
    assert.equal(st.running, false);
    assert.equal(st.connected, false);
    assert.equal(st.tokenSource, "none");
    assert.equal(st.lastError, "no bot token: set TELEGRAM_BOT_TOKEN or channels.telegram.botToken");
    assert.equal((await h.adapter.probe()).ok, false);
    await h.adapter.stop();
  });

  test("TELEGRAM_BOT_TOKEN is used for the default account only", async () => {
    const h = await startAdapter(fake, { withToken: false, env: { TELEGRAM_BOT_TOKEN: fake.token } });
    try {
      assert.equal(h.adapter.status().tokenSource, "env");
      assert.equal(h.adapter.status().connected, true);
    } finally {
      await h.adapter.stop();
    }
    const other = await startAdapter(fake, { withToken: false, accountId: "work", env: { TELEGRAM_BOT_TOKEN: fake.token } });
    assert.equal(other.adapter.status().configured, false);
    assert.equal(other.adapter.status().tokenSource, "none");
    assert.equal(other.adapter.status().connected, false);
  });

  test("tokenFile is read (config wins over env)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tg-token-"));
    try {
      const file = path.join(dir, "token");
      fs.writeFileSync(file, `${fake.token}\n`);
      const h = await startAdapter(fake, { withToken: false, config: { tokenFile: file }, env: { TELEGRAM_BOT_TOKEN: "1:wrong" } });
      try {
        assert.equal(h.adapter.status().tokenSource, "config");
        assert.equal(h.adapter.status().connected, true);
      } finally {
        await h.adapter.stop();
      }
      const missing = await startAdapter(fake, { withToken: false, config: { tokenFile: path.join(dir, "nope") } });
      assert.equal(missing.adapter.status().configured, false);
      assert.match(missing.adapter.status().lastError ?? "", /cannot read tokenFile .*nope \(ENOENT\)/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
