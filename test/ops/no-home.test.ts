/**
 * A user id with no passwd entry and no `HOME` (how containers are often run) has no home folder at
 * all. Every command still runs and the gateway still starts: what would live under a home folder (the
 * code cache's fallback, the legacy `~/.openclaw/exec-approvals.json`) is skipped, and a `~` path in
 * config or an allowlist says what is missing or matches nothing, instead of the process dying.
 */
import { describe, it, mock } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { matchAllowlist, resolveExecutable } from "../../src/exec/allowlist.js";
import { ExecApprovalsStore } from "../../src/exec/approvals-file.js";
import { expandHome, findHome, resolveStateDir } from "../../src/infra/paths.js";
import { resolvePath } from "../../src/tools/fs/files.js";
import { ENTRY, killOnExit, tmpDir, waitFor } from "../helpers/gateway.js";

const T = { timeout: 60_000 };
/** A user id no passwd file lists. */
const NOBODY_KNOWN = 54321;

/** Runs `fn` as if this process had no home folder: no `HOME`, and the OS knows none either. */
function withoutHome<T>(fn: () => T): T {
  const homedir = mock.method(os, "homedir", () => {
    throw Object.assign(new Error("A system error occurred: uv_os_homedir returned ENOENT"), { code: "ERR_SYSTEM_ERROR" });
  });
  const home = process.env.HOME;
  delete process.env.HOME;
  try {
    return fn();
  } finally {
    if (home !== undefined) process.env.HOME = home;
    homedir.mock.restore();
  }
}

describe("no home folder", () => {
  it("findHome is undefined and expanding ~ says what to do", T, () => {
    withoutHome(() => {
      assert.equal(findHome({}), undefined);
      assert.equal(findHome({ HOME: "/home/me" }), "/home/me");
      assert.equal(expandHome("/srv/x", {}), "/srv/x");
      assert.throws(() => expandHome("~/notes", {}), /~\/notes cannot be expanded: this user has no home folder; set HOME/);
      assert.throws(() => resolvePath("~/notes.md", "/srv/workspace"), /no home folder/);
      assert.throws(() => resolveStateDir({}), /no home folder for the default ~\/\.openclaw; set OPENCLAW_STATE_DIR \(or HOME\)/);
      assert.equal(resolveStateDir({ OPENCLAW_STATE_DIR: "/data" }), "/data");
      assert.equal(resolvePath("notes.md", "/srv/workspace"), "/srv/workspace/notes.md");
    });
  });

  it("exec approvals read the state directory's file alone; a ~ allowlist entry matches nothing", T, () => {
    const dir = tmpDir();
    try {
      fs.writeFileSync(path.join(dir, "exec-approvals.json"), JSON.stringify({ version: 1, agents: {} }));
      withoutHome(() => {
        const store = new ExecApprovalsStore(dir, {});
        assert.equal(store.snapshot().path, path.join(dir, "exec-approvals.json"));
        const env = { PATH: `~/bin${path.delimiter}/usr/bin${path.delimiter}/bin` };
        assert.equal(resolveExecutable("~/bin/tool", dir, env), undefined);
        assert.match(resolveExecutable("sh", dir, env) ?? "", /\/bin\/sh$/);
        assert.equal(matchAllowlist([{ pattern: "~/bin/*" }], "/root/bin/tool", env), undefined);
        assert.deepEqual(matchAllowlist([{ pattern: "/usr/bin/*" }], "/usr/bin/git", env), { pattern: "/usr/bin/*" });
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it(
    "the built gateway runs for a user id without a passwd entry and without HOME",
    { ...T, skip: process.getuid?.() !== 0 && "needs root to run as another user id" },
    async (t) => {
      const asNobody = { uid: NOBODY_KNOWN, gid: NOBODY_KNOWN };
      const readable = spawnSync(
        process.execPath,
        ["-e", `require("fs").accessSync(${JSON.stringify(ENTRY)}, require("fs").constants.R_OK)`],
        asNobody,
      );
      if (readable.status !== 0) return t.skip(`${ENTRY} cannot be read by another user (the checkout sits in a private folder)`);
      // Not the test run's temp dir: that is private to this user.
      const state = fs.mkdtempSync(path.join(fs.realpathSync("/tmp"), "oc-no-home-"));
      fs.chmodSync(state, 0o777);
      const run = (args: string[]) => {
        const proc = killOnExit(
          spawn(process.execPath, [ENTRY, ...args], {
            ...asNobody,
            env: { PATH: process.env.PATH ?? "", OPENCLAW_STATE_DIR: state },
            stdio: ["ignore", "pipe", "pipe"],
          }),
        );
        const out = { text: "" };
        proc.stdout!.on("data", (d) => (out.text += d));
        proc.stderr!.on("data", (d) => (out.text += d));
        const exit = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
        return { proc, out, exit };
      };
      try {
        const version = run(["--version"]);
        assert.equal(await version.exit, 0, version.out.text);
        assert.match(version.out.text, /^\d{4}\.\d+\.\d+/);

        const gw = run(["gateway", "--allow-unconfigured", "--port", "0"]);
        let code: number | null | undefined;
        void gw.exit.then((c) => (code = c));
        await waitFor(
          () => {
            if (code !== undefined) throw new Error(`the gateway exited (${code}):\n${gw.out.text}`);
            return /listening on ws:\/\//.test(gw.out.text);
          },
          20_000,
          "the gateway to listen",
        );
        assert.doesNotMatch(gw.out.text, /homedir|home folder/i);
        gw.proc.kill("SIGTERM");
        await gw.exit;
      } finally {
        fs.rmSync(state, { recursive: true, force: true });
      }
    },
  );
});
