import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync, sign } from "node:crypto";
import WebSocket from "ws";
import { GatewayRequestError } from "../../src/cli/client.js";
import { buildDeviceAuthPayload, base64UrlEncode } from "../../src/gateway/protocol/device.js";
import { connect, startTestGateway, waitFor, type TestGateway } from "../helpers/gateway.js";
import { assertMatches } from "../helpers/schema.js";
import { createHash } from "node:crypto";

const TOKEN = "test-token-0123456789";

/** Opens a raw socket and collects frames, for tests that misbehave on purpose. */
async function rawSocket(url: string) {
  const ws = new WebSocket(url);
  const frames: any[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on("close", (code, r) => resolve({ code, reason: r.toString() })),
  );
  ws.on("message", (d) => frames.push(JSON.parse(String(d))));
  await new Promise((r, j) => (ws.on("open", r), ws.on("error", j)));
  await waitFor(() => frames.length > 0, 5000, "the first frame");
  return { ws, frames, closed };
}

function connectParams(extra: Record<string, unknown> = {}) {
  return {
    minProtocol: 3,
    maxProtocol: 3,
    client: { id: "test", version: "1.0.0", platform: "linux", mode: "test" },
    role: "operator",
    scopes: ["operator.admin"],
    auth: { token: TOKEN },
    ...extra,
  };
}

