/**
 * The heartbeat end to end: a real gateway with a fake model and the fake Telegram. The owner talks
 * to the bot once, so the main session knows its chat; heartbeats then run on a one-second interval
 * and only alerts reach that chat, once each.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { FakeLlm, type FakeRequest } from "../fakes/llm.js";
import { FakeTelegram } from "../fakes/telegram.js";
import { connect, startTestGateway, tmpDir, waitFor, type TestGateway } from "../helpers/gateway.js";
import type { GatewayClient } from "../../src/cli/client.js";
import { stripEnvelope } from "../../src/agents/envelope.js";

const T = { timeout: 30_000 };
const OWNER = { id: 7301, username: "owner", first_name: "Olivia" };
const isHeartbeat = (r: FakeRequest) => /HEARTBEAT_OK/.test(r.messages.at(-1)?.text ?? "");

interface Setup {
  llm: FakeLlm;
  tg: FakeTelegram;
  gw: TestGateway;
  ws: string;
  op: GatewayClient;
  beats: any[];
  /** What the model answers a heartbeat with. */
  reply: { text: string };
  close(): Promise<void>;
}

async function setup(heartbeat: Record<string, unknown>, opts: { telegram?: boolean; verbose?: boolean } = {}): Promise<Setup> {
  const llm = await FakeLlm.start("anthropic");
  const tg = await FakeTelegram.start();
  const ws = tmpDir("oc-heartbeat-ws-");
  fs.writeFileSync(path.join(ws, "HEARTBEAT.md"), "# Checks\n\n- Look at the disk space.\n");
  const reply = { text: "HEARTBEAT_OK" };
  llm.responder = (req) => (isHeartbeat(req) ? { text: reply.text } : { text: `echo: ${stripEnvelope(req.messages.at(-1)?.text ?? "")}` });
  const gw = await startTestGateway({
    config: {
      gateway: { mode: "local" },
      models: { providers: { anthropic: { baseUrl: llm.baseUrl, models: [] } } },
      agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" }, workspace: ws, heartbeat } },
      ...(opts.telegram === false ? {} : { channels: { telegram: { apiRoot: tg.apiRoot, allowFrom: [`@${OWNER.username}`] } } }),
    },
    env: { ANTHROPIC_API_KEY: "k", TELEGRAM_BOT_TOKEN: tg.token, OPENCLAW_TELEGRAM_POLL_TIMEOUT: "1" },
    ...(opts.verbose ? { verbose: true } : {}),
  });
  const beats: any[] = [];
  const op = await connect(gw.wsUrl, { onEvent: (event, payload) => void (event === "heartbeat" && beats.push(payload)) });
  return {
    llm,
    tg,
    gw,
    ws,
    op,
    beats,
    reply,
    async close() {
      op.close();
      await gw.close();
      await tg.close();
      await llm.close();
      fs.rmSync(ws, { recursive: true, force: true });
    },
  };
}

describe("heartbeat every second, reporting to the owner's Telegram chat", () => {
  let s: Setup;
  before(async () => {
    s = await setup({ every: "1s" });
    await waitFor(() => s.gw.output.some((l) => /\[telegram\] logged in to telegram as @/.test(l)), 10_000, "telegram login");
    // The owner writes once: the main session now knows where to report.
    s.tg.userSends({ chatId: OWNER.id, from: OWNER, text: "hello" });
    await s.tg.waitForSent(1, 10_000);
    assert.equal(s.tg.sent[0]!.text, "echo: hello");
  });
  after(() => s.close());

  it("a reply of HEARTBEAT_OK posts nothing", T, async () => {
    const seen = s.beats.length;
    await waitFor(() => s.beats.slice(seen).find((b) => b.status === "ok-token"), 10_000, "an ok heartbeat");
    const ok = s.beats.slice(seen).find((b) => b.status === "ok-token");
    assert.equal(ok.channel, "telegram");
    assert.equal(ok.silent, true);
    assert.equal(ok.indicatorType, "ok");
    assert.ok(s.llm.requests.some(isHeartbeat), "the model was asked");
    assert.equal(s.tg.sent.length, 1, "only the echo of hello was sent");
  });

  it("an alert reaches the chat the owner last used, and the same alert again is not repeated", T, async () => {
    const seen = s.beats.length;
    s.reply.text = "The disk is 95% full.";
    await waitFor(() => s.tg.sent.some((m) => m.text === "The disk is 95% full."), 10_000, "the alert in Telegram");
    const alert = s.tg.sent.find((m) => m.text === "The disk is 95% full.")!;
    assert.equal(String(alert.chatId), String(OWNER.id));
    // The next beat says the same thing: it is recognised as a duplicate and not sent.
    await waitFor(() => s.beats.slice(seen).some((b) => b.status === "skipped" && b.reason === "duplicate"), 10_000, "a duplicate");
    assert.equal(s.tg.sent.filter((m) => m.text === "The disk is 95% full.").length, 1);
    const sent = s.beats.slice(seen).find((b) => b.status === "sent");
    assert.equal(sent.channel, "telegram");
    assert.equal(sent.to, String(OWNER.id));
    assert.equal(sent.preview, "The disk is 95% full.");
    assert.equal(sent.indicatorType, "alert");
    // A short remark next to the token is still an acknowledgement.
    s.reply.text = "All quiet. HEARTBEAT_OK";
    const now = s.beats.length;
    await waitFor(() => s.beats.slice(now).some((b) => b.status === "ok-token"), 10_000, "an ok heartbeat");
    assert.equal(s.tg.sent.filter((m) => /All quiet/.test(m.text ?? "")).length, 0);
  });

  it("last-heartbeat answers the latest outcome in OpenClaw's shape", T, async () => {
    const last: any = await s.op.request("last-heartbeat", {});
    assert.ok(last, "a heartbeat has run");
    assert.equal(typeof last.ts, "number");
    assert.ok(["sent", "ok-empty", "ok-token", "skipped", "failed"].includes(last.status), last.status);
    assert.equal(typeof last.durationMs, "number");
    assert.deepEqual(last, s.beats.at(-1));
  });

  it("set-heartbeats {enabled:false} stops the ticks; enabled:true resumes them", T, async () => {
    assert.deepEqual(await s.op.request("set-heartbeats", { enabled: false }), { ok: true, enabled: false });
    // A beat already under way may still finish; after that nothing more runs.
    await waitFor(() => s.llm.active === 0, 10_000, "the model idle");
    const beats = s.beats.length;
    const asked = s.llm.requests.filter(isHeartbeat).length;
    // Proving that nothing happens takes time: the owner's round trip plus three intervals.
    const since = Date.now();
    s.tg.userSends({ chatId: OWNER.id, from: OWNER, text: "still there?" });
    await waitFor(() => s.tg.sent.some((m) => m.text === "echo: still there?"), 10_000, "the echo");
    await waitFor(() => Date.now() - since > 3_000, 10_000, "three intervals");
    assert.equal(s.beats.length, beats, "no heartbeat event while paused");
    assert.equal(s.llm.requests.filter(isHeartbeat).length, asked, "the model was not asked while paused");
    await s.op.request("set-heartbeats", { enabled: true });
    await waitFor(() => s.beats.length > beats, 10_000, "a heartbeat after resuming");
  });

  it("set-heartbeats without enabled is refused with what to send", T, async () => {
    await assert.rejects(s.op.request("set-heartbeats", {}), /enabled/);
  });
});

