/**
 * The command line as a newcomer meets it: a broken or split config file, `openclaw` on the PATH after
 * the quick start, failovers in `status`, a gateway that is not running, a failing probe, and output
 * piped into `head`.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { chatClient, startAgentGateway, startFakes, type Fakes } from "../helpers/agents.js";
import { ENTRY, ROOT, cli, connect, runCli, spawnGateway, startTestGateway, tmpDir, waitFor } from "../helpers/gateway.js";
import { FakeTelegram } from "../fakes/telegram.js";

const TIMEOUT = { timeout: 30_000 };

/** A port on 127.0.0.1 that nothing listens on: bound, read and closed again. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

describe("output closed early", () => {
  for (const args of [
    ["config", "schema"],
    ["config", "get", "--json"],
  ]) {
    it(`openclaw ${args.join(" ")} exits quietly when its reader goes away`, TIMEOUT, async () => {
      const dir = tmpDir();
      try {
        const r = runCli(args, { HOME: dir, OPENCLAW_STATE_DIR: dir });
        r.proc.stdout!.destroy(); // like `| head` exiting before the command writes
        const { code, signal } = await r.exit;
        assert.equal(r.out.stderr, "", "no stack trace");
        assert.equal(signal, null);
        assert.equal(code, 0);
      } finally {
        removeDir(dir);
      }
    });
  }

  it("a running gateway keeps serving when its console goes away", TIMEOUT, async () => {
    const dir = tmpDir();
    const gw = await spawnGateway(["--allow-unconfigured", "--port", "0"], { HOME: dir, OPENCLAW_STATE_DIR: dir });
    try {
      gw.proc.stdout!.destroy();
      // Each client that connects is announced on the console, now a closed pipe.
      for (let i = 0; i < 2; i++) {
        const client = await connect(`ws://127.0.0.1:${gw.port}`);
        assert.equal((await client.request<{ ok: boolean }>("health")).ok, true);
        client.close();
      }
      const logs = path.join(dir, "logs");
      const announced = () =>
        fs.readdirSync(logs).flatMap((f) => fs.readFileSync(path.join(logs, f), "utf8").match(/client connected/g) ?? []).length;
      await waitFor(() => announced() === 2, 5000, "both connections in the log file");
      assert.equal((await fetch(`http://127.0.0.1:${gw.port}/healthz`)).status, 200);
      assert.equal(gw.proc.exitCode, null, "still running");
      assert.doesNotMatch(gw.stderr, /EPIPE/);
    } finally {
      gw.proc.kill("SIGTERM");
      await gw.exit;
      removeDir(dir);
    }
  });
});
