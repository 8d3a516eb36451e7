/** Where plugins are found, which one wins an id, and whether config lets each one run. */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { discoverPlugins } from "../../src/plugins/discovery.js";
import { checkPluginIds, normalizePluginsConfig, resolveEnableState } from "../../src/plugins/config-state.js";
import { tmpDir } from "../helpers/cleanup.js";

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function scratch(): string {
  const d = tmpDir("oc-discovery-");
  dirs.push(d);
  return d;
}
function plugin(dir: string, id: string, files: Record<string, string> = { "index.ts": "export default () => {};\n" }): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "openclaw.plugin.json"), JSON.stringify({ id, configSchema: {} }));
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
  return dir;
}

describe("plugin discovery", { timeout: 10_000 }, () => {
  it("finds load paths, then the workspace, then the state dir; the first id wins with a warning naming both", () => {
    const root = scratch();
    const workspace = path.join(root, "ws");
    const state = path.join(root, "state");
    const linked = plugin(path.join(root, "linked"), "alpha");
    const wsAlpha = plugin(path.join(workspace, ".openclaw", "extensions", "alpha"), "alpha");
    plugin(path.join(workspace, ".openclaw", "extensions", "beta"), "beta");
    plugin(path.join(state, "extensions", "gamma"), "gamma");
    const stateBeta = plugin(path.join(state, "extensions", "zbeta"), "beta");
    const { plugins, diagnostics } = discoverPlugins({ loadPaths: [linked], workspaceDir: workspace, stateDir: state });
    assert.deepEqual(
      plugins.map((p) => [p.manifest.id, p.candidate.origin]),
      [
        ["alpha", "config"],
        ["beta", "workspace"],
        ["gamma", "global"],
      ],
    );
    const dups = diagnostics.filter((d) => d.message.startsWith("duplicate plugin id"));
    assert.equal(dups.length, 2);
    assert.ok(
      dups[0]!.message.includes(path.join(wsAlpha, "index.ts")) && dups[0]!.message.includes(path.join(linked, "index.ts")),
      dups[0]!.message,
    );
    assert.ok(dups[1]!.message.includes(path.join(stateBeta, "index.ts")), dups[1]!.message);
    assert.equal(dups[0]!.level, "warn");
  });

  it("reads package.json openclaw.extensions, naming several entries name/<file>", () => {
    const root = scratch();
    const pack = plugin(path.join(root, "pack"), "voice", { "a.ts": "", "b.ts": "" });
    fs.writeFileSync(
      path.join(pack, "package.json"),
      JSON.stringify({ name: "@acme/voice", version: "2.0.0", openclaw: { extensions: ["./a.ts", "./b.ts"] } }),
    );
    const single = plugin(path.join(root, "single"), "tools", { "main.ts": "" });
    fs.writeFileSync(path.join(single, "package.json"), JSON.stringify({ name: "@acme/tools", openclaw: { extensions: ["./main.ts"] } }));
    const { plugins, diagnostics } = discoverPlugins({ loadPaths: [pack, single] });
    assert.deepEqual(
      plugins.map((p) => [p.manifest.id, path.basename(p.candidate.source), p.candidate.packageVersion]),
      [
        ["voice", "a.ts", "2.0.0"],
        ["tools", "main.ts", undefined],
      ],
    );
    // b.ts shares a.ts's manifest, so its id is taken; a.ts hinted "voice/a".
    assert.ok(diagnostics.some((d) => d.message.includes('entry hints "voice/a"')));
    assert.ok(diagnostics.some((d) => d.message.startsWith('duplicate plugin id "voice"')));
    assert.ok(!diagnostics.some((d) => d.message.includes('entry hints "tools"')));
  });

  it("accepts a module file and a folder of plugins as load paths, and reports bad ones", () => {
    const root = scratch();
    const fileDir = plugin(path.join(root, "single-file"), "solo", { "solo.ts": "" });
    plugin(path.join(root, "many", "one"), "one");
    plugin(path.join(root, "many", "two"), "two", { "index.js": "" });
    fs.writeFileSync(path.join(root, "notes.txt"), "");
    const noManifest = path.join(root, "bare");
    fs.mkdirSync(noManifest);
    fs.writeFileSync(path.join(noManifest, "index.ts"), "");
    const { plugins, diagnostics } = discoverPlugins({
      loadPaths: [
        path.join(fileDir, "solo.ts"),
        path.join(root, "many"),
        path.join(root, "missing"),
        path.join(root, "notes.txt"),
        noManifest,
      ],
    });
    assert.deepEqual(
      plugins.map((p) => p.manifest.id),
      ["solo", "one", "two"],
    );
    const errors = diagnostics.filter((d) => d.level === "error").map((d) => d.message);
    assert.ok(errors.some((m) => m.startsWith(`plugin path not found: ${path.join(root, "missing")}`)));
    assert.ok(errors.some((m) => m.startsWith(`plugin path is not a supported file: ${path.join(root, "notes.txt")}`)));
    assert.ok(errors.some((m) => m.startsWith(path.join(noManifest, "openclaw.plugin.json") + ": plugin manifest not found")));
  });
});

describe("plugin enable decision", { timeout: 10_000 }, () => {
  const decide = (plugins: Record<string, unknown>, id: string) => resolveEnableState(id, normalizePluginsConfig(plugins));

  it("runs found plugins by default", () => {
    assert.deepEqual(decide({}, "a"), { enabled: true });
  });
  it("plugins.enabled false turns everything off, even an allowed and enabled plugin", () => {
    const s = decide({ enabled: false, allow: ["a"], entries: { a: { enabled: true } } }, "a");
    assert.equal(s.enabled, false);
    assert.match((s as { reason: string }).reason, /plugins\.enabled is false/);
  });
  it("deny wins over allow and over entries.enabled", () => {
    const s = decide({ allow: ["a"], deny: ["a"], entries: { a: { enabled: true } } }, "a");
    assert.deepEqual(s, { enabled: false, reason: "blocked by plugins.deny" });
  });
  it("a non-empty allow list leaves others off, even when enabled in entries", () => {
    assert.deepEqual(decide({ allow: ["b"], entries: { a: { enabled: true } } }, "a"), { enabled: false, reason: "not in plugins.allow" });
    assert.deepEqual(decide({ allow: ["a"] }, "a"), { enabled: true });
  });
  it("entries.<id>.enabled false turns one plugin off", () => {
    assert.equal(decide({ entries: { a: { enabled: false } } }, "a").enabled, false);
    assert.equal(decide({ entries: { a: { enabled: false } } }, "b").enabled, true);
  });

  it("names unknown ids in entries, allow, deny and the memory slot as errors with their config path", () => {
    const diags = checkPluginIds(
      normalizePluginsConfig({
        allow: ["known", "ghost"],
        deny: ["phantom"],
        entries: { known: {}, spectre: { enabled: true } },
        slots: { memory: "wisp" },
      }),
      new Set(["known"]),
    );
    assert.deepEqual(
      diags.map((d) => [d.level, d.path, d.message.split(" (")[0]]),
      [
        ["error", "plugins.entries.spectre", "plugin not found: spectre"],
        ["error", "plugins.allow", "plugin not found: ghost"],
        ["error", "plugins.deny", "plugin not found: phantom"],
        ["error", "plugins.slots.memory", "plugin not found: wisp"],
      ],
    );
    assert.deepEqual(checkPluginIds(normalizePluginsConfig({ slots: { memory: "none" } }), new Set()), []);
  });
});
