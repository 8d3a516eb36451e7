/** State that cannot be written is an error for the request that needed it, never a crash or a torn file. */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { SessionStore, type SessionEntry } from "../../src/sessions/store.js";
import { LOAD_SLICE_CHARS, MAX_TRANSCRIPT_BYTES, Transcript, TranscriptTooLargeError } from "../../src/sessions/transcript.js";
import { SessionDirectory } from "../../src/sessions/directory.js";
import { buildSystemPrompt } from "../../src/agents/workspace.js";
import { StorageError } from "../../src/infra/faults.js";
import { cleanStateDir } from "../../src/sessions/cleanup.js";
import { tmpDir, waitFor } from "../helpers/gateway.js";

const dirs: string[] = [];
const scratch = () => {
  const d = tmpDir("oc-durable-");
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe("session store writes", { timeout: 20_000 }, () => {
  it("a failing write in the background is reported, kept, and retried until it works", async () => {
    const dir = scratch();
    const folder = path.join(dir, "sessions");
    fs.mkdirSync(folder);
    const failures: StorageError[] = [];
    let recovered = 0;
    const store = new SessionStore(path.join(folder, "sessions.json"), {
      flushDelayMs: 5,
      onWriteFailure: (e) => failures.push(e),
      onWriteRecovered: () => recovered++,
    });
    store.keys();
    // The store's folder is replaced by a file: every write fails (ENOTDIR), whatever the user.
    fs.rmSync(folder, { recursive: true });
    fs.writeFileSync(folder, "not a folder");
    store.set("agent:main:main", { sessionId: "s1", updatedAt: 1 });
    await waitFor(() => failures.length === 1, 5000, "the failure to be reported");
    assert.match(failures[0]!.message, /^cannot write .*sessions\.json: /);
    assert.ok(store.writeError, "the failure is visible");
    assert.throws(() => store.persistPointers(), StorageError, "a caller that needs durability gets the error");
    fs.rmSync(folder);
    fs.mkdirSync(folder);
    await waitFor(() => recovered === 1, 10_000, "the retry to succeed");
    assert.equal(store.writeError, null);
    const onDisk = JSON.parse(fs.readFileSync(path.join(folder, "sessions.json"), "utf8"));
    assert.equal(onDisk["agent:main:main"].sessionId, "s1", "nothing was lost while failing");
    assert.equal(failures.length, 1, "one report per failure streak");
  });

  it("writes a session's transcript pointer through at once, and counters lazily", () => {
    const dir = scratch();
    const file = path.join(dir, "sessions.json");
    const store = new SessionStore(file, { flushDelayMs: 60_000 });
    store.set("k", { sessionId: "s1", updatedAt: 1 });
    store.persistPointers();
    assert.equal(JSON.parse(fs.readFileSync(file, "utf8")).k.sessionId, "s1");
    store.update("k", { inputTokens: 5 });
    const before = fs.readFileSync(file, "utf8");
    store.persistPointers();
    assert.equal(fs.readFileSync(file, "utf8"), before, "a counter change alone waits for the coalesced write");
    store.flush();
    assert.equal(JSON.parse(fs.readFileSync(file, "utf8")).k.inputTokens, 5);
  });

  it("the file is the whole store as indented JSON after any mix of new, changed and removed sessions", async () => {
    const dir = scratch();
    const file = path.join(dir, "sessions.json");
    const store = new SessionStore(file, { flushDelayMs: 60_000 });
    const expected: Record<string, unknown> = {};
    const set = (key: string, entry: SessionEntry) => {
      store.set(key, entry);
      expected[key] = entry;
    };
    const check = (what: string) => assert.equal(fs.readFileSync(file, "utf8"), JSON.stringify(expected, null, 2) + "\n", what);
    set("agent:main:main", { sessionId: "s1", updatedAt: 1 });
    set('agent:main:"odd"\nkey', {
      sessionId: "s2",
      updatedAt: 2,
      label: "two\nlines ✓",
      usageTotals: { input: 1, output: 2 },
    } as SessionEntry);
    set("agent:main:empty", { sessionId: "s3", updatedAt: 3, skills: [] } as unknown as SessionEntry);
    await store.persistPointersAsync();
    check("first write");
    store.update("agent:main:main", { inputTokens: 7, label: undefined });
    expected["agent:main:main"] = store.get("agent:main:main");
    store.delete("agent:main:empty");
    delete expected["agent:main:empty"];
    set("agent:main:new", { sessionId: "s4", updatedAt: 4 });
    await store.persistPointersAsync();
    check("after an update, a delete and a new session");
    // The same object changed and set again is written as it is now.
    const entry = store.get("agent:main:new")!;
    entry.updatedAt = 5;
    set("agent:main:new", entry);
    store.flush();
    check("after the same entry was set again");
    for (const key of Object.keys(expected)) store.delete(key);
    store.flush();
    assert.equal(fs.readFileSync(file, "utf8"), "{}\n", "an empty store");
  });

  it("new sessions arriving together share one write off the event loop, and a failed one rejects", async () => {
    const dir = scratch();
    const file = path.join(dir, "sessions.json");
    const store = new SessionStore(file, { flushDelayMs: 60_000 });
    const pending = ["a", "b", "c"].map((k) => {
      store.set(k, { sessionId: `s-${k}`, updatedAt: 1 });
      return store.persistPointersAsync();
    });
    assert.ok(!fs.existsSync(file), "nothing was written while the caller went on");
    await Promise.all(pending);
    assert.deepEqual(Object.keys(JSON.parse(fs.readFileSync(file, "utf8"))).sort(), ["a", "b", "c"]);
    assert.equal(store.hasMovedPointers, false);

    fs.rmSync(dir, { recursive: true });
    fs.writeFileSync(dir, "a file where the folder was");
    store.set("d", { sessionId: "s-d", updatedAt: 1 });
    await assert.rejects(store.persistPointersAsync(), StorageError);
    fs.rmSync(dir);
    fs.mkdirSync(dir);
    await store.persistPointersAsync();
    assert.equal(JSON.parse(fs.readFileSync(file, "utf8")).d.sessionId, "s-d", "kept and written once it works");
  });
});

describe("what one conversation may cost", { timeout: 20_000 }, () => {
  it("a transcript past the limit is not loaded: the conversation goes on in a new one and the old file is kept", () => {
    const stateDir = scratch();
    const lines: string[] = [];
    const log = { debug() {}, info: (m: string) => lines.push(m), warn() {}, error() {} } as never;
    const sessions = new SessionDirectory({ config: () => ({}), stateDir, env: {}, log, now: Date.now });
    const first = sessions.ensure("main", "agent:main:main");
    const file = sessions.transcriptFile("main", first);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, "");
    fs.truncateSync(file, MAX_TRANSCRIPT_BYTES + 1); // sparse: costs no disk
    assert.throws(() => Transcript.open(file, first.sessionId), TranscriptTooLargeError);
    assert.throws(() => Transcript.open(file, first.sessionId), /send \/new to go on in a new one \(the file is kept\)/);

    const next = sessions.current("main", "agent:main:main");
    assert.notEqual(next.sessionId, first.sessionId);
    assert.ok(fs.existsSync(file), "the old transcript is kept");
    assert.match(lines.join("\n"), /the conversation passed 16 MB; it goes on in a new one/);
    const t = sessions.transcript("main", next);
    t.append([{ type: "message", message: { role: "user", content: "hello", timestamp: 1 } }]);
    assert.equal(t.messages().length, 1);
    sessions.closeAll();
  });

  /** A directory with conversations a and b, and a way to make b's transcript grow past the open budget. */
  const twoConversations = () => {
    const log = { debug() {}, info() {}, warn() {}, error() {} } as never;
    const sessions = new SessionDirectory({ config: () => ({}), stateDir: scratch(), env: {}, log, now: Date.now });
    const a = sessions.ensure("main", "agent:main:a");
    const b = sessions.ensure("main", "agent:main:b");
    const big = "x".repeat(256 * 1024);
    // Each turn of b makes it bigger, and no other transcript is opened meanwhile.
    const growB = () => {
      for (let i = 0; i < 20; i++) {
        sessions.transcript("main", b).append([{ type: "message", message: { role: "user", content: big, timestamp: i } }]);
      }
    };
    return { sessions, a, b, growB };
  };

  it("conversations that grow while open are closed, least recently used first, once they pass the open budget", () => {
    const { sessions, a, b, growB } = twoConversations();
    const fileA = sessions.transcriptFile("main", a);
    const fileB = sessions.transcriptFile("main", b);
    sessions.transcript("main", a).append([{ type: "message", message: { role: "user", content: "hi", timestamp: 1 } }]);
    growB();
    assert.ok(sessions.isOpen(fileB), "the conversation in use stays open");
    assert.ok(!sessions.isOpen(fileA), "the idle one was closed to keep the open budget");
    // Closed is not lost: the next turn of a reads it back.
    assert.equal(sessions.transcript("main", a).messages().length, 1);
    sessions.closeAll();
  });

  it("a conversation closed for the budget while a turn still holds it keeps one writer", () => {
    const { sessions, a, growB } = twoConversations();
    const running = sessions.transcript("main", a); // a turn of a starts and holds its transcript
    running.append([{ type: "message", message: { role: "user", content: "question", timestamp: 1 } }]);
    growB();
    assert.ok(!sessions.isOpen(sessions.transcriptFile("main", a)), "a was closed to keep the budget");
    // Something else in a's conversation (an injected note) while the turn is still running, then the answer.
    const other = sessions.transcript("main", a);
    assert.equal(other, running, "the transcript the turn holds is taken back, not read a second time");
    other.append([{ type: "message", message: { role: "assistant", content: "note", timestamp: 2 } }]);
    running.append([{ type: "message", message: { role: "assistant", content: "answer", timestamp: 3 } }]);
    const lines = Transcript.open(sessions.transcriptFile("main", a), a.sessionId).messages();
    assert.deepEqual(
      lines.map((e) => (e.message as { content: string }).content),
      ["question", "note", "answer"],
    );
    // One chain: each entry's parent is the one before it.
    assert.equal(lines[2]!.parentId, lines[1]!.id);
    sessions.closeAll();
  });

  it("a huge workspace file costs the prompt's cap, not its size", () => {
    const workspaceDir = scratch();
    const agents = path.join(workspaceDir, "AGENTS.md");
    fs.writeFileSync(agents, "");
    fs.truncateSync(agents, 1024 ** 3); // 1 GB, sparse
    const prompt = buildSystemPrompt({ workspaceDir, agentId: "main", maxChars: 1000 });
    assert.match(prompt, /\[\.\.\. AGENTS\.md truncated at 1000 characters\]/);
    assert.ok(prompt.length < 5000);
  });
});

