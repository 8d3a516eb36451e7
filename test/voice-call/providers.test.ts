/**
 * Plivo and Telnyx through the gateway, each against a recording stand-in for its REST API: calls
 * are placed with the provider's request shape, signed webhooks are answered (Plivo XML; Telnyx
 * through actions), unsigned ones get 401, and Telnyx without a public key refuses everything.
 */
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { plivoV3Signature } from "../../src/voice-call/signatures.js";
import { readBody } from "../fakes/http.js";
import { connect, freePort, startTestGateway, tmpDir, waitFor, type TestGateway } from "../helpers/gateway.js";

const TOKEN = "voice-providers-token";

interface Hit {
  method: string;
  path: string;
  auth: string;
  body: any;
}

async function recorder(answer: (h: Hit) => unknown) {
  const hits: Hit[] = [];
  const server = http.createServer(async (req, res) => {
    const raw = (await readBody(req)).toString("utf8");
    const hit = { method: req.method!, path: req.url!, auth: req.headers.authorization ?? "", body: raw ? JSON.parse(raw) : null };
    hits.push(hit);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(answer(hit) ?? {}));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    hits,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections())),
  };
}

const gatewayConfig = (port: number, voice: Record<string, unknown>) => ({
  gateway: { mode: "local", auth: { mode: "token", token: TOKEN } },
  plugins: {
    entries: {
      "voice-call": {
        enabled: true,
        config: { fromNumber: "+15550001111", publicUrl: `http://127.0.0.1:${port}/voice/webhook`, ...voice },
      },
    },
  },
});

async function initiate(gw: TestGateway, params: Record<string, unknown>) {
  const c = await connect(gw.wsUrl, { token: TOKEN });
  try {
    return (await c.request("voicecall.initiate", params)) as { callId: string };
  } finally {
    c.close();
  }
}

describe("Plivo", () => {
  let api: Awaited<ReturnType<typeof recorder>>;
  let gw: TestGateway;
  let stateDir: string;
  before(async () => {
    api = await recorder((h) => (h.path.endsWith("/Call/") ? { request_uuid: "req-1", message: "call fired" } : {}));
    stateDir = tmpDir("oc-voice-plivo-");
    const port = await freePort();
    gw = await startTestGateway({
      port,
      stateDir,
      config: gatewayConfig(port, { provider: "plivo", plivo: { authId: "MA123", authToken: "plivo-secret", apiBaseUrl: api.url } }),
    });
  });
  after(async () => {
    await gw?.close();
    await api?.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it("places a call, answers a V3-signed webhook with Plivo XML, refuses an unsigned one", { timeout: 20_000 }, async () => {
    const { callId } = await initiate(gw, { to: "+15550002222", message: "Hello from Plivo", mode: "notify" });
    const create = api.hits.find((h) => h.path === "/Account/MA123/Call/")!;
    assert.equal(create.method, "POST");
    assert.equal(create.auth, `Basic ${Buffer.from("MA123:plivo-secret").toString("base64")}`);
    assert.equal(create.body.to, "15550002222");
    assert.equal(new URL(create.body.answer_url).searchParams.get("callId"), callId);
    assert.equal(new URL(create.body.hangup_url).searchParams.get("type"), "status");

    const params: Array<[string, string]> = [
      ["CallUUID", "uuid-1"],
      ["CallStatus", "in-progress"],
      ["Direction", "outbound"],
    ];
    const nonce = "nonce-1";
    const sig = plivoV3Signature("plivo-secret", "POST", create.body.answer_url, params, nonce);
    const post = (headers: Record<string, string>) =>
      fetch(create.body.answer_url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        body: new URLSearchParams(params).toString(),
      });
    const ok = await post({ "x-plivo-signature-v3": sig, "x-plivo-signature-v3-nonce": nonce });
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get("content-type")!, /xml/);
    assert.match(await ok.text(), /<Speak>Hello from Plivo<\/Speak><Wait length="3"\/><Hangup\/>/);
    assert.equal((await post({})).status, 401);

    // The call is now known by its call UUID; ending it deletes that call.
    const c = await connect(gw.wsUrl, { token: TOKEN });
    try {
      await c.request("voicecall.end", { callId });
    } finally {
      c.close();
    }
    assert.ok(api.hits.some((h) => h.method === "DELETE" && h.path === "/Account/MA123/Call/uuid-1/"));
  });
});

