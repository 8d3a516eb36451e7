/**
 * `calls.jsonl`: every change to a call appended as its whole record, one JSON line each; on start
 * the last line of each call wins. A failed append throws to the caller (that request fails; the
 * gateway keeps running).
 */
import fs from "node:fs";
import path from "node:path";
import type { CallRecord } from "./types.js";

/** Only this much of the end of the file is read back on start. */
const MAX_READ_BYTES = 8 * 1024 * 1024;

export function storeDir(store: string | undefined, stateDir: string, resolve: (p: string) => string = (p) => p): string {
  return store ? resolve(store) : path.join(stateDir, "voice-calls");
}

export class CallStore {
  readonly file: string;
  constructor(readonly dir: string) {
    this.file = path.join(dir, "calls.jsonl");
  }

  append(call: CallRecord): void {
    try {
      fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      fs.appendFileSync(this.file, JSON.stringify(call) + "\n", { mode: 0o600 });
    } catch (e) {
      throw new Error(`could not record the call in ${this.file}: ${(e as Error).message}`);
    }
  }

  /** The latest record of each call in the file (oldest first). */
  load(): CallRecord[] {
    let text: string;
    try {
      const fd = fs.openSync(this.file, "r");
      try {
        const size = fs.fstatSync(fd).size;
        const start = Math.max(0, size - MAX_READ_BYTES);
        const buf = Buffer.alloc(size - start);
        fs.readSync(fd, buf, 0, buf.length, start);
        text = buf.toString("utf8");
        if (start > 0) text = text.slice(text.indexOf("\n") + 1);
      } finally {
        fs.closeSync(fd);
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw e;
    }
    const latest = new Map<string, CallRecord>();
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      try {
        const rec = JSON.parse(line) as CallRecord;
        if (rec && typeof rec.callId === "string") {
          latest.delete(rec.callId);
          latest.set(rec.callId, rec);
        }
      } catch {
        /* a torn last line after a crash */
      }
    }
    return [...latest.values()];
  }
}