describe("transcript appends", { timeout: 20_000 }, () => {
  it("what the model sees next is the same kept between appends as read afresh from the file", () => {
    const file = path.join(scratch(), "s.jsonl");
    const t = Transcript.open(file, "s1");
    const fresh = () => Transcript.open(file, "s1").context();
    const say = (role: "user" | "assistant", content: string, timestamp: number) =>
      t.append([{ type: "message", message: { role, content, timestamp } as never }]);
    say("user", "one", 1);
    say("assistant", "two", 2);
    assert.deepEqual(t.context(), fresh());
    const [kept] = say("user", "three", 3);
    t.append([{ type: "custom_message", customType: "note", content: "a note", display: true }]);
    say("assistant", "four", 4);
    assert.deepEqual(t.context(), fresh(), "extended after appends");
    // A compaction: the summary, then the kept messages; the cached view starts again.
    t.append([{ type: "compaction", summary: "earlier talk", firstKeptEntryId: kept!.id, tokensBefore: 100 }]);
    say("user", "five", 5);
    const after = t.context();
    assert.deepEqual(after, fresh());
    assert.match(JSON.stringify(after[0]), /earlier talk/);
    assert.equal(after.length, 5, "summary, three, the note, four, five");
    after.pop();
    assert.equal(t.context().length, 5, "a caller's copy is its own");
  });

  it("an append that fails leaves neither the file nor memory half-changed", () => {
    const dir = scratch();
    const file = path.join(dir, "s.jsonl");
    const t = Transcript.open(file, "s");
    t.append([{ type: "message", message: { role: "user", content: "one", timestamp: 1 } }]);
    const size = fs.statSync(file).size;
    // Make the next write fail by closing the descriptor behind the transcript's back.
    const fd = (t as unknown as { fd: number }).fd;
    fs.closeSync(fd);
    assert.throws(() => t.append([{ type: "message", message: { role: "user", content: "two", timestamp: 2 } }]), StorageError);
    assert.equal(t.entries.length, 1, "memory did not take the failed entry");
    assert.equal(fs.statSync(file).size, size, "the file did not take it either");
    (t as unknown as { fd: number | null }).fd = null;
    t.append([{ type: "message", message: { role: "user", content: "three", timestamp: 3 } }]);
    const reopened = Transcript.open(file, "s");
    assert.deepEqual(
      reopened.messages().map((e) => (e.message as { content: string }).content),
      ["one", "three"],
    );
    assert.equal(reopened.skippedLines, 0);
  });

  it("a transcript closed under a running turn still takes its writes, syncs them, and keeps no file open", async () => {
    const dir = scratch();
    const file = path.join(dir, "s.jsonl");
    const linksTo = (fd: string) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return null; // the descriptor of the directory listing itself, closed by now
      }
    };
    const openFds = () => fs.readdirSync("/proc/self/fd").filter((fd) => linksTo(fd) === file).length;
    const t = Transcript.open(file, "s");
    t.append([{ type: "message", message: { role: "user", content: "one", timestamp: 1 } }]);
    const synced = t.syncAsync();
    t.close(); // the directory lets go of it while the turn's fsync is still on its way
    assert.equal(openFds(), 1, "the pending fsync keeps its descriptor");
    await synced;
    assert.equal(openFds(), 0);
    t.append([{ type: "message", message: { role: "assistant", content: "two", timestamp: 2 } }]);
    assert.equal(openFds(), 0, "a write after close reopens the file and closes it again");
    await t.syncAsync();
    assert.equal(openFds(), 0);
    assert.deepEqual(
      Transcript.open(file, "s")
        .messages()
        .map((e) => (e.message as { content: string }).content),
      ["one", "two"],
    );
  });

  it("a torn last line from a crash is closed off before the next append", () => {
    const dir = scratch();
    const file = path.join(dir, "s.jsonl");
    const t = Transcript.open(file, "s");
    t.append([{ type: "message", message: { role: "user", content: "one", timestamp: 1 } }]);
    t.close();
    fs.appendFileSync(file, '{"type":"message","id":"torn","mess');
    const again = Transcript.open(file, "s");
    again.append([{ type: "message", message: { role: "user", content: "two", timestamp: 2 } }]);
    const last = Transcript.open(file, "s");
    assert.deepEqual(
      last.messages().map((e) => (e.message as { content: string }).content),
      ["one", "two"],
    );
    assert.equal(last.skippedLines, 1);
  });
});

