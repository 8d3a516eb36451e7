/** The `<available_skills>` block and where it lands in the system prompt. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { tmpDir } from "../helpers/gateway.js";
import { formatSkillsPrompt } from "../../src/skills/prompt.js";
import { SkillsPrompts } from "../../src/skills/snapshot.js";
import { buildSystemPrompt } from "../../src/agents/workspace.js";
import type { OpenClawConfig } from "../../src/config/schema.js";
import { skillFm, writeSkill } from "./helpers.js";

describe("skills prompt", { timeout: 10_000 }, () => {
  it("lists name, description and SKILL.md location in OpenClaw's XML shape, escaped", () => {
    const block = formatSkillsPrompt([
      { name: "weather", description: "Forecasts & <alerts>", filePath: "/w/skills/weather/SKILL.md" },
      { name: "notes", description: `Say "hi" it's`, filePath: "/w/skills/notes/SKILL.md" },
    ]);
    const xml = block.slice(block.indexOf("<available_skills>"));
    assert.equal(
      xml,
      [
        "<available_skills>",
        "  <skill>",
        "    <name>weather</name>",
        "    <description>Forecasts &amp; &lt;alerts&gt;</description>",
        "    <location>/w/skills/weather/SKILL.md</location>",
        "  </skill>",
        "  <skill>",
        "    <name>notes</name>",
        "    <description>Say &quot;hi&quot; it&apos;s</description>",
        "    <location>/w/skills/notes/SKILL.md</location>",
        "  </skill>",
        "</available_skills>",
      ].join("\n"),
    );
    assert.match(block.slice(0, block.indexOf("<available_skills>")), /read .*SKILL\.md.*read tool/s, "tells the model to read the file");
    assert.equal(formatSkillsPrompt([]), "");
  });

  it("includes only eligible skills the model may invoke, and is appended to the system prompt", () => {
    const root = tmpDir();
    const workspaceDir = path.join(root, "ws");
    fs.mkdirSync(workspaceDir);
    const ws = path.join(workspaceDir, "skills");
    const ready = writeSkill(ws, "ready", skillFm("ready", "usable"));
    writeSkill(ws, "gated", skillFm("gated", "needs a tool", { requires: { bins: ["no-such-tool-here"] } }));
    writeSkill(ws, "manual", [...skillFm("manual", "only by command"), "disable-model-invocation: true"]);
    // Read once, not kept: nothing to watch afterwards.
    const opts = {
      workspaceDir,
      stateDir: path.join(root, "state"),
      config: { skills: { load: { watch: false } } } as OpenClawConfig,
      env: { PATH: "" },
    };
    const skills = new SkillsPrompts();
    const block = skills.prompt(opts);
    assert.match(block, /<name>ready<\/name>/);
    assert.ok(block.includes(`<location>${ready}</location>`));
    assert.doesNotMatch(block, /gated|manual/);
    const prompt = buildSystemPrompt({ workspaceDir, agentId: "main", skillsPrompt: block });
    assert.ok(prompt.trimEnd().endsWith("</available_skills>"));
    assert.doesNotMatch(buildSystemPrompt({ workspaceDir, agentId: "main" }), /available_skills/);
    assert.equal(skills.prompt({ ...opts, workspaceDir: path.join(root, "empty") }), "", "no skills, no block");
  });
});
