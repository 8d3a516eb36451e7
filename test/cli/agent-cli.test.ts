/** `openclaw agent`, `sessions list`, `models list` against a gateway process talking to fake models. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fakeConfig, KEYS, startFakes, type Fakes } from "../helpers/agents.js";
import { cli, spawnGateway, tmpDir, writeConfig, type GatewayProcess } from "../helpers/gateway.js";
import { stripEnvelope } from "../../src/agents/envelope.js";

describe("agent CLI", () => {
  let f: Fakes;
  let gw: GatewayProcess;
  let env: Record<string, string>;
  before(async () => {
    f = await startFakes();
    const dir = tmpDir();
    writeConfig(dir, fakeConfig(f));
    env = { OPENCLAW_STATE_DIR: dir, HOME: dir, ...KEYS };
    gw = await spawnGateway(["--port", "0"], env);
    env.OPENCLAW_GATEWAY_PORT = String(gw.port);
  });
  after(async () => {
    gw.proc.kill("SIGTERM");
    await gw.exit;
    await f.close();
  });

  it("agent --message streams the reply to stdout", async () => {
    f.anthropic.enqueue({ text: "Streaming to your terminal.", chunkDelayMs: 30 });
    const r = await cli(["agent", "--message", "hello from the cli"], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "Streaming to your terminal.\n");
    assert.equal(stripEnvelope(f.anthropic.requests.at(-1)!.messages.at(-1)!.text), "hello from the cli");
  });

  it("agent exits non-zero with the reason when the run fails", async () => {
    f.anthropic.enqueue({ error: { status: 400, message: "this request is invalid" } });
    const r = await cli(["agent", "--message", "fail please", "--session", "agent:main:cli-fail"], env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /this request is invalid/);
  });

  it("sessions list and models list print tables", async () => {
    const s = await cli(["sessions", "list"], env);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /^KEY\s+UPDATED\s+MODEL\s+TOKENS\s+COST/);
    assert.match(s.stdout, /agent:main:main\s+\d+s ago\s+anthropic\/claude-opus-4-5\s+\d+\s+\$\d\.\d{4}/);
    const m = await cli(["models", "list"], env);
    assert.match(m.stdout, /anthropic\/claude-opus-4-5\s+Claude Opus 4\.5\s+200000/);
    assert.match(m.stdout, /openai\/gpt-4o\s/);
  });
});
