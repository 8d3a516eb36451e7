import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { FakeDiscord } from "../../fakes/discord.js";
import { ALICE, GENERAL, addWorld, harness, until, type Harness } from "./helpers.js";

describe("discord adapter: reconnecting", () => {
  let fake: FakeDiscord;
  let h: Harness;
  before(async () => {
    fake = await FakeDiscord.start({ heartbeatIntervalMs: 500 });
    addWorld(fake);
    h = harness(fake);
    await h.adapter.start();
    assert.equal(h.adapter.status().connected, true);
  });
  after(async () => {
    await h.adapter.stop();
    await fake.close();
  });

  it("a dropped socket is RESUMEd (no second IDENTIFY) and what was said meanwhile is replayed", async () => {
    fake.dropConnection();
    await until(() => !h.adapter.status().connected, 2000, "the adapter to notice the drop");
    // Said while the socket is gone: the gateway keeps it for the session and replays it on RESUME.
    const missed = fake.userSays({ channelId: GENERAL, author: ALICE, content: "did you get this?", mentionBot: true });
    await until(() => h.adapter.status().connected, 5000, "the session to resume");
    assert.equal(fake.resumes, 1);
    assert.equal(fake.identifies, 1);
    const m = await h.next();
    assert.equal(m.messageId, missed);
    assert.equal(m.text, "did you get this?");
    const s = h.adapter.status();
    assert.ok((s.reconnectAttempts ?? 0) >= 1);
    assert.equal(s.lastError, undefined);
    assert.ok(h.logs.some((l) => l.msg === "gateway session resumed"));
    assert.equal(fake.gatewayUrls.at(-1)?.startsWith("/gateway-resume?"), true, "resumes at resume_gateway_url");
  });

  it("a reply sent while Discord is unreachable waits in the outbox and goes out after the reconnect", async () => {
    fake.goDown();
    await until(() => !h.adapter.status().connected, 2000, "the adapter to notice the outage");
    const sending = h.adapter.send({ chatId: GENERAL }, { text: "sent during the outage" });
    const missed = fake.userSays({ channelId: GENERAL, author: ALICE, content: "anyone?" });
    await until(() => (h.adapter.status().reconnectAttempts ?? 0) >= 3, 5000, "three reconnect attempts while Discord is down");
    const during = h.adapter.status();
    assert.equal(during.connected, false);
    assert.equal(during.queued, 1);
    assert.equal(fake.sent.length, 0);
    assert.ok((during.reconnectAttempts ?? 0) >= 3, `reconnectAttempts ${during.reconnectAttempts}`);
    fake.comeBack();
    const { messageIds } = await sending;
    assert.equal(fake.sent.length, 1);
    assert.equal(fake.sent[0]!.content, "sent during the outage");
    assert.equal(messageIds[0], fake.sent[0]!.messageId);
    const s = h.adapter.status();
    assert.equal(s.connected, true);
    assert.equal(s.queued, 0);
    // Refused connections do not cost the session: it is resumed and the message said meanwhile arrives.
    assert.equal(fake.identifies, 1);
    assert.equal(fake.resumes, 2);
    assert.equal((await h.next()).messageId, missed);
  });

  it("op 7 RECONNECT from Discord is a quick resume", async () => {
    const resumes = fake.resumes;
    fake.requestReconnect();
    await until(() => fake.resumes === resumes + 1 && h.adapter.status().connected, 5000, "the resume");
    const id = fake.userSays({ channelId: GENERAL, author: ALICE, content: "still there?" });
    assert.equal((await h.next()).messageId, id);
  });

  it(
    "after an outage long enough for Discord to drop the session, RESUME gets op 9 and a fresh IDENTIFY follows",
    { timeout: 30_000 },
    async () => {
      const resumes = fake.resumes;
      fake.goDown();
      fake.invalidateSession(false);
      await until(() => !h.adapter.status().connected, 2000, "the adapter to notice the outage");
      fake.comeBack();
      // Discord allows one IDENTIFY per 5 s, so this waits for the first session to be 5 s old.
      await until(() => fake.identifies === 2 && h.adapter.status().connected, 10_000, "a new session");
      assert.equal(fake.resumes, resumes + 1, "tried to resume first");
      const id = fake.userSays({ channelId: GENERAL, author: ALICE, content: "new session" });
      assert.equal((await h.next()).messageId, id);
      assert.ok(h.logs.some((l) => /new session/.test(l.msg)));
    },
  );
});
