/**
 * `openclaw cron status|list|add|edit|rm|enable|disable|run|runs|wake`: the scheduled jobs of the
 * running gateway, through its `cron.*` methods, with OpenClaw's options.
 *
 * Departures: without `--session`, the session follows the payload (`--message` → isolated,
 * `--system-event` → main) instead of defaulting to main and failing for `--message`; `--to` alone
 * delivers the reply (as the gateway's auto mode does); times without a zone are UTC, and `list` says
 * so next to each time, because that is where reminders most often go wrong.
 */
import type { Command } from "commander";
import { parseAbsoluteTimeMs, parseDurationMs } from "../cron/schedule.js";
import type { CronJob, CronRunLogEntry, CronSchedule } from "../cron/types.js";
import { callGateway, cliAction, gatewayCallOptions, printJson } from "./call.js";
import { table } from "./table.js";
import type { TargetFlags } from "./target.js";

type Flags = TargetFlags & Record<string, any>;

class UsageError extends Error {}

const callOptions = (cmd: Command): Command => gatewayCallOptions(cmd, "30000");

function when(ms: number | undefined, now = Date.now()): string {
  if (typeof ms !== "number") return "-";
  const d = Math.round((ms - now) / 1000);
  const abs = Math.abs(d);
  const span =
    abs < 60
      ? `${abs}s`
      : abs < 3600
        ? `${Math.round(abs / 60)}m`
        : abs < 86400
          ? `${Math.round(abs / 3600)}h`
          : `${Math.round(abs / 86400)}d`;
  return d >= 0 ? `in ${span}` : `${span} ago`;
}

export function formatSchedule(s: CronSchedule): string {
  if (s.kind === "at") return `at ${new Date(s.atMs).toISOString().replace(/\.000Z$/, "Z")}`;
  if (s.kind === "every") {
    const ms = s.everyMs;
    const unit =
      ms % 86_400_000 === 0
        ? `${ms / 86_400_000}d`
        : ms % 3_600_000 === 0
          ? `${ms / 3_600_000}h`
          : ms % 60_000 === 0
            ? `${ms / 60_000}m`
            : ms % 1000 === 0
              ? `${ms / 1000}s`
              : `${ms}ms`;
    return `every ${unit}`;
  }
  return `cron ${s.expr}${s.tz ? ` (${s.tz})` : " (host time zone)"}`;
}

function printJobs(jobs: CronJob[]): void {
  if (!jobs.length) {
    process.stdout.write("No cron jobs.\n");
    return;
  }
  const now = Date.now();
  const rows = jobs.map((j) => [
    j.id,
    j.name,
    formatSchedule(j.schedule),
    j.enabled ? when(j.state.nextRunAtMs, now) : "-",
    when(j.state.lastRunAtMs, now),
    !j.enabled ? "disabled" : j.state.runningAtMs ? "running" : (j.state.lastStatus ?? "idle"),
    j.sessionTarget,
    j.agentId ?? "default",
  ]);
  process.stdout.write(table([["ID", "Name", "Schedule", "Next", "Last", "Status", "Target", "Agent"], ...rows]) + "\n");
}

function int(raw: string | undefined, name: string, min = 0): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`${name} must be a whole number${min ? ` of at least ${min}` : ""} (got "${raw}")`);
  return n;
}

/** `--at`, `--every`, `--cron [--tz]`: exactly one, or none when `optional` (edit). */
function scheduleFrom(flags: Flags, optional: boolean): CronSchedule | undefined {
  const given = ["at", "every", "cron"].filter((k) => flags[k] !== undefined);
  if (given.length > 1) throw new UsageError(`choose one schedule: --${given.join(", --")} were all given`);
  if (!given.length) {
    if (optional) return undefined;
    throw new UsageError(
      'a schedule is needed: --at "2026-02-01T09:00:00Z" (or +20m), --every 1h, or --cron "0 7 * * *" [--tz Europe/Berlin]',
    );
  }
  if (flags.at !== undefined) {
    const raw = String(flags.at).trim();
    const rel = raw.startsWith("+") ? parseDurationMs(raw.slice(1)) : null;
    const atMs = rel !== null ? Date.now() + rel : parseAbsoluteTimeMs(raw);
    if (atMs === null)
      throw new UsageError(
        `--at ${raw}: use an ISO time (UTC unless it names a zone, e.g. 2026-02-01T09:00:00+01:00) or +duration like +20m`,
      );
    return { kind: "at", atMs };
  }
  if (flags.every !== undefined) {
    const everyMs = parseDurationMs(String(flags.every));
    if (everyMs === null) throw new UsageError(`--every ${flags.every}: use a duration like 30s, 10m, 1h or 1d`);
    return { kind: "every", everyMs };
  }
  const tz = typeof flags.tz === "string" && flags.tz.trim() ? flags.tz.trim() : undefined;
  return { kind: "cron", expr: String(flags.cron), ...(tz ? { tz } : {}) };
}

