/**
 * One agent's memory index: its memory files cut into chunks, a keyword index over them and, when an
 * embedding provider is configured, one vector per chunk. Persisted as one JSON file under
 * `<state>/memory/<agentId>.json` (vectors as base64 Float32) and loaded on the first search, then
 * kept in memory.
 *
 * Freshness: a search (and `memory status|index`) lists the memory files and compares their mtime
 * and size with the index, which is right across processes (the CLI and the gateway share the file)
 * and after edits made while the gateway was down. On Linux the folders listed are then watched, and
 * the next search lists them again only when the kernel reported a change in one of them (or the
 * last listing is older than half a minute): see {@link ChangeWatch}. A changed file is re-read and
 * re-chunked only when its content hash changed; a change of embedding provider, model, endpoint or
 * chunking rebuilds everything. Chunk vectors are cached by content hash, so an unchanged paragraph
 * is never embedded twice.
 */
import fs from "node:fs";
import path from "node:path";
import { writeFileAtomicSync } from "../infra/atomic.js";
import { readFileBoundedSync, readStateFileSync } from "../infra/read-bounded.js";
import { chunkMarkdown, hashText } from "./chunk.js";
import type { EmbeddingProvider } from "./embeddings.js";
import { indexedFiles, listMemoryFiles, MAX_INDEX_BYTES, MAX_MEMORY_FILE_BYTES, type MemoryFile } from "./files.js";
import { KeywordIndex } from "./keyword.js";
import { ChangeWatch } from "./watch.js";
import { SNIPPET_MAX_CHARS, type MemorySettings } from "./settings.js";

/**
 * The largest index store read: its text is bounded by {@link MAX_INDEX_BYTES}, and each chunk's
 * vector adds a few kilobytes more. A store past this (or not a regular file) is rebuilt.
 */
const MAX_STORE_FILE_BYTES = 256 * 1024 * 1024;

const FORMAT = "openclaw-memory-index-v1";
/** A query embedding that takes longer than this is skipped: the search answers by keyword. */
const QUERY_EMBED_TIMEOUT_MS = 15_000;

export interface MemorySearchResult {
  path: string;
  startLine: number;
  endLine: number;
  score: number;
  snippet: string;
  source: "memory";
}

export interface MemorySearchAnswer {
  results: MemorySearchResult[];
  provider: string;
  model: string | null;
  /** Set when results are keyword-only although vectors were expected, saying why. */
  fallback?: { reason: string };
}

export interface MemoryStatus {
  agentId: string;
  workspaceDir: string;
  storePath: string;
  files: number;
  chunks: number;
  vectors: number;
  /** `hybrid` (vectors and keywords) or `keyword` (no embedding provider, or it failed). */
  mode: "hybrid" | "keyword";
  provider: string;
  model: string | null;
  chunking: { tokens: number; overlap: number };
  /** Why search is keyword only, or the last sync's problem. */
  notes: string[];
  lastSyncAt?: number;
}

interface StoredChunk {
  path: string;
  startLine: number;
  endLine: number;
  hash: string;
  text: string;
}

interface Stored {
  format: typeof FORMAT;
  meta: Meta;
  files: Record<string, { hash: string; mtimeMs: number; size: number }>;
  chunks: StoredChunk[];
  /** Chunk hash → vector (base64 Float32), for `meta`'s provider and model. */
  vectors: Record<string, string>;
  syncedAt?: number;
}

interface Meta {
  provider: string | null;
  model: string | null;
  endpoint: string | null;
  tokens: number;
  overlap: number;
}

export interface MemoryIndexOptions {
  agentId: string;
  workspaceDir: string;
  storePath: string;
  settings: MemorySettings;
  provider: EmbeddingProvider | null;
  /** Why there is no provider (status and search say it). */
  providerNote?: string;
  now?: () => number;
  warn?: (msg: string) => void;
}

const sameMeta = (a: Meta, b: Meta) =>
  a.provider === b.provider && a.model === b.model && a.endpoint === b.endpoint && a.tokens === b.tokens && a.overlap === b.overlap;

function toBase64(v: Float32Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
}
function fromBase64(s: string): Float32Array {
  const buf = Buffer.from(s, "base64");
  const out = new Float32Array(buf.byteLength >> 2);
  new Uint8Array(out.buffer).set(buf.subarray(0, out.byteLength));
  return out;
}

function snippet(text: string): string {
  if (text.length <= SNIPPET_MAX_CHARS) return text;
  let end = SNIPPET_MAX_CHARS;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, end);
}

