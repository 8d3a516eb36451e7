import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeTelegram } from "../../fakes/telegram.js";
import { startAdapter, until } from "./harness.js";

describe("telegram adapter: outages and bad credentials", () => {
  test("an outage marks the channel disconnected; a reply sent meanwhile is delivered after reconnect", async () => {
    const fake = await FakeTelegram.start();
    const h = await startAdapter(fake);
    try {
      assert.equal(h.adapter.status().connected, true);
      fake.goDown();
      await until(() => !h.adapter.status().connected, 3000, "connected false");
      const down = h.adapter.status();
      assert.ok((down.reconnectAttempts ?? 0) >= 1);
      assert.match(down.lastError ?? "", /cannot reach http:\/\/127\.0\.0\.1:\d+/);
      assert.ok(!(down.lastError ?? "").includes(fake.token), "the token never shows in status");
      assert.equal(down.running, true);

      let delivered = false;
      const sending = h.adapter.send({ chatId: "321" }, { text: "sent while offline" }).then((r) => {
        delivered = true;
        return r;
      });
      // The reply waits through the next failed reconnect attempt: queued, not sent, not dropped.
      const attempts = down.reconnectAttempts ?? 0;
      await until(() => (h.adapter.status().reconnectAttempts ?? 0) > attempts, 5000, "another reconnect attempt");
      assert.equal(delivered, false);
      assert.equal(h.adapter.status().queued, 1);
      assert.equal(fake.sent.length, 0);

      fake.comeBack();
      const { messageIds } = await sending;
      assert.equal(fake.sent.length, 1);
      assert.equal(fake.sent[0]!.plain, "sent while offline");
      assert.deepEqual(messageIds, [String(fake.sent[0]!.messageId)]);
      await until(() => h.adapter.status().connected, 3000, "connected again");
      const up = h.adapter.status();
      assert.equal(up.lastError, undefined);
      assert.equal(up.queued, 0);
      assert.equal(up.reconnectAttempts, 0);

      // Inbound works again too.
      fake.userSends({ chatId: 321, from: { id: 321, first_name: "Kim" }, text: "back?" });
      await h.waitInbound(1);
      assert.equal(h.inbound[0]!.text, "back?");
    } finally {
      await h.adapter.stop();
      await fake.close();
    }
  });

  test("a rejected token ends in a clear lastError without a retry loop", async () => {
    const fake = await FakeTelegram.start();
    const h = await startAdapter(fake, { config: { botToken: "123456:definitely-not-valid" } });
    try {
      const st = h.adapter.status();
      assert.equal(st.connected, false);
      assert.equal(st.configured, true);
      assert.equal(st.lastError, "invalid bot token (401 Unauthorized)");
      assert.ok(h.logs.some((l) => l.startsWith("error:") && l.includes("401")));
      // Not running is the proof there is no retry loop: start() returns without starting one, and
      // the loop ends as soon as the token is rejected.
      assert.equal(st.running, false);
      assert.equal(fake.callCount("getMe"), 1);
      assert.equal(fake.callCount("getUpdates"), 0);
      assert.equal(h.adapter.status().lastError, "invalid bot token (401 Unauthorized)");
      await assert.rejects(h.adapter.send({ chatId: "1" }, { text: "hi" }), /invalid bot token \(401 Unauthorized\)/);
    } finally {
      await h.adapter.stop();
      await fake.close();
    }
  });

  test("an unreachable API at start resolves start() and connects once it is back", async () => {
    const fake = await FakeTelegram.start();
    fake.goDown();
    const h = await startAdapter(fake);
    try {
      const st = h.adapter.status();
      assert.equal(st.running, true);
      assert.equal(st.connected, false);
      assert.equal(st.reconnectAttempts, 1);
      assert.match(st.lastError ?? "", /cannot reach/);
      fake.comeBack();
      await until(() => h.adapter.status().connected, 4000, "connected");
      assert.equal(h.adapter.status().botName, fake.botUsername);
      assert.equal(fake.commands.length, 7);
    } finally {
      await h.adapter.stop();
      await fake.close();
    }
  });
});
