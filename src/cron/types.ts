/** Scheduled jobs as OpenClaw 2026.1.29 stores and serves them (`cron/jobs.json`, `cron.*` methods). */

import type { PeriodLimits } from "../budget/config.js";

export type CronSchedule =
  { kind: "at"; atMs: number } | { kind: "every"; everyMs: number; anchorMs?: number } | { kind: "cron"; expr: string; tz?: string };

export type CronPayload =
  | { kind: "systemEvent"; text: string }
  | {
      kind: "agentTurn";
      message: string;
      model?: string;
      thinking?: string;
      timeoutSeconds?: number;
      deliver?: boolean;
      channel?: string;
      to?: string;
      bestEffortDeliver?: boolean;
    };

export interface CronIsolation {
  postToMainPrefix?: string;
  postToMainMode?: "summary" | "full";
  postToMainMaxChars?: number;
}

export type CronRunStatus = "ok" | "error" | "skipped";

export interface CronJobState {
  nextRunAtMs?: number;
  runningAtMs?: number;
  lastRunAtMs?: number;
  lastStatus?: CronRunStatus;
  lastError?: string;
  lastDurationMs?: number;
}

export interface CronJob {
  id: string;
  agentId?: string;
  name: string;
  description?: string;
  enabled: boolean;
  deleteAfterRun?: boolean;
  createdAtMs: number;
  updatedAtMs: number;
  schedule: CronSchedule;
  sessionTarget: "main" | "isolated";
  wakeMode: "next-heartbeat" | "now";
  payload: CronPayload;
  isolation?: CronIsolation;
  /** Spending limits for this job's runs, per day and per month (ours; OpenClaw has no budgets). */
  budget?: PeriodLimits;
  state: CronJobState;
}

export interface CronStoreFile {
  version: 1;
  jobs: CronJob[];
}

/** The `cron` event, as OpenClaw broadcasts it. */
export interface CronEvent {
  jobId: string;
  action: "added" | "updated" | "removed" | "started" | "finished";
  status?: CronRunStatus;
  error?: string;
  summary?: string;
  runAtMs?: number;
  durationMs?: number;
  nextRunAtMs?: number;
}

/** One line of `runs/<jobId>.jsonl`. */
export interface CronRunLogEntry {
  ts: number;
  jobId: string;
  action: "finished";
  status?: CronRunStatus;
  error?: string;
  summary?: string;
  runAtMs?: number;
  durationMs?: number;
  nextRunAtMs?: number;
}
