/** Who a request comes from and whether it may act as this machine (`src/gateway/trust.ts`). */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { clientAddress, isCrossSite, isLoopbackName, proxyMatcher, requestTrust } from "../../src/gateway/trust.js";

function req(peer: string, headers: Record<string, string>): IncomingMessage {
  return { socket: { remoteAddress: peer }, headers } as unknown as IncomingMessage;
}

describe("client address", { timeout: 10_000 }, () => {
  const trusted = proxyMatcher(["127.0.0.1", "10.0.0.0/8"]);

  it("takes the right-most hop a trusted proxy added, never what the client wrote on the left", () => {
    assert.equal(clientAddress("127.0.0.1", { xff: "127.0.0.1, 203.0.113.9" }, trusted, false).address, "203.0.113.9");
    assert.equal(clientAddress("127.0.0.1", { xff: "1.2.3.4, 203.0.113.9, 10.1.2.3" }, trusted, false).address, "203.0.113.9");
    assert.equal(clientAddress("::ffff:127.0.0.1", { xff: "203.0.113.9:5555" }, trusted, false).address, "203.0.113.9");
  });

  it("ignores forwarding headers from a peer that is not a trusted proxy", () => {
    assert.equal(clientAddress("198.51.100.2", { xff: "127.0.0.1" }, trusted, false).address, "198.51.100.2");
    assert.equal(clientAddress("127.0.0.1", { xff: "127.0.0.1" }, proxyMatcher([]), false).address, "127.0.0.1");
  });

  it("trusts Fly-Client-IP only from Fly's proxy range and only on Fly", () => {
    assert.equal(clientAddress("172.19.5.1", { flyClientIp: "203.0.113.5" }, proxyMatcher([]), true).address, "203.0.113.5");
    assert.equal(clientAddress("172.19.5.1", { flyClientIp: "203.0.113.5" }, proxyMatcher([]), false).address, "172.19.5.1");
    assert.equal(clientAddress("fdaa:0:1::3", { flyClientIp: "127.0.0.1" }, proxyMatcher([]), true).address, "fdaa:0:1::3");
    assert.equal(clientAddress("172.19.5.1", { flyClientIp: "not-an-ip" }, proxyMatcher([]), true).address, "172.19.5.1");
  });

  it("stops at a hop that is not an address", () => {
    assert.equal(clientAddress("127.0.0.1", { xff: "203.0.113.9, junk" }, trusted, false).address, "127.0.0.1");
  });

  it("matches CIDR ranges and exact addresses, IPv4 and IPv6, and skips entries that are neither", () => {
    const m = proxyMatcher(["10.0.0.0/8", "fd00::/8", "192.0.2.7", "not-a-proxy", "10.0.0.0/99"]);
    assert.ok(m("10.200.3.4") && m("fd12::1") && m("192.0.2.7") && m("::ffff:192.0.2.7"));
    assert.ok(!m("11.0.0.1") && !m("192.0.2.8") && !m("fe80::1"));
  });
});

describe("local trust", { timeout: 10_000 }, () => {
  const opts = { trustedProxies: [] as string[], onFly: false };

  it("is local only for a loopback client that names a loopback host from a same-origin page", () => {
    assert.equal(requestTrust(req("127.0.0.1", { host: "127.0.0.1:18789" }), opts).isLocal, true);
    assert.equal(requestTrust(req("::1", { host: "localhost:18789", origin: "http://localhost:18789" }), opts).isLocal, true);
    assert.equal(requestTrust(req("127.0.0.1", { host: "[::1]:18789" }), opts).isLocal, true);
  });

  it("refuses DNS rebinding: a loopback peer addressed by another name", () => {
    const t = requestTrust(req("127.0.0.1", { host: "evil.example:18789", origin: "http://evil.example:18789" }), opts);
    assert.equal(t.isLocal, false);
    assert.equal(t.loopbackHost, false);
  });

  it("refuses cross-site pages and says so", () => {
    assert.equal(requestTrust(req("127.0.0.1", { host: "127.0.0.1:18789", origin: "https://evil.example" }), opts).crossSite, true);
    assert.equal(requestTrust(req("127.0.0.1", { host: "127.0.0.1:18789", "sec-fetch-site": "cross-site" }), opts).isLocal, false);
    assert.equal(requestTrust(req("127.0.0.1", { host: "127.0.0.1:18789", origin: "null" }), opts).isLocal, false);
  });

  it("never treats a forwarded request as local unless a trusted proxy sent it", () => {
    assert.equal(requestTrust(req("127.0.0.1", { host: "127.0.0.1", "x-forwarded-for": "127.0.0.1" }), opts).isLocal, false);
    const viaProxy = { trustedProxies: ["127.0.0.1"], onFly: false };
    assert.equal(
      requestTrust(req("127.0.0.1", { host: "127.0.0.1", "x-forwarded-for": "127.0.0.1, 203.0.113.9" }), viaProxy).isLocal,
      false,
    );
    assert.equal(requestTrust(req("127.0.0.1", { host: "127.0.0.1" }), viaProxy).isLocal, true);
  });

  it("recognises loopback names", () => {
    for (const h of ["localhost", "LOCALHOST:80", "app.localhost:3000", "127.0.0.1", "127.1.2.3:9", "[::1]:18789", "::1"])
      assert.ok(isLoopbackName(h), h);
    for (const h of ["evil.example", "127.0.0.1.evil.example", "localhost.evil.example", "[::2]", "0.0.0.0", ""])
      assert.ok(!isLoopbackName(h), h);
  });

  it("compares Origin with Host including the port", () => {
    assert.equal(isCrossSite(req("127.0.0.1", { host: "127.0.0.1:18789", origin: "http://127.0.0.1:18789" })), false);
    assert.equal(isCrossSite(req("127.0.0.1", { host: "127.0.0.1:18789", origin: "http://127.0.0.1:5173" })), true);
    assert.equal(isCrossSite(req("127.0.0.1", { host: "127.0.0.1:18789", origin: "garbage" })), true);
  });
});
