/** The system prompt: the owner's time zone (no clock), and the workspace files it carries as they are now. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { tmpDir } from "../helpers/cleanup.js";
import { buildSystemPrompt, WorkspaceFiles } from "../../src/agents/workspace.js";

describe("system prompt", { timeout: 10_000 }, () => {
  it("carries the owner's time zone and no clock, so it reads the same for every message", () => {
    const workspaceDir = tmpDir();
    const files = new WorkspaceFiles();
    const prompt = buildSystemPrompt({ workspaceDir, agentId: "main", files, timezone: "Europe/Paris" });
    assert.match(prompt, /^The owner's time zone is Europe\/Paris\. A message from a chat begins with a header/m);
    assert.doesNotMatch(prompt, /\d{4}-\d{2}-\d{2}|\d{2}:\d{2}/, "no date or time in it");
    assert.equal(buildSystemPrompt({ workspaceDir, agentId: "main", files, timezone: "Europe/Paris" }), prompt);
  });

  it("carries each workspace's files as they are when it is built", () => {
    const a = tmpDir();
    const b = tmpDir();
    fs.writeFileSync(path.join(a, "AGENTS.md"), "Answer in French.");
    fs.writeFileSync(path.join(b, "SOUL.md"), "Be kind.");
    const files = new WorkspaceFiles();
    const prompt = (workspaceDir: string) => buildSystemPrompt({ workspaceDir, agentId: "main", files });
    assert.match(prompt(a), /## AGENTS\.md\n\nAnswer in French\./);
    assert.doesNotMatch(prompt(b), /AGENTS\.md|French/, "another workspace, its own files");
    assert.match(prompt(b), /## SOUL\.md\n\nBe kind\./);
    fs.writeFileSync(path.join(a, "AGENTS.md"), "Answer in Italian, at length.");
    const edited = prompt(a);
    assert.match(edited, /Answer in Italian, at length\./, "an edit shows in the next prompt");
    assert.doesNotMatch(edited, /SOUL|French/);
  });
});
