import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { analyzeShell } from "../../src/exec/shell.js";

const T = { timeout: 5_000 };
const argvs = (c: string) => analyzeShell(c).segments.map((s) => s.argv);

describe("shell analysis", () => {
  it("removes quotes and keeps quoted operators inside one word", T, () => {
    assert.deepEqual(argvs(`echo "a;b" 'c && d' e\\|f`), [["echo", "a;b", "c && d", "e|f"]]);
    assert.deepEqual(argvs(`grep -e 'x|y' file`), [["grep", "-e", "x|y", "file"]]);
  });

  it("splits lists and pipelines and records each operator", T, () => {
    const r = analyzeShell("a; b && c || d | e & f\ng");
    assert.equal(r.ok, true);
    assert.deepEqual(
      r.segments.map((s) => [s.argv[0], s.next]),
      [
        ["a", ";"],
        ["b", "&&"],
        ["c", "||"],
        ["d", "|"],
        ["e", "&"],
        ["f", "\n"],
        ["g", null],
      ],
    );
  });

  it("flags command and process substitution, including the commands inside", T, () => {
    for (const c of ["echo $(rm x)", "echo `rm x`", 'echo "$(rm x)"', "cat <(rm x)", "X=$(rm x) ls"]) {
      const r = analyzeShell(c);
      assert.equal(r.ok, true, c);
      assert.ok(
        r.segments.some((s) => s.commandSubstitution),
        c,
      );
      assert.ok(
        r.segments.some((s) => s.substituted && s.argv[0] === "rm"),
        c,
      );
    }
  });

  it("flags redirections, here-documents included, and skips their bodies", T, () => {
    const r = analyzeShell("cat <<EOF > out\nrm -rf /; echo\nEOF\nls 2>&1");
    assert.equal(r.ok, true);
    assert.deepEqual(r.segments[0]!.redirections, ["<<EOF", "> out"]);
    assert.deepEqual(r.segments[1]!.argv, ["ls"]);
    assert.deepEqual(r.segments[1]!.redirections, ["2>&1"]);
  });

  it("marks subshells and groups, and reads assignment prefixes", T, () => {
    const r = analyzeShell("( a; b ) && { c; }");
    assert.equal(r.ok, true);
    assert.ok(r.segments.filter((s) => s.argv.length).every((s) => s.subshell));
    const a = analyzeShell("FOO=1 BAR='x y' jq .").segments[0]!;
    assert.deepEqual(a.assignments, [
      { name: "FOO", value: "1" },
      { name: "BAR", value: "x y" },
    ]);
    assert.deepEqual(a.argv, ["jq", "."]);
  });

  it("marks expansions as not literal", T, () => {
    const s = analyzeShell("ls $HOME ${X} *.txt ~/y plain").segments[0]!;
    assert.deepEqual(s.literal, [true, false, false, false, false, true]);
  });

  it("says what it cannot analyse instead of guessing", T, () => {
    for (const c of [
      "if true; then ls; fi",
      "for x in a; do rm $x; done",
      "echo 'open",
      'echo "open',
      "a &&",
      "a;;b",
      "| a",
      "echo $((1+2))",
      "f() { rm x; }",
      "cat <<EOF\nno end",
      "(a",
      "",
    ]) {
      const r = analyzeShell(c);
      assert.equal(r.ok, false, JSON.stringify(c));
      assert.ok(r.ok === false && r.reason.length > 0);
    }
  });
});
