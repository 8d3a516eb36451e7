/**
 * Memory end to end: a fact written to memory/2026-11-01.md is found by `memory_search` when the model
 * asks for it through the gateway, and by `openclaw memory search` (the built CLI) on the same state;
 * `memory_get` refuses files that are not memory; and the memory flush before compaction runs once.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { FakeLlm } from "../fakes/llm.js";
import { cli, startTestGateway, tmpDir, waitFor, type TestGateway } from "../helpers/gateway.js";
import { chatClient } from "../helpers/agents.js";

const T = { timeout: 60_000 };
const FACT = "The owner's passport expires on 12 March 2031; renew it at the consulate.";

describe("memory through the gateway", () => {
  let llm: FakeLlm;
  let gw: TestGateway;
  let ws: string;
  before(async () => {
    llm = await FakeLlm.start("anthropic");
    ws = tmpDir("oc-mem-ws-");
    fs.mkdirSync(path.join(ws, "memory"), { recursive: true });
    fs.writeFileSync(path.join(ws, "MEMORY.md"), "# Memory\n\nThe owner likes green tea.\n");
    fs.writeFileSync(path.join(ws, "memory", "2026-11-01.md"), `# 2026-11-01\n\n- ${FACT}\n`);
    gw = await startTestGateway({
      config: {
        gateway: { mode: "local" },
        models: { providers: { anthropic: { baseUrl: llm.baseUrl, models: [] } } },
        agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" }, workspace: ws } },
      },
      env: { ANTHROPIC_API_KEY: "k" },
    });
  });
  after(async () => {
    await gw.close();
    await llm.close();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it("memory_search finds the fact for the model; memory_get reads its lines", T, async () => {
    const c = await chatClient(gw);
    llm.enqueue({ toolCalls: [{ name: "memory_search", arguments: { query: "when does the passport expire" } }] });
    llm.enqueue(
      { toolCalls: [{ name: "memory_get", arguments: { path: "memory/2026-11-01.md", from: 3, lines: 1 } }] },
      { text: "12 March 2031" },
    );
    const out = await c.send("when does my passport expire?", "agent:main:mem");
    assert.equal(out.text, "12 March 2031");
    const first = llm.requests.find((r) => r.toolResults.some((t) => t.name === "memory_search") || r.toolResults.length)!;
    assert.ok(llm.requests[0]!.toolNames.includes("memory_search") && llm.requests[0]!.toolNames.includes("memory_get"));
    const found = JSON.parse(first.toolResults.at(-1)!.content);
    assert.equal(found.results[0].path, "memory/2026-11-01.md");
    assert.match(found.results[0].snippet, /12 March 2031/);
    assert.equal(found.results[0].source, "memory");
    assert.equal(found.provider, "none");
    const got = JSON.parse(llm.requests.at(-1)!.toolResults.at(-1)!.content);
    assert.deepEqual({ path: got.path, text: got.text }, { path: "memory/2026-11-01.md", text: `- ${FACT}` });
    c.client.close();
  });

  it("memory_get refuses a path outside the memory files", T, async () => {
    const c = await chatClient(gw);
    llm.enqueue({ toolCalls: [{ name: "memory_get", arguments: { path: "../openclaw.json" } }] }, { text: "refused" });
    await c.send("read the config", "agent:main:mem-get");
    const result = llm.requests.at(-1)!.toolResults.at(-1)!;
    assert.match(result.content, /path required/);
    assert.doesNotMatch(result.content, /anthropic/);
    c.client.close();
  });

  it("`openclaw memory search` finds it on the same state; status says keyword only", T, async () => {
    const env = { OPENCLAW_STATE_DIR: gw.stateDir, HOME: gw.stateDir };
    const r = await cli(["memory", "search", "passport consulate"], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\d\.\d{3} memory\/2026-11-01\.md:1-4\n# 2026-11-01/);
    const j = await cli(["memory", "search", "passport", "--json"], env);
    assert.equal(JSON.parse(j.stdout).results[0].path, "memory/2026-11-01.md");
    const none = await cli(["memory", "search", "zeppelin"], env);
    assert.equal(none.stdout, "No matches.\n");
    const s = await cli(["memory", "status"], env);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /files: +2 +chunks: +2/);
    assert.match(s.stdout, /search: +keyword only/);
    assert.match(s.stdout, /note: no embedding provider configured/);
    const bad = await cli(["memory", "status", "--agent", "nobody"], { ...env });
    assert.equal(bad.code, 0, "without agents.list any id is accepted");
    const badMax = await cli(["memory", "search", "x", "--max-results", "zero"], env);
    assert.equal(badMax.code, 1);
    assert.match(badMax.stderr, /--max-results must be a positive whole number/);
  });
});

describe("memory flush before compaction", () => {
  it("asks the model once per cycle to write memory/YYYY-MM-DD.md, silently, then compaction follows", T, async () => {
    const llm = await FakeLlm.start("anthropic");
    const ws = tmpDir("oc-mem-flush-");
    // Window 30,000: compaction past 22,500 (reserve 7,500), flush from 18,500 (soft threshold 4,000).
    const gw = await startTestGateway({
      config: {
        gateway: { mode: "local" },
        models: { providers: { anthropic: { baseUrl: llm.baseUrl, models: [] } } },
        agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" }, workspace: ws, contextTokens: 30_000 } },
      },
      env: { ANTHROPIC_API_KEY: "k" },
    });
    try {
      const c = await chatClient(gw);
      const isFlush = (r: (typeof llm.requests)[number]) => Boolean(r.messages.at(-1)?.text.startsWith("Pre-compaction memory flush."));
      llm.enqueue(
        { text: "noted", usage: { input: 20_000, output: 10 } },
        { toolCalls: [{ name: "write", arguments: { path: "memory/2026-11-01.md", content: "- Bike lock code is 5150.\n" } }] },
        { text: "NO_REPLY" },
      );
      await c.send("my bike lock code is 5150", "agent:main:flush");
      await waitFor(() => fs.existsSync(path.join(ws, "memory", "2026-11-01.md")), 10_000, "the flush turn's note");
      const flushReq = llm.requests.find(isFlush)!;
      assert.match(flushReq.system ?? "", /Pre-compaction memory flush turn\./);
      const storeFile = path.join(gw.stateDir, "agents", "main", "sessions", "sessions.json");
      await waitFor(
        () => JSON.parse(fs.readFileSync(storeFile, "utf8"))["agent:main:flush"]?.memoryFlushAt,
        10_000,
        "memoryFlushAt on the session",
      );
      assert.equal(JSON.parse(fs.readFileSync(storeFile, "utf8"))["agent:main:flush"].memoryFlushCompactionCount, 0);
      await waitFor(() => llm.requests.filter((r) => r.toolResults.length).length === 1, 10_000, "the flush turn's end");

      // Still in the same cycle: no second flush; crossing the compaction point compacts.
      llm.enqueue({ text: "noted again", usage: { input: 23_000, output: 10 } }, { text: "SUMMARY: bike lock 5150" });
      await c.send("and the shed code is 2323", "agent:main:flush");
      await waitFor(() => c.events.some((e) => e.event === "agent" && e.payload.stream === "compaction"), 10_000, "compaction");
      assert.equal(llm.requests.filter(isFlush).length, 1, "one flush per compaction cycle");
      c.client.close();
    } finally {
      await gw.close();
      await llm.close();
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });
});
