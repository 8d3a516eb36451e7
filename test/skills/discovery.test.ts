/** Finding skills: precedence between folders, gating, per-skill config, limits and bad files. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { tmpDir } from "../helpers/gateway.js";
import { bundledSkillsDir, loadSkills, MAX_SKILL_FILE_BYTES, SkillsCache } from "../../src/skills/load.js";
import { packageRoot } from "../../src/version.js";
import { pluginSkillDirs } from "../../src/skills/plugin-dirs.js";
import { buildSkillsStatus, eligibleSkills } from "../../src/skills/status.js";
import type { OpenClawConfig } from "../../src/config/schema.js";
import { fakeBin, skillFm, writeSkill } from "./helpers.js";

function setup(config: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  const root = tmpDir();
  const workspaceDir = path.join(root, "workspace");
  const stateDir = path.join(root, "state");
  const bundledDir = path.join(root, "bundled");
  fs.mkdirSync(workspaceDir, { recursive: true });
  return {
    root,
    workspaceDir,
    stateDir,
    bundledDir,
    opts: { workspaceDir, stateDir, bundledDir, config: config as OpenClawConfig, env: { PATH: path.join(root, "bin"), ...env } },
  };
}

const byName = (report: ReturnType<typeof buildSkillsStatus>, name: string) => report.skills.find((s) => s.name === name)!;

describe("skill discovery", { timeout: 20_000 }, () => {
  it("workspace beats managed beats bundled beats extraDirs, by skill name", () => {
    const s = setup();
    const extra = path.join(s.root, "extra");
    s.opts.config = { skills: { load: { extraDirs: [extra] } } } as OpenClawConfig;
    writeSkill(path.join(s.workspaceDir, "skills"), "weather", skillFm("weather", "from workspace"));
    writeSkill(path.join(s.stateDir, "skills"), "weather", skillFm("weather", "from managed"));
    writeSkill(path.join(s.stateDir, "skills"), "notes", skillFm("notes", "from managed"));
    writeSkill(s.bundledDir, "notes", skillFm("notes", "from bundled"));
    writeSkill(s.bundledDir, "github", skillFm("github", "from bundled"));
    writeSkill(extra, "github", skillFm("github", "from extra"));
    writeSkill(extra, "todo", skillFm("todo", "from extra"));
    const { entries, warnings } = loadSkills(s.opts);
    assert.deepEqual(warnings, []);
    const got = Object.fromEntries(entries.map((e) => [e.name, `${e.description} (${e.source})`]));
    assert.deepEqual(got, {
      weather: "from workspace (openclaw-workspace)",
      notes: "from managed (openclaw-managed)",
      github: "from bundled (openclaw-bundled)",
      todo: "from extra (openclaw-extra)",
    });
    assert.equal(entries.find((e) => e.name === "weather")!.filePath, path.join(s.workspaceDir, "skills", "weather", "SKILL.md"));
  });

  it("gates on binaries, any-of binaries, environment, config paths and OS, naming what is missing", () => {
    const s = setup({ browser: { enabled: false }, tools: { web: { search: { apiKey: "x" } } } }, { HAVE_ME: "1" });
    fakeBin(path.join(s.root, "bin"), "present-tool");
    const ws = path.join(s.workspaceDir, "skills");
    writeSkill(ws, "bins-ok", skillFm("bins-ok", "d", { requires: { bins: ["present-tool"] } }));
    writeSkill(ws, "bins-missing", skillFm("bins-missing", "d", { requires: { bins: ["present-tool", "absent-tool"] } }));
    writeSkill(ws, "any-ok", skillFm("any-ok", "d", { requires: { anyBins: ["absent-tool", "present-tool"] } }));
    writeSkill(ws, "any-missing", skillFm("any-missing", "d", { requires: { anyBins: ["absent-a", "absent-b"] } }));
    writeSkill(ws, "env-ok", skillFm("env-ok", "d", { requires: { env: ["HAVE_ME"] } }));
    writeSkill(ws, "env-missing", skillFm("env-missing", "d", { requires: { env: ["NOT_SET_ANYWHERE"] } }));
    writeSkill(ws, "config-ok", skillFm("config-ok", "d", { requires: { config: ["tools.web.search.apiKey"] } }));
    writeSkill(ws, "config-missing", skillFm("config-missing", "d", { requires: { config: ["browser.enabled"] } }));
    writeSkill(ws, "os-other", skillFm("os-other", "d", { os: ["plan9"] }));
    writeSkill(ws, "always", skillFm("always", "d", { always: true, requires: { bins: ["absent-tool"] } }));
    const r = buildSkillsStatus(s.opts);
    const eligible = r.skills
      .filter((x) => x.eligible)
      .map((x) => x.name)
      .sort();
    assert.deepEqual(eligible, ["always", "any-ok", "bins-ok", "config-ok", "env-ok"]);
    assert.deepEqual(byName(r, "bins-missing").missing.bins, ["absent-tool"]);
    assert.deepEqual(byName(r, "any-missing").missing.anyBins, ["absent-a", "absent-b"]);
    assert.deepEqual(byName(r, "env-missing").missing.env, ["NOT_SET_ANYWHERE"]);
    assert.deepEqual(byName(r, "config-missing").missing.config, ["browser.enabled"]);
    assert.deepEqual(byName(r, "config-missing").configChecks, [{ path: "browser.enabled", value: false, satisfied: false }]);
    assert.deepEqual(byName(r, "os-other").missing.os, ["plan9"]);
    assert.equal(r.managedSkillsDir, path.join(s.stateDir, "skills"));
  });

  it("skills.entries: enabled false disables; env and apiKey (for primaryEnv) satisfy env requirements; allowBundled limits bundled", () => {
    const s = setup({
      skills: {
        allowBundled: ["kept"],
        entries: {
          off: { enabled: false },
          "by-env": { env: { SERVICE_TOKEN: "t" } },
          "by-key": { apiKey: "k" },
        },
      },
    });
    const ws = path.join(s.workspaceDir, "skills");
    writeSkill(ws, "off", skillFm("off", "d"));
    writeSkill(ws, "by-env", skillFm("by-env", "d", { requires: { env: ["SERVICE_TOKEN"] } }));
    writeSkill(ws, "by-key", skillFm("by-key", "d", { primaryEnv: "SERVICE_API_KEY", requires: { env: ["SERVICE_API_KEY"] } }));
    writeSkill(s.bundledDir, "kept", skillFm("kept", "d"));
    writeSkill(s.bundledDir, "dropped", skillFm("dropped", "d"));
    const r = buildSkillsStatus(s.opts);
    assert.equal(byName(r, "off").disabled, true);
    assert.equal(byName(r, "off").eligible, false);
    assert.equal(byName(r, "by-env").eligible, true);
    assert.equal(byName(r, "by-key").eligible, true);
    assert.equal(byName(r, "by-key").primaryEnv, "SERVICE_API_KEY");
    assert.equal(byName(r, "kept").eligible, true);
    assert.equal(byName(r, "dropped").blockedByAllowlist, true);
    assert.equal(byName(r, "dropped").eligible, false);
  });

  it("a skill filter (as a channel or group's `skills` list) narrows the eligible skills; an empty one allows none", () => {
    const s = setup();
    const ws = path.join(s.workspaceDir, "skills");
    writeSkill(ws, "a", skillFm("a", "d"));
    writeSkill(ws, "b", skillFm("b", "d"));
    assert.deepEqual(
      eligibleSkills({ ...s.opts, skillFilter: ["b"] }).map((e) => e.name),
      ["b"],
    );
    assert.deepEqual(eligibleSkills({ ...s.opts, skillFilter: [] }), []);
    assert.deepEqual(
      eligibleSkills(s.opts)
        .map((e) => e.name)
        .sort(),
      ["a", "b"],
    );
  });

  it("malformed frontmatter gives a warning, not a crash; the other skills still load", () => {
    const s = setup();
    const ws = path.join(s.workspaceDir, "skills");
    writeSkill(ws, "good", skillFm("good", "works"));
    writeSkill(ws, "unclosed", "---\nname: unclosed\ndescription: never closed\n");
    writeSkill(ws, "no-desc", ["name: no-desc"]);
    writeSkill(ws, "bad-yaml", ["name: bad-yaml", "description: [unbalanced", "other: : :"]);
    writeSkill(ws, "bad-meta", ["name: bad-meta", "description: meta is junk", "metadata: '{not json'"]);
    writeSkill(ws, "colon", ["name: colon", "description: Weather: current and forecast"]);
    const { entries, warnings } = loadSkills(s.opts);
    const names = entries.map((e) => e.name).sort();
    assert.ok(names.includes("good") && names.includes("bad-meta") && names.includes("colon"), names.join(","));
    assert.ok(!names.includes("unclosed") && !names.includes("no-desc"));
    assert.equal(entries.find((e) => e.name === "colon")!.description, "Weather: current and forecast");
    const text = warnings.join("\n");
    assert.match(text, /unclosed[/\\]SKILL\.md: frontmatter is not closed/);
    assert.match(text, /no-desc[/\\]SKILL\.md: .*no description/);
    assert.match(text, /bad-yaml[/\\]SKILL\.md: frontmatter is not valid YAML/);
    assert.match(text, /bad-meta[/\\]SKILL\.md: metadata is not valid JSON/);
  });

  it("skips an oversized SKILL.md with a warning, and re-reads a file only when it changes", () => {
    const s = setup();
    const ws = path.join(s.workspaceDir, "skills");
    writeSkill(ws, "huge", skillFm("huge", "too big"), "x".repeat(MAX_SKILL_FILE_BYTES + 1));
    const small = writeSkill(ws, "small", skillFm("small", "first"));
    const cache = new SkillsCache();
    const first = loadSkills(s.opts, cache);
    assert.deepEqual(
      first.entries.map((e) => e.name),
      ["small"],
    );
    assert.match(first.warnings.join("\n"), /huge[/\\]SKILL\.md: skipped: \d+ bytes is over the 256 KB limit/);
    assert.equal(loadSkills(s.opts, cache).entries[0], first.entries[0], "unchanged file comes from the cache");
    fs.writeFileSync(small, `---\nname: small\ndescription: second version\n---\n`);
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(small, later, later);
    assert.equal(loadSkills(s.opts, cache).entries[0]!.description, "second version");
  });

  it("reads skills from an enabled plugin's manifest `skills` folders", () => {
    const s = setup();
    const plugin = path.join(s.workspaceDir, ".openclaw", "extensions", "helper");
    fs.mkdirSync(plugin, { recursive: true });
    fs.writeFileSync(
      path.join(plugin, "openclaw.plugin.json"),
      JSON.stringify({ id: "helper", configSchema: { type: "object" }, skills: ["skills"] }),
    );
    fs.writeFileSync(path.join(plugin, "index.js"), "export default { id: 'helper', register() {} };\n");
    writeSkill(path.join(plugin, "skills"), "from-plugin", skillFm("from-plugin", "shipped by a plugin"));
    assert.deepEqual(
      loadSkills({ ...s.opts, pluginSkillDirs: pluginSkillDirs(s.opts) }).entries.map((e) => `${e.name}:${e.source}`),
      ["from-plugin:openclaw-extra"],
    );
    s.opts.config = { plugins: { entries: { helper: { enabled: false } } } } as OpenClawConfig;
    assert.deepEqual(pluginSkillDirs(s.opts), []);
  });

  it("looks for bundled skills in this package's own skills/ folder, never in the folder above it", () => {
    const root = packageRoot();
    assert.equal(JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).name, "openclaw-lite");
    assert.equal(root, path.resolve(import.meta.dirname, "..", ".."));
    const dir = bundledSkillsDir({});
    assert.ok(dir === undefined || dir === path.join(root, "skills"), `bundled skills looked for in ${dir}`);
    const override = tmpDir();
    assert.equal(bundledSkillsDir({ OPENCLAW_BUNDLED_SKILLS_DIR: override }), override);
  });
});
