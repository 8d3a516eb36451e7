/** Bad requests get an answer that names the problem and the fix, and cost nothing to refuse. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import WebSocket from "ws";
import { GatewayRequestError } from "../../src/cli/client.js";
import { connect, startTestGateway, type TestGateway } from "../helpers/gateway.js";

const TOKEN = "errors-test-token-0123";

describe("clear refusals", { timeout: 30_000 }, () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ token: TOKEN, config: { gateway: { mode: "local" } } });
  });
  after(async () => {
    await gw.close();
    fs.rmSync(gw.stateDir, { recursive: true, force: true });
  });

  it("sessions.compact of a session that does not exist is NOT_FOUND, not an internal error", async () => {
    const c = await connect(gw.wsUrl, { token: TOKEN });
    try {
      await assert.rejects(c.request("sessions.compact", { key: "agent:main:nobody" }), (e: Error) => {
        assert.equal((e as GatewayRequestError).error.code, "NOT_FOUND");
        assert.equal(e.message, "NOT_FOUND: no session agent:main:nobody");
        return true;
      });
    } finally {
      c.close();
    }
  });

  it("a turned-off OpenAI endpoint says which setting turns it on", async () => {
    const res = await fetch(`${gw.httpUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "openclaw", messages: [{ role: "user", content: "hi" }] }),
    });
    assert.equal(res.status, 404);
    const body = (await res.json()) as { error: { message: string } };
    assert.match(body.error.message, /gateway\.http\.endpoints\.chatCompletions\.enabled/);
  });

  it("drops a frame nested too deeply to handle, and the connection keeps working", async () => {
    const c = await connect(gw.wsUrl, { token: TOKEN });
    try {
      const ws = (c as unknown as { ws: WebSocket }).ws;
      ws.send(`{"type":"req","id":"deep","method":"health","params":${"[".repeat(100_000)}${"]".repeat(100_000)}}`);
      const health = await c.request<{ ok: boolean }>("health");
      assert.equal(health.ok, true);
    } finally {
      c.close();
    }
  });
});

describe("the OpenAI endpoint's input limits", { timeout: 30_000 }, () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({
      token: TOKEN,
      config: { gateway: { mode: "local", http: { endpoints: { chatCompletions: { enabled: true } } } } },
    });
  });
  after(async () => {
    await gw.close();
    fs.rmSync(gw.stateDir, { recursive: true, force: true });
  });

  const post = (body: string, contentType = "application/json") =>
    fetch(`${gw.httpUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": contentType },
      body,
    });

  it("needs a JSON content type, which browsers cannot send across sites without asking", async () => {
    const res = await post(JSON.stringify({ messages: [{ role: "user", content: "hi" }] }), "text/plain");
    assert.equal(res.status, 415);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /Content-Type must be application\/json/);
  });

  it("refuses nesting and sizes no chat request needs, before parsing", async () => {
    const deep = await post(`{"messages":${"[".repeat(1000)}${"]".repeat(1000)}}`);
    assert.equal(deep.status, 400);
    assert.match(((await deep.json()) as { error: { message: string } }).error.message, /nested deeper than 32 levels/);
    const wide = await post(`{"messages":[${Array(20_000).fill("{}").join(",")}]}`);
    assert.equal(wide.status, 400);
    assert.match(((await wide.json()) as { error: { message: string } }).error.message, /more than 10000 objects and arrays/);
    const system = await post(
      JSON.stringify({
        messages: [
          { role: "system", content: "s".repeat(200_001) },
          { role: "user", content: "hi" },
        ],
      }),
    );
    assert.equal(system.status, 400);
    assert.match(((await system.json()) as { error: { message: string } }).error.message, /system messages are 200001 characters/);
  });
});
