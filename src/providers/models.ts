/**
 * Model refs (`provider/model`, or an alias from `agents.defaults.models`) → `ModelSpec`.
 *
 * Built-in providers cover the usual hosted APIs and local OpenAI-compatible servers; entries in
 * `models.providers.<id>` override them or add new ones (`baseUrl`, `api`, `apiKey`, `headers`,
 * `models[]` with limits and prices). A model a provider does not list still resolves, with
 * conservative limits, so a new model id works without a config change.
 */
import type { OpenClawConfig } from "../config/schema.js";
import type { Api, ModelSpec } from "./types.js";

export class ModelRefError extends Error {
  readonly code = "MODEL_REF";
}

interface ProviderDef {
  api: Api;
  baseUrl: string;
  /** Environment variables holding the key, first set wins. */
  envKeys: string[];
  /** Local servers need no key. */
  keyOptional?: boolean;
  defaults: { contextWindow: number; maxTokens: number };
  models: Record<string, Partial<Omit<ModelSpec, "provider" | "id" | "api" | "baseUrl">>>;
}

const price = (input: number, output: number, cacheRead = input / 10, cacheWrite = input * 1.25) => ({
  input,
  output,
  cacheRead,
  cacheWrite,
});
const vision: Array<"text" | "image"> = ["text", "image"];

/** Hosted and local providers that work without any `models.providers` entry. */
export const BUILTIN_PROVIDERS: Record<string, ProviderDef> = {
  anthropic: {
    api: "anthropic-messages",
    baseUrl: "https://api.anthropic.com",
    envKeys: ["ANTHROPIC_API_KEY", "ANTHROPIC_OAUTH_TOKEN"],
    defaults: { contextWindow: 200_000, maxTokens: 8192 },
    models: {
      "claude-opus-4-5": {
        name: "Claude Opus 4.5",
        contextWindow: 200_000,
        maxTokens: 64_000,
        reasoning: true,
        input: vision,
        cost: price(5, 25),
      },
      "claude-sonnet-4-5": {
        name: "Claude Sonnet 4.5",
        contextWindow: 200_000,
        maxTokens: 64_000,
        reasoning: true,
        input: vision,
        cost: price(3, 15),
      },
      "claude-haiku-4-5": {
        name: "Claude Haiku 4.5",
        contextWindow: 200_000,
        maxTokens: 64_000,
        reasoning: true,
        input: vision,
        cost: price(1, 5),
      },
      "claude-opus-4-1": {
        name: "Claude Opus 4.1",
        contextWindow: 200_000,
        maxTokens: 32_000,
        reasoning: true,
        input: vision,
        cost: price(15, 75),
      },
      "claude-sonnet-4-0": {
        name: "Claude Sonnet 4",
        contextWindow: 200_000,
        maxTokens: 64_000,
        reasoning: true,
        input: vision,
        cost: price(3, 15),
      },
    },
  },
  openai: {
    api: "openai-completions",
    baseUrl: "https://api.openai.com/v1",
    envKeys: ["OPENAI_API_KEY"],
    defaults: { contextWindow: 128_000, maxTokens: 16_384 },
    models: {
      "gpt-4o": { name: "GPT-4o", contextWindow: 128_000, maxTokens: 16_384, input: vision, cost: price(2.5, 10, 1.25, 0) },
      "gpt-4o-mini": { name: "GPT-4o mini", contextWindow: 128_000, maxTokens: 16_384, input: vision, cost: price(0.15, 0.6, 0.075, 0) },
      "gpt-4.1": { name: "GPT-4.1", contextWindow: 1_047_576, maxTokens: 32_768, input: vision, cost: price(2, 8, 0.5, 0) },
      "gpt-4.1-mini": { name: "GPT-4.1 mini", contextWindow: 1_047_576, maxTokens: 32_768, input: vision, cost: price(0.4, 1.6, 0.1, 0) },
      "gpt-5": {
        name: "GPT-5",
        contextWindow: 400_000,
        maxTokens: 128_000,
        reasoning: true,
        input: vision,
        cost: price(1.25, 10, 0.125, 0),
      },
      "gpt-5-mini": {
        name: "GPT-5 mini",
        contextWindow: 400_000,
        maxTokens: 128_000,
        reasoning: true,
        input: vision,
        cost: price(0.25, 2, 0.025, 0),
      },
    },
  },
  google: {
    api: "google-generative-ai",
    baseUrl: "https://generativelanguage.googleapis.com",
    envKeys: ["GEMINI_API_KEY", "GOOGLE_API_KEY"],
    defaults: { contextWindow: 1_048_576, maxTokens: 8192 },
    models: {
      "gemini-2.5-pro": {
        name: "Gemini 2.5 Pro",
        contextWindow: 1_048_576,
        maxTokens: 65_536,
        reasoning: true,
        input: vision,
        cost: price(1.25, 10, 0.31, 0),
      },
      "gemini-2.5-flash": {
        name: "Gemini 2.5 Flash",
        contextWindow: 1_048_576,
        maxTokens: 65_536,
        reasoning: true,
        input: vision,
        cost: price(0.3, 2.5, 0.075, 0),
      },
    },
  },
  openrouter: {
    api: "openai-completions",
    baseUrl: "https://openrouter.ai/api/v1",
    envKeys: ["OPENROUTER_API_KEY"],
    defaults: { contextWindow: 128_000, maxTokens: 8192 },
    models: {},
  },
  ollama: {
    api: "openai-completions",
    baseUrl: "http://127.0.0.1:11434/v1",
    envKeys: ["OLLAMA_API_KEY"],
    keyOptional: true,
    defaults: { contextWindow: 32_768, maxTokens: 8192 },
    models: {},
  },
  lmstudio: {
    api: "openai-completions",
    baseUrl: "http://127.0.0.1:1234/v1",
    envKeys: ["LMSTUDIO_API_KEY"],
    keyOptional: true,
    defaults: { contextWindow: 32_768, maxTokens: 8192 },
    models: {},
  },
  vllm: {
    api: "openai-completions",
    baseUrl: "http://127.0.0.1:8000/v1",
    envKeys: ["VLLM_API_KEY"],
    keyOptional: true,
    defaults: { contextWindow: 32_768, maxTokens: 8192 },
    models: {},
  },
};

