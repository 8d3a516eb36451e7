/**
 * Transcripts: `<sessionId>.jsonl`, the same format OpenClaw writes. The first line is a header
 * (`{type:"session", version:3, id, timestamp, cwd}`); each later line is an entry with `id` and
 * `parentId` (a tree: the conversation is the path from the last entry back to the root).
 *
 * Appends go straight to the file and are fsync'd at turn boundaries. A torn last line (kill -9
 * mid-write) is skipped on read, so the file always loads.
 */
import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import type { ImageContent, Message, TextContent } from "../providers/types.js";
import { StorageError } from "../infra/faults.js";
import { FileTooLargeError, readFileBounded, readFileBoundedSync } from "../infra/read-bounded.js";

export const TRANSCRIPT_VERSION = 3;
/**
 * The largest transcript loaded for a conversation. An open transcript is held in memory (two to
 * three times its size on disk), so this bounds what one conversation can cost a small machine; a
 * longer one goes on in a new transcript (see SessionDirectory.current), the old file kept.
 */
export const MAX_TRANSCRIPT_BYTES = 16 * 1024 * 1024;

/**
 * How much of a transcript {@link Transcript.load} parses between two turns of the event loop (about
 * a millisecond of work); a smaller file is as quick to read at once.
 */
export const LOAD_SLICE_CHARS = 256 * 1024;

/** A transcript too large to load, with what to do about it. */
export class TranscriptTooLargeError extends Error {
  constructor(
    readonly file: string,
    /** What the file reported, or undefined when reading it went past the limit. */
    readonly bytes: number | undefined,
  ) {
    super(
      `${file} is ${bytes === undefined ? "" : `${(bytes / 1048576).toFixed(1)} MB, `}more than the ${MAX_TRANSCRIPT_BYTES / 1048576} MB a conversation may load; send /new to go on in a new one (the file is kept)`,
    );
    this.name = "TranscriptTooLargeError";
  }
}

export interface TranscriptHeader {
  type: "session";
  version?: number;
  id: string;
  timestamp: string;
  cwd: string;
  parentSession?: string;
}

interface EntryBase {
  type: string;
  id: string;
  parentId: string | null;
  timestamp: string;
}
export interface MessageEntry extends EntryBase {
  type: "message";
  /** user / assistant / toolResult, plus extension roles OpenClaw may have written. */
  message: Message | { role: string; [k: string]: unknown };
}
export interface CompactionEntry extends EntryBase {
  type: "compaction";
  summary: string;
  firstKeptEntryId: string;
  tokensBefore: number;
  details?: unknown;
  fromHook?: boolean;
}
export interface CustomMessageEntry extends EntryBase {
  type: "custom_message";
  customType: string;
  content: string | Array<TextContent | ImageContent>;
  display: boolean;
  details?: unknown;
}
export interface ModelChangeEntry extends EntryBase {
  type: "model_change";
  provider: string;
  modelId: string;
}
export type TranscriptEntry =
  MessageEntry | CompactionEntry | CustomMessageEntry | ModelChangeEntry | (EntryBase & Record<string, unknown>);

/** Distributes Omit over the entry union so each variant keeps its own fields. */
export type NewEntry = TranscriptEntry extends infer E
  ? E extends TranscriptEntry
    ? Omit<E, "id" | "parentId" | "timestamp">
    : never
  : never;

const SUMMARY_PREFIX = "The conversation history before this point was compacted into the following summary:\n\n<summary>\n";
const SUMMARY_SUFFIX = "\n</summary>";

export class Transcript {
  readonly file: string;
  header: TranscriptHeader;
  entries: TranscriptEntry[] = [];
  private byId = new Map<string, TranscriptEntry>();
  private fd: number | null = null;
  /** Bytes of the file that hold whole lines; a failed append is cut back to this. */
  private size = 0;
  /** Lines that could not be parsed (a torn write, or a foreign line). */
  skippedLines = 0;
  /** fsyncs on the thread pool that still use the descriptor. */
  private syncing = 0;
  /** Closed by its owner: a turn still holding it may write, and the descriptor is closed again after. */
  private detached = false;

  private constructor(file: string, header: TranscriptHeader) {
    this.file = file;
    this.header = header;
  }

