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
import { FakeLlm } from "../fakes/llm.js";
import { FakeTelegram } from "../fakes/telegram.js";
import { connect, startTestGateway, waitFor, type TestGateway } from "../helpers/gateway.js";
import { REF_TIMEOUT_MS, refCli as runRefCli, refSkipReason } from "../helpers/reference-cli.js";

const TOKEN = "reference-cli-token-5678";
const skip = refSkipReason;
const timeout = REF_TIMEOUT_MS;
const refCli = (args: string[]) => runRefCli(args, TOKEN);

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
          // Heartbeats off: what `system event` queues waits for the session's next message.
          defaults: { model: { primary: "anthropic/claude-sonnet-4-5" }, heartbeat: { every: "0m" } },
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
        /^System: \[[^\]]+\] Backups are done\nSystem: \[[^\]]+\] Check the logs\n\n\[WebChat [^\]]+\] anything\?$/,
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

    const bad = await call("send", { channel: "imessage", to: "+15550001", message: "x", idempotencyKey: "ref-send-2" });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr + bad.stdout, /unsupported channel: imessage/);
    const unset = await call("send", { channel: "whatsapp", to: "+15550001", message: "x", idempotencyKey: "ref-send-3" });
    assert.notEqual(unset.code, 0);
    assert.match(unset.stderr + unset.stdout, /WhatsApp is not set up: add channels\.whatsapp to the config/);
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
