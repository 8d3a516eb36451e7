/**
 * Data durability: a full or read-only disk fails the turn that cannot be saved, says why, and
 * never takes the process down; a turn whose `final` event went out survives a kill -9 that follows
 * at once; temp files left by a killed writer are cleared on start.
 */
import { after, afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { waitFor } from "../helpers/gateway.js";
import {
  Harness,
  TOKEN,
  chat,
  deadPid,
  describeOutcome,
  httpRequest,
  llmConfig,
  pollStatus,
  report,
  textOf,
  tryConnect,
  type ChatResult,
  type Gw,
  type Peer,
} from "./harness.js";

/** Writes to `file` until the filesystem has no byte left; returns the bytes written. */
function fillDisk(file: string): number {
  let written = 0;
  const fd = fs.openSync(file, "w");
  try {
    for (const size of [1024 * 1024, 64 * 1024, 4096, 1]) {
      const block = Buffer.alloc(size, 0x78);
      for (;;) {
        try {
          written += fs.writeSync(fd, block);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === "ENOSPC") break;
          throw e;
        }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return written;
}

function describeChat(r: ChatResult): string {
  if (!r.res) return "no response to chat.send (the connection closed)";
  if (!r.res.ok) return `chat.send refused: ${r.res.error?.code} ${r.res.error?.message}`;
  if (!r.end) return "chat.send accepted, no terminal chat event";
  const p = r.end.payload;
  return p.state === "error" ? `chat event error: ${p.errorMessage}` : `chat event ${p.state}: ${textOf(p.message).slice(0, 80)}`;
}

/** The error text of a failed chat (request refused, or an `error` chat event), or null when it did not fail. */
function chatError(r: ChatResult): string | null {
  if (r.res && !r.res.ok) return r.res.error?.message ?? "";
  if (r.end?.payload?.state === "error") return String(r.end.payload.errorMessage ?? "");
  return null;
}

/** Whether the gateway is still running, and how it ended when not. */
function fate(gw: Gw): string {
  if (!gw.exited) return "the gateway is alive";
  // The uncaught error Node printed last, else the last line.
  const lines = gw.stderr.trim().split("\n");
  const why = lines.filter((l) => /^\w*Error\b/.test(l.trim())).at(-1) ?? lines.at(-1);
  return `the gateway exited (${gw.exited.code ?? gw.exited.signal}): ${why?.trim()}`;
}

async function owner(h: Harness, gw: Gw): Promise<Peer> {
  const o = await tryConnect(h, gw.port, { token: TOKEN });
  assert.ok(o.kind === "res" && o.res.ok, describeOutcome(o));
  return o.peer;
}

async function assertChats(peer: Peer, sessionKey: string, text: string): Promise<void> {
  const r = await chat(peer, sessionKey, text);
  assert.equal(r.end?.payload?.state, "final", describeChat(r));
  assert.equal(textOf(r.end!.payload.message), `echo: ${text}`);
}

describe("a disk that refuses writes", { timeout: 120_000 }, () => {
  const h = new Harness();
  afterEach(() => h.cleanup());

  it(
    "a full disk (ENOSPC) fails the chat with a clear error, keeps the gateway up, and recovers when space returns",
    { timeout: 60_000 },
    async (t) => {
      if (process.getuid?.() !== 0) return t.skip("needs root to mount a tmpfs");
      const stateDir = h.tmp();
      if (!h.mountTmpfs(stateDir, "3m")) return t.skip("needs root to mount a tmpfs (mount failed)");
      const fake = await h.fakeLlm();
      const gw = await h.launch({ stateDir, token: TOKEN, config: llmConfig(fake) });
      const peer = await owner(h, gw);
      await assertChats(peer, "disk-before", "before the disk fills");

      const filler = path.join(stateDir, "filler");
      const bytes = fillDisk(filler);
      const failed = await chat(peer, "disk-full", "while the disk is full");
      report(
        t,
        `filled ${(bytes / 1024).toFixed(0)} KiB; chat on a full disk: ${describeChat(failed)}; gateway alive ${gw.exited === null}`,
      );
      assert.equal(gw.exited, null, fate(gw));
      assert.match(chatError(failed) ?? "(no error)", /no space left|ENOSPC/i, describeChat(failed));

      const ready = await pollStatus(gw.port, "/readyz", 503, 10_000, gw).catch((e: Error) => {
        throw new Error(`${e.message}; ${fate(gw)}`);
      });
      assert.equal((await httpRequest(gw.port, { path: "/healthz" })).status, 200, "/healthz");
      report(t, `/readyz while full: ${ready.status} ${ready.text.slice(0, 300)}`);
      assert.match(JSON.stringify(ready.json), /no space left|ENOSPC|write/i, "/readyz names the failed write");

      fs.rmSync(filler);
      await assertChats(peer, "disk-after", "after the disk has room");
      const back = await pollStatus(gw.port, "/readyz", 200, 20_000);
      report(t, `after removing the filler: chat final; /readyz ${back.status}`);
      assert.equal(gw.exited, null);
    },
  );

  it(
    "a read-only state dir (EROFS) fails the chat, the gateway stays up for 10 s after, and recovers when writable",
    { timeout: 60_000 },
    async (t) => {
      if (process.getuid?.() !== 0) return t.skip("needs root to remount read-only");
      const fake = await h.fakeLlm();
      const gw = await h.launch({ token: TOKEN, config: llmConfig(fake) });
      const peer = await owner(h, gw);
      await assertChats(peer, "ro-before", "before read-only");

      if (!h.readOnly(gw.stateDir)) return t.skip("needs root to remount read-only (mount failed)");
      const failed = await chat(peer, "ro-during", "while read-only");
      const failedAt = Date.now();
      report(t, `chat on a read-only state dir: ${describeChat(failed)}; gateway alive ${gw.exited === null}`);
      assert.match(chatError(failed) ?? "(no error)", /read-only|EROFS/i, describeChat(failed));

      // The old store threw from a timer a moment after the failed write and the process died.
      let checks = 0;
      while (Date.now() - failedAt < 10_000) {
        const r = await httpRequest(gw.port, { path: "/healthz", timeoutMs: 2000 }).catch((e: Error) => e);
        const ok = !(r instanceof Error) && r.status === 200 && !gw.exited;
        // A refused check usually means the process is going down: let its exit be recorded.
        if (!ok) await Promise.race([gw.exit, new Promise((resolve) => setTimeout(resolve, 1000))]);
        assert.ok(
          ok,
          `/healthz ${Date.now() - failedAt} ms after the failed write: ${r instanceof Error ? r.message : r.status}; ${fate(gw)}`,
        );
        checks += 1;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      report(t, `alive and healthy for 10 s after the failed write (${checks} /healthz checks)`);
      const ready = await pollStatus(gw.port, "/readyz", 503, 5_000);
      report(t, `/readyz while read-only: ${ready.status} ${ready.text.slice(0, 300)}`);
      assert.match(JSON.stringify(ready.json), /read-only|EROFS|write/i, "/readyz names the failed write");

      h.unmount(gw.stateDir);
      await assertChats(peer, "ro-after", "writable again");
      await pollStatus(gw.port, "/readyz", 200, 20_000);
      assert.equal(gw.exited, null);
    },
  );
});

describe("kill -9", { timeout: 180_000 }, () => {
  const h = new Harness();
  after(() => h.cleanup());

  it("a turn whose final event went out survives a kill -9 right after it (20 new sessions)", { timeout: 180_000 }, async (t) => {
    const fake = await h.fakeLlm();
    const stateDir = h.tmp();
    let gw = await h.launch({ stateDir, token: TOKEN, config: llmConfig(fake) });
    const lost: string[] = [];
    const runs = 20;
    for (let i = 0; i < runs; i++) {
      const sessionKey = `kill9-${i}-${randomBytes(3).toString("hex")}`;
      const text = `remember number ${i}`;
      const peer = await owner(h, gw);
      // A warm gateway (model client loaded) answers in a few milliseconds, as it does in use.
      await assertChats(peer, `warm-${i}-${randomBytes(3).toString("hex")}`, "warm up");
      const victim = gw;
      // Kill the moment the final event is seen, before anything else runs in this process.
      const killed = peer.waitEvent(
        (e) => e.event === "chat" && e.payload?.sessionKey?.endsWith(sessionKey) && e.payload.state === "final",
        20_000,
        "final",
      );
      void killed.then(
        () => victim.proc.kill("SIGKILL"),
        () => {},
      );
      const r = await chat(peer, sessionKey, text);
      assert.equal(r.end?.payload?.state, "final", `session ${i}: ${describeChat(r)}`);
      await victim.exit;

      gw = await h.launch({ stateDir, token: TOKEN });
      const reader = await owner(h, gw);
      const hist = await reader.request("chat.history", { sessionKey });
      const messages: any[] = hist?.ok ? hist.payload.messages : [];
      const texts = messages.map((m) => `${m.role}: ${textOf(m)}`);
      const kept = texts.includes(`user: ${text}`) && texts.includes(`assistant: echo: ${text}`);
      if (!kept) lost.push(`${sessionKey} → ${hist?.ok ? JSON.stringify(texts) : `chat.history failed: ${hist?.error?.message}`}`);
      reader.close();
    }
    report(t, `turns lost after kill -9 right after final: ${lost.length} of ${runs}`);
    for (const l of lost.slice(0, 5)) report(t, `lost: ${l}`);
    assert.equal(lost.length, 0, `${lost.length} of ${runs} turns lost: ${lost[0]}`);
  });
});

describe("leftover temp files", { timeout: 60_000 }, () => {
  const h = new Harness();
  after(() => h.cleanup());

  it("a stale .sessions.json.<deadpid>.<hex>.tmp in the sessions dir is removed on start", { timeout: 60_000 }, async (t) => {
    const stateDir = h.tmp();
    const dir = path.join(stateDir, "agents", "main", "sessions");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "sessions.json"), "{}\n");
    const stale = path.join(dir, `.sessions.json.${deadPid()}.${randomBytes(4).toString("hex")}.tmp`);
    fs.writeFileSync(stale, '{"agent:main:main": {"sessionId": "half-writ');
    const gw = await h.launch({ stateDir, token: TOKEN });
    const removed = await waitFor(() => !fs.existsSync(stale), 10_000, "the stale temp file to be removed").then(
      () => true,
      () => false,
    );
    report(t, `${path.basename(stale)}: ${removed ? "removed" : "still there 10 s after start"}`);
    assert.ok(removed, `${path.basename(stale)} is still in ${dir}`);
    assert.ok(fs.existsSync(path.join(dir, "sessions.json")), "sessions.json is kept");
    assert.equal(gw.exited, null);
  });
});