describe("Telnyx", () => {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
  const rawKey = publicKey.export({ format: "der", type: "spki" }).subarray(-32).toString("base64");
  let api: Awaited<ReturnType<typeof recorder>>;
  const gws: TestGateway[] = [];
  const dirs: string[] = [];
  before(async () => {
    api = await recorder((h) => (h.path === "/calls" ? { data: { call_control_id: "v3:ctl-1" } } : { data: { result: "ok" } }));
  });
  after(async () => {
    for (const g of gws) await g.close();
    await api?.close();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  const start = async (telnyx: Record<string, unknown>) => {
    const stateDir = tmpDir("oc-voice-telnyx-");
    dirs.push(stateDir);
    const port = await freePort();
    const gw = await startTestGateway({
      port,
      stateDir,
      config: gatewayConfig(port, {
        provider: "telnyx",
        telnyx: { apiKey: "KEY1", connectionId: "conn-1", apiBaseUrl: api.url, ...telnyx },
      }),
    });
    gws.push(gw);
    return gw;
  };
  const event = (type: string, callId: string) =>
    JSON.stringify({
      data: {
        event_type: type,
        payload: { call_control_id: "v3:ctl-1", client_state: Buffer.from(callId).toString("base64"), direction: "outgoing" },
      },
    });
  const signed = (body: string, ts = Math.floor(Date.now() / 1000)) => ({
    "telnyx-timestamp": String(ts),
    "telnyx-signature-ed25519": crypto.sign(null, Buffer.from(`${ts}|${body}`), privateKey).toString("base64"),
  });

  it("places a call; a signed call.answered webhook makes it speak; an unsigned one gets 401", { timeout: 20_000 }, async () => {
    const gw = await start({ publicKey: rawKey });
    const { callId } = await initiate(gw, { to: "+15550002222", message: "Hello from Telnyx", mode: "conversation" });
    const create = api.hits.find((h) => h.path === "/calls")!;
    assert.equal(create.auth, "Bearer KEY1");
    assert.equal(create.body.connection_id, "conn-1");
    assert.equal(Buffer.from(create.body.client_state, "base64").toString(), callId);

    const body = event("call.answered", callId);
    const hook = `${gw.httpUrl}/voice/webhook`;
    const ok = await fetch(hook, { method: "POST", headers: { "content-type": "application/json", ...signed(body) }, body });
    assert.equal(ok.status, 200);
    const speak = await waitFor(() => api.hits.find((h) => h.path === "/calls/v3%3Actl-1/actions/speak"), 5000, "speak action");
    assert.equal(speak!.body.payload, "Hello from Telnyx");
    await waitFor(() => api.hits.find((h) => h.path === "/calls/v3%3Actl-1/actions/transcription_start"), 5000, "transcription_start");

    const unsigned = await fetch(hook, { method: "POST", headers: { "content-type": "application/json" }, body });
    assert.equal(unsigned.status, 401);
    const stale = await fetch(hook, {
      method: "POST",
      headers: { "content-type": "application/json", ...signed(body, Math.floor(Date.now() / 1000) - 600) },
      body,
    });
    assert.equal(stale.status, 401);
  });

  it("without a public key every Telnyx webhook is refused", { timeout: 20_000 }, async () => {
    const gw = await start({});
    const body = event("call.answered", "x");
    const r = await fetch(`${gw.httpUrl}/voice/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", ...signed(body) },
      body,
    });
    assert.equal(r.status, 401);
  });
});
