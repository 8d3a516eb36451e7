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

/** At most this many samples are kept per stage (the first ones). */
const MAX_SAMPLES = 100_000;
/**
 * Samples wait in memory until there are this many, then go to `<file>.samples` (JSON lines): the
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
  /** Samples not yet appended to the spill file. */
  private pending = new Map<StageName, { at: number[]; ms: number[] }>();
  private pendingCount = 0;
  private readonly counts = new Map<StageName, number>();
  /** Appends in order, one after the other; the first failure is kept for `writeSummary`. */
  private spilling: Promise<void> = Promise.resolve();
  private spillError: Error | null = null;
  private readonly onSample = (m: unknown) => {
    const { stage, ms } = m as StageSample;
    const count = this.counts.get(stage) ?? 0;
    if (count >= MAX_SAMPLES) return;
    this.counts.set(stage, count + 1);
    let list = this.pending.get(stage);
    if (!list) this.pending.set(stage, (list = { at: [], ms: [] }));
    list.at.push(Date.now());
    list.ms.push(ms);
    if (++this.pendingCount >= SPILL_EVERY) this.spill();
  };

  /** `file` is where `writeSummary` will write; samples spill to `<file>.samples` meanwhile. */
  constructor(private readonly file: string) {}

  private get spillFile(): string {
    return `${this.file}.samples`;
  }

  private takePending(): string {
    const line = JSON.stringify(Object.fromEntries(this.pending)) + "\n";
    this.pending = new Map();
    this.pendingCount = 0;
    return line;
  }

  private spill(): void {
    const line = this.takePending();
    this.spilling = this.spilling.then(() =>
      fs.promises.appendFile(this.spillFile, line).catch((e: Error) => {
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
      const samples = new Map<StageName, { at: number[]; ms: number[] }>();
      const spilled = fs.existsSync(this.spillFile) ? fs.readFileSync(this.spillFile, "utf8") : "";
      for (const line of (spilled + last).split("\n")) {
        if (!line) continue;
        for (const [stage, part] of Object.entries(JSON.parse(line) as Record<StageName, { at: number[]; ms: number[] }>)) {
          const list = samples.get(stage as StageName) ?? { at: [], ms: [] };
          for (let i = 0; i < part.ms.length; i++) {
            list.at.push(part.at[i]!);
            list.ms.push(part.ms[i]!);
          }
          samples.set(stage as StageName, list);
        }
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
