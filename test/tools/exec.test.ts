import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { ToolRegistry, type ToolContext } from "../../src/tools/registry.js";
import { createExecTools } from "../../src/tools/exec/exec.js";
import { processGone } from "../../src/tools/exec/sessions.js";
import { ExecApprovalsStore } from "../../src/exec/approvals-file.js";
import type { ApprovalDecision, ApprovalRequest } from "../../src/exec/approval-queue.js";
import type { OpenClawConfig } from "../../src/config/schema.js";
import { tmpDir, waitFor } from "../helpers/gateway.js";

const T = { timeout: 20_000 };

function setup(config: OpenClawConfig = {}, decision: ApprovalDecision | null = "allow-once") {
  const ws = tmpDir("oc-exec-");
  const state = tmpDir("oc-exec-state-");
  const store = new ExecApprovalsStore(state, { HOME: state });
  const asked: ApprovalRequest[] = [];
  const events: Array<{ key: string; text: string }> = [];
  let notified!: () => void;
  const notice = new Promise<void>((r) => (notified = r));
  const tools = createExecTools({ env: { ...process.env, MY_SERVICE_API_KEY: "sk-hidden", SAFE_VALUE: "visible" }, killGraceMs: 200 });
  const reg = new ToolRegistry().register(tools.exec, tools.process);
  const ctx: ToolContext = {
    sessionKey: "agent:main:main",
    agentId: "main",
    workspaceDir: ws,
    signal: new AbortController().signal,
    now: Date.now,
    config,
    host: {
      approvals: {
        store,
        async request(req) {
          asked.push(req);
          return { id: "ap-1", decision };
        },
      },
      systemEvents: {
        enqueue(key, text) {
          events.push({ key, text });
          notified();
          return true;
        },
      },
    },
  };
  after(() => tools.dispose());
  return { ws, store, asked, events, notice, call: (name: string, args: unknown) => reg.call(name, args, ctx) };
}

const gateway = (extra: Record<string, unknown> = {}): OpenClawConfig =>
  ({ tools: { exec: { host: "gateway", ...extra } } }) as OpenClawConfig;

