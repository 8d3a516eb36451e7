/**
 * How deep and how big a JSON (or JSON5) text is, measured in one pass without parsing it.
 *
 * Parsers build the whole value before anyone can look at it: a few megabytes of `[[[[…` overflow
 * the stack of a recursive parser or the validator behind it, and a flat list of a million empty
 * arrays costs hundreds of megabytes. Measuring first lets an edge refuse such input for the price of
 * reading it. Strings and comments are skipped, so brackets inside them do not count.
 */

export interface JsonShapeLimits {
  /** Deepest nesting of objects and arrays allowed. */
  maxDepth: number;
  /** Most objects and arrays allowed in total. */
  maxContainers?: number;
  /** Most values (array elements and object members) allowed in total; counted by separators. */
  maxValues?: number;
}

export interface JsonShapeProblem {
  kind: "depth" | "containers" | "values";
  message: string;
  /** 1-based line of the offending bracket. */
  line: number;
}

/** The first limit `text` breaks, or null. Malformed text is left for the parser to report. */
export function checkJsonShape(text: string, limits: JsonShapeLimits): JsonShapeProblem | null {
  const maxContainers = limits.maxContainers ?? Number.MAX_SAFE_INTEGER;
  const maxValues = limits.maxValues ?? Number.MAX_SAFE_INTEGER;
  let depth = 0;
  let containers = 0;
  let values = 0;
  let line = 1;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    switch (c) {
      case 10: // \n
        line++;
        break;
      case 123: // {
      case 91: // [
        depth++;
        containers++;
        if (depth > limits.maxDepth) return { kind: "depth", line, message: `nested deeper than ${limits.maxDepth} levels (line ${line})` };
        if (containers > maxContainers)
          return { kind: "containers", line, message: `more than ${maxContainers} objects and arrays (line ${line})` };
        break;
      case 125: // }
      case 93: // ]
        if (depth > 0) depth--;
        break;
      case 44: // ,
        if (++values >= maxValues) return { kind: "values", line, message: `more than ${maxValues} values (line ${line})` };
        break;
      case 34: // "
      case 39: {
        // ' (JSON5)
        i++;
        while (i < n) {
          const d = text.charCodeAt(i);
          if (d === 92)
            i++; // backslash: skip the escaped character
          else if (d === c) break;
          else if (d === 10) line++;
          i++;
        }
        break;
      }
      case 47: {
        // / : a JSON5 comment
        const next = text.charCodeAt(i + 1);
        if (next === 47) {
          const end = text.indexOf("\n", i + 2);
          i = end === -1 ? n : end - 1;
        } else if (next === 42) {
          const end = text.indexOf("*/", i + 2);
          const stop = end === -1 ? n : end + 1;
          for (let j = i; j < stop; j++) if (text.charCodeAt(j) === 10) line++;
          i = stop;
        }
        break;
      }
    }
  }
  return null;
}
