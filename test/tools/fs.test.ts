import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ToolRegistry, BUILTIN_TOOLS, type ToolContext } from "../../src/tools/registry.js";
import { applyPatchAllowed, applyPatchTool } from "../../src/tools/fs/apply-patch.js";
import { MAX_FILE_BYTES } from "../../src/tools/fs/files.js";
import { tmpDir } from "../helpers/gateway.js";
import { chatClient, startAgentGateway, startFakes } from "../helpers/agents.js";
import type { OpenClawConfig } from "../../src/config/schema.js";

const T = { timeout: 10_000 };

function setup() {
  const ws = tmpDir("oc-fs-");
  const tools = new ToolRegistry().register(...BUILTIN_TOOLS, applyPatchTool);
  const ctx: ToolContext = {
    sessionKey: "agent:main:main",
    agentId: "main",
    workspaceDir: ws,
    signal: new AbortController().signal,
    now: Date.now,
  };
  const call = (name: string, args: unknown) => tools.call(name, args, ctx);
  const file = (p: string) => path.join(ws, p);
  const text = (p: string) => fs.readFileSync(file(p), "utf8");
  return { ws, tools, call, file, text };
}

describe("read", () => {
  it("reads a workspace file, also under Claude Code's file_path", T, async () => {
    const t = setup();
    fs.writeFileSync(t.file("a.txt"), "one\ntwo\n");
    assert.deepEqual(await t.call("read", { path: "a.txt" }), { text: "one\ntwo\n" });
    assert.equal((await t.call("read", { file_path: t.file("a.txt") })).text, "one\ntwo\n", "absolute paths work too");
    const missing = await t.call("read", {});
    assert.equal(missing.isError, true);
    assert.match(missing.text, /path.*required \(path or file_path\)/);
  });

  it("starts at a 1-indexed offset, stops at limit and says how to go on", T, async () => {
    const t = setup();
    fs.writeFileSync(t.file("n.txt"), ["l1", "l2", "l3", "l4", "l5"].join("\n"));
    const out = await t.call("read", { path: "n.txt", offset: 2, limit: 2 });
    assert.equal(out.text, "l2\nl3\n\n[2 more lines in the file. Continue with offset=4.]");
    assert.equal((await t.call("read", { path: "n.txt", offset: 4 })).text, "l4\nl5");
    const past = await t.call("read", { path: "n.txt", offset: 9 });
    assert.equal(past.isError, true);
    assert.match(past.text, /Offset 9 is past the end of n\.txt, which has 5 lines/);
  });

  it("truncates at 2000 lines or 50 KB and names the offset to continue from", T, async () => {
    const t = setup();
    fs.writeFileSync(t.file("long.txt"), Array.from({ length: 2500 }, (_, i) => `line ${i + 1}`).join("\n"));
    const byLines = await t.call("read", { path: "long.txt" });
    assert.ok(byLines.text.startsWith("line 1\n"));
    assert.match(
      byLines.text,
      /line 2000\n\n\[Lines 1-2000 of 2500 shown \(one read returns at most 2000 lines\)\. Continue with offset=2001\.\]$/,
    );
    assert.equal((await t.call("read", { path: "long.txt", offset: 2001 })).text.split("\n").length, 500);

    fs.writeFileSync(t.file("wide.txt"), Array.from({ length: 100 }, () => "x".repeat(1023)).join("\n"));
    const byBytes = await t.call("read", { path: "wide.txt" });
    assert.match(byBytes.text, /\[Lines 1-50 of 100 shown \(one read returns at most 50 KB\)\. Continue with offset=51\.\]$/);

    fs.writeFileSync(t.file("one-line.txt"), "y".repeat(60 * 1024));
    const huge = await t.call("read", { path: "one-line.txt" });
    assert.equal(huge.isError, true);
    assert.match(huge.text, /Line 1 of one-line\.txt is 60 KB, more than the 50 KB/);
  });

  it("says an image is an image rather than returning its bytes", T, async () => {
    const t = setup();
    fs.writeFileSync(t.file("pic.dat"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    const out = await t.call("read", { path: "pic.dat" });
    assert.match(out.text, /^pic\.dat is an image \[image\/png, 12 B\]/);
    assert.equal(out.isError, undefined);
  });

  it("refuses a missing file, a directory and a file over the size limit with a clear error", T, async () => {
    const t = setup();
    assert.match((await t.call("read", { path: "nope.txt" })).text, /Could not read nope\.txt: it does not exist/);
    fs.mkdirSync(t.file("dir"));
    assert.match((await t.call("read", { path: "dir" })).text, /Could not read dir: it is a directory/);
    const big = t.file("big.bin");
    fs.writeFileSync(big, "");
    fs.truncateSync(big, MAX_FILE_BYTES + 1);
    const out = await t.call("read", { path: "big.bin" });
    assert.equal(out.isError, true);
    assert.match(out.text, /Could not read big\.bin: it is 10 MB; the file tools handle files up to 10 MB/);
  });

  it("reads what a file gives rather than the size it reports, and stops at the bound", T, async (ctx) => {
    if (!fs.existsSync("/proc/self/status") || !fs.existsSync("/dev/zero")) return ctx.skip("needs Linux's /proc and /dev/zero");
    const t = setup();
    // Reported as 0 bytes, read whole.
    const status = await t.call("read", { path: "/proc/self/status" });
    assert.equal(status.isError, undefined);
    assert.match(status.text, /^Name:/m);
    // Reported as 0 bytes and endless: refused once reading passes 10 MB, not read until memory runs out.
    const zero = await t.call("read", { path: "/dev/zero" });
    assert.equal(zero.isError, true);
    assert.match(zero.text, /Could not read \/dev\/zero: it is over 10 MB; the file tools handle files up to 10 MB/);
  });
});

describe("write", () => {
  it("creates parent directories, overwrites, and leaves no temp file", T, async () => {
    const t = setup();
    assert.deepEqual(await t.call("write", { path: "deep/er/x.md", content: "héllo" }), { text: "Wrote 6 bytes to deep/er/x.md." });
    assert.equal(t.text("deep/er/x.md"), "héllo");
    await t.call("write", { file_path: "deep/er/x.md", content: "second" });
    assert.equal(t.text("deep/er/x.md"), "second");
    assert.deepEqual(fs.readdirSync(t.file("deep/er")), ["x.md"]);
  });

  it("keeps an existing file's mode", T, async () => {
    const t = setup();
    fs.writeFileSync(t.file("run.sh"), "#!/bin/sh\n", { mode: 0o755 });
    fs.chmodSync(t.file("run.sh"), 0o755);
    await t.call("write", { path: "run.sh", content: "#!/bin/sh\necho hi\n" });
    assert.equal(fs.statSync(t.file("run.sh")).mode & 0o777, 0o755);
  });

  it("a failed write is an error result and changes nothing", T, async () => {
    const t = setup();
    fs.writeFileSync(t.file("blocker"), "a file, not a directory");
    const out = await t.call("write", { path: "blocker/inside.txt", content: "x" });
    assert.equal(out.isError, true);
    assert.match(out.text, /Could not write blocker\/inside\.txt: /);
    const tooBig = await t.call("write", { path: "big.txt", content: "z".repeat(MAX_FILE_BYTES + 1) });
    assert.match(tooBig.text, /Could not write big\.txt: it is 10 MB; the file tools handle files up to 10 MB/);
    assert.ok(!fs.existsSync(t.file("big.txt")));
    if (process.getuid?.() !== 0) {
      fs.mkdirSync(t.file("ro"));
      fs.writeFileSync(t.file("ro/keep.txt"), "old");
      fs.chmodSync(t.file("ro"), 0o500);
      try {
        const denied = await t.call("write", { path: "ro/keep.txt", content: "new" });
        assert.match(denied.text, /Could not write ro\/keep\.txt: permission denied/);
        assert.equal(t.text("ro/keep.txt"), "old");
      } finally {
        fs.chmodSync(t.file("ro"), 0o700);
      }
    }
  });
});

describe("edit", () => {
  it("replaces exact text, also under old_string/new_string, keeping CRLF line endings", T, async () => {
    const t = setup();
    fs.writeFileSync(t.file("e.txt"), "alpha\r\nbeta\r\ngamma\r\n");
    const out = await t.call("edit", { path: "e.txt", oldText: "beta\ngamma", newText: "BETA\ngamma" });
    assert.equal(out.text, "Replaced the text at line 2 of e.txt.");
    assert.equal(t.text("e.txt"), "alpha\r\nBETA\r\ngamma\r\n");
    await t.call("edit", { file_path: "e.txt", old_string: "alpha", new_string: "ALPHA" });
    assert.equal(t.text("e.txt"), "ALPHA\r\nBETA\r\ngamma\r\n");
  });

  it("refuses text that is missing or occurs more than once, changing nothing", T, async () => {
    const t = setup();
    fs.writeFileSync(t.file("d.txt"), "x = 1\ny = 1\n");
    const twice = await t.call("edit", { path: "d.txt", oldText: " = 1", newText: " = 2" });
    assert.equal(twice.isError, true);
    assert.match(twice.text, /occurs 2 times in d\.txt.*Include more of the surrounding lines/);
    const none = await t.call("edit", { path: "d.txt", oldText: "z = 1", newText: "z = 2" });
    assert.match(none.text, /oldText was not found in d\.txt\. It must match the file exactly/);
    assert.equal(t.text("d.txt"), "x = 1\ny = 1\n");
    const noArgs = await t.call("edit", { path: "d.txt" });
    assert.match(noArgs.text, /oldText: required \(oldText or old_string\); newText: required \(newText or new_string\)/);
  });
});

describe("apply_patch", () => {
  it("adds, updates with @@ hunks, moves and deletes files", T, async () => {
    const t = setup();
    fs.writeFileSync(
      t.file("app.ts"),
      "import x from 'x';\n\nfunction start() {\n  const foo = 1;\n  return foo;\n}\n\nfunction stop() {\n  const foo = 1;\n}\n",
    );
    fs.writeFileSync(t.file("old.txt"), "bye\n");
    fs.writeFileSync(t.file("name.txt"), "a\nb\n");
    const input = [
      "*** Begin Patch",
      "*** Add File: notes/todo.md",
      "+first",
      "+second",
      "*** Update File: app.ts",
      "@@ function stop() {",
      "-  const foo = 1;",
      "+  const foo = 2;",
      "*** Update File: name.txt",
      "*** Move to: renamed/name.txt",
      "@@",
      " a",
      "-b",
      "+B",
      "*** End of File",
      "*** Delete File: old.txt",
      "*** End Patch",
    ].join("\n");
    const out = await t.call("apply_patch", { input });
    assert.equal(out.text, "Patch applied. Files changed:\nA notes/todo.md\nM app.ts\nM renamed/name.txt\nD old.txt");
    assert.equal(t.text("notes/todo.md"), "first\nsecond\n");
    assert.match(t.text("app.ts"), /function start\(\) \{\n  const foo = 1;[\s\S]*function stop\(\) \{\n  const foo = 2;\n\}\n$/);
    assert.equal(t.text("renamed/name.txt"), "a\nB\n");
    assert.ok(!fs.existsSync(t.file("name.txt")));
    assert.ok(!fs.existsSync(t.file("old.txt")));
  });

  it("a patch whose lines do not fit changes nothing and says why", T, async () => {
    const t = setup();
    fs.writeFileSync(t.file("keep.txt"), "one\ntwo\n");
    const input = [
      "*** Begin Patch",
      "*** Add File: new.txt",
      "+hello",
      "*** Update File: keep.txt",
      "@@",
      "-three",
      "+THREE",
      "*** End Patch",
    ].join("\n");
    const out = await t.call("apply_patch", { input });
    assert.equal(out.isError, true);
    assert.match(out.text, /Could not find these lines in keep\.txt:\nthree\n[\s\S]*Nothing was changed\.$/);
    assert.ok(!fs.existsSync(t.file("new.txt")), "the earlier Add did not happen");
    assert.equal(t.text("keep.txt"), "one\ntwo\n");
  });

  it("explains malformed patches", T, async () => {
    const t = setup();
    const cases: Array<[string, RegExp]> = [
      ["*** Update File: a\n*** End Patch", /must start with a line "\*\*\* Begin Patch"/],
      ["*** Begin Patch\n*** Add File: a\n+x", /must end with a line "\*\*\* End Patch"/],
      ["*** Begin Patch\n*** Frobnicate: a\n*** End Patch", /line 2 of the patch: "\*\*\* Frobnicate: a" is not a file header/],
      ["*** Begin Patch\n*** Update File: a\n*** End Patch", /The update of a has no changes/],
      ["*** Begin Patch\n*** Delete File: ghost.txt\n*** End Patch", /Could not delete ghost\.txt: it does not exist/],
    ];
    for (const [input, why] of cases) {
      const out = await t.call("apply_patch", { input });
      assert.equal(out.isError, true, input);
      assert.match(out.text, why);
    }
    assert.deepEqual(fs.readdirSync(t.ws), []);
  });

  it("accepts a patch wrapped in a heredoc and matches context loosely", T, async () => {
    const t = setup();
    fs.writeFileSync(t.file("q.txt"), "say \u201chi\u201d   \nend\n");
    const out = await t.call("apply_patch", {
      input: "<<'EOF'\n*** Begin Patch\n*** Update File: q.txt\n-say \"hi\"\n+say hello\n*** End Patch\nEOF",
    });
    assert.equal(out.isError, undefined, out.text);
    assert.equal(t.text("q.txt"), "say hello\nend\n");
  });

  it("is allowed only when enabled, for OpenAI models, and for listed models when allowModels is set", T, () => {
    const cfg = (applyPatch: unknown) => ({ tools: { exec: { applyPatch } } }) as OpenClawConfig;
    assert.equal(applyPatchAllowed({} as OpenClawConfig, "openai", "gpt-5.2"), false);
    assert.equal(applyPatchAllowed(cfg({ enabled: true }), "openai", "gpt-5.2"), true);
    assert.equal(applyPatchAllowed(cfg({ enabled: true }), "openai-codex", "gpt-5.2-codex"), true);
    assert.equal(applyPatchAllowed(cfg({ enabled: true }), "anthropic", "claude-opus-4-5"), false);
    const listed = cfg({ enabled: true, allowModels: ["openai/GPT-5.2"] });
    assert.equal(applyPatchAllowed(listed, "openai", "gpt-5.2"), true);
    assert.equal(applyPatchAllowed(listed, "openai", "gpt-4o"), false);
  });
});

describe("file tools in a running gateway", () => {
  it("the model writes a file into the workspace and reads it back", { timeout: 60_000 }, async () => {
    const f = await startFakes();
    const gw = await startAgentGateway(f);
    try {
      f.anthropic.enqueue(
        { toolCalls: [{ name: "write", arguments: { path: "notes/plan.md", content: "# Plan\n- ship it\n" } }] },
        { toolCalls: [{ name: "read", arguments: { file_path: "notes/plan.md" } }] },
        { text: "done" },
      );
      const c = await chatClient(gw);
      const out = await c.send("make a plan", "agent:main:fs-tools");
      assert.equal(out.text, "done");
      const offered = f.anthropic.requests[0]!.toolNames;
      for (const name of ["read", "write", "edit"]) assert.ok(offered.includes(name), `${name} is offered`);
      assert.ok(!offered.includes("apply_patch"), "apply_patch is not offered unless enabled");
      assert.equal(f.anthropic.requests[1]!.toolResults.at(-1)!.content, "Wrote 17 bytes to notes/plan.md.");
      assert.equal(f.anthropic.requests[2]!.toolResults.at(-1)!.content, "# Plan\n- ship it\n");
      assert.equal(fs.readFileSync(path.join(gw.stateDir, "workspace", "notes", "plan.md"), "utf8"), "# Plan\n- ship it\n");
      c.client.close();
    } finally {
      await gw.close();
      await f.close();
    }
  });
});
