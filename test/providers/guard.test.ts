/**
 * The guard every provider client reads its SDK stream through: idle timeout, caller abort, and what
 * it keeps while a long reply streams.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import v8 from "node:v8";
import vm from "node:vm";
import { setImmediate as nextTurn } from "node:timers/promises";
import { RequestGuard } from "../../src/providers/common.js";
import { ProviderError } from "../../src/providers/types.js";

const CTX = { provider: "p", model: "m" };

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

describe("RequestGuard", { timeout: 20_000 }, () => {
  it("holds nothing of a chunk once it has handed it on, however many chunks a reply has", async () => {
    const guard = new RequestGuard(CTX, new AbortController().signal, 60_000);
    const refs: Array<WeakRef<object>> = [];
    for (let i = 0; i < 2_000; i++) {
      const chunk = { done: false, value: { text: `piece ${i}` } };
      refs.push(new WeakRef(chunk));
      assert.equal(await guard.wait(Promise.resolve(chunk)), chunk);
    }
    // WeakRefs keep their target until the current job ends; the last chunk may still be on the stack.
    await nextTurn();
    gc();
    const kept = refs.filter((r) => r.deref() !== undefined).length;
    assert.ok(kept <= 2, `${kept} of 2,000 chunks still held while the reply goes on`);
    guard.dispose();
  });

  it("rejects the wait in progress at once when the caller aborts, and every wait after it", async () => {
    const caller = new AbortController();
    const guard = new RequestGuard(CTX, caller.signal, 60_000);
    const never = new Promise<never>(() => {});
    const waiting = guard.wait(never);
    caller.abort();
    await assert.rejects(waiting, (e: unknown) => e instanceof ProviderError && e.kind === "aborted");
    assert.equal(guard.signal.aborted, true);
    await assert.rejects(guard.wait(Promise.resolve(1)), (e: unknown) => e instanceof ProviderError && e.kind === "aborted");
    guard.dispose();
  });

  it("times out a wait that gets no data, and only while waiting", async () => {
    const guard = new RequestGuard(CTX, undefined, 50);
    assert.equal(await guard.wait(Promise.resolve("first")), "first");
    await new Promise((r) => setTimeout(r, 120)); // the consumer is busy: no timer runs
    assert.equal(await guard.wait(Promise.resolve("second")), "second");
    await assert.rejects(guard.wait(new Promise<never>(() => {})), (e: unknown) => e instanceof ProviderError && e.kind === "timeout");
    guard.dispose();
  });
});
