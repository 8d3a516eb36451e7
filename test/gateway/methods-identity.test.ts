/** `agent.identity.get`: an agent's name and avatar, from config and its workspace's IDENTITY.md. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { connect, startTestGateway, tmpDir, writeConfig, type TestGateway, refused } from "../helpers/gateway.js";
import type { GatewayClient } from "../../src/cli/client.js";

const timeout = 15_000;

describe("agent.identity.get", () => {
  let gw: TestGateway;
  let c: GatewayClient;
  let config: Record<string, any>;

  before(async () => {
    const workDir = tmpDir("ws-work-");
    fs.writeFileSync(
      path.join(workDir, "IDENTITY.md"),
      [
        "# IDENTITY.md - Who Am I?",
        "- **Name:** Ledger",
        "- **Creature:** _(AI? robot? familiar? ghost in the machine? something weirder?)_",
        "- **Emoji:** 📒",
        "- **Avatar:** *(workspace-relative path, http(s) URL, or data URI)*",
      ].join("\n"),
    );
    // A 1 GB IDENTITY.md (sparse: the name, then nothing) is read only as far as its fields go.
    const hugeDir = tmpDir("ws-huge-");
    fs.writeFileSync(path.join(hugeDir, "IDENTITY.md"), "# Identity\n\n- **Name:** Colossus\n- **Emoji:** 🗿\n");
    fs.truncateSync(path.join(hugeDir, "IDENTITY.md"), 1024 * 1024 * 1024);
    const blankDir = tmpDir("ws-blank-");
    fs.writeFileSync(path.join(blankDir, "IDENTITY.md"), "# Identity\n\n- **Name:** *(pick something you like)*\n");
    config = {
      gateway: { mode: "local", controlUi: { basePath: "/openclaw" } },
      agents: {
        list: [
          { id: "main", default: true, identity: { name: "Molty", emoji: "🦞" } },
          { id: "work", workspace: workDir },
          { id: "huge", workspace: hugeDir },
          { id: "ops", workspace: blankDir, identity: { avatar: "avatars/ops.png" } },
          { id: "web", workspace: blankDir, identity: { name: "Webby", avatar: "https://example.com/webby.png", emoji: "🕸" } },
        ],
      },
    };
    gw = await startTestGateway({ config });
    c = await connect(gw.wsUrl, { scopes: ["operator.read"] });
  });
  after(async () => {
    c?.close();
    await gw?.close();
  });

  it("takes name and avatar from the agent's identity config, else its IDENTITY.md, else the defaults", { timeout }, async () => {
    assert.deepEqual(await c.request("agent.identity.get", {}), { agentId: "main", name: "Molty", avatar: "🦞" });
    assert.deepEqual(await c.request("agent.identity.get"), { agentId: "main", name: "Molty", avatar: "🦞" }, "no params");
    assert.deepEqual(await c.request("agent.identity.get", { agentId: "work" }), { agentId: "work", name: "Ledger", avatar: "📒" });
    assert.deepEqual(await c.request("agent.identity.get", { agentId: "web" }), {
      agentId: "web",
      name: "Webby",
      avatar: "https://example.com/webby.png",
    });
  });

  it("takes the identity from the top of a huge IDENTITY.md without reading the rest", { timeout }, async () => {
    assert.deepEqual(await c.request("agent.identity.get", { agentId: "huge" }), { agentId: "huge", name: "Colossus", avatar: "🗿" });
    assert.deepEqual(await c.request("agent.identity.get", { agentId: "work" }), { agentId: "work", name: "Ledger", avatar: "📒" });
  });

  it("answers a workspace image as the Control UI's avatar URL, and template placeholders as nothing", { timeout }, async () => {
    assert.deepEqual(await c.request("agent.identity.get", { agentId: "ops" }), {
      agentId: "ops",
      name: "Assistant",
      avatar: "/openclaw/avatar/ops",
    });
  });

  it("finds the agent from a session key, and refuses a key of another agent or an unknown agent", { timeout }, async () => {
    assert.equal((await c.request<any>("agent.identity.get", { sessionKey: "agent:work:telegram:dm:42" })).name, "Ledger");
    assert.equal((await c.request<any>("agent.identity.get", { sessionKey: "main" })).agentId, "main");
    const mismatch = await refused(c.request("agent.identity.get", { agentId: "main", sessionKey: "agent:work:main" }));
    assert.deepEqual(mismatch, {
      code: "INVALID_REQUEST",
      message: 'invalid agent.identity.get params: agent "main" does not match session key agent "work"',
    });
    const unknown = await refused(c.request("agent.identity.get", { agentId: "ghost" }));
    assert.equal(unknown.code, "INVALID_REQUEST");
    assert.match(unknown.message, /unknown agent "ghost" \(configured: main, work, huge, ops, web\)/);
    const extra = await refused(c.request("agent.identity.get", { agent: "main" }));
    assert.match(extra.message, /^invalid agent.identity.get params: <root>: unknown key agent/);
  });

  it("ui.assistant, when set, wins for every agent", { timeout }, async () => {
    writeConfig(gw.stateDir, { ...config, ui: { assistant: { name: "Jarvis", avatar: "J" } } });
    gw.ctx.reloadConfig("test");
    assert.deepEqual(await c.request("agent.identity.get", { agentId: "work" }), { agentId: "work", name: "Jarvis", avatar: "J" });
  });
});
