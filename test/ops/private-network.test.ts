/**
 * `--bind lan` must be reachable over IPv6 too: Fly.io's private network (`fly proxy`, WireGuard,
 * the deployment in fly.private.toml) reaches a machine only at its IPv6 address.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { connect, startTestGateway } from "../helpers/gateway.js";

const TOKEN = "a".repeat(8) + "0123456789abcdef0123456789";

/** Whether this machine can listen on IPv6 at all (some containers run without it). */
async function hasIpv6(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen({ host: "::1", port: 0 }, () => s.close(() => resolve(true)));
  });
}

describe("lan bind on IPv6", async () => {
  const v6 = await hasIpv6();

  it("answers /healthz and the WebSocket protocol on [::1] as well as 127.0.0.1", { skip: !v6 && "no IPv6 on this machine" }, async () => {
    const gw = await startTestGateway({ bind: "lan", env: { OPENCLAW_GATEWAY_TOKEN: TOKEN } });
    try {
      assert.equal(gw.host, "0.0.0.0");
      assert.ok(
        gw.output.some((l) => l.includes(`listening on ws://0.0.0.0:${gw.port}`)),
        gw.output.join("\n"),
      );
      for (const host of ["127.0.0.1", "[::1]"]) {
        const res = await fetch(`http://${host}:${gw.port}/healthz`);
        assert.deepEqual(await res.json(), { ok: true }, host);
      }
      const client = await connect(`ws://[::1]:${gw.port}`, { token: TOKEN });
      const health = (await client.request("health", {})) as { ok?: boolean };
      assert.equal(health.ok, true);
      client.close();
      await assert.rejects(
        connect(`ws://[::1]:${gw.port}`, { token: "wrong-token-wrong-token-123" }),
        "IPv6 clients need the token like any other",
      );
    } finally {
      await gw.close();
    }
    // Closed on both families.
    await assert.rejects(fetch(`http://[::1]:${gw.port}/healthz`));
  });

  it("a loopback bind stays on 127.0.0.1 only", { skip: !v6 && "no IPv6 on this machine" }, async () => {
    const gw = await startTestGateway({});
    try {
      assert.equal((await fetch(`http://127.0.0.1:${gw.port}/healthz`)).status, 200);
      await assert.rejects(fetch(`http://[::1]:${gw.port}/healthz`));
    } finally {
      await gw.close();
    }
  });
});
