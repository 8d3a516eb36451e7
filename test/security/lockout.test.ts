/**
 * Lockout. Failed logins are counted per resolved client address (the right-most untrusted
 * X-Forwarded-For entry when the peer is a trusted proxy): 10 failures within 60 s lock that
 * address for 60 s. An attacker behind the same proxy must not be able to lock the owner out,
 * even by writing the owner's address into the X-Forwarded-For it sends, and a paired device
 * (its own key and token) still gets in from a locked address.
 *
 * The gateway trusts 127.0.0.1 as its proxy; each request carries the X-Forwarded-For the proxy
 * would pass on: what the client sent, then the address the proxy saw.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Harness, TOKEN, describeOutcome, newDevice, report, tryConnect, writePairedDevices, type ConnectOutcome } from "./harness.js";

const PROXIED = { gateway: { mode: "local", trustedProxies: ["127.0.0.1"] } };
const ATTACKER = "198.51.100.7";
const OWNER = "203.0.113.5";
/** The attacker writes the owner's address first; the proxy appends the attacker's real one. */
const ATTACKER_XFF = `${OWNER}, ${ATTACKER}`;

async function attempt(h: Harness, port: number, xff: string, token: string): Promise<ConnectOutcome> {
  const o = await tryConnect(h, port, { headers: { "x-forwarded-for": xff }, token });
  if (o.kind === "res") o.peer.close();
  return o;
}

const codeOf = (o: ConnectOutcome) =>
  o.kind === "res" ? (o.res.ok ? "OK" : (o.res.error?.code ?? "?")) : o.kind === "refused" ? `HTTP ${o.status}` : "CLOSED";

function tally(outcomes: ConnectOutcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(codeOf(o), (counts.get(codeOf(o)) ?? 0) + 1);
  return [...counts].map(([k, v]) => `${k}×${v}`).join(" ");
}

describe("auth lockout per resolved client address", { timeout: 120_000 }, () => {
  const h = new Harness();
  after(() => h.cleanup());

  it(
    "10 wrong tokens then 30 more lock the attacker's address, never the owner's, even when the attacker writes the owner's address first",
    { timeout: 60_000 },
    async (t) => {
      const gw = await h.launch({ token: TOKEN, config: PROXIED });
      const attacker: ConnectOutcome[] = [];
      const owner: ConnectOutcome[] = [];
      for (let i = 0; i < 10; i++) attacker.push(await attempt(h, gw.port, ATTACKER_XFF, `wrong-token-${i}`));
      for (let i = 10; i < 40; i++) {
        owner.push(await attempt(h, gw.port, OWNER, TOKEN));
        attacker.push(await attempt(h, gw.port, ATTACKER_XFF, `wrong-token-${i}`));
      }
      for (let i = 0; i < 5; i++) owner.push(await attempt(h, gw.port, OWNER, TOKEN));
      const rightTokenFromAttacker = await attempt(h, gw.port, ATTACKER_XFF, TOKEN);
      const rightTokenPlain = await attempt(h, gw.port, ATTACKER, TOKEN);
      const ownerRefusals = owner.filter((o) => codeOf(o) !== "OK");
      report(t, `attacker (X-Forwarded-For: ${ATTACKER_XFF}) wrong tokens: ${tally(attacker)}`);
      report(
        t,
        `owner (X-Forwarded-For: ${OWNER}) with the token, between and after: ${tally(owner)}; refusals ${ownerRefusals.length}/${owner.length}`,
      );
      report(
        t,
        `attacker with the right token: ${describeOutcome(rightTokenFromAttacker)}; plain ${ATTACKER}: ${describeOutcome(rightTokenPlain)}`,
      );

      assert.equal(
        ownerRefusals.length,
        0,
        `the owner was refused ${ownerRefusals.length} times: ${ownerRefusals.map(describeOutcome)[0]}`,
      );
      assert.deepEqual(attacker.slice(0, 10).map(codeOf), Array(10).fill("UNAUTHORIZED"), "the first 10 wrong tokens are checked");
      assert.deepEqual(attacker.slice(10).map(codeOf), Array(30).fill("RATE_LIMITED"), "after 10 failures the address is locked");
      for (const o of [attacker[10]!, rightTokenFromAttacker, rightTokenPlain]) {
        assert.equal(codeOf(o), "RATE_LIMITED", describeOutcome(o));
        if (o.kind !== "res") continue;
        const wait = o.res.error?.retryAfterMs;
        assert.ok(typeof wait === "number" && wait > 0 && wait <= 60_000, `retryAfterMs within the 60 s lock, got ${wait}`);
      }
      assert.equal(gw.exited, null);
    },
  );

  it("a paired device connects with its device token", { timeout: 60_000 }, async (t) => {
    const stateDir = h.tmp();
    const device = newDevice();
    writePairedDevices(stateDir, [device]);
    const gw = await h.launch({ token: TOKEN, config: PROXIED, stateDir });
    const o = await tryConnect(h, gw.port, { headers: { "x-forwarded-for": OWNER }, device });
    report(t, `device ${device.id.slice(0, 12)}… with its token: ${describeOutcome(o)}`);
    assert.ok(o.kind === "res" && o.res.ok, describeOutcome(o));
    assert.equal((await o.peer.request("chat.history", { sessionKey: "main" }))?.ok, true);
  });

  it("a paired device still connects from a locked-out address", { timeout: 60_000 }, async (t) => {
    const stateDir = h.tmp();
    const device = newDevice();
    writePairedDevices(stateDir, [device]);
    const gw = await h.launch({ token: TOKEN, config: PROXIED, stateDir });
    const wrong: ConnectOutcome[] = [];
    for (let i = 0; i < 12; i++) wrong.push(await attempt(h, gw.port, ATTACKER, `wrong-${i}`));
    const locked = await attempt(h, gw.port, ATTACKER, TOKEN);
    const o = await tryConnect(h, gw.port, { headers: { "x-forwarded-for": ATTACKER }, device });
    report(
      t,
      `wrong tokens from ${ATTACKER}: ${tally(wrong)}; shared token then: ${describeOutcome(locked)}; paired device: ${describeOutcome(o)}`,
    );
    assert.equal(codeOf(locked), "RATE_LIMITED", "the address is locked");
    assert.ok(o.kind === "res" && o.res.ok, `paired device: ${describeOutcome(o)}`);
  });
});
