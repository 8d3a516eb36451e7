/**
 * Request bodies the gateway will not hold: an oversized body to Slack's events path is refused before
 * Bolt reads it, and chat completion bodies arriving together share one budget, so a pile of large
 * requests gets "retry later" instead of taking the memory. The gateway keeps answering throughout.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { FakeLlm } from "../fakes/llm.js";
import { startSlackFake, type SlackFake } from "../fakes/slack.js";
import { startAgentGateway, startFakes, type Fakes } from "../helpers/agents.js";
import { connect, startTestGateway, waitFor, type TestGateway } from "../helpers/gateway.js";

const TOKEN = "body-limits-token-0123456789";
const MB = 1024 * 1024;

/** Opens a raw connection and sends a request head; resolves with the socket and its collected answer. */
async function rawRequest(port: number, head: string) {
  const s = net.connect(port, "127.0.0.1");
  await new Promise<void>((r, j) => s.once("connect", r).once("error", j));
  let answer = "";
  s.on("data", (d) => (answer += d));
  s.on("error", () => undefined);
  s.write(head);
  return { s, answer: () => answer };
}

/** Sends `bytes` of body on `s`, resolving when the last byte has been handed to the kernel. */
async function sendBody(s: net.Socket, bytes: number): Promise<void> {
  const chunk = Buffer.alloc(MB, 0x61);
  for (let sent = 0; sent < bytes && !s.destroyed; sent += MB) {
    await new Promise<void>((r) => s.write(chunk.subarray(0, Math.min(MB, bytes - sent)), () => r()));
  }
}

async function stillAnswers(gw: TestGateway) {
  const c = await connect(gw.wsUrl, { token: TOKEN });
  try {
    const h = (await c.request("health", {})) as { ok?: boolean };
    assert.equal(h.ok, true);
  } finally {
    c.close();
  }
}

describe("request body limits", { timeout: 60_000 }, () => {
  describe("Slack events in HTTP mode", () => {
    let llm: FakeLlm;
    let slack: SlackFake;
    let gw: TestGateway;
    before(async () => {
      llm = await FakeLlm.start("anthropic");
      slack = await startSlackFake({ botName: "krill" });
      gw = await startTestGateway({
        config: {
          gateway: { mode: "local" },
          models: { providers: { anthropic: { baseUrl: llm.baseUrl, models: [] } } },
          agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },
          channels: {
            slack: { mode: "http", botToken: slack.botToken, signingSecret: slack.signingSecret, apiBaseUrl: slack.apiBaseUrl },
          },
        },
        env: { ANTHROPIC_API_KEY: "k", OPENCLAW_GATEWAY_TOKEN: TOKEN },
      });
      await waitFor(() => gw.output.some((l) => l.includes("receiving Slack events at /slack/events")), 10_000, "route mounted");
    });
    after(async () => {
      await gw?.close();
      await slack?.close();
      await llm?.close();
    });

    it("refuses a body declared larger than 1 MB with 413 and says so", async () => {
      const r = await rawRequest(
        gw.port,
        `POST /slack/events HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${50 * MB}\r\n\r\n`,
      );
      await waitFor(() => r.answer().includes("\r\n\r\n{"), 10_000, "the answer");
      r.s.destroy();
      assert.match(r.answer(), /^HTTP\/1\.1 413/);
      assert.match(r.answer(), /larger than 1048576 bytes, the limit for Slack events; send a smaller payload/);
      await stillAnswers(gw);
    });

    it("refuses a streamed body once it passes 1 MB, without waiting for the rest", async () => {
      const r = await rawRequest(
        gw.port,
        `POST /slack/events HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n`,
      );
      const chunk = Buffer.alloc(256 * 1024, 0x61);
      for (let i = 0; i < 8 && !r.answer(); i++) r.s.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      await waitFor(() => r.answer().includes("\r\n\r\n{"), 10_000, "the answer");
      r.s.destroy();
      assert.match(r.answer(), /^HTTP\/1\.1 413/);
      assert.match(r.answer(), /the limit for Slack events/);
      await stillAnswers(gw);
    });
  });

  describe("chat completion bodies arriving together", () => {
    let f: Fakes;
    let gw: TestGateway;
    before(async () => {
      f = await startFakes();
      gw = await startAgentGateway(
        f,
        { gatewayExtra: { http: { endpoints: { chatCompletions: { enabled: true } } } } },
        { env: { OPENCLAW_GATEWAY_TOKEN: TOKEN } },
      );
    });
    after(async () => {
      await gw?.close();
      await f?.close();
    });

    it("answers 503 with retry-after while other bodies hold the budget, and serves again afterwards", async () => {
      const head = (len: number) =>
        `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${TOKEN}\r\n` +
        `content-type: application/json\r\ncontent-length: ${len}\r\n\r\n`;
      // Two bodies just under the per-request cap, both left unfinished: together they pass the budget.
      const first = await rawRequest(gw.port, head(15 * MB + 1));
      await sendBody(first.s, 15 * MB);
      const second = await rawRequest(gw.port, head(15 * MB + 1));
      void sendBody(second.s, 15 * MB);
      await waitFor(() => second.answer().includes("\r\n\r\n{"), 20_000, "the refusal");
      assert.match(second.answer(), /^HTTP\/1\.1 503/);
      assert.match(second.answer(), /retry-after: 5/i);
      assert.match(second.answer(), /already holding as many request bodies as it has memory for; retry in a few seconds/);
      first.s.destroy();
      second.s.destroy();
      // With those gone, a normal request is served.
      f.anthropic.enqueue({ text: "back to normal" });
      const res = await fetch(`${gw.httpUrl}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "openclaw", messages: [{ role: "user", content: "hello" }] }),
      });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { choices: Array<{ message: { content: string } }> };
      assert.equal(body.choices[0]!.message.content, "back to normal");
      await stillAnswers(gw);
    });
  });
});
