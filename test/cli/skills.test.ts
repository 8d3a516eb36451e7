/** `openclaw skills list|info|check`, run as a user would (the built CLI, a fresh state dir). */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { cli, tmpDir } from "../helpers/gateway.js";
import { skillFm, writeSkill } from "../skills/helpers.js";

describe("skills CLI", { timeout: 60_000 }, () => {
  let env: Record<string, string>;
  let dir: string;
  before(() => {
    dir = tmpDir();
    env = { OPENCLAW_STATE_DIR: dir, HOME: dir };
    fs.writeFileSync(path.join(dir, "openclaw.json"), JSON.stringify({ skills: { entries: { off: { enabled: false } } } }));
    const ws = path.join(dir, "workspace", "skills");
    writeSkill(ws, "ready", skillFm("ready", "Always usable", { emoji: "✅" }));
    writeSkill(
      ws,
      "needs-env",
      skillFm("needs-env", "Needs a token", {
        requires: { env: ["CLI_TEST_TOKEN"] },
        install: [{ id: "n", kind: "node", package: "some-tool" }],
      }),
    );
    writeSkill(ws, "off", skillFm("off", "Turned off"));
    writeSkill(path.join(dir, "skills"), "managed", skillFm("managed", "Shared by every agent"));
    writeSkill(ws, "broken", ["name: broken"]);
  });

  it("list shows each skill's status and source; --eligible narrows; --json gives the report", async () => {
    const r = await cli(["skills", "list", "-v"], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Skills \(2\/4 ready\)/);
    assert.match(r.stdout, /✓ ready +✅ ready +Always usable +openclaw-workspace/);
    assert.match(r.stdout, /✓ ready +managed +Shared by every agent +openclaw-managed/);
    assert.match(r.stdout, /✗ missing +needs-env +Needs a token +openclaw-workspace +env: CLI_TEST_TOKEN/);
    assert.match(r.stdout, /⏸ disabled +off/);
    assert.match(r.stderr, /warning: .*broken[/\\]SKILL\.md: skipped: frontmatter has no description/);

    const e = await cli(["skills", "list", "--eligible", "--json"], env);
    assert.equal(e.code, 0, e.stderr);
    const j = JSON.parse(e.stdout);
    assert.equal(j.workspaceDir, path.join(dir, "workspace"));
    assert.deepEqual(j.skills.map((s: any) => s.name).sort(), ["managed", "ready"]);

    const withEnv = await cli(["skills", "list", "--eligible", "--json"], { ...env, CLI_TEST_TOKEN: "t" });
    assert.ok(
      JSON.parse(withEnv.stdout).skills.some((s: any) => s.name === "needs-env"),
      "the environment satisfies the requirement",
    );
  });

  it("info shows requirements and install options; an unknown name fails with a hint", async () => {
    const r = await cli(["skills", "info", "needs-env"], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /needs-env ✗ Missing requirements/);
    assert.match(r.stdout, /Environment: ✗ CLI_TEST_TOKEN/);
    assert.match(r.stdout, /Install options:\n +→ Install some-tool \(npm\)/);
    assert.ok(r.stdout.includes(path.join(dir, "workspace", "skills", "needs-env", "SKILL.md")));
    const j = await cli(["skills", "info", "ready", "--json"], env);
    assert.equal(JSON.parse(j.stdout).eligible, true);
    const missing = await cli(["skills", "info", "ghost"], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /skill "ghost" not found; run `openclaw skills list`/);
  });

  it("check summarizes ready, disabled and missing skills", async () => {
    const r = await cli(["skills", "check"], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Total: 4\n✓ Eligible: 2\n⏸ Disabled: 1\n🚫 Blocked by allowlist: 0\n✗ Missing requirements: 1/);
    assert.match(r.stdout, /Missing requirements:\n +📦 needs-env \(env: CLI_TEST_TOKEN\)/);
    const j = JSON.parse((await cli(["skills", "check", "--json"], env)).stdout);
    assert.deepEqual(j.summary, { total: 4, eligible: 2, disabled: 1, blocked: 0, missingRequirements: 1 });
    assert.deepEqual(j.missingRequirements[0].install, [{ id: "n", kind: "node", label: "Install some-tool (npm)", bins: [] }]);
  });
});
