/**
 * `apply_patch`: several file changes in one call, in the patch format OpenAI's coding models write:
 *
 *     *** Begin Patch
 *     *** Add File: notes/todo.md
 *     +first line
 *     *** Update File: src/app.ts
 *     *** Move to: src/main.ts          (optional rename)
 *     @@ function start() {             (optional line to find first)
 *      context line
 *     -old line
 *     +new line
 *     *** End of File                   (optional: the hunk is at the end of the file)
 *     *** Delete File: old.txt
 *     *** End Patch
 *
 * The whole patch is parsed and every hunk located before any file is touched, so a patch that does
 * not fit changes nothing. Offered only when `tools.exec.applyPatch.enabled` is set, to OpenAI models
 * (see applyPatchAllowed).
 */
import fs from "node:fs/promises";
import * as z from "zod";
import type { OpenClawConfig } from "../../config/schema.js";
import { defineTool, type ToolResult } from "../registry.js";
import { displayPath, fail, fsFailure, readBounded, resolvePath, TooLarge, writeAtomic } from "./files.js";

const BEGIN = "*** Begin Patch";
const END = "*** End Patch";
const ADD = "*** Add File: ";
const DELETE = "*** Delete File: ";
const UPDATE = "*** Update File: ";
const MOVE = "*** Move to: ";
const EOF_MARK = "*** End of File";

interface Chunk {
  /** A line to find before this chunk's old lines (`@@ <line>`). */
  anchor?: string;
  oldLines: string[];
  newLines: string[];
  atEnd: boolean;
}
type FileOp =
  | { kind: "add"; path: string; content: string }
  | { kind: "delete"; path: string }
  | { kind: "update"; path: string; moveTo?: string; chunks: Chunk[] };

class PatchError extends Error {}

/**
 * Whether `apply_patch` is offered for a model: the config enables it, the provider is OpenAI's
 * (`openai` or `openai-codex`), and `allowModels`, when not empty, names the model (`gpt-5.2` or
 * `openai/gpt-5.2`, case-insensitive).
 */
export function applyPatchAllowed(config: OpenClawConfig, provider: string, modelId: string): boolean {
  const conf = config.tools?.exec?.applyPatch;
  if (!conf?.enabled) return false;
  const p = provider.trim().toLowerCase();
  if (p !== "openai" && p !== "openai-codex") return false;
  const allow = (conf.allowModels ?? []).map((m) => m.trim().toLowerCase()).filter(Boolean);
  if (!allow.length) return true;
  const id = modelId.trim().toLowerCase();
  if (!id) return false;
  const full = id.includes("/") ? id : `${p}/${id}`;
  return allow.includes(id) || allow.includes(full);
}

// ---- parsing -----------------------------------------------------------------------------------