describe("reading a conversation back for a turn", { timeout: 60_000 }, () => {
  /** A transcript file with `turns` user/assistant pairs of about `bytes` characters each. */
  const writeTranscript = (file: string, turns: number, bytes = 100) => {
    const t = Transcript.open(file, "s");
    const text = "y".repeat(bytes);
    for (let i = 0; i < turns; i++) {
      t.append([
        { type: "message", message: { role: "user", content: `q${i} ${text}`, timestamp: i } },
        { type: "message", message: { role: "assistant", content: `a${i}`, timestamp: i } },
      ]);
    }
    t.close();
  };
  const contents = (t: Transcript) => t.messages().map((e) => (e.message as { content: string }).content.slice(0, 8));

  it("loads the same conversation as opening it does, torn, foreign and header lines included, and writes nothing", async () => {
    const file = path.join(scratch(), "s.jsonl");
    writeTranscript(file, 3);
    fs.appendFileSync(file, "not json\n" + '{"type":"note"}\n' + '{"type":"message","id":"torn","mess');
    const before = fs.readFileSync(file, "utf8");
    const loaded = await Transcript.load(file, "s");
    assert.ok(loaded);
    assert.equal(fs.readFileSync(file, "utf8"), before, "loading writes nothing");
    const opened = Transcript.open(file, "s");
    assert.deepEqual(loaded.entries, opened.entries);
    assert.deepEqual(loaded.header, opened.header);
    assert.equal(loaded.header.version, 3);
    assert.equal(loaded.skippedLines, 3);
    opened.close();
    // The torn line is closed off by the first append, as after opening.
    loaded.append([{ type: "message", message: { role: "user", content: "next", timestamp: 9 } }]);
    loaded.close();
    assert.deepEqual(contents(Transcript.open(file, "s")), ["q0 yyyyy", "a0", "q1 yyyyy", "a1", "q2 yyyyy", "a2", "next"]);
  });

  it("has nothing to load for a missing or empty file, and refuses one past the limit", async () => {
    const dir = scratch();
    assert.equal(await Transcript.load(path.join(dir, "missing.jsonl"), "s"), null);
    fs.writeFileSync(path.join(dir, "empty.jsonl"), "\n");
    assert.equal(await Transcript.load(path.join(dir, "empty.jsonl"), "s"), null);
    const big = path.join(dir, "big.jsonl");
    fs.writeFileSync(big, "");
    fs.truncateSync(big, MAX_TRANSCRIPT_BYTES + 1);
    await assert.rejects(Transcript.load(big, "s"), TranscriptTooLargeError);
    // A transcript that reports 0 bytes and never ends is refused at the limit, not read forever.
    const endless = path.join(dir, "endless.jsonl");
    fs.symlinkSync("/dev/zero", endless);
    await assert.rejects(Transcript.load(endless, "s"), /endless\.jsonl is more than the 16 MB a conversation may load/);
    assert.throws(() => Transcript.open(endless, "s"), TranscriptTooLargeError);
  });

  it("other work goes on while a large transcript is parsed", async () => {
    const file = path.join(scratch(), "s.jsonl");
    writeTranscript(file, 4000, 2000); // about 8 MB
    const chars = fs.statSync(file).size;
    let turns = 0;
    let loading = true;
    const spin = () => {
      turns++;
      if (loading) setImmediate(spin);
    };
    setImmediate(spin);
    const t = await Transcript.load(file, "s");
    loading = false;
    assert.equal(t?.messages().length, 8000);
    // Reading the file takes a turn per 512 KB chunk at the most; parsing gives one back per 256 KB.
    assert.ok(turns >= chars / (256 * 1024), `the event loop turned ${turns} times while ${chars} bytes were loaded`);
  });

  it("turns waiting on the same conversation share one copy, and a synchronous reader meanwhile wins", async () => {
    const log = { debug() {}, info() {}, warn() {}, error() {} } as never;
    const sessions = new SessionDirectory({ config: () => ({}), stateDir: scratch(), env: {}, log, now: Date.now });
    const a = sessions.ensure("main", "agent:main:a");
    const b = sessions.ensure("main", "agent:main:b");
    // Large enough to be read in slices (a small one is read at once).
    const long = "z".repeat(LOAD_SLICE_CHARS);
    for (const e of [a, b]) {
      const t = sessions.transcript("main", e);
      t.append([{ type: "message", message: { role: "user", content: `hello ${long}`, timestamp: 1 } }]);
    }
    sessions.closeAll();

    const turns = [sessions.loadTranscript("main", a), sessions.loadTranscript("main", a)];
    assert.ok(!sessions.isOpen(sessions.transcriptFile("main", a)), "read in the background, not at once");
    const [one, two] = await Promise.all(turns);
    assert.equal(one, two, "one copy of a's conversation");
    assert.ok(sessions.isOpen(sessions.transcriptFile("main", a)));
    assert.equal(await sessions.loadTranscript("main", a), one, "an open conversation is not read again");

    const pending = sessions.loadTranscript("main", b);
    const sync = sessions.transcript("main", b); // e.g. an injected note while the turn's read is under way
    assert.equal(await pending, sync, "the copy already open is the one the turn writes to");
    sessions.closeAll();
  });
});

