/**
 * DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1 talks to a tokenless
 * loopback gateway through the owner's browser. Its requests reach 127.0.0.1 but carry
 * `Host: evil.example:PORT` (and a matching Origin, so they look same-origin). Without a token or
 * password, every request except /healthz and /readyz must name a loopback host.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
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
  type HttpReply,
} from "./harness.js";

const FOREIGN_HOSTS = (port: number) => [`evil.example:${port}`, `127.0.0.1.nip.io:${port}`, `localhost.evil.example:${port}`];

function assertForbiddenHost(r: { status: number; json: any; text: string }, what: string): void {
  assert.equal(r.status, 403, `${what}: expected 403, got ${r.status} ${r.text.slice(0, 200)}`);
  assert.equal(r.json?.error?.code, "FORBIDDEN_HOST", `${what}: error code (body ${r.text.slice(0, 200)})`);
  assert.match(String(r.json?.error?.message), /127\.0\.0\.1|localhost/, `${what}: the message names the loopback address to use`);
  assert.match(String(r.json?.error?.message), /token/i, `${what}: the message mentions setting a token`);
}

describe("DNS rebinding on a tokenless loopback gateway", { timeout: 120_000 }, () => {
  const h = new Harness();
  after(() => h.cleanup());

  it("refuses a WebSocket upgrade whose Host and Origin name another site with 403 FORBIDDEN_HOST", { timeout: 60_000 }, async (t) => {
    const gw = await h.launch();
    const seen = [];
    for (const host of FOREIGN_HOSTS(gw.port)) {
      const o = await tryConnect(h, gw.port, { headers: { host, origin: `http://${host}` } });
      const leaked = await probeSecrets(o);
      report(t, `Host ${host}: ${describeOutcome(o)}; answered: ${leaked.join(", ") || "nothing"}`);
      seen.push({ host, o, leaked });
    }
    for (const { host, o, leaked } of seen) {
      assert.deepEqual(leaked, [], `Host ${host}: a rebinding page must never read config.get or chat.history`);
      assert.equal(o.kind, "refused", `Host ${host}: the upgrade must be refused (${describeOutcome(o)})`);
      if (o.kind === "refused") assertForbiddenHost(o, `upgrade with Host ${host}`);
    }
    assert.equal(gw.exited, null, "gateway alive");
  });

  it(
    "answers GET / and POST /v1/chat/completions with a foreign Host with 403 FORBIDDEN_HOST; the model is never called",
    { timeout: 60_000 },
    async (t) => {
      const fake = await h.fakeLlm();
      const gw = await h.launch({ config: llmConfig(fake, CHAT_COMPLETIONS_ON) });
      const seen = [];
      for (const host of FOREIGN_HOSTS(gw.port)) {
        const page = await httpRequest(gw.port, { path: "/", headers: { host } });
        const completion = await httpRequest(gw.port, {
          method: "POST",
          path: "/v1/chat/completions",
          headers: { host, origin: `http://${host}`, "content-type": "application/json" },
          body: JSON.stringify({ model: "openclaw", messages: [{ role: "user", content: "read me your secrets" }] }),
        });
        report(
          t,
          `Host ${host}: GET / → ${page.status}; POST /v1/chat/completions → ${completion.status}; model requests so far: ${fake.requests.length}`,
        );
        seen.push({ host, page, completion });
      }
      for (const { host, page, completion } of seen) {
        assertForbiddenHost(page, `GET / with Host ${host}`);
        assertForbiddenHost(completion, `POST /v1/chat/completions with Host ${host}`);
      }
      assert.equal(fake.requests.length, 0, "the model received no request");
      // Platform health checks come with whatever Host the platform uses.
      for (const p of ["/healthz", "/readyz"]) {
        const r = await httpRequest(gw.port, { path: p, headers: { host: `evil.example:${gw.port}` } });
        assert.equal(r.status, 200, `${p} stays open to any Host`);
      }
    },
  );

  it(
    "still lets loopback Host names in without a token: 127.0.0.1, localhost, [::1], 127.x.y.z, any port",
    { timeout: 60_000 },
    async (t) => {
      const gw = await h.launch();
      const hosts = [`127.0.0.1:${gw.port}`, `localhost:${gw.port}`, `[::1]:${gw.port}`, "127.8.9.10:8080", "localhost"];
      for (const host of hosts) {
        const o = await tryConnect(h, gw.port, { headers: { host } });
        report(t, `Host ${host}: ${describeOutcome(o)}`);
        assert.equal(o.kind, "res", `Host ${host}: ${describeOutcome(o)}`);
        if (o.kind !== "res") continue;
        assert.equal(o.res.ok, true, `Host ${host}: ${describeOutcome(o)}`);
        const cfg = await o.peer.request("config.get", {});
        assert.equal(cfg?.ok, true, `Host ${host}: config.get answers`);
        o.peer.close();
        const page: HttpReply = await httpRequest(gw.port, { path: "/", headers: { host } });
        assert.equal(page.status, 200, `Host ${host}: GET / serves the Control UI`);
      }
    },
  );

  it("with a token, accepts any Host but still requires the token", { timeout: 60_000 }, async (t) => {
    const gw = await h.launch({ token: TOKEN });
    const host = `evil.example:${gw.port}`;
    const without = await tryConnect(h, gw.port, { headers: { host, origin: `http://${host}` } });
    const leaked = await probeSecrets(without);
    report(t, `no token: ${describeOutcome(without)}; answered: ${leaked.join(", ") || "nothing"}`);
    assert.deepEqual(leaked, []);
    assert.ok(without.kind !== "res" || !without.res.ok, `no token: ${describeOutcome(without)}`);
    const withToken = await tryConnect(h, gw.port, { headers: { host }, token: TOKEN });
    report(t, `with token: ${describeOutcome(withToken)}`);
    assert.ok(withToken.kind === "res" && withToken.res.ok, `with token: ${describeOutcome(withToken)}`);
    const cfg = await withToken.peer.request("config.get", {});
    assert.equal(cfg?.ok, true);
  });
});
