/**
 * Forwarded-address spoofing. Only a peer listed in `gateway.trustedProxies` (exact IPs and CIDR
 * ranges) may say who the client is, through X-Forwarded-For, and then the client is the right-most
 * entry that is not itself a trusted proxy: entries to its left were written by the client and
 * prove nothing. A peer that is not trusted but sends X-Forwarded-For, X-Real-IP or Forwarded is
 * something relaying requests, so it is never local.
 *
 * The test connects from 127.0.0.1, playing a proxy on the same machine that appended the address
 * it saw to whatever the client sent.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Harness, TOKEN, connectParams, describeOutcome, probeSecrets, report, tryConnect, type ConnectOutcome } from "./harness.js";

function assertRefused(o: ConnectOutcome, leaked: string[], what: string): void {
  assert.deepEqual(leaked, [], `${what}: never answers config.get or chat.history`);
  if (o.kind === "refused") {
    assert.equal(o.status, 403, `${what}: ${describeOutcome(o)}`);
    return;
  }
  assert.equal(o.kind, "res", `${what}: ${describeOutcome(o)}`);
  if (o.kind !== "res") return;
  assert.equal(o.res.ok, false, `${what}: ${describeOutcome(o)}`);
  assert.equal(o.res.error?.code, "UNAUTHORIZED", `${what}: ${describeOutcome(o)}`);
}

describe("X-Forwarded-For on a tokenless loopback gateway", { timeout: 120_000 }, () => {
  const h = new Harness();
  after(() => h.cleanup());

  it(
    "trustedProxies [127.0.0.1]: 'X-Forwarded-For: 127.0.0.1, 203.0.113.9' is the remote client 203.0.113.9 and is refused",
    { timeout: 60_000 },
    async (t) => {
      const gw = await h.launch({ config: { gateway: { mode: "local", trustedProxies: ["127.0.0.1"] } } });
      const o = await tryConnect(h, gw.port, { headers: { "x-forwarded-for": "127.0.0.1, 203.0.113.9" } });
      const leaked = await probeSecrets(o);
      report(t, `${describeOutcome(o)}; answered: ${leaked.join(", ") || "nothing"}`);
      assertRefused(o, leaked, "spoofed 127.0.0.1 left of the proxy's entry");
    },
  );

  it(
    "trustedProxies [127.0.0.1]: 'X-Forwarded-For: 203.0.113.9' is refused, no X-Forwarded-For connects as local",
    { timeout: 60_000 },
    async (t) => {
      const gw = await h.launch({ config: { gateway: { mode: "local", trustedProxies: ["127.0.0.1"] } } });
      const remote = await tryConnect(h, gw.port, { headers: { "x-forwarded-for": "203.0.113.9" } });
      const leaked = await probeSecrets(remote);
      const local = await tryConnect(h, gw.port);
      report(t, `X-Forwarded-For 203.0.113.9: ${describeOutcome(remote)}; none: ${describeOutcome(local)}`);
      assertRefused(remote, leaked, "X-Forwarded-For: 203.0.113.9");
      assert.ok(local.kind === "res" && local.res.ok, `without X-Forwarded-For: ${describeOutcome(local)}`);
      assert.equal((await local.peer.request("config.get", {}))?.ok, true);
    },
  );

  for (const [name, value] of [
    ["X-Forwarded-For", "127.0.0.1"],
    ["X-Real-IP", "127.0.0.1"],
    ["Forwarded", "for=127.0.0.1;proto=http"],
  ] as const) {
    it(
      `without trustedProxies, a loopback peer sending '${name}: ${value}' is not local and is refused`,
      { timeout: 60_000 },
      async (t) => {
        const gw = await h.launch();
        const o = await tryConnect(h, gw.port, { headers: { [name.toLowerCase()]: value } });
        const leaked = await probeSecrets(o);
        report(t, `${name}: ${value} → ${describeOutcome(o)}; answered: ${leaked.join(", ") || "nothing"}`);
        assertRefused(o, leaked, `${name}: ${value}`);
      },
    );
  }
});

describe("the resolved client address", { timeout: 60_000 }, () => {
  const h = new Harness();
  after(() => h.cleanup());

  it("is the right-most X-Forwarded-For entry that is not a trusted proxy (exact IP and CIDR entries)", { timeout: 60_000 }, async (t) => {
    const gw = await h.launch({ token: TOKEN, config: { gateway: { mode: "local", trustedProxies: ["127.0.0.1", "10.0.0.0/8"] } } });
    const instanceId = randomUUID();
    const o = await tryConnect(h, gw.port, {
      token: TOKEN,
      headers: { "x-forwarded-for": "198.51.100.1, 203.0.113.9, 10.1.2.3" },
      params: { client: { ...connectParams().client, instanceId } },
    });
    assert.ok(o.kind === "res" && o.res.ok, describeOutcome(o));
    const presence = await o.peer.request("system-presence", {});
    const mine = (presence?.payload as Array<{ instanceId?: string; ip?: string }>).find((p) => p.instanceId === instanceId);
    report(t, `'X-Forwarded-For: 198.51.100.1, 203.0.113.9, 10.1.2.3' via 127.0.0.1 → presence ip ${mine?.ip}`);
    assert.equal(mine?.ip, "203.0.113.9");
  });
});

describe("behind Fly.io's proxy (FLY_APP_NAME set, the peer in 172.16.0.0/12)", { timeout: 60_000 }, () => {
  const h = new Harness();
  after(() => h.cleanup());

  it("the client is Fly-Client-IP: presence shows it, and one client's failures lock only that client", { timeout: 60_000 }, async (t) => {
    if (process.getuid?.() !== 0) return t.skip("needs root for a network namespace with a Fly proxy address");
    const gw = await h
      .launch({
        token: TOKEN,
        env: { FLY_APP_NAME: "openclaw-security-test" },
        args: ["--allow-unconfigured", "--bind", "lan", "--port", "0"],
        peerAddress: "172.19.0.5",
      })
      .catch((e: Error) => e);
    if (gw instanceof Error) return t.skip(`needs root for a network namespace with a Fly proxy address (${gw.message.slice(0, 200)})`);
    const via = (client: string) => ({ host: "openclaw-security-test.fly.dev", "fly-client-ip": client, "x-forwarded-for": client });
    const relay = gw.relay!;

    const instanceId = randomUUID();
    const first = await tryConnect(h, relay, {
      token: TOKEN,
      headers: via("203.0.113.5"),
      params: { client: { ...connectParams().client, instanceId } },
    });
    assert.ok(first.kind === "res" && first.res.ok, describeOutcome(first));
    const presence = await first.peer.request("system-presence", {});
    const ip = (presence?.payload as Array<{ instanceId?: string; ip?: string }>).find((p) => p.instanceId === instanceId)?.ip;
    first.peer.close();

    const attacker = [];
    for (let i = 0; i < 12; i++) {
      const o = await tryConnect(h, relay, { token: `wrong-${i}`, headers: via("198.51.100.7") });
      attacker.push(o.kind === "res" ? (o.res.error?.code ?? "OK") : o.kind);
      if (o.kind === "res") o.peer.close();
    }
    const owner = [];
    for (let i = 0; i < 5; i++) {
      const o = await tryConnect(h, relay, { token: TOKEN, headers: via("203.0.113.5") });
      owner.push(o.kind === "res" ? (o.res.ok ? "OK" : o.res.error?.code) : o.kind);
      if (o.kind === "res") o.peer.close();
    }
    report(t, `peer 172.19.0.5, Fly-Client-IP 203.0.113.5 → presence ip ${ip}`);
    report(
      t,
      `Fly-Client-IP 198.51.100.7, 12 wrong tokens: ${attacker.join(" ")}; then Fly-Client-IP 203.0.113.5 with the token: ${owner.join(" ")}`,
    );
    assert.equal(ip, "203.0.113.5", "the client address is Fly-Client-IP");
    assert.equal(attacker.at(-1), "RATE_LIMITED", "the attacker is locked");
    assert.deepEqual(owner, Array(5).fill("OK"), "the owner, behind the same proxy, is not");
  });
});
