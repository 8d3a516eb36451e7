/** The per-session system event queue and its wake requests. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { MAX_SYSTEM_EVENTS, SystemEvents, systemEventLines, type WakeResult } from "../../src/agents/system-events.js";
import type { OpenClawConfig } from "../../src/config/schema.js";
import type { UserMessage } from "../../src/providers/types.js";

const UTC = { agents: { defaults: { envelopeTimezone: "utc" } } } as OpenClawConfig;
const T = Date.UTC(2026, 0, 30, 9, 15, 2);
// Zones come from the project's copy of the tz database, not the host's.
process.env.TZDIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/zoneinfo");

describe("system events", () => {
  it("keeps the last 20 per session, drops a repeat of the note before it, drains once", () => {
    const q = new SystemEvents(() => T);
    assert.equal(q.enqueue("agent:main:main", "a"), true);
    assert.equal(q.enqueue("agent:main:main", " a "), false, "same as the note before");
    q.enqueue("agent:main:main", "b");
    assert.equal(q.enqueue("agent:main:main", "a"), true, "not the one just before: kept");
    assert.equal(q.enqueue("agent:main:main", "   "), false);
    assert.deepEqual(q.peek("agent:main:main"), ["a", "b", "a"]);
    assert.deepEqual(q.peek("agent:work:main"), [], "sessions are separate");
    for (let i = 0; i < 30; i++) q.enqueue("agent:main:main", `n${i}`);
    const drained = q.drain("agent:main:main");
    assert.equal(drained.length, MAX_SYSTEM_EVENTS);
    assert.equal(drained[0]!.text, "n10");
    assert.deepEqual(q.drain("agent:main:main"), []);
    assert.throws(() => q.enqueue(" ", "x"), /need a session key/);
  });

  it("tracks the context a note was queued for", () => {
    const q = new SystemEvents();
    assert.equal(q.contextChanged("s", "node-1"), true);
    q.enqueue("s", "Node: a", "Node-1");
    assert.equal(q.contextChanged("s", "node-1"), false);
    assert.equal(q.contextChanged("s", "node-2"), true);
    q.drain("s");
    assert.equal(q.contextChanged("s", "node-1"), true, "forgotten once drained");
  });

  it("writes the lines in front of the message, leaving out heartbeat noise and 'last input'", () => {
    const q = new SystemEvents(() => T);
    for (const t of [
      "Read HEARTBEAT.md if it exists",
      "Node: a (1.2.3.4) · last input 5s ago · mode ui",
      "Node: b · reason periodic",
      "Cron: report ready",
    ])
      q.enqueue("s", t);
    const user: UserMessage = { role: "user", content: "hi", timestamp: T };
    q.prepend("s", user, UTC);
    assert.equal(
      user.content,
      "System: [2026-01-30T09:15:02Z] Node: a (1.2.3.4) · mode ui\nSystem: [2026-01-30T09:15:02Z] Cron: report ready\n\nhi",
    );
    const again: UserMessage = { role: "user", content: "hi", timestamp: T };
    q.prepend("s", again, UTC);
    assert.equal(again.content, "hi");

    q.enqueue("s", "Photo arrived");
    const image = { type: "image" as const, data: "AAAA", mimeType: "image/png" };
    const withImage: UserMessage = { role: "user", content: [image], timestamp: T };
    q.prepend("s", withImage, UTC);
    assert.deepEqual(withImage.content, [{ type: "text", text: "System: [2026-01-30T09:15:02Z] Photo arrived" }, image]);
  });

  it("formats times in the envelope time zone", () => {
    const ev = [{ text: "x", ts: T }];
    assert.deepEqual(systemEventLines(ev, { agents: { defaults: { envelopeTimezone: "Asia/Tokyo" } } } as OpenClawConfig), [
      "[2026-01-30 18:15:02 GMT+9] x",
    ]);
    assert.deepEqual(systemEventLines(ev, { agents: { defaults: { envelopeTimezone: "user", userTimezone: "UTC" } } } as OpenClawConfig), [
      "[2026-01-30 09:15:02 UTC] x",
    ]);
    assert.deepEqual(systemEventLines(ev, { agents: { defaults: { envelopeTimezone: "Asia/Kolkata" } } } as OpenClawConfig), [
      "[2026-01-30 14:45:02 GMT+5:30] x",
    ]);
    assert.deepEqual(systemEventLines(ev, { agents: { defaults: { envelopeTimezone: "Europe/Dublin" } } } as OpenClawConfig), [
      "[2026-01-30 09:15:02 GMT] x",
    ]);
  });

  it("wake: nothing registered means nothing woken; a handler gets coalesced requests, and busy ones again", async () => {
    const q = new SystemEvents();
    // Wake timers do not hold the process open (the gateway's server does); this test must.
    const alive = setInterval(() => undefined, 1000);
    try {
      assert.equal(q.canWake, false);
      assert.equal(q.requestWake("wake"), false);
      const calls: string[] = [];
      let answer: WakeResult = { status: "skipped", reason: "requests-in-flight" };
      let notify: () => void = () => undefined;
      const called = () => new Promise<void>((r) => (notify = r));
      let next = called();
      q.onWake(async ({ reason }) => {
        calls.push(reason);
        notify();
        return answer;
      });
      await next; // the request made before anyone listened
      assert.deepEqual(calls, ["wake"]);
      next = called();
      answer = { status: "ran" };
      await next; // busy the first time: asked again
      assert.deepEqual(calls, ["wake", "wake"]);
      next = called();
      assert.equal(q.requestWake("a"), true);
      q.requestWake("b");
      await next;
      assert.deepEqual(calls, ["wake", "wake", "b"], "two requests close together: one wake");
    } finally {
      clearInterval(alive);
      q.close();
    }
  });
});
