/**
 * Embedding providers. This gateway speaks the OpenAI-compatible `POST {baseUrl}/embeddings` over
 * fetch (OpenAI itself, or any server that imitates it: a local Ollama, LM Studio, vLLM, a proxy);
 * Gemini and local GGUF models are OpenClaw options this gateway does not run, and say so.
 *
 * Texts go in batches of at most ~8,000 tokens (4 characters each) and 96 inputs; a 429 or 5xx is
 * retried three times with backoff (500 ms doubling to 8 s).
 */
import type { OpenClawConfig } from "../config/schema.js";
import type { Env } from "../infra/paths.js";
import { DEFAULT_OPENAI_EMBEDDING_MODEL, type MemorySettings } from "./settings.js";

export interface EmbeddingProvider {
  id: "openai";
  model: string;
  /** Identifies the endpoint (base URL), so a change of server rebuilds the index. */
  endpoint: string;
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

export type ProviderChoice = { provider: EmbeddingProvider; note?: undefined } | { provider: null; note: string };

const DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1";
const BATCH_MAX_CHARS = 8_000 * 4;
const BATCH_MAX_INPUTS = 96;
const REQUEST_TIMEOUT_MS = 60_000;

function unsupported(name: string): string {
  return `memorySearch.provider "${name}" is not supported here; set memorySearch.provider to "openai" (with memorySearch.remote.baseUrl for any OpenAI-compatible embeddings server). Searching by keyword only.`;
}

/** The configured provider, or why there is none (then search is keyword only). */
export function chooseProvider(settings: MemorySettings, cfg: OpenClawConfig, env: Env, fetchImpl: typeof fetch = fetch): ProviderChoice {
  const openaiKey =
    settings.remote.apiKey ??
    (cfg.models?.providers as Record<string, { apiKey?: string }> | undefined)?.openai?.apiKey ??
    env.OPENAI_API_KEY;
  const wanted = settings.provider;
  if (wanted === "gemini" || wanted === "local") return { provider: null, note: unsupported(wanted) };
  if (!wanted) {
    // OpenClaw's auto choice: local, then OpenAI, then Gemini. Only OpenAI-compatible runs here.
    if (!openaiKey && !settings.remote.baseUrl)
      return {
        provider: null,
        note: 'no embedding provider configured (set memorySearch.provider "openai" and an API key, or memorySearch.remote.baseUrl); searching by keyword only',
      };
  }
  const baseUrl = (settings.remote.baseUrl ?? DEFAULT_OPENAI_BASE_URL).replace(/\/+$/, "");
  if (!openaiKey && baseUrl === DEFAULT_OPENAI_BASE_URL)
    return {
      provider: null,
      note: 'memorySearch.provider "openai" needs an API key (memorySearch.remote.apiKey or OPENAI_API_KEY); searching by keyword only',
    };
  return {
    provider: openaiCompatible({
      baseUrl,
      apiKey: openaiKey,
      headers: settings.remote.headers,
      model: settings.model ?? DEFAULT_OPENAI_EMBEDDING_MODEL,
      fetchImpl,
    }),
  };
}

export class EmbeddingError extends Error {}

export function openaiCompatible(o: {
  baseUrl: string;
  apiKey?: string;
  headers?: Record<string, string>;
  model: string;
  fetchImpl?: typeof fetch;
}): EmbeddingProvider {
  const doFetch = o.fetchImpl ?? fetch;
  const url = `${o.baseUrl}/embeddings`;
  async function request(input: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    let delay = 500;
    for (let attempt = 0; ; attempt++) {
      const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
      let res: Response;
      try {
        res = await doFetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}), ...o.headers },
          body: JSON.stringify({ model: o.model, input }),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch (e) {
        if (attempt < 3 && !signal?.aborted) {
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(8_000, delay * 2);
          continue;
        }
        throw new EmbeddingError(`embeddings request to ${o.baseUrl} failed: ${(e as Error).message}`);
      }
      if ((res.status === 429 || res.status >= 500) && attempt < 3) {
        await res.body?.cancel();
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(8_000, delay * 2);
        continue;
      }
      if (!res.ok) {
        const body = (await res.text().catch(() => "")).slice(0, 300);
        throw new EmbeddingError(`embeddings request to ${o.baseUrl} answered ${res.status}${body ? `: ${body}` : ""}`);
      }
      const json = (await res.json().catch(() => null)) as { data?: { embedding?: unknown; index?: number }[] } | null;
      const data = json?.data;
      if (!Array.isArray(data) || data.length !== input.length)
        throw new EmbeddingError(
          `embeddings from ${o.baseUrl}: expected ${input.length} vectors in data[], got ${Array.isArray(data) ? data.length : "none"}`,
        );
      const out: Float32Array[] = new Array(input.length);
      data.forEach((d, i) => {
        const idx = typeof d.index === "number" ? d.index : i;
        if (!Array.isArray(d.embedding) || !d.embedding.every((x) => typeof x === "number"))
          throw new EmbeddingError(`embeddings from ${o.baseUrl}: data[${i}].embedding is not a list of numbers`);
        out[idx] = normalize(Float32Array.from(d.embedding as number[]));
      });
      return out;
    }
  }
  return {
    id: "openai",
    model: o.model,
    endpoint: o.baseUrl,
    async embed(texts, signal) {
      const out: Float32Array[] = [];
      let batch: string[] = [];
      let chars = 0;
      for (const t of texts) {
        if (batch.length && (chars + t.length > BATCH_MAX_CHARS || batch.length >= BATCH_MAX_INPUTS)) {
          out.push(...(await request(batch, signal)));
          batch = [];
          chars = 0;
        }
        batch.push(t);
        chars += t.length;
      }
      if (batch.length) out.push(...(await request(batch, signal)));
      return out;
    },
  };
}

/** Unit length, so cosine similarity is a dot product. */
export function normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  const n = Math.sqrt(sum);
  if (n > 0 && Number.isFinite(n)) for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}
