/**
 * Telegram's 429 "retry after N" is a rule, not a hint: no send of the account may reach Telegram
 * before N seconds have passed, whatever wakes the adapter meanwhile. Each test starts the wait,
 * makes the thing that used to cut it short happen while it runs (proven by its event, and checked
 * to be inside the wait), then reads the fake's call log: every send after the 429 is timed on the
 * fake's clock, so nothing depends on how fast the machine is.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeTelegram } from "../../fakes/telegram.js";
import { startAdapter, until, type Harness } from "./harness.js";

const SENDS = new Set(["sendMessage", "sendPhoto", "sendChatAction"]);
/** `Date.now()` counts whole milliseconds, so two stamps can read up to 1 ms closer than they were. */
const CLOCK_SLACK_MS = 1;
const tooManyRequests = (seconds: number) => ({
  error_code: 429,
  description: `Too Many Requests: retry after ${seconds}`,
  retry_after: seconds,
});

/** Runs `body` against a fresh fake and adapter, stopping both afterwards. */
async function withAdapter(body: (fake: FakeTelegram, h: Harness) => Promise<void>): Promise<void> {
  const fake = await FakeTelegram.start();
  const h = await startAdapter(fake);
  try {
    await body(fake, h);
  } finally {
    await h.adapter.stop();
    await fake.close();
  }
}

interface RateLimit {
  /** Position of the refused call in `fake.calls`. */
  index: number;
  /** When, on the fake's clock, Telegram allows sending again. */
  allowedAt: number;
}

/**
 * Waits until the adapter has met the 429 for the first send from call `from` on (its warning is
 * logged before the outbox schedules the retry).
 */
async function waitForRateLimit(fake: FakeTelegram, h: Harness, from: number, seconds: number): Promise<RateLimit> {
  await until(
    () => h.logs.some((l) => l.startsWith("warn: telegram rate limit (429)")),
    5000,
    () => `the rate limit warning (logs: ${h.logs.join(" | ")})`,
  );
  const index = fake.calls.findIndex((c, i) => i >= from && SENDS.has(c.method));
  assert.ok(index >= 0, "the refused send is in the call log");
  return { index, allowedAt: fake.calls[index]!.at + seconds * 1000 };
}

/** No send after the refused one reached Telegram before it allowed sending again. */
function assertNoSendBefore(fake: FakeTelegram, { index, allowedAt }: RateLimit): void {
  const early = fake.calls.slice(index + 1).filter((c) => SENDS.has(c.method) && c.at < allowedAt - CLOCK_SLACK_MS);
  assert.deepEqual(
    early.map((c) => `${c.method} ${allowedAt - c.at}ms early`),
    [],
  );
}

/** Where in `fake.calls` to look for a 429 about to be provoked. */
const nextCall = (fake: FakeTelegram) => fake.calls.length;

// Each test waits at most a few seconds on purpose; a reply that never goes out must fail, not hang.
describe("telegram adapter: rate limits", { timeout: 30_000 }, () => {
  test("a poll returning and another reply queued during the wait do not end it early; both go out in order after", async () => {
    await withAdapter(async (fake, h) => {
      fake.failNext("sendMessage", tooManyRequests(1));
      const from = nextCall(fake);
      const first = h.adapter.send({ chatId: "555" }, { text: "first reply" });
      const limit = await waitForRateLimit(fake, h, from, 1);

      // A getUpdates poll returns (it carries this message) while the wait runs.
      fake.userSends({ chatId: 555, from: { id: 555, first_name: "Ann" }, text: "are you there?" });
      await h.waitInbound(1);
      // Another reply is queued, and a typing indicator asked for, while the wait runs.
      const second = h.adapter.send({ chatId: "555" }, { text: "second reply" });
      await h.adapter.typing({ chatId: "555" });
      assert.ok(Date.now() < limit.allowedAt, "the poll and the second reply happened during the wait");
      assert.equal(h.adapter.status().queued, 2);

      const [a, b] = await Promise.all([first, second]);
      assertNoSendBefore(fake, limit);
      assert.deepEqual(
        fake.sent.map((s) => s.plain),
        ["first reply", "second reply"],
      );
      assert.deepEqual(
        [...a.messageIds, ...b.messageIds],
        fake.sent.map((s) => String(s.messageId)),
      );
      assert.equal(fake.callCount("sendMessage"), 3, "the refused call, then each reply once");
      assert.equal(fake.callCount("sendChatAction"), 0, "no typing indicator during the wait");
      assert.equal(h.adapter.status().queued, 0);
    });
  });

  test("a reconnect during the wait does not end it early", async () => {
    await withAdapter(async (fake, h) => {
      fake.failNext("sendMessage", tooManyRequests(3));
      const from = nextCall(fake);
      const sending = h.adapter.send({ chatId: "556" }, { text: "after the outage" });
      const limit = await waitForRateLimit(fake, h, from, 3);

      fake.goDown();
      await until(() => !h.adapter.status().connected, 3000, "connected false");
      fake.comeBack();
      await until(() => h.adapter.status().connected, 3000, "connected again");
      assert.ok(Date.now() < limit.allowedAt, "the reconnect happened during the wait");

      await sending;
      assertNoSendBefore(fake, limit);
      assert.deepEqual(
        fake.sent.map((s) => s.plain),
        ["after the outage"],
      );
      assert.equal(fake.callCount("sendMessage"), 2);
    });
  });

  test("a restart during the wait does not end it early", async () => {
    await withAdapter(async (fake, h) => {
      fake.failNext("sendMessage", tooManyRequests(2));
      const from = nextCall(fake);
      const dropped = h.adapter.send({ chatId: "557" }, { text: "queued when stopped" }).catch((err: unknown) => err);
      const limit = await waitForRateLimit(fake, h, from, 2);

      await h.adapter.stop();
      assert.match(String(await dropped), /telegram adapter stopped/);
      await h.adapter.start();
      assert.equal(h.adapter.status().connected, true);
      const sending = h.adapter.send({ chatId: "557" }, { text: "after the restart" });
      assert.ok(Date.now() < limit.allowedAt, "the restart happened during the wait");

      await sending;
      assertNoSendBefore(fake, limit);
      assert.deepEqual(
        fake.sent.map((s) => s.plain),
        ["after the restart"],
      );
    });
  });

  test("a 429 on a typing indicator holds the replies too", async () => {
    await withAdapter(async (fake, h) => {
      fake.failNext("sendChatAction", tooManyRequests(1));
      const from = nextCall(fake);
      await h.adapter.typing({ chatId: "558" });
      const limit = await waitForRateLimit(fake, h, from, 1);

      await h.adapter.send({ chatId: "558" }, { text: "after typing was refused" });
      assertNoSendBefore(fake, limit);
      assert.equal(fake.sent[0]!.plain, "after typing was refused");
      assert.equal(fake.callCount("sendMessage"), 1);
    });
  });
});
