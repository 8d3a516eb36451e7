import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { decide, effectivePolicy, evaluateAllowlist, fallbackDecision, resolveExecutable } from "../../src/exec/allowlist.js";
import { tmpDir } from "../helpers/gateway.js";

const T = { timeout: 5_000 };

/** A bin directory with executables a, b and the default safe bins. */
function bins() {
  const dir = tmpDir("oc-bins-");
  for (const n of ["a", "b", "jq", "grep", "sort"]) {
    fs.writeFileSync(path.join(dir, n), "#!/bin/sh\n", { mode: 0o755 });
  }
  const cwd = tmpDir("oc-cwd-");
  fs.writeFileSync(path.join(cwd, "secret.txt"), "x");
  return { dir, cwd, env: { PATH: dir, HOME: cwd } };
}

function check(command: string, allowed: string[] = ["a"]) {
  const b = bins();
  const ev = evaluateAllowlist({ command, allowlist: allowed.map((n) => ({ pattern: path.join(b.dir, n) })), cwd: b.cwd, env: b.env });
  return { ev, decision: decide({ security: "allowlist", ask: "on-miss" }, ev), off: decide({ security: "allowlist", ask: "off" }, ev) };
}

describe("allowlist", () => {
  it("allows an allowlisted binary and a safe bin used as a filter", T, () => {
    assert.deepEqual(check("a --flag value").decision, { kind: "allow" });
    assert.deepEqual(check("a | jq .name | sort -r").decision, { kind: "allow" });
    assert.deepEqual(check('echo "x" ; a', ["a", "echo"]).off.kind, "deny", "echo is not found on this PATH");
  });

  it("never lets a second command ride along", T, () => {
    for (const c of [
      "a; b",
      "a && b",
      "a || b",
      "a | b",
      "a & b",
      "a\nb",
      "a $(b)",
      "a `b`",
      'a "$(b)"',
      "a <(b)",
      "a > file",
      "a 2>&1",
      "(a)",
      "{ a; }",
      "LD_PRELOAD=/x.so a",
    ]) {
      const r = check(c);
      assert.equal(r.ev.satisfied, false, c);
      assert.equal(r.decision.kind, "ask", c);
      assert.deepEqual(r.off, { kind: "deny", reason: "allowlist-miss" }, c);
    }
  });

  it("treats quoted metacharacters as plain arguments", T, () => {
    assert.deepEqual(check('a "x;b" \'y && b\' "z|b"').decision, { kind: "allow" });
  });

  it("refuses safe bins reading files or given dynamic arguments", T, () => {
    assert.equal(check("jq . secret.txt", []).ev.satisfied, false);
    assert.equal(check("grep x /etc/passwd", []).ev.satisfied, false);
    assert.equal(check("sort -o out", []).ev.satisfied, false);
    assert.equal(check("grep $X", []).ev.satisfied, false);
    assert.equal(check("grep -i needle", []).ev.satisfied, true);
  });

  it("ignores name-only patterns and matches globs case-insensitively", T, () => {
    const b = bins();
    const ev = (pattern: string) => evaluateAllowlist({ command: "a", allowlist: [{ pattern }], cwd: b.cwd, env: b.env }).satisfied;
    assert.equal(ev("a"), false);
    assert.equal(ev(`${b.dir.toUpperCase()}/*`), true);
    assert.equal(ev(`${path.dirname(b.dir)}/**/a`), true);
    assert.equal(ev(`${path.dirname(b.dir)}/*`), false);
  });

  it("resolves through pathPrepend first", T, () => {
    const b = bins();
    const other = tmpDir("oc-pre-");
    fs.writeFileSync(path.join(other, "a"), "#!/bin/sh\n", { mode: 0o755 });
    assert.equal(resolveExecutable("a", b.cwd, b.env, [other]), path.join(other, "a"));
    assert.equal(resolveExecutable("nope", b.cwd, b.env), undefined);
  });

  it("unanalysable input asks under on-miss and is denied with ask off", T, () => {
    const r = check("if a; then a; fi");
    assert.equal(r.ev.analysisOk, false);
    assert.equal(r.decision.kind, "ask");
    assert.equal(r.off.kind, "deny");
  });

  it("takes the strictest security and the highest ask of tool and file", T, () => {
    const file = {
      version: 1 as const,
      defaults: { security: "full", ask: "off" },
      agents: { "*": { ask: "always", allowlist: [{ pattern: "/x/*" }] }, main: { security: "allowlist", askFallback: "allowlist" } },
    };
    const p = effectivePolicy(file, "main", { security: "full", ask: "off" });
    assert.equal(p.security, "allowlist");
    assert.equal(p.ask, "always");
    assert.equal(p.askFallback, "allowlist");
    assert.deepEqual(p.allowlist, [{ pattern: "/x/*" }]);
    assert.equal(effectivePolicy({ version: 1 }, "main", { security: "allowlist", ask: "on-miss" }).askFallback, "deny");
    assert.deepEqual(decide({ security: "deny", ask: "off" }, check("a").ev), { kind: "deny", reason: "security=deny" });
    assert.equal(decide({ security: "full", ask: "always" }, check("a; b").ev).kind, "ask");
    assert.deepEqual(fallbackDecision("deny", check("a").ev), { allow: false, reason: "approval-timeout" });
    assert.deepEqual(fallbackDecision("allowlist", check("a; b").ev), { allow: false, reason: "approval-timeout (allowlist-miss)" });
    assert.deepEqual(fallbackDecision("full", check("a; b").ev), { allow: true });
  });
});
