import { after, test } from "node:test";
import assert from "node:assert/strict";
import { IdleCollector } from "../../src/infra/idle-gc.js";

// The collector's timer does not keep a process alive (a gateway that is stopping should not wait for
// it); this one keeps the test's process alive meanwhile.
const alive = setInterval(() => {}, 60_000);
after(() => clearInterval(alive));

test("collects once, after the last piece of work has been followed by the quiet time", { timeout: 10_000 }, async () => {
  const times: number[] = [];
  let collected!: () => void;
  const done = new Promise<void>((r) => (collected = r));
  const idle = new IdleCollector(40, () => {
    times.push(performance.now());
    collected();
  });
  let last = 0;
  for (let i = 0; i < 5; i++) {
    idle.touch();
    last = performance.now();
    await new Promise((r) => setImmediate(r));
  }
  await done;
  assert.equal(times.length, 1);
  assert.ok(times[0]! - last >= 39, `collected ${(times[0]! - last).toFixed(1)} ms after the last touch`);
  idle.close();
});

test("really collects: an object nothing holds any more is gone after the collection", { timeout: 20_000 }, async () => {
  let ref: WeakRef<object> | undefined;
  (() => {
    ref = new WeakRef({ big: new Array(1000).fill("x") });
  })();
  const idle = new IdleCollector(1);
  // A WeakRef's target survives until the current job ends; collect from a later task.
  await new Promise((r) => setImmediate(r));
  while (ref!.deref() !== undefined) {
    idle.touch();
    await new Promise((r) => setTimeout(r, 5));
  }
  idle.close();
  assert.equal(ref!.deref(), undefined);
});

test("close stops a pending collection", { timeout: 10_000 }, async () => {
  let runs = 0;
  const idle = new IdleCollector(10, () => runs++);
  idle.touch();
  idle.close();
  // A second collector that does run proves the first one's time has passed.
  await new Promise<void>((r) => new IdleCollector(30, r).touch());
  assert.equal(runs, 0);
});
