/** `openclaw config …` as a user runs it (real processes, temp state dirs). */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { cli, fixturePath, tmpDir } from "../helpers/gateway.js";

const env = (dir: string, extra: Record<string, string> = {}) => ({ OPENCLAW_STATE_DIR: dir, HOME: dir, ...extra });

describe("openclaw config", () => {
  it("validate accepts the guide's config and names problems by path, exiting non-zero", async () => {
    const dir = tmpDir();
    fs.copyFileSync(fixturePath("reference/seed-openclaw.json"), path.join(dir, "openclaw.json"));
    const ok = await cli(["config", "validate"], env(dir));
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^valid: /);

    fs.writeFileSync(path.join(dir, "openclaw.json"), `{ agents: { defaults: { bogusKey: true } } }`);
    const bad = await cli(["config", "validate"], env(dir));
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /agents\.defaults\.bogusKey: unknown key/);
    const json = await cli(["config", "validate", "--json"], env(dir));
    assert.deepEqual(JSON.parse(json.stdout).issues, [{ path: "agents.defaults.bogusKey", message: "unknown key" }]);
  });

  it("set creates the file, parses values, keeps a .bak, and get reads them back", async () => {
    const dir = tmpDir();
    assert.equal((await cli(["config", "set", "gateway.mode", "local"], env(dir))).code, 0);
    assert.equal((await cli(["config", "set", "gateway.port", "3000"], env(dir))).code, 0);
    assert.equal((await cli(["config", "set", "gateway.trustedProxies", '["10.0.0.1"]'], env(dir))).code, 0);
    const file = JSON.parse(fs.readFileSync(path.join(dir, "openclaw.json"), "utf8"));
    assert.deepEqual(file.gateway, { mode: "local", port: 3000, trustedProxies: ["10.0.0.1"] });
    assert.ok(fs.existsSync(path.join(dir, "openclaw.json.bak")));
    assert.equal((await cli(["config", "get", "gateway.port"], env(dir))).stdout.trim(), "3000");
    assert.deepEqual(JSON.parse((await cli(["config", "get", "gateway"], env(dir))).stdout).trustedProxies, ["10.0.0.1"]);
  });

  it("set refuses a value that would make the config invalid and leaves the file untouched", async () => {
    const dir = tmpDir();
    await cli(["config", "set", "gateway.mode", "local"], env(dir));
    const before = fs.readFileSync(path.join(dir, "openclaw.json"), "utf8");
    const r = await cli(["config", "set", "gateway.port", "not-a-port"], env(dir));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /gateway\.port: expected number, got string/);
    const typo = await cli(["config", "set", "gateway.prot", "3000"], env(dir));
    assert.match(typo.stderr, /gateway\.prot: unknown key/);
    assert.equal(fs.readFileSync(path.join(dir, "openclaw.json"), "utf8"), before);
  });

  it("get redacts secrets unless asked; unset removes keys; ${VAR} references survive edits", async () => {
    const dir = tmpDir();
    fs.writeFileSync(
      path.join(dir, "openclaw.json"),
      JSON.stringify({ gateway: { mode: "local", auth: { token: "${GW_TOKEN}", password: "hunter2-long" } } }),
    );
    const e = env(dir, { GW_TOKEN: "from-env-123" });
    const got = JSON.parse((await cli(["config", "get", "gateway.auth", "--json"], e)).stdout);
    assert.deepEqual(got, { token: "${GW_TOKEN}", password: "__OPENCLAW_REDACTED__" });
    assert.equal((await cli(["config", "get", "gateway.auth.password", "--show-secrets"], e)).stdout.trim(), "hunter2-long");
    assert.equal((await cli(["config", "set", "gateway.port", "4000"], e)).code, 0);
    assert.equal((await cli(["config", "unset", "gateway.auth.password"], e)).code, 0);
    const file = JSON.parse(fs.readFileSync(path.join(dir, "openclaw.json"), "utf8"));
    assert.deepEqual(
      file.gateway,
      { mode: "local", auth: { token: "${GW_TOKEN}" }, port: 4000 },
      "the env reference is kept, not baked in",
    );
    const missing = await cli(["config", "unset", "gateway.nothing"], e);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /gateway\.nothing is not set/);
  });

  it("schema prints a JSON Schema and file prints the path (OPENCLAW_CONFIG_PATH wins)", async () => {
    const dir = tmpDir();
    const schema = JSON.parse((await cli(["config", "schema"], env(dir))).stdout);
    assert.equal(schema.type, "object");
    assert.equal(schema.properties.gateway.properties.port.type, "integer");
    assert.equal(schema.additionalProperties, false);
    assert.equal((await cli(["config", "file"], env(dir))).stdout.trim(), path.join(dir, "openclaw.json"));
    const custom = path.join(dir, "elsewhere.json");
    assert.equal((await cli(["config", "file"], env(dir, { OPENCLAW_CONFIG_PATH: custom }))).stdout.trim(), custom);
  });
});
