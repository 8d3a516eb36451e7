/** `openclaw sandbox explain|list|recreate` as a user runs them (built CLI, a fake `docker` on PATH). */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { cli, tmpDir, writeConfig } from "../helpers/gateway.js";
import { fakeDocker } from "./fake-docker.js";

function setup(config: unknown, docker: { down?: boolean } = {}) {
  const dir = tmpDir();
  writeConfig(dir, config);
  const fake = fakeDocker(docker);
  // Only the fake docker and node are on PATH: a real docker on this machine is never reached.
  const env = { HOME: dir, OPENCLAW_STATE_DIR: dir, PATH: `${fake.dir}:${path.dirname(process.execPath)}` };
  return { dir, fake, env };
}

interface Explanation {
  agentId: string;
  sessionKey: string;
  mainSessionKey: string;
  sandbox: {
    mode: string;
    scope: string;
    workspaceRoot: string;
    sessionIsSandboxed: boolean;
    tools: { allow: string[]; deny: string[]; sources: { allow: { source: string }; deny: { source: string } } };
  };
  docker: { ok: boolean; version?: string; reason?: string };
  fixIt: string[];
}

describe("openclaw sandbox", { timeout: 60_000 }, () => {
  it("explain --json: a group session under non-main is sandboxed, with the per-agent tool policy and docker reachability", async () => {
    const t = setup({
      agents: {
        defaults: { sandbox: { mode: "non-main" } },
        list: [{ id: "main" }, { id: "work", tools: { sandbox: { tools: { allow: ["exec", "read"] } } } }],
      },
      tools: { sandbox: { tools: { allow: ["read"], deny: ["cron"] } } },
    });
    const r = await cli(["sandbox", "explain", "--session", "agent:work:telegram:group:-100", "--json"], t.env, t.dir);
    assert.equal(r.code, 0, r.stderr);
    const e = JSON.parse(r.stdout) as Explanation;
    assert.equal(e.agentId, "work");
    assert.equal(e.sessionKey, "agent:work:telegram:group:-100");
    assert.equal(e.mainSessionKey, "agent:work:main");
    assert.equal(e.sandbox.mode, "non-main");
    assert.equal(e.sandbox.scope, "agent");
    assert.equal(e.sandbox.workspaceRoot, path.join(t.dir, "sandboxes"));
    assert.equal(e.sandbox.sessionIsSandboxed, true);
    assert.deepEqual(e.sandbox.tools.allow, ["exec", "read", "image"]);
    assert.equal(e.sandbox.tools.sources.allow.source, "agent");
    assert.deepEqual(e.sandbox.tools.deny, ["cron"]);
    assert.equal(e.sandbox.tools.sources.deny.source, "global");
    assert.deepEqual(e.docker, { ok: true, version: "27.3.1" });
    assert.ok(e.fixIt.includes("agents.defaults.sandbox.mode=off"));

    const main = JSON.parse((await cli(["sandbox", "explain", "--json"], t.env, t.dir)).stdout) as Explanation;
    assert.equal(main.sessionKey, "agent:main:main");
    assert.equal(main.sandbox.sessionIsSandboxed, false);
  });

  it("explain without a Docker engine warns that sandboxed tool calls will be refused", async () => {
    const t = setup({ agents: { defaults: { sandbox: { mode: "all" } } } }, { down: true });
    const r = await cli(["sandbox", "explain"], t.env, t.dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ {2}runtime: sandboxed$/m);
    assert.match(r.stdout, /^ {2}docker: unreachable \(Cannot connect to the Docker daemon/m);
    assert.match(r.stdout, /^Warning: this session is sandboxed but no Docker engine is reachable/m);
  });

  it("list --json shows the registry's containers; recreate --agent --force removes them", async () => {
    const t = setup({ agents: { defaults: { sandbox: { mode: "all" } } } });
    const name = "openclaw-sbx-agent-main-0a1b2c3d";
    fs.mkdirSync(path.join(t.dir, "sandbox"));
    const entry = {
      containerName: name,
      sessionKey: "agent:main",
      createdAtMs: 1,
      lastUsedAtMs: 2,
      image: "openclaw-sandbox:bookworm-slim",
    };
    fs.writeFileSync(path.join(t.dir, "sandbox", "containers.json"), JSON.stringify({ entries: [entry] }));
    t.fake.setState({
      containers: { [name]: { image: "old:1", labels: {}, running: true, args: [] } },
      images: ["openclaw-sandbox:bookworm-slim"],
    });

    const list = await cli(["sandbox", "list", "--json"], t.env, t.dir);
    assert.equal(list.code, 0, list.stderr);
    const listed = JSON.parse(list.stdout) as { containers: Array<Record<string, unknown>> };
    assert.deepEqual(listed.containers, [{ ...entry, image: "old:1", running: true, imageMatch: false }]);

    const text = await cli(["sandbox", "list"], t.env, t.dir);
    assert.match(text.stdout, new RegExp(`^${name} +running +old:1 \\(config differs\\)`, "m"));

    const noChoice = await cli(["sandbox", "recreate"], t.env, t.dir);
    assert.equal(noChoice.code, 1);
    assert.match(noChoice.stderr, /Please specify --all, --session <key>, or --agent <id>/);

    const r = await cli(["sandbox", "recreate", "--agent", "main", "--force"], t.env, t.dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`✓ Removed ${name}`));
    assert.deepEqual(t.fake.state().containers, {});
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(t.dir, "sandbox", "containers.json"), "utf8")), { entries: [] });
  });
});