describe("protocol v3 handshake", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ token: TOKEN });
  });
  after(() => gw.close());

  it("sends connect.challenge first, then hello-ok matching the published schema", async () => {
    const { ws, frames } = await rawSocket(gw.wsUrl);
    assert.equal(frames[0].type, "event");
    assert.equal(frames[0].event, "connect.challenge");
    assert.equal(typeof frames[0].payload.nonce, "string");
    assertMatches("EventFrame", frames[0]);
    const req = { type: "req", id: "1", method: "connect", params: connectParams() };
    assertMatches("RequestFrame", req);
    assertMatches("ConnectParams", req.params);
    ws.send(JSON.stringify(req));
    await waitFor(() => frames.length >= 2, 5000, "the connect response");
    const res = frames[1];
    assertMatches("ResponseFrame", res);
    assert.equal(res.ok, true);
    assertMatches("HelloOk", res.payload);
    assert.equal(res.payload.protocol, 3);
    for (const m of [
      "health",
      "status",
      "config.get",
      "config.set",
      "config.patch",
      "config.apply",
      "config.schema",
      "logs.tail",
      "system-presence",
    ]) {
      assert.ok(res.payload.features.methods.includes(m), `hello-ok lists ${m}`);
    }
    for (const e of ["tick", "presence", "shutdown"]) assert.ok(res.payload.features.events.includes(e));
    assert.equal(res.payload.policy.tickIntervalMs, 15000);
    ws.close();
  });

  it("answers health and status to a connected client", async () => {
    const c = await connect(gw.wsUrl, { token: TOKEN });
    const health = await c.request<any>("health");
    assert.equal(health.ok, true);
    assert.ok(health.uptimeMs >= 0);
    assert.ok(health.memory.rss > health.memory.heapUsed && health.memory.heapUsed > 0, "process memory");
    const status = await c.request<any>("status");
    assert.equal(status.gateway.port, gw.port);
    assert.equal(status.gateway.auth, "token");
    assert.ok(status.memory.rss > 0);
    const presence = await c.request<any[]>("system-presence");
    assert.ok(presence.some((p) => p.mode === "cli"));
    c.close();
  });

  it("refuses a wrong token and a missing token with a clear error and closes the socket", async () => {
    await assert.rejects(connect(gw.wsUrl, { token: "wrong" }), (e: Error) => {
      assert.ok(e instanceof GatewayRequestError);
      assert.equal(e.error.code, "UNAUTHORIZED");
      assert.match(e.message, /token mismatch/);
      return true;
    });
    await assert.rejects(connect(gw.wsUrl, {}), /token missing.*OPENCLAW_GATEWAY_TOKEN/);
  });

  it("refuses a protocol range that does not include 3", async () => {
    const { ws, frames, closed } = await rawSocket(gw.wsUrl);
    ws.send(JSON.stringify({ type: "req", id: "1", method: "connect", params: connectParams({ minProtocol: 1, maxProtocol: 2 }) }));
    const c = await closed;
    assert.equal(c.code, 1008);
    assert.equal(frames[1].ok, false);
    assert.match(frames[1].error.message, /protocol mismatch/);
  });

  it("closes the socket when the first frame is not connect", async () => {
    const { ws, frames, closed } = await rawSocket(gw.wsUrl);
    ws.send(JSON.stringify({ type: "req", id: "1", method: "health" }));
    const c = await closed;
    assert.equal(c.code, 1002);
    assert.equal(frames[1].ok, false);
    assert.match(frames[1].error.message, /first frame must be a connect request/);
  });

  it("closes the socket on junk before connect", async () => {
    const { ws, closed } = await rawSocket(gw.wsUrl);
    ws.send("this is not json {");
    assert.equal((await closed).code, 1002);
  });

  it("closes the socket on a connect frame over 64 KiB", async () => {
    const { ws, closed } = await rawSocket(gw.wsUrl);
    ws.send(JSON.stringify({ type: "req", id: "1", method: "connect", params: connectParams({ userAgent: "x".repeat(70 * 1024) }) }));
    assert.equal((await closed).code, 1009);
  });

  it("refuses connect params that break the schema, naming the field", async () => {
    const { ws, frames, closed } = await rawSocket(gw.wsUrl);
    ws.send(
      JSON.stringify({
        type: "req",
        id: "1",
        method: "connect",
        params: { ...connectParams(), client: { id: "nope", version: "1", platform: "x", mode: "cli" } },
      }),
    );
    await closed;
    assert.match(frames[1].error.message, /client\.id/);
  });

  it("enforces maxPayload after connect", async () => {
    const c = await connect(gw.wsUrl, { token: TOKEN });
    const closed = new Promise<number>((r) => (c as any).ws.on("close", (code: number) => r(code)));
    await assert.rejects(c.request("health", { pad: "x".repeat(600 * 1024) }));
    assert.equal(await closed, 1009);
  });

  it("answers unknown methods and bad params after connect without dropping the client", async () => {
    const c = await connect(gw.wsUrl, { token: TOKEN });
    await assert.rejects(c.request("no.such.method"), /unknown method: no\.such\.method/);
    await assert.rejects(c.request("logs.tail", { limit: "ten" }), /invalid logs\.tail params: limit/);
    assert.equal((await c.request<any>("health")).ok, true);
    c.close();
  });
});

describe("scopes", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ token: TOKEN, config: { gateway: { mode: "local" } } });
  });
  after(() => gw.close());

  it("a read-only client can read config but not write it", async () => {
    const c = await connect(gw.wsUrl, { token: TOKEN, scopes: ["operator.read"] });
    const snap = await c.request<any>("config.get");
    assert.equal(snap.valid, true);
    await assert.rejects(c.request("config.set", { raw: "{}", baseHash: snap.hash }), (e: Error) => {
      assert.equal((e as GatewayRequestError).error.code, "FORBIDDEN");
      assert.match(e.message, /requires scope operator\.admin/);
      return true;
    });
    c.close();
  });

  it("a write client still cannot change config; an admin can", async () => {
    const w = await connect(gw.wsUrl, { token: TOKEN, scopes: ["operator.write"] });
    const snap = await w.request<any>("config.get");
    await assert.rejects(w.request("config.patch", { raw: "{logging:{level:'debug'}}", baseHash: snap.hash }), /operator\.admin/);
    w.close();
    const a = await connect(gw.wsUrl, { token: TOKEN, scopes: ["operator.admin"] });
    const res = await a.request<any>("config.patch", { raw: "{logging:{level:'debug'}}", baseHash: snap.hash });
    assert.equal(res.ok, true);
    assert.equal(res.config.logging.level, "debug");
    a.close();
  });
});

