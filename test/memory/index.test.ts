/** Memory files into chunks, keyword and hybrid search, when the index is rebuilt, and what memory_get may read. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { chunkMarkdown } from "../../src/memory/chunk.js";
import { MAX_INDEX_BYTES, readMemoryFile } from "../../src/memory/files.js";
import { MemoryService } from "../../src/memory/service.js";
import type { OpenClawConfig } from "../../src/config/schema.js";
import { tmpDir } from "../helpers/gateway.js";
import { FakeEmbeddings } from "./fake-embeddings.js";

const T = { timeout: 20_000 };

function setup(memorySearch: Record<string, unknown> = {}) {
  const state = tmpDir("oc-mem-");
  const ws = path.join(state, "workspace");
  fs.mkdirSync(path.join(ws, "memory"), { recursive: true });
  let cfg = { agents: { defaults: { workspace: ws, memorySearch } } } as OpenClawConfig;
  const memory = new MemoryService({ config: () => cfg, stateDir: state, env: {} });
  return {
    state,
    ws,
    memory,
    setConfig: (m: Record<string, unknown>) => (cfg = { agents: { defaults: { workspace: ws, memorySearch: m } } } as OpenClawConfig),
    write: (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
      fs.writeFileSync(path.join(ws, rel), text);
    },
    cleanup: () => fs.rmSync(state, { recursive: true, force: true }),
  };
}

describe("memory chunking", () => {
  it("cuts at ~tokens×4 characters on line boundaries, overlapping by ~overlap×4, with 1-based lines", T, () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${String(i + 1).padStart(3, "0")} ${"x".repeat(30)}`); // 39 chars + newline
    const chunks = chunkMarkdown(lines.join("\n"), { tokens: 100, overlap: 20 }); // 400 chars, 80 overlap
    assert.equal(chunks[0]!.startLine, 1);
    assert.equal(chunks[0]!.endLine, 10, "ten 40-character lines fill 400 characters");
    assert.equal(chunks[1]!.startLine, 9, "the last 80 characters (two lines) are repeated");
    assert.equal(chunks.at(-1)!.endLine, 100);
    for (const c of chunks) assert.ok(c.text.length <= 400);
    assert.equal(chunks[0]!.text.split("\n")[0], lines[0]);
    assert.match(chunks[0]!.hash, /^[0-9a-f]{64}$/);
  });

  it("splits a line longer than a chunk, and the default 400/80 keeps a short file in one chunk", T, () => {
    const long = chunkMarkdown("y".repeat(1000), { tokens: 100, overlap: 0 });
    assert.deepEqual(
      long.map((c) => [c.startLine, c.endLine, c.text.length]),
      [
        [1, 1, 400],
        [1, 1, 400],
        [1, 1, 200],
      ],
    );
    const short = chunkMarkdown("# Notes\n\n- a\n- b\n", { tokens: 400, overlap: 80 });
    assert.equal(short.length, 1);
    assert.deepEqual([short[0]!.startLine, short[0]!.endLine], [1, 5]);
  });
});

describe("memory search", () => {
  let emb: FakeEmbeddings;
  before(async () => {
    emb = await FakeEmbeddings.start();
  });
  after(() => emb.close());

  it("keyword only without a provider: the right chunk first, with path, lines, snippet; status says keyword only", T, async () => {
    const m = setup();
    try {
      m.write("MEMORY.md", "# Memory\n\nThe owner prefers tea over coffee.\n");
      m.write("memory/2026-10-01.md", "# Oct 1\n\nBooked the dentist for Tuesday at 10.\n");
      m.write("memory/2026-10-02.md", "# Oct 2\n\nThe car needs new tyres before winter.\nThe garage is on Elm Street.\n");
      const index = m.memory.index("main");
      const r = await index.search("when does the car need tyres?");
      assert.equal(r.provider, "none");
      assert.equal(r.results[0]!.path, "memory/2026-10-02.md");
      assert.deepEqual([r.results[0]!.startLine, r.results[0]!.endLine], [1, 5], "the trailing newline ends on an empty line 5");
      assert.match(r.results[0]!.snippet, /new tyres/);
      assert.equal(r.results[0]!.source, "memory");
      assert.ok(r.results[0]!.score >= 0.35 && r.results[0]!.score <= 1);
      assert.ok(!r.results.some((x) => x.path === "MEMORY.md"), "unrelated chunks stay under minScore");
      const tea = await index.search("tea", { maxResults: 1 });
      assert.deepEqual(
        tea.results.map((x) => x.path),
        ["MEMORY.md"],
      );
      const s = await index.status();
      assert.equal(s.mode, "keyword");
      assert.equal(s.files, 3);
      assert.match(s.notes.join(" "), /no embedding provider configured.*keyword only/);
      assert.ok(fs.existsSync(path.join(m.state, "memory", "main.json")), "the index is kept under <state>/memory/<agentId>.json");
    } finally {
      m.cleanup();
    }
  });

  it("holds at most MAX_INDEX_BYTES of notes, leaving out the least recently changed, and says so once", T, async () => {
    const m = setup();
    const warnings: string[] = [];
    const memory = new MemoryService({
      config: () => ({ agents: { defaults: { workspace: m.ws, memorySearch: {} } } }) as OpenClawConfig,
      stateDir: m.state,
      env: {},
      warn: (msg) => warnings.push(msg),
    });
    try {
      // Three files of 6 MB, each with a word of its own: two fit in 16 MB, the oldest does not.
      const size = 6 * 1024 * 1024;
      assert.ok(2 * size <= MAX_INDEX_BYTES && 3 * size > MAX_INDEX_BYTES);
      const filler = `${"plain filler text ".repeat(5)}\n`;
      ["alpha", "bravo", "charlie"].forEach((word, i) => {
        const rel = `memory/2026-10-0${i + 1}.md`;
        m.write(rel, `${word}\n${filler.repeat(Math.floor((size - 10) / filler.length))}`);
        const at = new Date(Date.UTC(2026, 9, i + 1));
        fs.utimesSync(path.join(m.ws, rel), at, at);
      });
      const index = memory.index("main");
      assert.deepEqual((await index.search("alpha")).results, [], "the oldest file is left out");
      assert.equal((await index.search("charlie")).results[0]?.path, "memory/2026-10-03.md");
      assert.equal((await index.search("bravo")).results[0]?.path, "memory/2026-10-02.md");
      assert.equal(warnings.filter((w) => /holds at most 16 MB of notes; the 1 least recently changed/.test(w)).length, 1);
      // Nothing changed on disk: the index is not rebuilt (nor written) again.
      const stored = path.join(m.state, "memory", "main.json");
      const written = fs.statSync(stored).mtimeMs;
      await index.search("bravo");
      assert.equal(fs.statSync(stored).mtimeMs, written);
    } finally {
      m.cleanup();
    }
  });

  it("hybrid with an OpenAI-compatible server finds by meaning, batching chunks and caching them by hash", T, async () => {
    const cfg = { provider: "openai", model: "fake-embed", remote: { baseUrl: emb.baseUrl, apiKey: "sk-test" } };
    const m = setup(cfg);
    try {
      m.write("memory/2026-10-02.md", "The sedan needs new tyres before winter.\n");
      m.write("memory/2026-10-03.md", "Bought cat food and a scratching post.\n");
      emb.requests = [];
      const index = m.memory.index("main");
      const r = await index.search("automobile maintenance");
      assert.equal(r.provider, "openai");
      assert.equal(r.model, "fake-embed");
      assert.equal(r.results[0]!.path, "memory/2026-10-02.md", "found by meaning: no word is shared");
      assert.equal(emb.requests[0]!.model, "fake-embed");
      assert.equal(emb.requests[0]!.authorization, "Bearer sk-test");
      assert.equal(emb.requests[0]!.input.length, 2, "both chunks in one batch");
      const s = await index.status();
      assert.equal(s.mode, "hybrid");
      assert.equal(s.vectors, 2);

      // A new file: only its chunk is embedded (plus the query).
      const before = emb.inputs;
      m.write("memory/2026-10-04.md", "Dental checkup moved to Friday.\n");
      const r2 = await index.search("teeth appointment");
      assert.equal(r2.results[0]!.path, "memory/2026-10-04.md");
      assert.equal(emb.inputs - before, 2, "one new chunk and the query");

      // The server starts failing: keyword results still come back, saying why.
      emb.fail = true;
      const r3 = await index.search("scratching post");
      assert.equal(r3.results[0]!.path, "memory/2026-10-03.md");
      assert.match(r3.fallback!.reason, /query embedding failed.*400/);
    } finally {
      emb.fail = false;
      m.cleanup();
    }
  });

  it("rebuilds when a file changes, and re-embeds everything when the model changes", T, async () => {
    const cfg = { provider: "openai", model: "model-a", remote: { baseUrl: emb.baseUrl, apiKey: "k" } };
    const m = setup(cfg);
    try {
      m.write("memory/notes.md", "The locker code is 4471.\n");
      const index = m.memory.index("main");
      assert.equal((await index.search("locker code")).results[0]!.path, "memory/notes.md");
      m.write("memory/notes.md", "The locker code changed to 9902 in November.\n");
      const changed = await index.search("locker code");
      assert.match(changed.results[0]!.snippet, /9902/);
      assert.equal((await index.search("4471")).results.length, 0, "the old text is gone");

      // A fresh process (a new service on the same state) loads the file instead of re-embedding.
      emb.requests = [];
      const again = new MemoryService({
        config: () => ({ agents: { defaults: { workspace: m.ws, memorySearch: cfg } } }) as OpenClawConfig,
        stateDir: m.state,
        env: {},
      });
      assert.match((await again.index("main").search("locker")).results[0]!.snippet, /9902/);
      assert.deepEqual(
        emb.requests.map((r) => r.input),
        [["locker"]],
        "only the query is embedded",
      );

      emb.requests = [];
      m.setConfig({ ...cfg, model: "model-b" });
      const s = await m.memory.index("main").status();
      assert.equal(s.model, "model-b");
      assert.deepEqual(
        emb.requests.map((r) => r.model),
        ["model-b"],
        "the chunk is embedded again with the new model",
      );
      m.setConfig({ ...cfg, model: "model-b", chunking: { tokens: 8, overlap: 0 } });
      const rechunked = await m.memory.index("main").status();
      assert.ok(rechunked.chunks > 1, "smaller chunks after a chunking change");
    } finally {
      m.cleanup();
    }
  });

  it("a note edited, added, moved or deleted just before a search is in that search's answer", T, async () => {
    const m = setup();
    try {
      m.write("memory/2026-10-01.md", "# Oct 1\n\nThe locker code is 4471.\n");
      const index = m.memory.index("main");
      const paths = async (q: string) => (await index.search(q)).results.map((r) => r.path).sort();
      // Searches with nothing changed in between (after the first few, answered without listing the files).
      for (let i = 0; i < 5; i++) assert.deepEqual(await paths("locker code"), ["memory/2026-10-01.md"]);

      fs.appendFileSync(path.join(m.ws, "memory/2026-10-01.md"), "The bike lock combination is 1234.\n");
      assert.deepEqual(await paths("bike lock combination"), ["memory/2026-10-01.md"], "an append is seen at once");
      // The same size and the same second: only the content differs.
      fs.writeFileSync(
        path.join(m.ws, "memory/2026-10-01.md"),
        "# Oct 1\n\nThe locker code is 9902.\nThe bike lock combination is 1234.\n",
      );
      assert.match((await index.search("locker code")).results[0]!.snippet, /9902/);

      m.write("memory/trips/lisbon.md", "# Lisbon\n\nThe hotel is near the tram stop.\n");
      assert.deepEqual(await paths("hotel tram"), ["memory/trips/lisbon.md"], "a file in a new folder is seen at once");
      fs.appendFileSync(path.join(m.ws, "memory/trips/lisbon.md"), "Dinner at the fado place.\n");
      assert.deepEqual(await paths("fado dinner"), ["memory/trips/lisbon.md"], "and so is a change inside that folder");

      fs.renameSync(path.join(m.ws, "memory/trips/lisbon.md"), path.join(m.ws, "memory/lisbon.md"));
      assert.deepEqual(await paths("hotel tram"), ["memory/lisbon.md"], "a move is seen at once");
      fs.rmSync(path.join(m.ws, "memory/lisbon.md"));
      assert.deepEqual(await paths("hotel tram"), [], "a deletion is seen at once");

      m.write("MEMORY.md", "# Memory\n\nThe owner prefers tea.\n");
      assert.deepEqual(await paths("prefers tea"), ["MEMORY.md"], "MEMORY.md appearing is seen at once");
      fs.rmSync(path.join(m.ws, "memory"), { recursive: true });
      assert.deepEqual(await paths("locker code"), [], "the memory folder removed");
      m.write("memory/2026-11-01.md", "The locker code is 5550.\n");
      assert.deepEqual(await paths("locker code"), ["memory/2026-11-01.md"], "and made again");
    } finally {
      m.memory.close();
      m.cleanup();
    }
  });

  it("with more folders than it watches, still sees every change (each search looks at the files)", T, async () => {
    const m = setup();
    try {
      for (let i = 0; i < 300; i++) m.write(`memory/day-${String(i).padStart(3, "0")}/notes.md`, `Note ${i}: nothing much.\n`);
      const index = m.memory.index("main");
      for (let i = 0; i < 3; i++) assert.equal((await index.search("locker code")).results.length, 0);
      fs.appendFileSync(path.join(m.ws, "memory/day-123/notes.md"), "The locker code is 4471.\n");
      assert.deepEqual(
        (await index.search("locker code")).results.map((r) => r.path),
        ["memory/day-123/notes.md"],
      );
    } finally {
      m.memory.close();
      m.cleanup();
    }
  });

  it("other providers say they are not supported here and search by keyword", T, async () => {
    const m = setup({ provider: "gemini" });
    try {
      m.write("MEMORY.md", "Anniversary dinner at Luigi's.\n");
      const index = m.memory.index("main");
      assert.equal((await index.search("Luigi")).results[0]!.path, "MEMORY.md");
      const s = await index.status();
      assert.match(s.notes[0]!, /"gemini" is not supported here.*"openai".*remote\.baseUrl/);
    } finally {
      m.cleanup();
    }
  });
});

describe("memory_get paths", () => {
  it("reads MEMORY.md and memory/*.md by lines, refuses everything else", T, () => {
    const m = setup();
    try {
      m.write("MEMORY.md", "one\ntwo\nthree\nfour\n");
      m.write("memory/a.md", "alpha\n");
      m.write("memory/a.txt", "not markdown\n");
      m.write("SOUL.md", "secret soul\n");
      fs.writeFileSync(path.join(m.state, "outside.md"), "outside\n");
      fs.symlinkSync(path.join(m.state, "outside.md"), path.join(m.ws, "memory", "link.md"));
      assert.deepEqual(readMemoryFile(m.ws, [], "MEMORY.md", 2, 2), {
        path: "MEMORY.md",
        text: "two\nthree",
        from: 2,
        lines: 2,
        totalLines: 5,
        truncated: true,
      });
      assert.equal(readMemoryFile(m.ws, [], "memory/a.md").text, "alpha\n");
      assert.equal(readMemoryFile(m.ws, [], path.join(m.ws, "memory/a.md")).path, "memory/a.md");
      for (const bad of [
        "SOUL.md",
        "memory/a.txt",
        "../outside.md",
        path.join(m.state, "outside.md"),
        "memory/../SOUL.md",
        "memory/link.md",
        "/etc/passwd",
        "",
      ])
        assert.throws(() => readMemoryFile(m.ws, [], bad), /path required/, bad);
    } finally {
      m.cleanup();
    }
  });
});
