import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ModelRefError, modelChainFor, providerInfo, resolveModel } from "../../src/providers/models.js";
import type { OpenClawConfig } from "../../src/config/schema.js";

const cfg = {
  agents: {
    defaults: {
      model: { primary: "anthropic/claude-opus-4-5", fallbacks: ["openai/gpt-4o"] },
      models: { "openai/gpt-4o-mini": { alias: "mini" } },
    },
    list: [{ id: "main" }, { id: "work", model: "google/gemini-2.5-pro" }],
  },
  models: {
    providers: {
      local: {
        baseUrl: "http://127.0.0.1:9/v1",
        api: "openai-completions",
        models: [{ id: "qwen3", name: "Qwen 3", contextWindow: 32768, compat: { maxTokensField: "max_tokens" } }],
      },
    },
  },
} as unknown as OpenClawConfig;

describe("model refs", () => {
  it("resolves built-in models with their limits and prices", () => {
    const m = resolveModel(cfg, "anthropic/claude-opus-4-5");
    assert.equal(m.api, "anthropic-messages");
    assert.equal(m.contextWindow, 200_000);
    assert.equal(m.cost.input, 5);
  });

  it("resolves aliases, custom providers (with compat) and unknown model ids of known providers", () => {
    assert.equal(resolveModel(cfg, "mini").id, "gpt-4o-mini");
    const local = resolveModel(cfg, "local/qwen3");
    assert.equal(local.baseUrl, "http://127.0.0.1:9/v1");
    assert.equal(local.contextWindow, 32768);
    assert.deepEqual(local.compat, { maxTokensField: "max_tokens" });
    assert.equal(resolveModel(cfg, "openrouter/meta-llama/llama-4").id, "meta-llama/llama-4");
  });

  it("explains a bad ref", () => {
    assert.throws(
      () => resolveModel(cfg, "gpt-4o"),
      (e: Error) => e instanceof ModelRefError && /provider\/model/.test(e.message),
    );
    assert.throws(() => resolveModel(cfg, "acme/x"), /unknown provider "acme".*add it under models\.providers\.acme/);
  });

  it("hosted providers need a key; keyless custom and local ones do not", () => {
    assert.equal(providerInfo(cfg, "anthropic")!.keyOptional, false);
    assert.equal(providerInfo(cfg, "ollama")!.keyOptional, true);
    assert.equal(providerInfo(cfg, "local")!.keyOptional, true);
  });

  it("builds each agent's chain, ending an override at the configured primary", () => {
    assert.deepEqual(modelChainFor(cfg, "main"), ["anthropic/claude-opus-4-5", "openai/gpt-4o"]);
    assert.deepEqual(modelChainFor(cfg, "work"), ["google/gemini-2.5-pro", "openai/gpt-4o"]);
    assert.deepEqual(modelChainFor(cfg, "main", "local/qwen3"), ["local/qwen3", "openai/gpt-4o", "anthropic/claude-opus-4-5"]);
  });
});
