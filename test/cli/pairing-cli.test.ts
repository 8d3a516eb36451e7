/** `openclaw pairing list|approve` on the state directory, no gateway needed. */
import { it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { cli, tmpDir } from "../helpers/gateway.js";

it("lists pending requests and approves one into credentials/<channel>-allowFrom.json", async () => {
  const dir = tmpDir();
  fs.mkdirSync(path.join(dir, "credentials"));
  const now = new Date().toISOString();
  fs.writeFileSync(
    path.join(dir, "credentials/telegram-pairing.json"),
    JSON.stringify({
      version: 1,
      requests: [{ id: "4242", code: "ABCD2345", createdAt: now, lastSeenAt: now, meta: { username: "carol" } }],
    }),
  );
  const env = { OPENCLAW_STATE_DIR: dir, HOME: dir };
  const list = await cli(["pairing", "list", "telegram"], env);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^ABCD2345 {2}4242 {2}@carol {2}requested /);
  const bad = await cli(["pairing", "approve", "telegram", "NOPE1234"], env);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /no pending telegram pairing request with code NOPE1234/);
  const ok = await cli(["pairing", "approve", "telegram", "abcd2345"], env);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /approved telegram sender 4242 \(@carol\)/);
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, "credentials/telegram-allowFrom.json"), "utf8")), {
    version: 1,
    allowFrom: ["4242"],
  });
  assert.match((await cli(["pairing", "list", "telegram"], env)).stdout, /no pending telegram pairing requests/);
});
