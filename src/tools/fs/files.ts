/**
 * What the file tools share: where a path the model names points to, Claude Code's argument names,
 * a size bound on what is read or written, crash-safe writes, and failures worded for the model.
 *
 * The tools are not confined to the workspace (as in OpenClaw without a sandbox): relative paths
 * resolve against the agent's workspace, absolute and `~/` paths are taken as they are.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";
import * as z from "zod";
import type { ToolResult } from "../registry.js";
import { expandHome } from "../../infra/paths.js";
import { FileTooLargeError, readFileBounded } from "../../infra/read-bounded.js";

/** The largest file a tool reads or writes (10 MB); bigger files are refused with an error result. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

const UNICODE_SPACES = /[\u00A0\u2000-\u200A\u202F\u205F\u3000]/g;

/** The absolute path for `file` as the model wrote it (relative to the workspace, `~` = home). */
export function resolvePath(file: string, workspaceDir: string): string {
  const p = expandHome(file.replace(UNICODE_SPACES, " "));
  return path.isAbsolute(p) ? path.normalize(p) : path.resolve(workspaceDir, p);
}

/** How a path is shown back: relative when inside the workspace, absolute otherwise. */
export function displayPath(resolved: string, workspaceDir: string): string {
  const rel = path.relative(workspaceDir, resolved);
  if (!rel) return path.basename(resolved);
  return rel.startsWith("..") || path.isAbsolute(rel) ? resolved : rel;
}

/** Claude Code's names for the file tools' arguments, accepted beside ours. */
const ALIASES = { path: "file_path", oldText: "old_string", newText: "new_string" } as const;
type Aliased = keyof typeof ALIASES;

/**
 * The arguments object for a file tool whose `names` may also arrive under Claude Code's names. Both
 * spellings are offered to the model (neither required); the check asks for one of them.
 */
export function withAliases<S extends z.ZodRawShape, K extends Aliased>(
  names: readonly K[],
  describe: Record<K, string>,
  rest: S,
): z.ZodType<z.infer<z.ZodObject<S>> & Record<string, unknown>> {
  const shape: Record<string, z.ZodType> = {};
  for (const k of names) {
    shape[k] = z.string().optional().describe(describe[k]);
    shape[ALIASES[k]] = z.string().optional().describe(`Alias of ${k}`);
  }
  // The alias keys are built at run time, so the declared output type is spelled out here.
  type Out = z.infer<z.ZodObject<S>> & Record<string, unknown>;
  const schema = z.strictObject({ ...shape, ...rest }).superRefine((v, ctx) => {
    const rec = v as Record<string, unknown>;
    for (const k of names) {
      if (typeof rec[k] !== "string" && typeof rec[ALIASES[k]] !== "string") {
        ctx.addIssue({ code: "custom", path: [k], message: `required (${k} or ${ALIASES[k]})` });
      }
    }
    const p = rec.path ?? rec.file_path;
    if (names.includes("path" as K) && typeof p === "string" && !p.trim()) {
      ctx.addIssue({ code: "custom", path: ["path"], message: "must not be empty" });
    }
  });
  return schema as unknown as z.ZodType<Out>;
}

/** The value of `key`, under our name or Claude Code's. */
export function arg(args: Record<string, unknown>, key: Aliased): string {
  const v = args[key] ?? args[ALIASES[key]];
  return typeof v === "string" ? v : "";
}

/** An error result the model can act on. */
export function fail(text: string): ToolResult {
  return { text, isError: true };
}

/** A filesystem failure in words that say what went wrong and what to try. */
export function fsFailure(action: string, shown: string, err: unknown): ToolResult {
  const code = (err as NodeJS.ErrnoException)?.code;
  const why =
    code === "ENOENT"
      ? "it does not exist; check the path (relative paths start at the workspace)"
      : code === "EACCES" || code === "EPERM"
        ? "permission denied"
        : code === "EISDIR"
          ? "it is a directory, not a file"
          : code === "ENOTDIR"
            ? "a part of the path is a file, not a directory"
            : code === "ENOSPC" || code === "EDQUOT"
              ? "the disk is full; nothing was changed"
              : code === "EROFS"
                ? "the file system is read-only; nothing was changed"
                : ((err as Error)?.message ?? String(err));
  return fail(`Could not ${action} ${shown}: ${why}.`);
}

/** A file's bytes, at most `max` (see {@link readFileBounded}); too many is a {@link TooLarge}. */
export async function readBounded(file: string, max = MAX_FILE_BYTES): Promise<Buffer> {
  try {
    return await readFileBounded(file, max);
  } catch (e) {
    throw e instanceof FileTooLargeError ? new TooLarge(e.size, e.max) : e;
  }
}

/** A file over a bound: `size` is what it reported, or undefined when reading it went past the bound. */
export class TooLarge extends Error {
  constructor(
    readonly size: number | undefined,
    readonly max = MAX_FILE_BYTES,
  ) {
    super(
      `it is ${size === undefined ? `over ${formatSize(max)}` : formatSize(size)}; the file tools handle files up to ${formatSize(max)}`,
    );
  }
}

/**
 * Writes `data` to `target` crash-safely: parent directories are created, a temp file beside the
 * target is written and fsync'd, then renamed over it (keeping an existing file's mode). A failure
 * part-way removes the temp file and leaves the old file as it was.
 */
export async function writeAtomic(target: string, data: string): Promise<void> {
  const bytes = Buffer.byteLength(data, "utf8");
  if (bytes > MAX_FILE_BYTES) throw new TooLarge(bytes);
  const dir = path.dirname(target);
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const mode = await fs.stat(target).then(
    (s) => (s.isDirectory() ? Promise.reject(Object.assign(new Error("is a directory"), { code: "EISDIR" })) : s.mode & 0o777),
    (e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? 0o666 : Promise.reject(e)),
  );
  try {
    const fh = await fs.open(tmp, "w", mode);
    try {
      await fh.writeFile(data, "utf8");
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, "")} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, "")} MB`;
}
