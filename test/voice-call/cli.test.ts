/** `openclaw voicecall …` talks to the running gateway; `tail` reads the call log from the state directory. */
import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, describe, it } from "node:test";
import { FakeTwilio } from "../fakes/twilio.js";
import { cli, freePort, startTestGateway, tmpDir, type TestGateway } from "../helpers/gateway.js";

const TOKEN = "voice-cli-token";
const TO = "+15550002222";

describe("openclaw voicecall", () => {
  let twilio: FakeTwilio;
  let gw: TestGateway;
  let stateDir: string;
  let env: Record<string, string>;
  before(async () => {
    twilio = await FakeTwilio.start();
    stateDir = tmpDir("oc-voice-cli-");
    const port = await freePort();
    gw = await startTestGateway({
      port,
      stateDir,
      config: {
        gateway: { mode: "local", auth: { mode: "token", token: TOKEN } },
        plugins: twilio.plugins({
          publicUrl: `http://127.0.0.1:${port}/voice/webhook`,
        }),
      },
    });
    env = { HOME: stateDir, OPENCLAW_STATE_DIR: stateDir, OPENCLAW_GATEWAY_TOKEN: TOKEN, OPENCLAW_GATEWAY_PORT: String(port) };
  });
  after(async () => {
    await gw?.close();
    await twilio?.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it("call places a call through the running gateway; status and tail show it", { timeout: 60_000 }, async () => {
    const placed = await cli(
      ["voicecall", "call", "--to", TO, "--message", "Reminder: dentist at 3", "--mode", "notify", "--url", gw.wsUrl],
      env,
    );
    assert.equal(placed.code, 0, placed.stderr);
    const { callId } = JSON.parse(placed.stdout);
    assert.ok(callId);
    assert.equal((await twilio.waitForCreates(1))[0]!.form.get("To"), TO);

    const status = await cli(["voicecall", "status", "--call-id", callId, "--url", gw.wsUrl], env);
    assert.equal(status.code, 0, status.stderr);
    const s = JSON.parse(status.stdout);
    assert.equal(s.found, true);
    assert.equal(s.call.to, TO);
    assert.equal(s.call.metadata.mode, "notify");

    const tail = await cli(["voicecall", "tail", "--no-follow"], env);
    assert.equal(tail.code, 0, tail.stderr);
    const lines = tail.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.ok(lines.some((l) => l.callId === callId));
  });

  it("errors say what is wrong", { timeout: 60_000 }, async () => {
    const noMessage = await cli(["voicecall", "continue", "--call-id", "nope", "--message", "hi", "--url", gw.wsUrl], env);
    assert.notEqual(noMessage.code, 0);
    assert.match(noMessage.stderr, /no call nope/);
    const empty = tmpDir("oc-voice-cli-empty-");
    try {
      const tail = await cli(["voicecall", "tail", "--no-follow"], { HOME: empty, OPENCLAW_STATE_DIR: empty });
      assert.notEqual(tail.code, 0);
      assert.match(tail.stderr, /no call log at .*voice-calls\/calls\.jsonl/);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
