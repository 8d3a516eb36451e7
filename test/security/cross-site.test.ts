/**
 * Cross-site requests: a page on another site makes the owner's browser send requests to the
 * loopback gateway. A form or `fetch(..., {mode: "no-cors"})` can POST `text/plain` without a CORS
 * preflight, and a WebSocket is never preflighted. A request whose Origin names another host:port
 * than its Host, or that says `Sec-Fetch-Site: cross-site`, is never local; on a tokenless gateway
 * it is refused with 403 FORBIDDEN_ORIGIN. `POST /v1/chat/completions` only takes
 * `Content-Type: application/json`.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { FakeLlm } from "../fakes/llm.js";
import {
  CHAT_COMPLETIONS_ON,
  Harness,
  TOKEN,
  describeOutcome,
  httpRequest,
  llmConfig,
  probeSecrets,
  report,
  tryConnect,
  type Gw,
  type HttpReply,
} from "./harness.js";

const body = (text: string) => JSON.stringify({ model: "openclaw", messages: [{ role: "user", content: text }] });

function post(gw: Gw, headers: Record<string, string>, text = "hello"): Promise<HttpReply> {
  return httpRequest(gw.port, { method: "POST", path: "/v1/chat/completions", headers, body: body(text) });
}

function assertForbiddenOrigin(r: { status: number; json: any; text: string }, what: string): void {
  assert.equal(r.status, 403, `${what}: expected 403, got ${r.status} ${r.text.slice(0, 200)}`);
  assert.equal(r.json?.error?.code, "FORBIDDEN_ORIGIN", `${what}: error code (body ${r.text.slice(0, 200)})`);
}

describe("cross-site requests to a tokenless loopback gateway", { timeout: 120_000 }, () => {
  const h = new Harness();
  after(() => h.cleanup());

  async function start(): Promise<{ gw: Gw; fake: FakeLlm }> {
    const fake = await h.fakeLlm();
    const gw = await h.launch({ config: llmConfig(fake, CHAT_COMPLETIONS_ON) });
    return { gw, fake };
  }

  it(
    "a cross-site text/plain POST to /v1/chat/completions (Origin https://evil.example) never reaches the model",
    { timeout: 60_000 },
    async (t) => {
      const { gw, fake } = await start();
      const r = await post(gw, { host: gw.host, origin: "https://evil.example", "content-type": "text/plain" }, "spend my money");
      report(t, `POST → ${r.status} ${r.text.slice(0, 160)}; model requests: ${fake.requests.length}`);
      assert.notEqual(r.status, 200, "refused");
      assert.ok(r.status === 403 || r.status === 415, `403 or 415, got ${r.status}`);
      assert.equal(fake.requests.length, 0, "the model received no request");
    },
  );

  it("a POST with Sec-Fetch-Site: cross-site and no Origin is refused with 403 FORBIDDEN_ORIGIN", { timeout: 60_000 }, async (t) => {
    const { gw, fake } = await start();
    const plain = await post(gw, { host: gw.host, "sec-fetch-site": "cross-site", "content-type": "text/plain" });
    const json = await post(gw, { host: gw.host, "sec-fetch-site": "cross-site", "content-type": "application/json" });
    report(t, `text/plain → ${plain.status}; application/json → ${json.status}; model requests: ${fake.requests.length}`);
    assertForbiddenOrigin(plain, "text/plain");
    assertForbiddenOrigin(json, "application/json");
    assert.equal(fake.requests.length, 0, "the model received no request");
  });

  it(
    "a cross-origin application/json POST and a cross-site GET / are refused with 403 FORBIDDEN_ORIGIN",
    { timeout: 60_000 },
    async (t) => {
      const { gw, fake } = await start();
      const json = await post(gw, { host: gw.host, origin: "https://evil.example", "content-type": "application/json" });
      const otherPort = await post(gw, { host: gw.host, origin: `http://127.0.0.1:${gw.port + 1}`, "content-type": "application/json" });
      const page = await httpRequest(gw.port, { path: "/", headers: { host: gw.host, origin: "https://evil.example" } });
      const nav = await httpRequest(gw.port, { path: "/", headers: { host: gw.host, "sec-fetch-site": "cross-site" } });
      report(
        t,
        `POST Origin evil → ${json.status}; POST Origin other port → ${otherPort.status}; GET / Origin evil → ${page.status}; GET / Sec-Fetch-Site cross-site → ${nav.status}; model requests: ${fake.requests.length}`,
      );
      assertForbiddenOrigin(json, "POST with Origin https://evil.example");
      assertForbiddenOrigin(otherPort, "POST with an Origin on another port");
      assertForbiddenOrigin(page, "GET / with Origin https://evil.example");
      assertForbiddenOrigin(nav, "GET / with Sec-Fetch-Site: cross-site");
      assert.equal(fake.requests.length, 0, "the model received no request");
      for (const p of ["/healthz", "/readyz"]) {
        const r = await httpRequest(gw.port, {
          path: p,
          headers: { host: gw.host, origin: "https://evil.example", "sec-fetch-site": "cross-site" },
        });
        assert.equal(r.status, 200, `${p} stays open`);
      }
    },
  );

  it("a cross-site WebSocket upgrade is refused with 403 FORBIDDEN_ORIGIN", { timeout: 60_000 }, async (t) => {
    const { gw } = await start();
    const cases: Array<[string, Record<string, string>]> = [
      ["Origin https://evil.example", { origin: "https://evil.example" }],
      ["Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site" }],
    ];
    const seen = [];
    for (const [what, headers] of cases) {
      const o = await tryConnect(h, gw.port, { headers: { host: gw.host, ...headers } });
      const leaked = await probeSecrets(o);
      report(t, `${what}: ${describeOutcome(o)}; answered: ${leaked.join(", ") || "nothing"}`);
      seen.push({ what, o, leaked });
    }
    for (const { what, o, leaked } of seen) {
      assert.deepEqual(leaked, [], `${what}: never answers config.get or chat.history`);
      assert.equal(o.kind, "refused", `${what}: ${describeOutcome(o)}`);
      if (o.kind === "refused") assertForbiddenOrigin(o, what);
    }
  });

  it("POST /v1/chat/completions without Origin but with a non-JSON Content-Type answers 415", { timeout: 60_000 }, async (t) => {
    const { gw, fake } = await start();
    const types = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"];
    const seen = [];
    for (const type of types) seen.push({ type, r: await post(gw, { host: gw.host, "content-type": type }) });
    report(t, seen.map(({ type, r }) => `${type} → ${r.status}`).join("; ") + `; model requests: ${fake.requests.length}`);
    for (const { type, r } of seen) assert.equal(r.status, 415, `${type}: ${r.status} ${r.text.slice(0, 160)}`);
    assert.equal(fake.requests.length, 0, "the model received no request");
  });

  it(
    "same-origin requests still work: no Origin, a matching Origin, Sec-Fetch-Site: same-origin, JSON with a charset",
    { timeout: 60_000 },
    async (t) => {
      const { gw, fake } = await start();
      const cases: Array<[string, Record<string, string>]> = [
        ["no Origin", { "content-type": "application/json" }],
        ["Origin of the gateway itself", { origin: `http://${gw.host}`, "content-type": "application/json" }],
        ["Sec-Fetch-Site: same-origin", { "sec-fetch-site": "same-origin", "content-type": "application/json" }],
        ["application/json; charset=utf-8", { "content-type": "application/json; charset=utf-8" }],
      ];
      for (const [what, headers] of cases) {
        const r = await post(gw, { host: gw.host, ...headers }, `ping ${what}`);
        report(t, `${what} → ${r.status}`);
        assert.equal(r.status, 200, `${what}: ${r.status} ${r.text.slice(0, 200)}`);
        assert.equal(r.json?.choices?.[0]?.message?.content, `echo: ping ${what}`, `${what}: the model's reply`);
      }
      const o = await tryConnect(h, gw.port, { headers: { host: gw.host, origin: `http://${gw.host}` } });
      assert.ok(o.kind === "res" && o.res.ok, `same-origin WebSocket: ${describeOutcome(o)}`);
    },
  );
});

describe("Content-Type on a gateway with a token", { timeout: 60_000 }, () => {
  const h = new Harness();
  after(() => h.cleanup());

  it("answers 415 to an authenticated text/plain POST", { timeout: 60_000 }, async (t) => {
    const fake = await h.fakeLlm();
    const gw = await h.launch({ config: llmConfig(fake, CHAT_COMPLETIONS_ON), token: TOKEN });
    const r = await post(gw, { host: gw.host, authorization: `Bearer ${TOKEN}`, "content-type": "text/plain" });
    report(t, `text/plain with the token → ${r.status}; model requests: ${fake.requests.length}`);
    assert.equal(r.status, 415, `${r.status} ${r.text.slice(0, 160)}`);
    assert.equal(fake.requests.length, 0);
    const ok = await post(gw, { host: gw.host, authorization: `Bearer ${TOKEN}`, "content-type": "application/json" });
    assert.equal(ok.status, 200, "application/json with the token is served");
  });
});
