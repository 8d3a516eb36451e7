/** Port, bind and auth resolution at start-up. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { StartupError } from "../../src/gateway/start.js";
import { connect, startTestGateway, tmpDir, writeConfig } from "../helpers/gateway.js";
import net from "node:net";

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe("start-up settings", () => {
  it("port precedence: --port > OPENCLAW_GATEWAY_PORT > gateway.port", async () => {
    const [a, b, c] = [await freePort(), await freePort(), await freePort()];
    const dir = tmpDir();
    writeConfig(dir, { gateway: { mode: "local", port: c } });
    let gw = await startTestGateway({ stateDir: dir, port: a, env: { OPENCLAW_GATEWAY_PORT: String(b) } });
    assert.equal(gw.port, a);
    await gw.close();
    gw = await startTestGateway({ stateDir: dir, port: undefined, env: { OPENCLAW_GATEWAY_PORT: String(b) } });
    assert.equal(gw.port, b);
    await gw.close();
    gw = await startTestGateway({ stateDir: dir, port: undefined });
    assert.equal(gw.port, c);
    await gw.close();
  });

  it("a bad OPENCLAW_GATEWAY_PORT is named, not ignored", async () => {
    await assert.rejects(startTestGateway({ port: undefined, env: { OPENCLAW_GATEWAY_PORT: "30OO" } }), (e: Error) => {
      assert.ok(e instanceof StartupError);
      assert.match(e.message, /OPENCLAW_GATEWAY_PORT: invalid port "30OO"/);
      return true;
    });
  });

  it("a token from config, env or flag is enforced; password mode accepts the password", async () => {
    const dir = tmpDir();
    writeConfig(dir, { gateway: { mode: "local", auth: { mode: "password", password: "pw-from-config" } } });
    const gw = await startTestGateway({ stateDir: dir });
    try {
      await assert.rejects(connect(gw.wsUrl, { password: "nope" }), /password mismatch/);
      const c = await connect(gw.wsUrl, { password: "pw-from-config" });
      assert.equal((await c.request<any>("status")).gateway.auth, "password");
      c.close();
    } finally {
      await gw.close();
    }
  });

  it("custom bind without customBindHost is refused with the key to set", async () => {
    await assert.rejects(startTestGateway({ bind: "custom" }), /gateway\.customBindHost is not set/);
  });

  it("the unimplemented-keys warning is one line naming them all", async () => {
    const gw = await startTestGateway({
      config: { gateway: { mode: "local" }, agents: { list: [{ id: "main", humanDelay: { mode: "off" } }] }, cron: { enabled: true } },
    });
    await gw.close();
    const lines = gw.output.filter((l) => l.includes("not implemented yet"));
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /accepted and ignored: agents\.list\.0\.humanDelay$/);
  });
});