export class MemoryIndex {
  readonly agentId: string;
  private opts: MemoryIndexOptions;
  private stored: Stored | null = null;
  private keyword: KeywordIndex | null = null;
  /** Row-major vectors of the chunks (dims each), and which chunks have one. */
  private matrix: Float32Array | null = null;
  private hasVector: Uint8Array | null = null;
  private dims = 0;
  private syncing: Promise<void> | null = null;
  private lastError: string | null = null;
  /** Files the last sync left out for {@link MAX_INDEX_BYTES} (warned about when it changes). */
  private leftOut = 0;
  /** Chunks still waiting for a vector (an earlier embedding call failed). */
  private vectorsMissing = false;
  private readonly watch = new ChangeWatch();

  constructor(opts: MemoryIndexOptions) {
    this.agentId = opts.agentId;
    this.opts = opts;
  }

  /** New settings or provider (a config reload); the next sync rebuilds what they change. */
  reconfigure(opts: MemoryIndexOptions): void {
    this.opts = opts;
    this.watch.close(); // another workspace or other extra paths: list them afresh
  }

  /** Stops watching the memory folders (the next search lists them again). */
  close(): void {
    this.watch.close();
  }

  private meta(): Meta {
    const p = this.opts.provider;
    return {
      provider: p?.id ?? null,
      model: p?.model ?? null,
      endpoint: p?.endpoint ?? null,
      tokens: this.opts.settings.chunking.tokens,
      overlap: this.opts.settings.chunking.overlap,
    };
  }

  private empty(): Stored {
    return { format: FORMAT, meta: this.meta(), files: {}, chunks: [], vectors: {} };
  }

  private load(): Stored {
    if (this.stored) return this.stored;
    let stored = this.empty();
    try {
      const raw = JSON.parse(readStateFileSync(this.opts.storePath, MAX_STORE_FILE_BYTES)) as Stored;
      if (raw?.format === FORMAT && Array.isArray(raw.chunks) && raw.files && raw.meta) stored = { ...raw, vectors: raw.vectors ?? {} };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT")
        this.opts.warn?.(`memory index ${this.opts.storePath} unreadable, rebuilding: ${(e as Error).message}`);
    }
    this.stored = stored;
    this.rebuildInMemory();
    return stored;
  }

  private rebuildInMemory(): void {
    const s = this.stored!;
    this.vectorsMissing = s.chunks.some((c) => !s.vectors[c.hash]);
    this.keyword = new KeywordIndex(s.chunks.map((c) => `${c.path}\n${c.text}`));
    const first = s.chunks.map((c) => s.vectors[c.hash]).find(Boolean);
    this.dims = first ? fromBase64(first).length : 0;
    if (!this.dims) {
      this.matrix = null;
      this.hasVector = null;
      return;
    }
    this.matrix = new Float32Array(s.chunks.length * this.dims);
    this.hasVector = new Uint8Array(s.chunks.length);
    s.chunks.forEach((c, i) => {
      const b64 = s.vectors[c.hash];
      if (!b64) return;
      const v = fromBase64(b64);
      if (v.length !== this.dims) return;
      this.matrix!.set(v, i * this.dims);
      this.hasVector![i] = 1;
    });
  }

  /**
   * Whether the index needs a sync whatever the files say: the settings that shape it changed, or
   * chunks still wait for a vector (an earlier embedding call failed).
   */
  private needsSyncAnyway(): boolean {
    return !sameMeta(this.stored!.meta, this.meta()) || (Boolean(this.opts.provider) && this.vectorsMissing);
  }

  /** Whether the files on disk differ from the index (or {@link needsSyncAnyway}). */
  private isStale(files: MemoryFile[]): boolean {
    const s = this.stored!;
    if (this.needsSyncAnyway()) return true;
    if (files.length !== Object.keys(s.files).length) return true;
    for (const f of files) {
      const known = s.files[f.path];
      if (!known || known.mtimeMs !== f.mtimeMs || known.size !== f.size) return true;
    }
    return false;
  }

  /**
   * Brings the index up to date with the files (see the file comment). `force` re-reads every
   * file. Throws when the index cannot be written (the search that asked still gets its answer
   * from memory; `memory index` reports it).
   */
  sync(force = false): Promise<void> {
    if (this.syncing) return this.syncing;
    this.syncing = this.doSync(force).finally(() => (this.syncing = null));
    return this.syncing;
  }

