/** Tool policy: profiles, groups, allow/deny at each level, plugins, aliases, and the order they narrow in. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { resolveToolPolicy, type PolicyInput, type ToolInfo } from "../../src/tools/policy.js";
import type { OpenClawConfig } from "../../src/config/schema.js";

const TOOLS: ToolInfo[] = [
  ...[
    "read",
    "write",
    "edit",
    "apply_patch",
    "exec",
    "process",
    "web_fetch",
    "web_search",
    "message",
    "session_status",
    "sessions_list",
    "browser",
    "cron",
    "memory_search",
  ].map((name) => ({ name })),
  { name: "hello_greet", pluginId: "hello" },
  { name: "hello_wave", pluginId: "hello" },
];

function offered(config: Record<string, unknown>, extra: Partial<PolicyInput> = {}) {
  const p = resolveToolPolicy({ config: config as OpenClawConfig, agentId: "main", ...extra }, TOOLS);
  return { names: TOOLS.map((t) => t.name).filter((n) => p.allows(n)), warnings: p.warnings };
}

describe("tool policy", () => {
  it("offers everything without a policy, and profiles narrow it", () => {
    assert.equal(offered({}).names.length, TOOLS.length);
    assert.deepEqual(offered({ tools: { profile: "minimal" } }).names, ["session_status"]);
    assert.deepEqual(offered({ tools: { profile: "coding" } }).names, [
      "read",
      "write",
      "edit",
      "apply_patch",
      "exec",
      "process",
      "session_status",
      "sessions_list",
      "memory_search",
    ]);
    assert.deepEqual(offered({ tools: { profile: "messaging" } }).names, ["message", "session_status", "sessions_list"]);
    assert.equal(offered({ tools: { profile: "full" } }).names.length, TOOLS.length);
  });

  it("adds alsoAllow to the profile, and alone it adds to everything", () => {
    assert.deepEqual(offered({ tools: { profile: "minimal", alsoAllow: ["web_fetch", "hello"] } }).names, [
      "web_fetch",
      "session_status",
      "hello_greet",
      "hello_wave",
    ]);
    assert.equal(offered({ tools: { alsoAllow: ["hello_wave"] } }).names.length, TOOLS.length);
  });

  it("deny wins, at any level, with groups, wildcards and aliases", () => {
    assert.ok(!offered({ tools: { deny: ["group:fs"] } }).names.includes("edit"));
    assert.ok(!offered({ tools: { allow: ["*"], deny: ["web_*"] } }).names.some((n) => n.startsWith("web_")));
    assert.ok(!offered({ tools: { deny: ["BASH"] } }).names.includes("exec"), "bash is exec");
    const agentDeny = offered({ tools: { allow: ["group:fs", "exec"] }, agents: { list: [{ id: "main", tools: { deny: ["write"] } }] } });
    assert.deepEqual(
      agentDeny.names,
      ["read", "edit", "apply_patch", "exec"],
      "allowing exec allows apply_patch; the agent narrows further",
    );
  });

  it("narrows by provider and model, and for a group", () => {
    const cfg = { tools: { byProvider: { "openai/gpt-5": { deny: ["exec"] }, anthropic: { profile: "minimal" } } } };
    assert.ok(!offered(cfg, { provider: "openai", modelId: "gpt-5" }).names.includes("exec"));
    assert.ok(offered(cfg, { provider: "openai", modelId: "gpt-4o" }).names.includes("exec"));
    assert.deepEqual(offered(cfg, { provider: "anthropic", modelId: "claude" }).names, ["session_status"]);
    assert.deepEqual(offered({}, { group: { allow: ["message", "read"] } }).names, ["read", "message"]);
  });

  it("keeps sub-agents away from orchestration tools", () => {
    const names = offered({}, { subagent: true }).names;
    assert.ok(!names.includes("sessions_list") && !names.includes("cron") && !names.includes("memory_search"));
    assert.ok(names.includes("read"));
  });

  it("sets aside an allow list that names only plugin or unknown tools, with a warning", () => {
    const out = offered({ tools: { allow: ["hello_greet"] } });
    assert.equal(out.names.length, TOOLS.length, "built-in tools stay available");
    assert.match(out.warnings[0]!, /tools\.allow names no built-in tool .*use tools\.alsoAllow/);
    const mixed = offered({ tools: { allow: ["read", "nonesuch"] } });
    assert.deepEqual(mixed.names, ["read"]);
    assert.match(mixed.warnings[0]!, /unknown tools \(nonesuch\)/);
  });
});

describe("tool policy in a run", () => {
  it("offers only what the policy allows, and refuses a call to anything else", { timeout: 60_000 }, async () => {
    const { KEYS, chatClient, fakeConfig, startFakes } = await import("../helpers/agents.js");
    const { startTestGateway } = await import("../helpers/gateway.js");
    const f = await startFakes();
    const gw = await startTestGateway({ env: KEYS, config: { ...fakeConfig(f), tools: { profile: "minimal", alsoAllow: ["read"] } } });
    try {
      f.anthropic.enqueue({ toolCalls: [{ name: "write", arguments: { path: "x.txt", content: "no" } }] }, { text: "ok" });
      const c = await chatClient(gw);
      await c.send("write something", "agent:main:policy");
      assert.deepEqual(
        f.anthropic.requests[0]!.toolNames,
        ["read", "session_status"],
        "apply_patch, write, edit and current_time are not offered",
      );
      assert.match(f.anthropic.requests[1]!.toolResults[0]!.content, /Tool "write" is not available in this session/);
      c.client.close();
    } finally {
      await gw.close();
      await f.close();
    }
  });
});