/** The patch's lines between its markers; a patch wrapped in a shell heredoc (`<<EOF`) is accepted. */
function body(input: string): string[] {
  let lines = input.trim().split(/\r?\n/);
  const framed = (l: string[]) => l[0]?.trim() === BEGIN && l.length > 1 && l[l.length - 1]?.trim() === END;
  if (!framed(lines) && /^<<['"]?EOF['"]?$/.test(lines[0] ?? "") && lines[lines.length - 1]?.endsWith("EOF")) {
    lines = lines.slice(1, -1);
  }
  if (!framed(lines)) {
    throw new PatchError(
      lines[0]?.trim() !== BEGIN ? `The patch must start with a line "${BEGIN}".` : `The patch must end with a line "${END}".`,
    );
  }
  return lines.slice(1, -1);
}

export function parsePatch(input: string): FileOp[] {
  const lines = body(input);
  const ops: FileOp[] = [];
  let i = 0;
  const where = () => `line ${i + 2} of the patch`;
  while (i < lines.length) {
    const head = lines[i]!.trim();
    if (!head) {
      i++;
      continue;
    }
    if (head.startsWith(ADD)) {
      const out: string[] = [];
      for (i++; i < lines.length && lines[i]!.startsWith("+"); i++) out.push(lines[i]!.slice(1));
      ops.push({ kind: "add", path: head.slice(ADD.length).trim(), content: out.map((l) => `${l}\n`).join("") });
      continue;
    }
    if (head.startsWith(DELETE)) {
      ops.push({ kind: "delete", path: head.slice(DELETE.length).trim() });
      i++;
      continue;
    }
    if (head.startsWith(UPDATE)) {
      const path = head.slice(UPDATE.length).trim();
      i++;
      let moveTo: string | undefined;
      if (lines[i]?.trim().startsWith(MOVE)) moveTo = lines[i++]!.trim().slice(MOVE.length).trim();
      const chunks: Chunk[] = [];
      while (i < lines.length && !lines[i]!.startsWith("***")) {
        if (!lines[i]!.trim()) {
          i++;
          continue;
        }
        const chunk: Chunk = { oldLines: [], newLines: [], atEnd: false };
        const line = lines[i]!;
        if (line === "@@" || line.startsWith("@@ ")) {
          if (line.length > 3) chunk.anchor = line.slice(3);
          i++;
        } else if (chunks.length) {
          throw new PatchError(`At ${where()}: a new change in ${path} must start with "@@", got "${line}".`);
        }
        let taken = 0;
        for (; i < lines.length; i++, taken++) {
          const l = lines[i]!;
          if (l === EOF_MARK) {
            if (!taken) break;
            chunk.atEnd = true;
            i++;
            break;
          }
          const mark = l[0];
          if (mark === undefined) {
            chunk.oldLines.push("");
            chunk.newLines.push("");
          } else if (mark === " ") {
            chunk.oldLines.push(l.slice(1));
            chunk.newLines.push(l.slice(1));
          } else if (mark === "-") chunk.oldLines.push(l.slice(1));
          else if (mark === "+") chunk.newLines.push(l.slice(1));
          else if (!taken) {
            throw new PatchError(
              `At ${where()}: "${l}" is not a change line. Each line of a change starts with " " (context), "-" (remove) or "+" (add).`,
            );
          } else break;
        }
        if (!taken) throw new PatchError(`At ${where()}: a change in ${path} has no lines.`);
        chunks.push(chunk);
      }
      if (!chunks.length) throw new PatchError(`The update of ${path} has no changes; add "@@" and the lines to change.`);
      ops.push({ kind: "update", path, chunks, ...(moveTo ? { moveTo } : {}) });
      continue;
    }
    throw new PatchError(`At ${where()}: "${lines[i]}" is not a file header. Use "${ADD}<path>", "${UPDATE}<path>" or "${DELETE}<path>".`);
  }
  if (!ops.some((op) => op.path)) throw new PatchError("The patch names no files.");
  for (const op of ops) if (!op.path) throw new PatchError("A file header in the patch has no path.");
  return ops;
}

// ---- locating changes --------------------------------------------------------------------------

const DASHES = /[\u2010-\u2015\u2212]/g;
const SINGLE_QUOTES = /[\u2018-\u201B]/g;
const DOUBLE_QUOTES = /[\u201C-\u201F]/g;
const SPACES = /[\u00A0\u2002-\u200A\u202F\u205F\u3000]/g;

/** Ever looser ways to compare a line: exact, then trailing spaces, all edge spaces, typographic marks. */
const LOOSENESS: Array<(s: string) => string> = [
  (s) => s,
  (s) => s.trimEnd(),
  (s) => s.trim(),
  (s) => s.trim().replace(DASHES, "-").replace(SINGLE_QUOTES, "'").replace(DOUBLE_QUOTES, '"').replace(SPACES, " "),
];

/** Where `pattern` occurs in `lines` at or after `from` (only at the very end when `atEnd`). */
function seek(lines: string[], pattern: string[], from: number, atEnd: boolean): number | undefined {
  if (!pattern.length) return from;
  const last = lines.length - pattern.length;
  if (last < 0) return undefined;
  const start = atEnd ? last : from;
  for (const norm of LOOSENESS) {
    for (let at = start; at <= last; at++) {
      if (pattern.every((p, k) => norm(lines[at + k]!) === norm(p))) return at;
    }
  }
  return undefined;
}

/** The file's new text after `chunks`, or a PatchError saying which lines could not be found. */
function applyChunks(text: string, chunks: Chunk[], shown: string): string {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const edits: Array<{ at: number; remove: number; insert: string[] }> = [];
  let cursor = 0;
  for (const c of chunks) {
    if (c.anchor !== undefined) {
      const at = seek(lines, [c.anchor], cursor, false);
      if (at === undefined) throw new PatchError(`Could not find the line "${c.anchor}" in ${shown}.`);
      cursor = at + 1;
    }
    if (!c.oldLines.length) {
      edits.push({ at: lines.length, remove: 0, insert: c.newLines });
      continue;
    }
    let old = c.oldLines;
    let neu = c.newLines;
    let at = seek(lines, old, cursor, c.atEnd);
    if (at === undefined && old[old.length - 1] === "") {
      // A trailing blank line in the patch often stands for the file's final newline.
      old = old.slice(0, -1);
      if (neu[neu.length - 1] === "") neu = neu.slice(0, -1);
      at = seek(lines, old, cursor, c.atEnd);
    }
    if (at === undefined) {
      throw new PatchError(
        `Could not find these lines in ${shown}:\n${c.oldLines.join("\n")}\nRead the file and make the patch's context match it.`,
      );
    }
    edits.push({ at, remove: old.length, insert: neu });
    cursor = at + old.length;
  }
  edits.sort((a, b) => b.at - a.at);
  for (const e of edits) lines.splice(e.at, e.remove, ...e.insert);
  return lines.length ? `${lines.join("\n")}\n` : "";
}

// ---- the tool ----------------------------------------------------------------------------------

/** The planned outcome: each touched file's new content, or null to delete it, in patch order. */
type Plan = Map<string, string | null>;

async function plan(ops: FileOp[], workspaceDir: string): Promise<{ plan: Plan; summary: string[] }> {
  const out: Plan = new Map();
  const summary: string[] = [];
  const current = async (file: string, shown: string): Promise<string> => {
    const planned = out.get(file);
    if (planned === null) throw new PatchError(`${shown} is deleted earlier in this patch.`);
    if (planned !== undefined) return planned;
    return (await readBounded(file)).toString("utf8");
  };
  for (const op of ops) {
    const file = resolvePath(op.path, workspaceDir);
    const shown = displayPath(file, workspaceDir);
    if (op.kind === "add") {
      out.set(file, op.content);
      summary.push(`A ${shown}`);
    } else if (op.kind === "delete") {
      if (!out.has(file)) await readBounded(file).catch(wrap(shown, "delete"));
      out.set(file, null);
      summary.push(`D ${shown}`);
    } else {
      const next = applyChunks(await current(file, shown).catch(wrap(shown, "update")), op.chunks, shown);
      if (op.moveTo) {
        const dest = resolvePath(op.moveTo, workspaceDir);
        // The new file is written before the old one is removed, so a failure never loses both.
        out.delete(dest);
        out.set(dest, next);
        if (dest !== file) {
          out.delete(file);
          out.set(file, null);
        }
        summary.push(`M ${displayPath(dest, workspaceDir)}`);
      } else {
        out.set(file, next);
        summary.push(`M ${shown}`);
      }
    }
  }
  return { plan: out, summary: [...new Set(summary)] };
}

/** Turns a failure to read a file the patch needs into a PatchError naming it. */
function wrap(shown: string, action: string) {
  return (err: unknown): never => {
    if (err instanceof PatchError) throw err;
    throw new PatchError(fsFailure(`${action}`, shown, err).text);
  };
}

export const applyPatchTool = defineTool({
  name: "apply_patch",
  description:
    "Change one or more files with a patch: the input starts with *** Begin Patch and ends with *** End Patch, and holds " +
    "*** Add File / *** Update File (with @@ hunks, optional *** Move to) / *** Delete File sections. Paths are relative to the workspace.",
  args: () => z.strictObject({ input: z.string().describe("The whole patch, *** Begin Patch through *** End Patch") }),
  // As in OpenClaw: only with tools.exec.applyPatch.enabled, for OpenAI models (allowModels narrows it).
  available: ({ config, provider, modelId }) => applyPatchAllowed(config, provider, modelId),
  async run(args, ctx): Promise<ToolResult> {
    if (!args.input.trim()) return fail("The patch is empty. Pass the whole patch, from *** Begin Patch to *** End Patch, as input.");
    let planned: Awaited<ReturnType<typeof plan>>;
    try {
      planned = await plan(parsePatch(args.input), ctx.workspaceDir);
    } catch (err) {
      if (err instanceof PatchError || err instanceof TooLarge) return fail(`${err.message} Nothing was changed.`);
      throw err;
    }
    const done: string[] = [];
    for (const [file, content] of planned.plan) {
      const shown = displayPath(file, ctx.workspaceDir);
      try {
        if (content === null) await fs.rm(file);
        else await writeAtomic(file, content);
        done.push(shown);
      } catch (err) {
        const why = fsFailure(content === null ? "delete" : "write", shown, err).text;
        return fail(done.length ? `${why} These files were already changed: ${done.join(", ")}.` : why);
      }
    }
    return { text: ["Patch applied. Files changed:", ...planned.summary].join("\n"), details: { files: planned.summary } };
  },
});