describe("device identity", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ token: TOKEN });
  });
  after(() => gw.close());

  function device(nonce: string, opts: { tamper?: boolean } = {}) {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const raw = publicKey.export({ type: "spki", format: "der" }).subarray(12);
    const id = createHash("sha256").update(raw).digest("hex");
    const signedAt = Date.now();
    const payload = buildDeviceAuthPayload({
      deviceId: id,
      clientId: "test",
      clientMode: "test",
      role: "operator",
      scopes: ["operator.admin"],
      signedAtMs: signedAt,
      token: TOKEN,
      nonce,
    });
    const signature = base64UrlEncode(sign(null, Buffer.from(opts.tamper ? payload + "x" : payload), privateKey));
    return { id, publicKey: base64UrlEncode(raw), signature, signedAt, nonce };
  }

  async function tryConnect(makeDevice: (nonce: string) => unknown) {
    const { ws, frames, closed } = await rawSocket(gw.wsUrl);
    const nonce = frames[0].payload.nonce;
    ws.send(JSON.stringify({ type: "req", id: "1", method: "connect", params: connectParams({ device: makeDevice(nonce) }) }));
    await waitFor(() => frames.length >= 2, 5000, "the connect response");
    ws.close();
    await closed;
    return frames[1];
  }

  it("accepts a device that signed the server's nonce", async () => {
    const res = await tryConnect((n) => device(n));
    assert.equal(res.ok, true, JSON.stringify(res.error));
  });

  it("refuses a bad signature, a foreign nonce and a mismatched device id", async () => {
    assert.match((await tryConnect((n) => device(n, { tamper: true }))).error.message, /device signature invalid/);
    assert.match((await tryConnect(() => device("some-other-nonce"))).error.message, /device nonce mismatch/);
    assert.match((await tryConnect((n) => ({ ...device(n), id: "f".repeat(64) }))).error.message, /device identity mismatch/);
  });
});

describe("auth rate limiting", () => {
  it("locks out an address after repeated failures, even with the right token", async () => {
    const gw = await startTestGateway({ token: TOKEN });
    try {
      for (let i = 0; i < 10; i++) await assert.rejects(connect(gw.wsUrl, { token: `wrong-${i}` }), /mismatch/);
      await assert.rejects(connect(gw.wsUrl, { token: TOKEN }), (e: Error) => {
        assert.equal((e as GatewayRequestError).error.code, "RATE_LIMITED");
        assert.ok(((e as GatewayRequestError).error.retryAfterMs ?? 0) > 0);
        return true;
      });
    } finally {
      await gw.close();
    }
  });
});

describe("events", () => {
  it("broadcasts presence when clients come and go, and shutdown on close", async () => {
    const gw = await startTestGateway({ token: TOKEN });
    const events: Array<{ event: string; payload: any }> = [];
    const a = await connect(gw.wsUrl, { token: TOKEN, onEvent: (event, payload) => events.push({ event, payload }) });
    const b = await connect(gw.wsUrl, { token: TOKEN });
    // Clients, besides the gateway's own entry (reason "self").
    const presence = (n: number) =>
      events.some((e) => e.event === "presence" && e.payload.presence.filter((p: any) => p.reason !== "self").length === n);
    await waitFor(() => presence(2), 5000, "presence with both clients");
    b.close();
    await waitFor(() => presence(1), 5000, "presence after one left");
    await gw.close("test over");
    await waitFor(() => events.some((e) => e.event === "shutdown"), 5000, "the shutdown event");
    const shutdown = events.find((e) => e.event === "shutdown")!;
    assert.equal(shutdown.payload.reason, "test over");
    a.close();
  });
});
