/**
 * Reading config text safely: a size cap checked before the file is read, and a nesting cap checked
 * before it is parsed, so a huge or deeply nested file is reported instead of taking the process
 * down (a 10 MB file costs seconds and hundreds of megabytes to parse; 20,000 levels overflow the
 * stack).
 */
import { parseJson5Text } from "../infra/json5.js";
import { checkJsonShape } from "../infra/json-shape.js";
import { FileTooLargeError, readFileBoundedSync } from "../infra/read-bounded.js";
import { ConfigError } from "./errors.js";

/** Largest config file (and each `$include`d file) read; configs are a few kilobytes. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Deepest nesting accepted in a config file; the schema itself is under ten levels deep. */
export const MAX_CONFIG_DEPTH = 64;

export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1048576).toFixed(1).replace(/\.0$/, "")} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} bytes`;
}

/**
 * Reads a config file, refusing (with a {@link ConfigError}) one too big to hold safely. The reading
 * itself stops at the limit (see {@link readFileBoundedSync}): an `$include` may name anything.
 */
export function readConfigText(file: string): string {
  try {
    return readFileBoundedSync(file, MAX_CONFIG_BYTES).toString("utf8");
  } catch (e) {
    if (!(e instanceof FileTooLargeError)) throw e;
    const message = `the file is ${e.size === undefined ? `over ${formatBytes(e.max)}` : formatBytes(e.size)}; the limit is ${formatBytes(e.max)}`;
    throw new ConfigError("CONFIG_TOO_LARGE", `${file}: ${message}`, [{ path: "", message }]);
  }
}

/**
 * Parses JSON5 text after checking it is not too big or too deep to parse safely (a huge or deeply
 * nested file would take the process down instead of being reported).
 */
export function parseJson5(raw: string, label: string): unknown {
  const size = Buffer.byteLength(raw);
  if (size > MAX_CONFIG_BYTES) {
    const message = `the file is ${formatBytes(size)}; the limit is ${formatBytes(MAX_CONFIG_BYTES)}`;
    throw new ConfigError("CONFIG_TOO_LARGE", `${label}: ${message}`, [{ path: "", message }]);
  }
  const shape = checkJsonShape(raw, { maxDepth: MAX_CONFIG_DEPTH });
  if (shape) {
    const message = `${shape.message}; the limit is ${MAX_CONFIG_DEPTH} levels`;
    throw new ConfigError("CONFIG_TOO_DEEP", `${label}: ${message}`, [{ path: "", message }]);
  }
  try {
    return parseJson5Text(raw);
  } catch (err) {
    throw new ConfigError("CONFIG_PARSE", `${label}: ${(err as Error).message}`, [{ path: "", message: (err as Error).message }]);
  }
}