const API_ALIASES: Record<string, Api> = {
  "anthropic-messages": "anthropic-messages",
  "openai-completions": "openai-completions",
  "openai-responses": "openai-completions",
  "google-generative-ai": "google-generative-ai",
};

type ProviderConfig = NonNullable<NonNullable<OpenClawConfig["models"]>["providers"]>[string];

export interface ProviderInfo {
  id: string;
  api: Api;
  baseUrl: string;
  headers?: Record<string, string>;
  envKeys: string[];
  keyOptional: boolean;
  /** Key written in `models.providers.<id>.apiKey` (after `${VAR}` substitution). */
  configKey?: string;
  defaults: { contextWindow: number; maxTokens: number };
  models: Record<string, Partial<ModelSpec>>;
}

/** The provider as configured: built-in definition merged with `models.providers.<id>`. */
export function providerInfo(cfg: OpenClawConfig, id: string): ProviderInfo | null {
  const builtin = BUILTIN_PROVIDERS[id];
  const custom: ProviderConfig | undefined = cfg.models?.providers?.[id];
  if (!builtin && !custom) return null;
  const api = (custom?.api && API_ALIASES[custom.api]) || builtin?.api || "openai-completions";
  if (custom?.api && !API_ALIASES[custom.api]) {
    throw new ModelRefError(
      `models.providers.${id}.api "${custom.api}" is not supported (use anthropic-messages, openai-completions or google-generative-ai)`,
    );
  }
  const models: Record<string, Partial<ModelSpec>> = { ...(builtin?.models ?? {}) };
  for (const m of custom?.models ?? []) {
    models[m.id] = {
      ...models[m.id],
      name: m.name,
      ...(m.contextWindow ? { contextWindow: m.contextWindow } : {}),
      ...(m.maxTokens ? { maxTokens: m.maxTokens } : {}),
      ...(m.reasoning !== undefined ? { reasoning: m.reasoning } : {}),
      ...(m.input ? { input: m.input } : {}),
      ...(m.headers ? { headers: m.headers } : {}),
      ...(m.compat ? { compat: m.compat } : {}),
      ...(m.cost
        ? {
            cost: {
              input: m.cost.input ?? 0,
              output: m.cost.output ?? 0,
              cacheRead: m.cost.cacheRead ?? 0,
              cacheWrite: m.cost.cacheWrite ?? 0,
            },
          }
        : {}),
    };
  }
  return {
    id,
    api,
    baseUrl: custom?.baseUrl ?? builtin!.baseUrl,
    headers: custom?.headers,
    envKeys: builtin?.envKeys ?? [`${id.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_API_KEY`],
    // Hosted APIs need a key; a custom provider without one is assumed to be a local server.
    keyOptional: builtin ? Boolean(builtin.keyOptional) : !custom?.apiKey,
    configKey: custom?.apiKey,
    defaults: builtin?.defaults ?? { contextWindow: 128_000, maxTokens: 8192 },
    models,
  };
}

