/**
 * `openclaw gateway call <method>` of the original CLI for every method this gateway lists in its
 * hello-ok (`features.methods`), each checked against what the original gateway answers (the shapes
 * its own clients read), and the count of the original's methods (BASE_METHODS of its
 * server-methods-list.js) that this gateway answers.
 */
import { after, before, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { chatClient } from "../helpers/agents.js";
import { connect, waitFor } from "../helpers/gateway.js";
import {
  CLI_TIMEOUT_MS,
  MODEL,
  TOKEN,
  assertExitsOk,
  assertPrintsNot,
  originalMethods,
  parseJson,
  refSkip,
  replyTo,
  startConformanceGateway,
  type ConformanceGateway,
} from "./reference.js";

const skip = refSkip;
const MAIN = "agent:main:main";
const SCRATCH = "agent:main:conformance-scratch";

interface Ctx {
  c: ConformanceGateway;
  /** A finished run (from the warm-up turn). */
  runId: string;
}

interface MethodSpec {
  params?: (ctx: Ctx) => unknown | Promise<unknown>;
  /** Wait for the second (final) answer of a two-phase method such as `agent`. */
  expectFinal?: boolean;
  /** Checks the JSON the CLI printed. */
  check?: (result: any, ctx: Ctx) => void | Promise<void>;
  /** When the call must fail: what the CLI prints. */
  fails?: RegExp;
}

const isNum = (v: unknown) => typeof v === "number" && Number.isFinite(v);

async function configHash(ctx: Ctx): Promise<string> {
  const client = await connect(ctx.c.gw.wsUrl, { token: TOKEN });
  try {
    const snap = (await client.request("config.get", {})) as { hash: string };
    return snap.hash;
  } finally {
    client.close();
  }
}

/**
 * What each method is called with and what its answer must hold, from the original gateway's
 * answers to the same calls. In call order: reads first, then writes, the ones that change the
 * gateway's own setup (logout, config.apply) last.
 */
const SPECS: Record<string, MethodSpec> = {
  health: {
    check: (r) => {
      assert.equal(r.ok, true);
      assert.equal(r.defaultAgentId, "main");
      assert.equal(typeof r.sessions?.path, "string", "sessions.path");
      assert.ok(isNum(r.sessions.count), "sessions.count");
      assert.ok(Array.isArray(r.sessions.recent), "sessions.recent[]");
      const main = r.agents?.find((a: any) => a.agentId === "main");
      assert.equal(main?.isDefault, true);
      assert.equal(typeof main?.sessions?.path, "string", "agents[].sessions.path");
      assert.ok(r.channelOrder?.includes("telegram"), `channelOrder: ${JSON.stringify(r.channelOrder)}`);
      assert.equal(r.channels?.telegram?.configured, true, `channels.telegram: ${JSON.stringify(r.channels)}`);
    },
  },
  status: {
    check: (r) => {
      assert.equal(r.heartbeat?.defaultAgentId, "main", `heartbeat: ${JSON.stringify(r.heartbeat)}`);
      assert.ok(Array.isArray(r.heartbeat.agents), "heartbeat.agents[]");
      assert.ok(Array.isArray(r.channelSummary), "channelSummary[]");
      assert.ok(Array.isArray(r.queuedSystemEvents), "queuedSystemEvents[]");
      assert.ok(Array.isArray(r.sessions?.paths), "sessions.paths[]");
      assert.ok(r.sessions.count >= 1, "sessions.count");
      assert.equal(r.sessions.defaults?.model, MODEL.id, `sessions.defaults: ${JSON.stringify(r.sessions.defaults)}`);
      assert.equal(r.sessions.defaults.contextTokens, MODEL.contextWindow);
      const recent = r.sessions.recent?.find((s: any) => s.key === MAIN);
      assert.ok(recent, `sessions.recent has ${MAIN}`);
      assert.equal(recent.kind, "direct");
    },
  },
  "system-presence": {
    check: (r) => {
      assert.ok(Array.isArray(r), "an array of presence entries");
      const self = r.find((p: any) => p.mode === "gateway" && p.reason === "self");
      assert.ok(self, `the gateway's own entry (mode gateway, reason self): ${JSON.stringify(r).slice(0, 600)}`);
      assert.equal(typeof self.host, "string");
      assert.equal(typeof self.text, "string");
    },
  },
  "logs.tail": {
    params: () => ({ limit: 50 }),
    check: (r) => {
      assert.equal(typeof r.file, "string");
      assert.ok(isNum(r.cursor) && isNum(r.size));
      assert.ok(r.lines.length > 0 && r.lines.length <= 50, `${r.lines.length} lines`);
      assert.equal(r.truncated, false, "a file smaller than maxBytes is not truncated (the line limit is not truncation)");
      assert.equal(r.reset, false);
    },
  },
  "channels.status": {
    params: () => ({ probe: false, timeoutMs: 5000 }),
    check: (r) => {
      assert.ok(isNum(r.ts));
      assert.ok(r.channelOrder.includes("telegram"), JSON.stringify(r.channelOrder));
      assert.equal(r.channelLabels.telegram, "Telegram");
      assert.equal(typeof r.channelDetailLabels, "object", "channelDetailLabels");
      assert.equal(typeof r.channelSystemImages, "object", "channelSystemImages");
      assert.ok(Array.isArray(r.channelMeta), "channelMeta[]");
      const acct = r.channelAccounts.telegram?.[0];
      assert.equal(acct?.accountId, "default");
      assert.equal(acct.running, true);
      assert.equal(r.channelDefaultAccountId.telegram, "default");
    },
  },
  "usage.status": {
    check: (r) => {
      assert.ok(isNum(r.updatedAt), "updatedAt");
      assert.ok(Array.isArray(r.providers), "providers[]");
    },
  },
  "usage.cost": {
    params: () => ({ days: 7 }),
    check: (r) => {
      assert.equal(r.days, 7);
      assert.ok(isNum(r.updatedAt));
      assert.ok(r.daily.length >= 1, "one day with the warm-up turn");
      assert.ok(r.totals.totalTokens > 0, "tokens counted");
      assert.ok(isNum(r.totals.totalCost));
    },
  },
  "config.get": {
    check: (r, ctx) => {
      assert.equal(r.valid, true);
      assert.equal(r.exists, true);
      assert.match(r.hash, /^[0-9a-f]{64}$/);
      assert.equal(r.config?.gateway?.port, ctx.c.port);
    },
  },
  "config.schema": {
    check: (r) => {
      assert.equal(r.schema?.type, "object");
      assert.equal(typeof r.schema.properties?.gateway, "object");
      assert.equal(typeof r.uiHints, "object");
      assert.equal(typeof r.uiHints.gateway?.label, "string", "uiHints.gateway.label");
      assert.equal(typeof r.version, "string");
    },
  },
  "models.list": {
    check: (r) => {
      const m = r.models.find((x: any) => x.provider === MODEL.provider && x.id === MODEL.id);
      assert.ok(m, `the configured model: ${JSON.stringify(r.models).slice(0, 400)}`);
      assert.equal(m.name, MODEL.name);
      assert.equal(m.contextWindow, MODEL.contextWindow);
      assert.ok(Array.isArray(m.input), `models[].input (text, image): ${JSON.stringify(m)}`);
    },
  },
  "agents.list": {
    check: (r) => {
      assert.equal(r.defaultId, "main");
      assert.equal(r.mainKey, "main");
      assert.equal(typeof r.scope, "string");
      assert.ok(r.agents.some((a: any) => a.id === "main"));
    },
  },
  "agent.identity.get": {
    params: () => ({ agentId: "main" }),
    check: (r) => {
      assert.equal(r.agentId, "main");
      assert.equal(typeof r.name, "string");
      assert.ok(r.name.length > 0);
    },
  },
  "sessions.list": {
    check: (r) => {
      assert.equal(typeof r.path, "string", "path (the Control UI shows it as Store)");
      assert.ok(r.count >= 1);
      assert.equal(r.defaults?.modelProvider, MODEL.provider, `defaults: ${JSON.stringify(r.defaults)}`);
      assert.equal(r.defaults.model, MODEL.id);
      assert.equal(r.defaults.contextTokens, MODEL.contextWindow);
      const s = r.sessions.find((x: any) => x.key === MAIN);
      assert.ok(s, `${MAIN} listed`);
      assert.equal(s.kind, "direct");
      assert.equal(s.modelProvider, MODEL.provider, `sessions[].modelProvider: ${JSON.stringify(s)}`);
      assert.equal(s.model, MODEL.id, "sessions[].model is the model id, without the provider");
      assert.equal(s.contextTokens, MODEL.contextWindow, "sessions[].contextTokens is the model's context window");
      assert.ok(s.totalTokens > 0);
    },
  },
  "sessions.preview": {
    params: () => ({ keys: [MAIN], limit: 10 }),
    check: (r) => {
      const p = r.previews?.find((x: any) => x.key === MAIN);
      assert.ok(p, JSON.stringify(r).slice(0, 400));
      assert.equal(p.status, "ok", `previews[].status: ${JSON.stringify(p).slice(0, 300)}`);
      assert.ok(Array.isArray(p.items), "previews[].items[]");
      assert.ok(
        p.items.some((i: any) => i.role === "assistant" && i.text === replyTo("warm up")),
        JSON.stringify(p.items),
      );
    },
  },
  "sessions.resolve": {
    params: () => ({ key: MAIN }),
    check: (r) => {
      assert.equal(r.ok, true);
      assert.equal(r.key, MAIN);
    },
  },
  "chat.history": {
    params: () => ({ sessionKey: MAIN, limit: 50 }),
    check: (r) => {
      assert.equal(r.sessionKey, MAIN);
      assert.equal(typeof r.sessionId, "string");
      const text = (m: any) => (typeof m.content === "string" ? m.content : m.content.map((c: any) => c.text ?? "").join(""));
      assert.ok(r.messages.some((m: any) => m.role === "user" && text(m).includes("warm up")));
      assert.ok(r.messages.some((m: any) => m.role === "assistant" && text(m) === replyTo("warm up")));
    },
  },
  "agent.wait": {
    params: (ctx) => ({ runId: ctx.runId, timeoutMs: 5000 }),
    check: (r, ctx) => {
      assert.equal(r.runId, ctx.runId);
      assert.equal(r.status, "ok");
    },
  },
  "last-heartbeat": { check: (r) => assert.ok(r === null || typeof r === "object") },
  "set-heartbeats": { params: () => ({ enabled: true }), check: (r) => assert.deepEqual(r, { ok: true, enabled: true }) },
  "cron.list": { check: (r) => assert.ok(Array.isArray(r.jobs)) },
  "cron.status": {
    check: (r) => {
      assert.equal(typeof r.enabled, "boolean");
      assert.ok(isNum(r.jobs));
    },
  },
  "cron.add": { fails: /invalid cron\.add params/ },
  "cron.update": { fails: /invalid cron\.update params/ },
  "cron.remove": { fails: /invalid cron\.remove params/ },
  "cron.run": { fails: /invalid cron\.run params/ },
  "cron.runs": { fails: /invalid cron\.runs params/ },
  "tts.status": { check: (r) => assert.equal(typeof r.enabled, "boolean") },
  "tts.providers": {
    check: (r) =>
      assert.deepEqual(
        r.providers.map((p: { id: string }) => p.id),
        ["openai", "elevenlabs", "edge"],
      ),
  },
  "tts.enable": { check: (r) => assert.deepEqual(r, { enabled: true }) },
  "tts.disable": { check: (r) => assert.deepEqual(r, { enabled: false }) },
  "tts.setProvider": { fails: /Invalid provider/ },
  "tts.convert": { fails: /tts\.convert requires text/ },
  "voicecall.initiate": { fails: /message required/ },
  "voicecall.start": { fails: /to required/ },
  "voicecall.continue": { fails: /callId and message required/ },
  "voicecall.speak": { fails: /callId and message required/ },
  "voicecall.end": { fails: /callId required/ },
  "voicecall.status": { fails: /callId required/ },
  "node.list": { check: (r) => assert.ok(Array.isArray(r.nodes)) },
  "node.pair.list": { check: (r) => assert.ok(Array.isArray(r.pending) && Array.isArray(r.paired)) },
  "device.pair.list": {
    check: (r) => {
      assert.ok(Array.isArray(r.pending), "pending[]");
      const cli = r.paired?.find((d: any) => d.clientId === "cli");
      assert.ok(cli, `this CLI is a paired device: ${JSON.stringify(r).slice(0, 600)}`);
      assert.match(cli.deviceId, /^[0-9a-f]{64}$/);
      assert.ok(cli.roles.includes("operator"));
      assert.ok(Array.isArray(cli.tokens), "paired[].tokens[]");
    },
  },
  "browser.request": {
    params: () => ({ method: "GET", path: "/" }),
    check: (r) => {
      assert.equal(r.running, false, "status does not launch a browser");
      assert.equal(r.profile, "openclaw");
    },
  },
  "device.pair.approve": { params: () => ({ requestId: "no-such-request" }), fails: /unknown requestId/ },
  "device.pair.reject": { params: () => ({ requestId: "no-such-request" }), fails: /unknown requestId/ },
  "device.token.rotate": { params: () => ({ deviceId: "no-such-device", role: "operator" }), fails: /unknown deviceId\/role/ },
  "exec.approvals.get": {
    check: (r) => {
      assert.equal(typeof r.path, "string");
      assert.equal(typeof r.hash, "string");
      assert.equal(r.file.version, 1);
    },
  },
  "exec.approvals.set": { params: () => ({ file: { version: 2 } }), fails: /file/ },
  "exec.approval.request": {
    params: () => ({ command: "true", timeoutMs: 1 }),
    check: (r) => {
      assert.equal(r.decision, null, "nobody decided within the time limit");
      assert.equal(typeof r.id, "string");
    },
  },
  "exec.approval.resolve": { params: () => ({ id: "no-such-approval", decision: "deny" }), fails: /unknown approval id/ },
  "device.token.revoke": { params: () => ({ deviceId: "no-such-device", role: "operator" }), fails: /unknown deviceId\/role/ },
  "skills.status": {
    check: (r) => {
      assert.equal(typeof r.workspaceDir, "string");
      assert.equal(typeof r.managedSkillsDir, "string");
      assert.ok(Array.isArray(r.skills), "skills[]");
    },
  },
  "skills.bins": { check: (r) => assert.ok(Array.isArray(r.bins), "bins[]") },
  "skills.install": { params: () => ({ name: "no-such-skill", installId: "x" }), fails: /Skill not found: no-such-skill/ },
  "skills.update": {
    params: () => ({ skillKey: "conformance-skill", enabled: true }),
    check: (r) => assert.deepEqual(r, { ok: true, skillKey: "conformance-skill", config: { enabled: true } }),
  },
  "pairing.list": { check: (r) => assert.deepEqual(r.requests, []) },
  "pairing.approve": {
    params: () => ({ channel: "telegram", code: "NOSUCH23" }),
    fails: /no pending telegram pairing request with code NOSUCH23/,
  },
  "pairing.reject": {
    params: () => ({ channel: "telegram", code: "NOSUCH23" }),
    fails: /no pending telegram pairing request with code NOSUCH23/,
  },
  "chat.abort": {
    params: () => ({ sessionKey: MAIN }),
    check: (r) => assert.deepEqual(r, { ok: true, aborted: false, runIds: [] }),
  },
  "chat.send": {
    params: () => ({ sessionKey: MAIN, message: "sent with gateway call", idempotencyKey: randomUUID() }),
    check: async (r, ctx) => {
      assert.equal(typeof r.runId, "string");
      assert.equal(r.status, "started");
      await waitFor(
        () => ctx.c.llm.requests.some((q) => q.messages.some((m) => m.text.includes("sent with gateway call"))),
        20_000,
        "the model to be asked",
      );
    },
  },
  agent: {
    params: () => ({ message: "called with gateway call", agentId: "main", sessionKey: MAIN, idempotencyKey: randomUUID() }),
    expectFinal: true,
    check: (r) => {
      assert.equal(r.status, "ok");
      assert.equal(r.summary, "completed");
      assert.deepEqual(
        r.result?.payloads?.map((p: any) => p.text),
        [replyTo("called with gateway call")],
        `result.payloads: ${JSON.stringify(r.result)}`,
      );
      assert.equal(r.result.meta?.agentMeta?.provider, MODEL.provider);
    },
  },
  "chat.inject": {
    params: () => ({ sessionKey: MAIN, message: "a note added by the operator" }),
    check: async (r, ctx) => {
      assert.equal(r.ok, true);
      assert.equal(typeof r.messageId, "string");
      const client = await connect(ctx.c.gw.wsUrl, { token: TOKEN });
      try {
        const h = (await client.request("chat.history", { sessionKey: MAIN, limit: 5 })) as any;
        assert.ok(JSON.stringify(h.messages).includes("a note added by the operator"), "the note is in the history");
      } finally {
        client.close();
      }
    },
  },
  "system-event": {
    params: () => ({ text: "conformance: a system event" }),
    check: (r) => assert.equal(r.ok, true),
  },
  wake: {
    params: () => ({ mode: "next-heartbeat", text: "conformance: wake up" }),
    check: (r) => assert.equal(r.ok, true),
  },
  send: {
    params: () => ({ to: "4242", message: "hello from gateway call", channel: "telegram", idempotencyKey: randomUUID() }),
    check: (r, ctx) => {
      assert.equal(r.channel, "telegram");
      assert.equal(typeof r.messageId, "string");
      assert.equal(typeof r.runId, "string");
      assert.ok(
        ctx.c.telegram.sent.some((m) => m.text === "hello from gateway call"),
        JSON.stringify(ctx.c.telegram.sent),
      );
    },
  },
  "sessions.patch": {
    params: () => ({ key: MAIN, label: "Conformance" }),
    check: (r) => {
      assert.equal(r.ok, true);
      assert.equal(r.key, MAIN);
      assert.equal(r.entry?.label, "Conformance");
    },
  },
  "sessions.compact": {
    params: () => ({ key: MAIN }),
    check: (r) => {
      assert.equal(r.ok, true);
      assert.equal(r.key, MAIN);
      assert.equal(typeof r.compacted, "boolean");
    },
  },
  "sessions.reset": {
    params: () => ({ key: SCRATCH }),
    check: (r) => {
      assert.equal(r.ok, true);
      assert.equal(r.key, SCRATCH);
      assert.equal(typeof r.entry?.sessionId, "string");
    },
  },
  "sessions.delete": {
    params: () => ({ key: SCRATCH }),
    check: (r) => {
      assert.equal(r.ok, true);
      assert.equal(r.key, SCRATCH);
      assert.equal(r.deleted, true);
    },
  },
  "config.set": {
    params: async (ctx) => ({ raw: JSON.stringify(ctx.c.config, null, 2), baseHash: await configHash(ctx) }),
    check: (r) => assert.equal(r.ok, true),
  },
  "config.patch": {
    params: async (ctx) => ({ raw: JSON.stringify({ logging: { level: "debug" } }), baseHash: await configHash(ctx) }),
    check: (r) => assert.equal(r.ok, true),
  },
  "web.login.start": {
    // No WhatsApp account in this config: the method names the key to add.
    params: () => ({ accountId: "default", timeoutMs: 5000 }),
    fails: /WhatsApp account "default" is not configured/,
  },
  "web.login.wait": {
    params: () => ({ timeoutMs: 1000 }),
    check: (r) => {
      assert.equal(r.connected, false);
      assert.equal(typeof r.message, "string");
    },
  },
  "channels.logout": {
    params: () => ({ channel: "telegram" }),
    check: async (r, ctx) => {
      assert.equal(r.channel, "telegram");
      assert.equal(r.accountId, "default");
      assert.equal(r.cleared, true, "the bot token was removed from the config");
      const client = await connect(ctx.c.gw.wsUrl, { token: TOKEN });
      try {
        const snap = (await client.request("config.get", {})) as any;
        assert.equal(snap.config?.channels?.telegram?.botToken, undefined, "channels.telegram.botToken is gone");
      } finally {
        client.close();
      }
    },
  },
  "config.apply": {
    params: async (ctx) => ({ raw: JSON.stringify(ctx.c.config, null, 2), baseHash: await configHash(ctx), restartDelayMs: 60_000 }),
    check: (r) => assert.equal(r.ok, true),
  },
};

const ORDER = Object.keys(SPECS);

describe("gateway call <method> with the original CLI", () => {
  let c: ConformanceGateway;
  let ours: string[] = [];
  let runId = "";
  before(
    async () => {
      // The count needs only this gateway and the list (read from the installed original, else its copy).
      c = await startConformanceGateway();
      const { client, send } = await chatClient(c.gw, { token: TOKEN });
      try {
        ours = ((client.hello?.features as { methods?: string[] } | undefined)?.methods ?? []).slice();
        const r = await send("warm up");
        assert.equal(r.state, "final", `warm-up run: ${r.errorMessage ?? ""}`);
        runId = r.runId;
      } finally {
        client.close();
      }
    },
    { timeout: 60_000 },
  );
  after(() => c?.close(), { timeout: 60_000 });

  it("answers the original's gateway methods", { timeout: 10_000 }, (t) => {
    const { methods, source } = originalMethods();
    const answered = methods.filter((m) => ours.includes(m));
    const missing = methods.filter((m) => !ours.includes(m));
    t.diagnostic(`answered ${answered.length} of ${methods.length} original methods (${source})`);
    t.diagnostic(`missing: ${missing.join(", ") || "none"}`);
    const extra = ours.filter((m) => !methods.includes(m));
    if (extra.length) t.diagnostic(`ours only: ${extra.join(", ")}`);
    assert.ok(answered.length > 0, `hello-ok features.methods: ${JSON.stringify(ours)}`);
  });

  it("every method this gateway lists answers the original CLI", { skip, timeout: 30 * CLI_TIMEOUT_MS }, async (t: TestContext) => {
    const listed = [...ORDER.filter((m) => ours.includes(m)), ...ours.filter((m) => !SPECS[m])];
    t.diagnostic(`calling ${listed.length} methods: ${listed.join(", ")}`);
    for (const method of listed) {
      await t.test(method, { timeout: CLI_TIMEOUT_MS + 30_000 }, async () => {
        const spec = SPECS[method] ?? {};
        const ctx = { c, runId };
        const params = spec.params ? await spec.params(ctx) : {};
        const args = ["gateway", "call", method, "--url", c.gw.wsUrl, "--json", "--params", JSON.stringify(params)];
        if (spec.expectFinal) args.push("--expect-final", "--timeout", "60000");
        const r = await c.remoteCli(args);
        assertPrintsNot(r, /unknown method.*/, `${method} is listed in hello-ok but not answered`);
        if (spec.fails) {
          assert.notEqual(r.code, 0, `${method} should fail: ${r.output}`);
          assert.match(r.output, spec.fails, r.output);
          return;
        }
        assertExitsOk(r, `gateway call ${method}`);
        const result = parseJson(r);
        if (spec.check) await spec.check(result, ctx);
      });
    }
  });
});
