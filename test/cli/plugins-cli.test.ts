/** `openclaw plugins list|info`: what the config finds, whether each plugin loads, and why not. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { cli, fixturePath, tmpDir, writeConfig } from "../helpers/gateway.js";

describe("openclaw plugins", () => {
  it("lists found plugins with their status, and shows one", { timeout: 60_000 }, async () => {
    const dir = tmpDir();
    writeConfig(dir, { plugins: { load: { paths: [fixturePath("plugins/hello"), fixturePath("plugins/broken")] } } });
    const env = { HOME: dir, OPENCLAW_STATE_DIR: dir };
    const list = await cli(["plugins", "list"], env);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^hello\s+Hello\s+loaded\s+config\s/m);
    assert.match(list.stdout, /^broken\s+.*\berror\b/m);
    assert.match(list.stdout, /broken: .*cannot start without its database/);
    const json = JSON.parse((await cli(["plugins", "list", "--json"], env)).stdout);
    assert.deepEqual(
      json.plugins.map((p: any) => [p.id, p.status]),
      [
        ["hello", "loaded"],
        ["broken", "error"],
      ],
    );
    const info = await cli(["plugins", "info", "hello"], env);
    assert.match(info.stdout, /gateway methods: hello\.greet/);
    assert.match(info.stdout, /http routes: \/hello/);
    const own = await cli(["hello", "Lin"], env);
    assert.equal(own.code, 0, own.stderr);
    assert.match(own.stdout, /Hello, Lin!/, "a plugin's own CLI command runs");
    const off = await cli(["plugins", "disable", "hello"], env);
    assert.equal(off.code, 0, off.stderr);
    assert.match(off.stdout, /Disabled plugin hello/);
    assert.match((await cli(["plugins", "list"], env)).stdout, /^hello\s+Hello\s+disabled\s/m);
    assert.equal((await cli(["plugins", "enable", "hello"], env)).code, 0);
    assert.match((await cli(["plugins", "list"], env)).stdout, /^hello\s+Hello\s+loaded\s/m);
    const unknown = await cli(["plugins", "enable", "nope"], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no plugin "nope" found \(found: hello, broken\)/);
    const missing = await cli(["plugins", "info", "nope"], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no plugin "nope" found/);
  });
});
