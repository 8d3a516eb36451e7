/** Loading Bolt: the parts we use, without Node's fetch implementation, and the globals left as they were. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { withoutFetchGlobals } from "../../../src/channels/slack/libs.js";
import { runInFreshNode } from "../../helpers/fresh-node.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

describe("loadBolt", () => {
  it(
    "loads the Web API client without loading Node's fetch implementation, which still works afterwards",
    { timeout: 60_000 },
    async () => {
      const libs = pathToFileURL(path.join(ROOT, "src/channels/slack/libs.ts")).href;
      const { stdout: out } = await runInFreshNode(`
const undici = () => process.moduleLoadList.some((m) => m.includes("undici"));
const { loadBolt } = await import(${JSON.stringify(libs)});
const before = undici();
const bolt = loadBolt();
const report = { before, afterLoad: undici(), client: typeof bolt.WebClient, app: typeof bolt.App };
const request = new Request("http://127.0.0.1:9/x", { method: "POST", body: "hi" });
const form = new FormData();
form.append("a", "b");
console.log(JSON.stringify({ ...report, url: request.url, body: await request.text(), form: form.get("a"), afterUse: undici() }));
`);
      const r = JSON.parse(out.trim().split("\n").at(-1)!);
      assert.equal(r.before, false, out);
      assert.equal(r.afterLoad, false, "loading Bolt and the Web API client does not load undici");
      assert.equal(r.client, "function");
      assert.equal(r.app, "function");
      assert.equal(r.url, "http://127.0.0.1:9/x");
      assert.equal(r.body, "hi");
      assert.equal(r.form, "b");
      assert.equal(r.afterUse, true, "the fetch globals load undici as usual once used");
    },
  );

  it("puts the globals back as they were, also when loading throws", { timeout: 10_000 }, () => {
    const names = ["Request", "Response", "Headers", "FormData", "fetch"];
    const descriptors = () => names.map((n) => Object.getOwnPropertyDescriptor(globalThis, n));
    const saved = descriptors();
    let seen: unknown[] = [];
    assert.throws(
      () =>
        withoutFetchGlobals(() => {
          seen = names.map((n) => (globalThis as Record<string, unknown>)[n]);
          throw new Error("load failed");
        }),
      /load failed/,
    );
    assert.deepEqual(descriptors(), saved);
    saved.forEach((d, i) => d?.get && assert.equal(seen[i], undefined, `${names[i]} is hidden while loading`));
    // Already loaded in this process (a value, not a lazy getter) or lazy: either way they are usable.
    assert.equal(typeof (seen[4] as unknown), "function", "fetch itself is never hidden");
    assert.equal(new Headers({ a: "1" }).get("a"), "1");
  });
});
