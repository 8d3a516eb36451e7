/** Config problems, each named by its full dotted path so a person can find and fix it. */
import type * as z from "zod";

export interface ConfigIssue {
  /** Dotted path, e.g. `agents.defaults.model.primary` ("" for the root). */
  path: string;
  message: string;
}

export class ConfigError extends Error {
  readonly code: string;
  readonly issues: ConfigIssue[];
  constructor(code: string, message: string, issues: ConfigIssue[] = []) {
    super(message);
    this.name = "ConfigError";
    this.code = code;
    this.issues = issues;
  }
}

export function joinPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => String(p)).join(".");
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key as string];
  }
  return cur;
}

/** Turns zod issues into one line per path: `gateway.port: expected number, got string`. */
export function formatZodIssues(issues: ReadonlyArray<z.core.$ZodIssue>, input: unknown): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    const path = issue.path;
    switch (issue.code) {
      case "unrecognized_keys":
        for (const key of issue.keys) out.push({ path: joinPath([...path, key]), message: "unknown key" });
        break;
      case "invalid_type": {
        const actual = valueAt(input, path);
        out.push({
          path: joinPath(path),
          message: actual === undefined ? `required (${issue.expected})` : `expected ${issue.expected}, got ${typeName(actual)}`,
        });
        break;
      }
      case "invalid_value":
        out.push({
          path: joinPath(path),
          message: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(" | ")}, got ${JSON.stringify(valueAt(input, path))}`,
        });
        break;
      case "invalid_union": {
        // Prefer the branch that got furthest: its nested issues name the deepest path.
        const branches = issue.errors.filter((b) => b.length > 0);
        const best = branches.sort((a, b) => depth(b) - depth(a))[0];
        if (best && depth(best) > 0) out.push(...formatZodIssues(best, input).map((i) => ({ ...i })));
        else out.push({ path: joinPath(path), message: `unexpected value ${describe(valueAt(input, path))}` });
        break;
      }
      default:
        out.push({ path: joinPath(path), message: issue.message });
    }
  }
  return dedupe(out);
}

function depth(issues: ReadonlyArray<z.core.$ZodIssue>): number {
  return Math.max(0, ...issues.map((i) => i.path.length + (i.code === "unrecognized_keys" ? 1 : 0)));
}

function describe(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? typeName(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.path}\u0000${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function formatIssues(issues: ConfigIssue[]): string {
  return issues.map((i) => `${i.path || "<root>"}: ${i.message}`).join("\n");
}
