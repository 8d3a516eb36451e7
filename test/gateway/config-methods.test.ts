/** config.* over the protocol: redaction, baseHash conflicts, validation by path, hot reload. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { GatewayRequestError } from "../../src/cli/client.js";
import { connect, freePort, startTestGateway, waitFor, type TestGateway } from "../helpers/gateway.js";
import { assertMatches } from "../helpers/schema.js";
import { parseLogLine } from "../../src/infra/logger.js";

const TOKEN = "cfg-token-0123456789";
const DISCORD = "discord-secret-token-xyz";

describe("config methods", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({
      token: TOKEN,
      // The Discord account is there for its secret; disabled, it never reaches out to discord.com (and
      // never logs its retries in the middle of another test).
      config: { gateway: { mode: "local", auth: { token: TOKEN } }, channels: { discord: { enabled: false, token: DISCORD } } },
    });
  });
  after(() => gw.close());

  it("config.get redacts secrets in every view and writing them back keeps the stored value", async () => {
    const c = await connect(gw.wsUrl, { token: TOKEN });
    const snap = await c.request<any>("config.get");
    const text = JSON.stringify(snap);
    assert.ok(!text.includes(DISCORD) && !text.includes(TOKEN), "no secret in config.get");
    assert.equal(snap.config.channels.discord.token, "__OPENCLAW_REDACTED__");
    // Round-trip the redacted raw text with one change: secrets survive, the change lands.
    const raw = snap.raw.replace('"mode": "local"', '"mode": "local", "port": 18789');
    await c.request("config.set", { raw, baseHash: snap.hash });
    const onDisk = JSON.parse(fs.readFileSync(path.join(gw.stateDir, "openclaw.json"), "utf8"));
    assert.equal(onDisk.channels.discord.token, DISCORD);
    assert.equal(onDisk.gateway.port, 18789);
    assert.ok(fs.existsSync(path.join(gw.stateDir, "openclaw.json.bak")), "previous file kept as .bak");
    c.close();
  });

  it("refuses a write based on a stale hash instead of clobbering the other edit", async () => {
    const a = await connect(gw.wsUrl, { token: TOKEN });
    const b = await connect(gw.wsUrl, { token: TOKEN });
    const seenByA = await a.request<any>("config.get");
    const seenByB = await b.request<any>("config.get");
    await a.request("config.patch", { raw: "{ logging: { level: 'debug' } }", baseHash: seenByA.hash });
    await assert.rejects(b.request("config.patch", { raw: "{ logging: { level: 'warn' } }", baseHash: seenByB.hash }), (e: Error) => {
      assert.equal((e as GatewayRequestError).error.code, "CONFLICT");
      return true;
    });
    await assert.rejects(b.request("config.patch", { raw: "{ logging: { level: 'warn' } }" }), /baseHash is required/);
    const now = await b.request<any>("config.get");
    assert.equal(now.config.logging.level, "debug");
    a.close();
    b.close();
  });

  it("rejects an invalid change with the offending path and leaves the file alone", async () => {
    const c = await connect(gw.wsUrl, { token: TOKEN });
    const before = fs.readFileSync(path.join(gw.stateDir, "openclaw.json"), "utf8");
    const snap = await c.request<any>("config.get");
    await assert.rejects(
      c.request("config.patch", { raw: "{ agents: { defaults: { bogusKey: 1 } } }", baseHash: snap.hash }),
      (e: Error) => {
        const err = (e as GatewayRequestError).error as any;
        assert.equal(err.code, "INVALID_REQUEST");
        assert.ok(
          err.details.issues.some((i: any) => i.path === "agents.defaults.bogusKey"),
          JSON.stringify(err.details),
        );
        return true;
      },
    );
    await assert.rejects(c.request("config.patch", { raw: "{ not json", baseHash: snap.hash }), /JSON5/);
    assert.equal(fs.readFileSync(path.join(gw.stateDir, "openclaw.json"), "utf8"), before);
    c.close();
  });

  it("config.schema returns the JSON Schema with ui hints in the published shape", async () => {
    const c = await connect(gw.wsUrl, { token: TOKEN });
    const res = await c.request<any>("config.schema");
    assertMatches("ConfigSchemaResponse", res);
    assert.ok(res.schema.properties.gateway, "schema describes gateway");
    assert.ok(res.schema.properties.agents, "schema describes agents");
    assert.equal(res.uiHints["gateway.auth.token"].sensitive, true);
    c.close();
  });

  it("logs.tail returns the gateway's JSON log lines and continues from its cursor", async () => {
    const c = await connect(gw.wsUrl, { token: TOKEN });
    const first = await c.request<any>("logs.tail", { limit: 1000 });
    assertMatches("LogsTailResult", first);
    const parsed = first.lines.map((l: string) => parseLogLine(l));
    assert.ok(parsed.some((l: any) => l.subsystem === "gateway" && l.level === "info" && /listening on/.test(l.message)));
    gw.ctx.log.info("marker line for tail");
    const next = await c.request<any>("logs.tail", { cursor: first.cursor });
    // Other lines may follow the cursor too: the gateway logs a slow request (at debug, which an earlier
    // test turned on) after answering it, so a first tail that took 50 ms or more is followed by its own
    // "logs.tail took …" line. What the cursor promises: the new line is there, nothing before it comes back.
    const messages = next.lines.map((l: string) => parseLogLine(l)!.message);
    assert.equal(messages.filter((m: string) => m === "marker line for tail").length, 1, JSON.stringify(messages));
    const repeated = next.lines.filter((l: string) => first.lines.includes(l));
    assert.deepEqual(repeated, [], "lines before the cursor are not repeated");
    assert.ok(next.cursor > first.cursor);
    const after = await c.request<any>("logs.tail", { cursor: next.cursor });
    assert.ok(!after.lines.some((l: string) => l.includes("marker line for tail")), "the cursor moved past the new line");
    assert.ok(!JSON.stringify(first).includes(TOKEN), "log lines never hold the token");
    c.close();
  });
});

describe("hot reload", () => {
  it("applies a valid edit on disk and keeps the last good config on a bad one", async () => {
    const gw = await startTestGateway({ config: { gateway: { mode: "local", reload: { debounceMs: 50 } } } });
    try {
      const file = path.join(gw.stateDir, "openclaw.json");
      const events: any[] = [];
      const c = await connect(gw.wsUrl, { onEvent: (event, payload) => events.push({ event, payload }) });
      fs.writeFileSync(file, JSON.stringify({ gateway: { mode: "local", reload: { debounceMs: 50 } }, logging: { level: "debug" } }));
      await waitFor(() => gw.ctx.config().logging?.level === "debug", 5000, "good edit applied");
      await waitFor(() => events.some((e) => e.event === "config.changed" && e.payload.valid), 2000, "config.changed event");

      fs.writeFileSync(file, JSON.stringify({ gateway: { mode: "local", reload: { debounceMs: 50 } }, logging: { level: "loud" } }));
      await waitFor(() => gw.output.some((l) => l.includes("logging.level")), 5000, "bad edit reported by path");
      assert.equal(gw.ctx.config().logging?.level, "debug", "last good config still in force");
      const status = await c.request<any>("status");
      assert.equal(status.config.valid, false);
      assert.equal(status.config.issues[0].path, "logging.level");
      assert.equal((await fetch(`${gw.httpUrl}/healthz`)).status, 200, "still alive");
      c.close();
    } finally {
      await gw.close();
    }
  });

  it("moves the listener in process when gateway.port changes", async () => {
    // The port comes from the config (gateway.port must be a real port: 0 is invalid and would mean
    // the default 18789, taken whenever a gateway runs on this machine).
    const gw = await startTestGateway({ port: undefined, config: { gateway: { mode: "local", port: await freePort() } } });
    try {
      const newPort = await freePort();
      const c = await connect(gw.wsUrl);
      const snap = await c.request<any>("config.get");
      await c.request("config.patch", { raw: JSON.stringify({ gateway: { port: newPort } }), baseHash: snap.hash });
      await waitFor(() => gw.port === newPort, 5000, "listener moved");
      const c2 = await connect(`ws://127.0.0.1:${newPort}`);
      assert.equal((await c2.request<any>("status")).gateway.port, newPort);
      c2.close();
    } finally {
      await gw.close();
    }
  });
});
