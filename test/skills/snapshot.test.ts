/** The skills block kept between runs (src/skills/snapshot.ts): when it is built again, and when not. */
import { afterEach, describe, it, mock } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { tmpDir } from "../helpers/gateway.js";
import { MAX_AGE_MS, SkillsPrompts } from "../../src/skills/snapshot.js";
import type { OpenClawConfig } from "../../src/config/schema.js";
import { fakeBin, skillFm, writeSkill } from "./helpers.js";

const T = { timeout: 15_000 };

/** Calls `read` until `ok` holds for what it returns (a watch reports a change a moment after it). */
async function until<V>(read: () => V, ok: (v: V) => boolean, what: string): Promise<V> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = read();
    if (ok(v)) return v;
    if (Date.now() > deadline) assert.fail(`${what}; last: ${String(v)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function setup(config: OpenClawConfig = {} as OpenClawConfig) {
  const root = tmpDir();
  const workspaceDir = path.join(root, "ws");
  fs.mkdirSync(workspaceDir);
  let now = 1_000_000;
  const prompts = new SkillsPrompts(() => now);
  const opts = { workspaceDir, stateDir: path.join(root, "state"), config, env: { PATH: path.join(root, "bin") } };
  return {
    root,
    skills: path.join(workspaceDir, "skills"),
    prompts,
    opts,
    prompt: (o: Partial<typeof opts> = {}) => prompts.prompt({ ...opts, ...o }),
    advance: (ms: number) => (now += ms),
  };
}

describe("skills block between runs", () => {
  const open: SkillsPrompts[] = [];
  const start = (config?: OpenClawConfig) => {
    const s = setup(config);
    open.push(s.prompts);
    return s;
  };
  afterEach(() => {
    for (const p of open.splice(0)) p.close();
    mock.restoreAll();
  });

  it("a run with nothing changed reads no skills folder or file", T, () => {
    const s = start();
    writeSkill(s.skills, "weather", skillFm("weather", "forecasts"));
    const first = s.prompt();
    assert.match(first, /<name>weather<\/name>/);
    const stat = mock.method(fs, "statSync");
    const readdir = mock.method(fs, "readdirSync");
    assert.equal(s.prompt(), first);
    assert.equal(stat.mock.callCount() + readdir.mock.callCount(), 0);
  });

  it("the next run after a skill is added, edited or removed sees it", T, async () => {
    const s = start();
    writeSkill(s.skills, "weather", skillFm("weather", "forecasts"));
    assert.doesNotMatch(s.prompt(), /notes/);
    writeSkill(s.skills, "notes", skillFm("notes", "keeps notes"));
    await until(s.prompt, (p) => p.includes("<name>notes</name>"), "a new skill appears");
    writeSkill(s.skills, "notes", skillFm("notes", "keeps better notes"));
    await until(s.prompt, (p) => p.includes("keeps better notes"), "an edit appears");
    fs.rmSync(path.join(s.skills, "notes"), { recursive: true });
    await until(s.prompt, (p) => !p.includes("notes"), "a removed skill goes");
    assert.match(s.prompt(), /<name>weather<\/name>/);
  });

  it("sees a skills folder created after the first run", T, async () => {
    const s = start();
    assert.equal(s.prompt(), "", "no skills folder yet");
    writeSkill(s.skills, "weather", skillFm("weather", "forecasts"));
    await until(s.prompt, (p) => p.includes("<name>weather</name>"), "the new folder's skill appears");
  });

  it("builds it again for a new config, and within a minute for a program installed on the PATH", T, () => {
    const s = start();
    writeSkill(s.skills, "weather", skillFm("weather", "forecasts", { requires: { bins: ["curl-ish"] } }));
    writeSkill(s.skills, "notes", skillFm("notes", "keeps notes"));
    assert.doesNotMatch(s.prompt(), /weather/, "its program is missing");
    fakeBin(path.join(s.root, "bin"), "curl-ish");
    assert.doesNotMatch(s.prompt(), /weather/, "no folder changed");
    s.advance(MAX_AGE_MS);
    assert.match(s.prompt(), /<name>weather<\/name>/, "a minute later");
    const reloaded = { skills: { entries: { notes: { enabled: false } } } } as OpenClawConfig;
    assert.doesNotMatch(s.prompt({ config: reloaded }), /notes/, "the reloaded config disables it");
  });

  it("with skills.load.watch false, reads the folders on every run", T, () => {
    const s = start({ skills: { load: { watch: false } } } as OpenClawConfig);
    assert.equal(s.prompt(), "");
    writeSkill(s.skills, "weather", skillFm("weather", "forecasts"));
    assert.match(s.prompt(), /<name>weather<\/name>/, "at once, with no watch to wait for");
  });
});
