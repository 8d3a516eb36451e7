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

export const TRANSCRIPT_VERSION = 3;

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
  /** Lines that could not be parsed (a torn write, or a foreign line). */
  skippedLines = 0;

  private constructor(file: string, header: TranscriptHeader) {
    this.file = file;
    this.header = header;
  }

  /** Opens an existing transcript or creates it (header written and fsync'd). */
  static open(file: string, sessionId: string, now: () => number = Date.now): Transcript {
    let text: string | null = null;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (err) {
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
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const t = new Transcript(file, header);
      fs.writeFileSync(file, JSON.stringify(header) + "\n", { mode: 0o600 });
      t.sync();
      return t;
    }
    const lines = text.split("\n");
    let header: TranscriptHeader | null = null;
    const t = new Transcript(file, { type: "session", id: sessionId, timestamp: new Date(now()).toISOString(), cwd: process.cwd() });
    for (const line of lines) {
      if (!line.trim()) continue;
      let v: Record<string, unknown>;
      try {
        v = JSON.parse(line) as Record<string, unknown>;
      } catch {
        t.skippedLines++;
        continue;
      }
      if (v.type === "session" && !header) {
        header = v as unknown as TranscriptHeader;
        continue;
      }
      if (typeof v.id !== "string") {
        t.skippedLines++;
        continue;
      }
      const e = v as unknown as TranscriptEntry;
      t.entries.push(e);
      t.byId.set(e.id, e);
    }
    if (header) t.header = header;
    // A torn last line has no newline after it: end the file cleanly before appending more.
    if (!text.endsWith("\n")) fs.appendFileSync(file, "\n");
    return t;
  }

  get leafId(): string | null {
    return this.entries.length ? this.entries[this.entries.length - 1]!.id : null;
  }

  /** Appends entries (each parented to the one before) and returns them with ids. */
  append(items: NewEntry[], now: () => number = Date.now): TranscriptEntry[] {
    const out: TranscriptEntry[] = [];
    let lines = "";
    for (const item of items) {
      const entry = { ...item, id: this.newId(), parentId: this.leafId, timestamp: new Date(now()).toISOString() } as TranscriptEntry;
      this.entries.push(entry);
      this.byId.set(entry.id, entry);
      out.push(entry);
      lines += JSON.stringify(entry) + "\n";
    }
    fs.writeSync(this.openFd(), lines);
    return out;
  }

  /** Makes everything appended so far durable (called at turn boundaries). */
  sync(): void {
    try {
      fs.fsyncSync(this.openFd());
    } catch {
      /* the data is written; durability is best effort on odd filesystems */
    }
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  private openFd(): number {
    this.fd ??= fs.openSync(this.file, "a", 0o600);
    return this.fd;
  }

  private newId(): string {
    for (let i = 0; i < 10; i++) {
      const id = randomUUID().slice(0, 8);
      if (!this.byId.has(id)) return id;
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

  /** The messages the model sees next: compaction summary, kept messages, newer messages. */
  context(): Message[] {
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
