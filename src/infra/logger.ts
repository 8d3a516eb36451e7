/**
 * Logging: one sink per gateway, many subsystem loggers on top of it.
 *
 * Console lines read `[gateway] listening on ws://0.0.0.0:3000 (PID 123)`; the file gets one JSON object
 * per line, one file per local day under
 * `$STATE_DIR/logs/` unless `logging.file` pins a path. Known secret values are masked before anything
 * is written, wherever they appear.
 */
import fs from "node:fs";
import path from "node:path";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const RANK: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: 100 };

export type ConsoleStyle = "pretty" | "compact" | "json";
export type LogFields = Record<string, unknown>;

export interface LogSinkOptions {
  /** Folder for daily files (`openclaw-YYYY-MM-DD.log`). */
  dir?: string;
  /** A fixed file instead of daily files. */
  file?: string;
  level?: LogLevel;
  consoleLevel?: LogLevel;
  consoleStyle?: ConsoleStyle;
  /** Where console lines go; defaults to process stdout/stderr. */
  stdout?: (line: string) => void;
  stderr?: (line: string) => void;
  now?: () => Date;
  /** Daily files older than this many days are deleted on rotation. */
  keepDays?: number;
}

export interface Logger {
  readonly subsystem: string;
  trace(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(subsystem: string): Logger;
}

function localDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export class LogSink {
  private opts: Required<Omit<LogSinkOptions, "dir" | "file">> & Pick<LogSinkOptions, "dir" | "file">;
  private fd: number | null = null;
  private fdPath: string | null = null;
  private secrets: string[] = [];
  private listeners = new Set<(line: string) => void>();

  constructor(opts: LogSinkOptions = {}) {
    this.opts = {
      dir: opts.dir,
      file: opts.file,
      level: opts.level ?? "info",
      consoleLevel: opts.consoleLevel ?? "info",
      consoleStyle: opts.consoleStyle ?? "pretty",
      stdout: opts.stdout ?? ((l) => process.stdout.write(l + "\n")),
      stderr: opts.stderr ?? ((l) => process.stderr.write(l + "\n")),
      now: opts.now ?? (() => new Date()),
      keepDays: opts.keepDays ?? 7,
    };
  }

  /** Changes levels, style or file location (hot reload of `logging.*`). */
  configure(patch: Partial<Pick<LogSinkOptions, "dir" | "file" | "level" | "consoleLevel" | "consoleStyle">>): void {
    for (const [k, v] of Object.entries(patch)) {
      if (v !== undefined || k === "file") (this.opts as Record<string, unknown>)[k] = v;
    }
    this.closeFile();
  }

  /** Registers secret values to be masked in every line (tokens, passwords). */
  setSecrets(values: Array<string | undefined>): void {
    this.secrets = values.filter((v): v is string => typeof v === "string" && v.length >= 4);
  }

  /** Path of the file being written now (null when file logging is off). */
  currentFile(): string | null {
    if (this.opts.file) return this.opts.file;
    if (!this.opts.dir) return null;
    return path.join(this.opts.dir, `openclaw-${localDate(this.opts.now())}.log`);
  }

  /** Called with each JSON line written to the file (live tail). */
  onLine(fn: (line: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  logger(subsystem: string): Logger {
    const emit = (level: LogLevel) => (msg: string, fields?: LogFields) => this.write(level, subsystem, msg, fields);
    return {
      subsystem,
      trace: emit("trace"),
      debug: emit("debug"),
      info: emit("info"),
      warn: emit("warn"),
      error: emit("error"),
      child: (sub) => this.logger(`${subsystem}/${sub}`),
    };
  }

  write(level: LogLevel, subsystem: string, msg: string, fields?: LogFields): void {
    const text = this.mask(msg);
    const time = this.opts.now();
    if (RANK[level] >= RANK[this.opts.consoleLevel] && this.opts.consoleLevel !== "silent") {
      this.toConsole(level, subsystem, text, fields, time);
    }
    if (RANK[level] >= RANK[this.opts.level] && this.opts.level !== "silent") {
      this.toFile(this.mask(JSON.stringify(fileRecord(time, level, subsystem, text, fields))));
    }
  }

  close(): void {
    this.closeFile();
    this.listeners.clear();
  }

  private toConsole(level: LogLevel, subsystem: string, msg: string, fields: LogFields | undefined, time: Date): void {
    const out = RANK[level] >= RANK.warn ? this.opts.stderr : this.opts.stdout;
    if (this.opts.consoleStyle === "json") {
      out(this.mask(JSON.stringify(fileRecord(time, level, subsystem, msg, fields))));
      return;
    }
    const prefix = `[${displaySubsystem(subsystem)}]`;
    const tag = level === "info" ? "" : `${level}: `;
    out(`${prefix} ${tag}${msg}`);
  }

  private toFile(line: string): void {
    const file = this.currentFile();
    if (!file) return;
    try {
      if (this.fdPath !== file) this.openFile(file);
      if (this.fd !== null) fs.writeSync(this.fd, line + "\n");
    } catch {
      /* a full or read-only disk must not take the gateway down */
      this.closeFile();
    }
    for (const fn of this.listeners) fn(line);
  }

  private openFile(file: string): void {
    this.closeFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, "a", 0o600);
    this.fdPath = file;
    if (!this.opts.file && this.opts.dir) this.prune(this.opts.dir);
  }

  private prune(dir: string): void {
    const cutoff = this.opts.now().getTime() - this.opts.keepDays * 86_400_000;
    for (const name of safeReaddir(dir)) {
      const m = /^openclaw-(\d{4})-(\d{2})-(\d{2})\.log$/.exec(name);
      if (!m) continue;
      const day = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime();
      if (day < cutoff) fs.rmSync(path.join(dir, name), { force: true });
    }
  }

  private closeFile(): void {
    if (this.fd !== null) {
      try {
        fs.closeSync(this.fd);
      } catch {
        /* already closed */
      }
    }
    this.fd = null;
    this.fdPath = null;
  }

  private mask(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join("***");
    return out;
  }
}

/**
 * One file line. The layout is the one OpenClaw's own tools read (message under "0", extra data under
 * "1", level and subsystem in `_meta`), plus plain `level` and `subsystem` keys for filtering.
 */
function fileRecord(time: Date, level: LogLevel, subsystem: string, msg: string, fields?: LogFields) {
  return {
    time: time.toISOString(),
    level,
    subsystem,
    0: msg,
    ...(fields && Object.keys(fields).length ? { 1: fields } : {}),
    _meta: { logLevelName: level.toUpperCase(), name: JSON.stringify({ subsystem }), date: time.toISOString() },
  };
}

export interface ParsedLogLine {
  time?: string;
  level?: string;
  subsystem?: string;
  message: string;
  fields?: LogFields;
}

/** Reads a line written by {@link LogSink} (or by OpenClaw); null for anything else. */
export function parseLogLine(line: string): ParsedLogLine | null {
  try {
    const v = JSON.parse(line) as Record<string, unknown> & { _meta?: { logLevelName?: string; name?: string } };
    let subsystem = typeof v.subsystem === "string" ? v.subsystem : undefined;
    if (!subsystem && typeof v._meta?.name === "string") {
      try {
        subsystem = (JSON.parse(v._meta.name) as { subsystem?: string }).subsystem;
      } catch {
        /* plain name */
      }
    }
    return {
      time: typeof v.time === "string" ? v.time : undefined,
      level: typeof v.level === "string" ? v.level : v._meta?.logLevelName?.toLowerCase(),
      subsystem,
      message: typeof v[0] === "string" ? v[0] : "",
      ...(v[1] && typeof v[1] === "object" ? { fields: v[1] as LogFields } : {}),
    };
  } catch {
    return null;
  }
}

/** `gateway/ws` → `gateway/ws`; drops a leading `gateway/` or `channels/` and keeps the last two parts. */
function displaySubsystem(subsystem: string): string {
  const parts = subsystem.replace(/^(gateway|channels)\//, "").split("/");
  return parts.slice(-2).join("/");
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
