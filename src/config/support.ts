/**
 * Which parts of OpenClaw's config this gateway acts on today. Everything else in the schema is
 * accepted (so an existing `openclaw.json` keeps loading) and named once in a warning at start-up.
 */
import type { OpenClawConfig } from "./schema.js";

/** Top-level sections (or dotted sub-paths) that are implemented. */
export const IMPLEMENTED: ReadonlySet<string> = new Set([
  "$schema",
  "meta",
  "env",
  "logging",
  "gateway",
  "agents",
  "auth",
  "models",
  "session",
]);

/** Sub-paths of implemented sections that are still accepted-only. */
const UNIMPLEMENTED_SUBPATHS = ["gateway.tailscale", "gateway.tls", "gateway.remote.transport", "gateway.http.endpoints.responses"];

/** Dotted paths present in `cfg` that are accepted but have no effect yet. */
export function unimplementedPaths(cfg: OpenClawConfig): string[] {
  const out: string[] = [];
  const record = cfg as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (record[key] !== undefined && !IMPLEMENTED.has(key)) out.push(key);
  }
  for (const sub of UNIMPLEMENTED_SUBPATHS) {
    let cur: unknown = record;
    for (const part of sub.split(".")) cur = cur && typeof cur === "object" ? (cur as Record<string, unknown>)[part] : undefined;
    if (cur !== undefined) out.push(sub);
  }
  return out;
}