function payloadFrom(flags: Flags, optional: boolean): Record<string, unknown> | undefined {
  if (flags.systemEvent !== undefined && flags.message !== undefined) throw new UsageError("choose one of --system-event and --message");
  if (flags.systemEvent !== undefined) return { kind: "systemEvent", text: String(flags.systemEvent) };
  const agentFields: Record<string, unknown> = {};
  if (flags.model !== undefined) agentFields.model = flags.model;
  if (flags.thinking !== undefined) agentFields.thinking = flags.thinking;
  const timeout = int(flags.timeoutSeconds, "--timeout-seconds", 1);
  if (timeout !== undefined) agentFields.timeoutSeconds = timeout;
  if (flags.deliver === true) agentFields.deliver = true;
  if (flags.deliver === false) agentFields.deliver = false;
  if (flags.channel !== undefined) agentFields.channel = String(flags.channel).toLowerCase();
  if (flags.to !== undefined) agentFields.to = flags.to;
  if (flags.bestEffortDeliver !== undefined) agentFields.bestEffortDeliver = flags.bestEffortDeliver;
  if (flags.message !== undefined) return { kind: "agentTurn", message: String(flags.message), ...agentFields };
  if (Object.keys(agentFields).length) return { kind: "agentTurn", ...agentFields };
  if (optional) return undefined;
  throw new UsageError(
    'what should the job do? --system-event "text" (a note for the main session) or --message "prompt" (an isolated agent run)',
  );
}

function isolationFrom(flags: Flags): Record<string, unknown> | undefined {
  const iso: Record<string, unknown> = {};
  if (flags.postPrefix !== undefined) iso.postToMainPrefix = flags.postPrefix;
  if (flags.postMode !== undefined) {
    if (flags.postMode !== "summary" && flags.postMode !== "full") throw new UsageError("--post-mode must be summary or full");
    iso.postToMainMode = flags.postMode;
  }
  const max = int(flags.postMaxChars, "--post-max-chars");
  if (max !== undefined) iso.postToMainMaxChars = max;
  return Object.keys(iso).length ? iso : undefined;
}

function choice<T extends string>(raw: unknown, allowed: readonly T[], flag: string): T | undefined {
  if (raw === undefined) return undefined;
  if (!allowed.includes(raw as T)) throw new UsageError(`${flag} must be ${allowed.join(" or ")} (got "${raw}")`);
  return raw as T;
}

function jobOptions(cmd: Command): Command {
  return cmd
    .option("--name <name>", "job name")
    .option("--description <text>", "description")
    .option("--agent <id>", "agent id (default: the default agent)")
    .option("--session <target>", "main | isolated (default: from the payload)")
    .option("--wake <mode>", "now | next-heartbeat")
    .option("--at <when>", "run once: ISO time (UTC unless it names a zone) or +duration like +20m")
    .option("--every <duration>", "run every duration: 30s, 10m, 1h, 1d")
    .option("--cron <expr>", 'cron expression, 5 fields ("0 7 * * *")')
    .option("--tz <iana>", "time zone of --cron (default: the gateway host's)")
    .option("--system-event <text>", "note for the main session")
    .option("--message <text>", "prompt for an isolated agent run")
    .option("--thinking <level>", "thinking level for agent jobs")
    .option("--model <model>", "model for agent jobs (provider/model or alias)")
    .option("--timeout-seconds <n>", "time limit of agent jobs")
    .option("--deliver", "deliver the agent's reply (to --channel/--to, or where the main session last talked)")
    .option("--channel <channel>", "delivery channel: last (default) or a channel id")
    .option("--to <dest>", "delivery target (Telegram chat id, @channel, -100…:topic:N, phone number, …)")
    .option("--best-effort-deliver", "do not fail the job when delivery fails")
    .option("--post-prefix <prefix>", "prefix of the note posted to the main session (default Cron)")
    .option("--post-mode <mode>", "what to post to the main session: summary | full")
    .option("--post-max-chars <n>", "max characters with --post-mode full (default 8000)");
}

