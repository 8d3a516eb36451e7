/** classifyError against the error objects the real SDKs (and fetch) throw. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { ApiError } from "@google/genai";
import { classifyError } from "../../src/providers/errors.js";
import { ProviderError } from "../../src/providers/types.js";

const ctx = { provider: "p", model: "m" };
const headers = (h: Record<string, string> = {}) => new Headers(h);
const anthropic = (status: number, type: string, message: string, h: Record<string, string> = {}) =>
  Anthropic.APIError.generate(status, { type: "error", error: { type, message } }, undefined, headers(h));
const openai = (status: number, error: { message: string; type?: string; code?: string | null }, h: Record<string, string> = {}) =>
  OpenAI.APIError.generate(status, { error }, undefined, headers(h));
const gemini = (code: number, status: string, message: string, extra: object = {}) =>
  new ApiError({ message: JSON.stringify({ error: { code, message, status, ...extra } }), status: code });

describe("classifyError", () => {
  it("auth: 401/403, and Gemini's 400 API_KEY_INVALID", () => {
    assert.equal(classifyError(anthropic(401, "authentication_error", "invalid x-api-key"), ctx).kind, "auth");
    assert.equal(classifyError(openai(403, { message: "forbidden", type: "invalid_request_error" }), ctx).kind, "auth");
    const bad = gemini(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", {
      details: [{ reason: "API_KEY_INVALID" }],
    });
    assert.equal(classifyError(bad, ctx).kind, "auth");
  });

  it("billing: 402, Anthropic's credit balance message, OpenAI insufficient_quota", () => {
    assert.equal(classifyError(anthropic(402, "billing_error", "Payment required"), ctx).kind, "billing");
    const credit = anthropic(
      400,
      "invalid_request_error",
      "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing.",
    );
    assert.equal(classifyError(credit, ctx).kind, "billing");
    const quota = openai(429, {
      message: "You exceeded your current quota, please check your plan and billing details.",
      type: "insufficient_quota",
      code: "insufficient_quota",
    });
    assert.equal(classifyError(quota, ctx).kind, "billing");
  });

  it("rate_limit with retryAfterMs from retry-after-ms, retry-after (seconds or date), Google RetryInfo", () => {
    const a = classifyError(anthropic(429, "rate_limit_error", "slow down", { "retry-after-ms": "1500", "retry-after": "9" }), ctx);
    assert.equal(a.kind, "rate_limit");
    assert.equal(a.retryAfterMs, 1500);
    assert.equal(
      classifyError(openai(429, { message: "Rate limit reached", code: "rate_limit_exceeded" }, { "retry-after": "3" }), ctx).retryAfterMs,
      3000,
    );
    const date = new Date(Date.now() + 60_000).toUTCString();
    const d = classifyError(openai(429, { message: "Rate limit reached" }, { "retry-after": date }), ctx).retryAfterMs;
    assert.ok(d !== undefined && d > 50_000 && d <= 60_000, String(d));
    const g = gemini(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing details.", {
      details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "42s" }],
    });
    const gc = classifyError(g, ctx);
    assert.equal(gc.kind, "rate_limit", "Gemini's per-minute quota is a rate limit, not billing");
    assert.equal(gc.retryAfterMs, 42_000);
  });

  it("overloaded: 529, 503, and an overloaded_error event inside a stream (no status)", () => {
    assert.equal(classifyError(anthropic(529, "overloaded_error", "Overloaded"), ctx).kind, "overloaded");
    assert.equal(classifyError(gemini(503, "UNAVAILABLE", "The model is overloaded."), ctx).kind, "overloaded");
    const inStream = new Anthropic.APIError(
      undefined,
      { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
      undefined,
      headers(),
      "overloaded_error",
    );
    assert.equal(classifyError(inStream, ctx).kind, "overloaded");
  });

  it("server: other 5xx, and server errors inside a stream", () => {
    assert.equal(classifyError(anthropic(500, "api_error", "Internal server error"), ctx).kind, "server");
    assert.equal(classifyError(openai(502, { message: "Bad gateway" }), ctx).kind, "server");
    const inStream = new OpenAI.APIError(undefined, { message: "The server had an error", type: "server_error" }, undefined, headers());
    assert.equal(classifyError(inStream, ctx).kind, "server");
  });

  it("context_overflow from each API's wording (no failover)", () => {
    const cases = [
      anthropic(400, "invalid_request_error", "prompt is too long: 201234 tokens > 200000 maximum"),
      openai(400, {
        message: "This model's maximum context length is 128000 tokens.",
        type: "invalid_request_error",
        code: "context_length_exceeded",
      }),
      gemini(400, "INVALID_ARGUMENT", "The input token count (1048577) exceeds the maximum number of tokens allowed (1048576)."),
      anthropic(413, "request_too_large", "Request exceeds the maximum size"),
    ];
    for (const err of cases) {
      const e = classifyError(err, ctx);
      assert.equal(e.kind, "context_overflow", e.message);
      assert.equal(e.failover, false);
    }
  });

  it("bad_request for other 4xx", () => {
    assert.equal(classifyError(anthropic(400, "invalid_request_error", "messages.0.content: field required"), ctx).kind, "bad_request");
    assert.equal(classifyError(openai(404, { message: "The model `x` does not exist" }), ctx).kind, "bad_request");
    assert.equal(classifyError(openai(422, { message: "unprocessable" }), ctx).kind, "bad_request");
  });

  it("timeout: SDK timeouts, AbortSignal.timeout, 408/504", async () => {
    assert.equal(classifyError(new Anthropic.APIConnectionTimeoutError(), ctx).kind, "timeout");
    assert.equal(classifyError(new OpenAI.APIConnectionTimeoutError(), ctx).kind, "timeout");
    const signal = AbortSignal.timeout(1);
    await new Promise((r) => signal.addEventListener("abort", r, { once: true }));
    assert.equal(classifyError(signal.reason, ctx).kind, "timeout");
    assert.equal(classifyError(openai(504, { message: "Gateway timeout" }), ctx).kind, "timeout");
  });

  it("network: connection refused / DNS / reset anywhere in the cause chain", () => {
    for (const code of ["ECONNREFUSED", "ENOTFOUND", "ECONNRESET"]) {
      const fetchFailed = new TypeError("fetch failed", { cause: Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code }) });
      assert.equal(classifyError(new Anthropic.APIConnectionError({ cause: fetchFailed }), ctx).kind, "network", code);
      assert.equal(classifyError(fetchFailed, ctx).kind, "network", code);
    }
  });

  it("aborted: a caller abort", () => {
    assert.equal(classifyError(new Anthropic.APIUserAbortError(), ctx).kind, "aborted");
    assert.equal(classifyError(new DOMException("This operation was aborted", "AbortError"), ctx).kind, "aborted");
  });

  it("keeps provider, model and status, and passes ProviderErrors through", () => {
    const e = classifyError(anthropic(529, "overloaded_error", "Overloaded"), { provider: "anthropic", model: "claude-x" });
    assert.equal(e.provider, "anthropic");
    assert.equal(e.model, "claude-x");
    assert.equal(e.status, 529);
    assert.match(e.message, /^anthropic\/claude-x: 529 overloaded_error: Overloaded$/);
    const pe = new ProviderError("billing", "x");
    assert.equal(classifyError(pe, ctx), pe);
    assert.equal(classifyError(new Error("something odd"), ctx).kind, "server");
  });
});
