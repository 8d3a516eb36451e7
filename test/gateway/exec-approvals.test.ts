/**
 * Exec approvals over the protocol: the approvals file (read, saved with a base hash, kept in the state
 * directory, the home-directory file read for existing installs) and a command waiting for an
 * operator's decision, as OpenClaw's clients use them.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { connect, refused, startTestGateway, tmpDir, type TestGateway } from "../helpers/gateway.js";
import { REF_TIMEOUT_MS, refCli, refSkipReason } from "../helpers/reference-cli.js";

const TOKEN = "exec-approvals-token-123456";
const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

async function gateway(env: Record<string, string> = {}): Promise<TestGateway> {
  return startTestGateway({ token: TOKEN, env, config: { gateway: { mode: "local" } } });
}

describe("exec.approvals.get|set", () => {
  it(
    "keeps the file in the state directory, saves only against the hash last read, and hides the socket token",
    { timeout: 30_000 },
    async () => {
      const home = tmpDir("oc-home-");
      dirs.push(home);
      const gw = await gateway({ HOME: home });
      try {
        const c = await connect(gw.wsUrl, { token: TOKEN });
        const first = await c.request<any>("exec.approvals.get", {});
        assert.equal(first.exists, false);
        assert.equal(first.path, path.join(gw.stateDir, "exec-approvals.json"));
        assert.deepEqual(first.file.agents, {});

        const file = {
          version: 1,
          socket: { path: "/tmp/x.sock", token: "secret-socket-token" },
          defaults: { security: "allowlist", ask: "on-miss" },
          agents: { default: { allowlist: [{ pattern: "/usr/bin/echo" }] } },
        };
        const saved = await c.request<any>("exec.approvals.set", { file });
        assert.equal(saved.exists, true);
        assert.deepEqual(saved.file.socket, { path: "/tmp/x.sock" }, "the token is not shown");
        assert.equal(saved.file.agents.main.allowlist[0].pattern, "/usr/bin/echo", "the legacy default agent is main");
        assert.ok(saved.file.agents.main.allowlist[0].id, "entries get ids");
        const onDisk = JSON.parse(fs.readFileSync(saved.path, "utf8"));
        assert.equal(onDisk.socket.token, "secret-socket-token");
        assert.equal(fs.statSync(saved.path).mode & 0o777, 0o600);

        const stale = await refused(c.request("exec.approvals.set", { file: { version: 1 }, baseHash: first.hash }));
        assert.match(stale.message, /changed since last load; re-run exec.approvals.get/);
        const missing = await refused(c.request("exec.approvals.set", { file: { version: 1 } }));
        assert.match(missing.message, /base hash required/);
        const bad = await refused(c.request("exec.approvals.set", { file: { version: 2 }, baseHash: saved.hash }));
        assert.equal(bad.code, "INVALID_REQUEST");
        const next = await c.request<any>("exec.approvals.set", { file: { version: 1, agents: {} }, baseHash: saved.hash });
        assert.deepEqual(next.file.agents, {});
        c.close();
      } finally {
        await gw.close();
      }
    },
  );

  it("reads ~/.openclaw/exec-approvals.json while the state directory has none", { timeout: 30_000 }, async () => {
    const home = tmpDir("oc-home-");
    dirs.push(home);
    fs.mkdirSync(path.join(home, ".openclaw"));
    fs.writeFileSync(
      path.join(home, ".openclaw", "exec-approvals.json"),
      JSON.stringify({ version: 1, agents: { main: { security: "full", allowlist: [{ id: "a", pattern: "/bin/ls" }] } } }),
    );
    const gw = await gateway({ HOME: home });
    try {
      const c = await connect(gw.wsUrl, { token: TOKEN });
      const got = await c.request<any>("exec.approvals.get", {});
      assert.equal(got.exists, true);
      assert.equal(got.file.agents.main.security, "full");
      const saved = await c.request<any>("exec.approvals.set", { file: got.file, baseHash: got.hash });
      assert.ok(fs.existsSync(path.join(gw.stateDir, "exec-approvals.json")), "the first save moves it to the state directory");
      assert.equal(saved.file.agents.main.allowlist[0].pattern, "/bin/ls");
      c.close();
    } finally {
      await gw.close();
    }
  });
});

describe("exec.approval.request|resolve", () => {
  it("holds a request until another operator decides, with events both ways", { timeout: 30_000 }, async () => {
    const gw = await gateway();
    try {
      const resolved: any[] = [];
      let onRequested!: (payload: any) => void;
      const seen = new Promise<any>((resolve) => (onRequested = resolve));
      const approver = await connect(gw.wsUrl, {
        token: TOKEN,
        onEvent: (event, payload) => {
          if (event === "exec.approval.requested") onRequested(payload);
          if (event === "exec.approval.resolved") resolved.push(payload);
        },
      });
      const asker = await connect(gw.wsUrl, { token: TOKEN });
      const pending = asker.request<any>("exec.approval.request", {
        command: "echo hi",
        cwd: "/tmp",
        agentId: "main",
        sessionKey: "agent:main:main",
      });
      const ev = await seen;
      assert.equal(ev.request.command, "echo hi");
      assert.equal(ev.request.cwd, "/tmp");
      assert.ok(ev.expiresAtMs - ev.createdAtMs === 120_000);
      assert.deepEqual(await approver.request("exec.approval.resolve", { id: ev.id, decision: "allow-once" }), { ok: true });
      const out = await pending;
      assert.equal(out.decision, "allow-once");
      assert.equal(out.id, ev.id);
      assert.equal(resolved[0]?.decision, "allow-once");

      const again = await refused(approver.request("exec.approval.resolve", { id: ev.id, decision: "deny" }));
      assert.match(again.message, /unknown approval id/);
      const invalid = await refused(approver.request("exec.approval.resolve", { id: ev.id, decision: "maybe" }));
      assert.match(invalid.message, /invalid decision/);

      const expired = await asker.request<any>("exec.approval.request", { command: "sleep 1", timeoutMs: 50 });
      assert.equal(expired.decision, null, "no decision in time");
      approver.close();
      asker.close();
    } finally {
      await gw.close();
    }
  });
});

describe("the original CLI's approvals commands", { skip: refSkipReason }, () => {
  it("approvals allowlist add --gateway writes our file, approvals get --gateway reads it", { timeout: REF_TIMEOUT_MS * 2 }, async () => {
    const gw = await gateway();
    try {
      const add = await refCli(["approvals", "allowlist", "add", "--gateway", "--url", gw.wsUrl, "/usr/bin/uptime"], TOKEN);
      assert.equal(add.code, 0, add.stderr);
      const onDisk = JSON.parse(fs.readFileSync(path.join(gw.stateDir, "exec-approvals.json"), "utf8"));
      assert.equal(onDisk.agents["*"].allowlist[0].pattern, "/usr/bin/uptime");
      const r = await refCli(["approvals", "get", "--gateway", "--url", gw.wsUrl, "--json"], TOKEN);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /\/usr\/bin\/uptime/);
    } finally {
      await gw.close();
    }
  });
});
