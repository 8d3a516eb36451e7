/** The system prompt: its clock, and the workspace files it carries as they are now. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { tmpDir } from "../helpers/cleanup.js";
import { buildSystemPrompt, WorkspaceFiles } from "../../src/agents/workspace.js";

describe("system prompt", { timeout: 10_000 }, () => {
  it("gives the time to the minute, so it reads the same for every message within a minute", () => {
    const workspaceDir = tmpDir();
    const files = new WorkspaceFiles();
    const at = (iso: string) => buildSystemPrompt({ workspaceDir, agentId: "main", now: new Date(iso), files, timezone: "Europe/Paris" });
    const first = at("2026-03-04T05:06:01.250Z");
    assert.match(first, /^Current time: 2026-03-04T05:06Z \(owner's time zone: Europe\/Paris\)\.$/m);
    assert.equal(at("2026-03-04T05:06:59.999Z"), first);
    assert.match(at("2026-03-04T05:07:00.000Z"), /^Current time: 2026-03-04T05:07Z /m);
  });

  it("carries each workspace's files as they are when it is built", () => {
    const a = tmpDir();
    const b = tmpDir();
    fs.writeFileSync(path.join(a, "AGENTS.md"), "Answer in French.");
    fs.writeFileSync(path.join(b, "SOUL.md"), "Be kind.");
    const files = new WorkspaceFiles();
    const now = new Date(0);
    const prompt = (workspaceDir: string) => buildSystemPrompt({ workspaceDir, agentId: "main", now, files });
    assert.match(prompt(a), /## AGENTS\.md\n\nAnswer in French\./);
    assert.doesNotMatch(prompt(b), /AGENTS\.md|French/, "another workspace, its own files");
    assert.match(prompt(b), /## SOUL\.md\n\nBe kind\./);
    fs.writeFileSync(path.join(a, "AGENTS.md"), "Answer in Italian, at length.");
    const edited = prompt(a);
    assert.match(edited, /Answer in Italian, at length\./, "an edit shows in the next prompt");
    assert.doesNotMatch(edited, /SOUL|French/);
  });
});
