import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseJson5Text } from "../../src/infra/json5.js";

const T = { timeout: 10_000 };

describe("reading JSON5 text", () => {
  it("reads plain JSON and JSON5 alike", T, () => {
    assert.deepEqual(parseJson5Text('{"gateway": {"port": 3000}}'), { gateway: { port: 3000 } });
    assert.deepEqual(parseJson5Text("{ gateway: { port: 3000, }, // the port\n}"), { gateway: { port: 3000 } });
  });

  it("says where text that is neither goes wrong", T, () => {
    assert.throws(() => parseJson5Text("{ gateway: { port: 3000 "), /JSON5: invalid end of input at 1:25/);
  });

  it('keeps a "__proto__" key of plain JSON as an ordinary key', T, () => {
    const v = parseJson5Text('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.deepEqual(Object.keys(v), ["__proto__"]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
