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

/** At most this many samples are kept per stage (the latest ones). */
const MAX_SAMPLES = 100_000;

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
 * Listens to the stage samples while started; `summary()` gives percentiles per stage. Each sample
 * keeps the wall-clock time it was taken, so that a reader can leave out a warm-up.
 */
export class StageRecorder {
  private readonly samples = new Map<StageName, { at: number[]; ms: number[] }>();
  private readonly onSample = (m: unknown) => {
    const { stage, ms } = m as StageSample;
    let list = this.samples.get(stage);
    if (!list) this.samples.set(stage, (list = { at: [], ms: [] }));
    if (list.ms.length >= MAX_SAMPLES) {
      list.at.shift();
      list.ms.shift();
    }
    list.at.push(Date.now());
    list.ms.push(ms);
  };

  start(): this {
    channel.subscribe(this.onSample);
    return this;
  }

  stop(): void {
    channel.unsubscribe(this.onSample);
  }

  summary(): Partial<Record<StageName, StageSummary>> {
    const out: Partial<Record<StageName, StageSummary>> = {};
    for (const stage of STAGE_NAMES) {
      const list = this.samples.get(stage);
      if (list?.ms.length) out[stage] = summarizeStage(list.ms);
    }
    return out;
  }

  /**
   * Writes `{ stages: { <name>: { count, p50, p99, mean, max } }, samples: { <name>: { at, ms } } }` to
   * `file`: the summary, and every sample with its time (epoch ms).
   */
  writeSummary(file: string): void {
    const samples = Object.fromEntries(this.samples);
    fs.writeFileSync(file, JSON.stringify({ stages: this.summary(), samples }) + "\n");
  }
}
