/**
 * Which parts of OpenClaw's config this gateway acts on today. Everything else in the schema is
 * accepted (so an existing `openclaw.json` keeps loading) and named once in a warning at start-up.
 */
import type { OpenClawConfig } from "./schema.js";
import { bundledChannels } from "../plugins/builtin.js";

/** Top-level sections that are implemented (their unimplemented sub-keys are listed below). */
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
  "channels",
  "bindings",
  "ui",
  "plugins",
  "tools",
  "approvals",
  "browser",
  "skills",
  "hooks",
  "cron",
]);

/**
 * Parts of otherwise unimplemented sections that are implemented: such a section is reported key by
 * key, leaving these out (their own accepted-only sub-keys are in UNIMPLEMENTED_SUBPATHS).
 */
const IMPLEMENTED_SUBPATHS: string[] = [
  // tts.* methods and call audio (src/tts); auto-speaking replies is not implemented.
  ...["provider", "openai", "elevenlabs", "prefsPath", "maxTextLength", "timeoutMs"].map((k) => `messages.tts.${k}`),
];

/** Sub-keys of implemented sections that are still accepted-only (`*` matches any list item or map key). */
const UNIMPLEMENTED_SUBPATHS = [
  "gateway.tls",
  "gateway.remote.transport",
  "gateway.http.endpoints.responses",
  ...[
    "contextPruning",
    "cliBackends",
    "subagents",
    "humanDelay",
    "blockStreamingDefault",
    "blockStreamingBreak",
    "blockStreamingChunk",
    "blockStreamingCoalesce",
    "typingMode",
    "typingIntervalSeconds",
    "thinkingDefault",
    "verboseDefault",
    "elevatedDefault",
    "envelopeElapsed",
    "repoRoot",
    "mediaMaxMb",
  ].map((k) => `agents.defaults.${k}`),
  ...["groupChat", "humanDelay", "agentDir"].map((k) => `agents.list.*.${k}`),
  ...["agents.defaults", "agents.list.*"].flatMap((p) =>
    ["sources", "experimental", "fallback", "local", "remote.batch", "store.driver", "store.vector", "sync"].map(
      (k) => `${p}.memorySearch.${k}`,
    ),
  ),
  "agents.defaults.sandbox.browser",
  "agents.list.*.sandbox.browser",
  "ui.seamColor",
  "session.identityLinks",
  "session.sendPolicy",
  "models.bedrockDiscovery",
  "tools.web.fetch.readability",
  "tools.web.fetch.firecrawl",
  // A change to a skills folder is seen by the next run (src/skills/snapshot.ts): nothing to debounce.
  "skills.load.watchDebounceMs",
  "browser.remoteCdpTimeoutMs",
  "browser.remoteCdpHandshakeTimeoutMs",
  "tools.media",
  "tools.links",
  "tools.message.broadcast",
  "tools.message.crossContext.marker",
  "hooks.transformsDir",
  "hooks.gmail",
  "hooks.internal",
  "hooks.mappings.*.allowUnsafeExternalContent",
];

function present(value: unknown, parts: string[], prefix: string[], out: string[]): void {
  if (value === undefined) return;
  if (parts.length === 0) {
    out.push(prefix.join("."));
    return;
  }
  const [head, ...rest] = parts as [string, ...string[]];
  if (!value || typeof value !== "object") return;
  if (head === "*") {
    for (const [k, v] of Object.entries(value)) present(v, rest, [...prefix, k], out);
  } else present((value as Record<string, unknown>)[head], rest, [...prefix, head], out);
}

/** `path` itself when nothing under it is implemented, else its unimplemented parts. */
function partlyImplemented(value: unknown, path: string, out: string[]): void {
  if (value === undefined || IMPLEMENTED_SUBPATHS.includes(path)) return;
  if (!IMPLEMENTED_SUBPATHS.some((p) => p.startsWith(`${path}.`)) || !value || typeof value !== "object" || Array.isArray(value)) {
    out.push(path);
    return;
  }
  for (const [k, v] of Object.entries(value)) partlyImplemented(v, `${path}.${k}`, out);
}

/** Dotted paths present in `cfg` that are accepted but have no effect yet. */
export function unimplementedPaths(cfg: OpenClawConfig): string[] {
  const out: string[] = [];
  const record = cfg as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (record[key] !== undefined && !IMPLEMENTED.has(key)) partlyImplemented(record[key], key, out);
  }
  // Channels with an adapter (and `defaults`); other `channels.<name>` blocks are accepted and named.
  const channels = bundledChannels();
  for (const name of Object.keys((cfg.channels ?? {}) as Record<string, unknown>))
    if (name !== "defaults" && !channels.has(name)) out.push(`channels.${name}`);
  for (const sub of UNIMPLEMENTED_SUBPATHS) present(cfg, sub.split("."), [], out);
  return out;
}