describe("heartbeat woken by events", () => {
  let s: Setup;
  before(async () => {
    s = await setup({ every: "1h" }, { telegram: false });
  });
  after(() => s.close());

  it("wake with mode now runs one at once, carrying the event; next-heartbeat waits", T, async () => {
    assert.equal(s.beats.length, 0);
    const r: any = await s.op.request("wake", { mode: "next-heartbeat", text: "Printer is out of paper" });
    assert.equal(r.ok, true);
    const queued: any = await s.op.request("wake", { mode: "now", text: "Backup finished" });
    assert.equal(queued.woke, true);
    await waitFor(() => s.beats.length === 1, 10_000, "a heartbeat");
    const req = s.llm.requests.find(isHeartbeat)!;
    const prompt = req.messages.at(-1)!.text;
    assert.match(prompt, /System: \[[^\]]+\] Printer is out of paper\nSystem: \[[^\]]+\] Backup finished\n\n/);
    assert.match(prompt, /HEARTBEAT\.md/);
    // Nothing to report and nowhere to report it: an ok beat without a channel.
    assert.equal(s.beats[0].status, "ok-token");
    assert.equal(s.beats[0].channel, undefined);
  });

  it("an alert with no chat to go to is skipped as no-target", T, async () => {
    s.reply.text = "Something needs you.";
    await s.op.request("wake", { mode: "now", text: "Check now" });
    await waitFor(() => s.beats.length === 2, 10_000, "a second heartbeat");
    assert.equal(s.beats[1].status, "skipped");
    assert.equal(s.beats[1].reason, "no-target");
    assert.equal(s.beats[1].preview, "Something needs you.");
  });

  it("a HEARTBEAT.md holding only headings skips the model", T, async () => {
    fs.writeFileSync(path.join(s.ws, "HEARTBEAT.md"), "# Heartbeat\n\n## Nothing yet\n- [ ]\n");
    const asked = s.llm.requests.length;
    await s.op.request("wake", { mode: "now", text: "Anything?" });
    await waitFor(() => s.beats.length === 3, 10_000, "a third heartbeat");
    assert.equal(s.beats[2].status, "skipped");
    assert.equal(s.beats[2].reason, "empty-heartbeat-file");
    assert.equal(s.llm.requests.length, asked);
  });
});

describe("heartbeat outside its active hours", () => {
  let s: Setup;
  before(async () => {
    // A one-hour window starting two hours from now (UTC): now is outside it.
    const h = (new Date().getUTCHours() + 2) % 24;
    const hh = (n: number) => String(n).padStart(2, "0");
    s = await setup(
      { every: "1s", activeHours: { start: `${hh(h)}:00`, end: `${hh((h + 1) % 24)}:00`, timezone: "UTC" } },
      { telegram: false, verbose: true },
    );
  });
  after(() => s.close());

  it("nothing runs, on ticks or on wake", T, async () => {
    await waitFor(() => s.gw.output.filter((l) => /outside active hours/.test(l)).length >= 2, 10_000, "two quiet ticks");
    await s.op.request("wake", { mode: "now", text: "Wake up" });
    const quiet = s.gw.output.filter((l) => /outside active hours/.test(l)).length;
    await waitFor(() => s.gw.output.filter((l) => /outside active hours/.test(l)).length > quiet, 10_000, "the wake checked");
    assert.equal(s.llm.requests.length, 0, "the model was never asked");
    assert.equal(s.beats.length, 0);
    // No heartbeat has run: nothing to report (an empty answer).
    const last: any = await s.op.request("last-heartbeat", {});
    assert.equal(last?.status, undefined);
  });
});
