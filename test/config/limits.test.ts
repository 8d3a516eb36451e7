/** Config files that would hurt the process (huge, deeply nested, empty) are reported, never applied. */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { readConfigSnapshot, MAX_CONFIG_BYTES, MAX_CONFIG_DEPTH } from "../../src/config/load.js";
import { editConfigFile, mergePatch } from "../../src/config/edit.js";
import { StartupError } from "../../src/gateway/start.js";
import { connect, startTestGateway, tmpDir, waitFor, writeConfig } from "../helpers/gateway.js";

const dirs: string[] = [];
const scratch = () => {
  const d = tmpDir("oc-limits-");
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe("config limits", { timeout: 30_000 }, () => {
  it("refuses a file over the size limit without parsing it", () => {
    const dir = scratch();
    const file = writeConfig(dir, `{ "gateway": { "mode": "local" }, "x": "${"a".repeat(MAX_CONFIG_BYTES)}" }`);
    const snap = readConfigSnapshot(file, {});
    assert.equal(snap.valid, false);
    assert.match(snap.issues[0]!.message, /the file is 1 MB; the limit is 1 MB|the file is .* MB; the limit is 1 MB/);
  });

  it("stops reading a file that goes on past the limit, whatever size it reports", (t) => {
    if (!fs.existsSync("/dev/zero")) return t.skip("needs /dev/zero");
    const dir = scratch();
    // /dev/zero reports 0 bytes and never ends; named directly or through $include.
    for (const file of ["/dev/zero", writeConfig(dir, JSON.stringify({ $include: "/dev/zero" }))]) {
      const snap = readConfigSnapshot(file, {});
      assert.equal(snap.valid, false);
      assert.match(snap.issues[0]!.message, /the file is over 1 MB; the limit is 1 MB/);
    }
  });

  it("refuses 20,000 levels of nesting with the line, instead of overflowing the stack", () => {
    const dir = scratch();
    const file = writeConfig(dir, "{\n" + '"a":{'.repeat(20_000) + "}".repeat(20_001));
    const snap = readConfigSnapshot(file, {});
    assert.equal(snap.valid, false);
    assert.match(snap.issues[0]!.message, new RegExp(`nested deeper than ${MAX_CONFIG_DEPTH} levels \\(line 2\\)`));
  });

  it("ignores brackets inside strings and comments when measuring depth", () => {
    const dir = scratch();
    const file = writeConfig(dir, `// {{{{{{{{\n{ gateway: { mode: "local" /* [[[[ */ }, logging: { level: '${"[".repeat(200)}' } }`);
    const snap = readConfigSnapshot(file, {});
    assert.deepEqual(
      snap.issues.map((i) => i.path),
      ["logging.level"],
      "only the bad level value is reported",
    );
  });

  it("limits how many files $include may pull in", () => {
    const dir = scratch();
    fs.writeFileSync(path.join(dir, "part.json5"), "{}");
    const file = writeConfig(dir, JSON.stringify({ $include: Array(100).fill("./part.json5") }));
    const snap = readConfigSnapshot(file, {});
    assert.equal(snap.valid, false);
    assert.match(snap.issues[0]!.message, /more than 64 \$include files/);
  });

  it("treats an empty file as a mistake, not as an empty config", () => {
    const dir = scratch();
    for (const text of ["", "  \n\t\n"]) {
      const snap = readConfigSnapshot(writeConfig(dir, text), {});
      assert.equal(snap.valid, false);
      assert.match(snap.issues[0]!.message, /the file is empty/);
    }
  });
});

describe("editing a file that cannot be read", { timeout: 30_000 }, () => {
  it("refuses, and leaves the file as it was, instead of starting from nothing", () => {
    const dir = scratch();
    const text = '{ gateway: { mode: "local", auth: { token: "keep-me" } }, oops }';
    const file = writeConfig(dir, text);
    assert.throws(
      () => editConfigFile(file, {}, (parsed) => mergePatch(parsed, { logging: { level: "debug" } })),
      /fix the file first \(nothing was changed\)/,
    );
    assert.equal(fs.readFileSync(file, "utf8"), text);
    const empty = writeConfig(dir, "");
    editConfigFile(empty, {}, (parsed) => mergePatch(parsed, { gateway: { mode: "local" } }));
    assert.equal(readConfigSnapshot(empty, {}).valid, true, "an empty file takes its first content");
  });
});

describe("an empty or broken config at run time", { timeout: 30_000 }, () => {
  it("keeps the last good config (and its token) when the file is emptied, and says so", async () => {
    const dir = scratch();
    const gw = await startTestGateway({ stateDir: dir, config: { gateway: { mode: "local", auth: { token: "file-only-token" } } } });
    try {
      fs.writeFileSync(path.join(dir, "openclaw.json"), "");
      await waitFor(() => gw.output.some((l) => l.includes("the file is empty")), 10_000, "the reload to be rejected");
      const ready = await fetch(`${gw.httpUrl}/readyz`);
      assert.equal(ready.status, 503);
      assert.match(JSON.stringify(await ready.json()), /the file is empty/);
      await assert.rejects(connect(gw.wsUrl), /unauthorized/, "a tokenless client is still refused");
      const c = await connect(gw.wsUrl, { token: "file-only-token" });
      c.close();
    } finally {
      await gw.close();
    }
  });

  it("at start, keeps the token from a file that is invalid elsewhere", async () => {
    const dir = scratch();
    const gw = await startTestGateway({
      stateDir: dir,
      config: { gateway: { mode: "local", auth: { token: "kept-token" }, port: "nope" } },
    });
    try {
      assert.equal((await fetch(`${gw.httpUrl}/readyz`)).status, 503);
      await assert.rejects(connect(gw.wsUrl), /unauthorized/);
      const c = await connect(gw.wsUrl, { token: "kept-token" });
      c.close();
    } finally {
      await gw.close();
    }
  });

  it("without --allow-unconfigured, names what is wrong with an unreadable file instead of blaming gateway.mode", async () => {
    const dir = scratch();
    writeConfig(dir, '{ gateway: { mode: "local", } oops }');
    await assert.rejects(startTestGateway({ stateDir: dir, allowUnconfigured: false }), (e: Error) => {
      assert.ok(e instanceof StartupError);
      assert.equal(e.code, "GATEWAY_CONFIG_INVALID");
      assert.match(e.message, /cannot be used/);
      assert.match(e.message, /invalid character|JSON5/);
      assert.doesNotMatch(e.message, /gateway\.mode is not set/);
      return true;
    });
  });
});
