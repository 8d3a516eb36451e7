/**
 * Reading a `SKILL.md`: YAML frontmatter between `---` lines, then Markdown. The frontmatter holds
 * `name`, `description` and optional `metadata` whose `openclaw` object gates the skill (required
 * binaries, environment variables, config paths, operating systems) and describes installers.
 *
 * OpenClaw writes `metadata` as single-line JSON; YAML reads that as a mapping already, and a quoted
 * JSON (or JSON5) string is accepted too. Frontmatter that is not valid YAML (an unquoted `: ` in a
 * description is the usual cause) is read again as plain `key: value` lines, with a warning, because
 * OpenClaw itself reads it that way.
 */
import { createRequire } from "node:module";
import { parseJson5Text } from "../infra/json5.js";

/**
 * The YAML parser, loaded the first time a SKILL.md is read (it costs about 8 MB, which a gateway
 * without skills never pays). Kept out of the bundle: it is a runtime dependency.
 */
const yaml = (): typeof import("yaml") => createRequire(import.meta.url)("yaml") as typeof import("yaml");

export type InstallKind = "brew" | "node" | "go" | "uv" | "download";

export interface SkillInstallSpec {
  id?: string;
  kind: InstallKind;
  label?: string;
  bins?: string[];
  os?: string[];
  formula?: string;
  package?: string;
  module?: string;
  url?: string;
}

export interface SkillMetadata {
  always?: boolean;
  emoji?: string;
  homepage?: string;
  skillKey?: string;
  primaryEnv?: string;
  os?: string[];
  requires?: { bins: string[]; anyBins: string[]; env: string[]; config: string[] };
  install?: SkillInstallSpec[];
}

export interface ParsedSkillFile {
  frontmatter: Record<string, unknown>;
  warnings: string[];
}

const INSTALL_KINDS = new Set<string>(["brew", "node", "go", "uv", "download"]);
/** Keys the metadata object may be filed under (older releases used other product names). */
const METADATA_KEYS = ["openclaw", "clawdbot", "moltbot"];

/** Splits off and parses the frontmatter; a file without one has an empty frontmatter. */
export function parseSkillFile(text: string): ParsedSkillFile {
  const normalized = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  if (!normalized.startsWith("---\n")) return { frontmatter: {}, warnings: ["no frontmatter (the file must start with a --- line)"] };
  const end = normalized.indexOf("\n---", 3);
  if (end < 0) return { frontmatter: {}, warnings: ["frontmatter is not closed (add a --- line after it)"] };
  const block = normalized.slice(4, end);
  try {
    const parsed: unknown = yaml().parse(block);
    if (parsed === null || parsed === undefined) return { frontmatter: {}, warnings: [] };
    if (typeof parsed !== "object" || Array.isArray(parsed))
      return { frontmatter: {}, warnings: ["frontmatter must be a YAML mapping of keys to values"] };
    return { frontmatter: parsed as Record<string, unknown>, warnings: [] };
  } catch (err) {
    const first = String((err as Error).message).split("\n")[0];
    return {
      frontmatter: parseKeyValueLines(block),
      warnings: [`frontmatter is not valid YAML (${first}); read as plain "key: value" lines — quote values that contain ": "`],
    };
  }
}

function parseKeyValueLines(block: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const line of block.split("\n")) {
    const m = /^([A-Za-z0-9_-]+):\s?(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2]!.trim();
    if (value.length >= 2 && ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))))
      value = value.slice(1, -1);
    out[m[1]!] = value;
  }
  return out;
}

export function stringField(fm: Record<string, unknown>, key: string): string | undefined {
  const v = fm[key];
  if (typeof v === "string") return v.trim() || undefined;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

function boolField(fm: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const v = fm[key];
  if (typeof v === "boolean") return v;
  if (typeof v === "string") {
    const s = v.trim().toLowerCase();
    if (["true", "yes", "on", "1"].includes(s)) return true;
    if (["false", "no", "off", "0"].includes(s)) return false;
  }
  return fallback;
}

function stringList(input: unknown): string[] {
  if (Array.isArray(input)) return input.map((v) => String(v).trim()).filter(Boolean);
  if (typeof input === "string")
    return input
      .split(",")
      .map((v) => v.trim())
      .filter(Boolean);
  return [];
}

function installSpec(input: unknown): SkillInstallSpec | undefined {
  if (!input || typeof input !== "object") return undefined;
  const raw = input as Record<string, unknown>;
  const kind = String(raw.kind ?? raw.type ?? "")
    .trim()
    .toLowerCase();
  if (!INSTALL_KINDS.has(kind)) return undefined;
  const spec: SkillInstallSpec = { kind: kind as InstallKind };
  for (const key of ["id", "label", "formula", "package", "module", "url"] as const)
    if (typeof raw[key] === "string") spec[key] = raw[key] as string;
  const bins = stringList(raw.bins);
  if (bins.length) spec.bins = bins;
  const os = stringList(raw.os);
  if (os.length) spec.os = os;
  return spec;
}

/**
 * The `metadata.openclaw` object, normalized. `warning` says why metadata that is present could not be
 * used (the skill then loads ungated, as OpenClaw does).
 */
export function resolveMetadata(fm: Record<string, unknown>): { metadata?: SkillMetadata; warning?: string } {
  let raw = fm.metadata;
  if (raw === undefined || raw === null || raw === "") return {};
  if (typeof raw === "string") {
    try {
      raw = parseJson5Text(raw);
    } catch (err) {
      return { warning: `metadata is not valid JSON (${(err as Error).message}); requirements are ignored` };
    }
  }
  if (!raw || typeof raw !== "object") return { warning: "metadata must be an object; requirements are ignored" };
  const holder = raw as Record<string, unknown>;
  const key = METADATA_KEYS.find((k) => holder[k] && typeof holder[k] === "object");
  if (!key) return {};
  const m = holder[key] as Record<string, unknown>;
  const req = m.requires && typeof m.requires === "object" ? (m.requires as Record<string, unknown>) : undefined;
  const install = (Array.isArray(m.install) ? m.install : []).map(installSpec).filter((s): s is SkillInstallSpec => Boolean(s));
  const os = stringList(m.os);
  const str = (k: string) => (typeof m[k] === "string" ? (m[k] as string) : undefined);
  const metadata: SkillMetadata = {
    ...(typeof m.always === "boolean" ? { always: m.always } : {}),
    ...(str("emoji") ? { emoji: str("emoji") } : {}),
    ...(str("homepage") ? { homepage: str("homepage") } : {}),
    ...(str("skillKey") ? { skillKey: str("skillKey") } : {}),
    ...(str("primaryEnv") ? { primaryEnv: str("primaryEnv") } : {}),
    ...(os.length ? { os } : {}),
    ...(req
      ? {
          requires: {
            bins: stringList(req.bins),
            anyBins: stringList(req.anyBins),
            env: stringList(req.env),
            config: stringList(req.config),
          },
        }
      : {}),
    ...(install.length ? { install } : {}),
  };
  return { metadata };
}

export function resolveInvocation(fm: Record<string, unknown>): { userInvocable: boolean; disableModelInvocation: boolean } {
  return {
    userInvocable: boolField(fm, "user-invocable", true),
    disableModelInvocation: boolField(fm, "disable-model-invocation", false),
  };
}
