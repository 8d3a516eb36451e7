/**
 * The original openclaw@2026.1.29 TUI (`openclaw tui --url ... --token ...`) against this gateway, in
 * a terminal that tmux provides (a server on a socket of this test's own): a person types a message
 * and reads the reply on screen.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { tmpDir, writeConfig } from "../helpers/gateway.js";
import {
  REF_BIN,
  REF_NODE,
  REF_TMP,
  TMUX,
  TOKEN,
  replyTo,
  startConformanceGateway,
  tuiSkip,
  type ConformanceGateway,
} from "./reference.js";

const run = promisify(execFile);
const skip = tuiSkip;
const timeout = 120_000;

describe("original TUI against this gateway", () => {
  let c: ConformanceGateway;
  let home: string;
  let socket: string;
  const tmux = (...args: string[]) => run(TMUX, ["-S", socket, ...args], { timeout: 10_000 });
  /** The screen and what scrolled off it. */
  const screen = async () => (await tmux("capture-pane", "-p", "-J", "-S", "-500", "-t", "tui")).stdout;

  /** Polls the screen until `re` matches it; on timeout fails with the screen as it was. */
  async function waitForScreen(re: RegExp, what: string, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    for (;;) {
      last = await screen().catch((e: Error) => `(capture-pane failed: ${e.message})`);
      if (re.test(last)) return last;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the screen:\n${last}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  before(
    async () => {
      if (skip) return;
      c = await startConformanceGateway();
      home = tmpDir("oc-conf-tui-");
      socket = path.join(home, "tmux.sock");
      writeConfig(home, { plugins: { enabled: false }, logging: { file: path.join(home, "openclaw.log") } });
      fs.mkdirSync(REF_TMP, { recursive: true });
      await tmux(
        "new-session",
        "-d",
        "-x",
        "120",
        "-y",
        "40",
        "-s",
        "tui",
        "env",
        "-i",
        `PATH=${process.env.PATH ?? "/usr/bin:/bin"}`,
        `HOME=${home}`,
        `OPENCLAW_STATE_DIR=${home}`,
        `TMPDIR=${REF_TMP}`,
        "TERM=xterm-256color",
        "OPENCLAW_NO_RESPAWN=1",
        REF_NODE,
        REF_BIN,
        "tui",
        "--url",
        c.gw.wsUrl,
        "--token",
        TOKEN,
      );
    },
    { timeout },
  );
  after(
    async () => {
      if (socket) await tmux("kill-server").catch(() => undefined);
      await c?.close();
    },
    { timeout },
  );

  it("connects, sends a message and shows the reply with the session's model and context", { skip, timeout }, async () => {
    await waitForScreen(/gateway connected|connected \| idle/, "the TUI to connect");
    assert.match(await screen(), new RegExp(`openclaw tui - ${c.gw.wsUrl.replace(/[.]/g, "\\.")} - agent main - session main`));
    await tmux("send-keys", "-t", "tui", "-l", "hello from the terminal");
    await tmux("send-keys", "-t", "tui", "Enter");
    const shown = await waitForScreen(new RegExp(replyTo("hello from the terminal").replace(/[.]/g, "\\.")), "the reply");
    assert.match(shown, /hello from the terminal/);
    // The footer: agent, session, model, and tokens used of the model's 100k context window.
    const screenNow = await waitForScreen(/agent main \| session main.*\| fake\/fake-model \| tokens/, "the footer");
    const footer = screenNow
      .split("\n")
      .find((l) => /agent main \| session main/.test(l))!
      .trim();
    assert.match(
      footer,
      /\| fake\/fake-model \| tokens [\d.]+k?\/100k \(\d{1,2}%\)/,
      `the footer shows "${footer}", not tokens of the 100k context window (sessions.list sessions[].contextTokens / defaults.contextTokens)`,
    );
    const status =
      screenNow
        .split("\n")
        .find((l) => /\| idle|connected|disconnected/.test(l) && !/agent main/.test(l))
        ?.trim() ?? "";
    assert.doesNotMatch(status, /disconnected|error/i, `the status line: ${status}`);
  });
});