/** Every provider id the config can use. */
export function providerIds(cfg: OpenClawConfig): string[] {
  return [...new Set([...Object.keys(BUILTIN_PROVIDERS), ...Object.keys(cfg.models?.providers ?? {})])];
}

/** `alias` → `provider/model` from `agents.defaults.models`. */
function resolveAlias(cfg: OpenClawConfig, ref: string): string {
  const trimmed = ref.trim();
  for (const [key, v] of Object.entries(cfg.agents?.defaults?.models ?? {})) {
    if (v.alias && v.alias.toLowerCase() === trimmed.toLowerCase()) return key;
  }
  return trimmed;
}

export function resolveModel(cfg: OpenClawConfig, ref: string): ModelSpec {
  const full = resolveAlias(cfg, ref);
  const slash = full.indexOf("/");
  if (slash <= 0 || slash === full.length - 1) {
    throw new ModelRefError(
      `unknown model "${ref}": write it as provider/model (for example anthropic/claude-sonnet-4-5) or use an alias from agents.defaults.models`,
    );
  }
  const providerId = full.slice(0, slash).toLowerCase();
  const modelId = full.slice(slash + 1);
  const p = providerInfo(cfg, providerId);
  if (!p) {
    throw new ModelRefError(
      `unknown provider "${providerId}" in model "${ref}" (known: ${providerIds(cfg).join(", ")}); add it under models.providers.${providerId}`,
    );
  }
  const m = p.models[modelId] ?? {};
  return {
    provider: providerId,
    id: modelId,
    name: m.name ?? modelId,
    api: p.api,
    baseUrl: p.baseUrl,
    ...(p.headers || m.headers ? { headers: { ...(p.headers ?? {}), ...(m.headers ?? {}) } } : {}),
    contextWindow: m.contextWindow ?? p.defaults.contextWindow,
    maxTokens: m.maxTokens ?? p.defaults.maxTokens,
    reasoning: m.reasoning ?? false,
    input: m.input ?? ["text"],
    cost: m.cost ?? { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    ...(m.compat ? { compat: m.compat } : {}),
  };
}

export function modelRef(m: Pick<ModelSpec, "provider" | "id">): string {
  return `${m.provider}/${m.id}`;
}

export const DEFAULT_MODEL = "anthropic/claude-opus-4-5";

/** Primary and fallbacks for an agent (agent entry first, then defaults). */
export function modelChainFor(cfg: OpenClawConfig, agentId: string, override?: string): string[] {
  const entry = cfg.agents?.list?.find((a) => a.id === agentId);
  const sel = (v: unknown): { primary?: string; fallbacks?: string[] } | undefined =>
    typeof v === "string" ? { primary: v } : v && typeof v === "object" ? (v as { primary?: string; fallbacks?: string[] }) : undefined;
  const own = sel(entry?.model);
  const defaults = sel(cfg.agents?.defaults?.model);
  const primary = override ?? own?.primary ?? defaults?.primary ?? DEFAULT_MODEL;
  const fallbacks = own?.fallbacks ?? defaults?.fallbacks ?? [];
  const chain = [primary, ...fallbacks];
  // A run that starts on an override still ends at the configured primary.
  const configured = own?.primary ?? defaults?.primary;
  if (override && configured && !chain.includes(configured)) chain.push(configured);
  return [...new Set(chain)];
}
