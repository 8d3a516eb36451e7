/**
 * `agents.defaults.memorySearch` merged with the agent's own `agents.list[].memorySearch`, with
 * OpenClaw's defaults filled in: 400-token chunks overlapping by 80, six results above 0.35, hybrid
 * scoring weighted 0.7 vector / 0.3 text (normalised to sum 1) over 4× as many candidates.
 */
import type { OpenClawConfig } from "../config/schema.js";

type MemorySearchConfig = NonNullable<NonNullable<NonNullable<OpenClawConfig["agents"]>["defaults"]>["memorySearch"]>;

export const SNIPPET_MAX_CHARS = 700;
export const DEFAULT_OPENAI_EMBEDDING_MODEL = "text-embedding-3-small";
export const DEFAULT_GEMINI_EMBEDDING_MODEL = "gemini-embedding-001";

export interface MemorySettings {
  enabled: boolean;
  provider: "openai" | "gemini" | "local" | undefined;
  model: string | undefined;
  remote: { baseUrl?: string; apiKey?: string; headers?: Record<string, string> };
  localModelPath: string | undefined;
  extraPaths: string[];
  chunking: { tokens: number; overlap: number };
  query: {
    maxResults: number;
    minScore: number;
    hybrid: { enabled: boolean; vectorWeight: number; textWeight: number; candidateMultiplier: number };
  };
  cache: { enabled: boolean; maxEntries: number };
  /** Where the index lives; `{agentId}` is replaced (default `<state>/memory/<agentId>.json`). */
  storePath: string | undefined;
}

function merge<T extends object>(base: T | undefined, over: T | undefined): T | undefined {
  if (!base) return over;
  if (!over) return base;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = b && v && typeof b === "object" && typeof v === "object" && !Array.isArray(v) ? merge(b as object, v as object) : v;
  }
  return out as T;
}

export function memorySettings(cfg: OpenClawConfig, agentId: string): MemorySettings {
  const own = cfg.agents?.list?.find((a) => a.id === agentId)?.memorySearch as MemorySearchConfig | undefined;
  const m = (merge(cfg.agents?.defaults?.memorySearch as MemorySearchConfig | undefined, own) ?? {}) as MemorySearchConfig;
  const hybrid = m.query?.hybrid ?? {};
  let vw = hybrid.vectorWeight ?? 0.7;
  let tw = hybrid.textWeight ?? 0.3;
  const sum = vw + tw;
  if (sum > 0) [vw, tw] = [vw / sum, tw / sum];
  else [vw, tw] = [0.7, 0.3];
  const tokens = m.chunking?.tokens ?? 400;
  return {
    enabled: m.enabled ?? true,
    provider: m.provider,
    model: m.model?.trim() || undefined,
    remote: {
      ...(m.remote?.baseUrl ? { baseUrl: m.remote.baseUrl } : {}),
      ...(m.remote?.apiKey ? { apiKey: m.remote.apiKey } : {}),
      ...(m.remote?.headers ? { headers: m.remote.headers } : {}),
    },
    localModelPath: m.local?.modelPath,
    extraPaths: m.extraPaths ?? [],
    chunking: { tokens, overlap: Math.min(m.chunking?.overlap ?? 80, Math.max(0, tokens - 1)) },
    query: {
      maxResults: m.query?.maxResults ?? 6,
      minScore: m.query?.minScore ?? 0.35,
      hybrid: { enabled: hybrid.enabled ?? true, vectorWeight: vw, textWeight: tw, candidateMultiplier: hybrid.candidateMultiplier ?? 4 },
    },
    cache: { enabled: m.cache?.enabled ?? true, maxEntries: m.cache?.maxEntries ?? 50_000 },
    storePath: m.store?.path,
  };
}