async function warnIfDisabled(flags: Flags): Promise<void> {
  try {
    const s = await callGateway<{ enabled: boolean }>("cron.status", {}, flags);
    if (!s.enabled)
      process.stderr.write(
        "warning: the scheduler is disabled on this gateway (cron.enabled: false or OPENCLAW_SKIP_CRON=1); jobs will not run\n",
      );
  } catch {
    // the warning is a courtesy
  }
}

export function registerCron(program: Command): void {
  const cron = program.command("cron").description("Scheduled jobs of the running gateway");

  callOptions(cron.command("status").description("Whether the scheduler runs, how many jobs, the next wake")).action(
    cliAction(async (flags: Flags) => {
      const s = await callGateway<{ enabled: boolean; storePath: string; jobs: number; nextWakeAtMs: number | null }>(
        "cron.status",
        {},
        flags,
      );
      if (flags.json) return printJson(s);
      process.stdout.write(
        table([
          ["Field", "Value"],
          ["Enabled", s.enabled ? "yes" : "no"],
          ["Jobs", String(s.jobs)],
          ["Next wake", s.nextWakeAtMs ? `${new Date(s.nextWakeAtMs).toISOString()} (${when(s.nextWakeAtMs)})` : "-"],
          ["Store", s.storePath],
        ]) + "\n",
      );
    }),
  );

  callOptions(cron.command("list").description("List jobs (enabled ones unless --all)"))
    .option("--all", "include disabled jobs")
    .action(
      cliAction(async (flags: Flags) => {
        const r = await callGateway<{ jobs: CronJob[] }>("cron.list", { includeDisabled: flags.all === true }, flags);
        if (flags.json) return printJson(r);
        printJobs(r.jobs);
      }),
    );

  callOptions(jobOptions(cron.command("add").alias("create").description("Add a job")))
    .option("--disabled", "create it disabled")
    .option("--delete-after-run", "delete a one-shot job after it succeeds")
    .action(
      cliAction(async (flags: Flags) => {
        if (!flags.name?.trim()) throw new UsageError('--name is required (e.g. --name "Morning brief")');
        const schedule = scheduleFrom(flags, false)!;
        const payload = payloadFrom(flags, false)!;
        if (payload.kind === "agentTurn" && !payload.message) throw new UsageError('agent options need --message "prompt"');
        const params: Record<string, unknown> = {
          name: flags.name.trim(),
          schedule,
          payload,
          sessionTarget:
            choice(flags.session, ["main", "isolated"] as const, "--session") ?? (payload.kind === "agentTurn" ? "isolated" : "main"),
          wakeMode: choice(flags.wake, ["now", "next-heartbeat"] as const, "--wake") ?? "next-heartbeat",
        };
        if (flags.description !== undefined) params.description = flags.description;
        if (flags.agent !== undefined) params.agentId = flags.agent;
        if (flags.disabled) params.enabled = false;
        if (flags.deleteAfterRun) params.deleteAfterRun = true;
        const iso = isolationFrom(flags);
        if (iso) params.isolation = iso;
        const job = await callGateway<CronJob>("cron.add", params, flags);
        if (flags.json) printJson(job);
        else process.stdout.write(`Added ${job.id} (${job.name}): ${formatSchedule(job.schedule)}, next ${when(job.state.nextRunAtMs)}\n`);
        await warnIfDisabled(flags);
      }),
    );

  callOptions(jobOptions(cron.command("edit").argument("<id>", "job id").description("Change a job")))
    .option("--enable", "enable the job")
    .option("--disable", "disable the job")
    .option("--delete-after-run", "delete a one-shot job after it succeeds")
    .option("--keep-after-run", "keep a one-shot job after it succeeds")
    .option("--clear-agent", "use the default agent")
    .option("--no-deliver", "do not deliver the agent's reply")
    .option("--no-best-effort-deliver", "fail the job when delivery fails")
    .action(
      cliAction(async (id: string, flags: Flags) => {
        const patch: Record<string, unknown> = {};
        if (flags.name !== undefined) patch.name = flags.name;
        if (flags.description !== undefined) patch.description = flags.description;
        if (flags.enable && flags.disable) throw new UsageError("choose one of --enable and --disable");
        if (flags.enable) patch.enabled = true;
        if (flags.disable) patch.enabled = false;
        if (flags.deleteAfterRun) patch.deleteAfterRun = true;
        if (flags.keepAfterRun) patch.deleteAfterRun = false;
        if (flags.clearAgent) patch.agentId = null;
        else if (flags.agent !== undefined) patch.agentId = flags.agent;
        const session = choice(flags.session, ["main", "isolated"] as const, "--session");
        if (session) patch.sessionTarget = session;
        const wake = choice(flags.wake, ["now", "next-heartbeat"] as const, "--wake");
        if (wake) patch.wakeMode = wake;
        const schedule = scheduleFrom(flags, true);
        if (schedule) patch.schedule = schedule;
        const payload = payloadFrom(flags, true);
        if (payload) patch.payload = payload;
        const iso = isolationFrom(flags);
        if (iso) patch.isolation = iso;
        if (!Object.keys(patch).length) throw new UsageError("nothing to change: give at least one option (see openclaw cron edit --help)");
        const job = await callGateway<CronJob>("cron.update", { id, patch }, flags);
        if (flags.json) return printJson(job);
        process.stdout.write(
          `Updated ${job.id} (${job.name}): ${formatSchedule(job.schedule)}, ${job.enabled ? `next ${when(job.state.nextRunAtMs)}` : "disabled"}\n`,
        );
      }),
    );

  for (const [name, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const) {
    callOptions(
      cron
        .command(name)
        .argument("<id>", "job id")
        .description(`${enabled ? "Enable" : "Disable"} a job`),
    ).action(
      cliAction(async (id: string, flags: Flags) => {
        const job = await callGateway<CronJob>("cron.update", { id, patch: { enabled } }, flags);
        if (flags.json) return printJson(job);
        process.stdout.write(`${enabled ? "Enabled" : "Disabled"} ${job.id} (${job.name})\n`);
      }),
    );
  }

  callOptions(cron.command("rm").alias("remove").alias("delete").argument("<id>", "job id").description("Remove a job")).action(
    cliAction(async (id: string, flags: Flags) => {
      const r = await callGateway<{ ok: boolean; removed: boolean }>("cron.remove", { id }, flags);
      if (flags.json) return printJson(r);
      if (!r.removed) throw new UsageError(`no job with id ${id} (see openclaw cron list --all)`);
      process.stdout.write(`Removed ${id}\n`);
    }),
  );

  callOptions(cron.command("run").argument("<id>", "job id").description("Run a job now (only if due, unless --force)"))
    .option("--force", "run even if it is not due")
    .action(
      cliAction(async (id: string, flags: Flags) => {
        const r = await callGateway<{ ok: boolean; ran: boolean; reason?: string }>(
          "cron.run",
          { id, mode: flags.force ? "force" : "due" },
          flags,
        );
        if (flags.json) return printJson(r);
        process.stdout.write(
          r.ran ? `Ran ${id}\n` : `Did not run ${id}: ${r.reason === "not-due" ? "not due yet (use --force to run it now)" : r.reason}\n`,
        );
      }),
    );

  callOptions(cron.command("runs").description("A job's run history"))
    .option("--id <id>", "job id")
    .option("--limit <n>", "most recent runs to show", "50")
    .action(
      cliAction(async (flags: Flags) => {
        if (!flags.id) throw new UsageError("--id <job id> is required (see openclaw cron list)");
        const limit = int(flags.limit, "--limit", 1);
        const r = await callGateway<{ entries: CronRunLogEntry[] }>(
          "cron.runs",
          { id: flags.id, limit: Math.min(limit ?? 50, 5000) },
          flags,
        );
        if (flags.json) return printJson(r);
        if (!r.entries.length) return void process.stdout.write("No runs yet.\n");
        const rows = r.entries.map((e) => [
          new Date(e.runAtMs ?? e.ts).toISOString(),
          e.status ?? "-",
          typeof e.durationMs === "number" ? `${e.durationMs}ms` : "-",
          (e.error ?? e.summary ?? "").replace(/\s+/g, " ").slice(0, 80),
        ]);
        process.stdout.write(table([["Ran at (UTC)", "Status", "Duration", "Result"], ...rows]) + "\n");
      }),
    );

  callOptions(cron.command("wake").description("Queue a note for the main session (and wake it with --mode now)"))
    .option("--text <text>", "the note")
    .option("--mode <mode>", "now | next-heartbeat", "next-heartbeat")
    .action(
      cliAction(async (flags: Flags) => {
        if (!flags.text?.trim()) throw new UsageError("--text is required");
        const mode = choice(flags.mode, ["now", "next-heartbeat"] as const, "--mode");
        const r = await callGateway("wake", { mode, text: flags.text }, flags);
        if (flags.json) return printJson(r);
        process.stdout.write("ok\n");
      }),
    );
}
