import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeTelegram } from "../../fakes/telegram.js";
import { freePort, startAdapter, until } from "./harness.js";

async function webhookAdapter(fake: FakeTelegram, secret?: string) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/telegram-webhook`;
  const h = await startAdapter(fake, {
    config: { webhookUrl: url, ...(secret ? { webhookSecret: secret } : {}) },
    env: { OPENCLAW_TELEGRAM_WEBHOOK_HOST: "127.0.0.1", OPENCLAW_TELEGRAM_WEBHOOK_PORT: String(port) },
  });
  return { h, url };
}

const update = (text: string) => ({
  update_id: 999_001,
  message: {
    message_id: 77,
    date: Math.floor(Date.now() / 1000),
    chat: { id: 5, type: "private", first_name: "Eve" },
    from: { id: 5, is_bot: false, first_name: "Eve" },
    text,
  },
});

describe("telegram adapter: webhook mode", () => {
  test("registers the webhook with its secret and receives updates through it", async () => {
    const fake = await FakeTelegram.start();
    const { h, url } = await webhookAdapter(fake, "s3cret-Token_1");
    try {
      const st = h.adapter.status();
      assert.equal(st.mode, "webhook");
      assert.equal(st.connected, true);
      assert.deepEqual(fake.webhook, { url, secret: "s3cret-Token_1", allowedUpdates: ["message"] });

      fake.userSends({ chatId: 808, from: { id: 808, username: "wendy", first_name: "Wendy" }, text: "via webhook" });
      await h.waitInbound(1);
      assert.equal(h.inbound[0]!.text, "via webhook");
      assert.deepEqual(h.inbound[0]!.chat, { kind: "dm", id: "808" });
      // Telegram sees the update acknowledged (and would not redeliver it).
      await fake.waitFor(() => fake.pendingUpdates().length === 0, 2000, "the update to be acknowledged");
      assert.equal(fake.webhookDeliveries.at(-1)?.status, 200);
      assert.equal(fake.callCount("getUpdates"), 0);

      // Replies work as in polling mode.
      await h.adapter.send({ chatId: "808" }, { text: "got it" });
      assert.equal(fake.sent[0]!.plain, "got it");
    } finally {
      await h.adapter.stop();
      await fake.close();
    }
  });

  test("rejects a wrong or missing secret with 401 and delivers nothing", async () => {
    const fake = await FakeTelegram.start();
    const { h, url } = await webhookAdapter(fake, "right-secret");
    try {
      const post = (headers: Record<string, string>) =>
        fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(update("forged")) });
      assert.equal((await post({ "x-telegram-bot-api-secret-token": "wrong-secret" })).status, 401);
      assert.equal((await post({})).status, 401);
      assert.equal((await fetch(url)).status, 405);
      assert.equal((await fetch(url.replace("/telegram-webhook", "/other"), { method: "POST", body: "{}" })).status, 404);
      assert.equal(h.inbound.length, 0);

      // The same update with the right secret goes through; only it, none of the refused ones, arrives.
      const ok = await post({ "x-telegram-bot-api-secret-token": "right-secret" });
      assert.equal(ok.status, 200);
      await h.waitInbound(1);
      assert.deepEqual(
        h.inbound.map((m) => m.text),
        ["forged"],
      );
    } finally {
      await h.adapter.stop();
      await fake.close();
    }
  });

  test("without webhookSecret a random secret still guards the listener", async () => {
    const fake = await FakeTelegram.start();
    const { h, url } = await webhookAdapter(fake);
    try {
      assert.ok((fake.webhook?.secret ?? "").length >= 24);
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(update("no secret")),
      });
      assert.equal(res.status, 401);
      fake.userSends({ chatId: 9, from: { id: 9, first_name: "Real" }, text: "from telegram" });
      await h.waitInbound(1);
      assert.equal(h.inbound[0]!.text, "from telegram");
    } finally {
      await h.adapter.stop();
      await fake.close();
    }
  });

  test("a reply that hits an outage is queued and delivered once the API answers again", async () => {
    const fake = await FakeTelegram.start();
    const { h } = await webhookAdapter(fake, "abc");
    try {
      fake.goDown();
      const sending = h.adapter.send({ chatId: "42" }, { text: "eventually" });
      await until(() => !h.adapter.status().connected, 3000, "connected false");
      assert.equal(h.adapter.status().queued, 1);
      fake.comeBack();
      await sending;
      assert.equal(fake.sent.length, 1);
      assert.equal(fake.sent[0]!.plain, "eventually");
      await until(() => h.adapter.status().connected, 3000, "connected again");
    } finally {
      await h.adapter.stop();
      await fake.close();
    }
  });

  test("stop closes the listener", async () => {
    const fake = await FakeTelegram.start();
    const { h, url } = await webhookAdapter(fake, "abc");
    await h.adapter.stop();
    await assert.rejects(fetch(url, { method: "POST", body: "{}" }));
    assert.equal(h.adapter.status().running, false);
    await fake.close();
  });
});
