/**
 * State files that are not what the gateway wrote: each reader of a file in the state directory meets
 * a link to `/dev/zero` (reports 0 bytes, never ends), a FIFO (blocks whoever opens it to read) and a
 * sparse file past its bound. The exec tool can make any of them. None may hang the gateway or take
 * its memory; each reader says what it found, or carries on as it does with a file it cannot parse.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { FileTooLargeError, NotRegularFileError, readFileBounded, readStateFileSync } from "../../src/infra/read-bounded.js";
import { SessionStore, MAX_STORE_BYTES } from "../../src/sessions/store.js";
import { cleanStateDir } from "../../src/sessions/cleanup.js";
import { AuthStore } from "../../src/providers/auth.js";
import { PairingStore } from "../../src/routing/pairing.js";
import { DeviceStore } from "../../src/gateway/devices.js";
import { readRegistry, registryPath } from "../../src/sandbox/registry.js";
import { acquireGatewayLock, lockPathFor } from "../../src/gateway/lock.js";
import { readPrefs } from "../../src/tts/config.js";
import { loadEnvFile } from "../../src/infra/dotenv.js";
import { loadPluginManifest } from "../../src/plugins/manifest.js";
import { resolveToken } from "../../src/channels/telegram/config.js";
import { readRunLog } from "../../src/cron/run-log.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "state-files-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const scratch = (): string => fs.mkdtempSync(path.join(root, `${n++}-`));

/** Puts a link to /dev/zero at `file` (its folder made first). */
function endless(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.symlinkSync("/dev/zero", file);
  return file;
}
function fifo(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  execFileSync("mkfifo", [file]);
  return file;
}
/** A sparse file of `bytes` (no disk used). */
function sparse(file: string, bytes: number): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, "");
  fs.truncateSync(file, bytes);
  return file;
}

describe("reading a state file", { timeout: 30_000 }, () => {
  it("refuses anything but a regular file before reading, and a file past its bound", async () => {
    const dir = scratch();
    assert.throws(() => readStateFileSync(endless(path.join(dir, "zero.json")), 1024), NotRegularFileError);
    // Opened without blocking: a FIFO nobody writes to is refused at once, not waited on.
    assert.throws(() => readStateFileSync(fifo(path.join(dir, "fifo.json")), 1024), /not a regular file/);
    assert.throws(() => readStateFileSync(dir, 1024), NotRegularFileError);
    assert.throws(() => readStateFileSync(sparse(path.join(dir, "big.json"), 2048), 1024), FileTooLargeError);
    await assert.rejects(readFileBounded(path.join(dir, "zero.json"), 1024, { regularOnly: true }), NotRegularFileError);
    fs.writeFileSync(path.join(dir, "ok.json"), '{"a":1}');
    assert.equal(readStateFileSync(path.join(dir, "ok.json"), 1024), '{"a":1}');
    assert.throws(() => readStateFileSync(path.join(dir, "missing.json"), 1024), { code: "ENOENT" });
  });

  it("a session index that cannot be read is moved aside whole, and the store starts empty", async () => {
    for (const make of [endless, (f: string) => sparse(f, MAX_STORE_BYTES + 1)]) {
      const dir = scratch();
      const file = make(path.join(dir, "sessions.json"));
      const errors: string[] = [];
      const store = new SessionStore(file, { now: () => 1234, onError: (m) => errors.push(m), flushDelayMs: 0 });
      assert.equal(store.get("agent:main:main"), undefined);
      assert.equal(errors.length, 1);
      assert.match(
        errors[0]!,
        /(is not a regular file|is larger than the 16 MB a session index may be); moved it to .*sessions\.json\.unreadable-1234, and started an empty store/,
      );
      // What was there is kept as it was (the link, or the large file), and the store writes anew.
      assert.ok(fs.lstatSync(`${file}.unreadable-1234`));
      store.set("agent:main:main", { sessionId: "s1", updatedAt: 1 } as never);
      await store.flush();
      assert.equal(JSON.parse(fs.readFileSync(file, "utf8"))["agent:main:main"].sessionId, "s1");
    }
  });

  it("start-up tidying skips a transcript that is not a file, and an index that is not one", () => {
    const state = scratch();
    const sessions = path.join(state, "agents", "main", "sessions");
    endless(path.join(sessions, "a.jsonl"));
    fs.writeFileSync(path.join(sessions, "b.jsonl"), '{"type":"session","id":"b"}\n');
    endless(path.join(sessions, "sessions.json"));
    const report = cleanStateDir(state);
    // The index cannot say which transcripts it holds, so none is taken for an orphan.
    assert.deepEqual(report.emptyTranscripts, []);
    assert.ok(fs.existsSync(path.join(sessions, "b.jsonl")));
  });

  it("credentials, pairing, devices, the sandbox registry and the lock carry on or say what is wrong", () => {
    const state = scratch();
    const auth = AuthStore.forAgent(state, "main");
    endless(auth.file);
    assert.deepEqual(auth.profiles(), {});

    const pairing = PairingStore.forStateDir(state);
    endless(path.join(state, "credentials", "telegram-pairing.json"));
    fifo(path.join(state, "credentials", "telegram-allowFrom.json"));
    assert.deepEqual(pairing.list("telegram"), []);
    assert.equal(pairing.isApproved("telegram", "42"), false);

    const devices = new DeviceStore(state);
    endless(devices.pairedFile);
    const { request } = devices.request({ deviceId: "d1", publicKey: "k", silent: false });
    assert.throws(() => devices.approve(request.requestId), /paired\.json.*not a regular file; fix or move the file, then try again/);

    endless(registryPath(state));
    assert.deepEqual(readRegistry(state), []);

    // A lock that cannot be read is taken over as stale.
    const configPath = path.join(state, "openclaw.json");
    endless(lockPathFor(state, configPath));
    const lock = acquireGatewayLock(state, configPath);
    assert.equal(JSON.parse(fs.readFileSync(lock.path, "utf8")).pid, process.pid);
    lock.release();
  });

  it("preferences, .env, plugin manifests, token files and cron run logs", async () => {
    const dir = scratch();
    assert.deepEqual(readPrefs(endless(path.join(dir, "tts.json"))), {});
    const env: Record<string, string | undefined> = {};
    assert.deepEqual(loadEnvFile(fifo(path.join(dir, ".env")), env), []);

    const plugin = path.join(dir, "plugin");
    endless(path.join(plugin, "openclaw.plugin.json"));
    const manifest = loadPluginManifest(plugin);
    assert.equal(manifest.ok, false);
    assert.match((manifest as { error: string }).error, /openclaw\.plugin\.json: plugin manifest is not a regular file/);

    const tokenFile = endless(path.join(dir, "token"));
    assert.match(resolveToken({ tokenFile } as never, "default", {}).error ?? "", /tokenFile .*token is not a regular file/);
    const bigToken = sparse(path.join(dir, "big-token"), 1024 * 1024);
    assert.match(resolveToken({ tokenFile: bigToken } as never, "default", {}).error ?? "", /too large for a bot token/);

    assert.deepEqual(await readRunLog(endless(path.join(dir, "runs", "job.jsonl")), "job"), []);
  });
});
