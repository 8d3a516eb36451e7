/**
 * Who hears about a command waiting for approval: operators always (the event), the chats that
 * `approvals.exec` forwards to, and — when nothing is forwarded and no operator is connected — the
 * chat that asked. Decisions by short id, withdrawal on abort.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import type { ChatTarget } from "../../src/channels/sender.js";
import { ApprovalQueue } from "../../src/exec/approval-queue.js";
import { ExecApprovalsStore, FILE_NAME } from "../../src/exec/approvals-file.js";
import { ExecApprovalService } from "../../src/exec/service.js";
import type { Logger } from "../../src/infra/logger.js";
import { tmpDir } from "../helpers/gateway.js";

const T = { timeout: 10_000 };
const quiet: Logger = {
  subsystem: "exec",
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => quiet,
};
const REQ = {
  command: "ls -la",
  cwd: "/work",
  host: "gateway",
  security: "allowlist",
  ask: "on-miss",
  agentId: "main",
  resolvedPath: "/bin/ls",
  sessionKey: "agent:main:telegram:dm:1",
};
const ORIGIN = { channel: "telegram", to: "1", accountId: "default", chatType: "dm" as const };

function setup(config: Record<string, unknown>, online = false) {
  const dir = tmpDir("oc-approvals-");
  const service = new ExecApprovalService(new ExecApprovalsStore(dir, { HOME: dir }), new ApprovalQueue(Date.now), quiet);
  const events: Array<{ event: string; payload: any }> = [];
  const chats: Array<{ target: ChatTarget; text: string }> = [];
  let told!: () => void;
  const firstChat = new Promise<void>((r) => (told = r));
  service.attach({
    broadcast: (event, payload) => events.push({ event, payload }),
    sendChat: async (target, text) => {
      chats.push({ target, text });
      told();
    },
    approversOnline: () => online,
    config: () => config as never,
  });
  return { service, events, chats, firstChat, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

describe("exec approval service", () => {
  it("an approvals file that reports 0 bytes and never ends is refused, not read forever", T, () => {
    const dir = tmpDir("oc-approvals-");
    try {
      fs.symlinkSync("/dev/zero", `${dir}/${FILE_NAME}`);
      assert.throws(
        () => new ExecApprovalsStore(dir, { HOME: dir }).snapshot(),
        /exec-approvals\.json is larger than 1048576 bytes; fix or remove it/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a headless gateway tells the asking chat at once, and a short id decides it", T, async () => {
    const t = setup({});
    const pending = t.service.request(REQ, { origin: ORIGIN, timeoutMs: 5000 });
    await t.firstChat;
    assert.equal(t.events[0]!.event, "exec.approval.requested");
    assert.deepEqual(t.chats[0]!.target, { channel: "telegram", to: "1", accountId: "default" });
    assert.match(t.chats[0]!.text, /ls -la[\s\S]*in \/work[\s\S]*agent main[\s\S]*\/approve [0-9a-f]{8} allow-once/);
    const short = /\/approve (\S+)/.exec(t.chats[0]!.text)![1]!;
    assert.equal(t.service.resolve(short, "allow-once", "telegram:1"), true);
    const r = await pending;
    assert.equal(r.decision, "allow-once");
    assert.equal(t.events.at(-1)!.event, "exec.approval.resolved");
    assert.equal(t.events.at(-1)!.payload.resolvedBy, "telegram:1");
    t.cleanup();
  });

  it("with an operator connected and no forwarding, chats are not told", T, async () => {
    const t = setup({}, true);
    const pending = t.service.request(REQ, { origin: ORIGIN, timeoutMs: 5000 });
    const id = t.events[0]!.payload.id;
    assert.equal(t.service.resolve(id, "deny", "ui"), true);
    assert.equal((await pending).decision, "deny");
    assert.equal(t.chats.length, 0);
    t.cleanup();
  });

  it("approvals.exec targets mode sends to the configured chats, filtered by agent", T, async () => {
    const cfg = {
      approvals: {
        exec: { enabled: true, mode: "targets", agentFilter: ["main"], targets: [{ channel: "discord", to: "chan-9", threadId: 5 }] },
      },
    };
    const t = setup(cfg, true);
    const pending = t.service.request(REQ, { origin: ORIGIN, timeoutMs: 5000 });
    await t.firstChat;
    assert.deepEqual(
      t.chats.map((c) => c.target),
      [{ channel: "discord", to: "chan-9", threadId: "5" }],
    );
    t.service.resolve(t.events[0]!.payload.id, "deny", "x");
    await pending;
    const other = t.service.request({ ...REQ, agentId: "ops" }, { origin: ORIGIN, timeoutMs: 5000 });
    t.service.resolve(t.events.at(-1)!.payload.id, "deny", "x");
    await other;
    assert.equal(t.chats.length, 1, "another agent's request is not forwarded");
    t.cleanup();
  });

  it("an aborted run withdraws its request; an unknown id is refused", T, async () => {
    const t = setup({}, true);
    const ac = new AbortController();
    const pending = t.service.request(REQ, { signal: ac.signal, timeoutMs: 5000 });
    ac.abort();
    assert.equal((await pending).decision, null);
    assert.equal(t.service.pending().length, 0);
    assert.equal(t.service.resolve("nope", "allow-once", "x"), false);
    t.cleanup();
  });
});