  private async doSync(force: boolean): Promise<void> {
    const before = this.load();
    if (!force && !this.needsSyncAnyway() && (await this.watch.unchanged())) return;
    this.watch.beginLook();
    const dirs = new Set<string>();
    const listed = listMemoryFiles(this.opts.workspaceDir, this.opts.settings.extraPaths, dirs);
    this.watch.track(dirs);
    const { files, leftOut } = indexedFiles(listed);
    if (!force && !this.isStale(files)) return;
    for (const f of listed) {
      if (f.size > MAX_MEMORY_FILE_BYTES)
        this.opts.warn?.(`memory file ${f.path} is larger than ${MAX_MEMORY_FILE_BYTES} bytes; left out of the index`);
    }
    if (leftOut !== this.leftOut && leftOut > 0) {
      this.opts.warn?.(
        `memory ${this.agentId}: the index holds at most ${MAX_INDEX_BYTES / 1048576} MB of notes; the ${leftOut} least recently changed files are left out (move old notes out of memory/ to search them again)`,
      );
    }
    this.leftOut = leftOut;
    const meta = this.meta();
    const rebuild = force || !sameMeta(before.meta, meta);
    const sameVectors =
      before.meta.provider === meta.provider && before.meta.model === meta.model && before.meta.endpoint === meta.endpoint;
    const next: Stored = { format: FORMAT, meta, files: {}, chunks: [], vectors: {} };
    const oldChunks = new Map<string, StoredChunk[]>();
    for (const c of before.chunks) {
      const list = oldChunks.get(c.path);
      if (list) list.push(c);
      else oldChunks.set(c.path, [c]);
    }
    const { chunking } = this.opts.settings;
    for (const f of files) {
      const known = before.files[f.path];
      if (!rebuild && known && known.mtimeMs === f.mtimeMs && known.size === f.size) {
        next.files[f.path] = known;
        next.chunks.push(...(oldChunks.get(f.path) ?? []));
        continue;
      }
      let content: string;
      try {
        // Bounded: the file may have grown since it was listed.
        content = readFileBoundedSync(f.absPath, MAX_MEMORY_FILE_BYTES).toString("utf8");
      } catch {
        continue;
      }
      const hash = hashText(content);
      next.files[f.path] = { hash, mtimeMs: f.mtimeMs, size: f.size };
      if (!rebuild && known?.hash === hash) {
        next.chunks.push(...(oldChunks.get(f.path) ?? []));
        continue;
      }
      for (const c of chunkMarkdown(content, chunking)) next.chunks.push({ path: f.path, ...c });
    }
    // Vectors: kept for unchanged text under the same model, fetched for the rest.
    const provider = this.opts.provider;
    this.lastError = null;
    if (provider) {
      const missing: StoredChunk[] = [];
      for (const c of next.chunks) {
        const cached = sameVectors && this.opts.settings.cache.enabled ? before.vectors[c.hash] : undefined;
        if (cached) next.vectors[c.hash] = cached;
        else if (!next.vectors[c.hash] && !missing.some((m) => m.hash === c.hash)) missing.push(c);
      }
      if (missing.length) {
        try {
          const vecs = await provider.embed(missing.map((c) => c.text));
          missing.forEach((c, i) => (next.vectors[c.hash] = toBase64(vecs[i]!)));
        } catch (e) {
          this.lastError = `embeddings failed (${(e as Error).message}); searching by keyword until they work`;
          this.opts.warn?.(`memory ${this.agentId}: ${this.lastError}`);
        }
      }
    }
    next.syncedAt = (this.opts.now ?? Date.now)();
    this.stored = next;
    this.rebuildInMemory();
    writeFileAtomicSync(this.opts.storePath, JSON.stringify(next));
  }

  /** Syncs, keeping the answer when only writing the index failed. */
  private async fresh(): Promise<void> {
    try {
      await this.sync();
    } catch (e) {
      this.lastError = `could not write the memory index ${this.opts.storePath}: ${(e as Error).message}`;
      this.opts.warn?.(this.lastError);
    }
  }

