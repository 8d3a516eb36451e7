/**
 * `openclaw doctor` with the Fly guide's voice-call JSON names every missing piece (fromNumber, the
 * Twilio credentials, the ngrok token) and has no voice-call error once they are given.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { formatDoctor, runDoctor } from "../../src/ops/doctor.js";
import { tmpDir, writeConfig } from "../helpers/gateway.js";

const MB = 1024 * 1024;
const GUIDE = { plugins: { entries: { "voice-call": { enabled: true, config: { provider: "twilio", tunnel: { provider: "ngrok" } } } } } };

async function doctor(config: unknown, env: Record<string, string> = {}) {
  const stateDir = tmpDir("oc-voice-doctor-");
  const cwd = tmpDir("oc-voice-doctor-cwd-");
  try {
    writeConfig(stateDir, config);
    const report = await runDoctor({
      env: { HOME: stateDir, OPENCLAW_STATE_DIR: stateDir, ANTHROPIC_API_KEY: "sk-ant-test", ...env },
      cwd,
      stateDir,
      configPath: path.join(stateDir, "openclaw.json"),
      system: {
        nodeVersion: "22.12.0",
        container: () => null,
        mountPointOf: () => "/",
        memoryLimit: () => ({ bytes: 2048 * MB, source: "test machine" }),
        processInfo: () => null,
      },
      probeHealth: async () => false,
    });
    return { report, text: formatDoctor(report) };
  } finally {
    fs.rmSync(stateDir, { recursive: true, force: true });
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

const voiceErrors = (r: Awaited<ReturnType<typeof doctor>>["report"]) =>
  r.findings.filter((f) => f.id.startsWith("voice-call") && f.level === "error");

describe("doctor: voice calls", () => {
  it("the Fly guide's JSON alone: names fromNumber, the Twilio variables and the ngrok token", { timeout: 20_000 }, async () => {
    const { report, text } = await doctor({ gateway: { mode: "local" }, ...GUIDE });
    assert.equal(report.findings.find((f) => f.id === "config.valid")?.level, "ok", text);
    const ids = voiceErrors(report)
      .map((f) => f.id)
      .sort();
    assert.deepEqual(ids, [
      "voice-call.fromNumber",
      "voice-call.tunnel.ngrokAuthToken",
      "voice-call.twilio.accountSid",
      "voice-call.twilio.authToken",
    ]);
    assert.match(text, /plugins\.entries\.voice-call\.config\.fromNumber is required/);
    assert.match(text, /plugins\.entries\.voice-call\.config\.twilio\.accountSid is required \(or set TWILIO_ACCOUNT_SID\)/);
    assert.match(text, /plugins\.entries\.voice-call\.config\.twilio\.authToken is required \(or set TWILIO_AUTH_TOKEN\)/);
    assert.match(text, /plugins\.entries\.voice-call\.config\.tunnel\.ngrokAuthToken is required .*\(or set NGROK_AUTHTOKEN\)/);
    assert.match(text, /fly secrets set TWILIO_AUTH_TOKEN=/);
    assert.equal(report.ok, false);
  });

  it("with the numbers in the config and the secrets in the environment: no voice-call error", { timeout: 20_000 }, async () => {
    const config = structuredClone(GUIDE) as any;
    config.plugins.entries["voice-call"].config.fromNumber = "+15550001234";
    const { report, text } = await doctor(
      { gateway: { mode: "local" }, ...config },
      { TWILIO_ACCOUNT_SID: "AC123", TWILIO_AUTH_TOKEN: "secret", NGROK_AUTHTOKEN: "ngrok-token" },
    );
    assert.deepEqual(voiceErrors(report), [], text);
    assert.match(text, /ok +voice-call: voice calls through twilio from \+15550001234; webhook via ngrok/);
  });

  it("the credentials as config keys count too; a bad number is named by its full path", { timeout: 20_000 }, async () => {
    const good = {
      provider: "twilio",
      fromNumber: "+15550001234",
      twilio: { accountSid: "AC123", authToken: "secret" },
      tunnel: { provider: "ngrok", ngrokAuthToken: "tok" },
    };
    const { report } = await doctor({
      gateway: { mode: "local" },
      plugins: { entries: { "voice-call": { enabled: true, config: good } } },
    });
    assert.deepEqual(voiceErrors(report), []);
    const bad = await doctor({
      gateway: { mode: "local" },
      plugins: { entries: { "voice-call": { enabled: true, config: { ...good, fromNumber: "5550001234" } } } },
    });
    assert.match(bad.text, /plugins\.entries\.voice-call\.config\.fromNumber: must be an E\.164 phone number/);
  });

  it("says nothing about voice calls when the plugin is not enabled", { timeout: 20_000 }, async () => {
    const { report } = await doctor({ gateway: { mode: "local" } });
    assert.deepEqual(
      report.findings.filter((f) => f.id.startsWith("voice-call")),
      [],
    );
  });
});