describe("exec", () => {
  it("runs a command on the default host and returns its output", T, async () => {
    const t = setup();
    const r = await t.call("exec", { command: "echo hello; echo oops >&2" });
    assert.equal(r.isError, undefined);
    assert.equal(r.text, "hello\noops");
    assert.equal((r.details as { status: string }).status, "completed");
    const failed = await t.call("exec", { command: "exit 3" });
    assert.equal(failed.isError, true);
    assert.match(failed.text, /Command exited with code 3/);
  });

  it("asks under on-miss and runs the command once allowed", T, async () => {
    const t = setup(gateway());
    const r = await t.call("exec", { command: "echo approved" });
    assert.equal(r.text, "approved");
    assert.equal(t.asked.length, 1);
    assert.equal(t.asked[0]!.command, "echo approved");
  });

  it("a denial or no answer stops the command (askFallback deny)", T, async () => {
    for (const decision of ["deny", null] as const) {
      const t = setup(gateway(), decision);
      const r = await t.call("exec", { command: "touch ran" });
      assert.equal(r.isError, true);
      assert.match(r.text, decision ? /Exec denied \(gateway id=ap-1, user-denied\)/ : /approval-timeout/);
      assert.equal((r.details as { status: string }).status, "denied");
      assert.equal((await import("node:fs")).existsSync(`${t.ws}/ran`), false);
    }
  });

  it("allow-always adds the resolved binaries to the allowlist, and the next call needs no approval", T, async () => {
    const t = setup(gateway(), "allow-always");
    assert.equal((await t.call("exec", { command: "printf hi" })).text, "hi");
    const list = t.store.snapshot().file.agents?.main?.allowlist ?? [];
    assert.ok(
      list.some((e) => e.pattern.endsWith("/printf")),
      JSON.stringify(list),
    );
    assert.equal((await t.call("exec", { command: "printf again" })).text, "again");
    assert.equal(t.asked.length, 1);
    const used = t.store.snapshot().file.agents?.main?.allowlist?.find((e) => e.pattern.endsWith("/printf"));
    assert.equal(used?.lastUsedCommand, "printf again");
    const smuggled = await t.call("exec", { command: "printf x; touch evil" });
    assert.equal(t.asked.length, 2, "a chained command is asked about again");
    assert.equal(smuggled.isError, undefined);
  });

  it("the model cannot widen host, security or ask", T, async () => {
    const t = setup(gateway({ security: "allowlist", ask: "off" }), "deny");
    const h = await t.call("exec", { command: "echo x", host: "sandbox" });
    assert.match(h.text, /exec host not allowed \(requested sandbox; configure tools.exec.host=sandbox to allow\)/);
    const s = await t.call("exec", { command: "echo x", security: "full" });
    assert.match(s.text, /exec denied: allowlist miss/, "security=full does not loosen allowlist");
    const a = await t.call("exec", { command: "echo x", ask: "always" });
    assert.match(a.text, /user-denied/, "ask can be raised");
    const d = await t.call("exec", { command: "echo x", security: "deny" });
    assert.match(d.text, /security=deny/);
    const node = setup({ tools: { exec: { host: "node" } } } as OpenClawConfig);
    assert.match((await node.call("exec", { command: "echo x" })).text, /requires a paired node/);
  });

  it("a timeout kills the whole process tree", T, async () => {
    const t = setup();
    const r = await t.call("exec", { command: "sleep 30 & echo $!; sleep 30 & echo $!; wait", timeout: 1 });
    assert.equal(r.isError, true);
    assert.match(r.text, /Command timed out after 1 seconds/);
    const pids = r.text
      .split("\n")
      .filter((l) => /^\d+$/.test(l))
      .map(Number);
    assert.equal(pids.length, 2);
    // SIGKILL lands when the kernel next schedules each child; wait for that rather than race it.
    for (const pid of pids) await waitFor(() => processGone(pid), 5000, `pid ${pid} to be gone`);
  });

  it("backgrounds a command; process polls, logs and kills it; exit is announced", T, async () => {
    const t = setup();
    const r = await t.call("exec", { command: "echo one; echo two; read line; echo got $line; sleep 30", background: true });
    const d = r.details as { status: string; sessionId: string };
    assert.equal(d.status, "running");
    assert.match(r.text, /Command still running \(session .*\)\. Use process/);
    const list = await t.call("process", { action: "list" });
    assert.match(list.text, new RegExp(d.sessionId));
    assert.match((await t.call("process", { action: "write", sessionId: d.sessionId, data: "abc\n" })).text, /Wrote 4 bytes/);
    for (;;) {
      const log = await t.call("process", { action: "log", sessionId: d.sessionId, offset: 2, limit: 1 });
      if (log.text === "got abc") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const poll = await t.call("process", { action: "poll", sessionId: d.sessionId });
    assert.match(poll.text, /Process still running/);
    assert.match((await t.call("process", { action: "kill", sessionId: d.sessionId })).text, /Killed session/);
    await t.notice;
    assert.equal(t.events[0]!.key, "agent:main:main");
    assert.match(t.events[0]!.text, new RegExp(`^Exec failed \\(${d.sessionId.slice(0, 8)}, signal SIGTERM\\) :: one two got abc`));
    assert.match((await t.call("process", { action: "poll", sessionId: d.sessionId })).text, /Process exited with signal SIGTERM/);
    assert.match((await t.call("process", { action: "remove", sessionId: d.sessionId })).text, /Removed/);
    assert.match((await t.call("process", { action: "poll", sessionId: d.sessionId })).text, /No session found/);
  });

  it("caps output, keeping the tail", T, async () => {
    const t = setup();
    const r = await t.call("exec", { command: "head -c 250000 /dev/zero | tr '\\0' a; echo END" });
    assert.match(r.text, /^\[Output truncated: the first \d+ characters were dropped/);
    const agg = (r.details as { aggregated: string }).aggregated;
    assert.ok(agg.endsWith("aEND"));
    assert.ok(agg.length <= 200_200);
  });

  it("hides the gateway's secrets and refuses loader variables", T, async () => {
    const t = setup();
    const r = await t.call("exec", { command: 'echo "[$MY_SERVICE_API_KEY][$SAFE_VALUE][$EXTRA]"', env: { EXTRA: "e" } });
    assert.equal(r.text, "[][visible][e]");
    const bad = await t.call("exec", { command: "true", env: { LD_PRELOAD: "/tmp/x.so" } });
    assert.equal(bad.isError, true);
    assert.match(bad.text, /may not set LD_PRELOAD/);
  });
});