describe("start-up tidying", { timeout: 20_000 }, () => {
  it("removes temp files of dead writers and unwritten orphan transcripts, and nothing else", () => {
    const state = scratch();
    const sessions = path.join(state, "agents", "main", "sessions");
    fs.mkdirSync(sessions, { recursive: true });
    fs.writeFileSync(path.join(sessions, "sessions.json"), JSON.stringify({ "agent:main:main": { sessionId: "live", updatedAt: 1 } }));
    fs.writeFileSync(path.join(sessions, "live.jsonl"), '{"type":"session","id":"live"}\n');
    fs.writeFileSync(path.join(sessions, "empty-orphan.jsonl"), '{"type":"session","id":"empty-orphan"}\n');
    fs.writeFileSync(path.join(sessions, "old-talk.jsonl"), '{"type":"session","id":"old"}\n{"type":"message","id":"a"}\n');
    fs.writeFileSync(path.join(sessions, ".sessions.json.999999999.0123abcd.tmp"), "{");
    fs.writeFileSync(path.join(sessions, `.sessions.json.${process.pid}.0123abcd.tmp`), "{");
    const report = cleanStateDir(state);
    assert.deepEqual(report.tempFiles, [path.join("agents", "main", "sessions", ".sessions.json.999999999.0123abcd.tmp")]);
    assert.deepEqual(report.emptyTranscripts, [path.join("agents", "main", "sessions", "empty-orphan.jsonl")]);
    assert.deepEqual(fs.readdirSync(sessions).sort(), [
      `.sessions.json.${process.pid}.0123abcd.tmp`,
      "live.jsonl",
      "old-talk.jsonl",
      "sessions.json",
    ]);
  });
});
