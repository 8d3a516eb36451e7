/**
 * `openclaw approvals get|set|allowlist|resolve` against a running gateway: what the user sees, and the
 * approvals file in the gateway's state directory after each change.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ENTRY, ROOT, cli, connect, startTestGateway, tmpDir, type TestGateway } from "../helpers/gateway.js";

const TOKEN = "cli-approvals-token-4f8a21";
const timeout = 30_000;

describe("openclaw approvals", { timeout: 180_000 }, () => {
  let gw: TestGateway;
  let env: Record<string, string>;
  let work: string;
  let filePath: string;
  const onDisk = () => JSON.parse(fs.readFileSync(filePath, "utf8"));

  before(async () => {
    gw = await startTestGateway({ token: TOKEN, config: { gateway: { mode: "local" } } });
    filePath = path.join(gw.stateDir, "exec-approvals.json");
    work = tmpDir("oc-approvals-cli-");
    env = { HOME: work, OPENCLAW_STATE_DIR: work, OPENCLAW_GATEWAY_TOKEN: TOKEN, OPENCLAW_GATEWAY_PORT: String(gw.port) };
  });
  after(async () => {
    await gw.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("get shows the gateway's (still missing) file, as a table and as the method's answer", { timeout }, async () => {
    const text = await cli(["approvals", "get"], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Approvals \(gateway\)$/m);
    assert.match(text.stdout, new RegExp(`^Path +${filePath.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`, "m"));
    assert.match(text.stdout, /^Exists +no$/m);
    assert.match(text.stdout, /^No allowlist entries\.$/m);

    const json = await cli(["approvals", "get", "--gateway", "--json"], env);
    assert.equal(json.code, 0, json.stderr);
    const snap = JSON.parse(json.stdout);
    assert.deepEqual(Object.keys(snap).sort(), ["exists", "file", "hash", "path"]);
    assert.equal(snap.path, filePath);
    assert.equal(snap.exists, false);

    const node = await cli(["approvals", "get", "--node", "mac-mini"], env);
    assert.equal(node.code, 1);
    assert.match(node.stderr, /^error: nodes are not supported by this gateway/);
  });

  it("set uploads a file; a malformed or invalid file is refused and changes nothing", { timeout }, async () => {
    const upload = path.join(work, "approvals.json");
    fs.writeFileSync(
      upload,
      JSON.stringify({
        version: 1,
        defaults: { security: "allowlist", ask: "on-miss" },
        agents: { main: { allowlist: [{ pattern: "/usr/bin/uptime", lastUsedAt: Date.now() - 120_000, lastUsedCommand: "uptime -p" }] } },
      }),
    );
    const set = await cli(["approvals", "set", "--file", upload], env);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, new RegExp(`^Saved ${upload.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} to `));
    assert.match(set.stdout, /^Defaults +security=allowlist, ask=on-miss$/m);
    assert.match(set.stdout, /^Agent +Pattern +Last Used +Last Command$/m);
    assert.match(set.stdout, /^main +\/usr\/bin\/uptime +2m ago +uptime -p$/m);
    assert.equal(onDisk().agents.main.allowlist[0].pattern, "/usr/bin/uptime");
    const before = fs.readFileSync(filePath, "utf8");

    fs.writeFileSync(upload, "{ version: 1, agents: ");
    const malformed = await cli(["approvals", "set", "--file", upload], env);
    assert.equal(malformed.code, 1);
    assert.match(malformed.stderr, /^error: .*approvals\.json is not valid JSON: .*; nothing was changed$/m);

    fs.writeFileSync(upload, JSON.stringify({ version: 1, agents: { main: { allowlist: "/usr/bin/uptime" } } }));
    const invalid = await cli(["approvals", "set", "--file", upload], env);
    assert.equal(invalid.code, 1);
    assert.match(
      invalid.stderr,
      /^error: the gateway refused .*approvals\.json, nothing was changed: INVALID_REQUEST: invalid exec\.approvals\.set params/,
    );
    assert.match(invalid.stderr, /allowlist/, "the message names what is wrong");

    const missing = await cli(["approvals", "set", "--file", path.join(work, "nope.json")], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read .*nope\.json: no such file/);
    const noFile = await cli(["approvals", "set"], env);
    assert.equal(noFile.code, 1);
    assert.match(noFile.stderr, /--file <path> required/);
    assert.equal(fs.readFileSync(filePath, "utf8"), before, "the file is unchanged");
  });

  it("set --file - reads stdin", { timeout }, async () => {
    const proc = spawn(process.execPath, [ENTRY, "approvals", "set", "--file", "-", "--json"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d) => (stdout += d));
    proc.stderr.on("data", (d) => (stderr += d));
    const current = onDisk();
    proc.stdin.end(JSON.stringify({ ...current, defaults: { security: "allowlist", ask: "always" } }));
    const code = await new Promise<number | null>((resolve) => proc.on("exit", (c) => resolve(c)));
    assert.equal(code, 0, stderr);
    assert.equal(JSON.parse(stdout).file.defaults.ask, "always");
    assert.equal(onDisk().defaults.ask, "always");
  });

  it("allowlist add then remove edits the file; repeating either says so and exits 0", { timeout }, async () => {
    const add = await cli(["approvals", "allowlist", "add", "/usr/bin/uname"], env);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /^Added \/usr\/bin\/uname for all agents \(\*\)$/m);
    assert.match(add.stdout, /^\* +\/usr\/bin\/uname +0s ago$/m);
    assert.deepEqual(
      onDisk().agents["*"].allowlist.map((e: any) => e.pattern),
      ["/usr/bin/uname"],
    );

    const again = await cli(["approvals", "allowlist", "add", "--agent", "*", "/usr/bin/uname"], env);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, "Already allowlisted for all agents (*): /usr/bin/uname\n");

    const forMain = await cli(["approvals", "allowlist", "add", "--agent", "main", "--gateway", "--json", "/bin/ls"], env);
    assert.equal(forMain.code, 0, forMain.stderr);
    assert.deepEqual(
      JSON.parse(forMain.stdout).file.agents.main.allowlist.map((e: any) => e.pattern),
      ["/usr/bin/uptime", "/bin/ls"],
    );

    const remove = await cli(["approvals", "allowlist", "remove", "/usr/bin/uname"], env);
    assert.equal(remove.code, 0, remove.stderr);
    assert.match(remove.stdout, /^Removed \/usr\/bin\/uname for all agents \(\*\)$/m);
    assert.equal(onDisk().agents["*"], undefined, "an agent left with nothing is dropped");
    assert.deepEqual(
      onDisk().agents.main.allowlist.map((e: any) => e.pattern),
      ["/usr/bin/uptime", "/bin/ls"],
    );

    const gone = await cli(["approvals", "allowlist", "remove", "/usr/bin/uname"], env);
    assert.equal(gone.code, 0, gone.stderr);
    assert.equal(gone.stdout, "Pattern not found for all agents (*): /usr/bin/uname (nothing to remove)\n");

    const blank = await cli(["approvals", "allowlist", "add", "  "], env);
    assert.equal(blank.code, 1);
    assert.match(blank.stderr, /pattern required/);
  });

  it("resolve decides a waiting command; an unknown id or a bad decision is a clear error", { timeout }, async () => {
    let onRequested: (id: string) => void = () => {};
    const requested = new Promise<string>((resolve) => (onRequested = resolve));
    // An operator connected before the request is made hears of it.
    const listener = await connect(gw.wsUrl, {
      token: TOKEN,
      onEvent: (event, payload) => {
        if (event === "exec.approval.requested") onRequested((payload as { id: string }).id);
      },
    });
    const asker = await connect(gw.wsUrl, { token: TOKEN });
    try {
      const answer = asker.request<{ decision: string | null }>("exec.approval.request", { command: "uptime", timeoutMs: 20_000 });
      const requestedId = await requested;

      const bad = await cli(["approvals", "resolve", requestedId, "maybe"], env);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /^error: decision must be one of allow-once, allow-always, deny \(got "maybe"\)$/m);

      const ok = await cli(["approvals", "resolve", requestedId, "allow-once"], env);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stdout, `Resolved ${requestedId}: allow-once\n`);
      assert.equal((await answer).decision, "allow-once");

      const unknown = await cli(["approvals", "resolve", "no-such-approval", "deny"], env);
      assert.equal(unknown.code, 1);
      assert.match(
        unknown.stderr,
        /^error: no command is waiting for approval with id no-such-approval: it may have been decided already or timed out/,
      );
    } finally {
      asker.close();
      listener.close();
    }
  });
});
