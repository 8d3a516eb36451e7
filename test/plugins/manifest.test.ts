/** openclaw.plugin.json is read without running plugin code; plugin config is checked against its schema. */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { loadPluginManifest } from "../../src/plugins/manifest.js";
import { PluginConfigValidator } from "../../src/plugins/config-schema.js";
import { tmpDir } from "../helpers/cleanup.js";

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function pluginDir(manifest: unknown): string {
  const d = tmpDir("oc-manifest-");
  dirs.push(d);
  fs.writeFileSync(path.join(d, "openclaw.plugin.json"), typeof manifest === "string" ? manifest : JSON.stringify(manifest));
  return d;
}

describe("plugin manifest", { timeout: 10_000 }, () => {
  it("reads id, schema and the optional fields", () => {
    const d = pluginDir({
      id: " hello ",
      name: "Hello",
      version: "1.0.0",
      kind: "memory",
      channels: ["hello-chat"],
      providers: ["hello-llm"],
      configSchema: { type: "object" },
      uiHints: { token: { label: "Token", sensitive: true } },
    });
    const res = loadPluginManifest(d);
    assert.equal(res.ok, true);
    if (!res.ok) return;
    assert.equal(res.manifest.id, "hello");
    assert.equal(res.manifest.name, "Hello");
    assert.deepEqual(res.manifest.channels, ["hello-chat"]);
    assert.deepEqual(res.manifest.providers, ["hello-llm"]);
    assert.deepEqual(res.manifest.skills, []);
    assert.equal(res.manifest.uiHints?.token?.sensitive, true);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ["missing id", { configSchema: {} }, /"id" is required/],
    ["missing configSchema", { id: "x" }, /"configSchema" is required: .*plugins\.entries\.x\.config/],
    ["non-object configSchema", { id: "x", configSchema: "yes" }, /"configSchema" must be a JSON Schema object/],
    ["channels not strings", { id: "x", configSchema: {}, channels: [1] }, /"channels" must be an array of strings/],
    ["name not a string", { id: "x", configSchema: {}, name: 3 }, /"name" must be a string/],
    ["uiHints entry not an object", { id: "x", configSchema: {}, uiHints: { a: 1 } }, /"uiHints\.a" must be an object/],
    ["not JSON", "{ id: ", /not valid JSON/],
    ["an array", "[]", /must be a JSON object/],
  ];
  for (const [what, manifest, pattern] of bad) {
    it(`names the file and field when ${what}`, () => {
      const d = pluginDir(manifest);
      const res = loadPluginManifest(d);
      assert.equal(res.ok, false);
      if (res.ok) return;
      assert.ok(res.error.startsWith(path.join(d, "openclaw.plugin.json") + ": "), res.error);
      assert.match(res.error, pattern);
    });
  }

  it("says a manifest is required when there is none", () => {
    const d = tmpDir("oc-manifest-");
    dirs.push(d);
    const res = loadPluginManifest(d);
    assert.equal(res.ok, false);
    if (!res.ok) assert.match(res.error, /openclaw\.plugin\.json: plugin manifest not found/);
  });
});

describe("plugin config validation", { timeout: 10_000 }, () => {
  const schema = {
    type: "object",
    additionalProperties: false,
    required: ["greeting"],
    properties: {
      greeting: { type: "string" },
      mode: { enum: ["loud", "quiet"] },
      retry: { type: "object", properties: { count: { type: "integer", minimum: 0 } } },
      targets: { type: "array", items: { type: "string" } },
    },
  };

  it("accepts valid config and treats a missing config as {}", () => {
    const v = new PluginConfigValidator();
    assert.deepEqual(v.validate("hello", schema, { greeting: "hi", retry: { count: 2 } }), { ok: true });
    assert.deepEqual(v.validate("open", {}, undefined), { ok: true });
    assert.equal(v.validate("hello", schema, undefined).ok, false);
  });

  it("names every error by its full config path", () => {
    const v = new PluginConfigValidator();
    const res = v.validate("hello", schema, { retry: { count: -1 }, mode: "shout", targets: ["a", 2], extra: true });
    assert.equal(res.ok, false);
    if (res.ok) return;
    assert.deepEqual(res.errors.sort(), [
      "plugins.entries.hello.config.extra: is not a known setting",
      "plugins.entries.hello.config.greeting: is required",
      'plugins.entries.hello.config.mode: must be one of "loud", "quiet"',
      "plugins.entries.hello.config.retry.count: must be >= 0",
      "plugins.entries.hello.config.targets[1]: must be string",
    ]);
  });

  it("reports a schema that does not compile", () => {
    const v = new PluginConfigValidator();
    assert.ok(v.checkSchema({ type: "nonsense" }));
    const res = v.validate("hello", { type: "nonsense" }, {});
    assert.equal(res.ok, false);
    if (!res.ok) assert.match(res.errors[0]!, /^plugins\.entries\.hello\.config: the plugin's configSchema is not a valid JSON Schema/);
  });

  it("checks a schema against the meta-schema when asked (at install), beyond what compiling refuses", () => {
    const v = new PluginConfigValidator();
    const schema = { type: "object", properties: { name: { type: "string", minLength: -1 } } };
    assert.match(v.checkSchema(schema) ?? "", /schema is invalid: data\/properties\/name\/minLength must be >= 0/);
    assert.equal(v.checkSchema({ type: "object", properties: { name: { type: "string", minLength: 1 } } }), null);
    for (const bad of [{ type: "object", required: "name" }, { type: "string", pattern: "(" }, { $ref: "#/nowhere" }]) {
      const res = v.validate("hello", bad, {});
      assert.equal(res.ok, false, JSON.stringify(bad));
    }
  });
});
