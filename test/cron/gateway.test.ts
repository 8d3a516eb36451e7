/**
 * Scheduled jobs through a real gateway with a fake model and a fake Telegram: a job added with
 * `cron.add` runs on its own, its isolated agent turn's reply arrives in the Telegram chat, `cron.runs`
 * lists the run, `cron.run` forces one, `cron` events reach operators, and the job survives a restart.
 * With the original CLI installed, `openclaw cron list` reads our jobs.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { FakeLlm } from "../fakes/llm.js";
import { FakeTelegram } from "../fakes/telegram.js";
import { connect, refused, startTestGateway, tmpDir, waitFor, type TestGateway } from "../helpers/gateway.js";
import { refCli, refSkipReason, REF_TIMEOUT_MS } from "../helpers/reference-cli.js";
import { chatClient } from "../helpers/agents.js";

const T = { timeout: 60_000 };
const TOKEN = "cron-test-token-123456";
const OWNER = { id: 7101, username: "owner", first_name: "Olivia" };
const userText = (req: { messages: Array<{ role: string; text: string }> }) =>
  req.messages.filter((m) => m.role === "user").at(-1)?.text ?? "";

describe("cron through the gateway", () => {
  let llm: FakeLlm;
  let tg: FakeTelegram;
  let gw: TestGateway;
  let stateDir: string;
  let ws: string;
  const config = () => ({
    gateway: { mode: "local" },
    models: { providers: { anthropic: { baseUrl: llm.baseUrl, models: [] } } },
    agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" }, workspace: ws } },
    channels: { telegram: { apiRoot: tg.apiRoot, allowFrom: [`@${OWNER.username}`] } },
    cron: { enabled: true, maxConcurrentRuns: 2 },
  });
  const start = async () => {
    gw = await startTestGateway({
      stateDir,
      token: TOKEN,
      config: config(),
      env: { ANTHROPIC_API_KEY: "k", TELEGRAM_BOT_TOKEN: tg.token, OPENCLAW_TELEGRAM_POLL_TIMEOUT: "1" },
    });
    await waitFor(() => gw.output.some((l) => /\[telegram\] logged in to telegram as @/.test(l)), 10_000, "telegram login");
  };
  before(async () => {
    llm = await FakeLlm.start("anthropic");
    llm.responder = (req) => ({ text: `report for ${userText(req).includes("[cron:") ? "cron" : "chat"}` });
    tg = await FakeTelegram.start();
    stateDir = tmpDir("oc-cron-gw-");
    ws = tmpDir("oc-cron-ws-");
    await start();
  });
  after(async () => {
    await gw?.close();
    await tg.close();
    await llm.close();
    fs.rmSync(ws, { recursive: true, force: true });
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  let jobId = "";

  it("a job added with cron.add runs on its own and its reply arrives in the Telegram chat", T, async () => {
    const events: any[] = [];
    const c = await connect(gw.wsUrl, { token: TOKEN, onEvent: (e, p) => e === "cron" && events.push(p) });
    const sentBefore = tg.sent.length;
    const job: any = await c.request("cron.add", {
      name: "status report",
      schedule: { kind: "at", atMs: Date.now() + 500 },
      payload: { kind: "agentTurn", message: "Write the status report.", deliver: true, channel: "telegram", to: String(OWNER.id) },
    });
    jobId = job.id;
    assert.equal(job.sessionTarget, "isolated", "inferred from the payload");
    assert.equal(job.wakeMode, "next-heartbeat");
    assert.equal(job.enabled, true);
    await tg.waitFor(() => tg.sent.length > sentBefore, 20_000, "the job's reply in Telegram");
    const msg = tg.sent.at(-1)!;
    assert.equal(msg.chatId, String(OWNER.id));
    assert.equal(msg.plain ?? msg.text, "report for cron");
    assert.match(
      userText(llm.requests.at(-1)!),
      new RegExp(`^\\[cron:${job.id} status report\\] Write the status report\\.\\nCurrent time: `),
    );

    await waitFor(() => events.some((e) => e.jobId === job.id && e.action === "finished"), 10_000, "the finished event");
    assert.deepEqual(
      events.filter((e) => e.jobId === job.id).map((e) => e.action),
      ["added", "started", "finished"],
    );
    const fin = events.find((e) => e.action === "finished");
    assert.equal(fin.status, "ok");
    assert.equal(fin.summary, "report for cron");

    const runs: any = await c.request("cron.runs", { id: job.id });
    assert.equal(runs.entries.length, 1);
    assert.equal(runs.entries[0].status, "ok");
    assert.equal(runs.entries[0].jobId, job.id);
    const list: any = await c.request("cron.list", { includeDisabled: true });
    const listed = list.jobs.find((j: any) => j.id === job.id);
    assert.equal(listed.enabled, false, "a one-shot that succeeded is disabled");
    assert.equal(listed.state.lastStatus, "ok");
    c.close();
  });

  it("a job's own budget refuses its runs once used up, naming the job, with no model call", T, async () => {
    const c = await connect(gw.wsUrl, { token: TOKEN });
    const job: any = await c.request("cron.add", {
      name: "thrifty",
      schedule: { kind: "every", everyMs: 3_600_000 },
      sessionTarget: "isolated",
      wakeMode: "next-heartbeat",
      payload: { kind: "agentTurn", message: "summarise" },
      budget: { daily: { tokens: 1 } },
    });
    assert.deepEqual(job.budget, { daily: { tokens: 1 } });
    llm.enqueue({ text: "first summary" });
    await c.request("cron.run", { jobId: job.id, mode: "force" });
    const calls = llm.requests.length;
    await c.request("cron.run", { jobId: job.id, mode: "force" });
    assert.equal(llm.requests.length, calls, "the second run never reached the model");
    const runs: any = await c.request("cron.runs", { jobId: job.id });
    const last = runs.entries.at(-1);
    assert.equal(last.status, "error");
    assert.match(last.error, /cron job "thrifty" budget/);
    await c.request("cron.remove", { jobId: job.id });
    c.close();
  });

  it("cron.run forces a run; bad input and unknown ids get clear errors; readers cannot add", T, async () => {
    const c = await connect(gw.wsUrl, { token: TOKEN });
    const sentBefore = tg.sent.length;
    assert.deepEqual(await c.request("cron.run", { jobId, mode: "force" }), { ok: true, ran: true });
    assert.ok(tg.sent.length > sentBefore, "cron.run waited for the run, whose reply was delivered");
    const runs: any = await c.request("cron.runs", { jobId });
    assert.equal(runs.entries.length, 2);

    const bad = await refused(
      c.request("cron.add", { name: "x", schedule: { kind: "cron", expr: "soon" }, payload: { kind: "systemEvent", text: "hi" } }),
    );
    assert.equal(bad.code, "INVALID_REQUEST");
    assert.match(bad.message, /invalid cron expression "soon"/);
    const mismatch = await refused(
      c.request("cron.add", {
        name: "x",
        sessionTarget: "main",
        schedule: { everyMs: 1000 },
        payload: { kind: "agentTurn", message: "hi" },
      }),
    );
    assert.match(mismatch.message, /main cron jobs require payload.kind="systemEvent"/);
    assert.match(
      (
        await refused(
          c.request("cron.remove", { id: "nope" }).then(() => c.request("cron.update", { id: "nope", patch: { enabled: false } })),
        )
      ).message,
      /unknown cron job id: nope/,
    );
    assert.match((await refused(c.request("cron.runs", {}))).message, /invalid cron.runs params/);
    c.close();

    const reader = await connect(gw.wsUrl, { token: TOKEN, scopes: ["operator.read"] });
    assert.ok(Array.isArray(((await reader.request("cron.list", {})) as any).jobs));
    assert.equal(
      (await refused(reader.request("cron.add", { name: "x", schedule: { everyMs: 1000 }, payload: { kind: "systemEvent", text: "hi" } })))
        .code,
      "FORBIDDEN",
    );
    reader.close();
  });

  it("a job survives a gateway restart and runs in the new one", T, async () => {
    let c = await connect(gw.wsUrl, { token: TOKEN });
    const job: any = await c.request("cron.add", {
      name: "nightly",
      schedule: { kind: "every", everyMs: 3_600_000 },
      payload: { kind: "agentTurn", message: "Nightly summary.", deliver: true, channel: "telegram", to: String(OWNER.id) },
    });
    c.close();
    await gw.close();
    await start();
    c = await connect(gw.wsUrl, { token: TOKEN });
    const list: any = await c.request("cron.list", {});
    const again = list.jobs.find((j: any) => j.id === job.id);
    assert.ok(again, "listed after the restart");
    assert.deepEqual(again.schedule, job.schedule);
    assert.equal(again.state.nextRunAtMs, job.state.nextRunAtMs, "the same next run");
    const sentBefore = tg.sent.length;
    assert.deepEqual(await c.request("cron.run", { id: job.id, mode: "force" }), { ok: true, ran: true });
    assert.ok(tg.sent.length > sentBefore);
    assert.equal(tg.sent.at(-1)!.plain ?? tg.sent.at(-1)!.text, "report for cron");
    const status: any = await c.request("cron.status", {});
    assert.equal(status.enabled, true);
    assert.equal(status.jobs, 2);
    const after: any = await c.request("cron.list", {});
    assert.equal(status.nextWakeAtMs, after.jobs.find((j: any) => j.id === job.id).state.nextRunAtMs);
    assert.match(status.storePath, /cron\/jobs\.json$/);
    c.close();
  });

  it("the agent schedules a reminder with the cron tool; it reaches the main session as a System line", T, async () => {
    const c = await chatClient(gw, { token: TOKEN });
    llm.enqueue(
      {
        toolCalls: [
          {
            name: "cron",
            arguments: {
              action: "add",
              job: {
                name: "water",
                schedule: { kind: "every", everyMs: 3_600_000 },
                payload: { kind: "systemEvent", text: "Drink water" },
              },
            },
          },
        ],
      },
      { text: "scheduled" },
    );
    const out = await c.send("remind me to drink water every hour", "agent:main:tools");
    assert.equal(out.text, "scheduled");
    const added = JSON.parse(llm.requests.at(-1)!.toolResults.at(-1)!.content);
    assert.equal(added.name, "water");
    assert.equal(added.agentId, "main", "the job belongs to the agent that scheduled it");
    assert.equal(added.sessionTarget, "main");

    assert.deepEqual(await c.client.request("cron.run", { id: added.id, mode: "force" }), { ok: true, ran: true });
    llm.enqueue({ text: "noted" });
    await c.send("anything new?", "main");
    assert.match(userText(llm.requests.at(-1)!), /System: \[[^\]]+\] Drink water\n\n\[WebChat [^\]]+\] anything new\?/);
    c.client.close();
  });

  it("the original CLI lists our jobs", { timeout: REF_TIMEOUT_MS * 2, skip: refSkipReason }, async () => {
    const r = await refCli(["cron", "list", "--all", "--url", gw.wsUrl, "--token", TOKEN, "--json"], TOKEN);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.jobs.map((j: any) => j.name).sort(), ["nightly", "status report", "water"]);
  });
});