  async search(query: string, opts: { maxResults?: number; minScore?: number } = {}): Promise<MemorySearchAnswer> {
    await this.fresh();
    const { settings, provider } = this.opts;
    const answer = (results: MemorySearchResult[], fallback?: string): MemorySearchAnswer => ({
      results,
      provider: provider?.id ?? "none",
      model: provider?.model ?? null,
      ...(fallback ? { fallback: { reason: fallback } } : {}),
    });
    const cleaned = query.trim();
    if (!cleaned) return answer([]);
    const maxResults = Math.max(1, Math.min(100, Math.floor(opts.maxResults ?? settings.query.maxResults)));
    const minScore = opts.minScore ?? settings.query.minScore;
    const hybrid = settings.query.hybrid;
    const candidates = Math.min(200, Math.max(1, Math.floor(maxResults * hybrid.candidateMultiplier)));
    const chunks = this.stored!.chunks;

    let vector: Map<number, number> | null = null;
    let fallback: string | undefined = this.lastError ?? undefined;
    if (provider && this.matrix) {
      try {
        const [q] = await provider.embed([cleaned], AbortSignal.timeout(QUERY_EMBED_TIMEOUT_MS));
        if (q && q.length === this.dims) vector = this.vectorSearch(q, candidates);
        else fallback = `the query embedding has ${q?.length ?? 0} dimensions, the index ${this.dims}; run \`openclaw memory index\``;
      } catch (e) {
        fallback = `query embedding failed: ${(e as Error).message}`;
      }
    } else if (provider && !this.matrix && chunks.length) fallback ??= "no chunk vectors yet";

    const keyword = hybrid.enabled || !vector ? this.keyword!.search(cleaned, candidates) : [];
    const scored = new Map<number, number>();
    if (vector && hybrid.enabled) {
      for (const [doc, s] of vector) scored.set(doc, hybrid.vectorWeight * s);
      for (const k of keyword) scored.set(k.doc, (scored.get(k.doc) ?? 0) + hybrid.textWeight * k.score);
    } else if (vector) {
      for (const [doc, s] of vector) scored.set(doc, s);
    } else {
      // Keyword only: the text score alone (weighing it by textWeight would put every result under minScore).
      for (const k of keyword) scored.set(k.doc, k.score);
    }
    const results = [...scored]
      .filter(([, s]) => s >= minScore)
      .sort((a, b) => b[1] - a[1])
      .slice(0, maxResults)
      .map(([doc, score]) => {
        const c = chunks[doc]!;
        return { path: c.path, startLine: c.startLine, endLine: c.endLine, score, snippet: snippet(c.text), source: "memory" as const };
      });
    return answer(results, provider ? fallback : undefined);
  }

  private vectorSearch(q: Float32Array, limit: number): Map<number, number> {
    const m = this.matrix!;
    const has = this.hasVector!;
    const d = this.dims;
    const top: [number, number][] = [];
    for (let i = 0; i < has.length; i++) {
      if (!has[i]) continue;
      let dot = 0;
      const off = i * d;
      for (let j = 0; j < d; j++) dot += m[off + j]! * q[j]!;
      if (top.length < limit) top.push([i, dot]);
      else {
        let minAt = 0;
        for (let k = 1; k < top.length; k++) if (top[k]![1] < top[minAt]![1]) minAt = k;
        if (dot > top[minAt]![1]) top[minAt] = [i, dot];
      }
    }
    return new Map(top);
  }

  async status(): Promise<MemoryStatus> {
    await this.fresh();
    const s = this.stored!;
    const vectors = this.hasVector ? this.hasVector.reduce((n, x) => n + x, 0) : 0;
    const notes = [this.opts.providerNote, this.lastError].filter((x): x is string => Boolean(x));
    return {
      agentId: this.agentId,
      workspaceDir: this.opts.workspaceDir,
      storePath: this.opts.storePath,
      files: Object.keys(s.files).length,
      chunks: s.chunks.length,
      vectors,
      mode: this.opts.provider && vectors > 0 ? "hybrid" : "keyword",
      provider: this.opts.provider?.id ?? "none",
      model: this.opts.provider?.model ?? null,
      chunking: { ...this.opts.settings.chunking },
      notes,
      ...(s.syncedAt ? { lastSyncAt: s.syncedAt } : {}),
    };
  }

  /** Rebuilds from scratch (re-reads every file; vectors still come from the cache). */
  async reindex(): Promise<MemoryStatus> {
    await this.sync(true);
    return this.status();
  }
}

/** `<state>/memory/<agentId>.json`, or `memorySearch.store.path` with `{agentId}` filled in. */
export function memoryStorePath(stateDir: string, agentId: string, configured?: string): string {
  const safe = agentId.replace(/[^A-Za-z0-9_.-]/g, "_");
  if (configured?.trim()) {
    const p = configured.replaceAll("{agentId}", safe);
    // OpenClaw's default names a .sqlite file; this index is JSON beside it.
    return path.resolve(p.replace(/\.sqlite$/, ".json"));
  }
  return path.join(stateDir, "memory", `${safe}.json`);
}
