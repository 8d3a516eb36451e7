/**
 * Where a message's time goes, stage by stage: intake (a frame or platform update until it is handed
 * on), routing (access rules, session key), lane wait (behind the session's previous run and
 * `maxConcurrent`), prompt build (session, transcript, workspace, skills, tools), model stream,
 * transcript write (appends and their fsync), event fan-out (run events to clients and channels),
 * chunking and platform send (the reply into the chat).
 *
 * The hot path only publishes on a `node:diagnostics_channel` channel, which costs a property read
 * when nobody listens. The gateway listens when `OPENCLAW_STAGE_TIMINGS=<file>` is set and writes a
 * summary there when it stops (`npm run bench` reads it).
 */
import diagnostics_channel from "node:diagnostics_channel";
import fs from "node:fs";

export type StageName =
  "intake" | "routing" | "lane_wait" | "prompt_build" | "model_stream" | "transcript_write" | "event_fanout" | "chunking" | "platform_send";

export const STAGE_NAMES: readonly StageName[] = [
  "intake",
  "routing",
  "lane_wait",
  "prompt_build",
  "model_stream",
  "transcript_write",
  "event_fanout",
  "chunking",
  "platform_send",
];

interface StageSample {
  stage: StageName;
  ms: number;
}

const channel = diagnostics_channel.channel("openclaw:stage");

/** A start time for {@link stageSince}, or 0 when nobody listens (then nothing is measured). */
export function stageClock(): number {
  return channel.hasSubscribers ? performance.now() : 0;
}

/** Records the time since `start` (from {@link stageClock}) as one sample of `stage`. */
export function stageSince(stage: StageName, start: number | undefined): void {
  if (start && channel.hasSubscribers) channel.publish({ stage, ms: performance.now() - start } satisfies StageSample);
}

/** Records `ms` as one sample of `stage`. */
export function stageTime(stage: StageName, ms: number): void {
  if (channel.hasSubscribers) channel.publish({ stage, ms } satisfies StageSample);
}

export interface StageSummary {
  count: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

const STAGE_INDEX = new Map(STAGE_NAMES.map((name, i) => [name, i]));

/** At most this many samples are kept per stage (the first ones). */
const MAX_SAMPLES = 100_000;
/**
 * Samples wait in memory until there are this many, then go to `<file>.samples` (as doubles): the
 * recorder's memory stays the same however many messages pass, so that an RSS read beside the
 * timings (the bench's 1,000 → 10,000 messages) measures the gateway rather than the recorder.
 */
const SPILL_EVERY = 2048;

/** Percentiles of a list of milliseconds. */
function summarizeStage(list: readonly number[]): StageSummary {
  const sorted = [...list].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    count: sorted.length,
    p50: round(at(50)),
    p99: round(at(99)),
    mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    max: round(sorted[sorted.length - 1]!),
  };
}

/**
 * Listens to the stage samples while started; `writeSummary()` gives percentiles per stage. Each
 * sample keeps the wall-clock time it was taken, so that a reader can leave out a warm-up.
 */
export class StageRecorder {
  /** Samples not yet appended to the spill file: (stage index, epoch ms, duration ms) triples. */
  private pending = new Float64Array(SPILL_EVERY * 3);
  private pendingCount = 0;
  private readonly counts = new Array<number>(STAGE_NAMES.length).fill(0);
  /** Appends in order, one after the other; the first failure is kept for `writeSummary`. */
  private spilling: Promise<void> = Promise.resolve();
  private spillError: Error | null = null;
  private readonly onSample = (m: unknown) => {
    const { stage, ms } = m as StageSample;
    const index = STAGE_INDEX.get(stage);
    if (index === undefined || this.counts[index]! >= MAX_SAMPLES) return;
    this.counts[index]!++;
    const at = this.pendingCount++ * 3;
    this.pending[at] = index;
    this.pending[at + 1] = Date.now();
    this.pending[at + 2] = ms;
    if (this.pendingCount >= SPILL_EVERY) this.spill();
  };

  /** `file` is where `writeSummary` will write; samples spill to `<file>.samples` meanwhile. */
  constructor(private readonly file: string) {}

  private get spillFile(): string {
    return `${this.file}.samples`;
  }

  /** The pending samples as bytes (no encoding work on the event loop), and a fresh buffer. */
  private takePending(): Buffer {
    const bytes = Buffer.from(this.pending.buffer, 0, this.pendingCount * 3 * 8);
    this.pending = new Float64Array(SPILL_EVERY * 3);
    this.pendingCount = 0;
    return bytes;
  }

  private spill(): void {
    const bytes = this.takePending();
    this.spilling = this.spilling.then(() =>
      fs.promises.appendFile(this.spillFile, bytes).catch((e: Error) => {
        this.spillError ??= e;
      }),
    );
  }

  start(): this {
    // Left by a process that was killed: not this run's.
    fs.rmSync(this.spillFile, { force: true });
    channel.subscribe(this.onSample);
    return this;
  }

  stop(): void {
    channel.unsubscribe(this.onSample);
  }

  /**
   * Writes `{ stages: { <name>: { count, p50, p99, mean, max } }, samples: { <name>: { at, ms } } }` to
   * the file: the summary, and every sample with its time (epoch ms). The spill file is removed.
   */
  async writeSummary(): Promise<void> {
    const last = this.takePending();
    await this.spilling;
    try {
      if (this.spillError) throw new Error(`stage samples could not be kept in ${this.spillFile}: ${this.spillError.message}`);
      const spilled = fs.existsSync(this.spillFile) ? fs.readFileSync(this.spillFile) : Buffer.alloc(0);
      const all = Buffer.concat([spilled, last]);
      // A copy, so that the doubles are aligned whatever the buffer's offset in its pool.
      const triples = new Float64Array(all.buffer.slice(all.byteOffset, all.byteOffset + all.length - (all.length % 24)));
      const samples = new Map<StageName, { at: number[]; ms: number[] }>();
      for (let i = 0; i < triples.length; i += 3) {
        const stage = STAGE_NAMES[triples[i]!];
        if (!stage) continue;
        let list = samples.get(stage);
        if (!list) samples.set(stage, (list = { at: [], ms: [] }));
        list.at.push(triples[i + 1]!);
        list.ms.push(triples[i + 2]!);
      }
      const stages: Partial<Record<StageName, StageSummary>> = {};
      for (const stage of STAGE_NAMES) {
        const list = samples.get(stage);
        if (list?.ms.length) stages[stage] = summarizeStage(list.ms);
      }
      fs.writeFileSync(this.file, JSON.stringify({ stages, samples: Object.fromEntries(samples) }) + "\n");
    } finally {
      fs.rmSync(this.spillFile, { force: true });
    }
  }
}
