/**
 * The keyword half of memory search: a small in-memory inverted index scored with BM25 (k1 1.2,
 * b 0.75). Built once when the index is loaded or changes; a search touches only the postings of
 * the query's terms, so it stays well under a millisecond per thousand matching chunks.
 */

const TOKEN = /[\p{L}\p{N}_]+/gu;
const STOP = new Set(
  "a an and are as at be but by did do does for from had has have how i in is it its me my of on or our so that the their them then there they this to was we were what when where which who why will with you your".split(
    " ",
  ),
);
const MAX_QUERY_TERMS = 32;

/**
 * A light English stemmer, so "expire", "expires" and "expired" meet: drops one of -ing, -ed, -es,
 * -s (keeping at least three letters, and "-ss"), then a final -e.
 */
export function stem(word: string): string {
  let t = word;
  if (t.length <= 3) return t;
  for (const suffix of ["ing", "ed", "es", "s"]) {
    if (t.endsWith(suffix) && t.length - suffix.length >= 3 && !(suffix === "s" && t.endsWith("ss"))) {
      t = t.slice(0, -suffix.length);
      break;
    }
  }
  return t.length > 3 && t.endsWith("e") ? t.slice(0, -1) : t;
}

function words(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

export function tokenize(text: string): string[] {
  return words(text).map(stem);
}

/** The query's distinct terms without common words (all of them when nothing else is left). */
export function queryTerms(query: string): string[] {
  const all = words(query);
  const kept = all.filter((t) => !STOP.has(t));
  return [...new Set((kept.length ? kept : all).map(stem))].slice(0, MAX_QUERY_TERMS);
}

interface Postings {
  docs: number[];
  tfs: number[];
}

export class KeywordIndex {
  private readonly postings = new Map<string, Postings>();
  private readonly lengths: Float32Array;
  private readonly avgLength: number;
  private bm25Scratch: Float64Array | null = null;
  private coveredScratch: Float64Array | null = null;
  private touchedScratch: Int32Array | null = null;

  constructor(texts: readonly string[]) {
    this.lengths = new Float32Array(texts.length);
    let total = 0;
    const stems = new Map<string, string>();
    texts.forEach((text, doc) => {
      const counts = new Map<string, number>();
      const found = words(text);
      for (const w of found) {
        let t = stems.get(w);
        if (t === undefined) stems.set(w, (t = stem(w)));
        counts.set(t, (counts.get(t) ?? 0) + 1);
      }
      this.lengths[doc] = found.length;
      total += found.length;
      for (const [t, n] of counts) {
        let p = this.postings.get(t);
        if (!p) this.postings.set(t, (p = { docs: [], tfs: [] }));
        p.docs.push(doc);
        p.tfs.push(n);
      }
    });
    this.avgLength = texts.length ? total / texts.length : 0;
  }

  get size(): number {
    return this.lengths.length;
  }

  /**
   * The best `limit` chunks for the query, scored in 0..1 so a score can be weighed against a cosine
   * similarity and compared with `minScore`: the share of the query's terms the chunk contains
   * (rare terms weigh more), times 0.5 + 0.5·s/(1+s) where s is the chunk's BM25 score. Plain BM25
   * alone says little in a small memory (one file: every term is in every chunk, so every score is
   * low); the share keeps "contains what was asked" meaningful there, BM25 orders the rest.
   */
  search(query: string, limit: number): { doc: number; score: number }[] {
    const n = this.lengths.length;
    if (!n || limit <= 0) return [];
    // Scratch arrays kept between searches (zeroed again below), so a search allocates almost nothing.
    const bm25 = (this.bm25Scratch ??= new Float64Array(n));
    const covered = (this.coveredScratch ??= new Float64Array(n));
    const touched = (this.touchedScratch ??= new Int32Array(n));
    let touchedCount = 0;
    let totalWeight = 0;
    const avg = this.avgLength || 1;
    for (const term of queryTerms(query)) {
      const p = this.postings.get(term);
      const df = p?.docs.length ?? 0;
      const weight = Math.log(1 + (n + 1) / (df + 0.5));
      totalWeight += weight;
      if (!p) continue;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      touchedCount = addTerm(p, idf, weight, this.lengths, avg, bm25, covered, touched, touchedCount);
    }
    const top = bestOf(touched, touchedCount, bm25, covered, totalWeight, limit);
    for (let t = 0; t < touchedCount; t++) bm25[touched[t]!] = covered[touched[t]!] = 0;
    return top.sort((x, y) => y.score - x.score);
  }
}

const K1 = 1.2;
const B = 0.75;

// The loops of a search live in small functions of their own: V8 optimizes each once and for all,
// where one long function kept being optimized mid-loop and thrown back to the interpreter (which
// allocates every intermediate number: megabytes of garbage per search).

/** Adds one term's BM25 share and weight to every chunk that has it; returns the touched count. */
function addTerm(
  p: Postings,
  idf: number,
  weight: number,
  lengths: Float32Array,
  avg: number,
  bm25: Float64Array,
  covered: Float64Array,
  touched: Int32Array,
  touchedCount: number,
): number {
  const { docs, tfs } = p;
  const df = docs.length;
  for (let i = 0; i < df; i++) {
    const doc = docs[i]!;
    const tf = tfs[i]!;
    if (covered[doc] === 0) touched[touchedCount++] = doc;
    bm25[doc]! += (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * lengths[doc]!) / avg));
    covered[doc]! += weight;
  }
  return touchedCount;
}

/** The `limit` best touched chunks (unordered past the first `limit` found). */
function bestOf(
  touched: Int32Array,
  touchedCount: number,
  bm25: Float64Array,
  covered: Float64Array,
  totalWeight: number,
  limit: number,
): { doc: number; score: number }[] {
  const top: { doc: number; score: number }[] = [];
  let floor = -1;
  for (let t = 0; t < touchedCount; t++) {
    const doc = touched[t]!;
    const s = bm25[doc]!;
    const score = (covered[doc]! / totalWeight) * (0.5 + (0.5 * s) / (1 + s));
    if (top.length < limit) {
      top.push({ doc, score });
      if (top.length === limit) {
        top.sort((x, y) => y.score - x.score);
        floor = top[limit - 1]!.score;
      }
    } else if (score > floor) {
      top[limit - 1] = { doc, score };
      for (let i = limit - 1; i > 0 && top[i]!.score > top[i - 1]!.score; i--) [top[i], top[i - 1]] = [top[i - 1]!, top[i]!];
      floor = top[limit - 1]!.score;
    }
  }
  return top;
}
