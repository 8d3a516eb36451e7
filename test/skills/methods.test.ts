/** `skills.*` methods over a real gateway, and the skills block the model receives. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { chatClient, startAgentGateway, startFakes, type Fakes } from "../helpers/agents.js";
import { connect, refused, tmpDir, type TestGateway } from "../helpers/gateway.js";
import type { GatewayClient } from "../../src/cli/client.js";
import { fakeBin, skillFm, writeSkill } from "./helpers.js";

describe("skills methods", { timeout: 60_000 }, () => {
  let f: Fakes;
  let gw: TestGateway;
  let c: GatewayClient;
  let stateDir: string;
  let binDir: string;
  let npmLog: string;
  before(async () => {
    f = await startFakes();
    stateDir = tmpDir();
    binDir = path.join(stateDir, "bin");
    npmLog = path.join(stateDir, "npm-args.txt");
    fakeBin(binDir, "npm", `#!/bin/sh\necho "$@" > '${npmLog}'\necho "added 1 package"\n`);
    const ws = path.join(stateDir, "workspace", "skills");
    writeSkill(
      ws,
      "weather",
      skillFm("weather", "Current weather & forecasts", { emoji: "⛅", requires: { env: ["WEATHER_KEY"] }, primaryEnv: "WEATHER_KEY" }),
    );
    writeSkill(ws, "notes", skillFm("notes", "Keep notes in the workspace"));
    writeSkill(
      ws,
      "gh",
      skillFm("gh", "GitHub from the command line", {
        requires: { bins: ["gh-cli-absent"] },
        install: [
          { id: "brew", kind: "brew", formula: "gh", bins: ["gh-cli-absent"] },
          { id: "npm", kind: "node", package: "gh-cli-absent", bins: ["gh-cli-absent"] },
        ],
      }),
    );
    writeSkill(ws, "brew-only", skillFm("brew-only", "needs brew", { install: [{ id: "brew", kind: "brew", formula: "jq" }] }));
    gw = await startAgentGateway(f, {}, { stateDir, env: { PATH: binDir } });
    c = await connect(gw.wsUrl);
  });
  after(async () => {
    c.close();
    await gw.close();
    await f.close();
  });

  it("skills.status reports each skill's eligibility in OpenClaw's shape", async () => {
    const r = await c.request<any>("skills.status", {});
    assert.equal(r.workspaceDir, path.join(stateDir, "workspace"));
    assert.equal(r.managedSkillsDir, path.join(stateDir, "skills"));
    const weather = r.skills.find((s: any) => s.name === "weather");
    assert.deepEqual(
      { eligible: weather.eligible, missing: weather.missing, source: weather.source, emoji: weather.emoji, skillKey: weather.skillKey },
      {
        eligible: false,
        missing: { bins: [], anyBins: [], env: ["WEATHER_KEY"], config: [], os: [] },
        source: "openclaw-workspace",
        emoji: "⛅",
        skillKey: "weather",
      },
    );
    assert.equal(weather.filePath, path.join(stateDir, "workspace", "skills", "weather", "SKILL.md"));
    const gh = r.skills.find((s: any) => s.name === "gh");
    assert.deepEqual(gh.install, [{ id: "npm", kind: "node", label: "Install gh-cli-absent (npm)", bins: ["gh-cli-absent"] }]);
    assert.equal(r.skills.find((s: any) => s.name === "notes").eligible, true);
    const bins = await c.request<any>("skills.bins", {});
    assert.deepEqual(bins, { bins: ["gh-cli-absent"] });
    const bad = await refused(c.request("skills.status", { extra: 1 }));
    assert.equal(bad.code, "INVALID_REQUEST");
  });

  it("skills.update writes skills.entries to the config; an apiKey for the primaryEnv makes the skill eligible", async () => {
    const u = await c.request<any>("skills.update", { skillKey: "weather", apiKey: "secret-key", env: { EXTRA: "1" } });
    assert.deepEqual(u, { ok: true, skillKey: "weather", config: { apiKey: "__OPENCLAW_REDACTED__", env: { EXTRA: "1" } } });
    const onDisk = JSON.parse(fs.readFileSync(path.join(stateDir, "openclaw.json"), "utf8"));
    assert.deepEqual(onDisk.skills.entries.weather, { apiKey: "secret-key", env: { EXTRA: "1" } });
    let r = await c.request<any>("skills.status", {});
    assert.equal(r.skills.find((s: any) => s.name === "weather").eligible, true);
    await c.request("skills.update", { skillKey: "notes", enabled: false });
    r = await c.request<any>("skills.status", {});
    const notes = r.skills.find((s: any) => s.name === "notes");
    assert.deepEqual([notes.disabled, notes.eligible], [true, false]);
    await c.request("skills.update", { skillKey: "notes", enabled: true });

    const reader = await connect(gw.wsUrl, { scopes: ["operator.read"] });
    await reader.request("skills.status", {});
    const denied = await refused(reader.request("skills.update", { skillKey: "notes", enabled: false }));
    assert.match(denied.message, /operator\.admin/);
    reader.close();
  });

  it("skills.install runs a node installer without a shell, and names the command for others", async () => {
    const ok = await c.request<any>("skills.install", { name: "gh", installId: "npm" });
    assert.equal(ok.ok, true);
    assert.equal(ok.stdout, "added 1 package");
    assert.equal(fs.readFileSync(npmLog, "utf8").trim(), "install -g gh-cli-absent");
    const brew = await refused(c.request("skills.install", { name: "brew-only", installId: "brew" }));
    assert.equal(brew.code, "UNAVAILABLE");
    assert.match(brew.message, /run this yourself: brew install jq/);
    const none = await refused(c.request("skills.install", { name: "gh", installId: "nope" }));
    assert.match(none.message, /Installer not found: nope \(this skill declares: brew, npm\)/);
    const missing = await refused(c.request("skills.install", { name: "ghost", installId: "x" }));
    assert.match(missing.message, /Skill not found: ghost/);
  });

  it("the model's system prompt lists the eligible workspace skills in <available_skills>", async () => {
    f.anthropic.enqueue({ text: "ok" });
    const chat = await chatClient(gw);
    const out = await chat.send("what can you do?", "agent:main:skills");
    chat.client.close();
    assert.equal(out.state, "final");
    const system = f.anthropic.last.system ?? "";
    assert.match(system, /<available_skills>[\s\S]*<name>notes<\/name>[\s\S]*<\/available_skills>/);
    assert.ok(system.includes(`<location>${path.join(stateDir, "workspace", "skills", "notes", "SKILL.md")}</location>`));
    assert.ok(system.includes("<description>Current weather &amp; forecasts</description>"), "weather is eligible through its apiKey");
    assert.doesNotMatch(system, /<name>gh<\/name>/, "a skill missing its binary is left out");
  });
});