  /** Opens an existing transcript or creates it (header written; synced with what follows). */
  static open(file: string, sessionId: string, now: () => number = Date.now): Transcript {
    let text: string | null = null;
    try {
      text = readFileBoundedSync(file, MAX_TRANSCRIPT_BYTES).toString("utf8");
    } catch (err) {
      if (err instanceof FileTooLargeError) throw new TranscriptTooLargeError(file, err.size);
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    if (text === null || text.trim() === "") {
      const header: TranscriptHeader = {
        type: "session",
        version: TRANSCRIPT_VERSION,
        id: sessionId,
        timestamp: new Date(now()).toISOString(),
        cwd: process.cwd(),
      };
      const t = new Transcript(file, header);
      const line = JSON.stringify(header) + "\n";
      try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, line, { mode: 0o600 });
      } catch (e) {
        throw new StorageError(file, e);
      }
      // Made durable with the first turn's messages (the turn's end syncs the file).
      t.size = Buffer.byteLength(line);
      return t;
    }
    const t = Transcript.unread(file, sessionId, now);
    t.ingest(text, 0, Infinity);
    t.size = Buffer.byteLength(text);
    // A torn last line has no newline after it: end the file cleanly before appending more.
    if (!text.endsWith("\n")) {
      try {
        fs.appendFileSync(file, "\n");
        t.size += 1;
      } catch (e) {
        throw new StorageError(file, e);
      }
    }
    return t;
  }

  /**
   * {@link open} for a transcript that may be large, without holding up the event loop: the file is
   * read off it and parsed {@link LOAD_SLICE_CHARS} at a time, other work running in between. Writes
   * nothing (a torn last line is ended by the first append). Null when there is no transcript yet, or
   * only an empty file: {@link open} creates it.
   */
  static async load(file: string, sessionId: string, now: () => number = Date.now): Promise<Transcript | null> {
    let text: string;
    try {
      text = (await readFileBounded(file, MAX_TRANSCRIPT_BYTES)).toString("utf8");
    } catch (err) {
      if (err instanceof FileTooLargeError) throw new TranscriptTooLargeError(file, err.size);
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
    if (text.trim() === "") return null;
    const t = Transcript.unread(file, sessionId, now);
    for (let at = 0; at < text.length;) {
      at = t.ingest(text, at, LOAD_SLICE_CHARS);
      if (at < text.length) await new Promise((resolve) => setImmediate(resolve));
    }
    t.size = Buffer.byteLength(text);
    return t;
  }

  /** A transcript about to be filled from its file, with the header to use if the file has none. */
  private static unread(file: string, sessionId: string, now: () => number): Transcript {
    return new Transcript(file, { type: "session", id: sessionId, timestamp: new Date(now()).toISOString(), cwd: process.cwd() });
  }

  /** Whether {@link ingest} has met the file's header line. */
  private headerRead = false;

  /**
   * Takes in the lines of `text` from offset `from`, until about `budget` characters have been read
   * (whole lines only). Returns where the next line starts.
   */
  private ingest(text: string, from: number, budget: number): number {
    let at = from;
    const stop = from + budget;
    while (at < text.length && at < stop) {
      let end = text.indexOf("\n", at);
      if (end < 0) end = text.length;
      const line = text.slice(at, end);
      at = end + 1;
      if (!line.trim()) continue;
      let v: Record<string, unknown>;
      try {
        v = JSON.parse(line) as Record<string, unknown>;
      } catch {
        this.skippedLines++;
        continue;
      }
      if (v.type === "session" && !this.headerRead) {
        this.header = v as unknown as TranscriptHeader;
        this.headerRead = true;
        continue;
      }
      if (typeof v.id !== "string") {
        this.skippedLines++;
        continue;
      }
      const e = v as unknown as TranscriptEntry;
      this.entries.push(e);
      this.byId.set(e.id, e);
    }
    return Math.min(at, text.length);
  }

  /**
   * Messages of a transcript file in file order, read without opening it for writing: the whole
   * file (up to {@link MAX_TRANSCRIPT_BYTES}: a larger one's end), or only its first or last `bytes`
   * (whole lines only) so that a huge transcript costs a bounded read.
   */
  static readMessages(file: string, window?: { from: "head" | "tail"; bytes: number }): unknown[] {
    let text: string;
    // Never more than a conversation may load: the end of a larger file.
    window ??= { from: "tail", bytes: MAX_TRANSCRIPT_BYTES };
    const fd = fs.openSync(file, "r");
    try {
      const size = fs.fstatSync(fd).size;
      const len = Math.min(size, window.bytes);
      const start = window.from === "head" ? 0 : size - len;
      const buf = Buffer.alloc(len);
      fs.readSync(fd, buf, 0, len, start);
      text = buf.toString("utf8");
      // Keep whole lines: drop a line cut at the window's edge.
      if (window.from === "tail" && start > 0) text = text.slice(text.indexOf("\n") + 1);
      if (window.from === "head" && len < size) text = text.slice(0, text.lastIndexOf("\n") + 1);
    } finally {
      fs.closeSync(fd);
    }
    const out: unknown[] = [];
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      try {
        const v = JSON.parse(line) as { type?: unknown; message?: unknown };
        if (v.type === "message" && v.message && typeof v.message === "object") out.push(v.message);
      } catch {
        /* a torn or foreign line */
      }
    }
    return out;
  }

  /** Bytes in the file. */
  get bytes(): number {
    return this.size;
  }

  get leafId(): string | null {
    return this.entries.length ? this.entries[this.entries.length - 1]!.id : null;
  }

  /**
   * Appends entries (each parented to the one before) and returns them with ids. Either all of them
   * reach the file or none does: a failed write (full disk) is cut back and thrown as a
   * {@link StorageError}, and the transcript in memory stays as it was.
   */
  append(items: NewEntry[], now: () => number = Date.now): TranscriptEntry[] {
    const out: TranscriptEntry[] = [];
    let lines = "";
    let parentId = this.leafId;
    for (const item of items) {
      // Not `{ ...item, id, … }`: V8 gives a spread copy with added fields a spare property store, about
      // 200 bytes more per entry, and an open conversation keeps every entry in memory.
      const entry = Object.assign({}, item, { id: this.newId(out), parentId, timestamp: new Date(now()).toISOString() }) as TranscriptEntry;
      parentId = entry.id;
      out.push(entry);
      lines += JSON.stringify(entry) + "\n";
    }
    const buf = Buffer.from(lines, "utf8");
    try {
      const fd = this.openFd();
      for (let off = 0; off < buf.length;) off += fs.writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      this.cutBack();
      throw new StorageError(this.file, e);
    }
    this.size += buf.length;
    const cache = this.contextCache;
    const before = this.leafId;
    for (const entry of out) {
      this.entries.push(entry);
      this.byId.set(entry.id, entry);
    }
    // Messages after the cached leaf extend its context; a compaction changes what comes before.
    if (cache && cache.leaf === before && out.every((e) => e.type !== "compaction")) {
      for (const entry of out) cache.messages.push(...toMessage(entry));
      cache.leaf = this.leafId;
    }
    this.releaseIfDetached();
    return out;
  }

  /** Removes a partly written append so the next line starts on a line of its own. */
  private cutBack(): void {
    try {
      if (this.fd !== null) fs.ftruncateSync(this.fd, this.size);
    } catch {
      // Cannot even truncate (read-only): drop the descriptor; reopening repairs a torn last line.
      this.closeFd();
    }
  }

  /** Makes everything appended so far durable (called at turn boundaries). */
  sync(): void {
    try {
      fs.fsyncSync(this.openFd());
    } catch {
      /* the data is written; durability is best effort on odd filesystems */
    }
    this.releaseIfDetached();
  }

  /**
   * {@link sync} on libuv's thread pool, so the event loop goes on meanwhile. Resolves once what was
   * appended before the call is durable (or the filesystem refused: best effort, as `sync`). Never rejects.
   */
  syncAsync(): Promise<void> {
    let fd: number;
    try {
      fd = this.openFd();
    } catch {
      return Promise.resolve();
    }
    this.syncing++;
    return new Promise((resolve) =>
      fs.fsync(fd, () => {
        this.syncing--;
        this.releaseIfDetached();
        resolve();
      }),
    );
  }

  /**
   * Closes the file. A turn that still holds this transcript may append and sync after this; the file
   * is then reopened for that and closed again once done. A pending fsync keeps the descriptor open
   * until it has finished.
   */
  close(): void {
    this.detached = true;
    this.releaseIfDetached();
  }

  /** Taken back into use after {@link close}: the file stays open again. */
  reopen(): void {
    this.detached = false;
  }

  private releaseIfDetached(): void {
    if (this.detached && this.syncing === 0) this.closeFd();
  }

  private closeFd(): void {
    if (this.fd !== null) {
      try {
        fs.closeSync(this.fd);
      } catch {
        /* already gone */
      }
    }
    this.fd = null;
  }

  private openFd(): number {
    if (this.fd === null) {
      const fd = fs.openSync(this.file, "a+", 0o600);
      // The length may have changed since it was read (a failed write that could not be cut back).
      let size = fs.fstatSync(fd).size;
      if (size > 0) {
        const last = Buffer.alloc(1);
        fs.readSync(fd, last, 0, 1, size - 1);
        if (last[0] !== 0x0a) {
          try {
            size += fs.writeSync(fd, "\n");
          } catch (e) {
            fs.closeSync(fd);
            throw e;
          }
        }
      }
      this.fd = fd;
      this.size = size;
    }
    return this.fd;
  }

  private newId(pending: TranscriptEntry[] = []): string {
    for (let i = 0; i < 10; i++) {
      const id = randomUUID().slice(0, 8);
      if (!this.byId.has(id) && !pending.some((e) => e.id === id)) return id;
    }
    return randomUUID();
  }

  /** The current branch: entries from the root to the last one, following parentId. */
  branch(): TranscriptEntry[] {
    const out: TranscriptEntry[] = [];
    let cur = this.leafId ? this.byId.get(this.leafId) : undefined;
    const seen = new Set<string>();
    while (cur && !seen.has(cur.id)) {
      seen.add(cur.id);
      out.push(cur);
      cur = cur.parentId ? this.byId.get(cur.parentId) : undefined;
    }
    return out.reverse();
  }

  /**
   * The messages the model sees next: compaction summary, kept messages, newer messages. Kept from
   * call to call and extended as entries are appended (a run asks before every model call, and the
   * branch walk is as long as the conversation).
   */
  context(): Message[] {
    const leaf = this.leafId;
    if (this.contextCache?.leaf !== leaf) this.contextCache = { leaf, messages: this.buildContext() };
    return this.contextCache.messages.slice();
  }

  /** {@link context} as of the entry `leaf`. */
  private contextCache: { leaf: string | null; messages: Message[] } | null = null;

  private buildContext(): Message[] {
    const path = this.branch();
    let start = 0;
    const out: Message[] = [];
    for (let i = path.length - 1; i >= 0; i--) {
      const e = path[i]!;
      if (e.type !== "compaction") continue;
      const c = e as CompactionEntry;
      out.push({
        role: "user",
        content: [{ type: "text", text: SUMMARY_PREFIX + c.summary + SUMMARY_SUFFIX }],
        timestamp: Date.parse(c.timestamp) || 0,
      });
      const kept = path.findIndex((x) => x.id === c.firstKeptEntryId);
      // Kept entries sit before the compaction entry; newer ones after it. Skip the compaction itself.
      const before = kept >= 0 && kept < i ? path.slice(kept, i) : [];
      for (const m of before.flatMap(toMessage)) out.push(m);
      start = i + 1;
      break;
    }
    for (const e of path.slice(start)) out.push(...toMessage(e));
    return out;
  }

  /** Message entries on the current branch, oldest first (for history views). */
  messages(): MessageEntry[] {
    return this.branch().filter((e): e is MessageEntry => e.type === "message");
  }
}

function toMessage(e: TranscriptEntry): Message[] {
  if (e.type === "message") {
    const m = (e as MessageEntry).message;
    if (m.role === "user" || m.role === "assistant" || m.role === "toolResult") return [m as Message];
    if (m.role === "custom" && "content" in m) {
      const content = m.content as Message["content"];
      return [
        {
          role: "user",
          content: typeof content === "string" ? [{ type: "text", text: content }] : (content as TextContent[]),
          timestamp: 0,
        },
      ];
    }
    return [];
  }
  if (e.type === "custom_message") {
    const c = e as CustomMessageEntry;
    return [
      {
        role: "user",
        content: typeof c.content === "string" ? [{ type: "text", text: c.content }] : c.content,
        timestamp: Date.parse(c.timestamp) || 0,
      },
    ];
  }
  return [];
}
