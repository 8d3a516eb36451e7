/**
 * Whether each skill may be used here, and why not: the report behind `skills.status`, `openclaw
 * skills list|info|check` and the prompt's list of skills. A skill is eligible unless it is disabled
 * (`skills.entries.<key>.enabled: false`), a bundled skill outside `skills.allowBundled`, or missing
 * a requirement: an OS, a binary on PATH (all of `bins`, one of `anyBins`), an environment variable
 * (set in the environment, or given by `skills.entries.<key>.env` or, for the `primaryEnv`, `apiKey`),
 * or a truthy config path. `always: true` skips the requirement checks.
 */
import fs from "node:fs";
import path from "node:path";
import type { OpenClawConfig } from "../config/schema.js";
import type { Env } from "../infra/paths.js";
import { loadSkills, managedSkillsDir, SkillsCache, type SkillEntry, type SkillsLoadOptions } from "./load.js";

/** Config paths OpenClaw treats as on when unset. */
const CONFIG_DEFAULTS: Record<string, boolean> = { "browser.enabled": true, "browser.evaluateEnabled": true };

export interface InstallOption {
  id: string;
  kind: string;
  label: string;
  bins: string[];
}

export interface SkillStatus {
  name: string;
  description: string;
  source: string;
  filePath: string;
  baseDir: string;
  skillKey: string;
  primaryEnv?: string;
  emoji?: string;
  homepage?: string;
  always: boolean;
  disabled: boolean;
  blockedByAllowlist: boolean;
  eligible: boolean;
  requirements: { bins: string[]; anyBins: string[]; env: string[]; config: string[]; os: string[] };
  missing: { bins: string[]; anyBins: string[]; env: string[]; config: string[]; os: string[] };
  configChecks: Array<{ path: string; value: unknown; satisfied: boolean }>;
  install: InstallOption[];
}

export interface SkillsStatusReport {
  workspaceDir: string;
  managedSkillsDir: string;
  skills: SkillStatus[];
  /** Files left out or read with a problem (not in OpenClaw's report; shown by the CLI). */
  warnings: string[];
}

export interface EligibilityContext {
  config: OpenClawConfig;
  env: Env;
  platform?: string;
}

export function skillKeyOf(entry: SkillEntry): string {
  return entry.metadata?.skillKey ?? entry.name;
}

export function hasBinary(bin: string, env: Env): boolean {
  for (const dir of (env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    try {
      fs.accessSync(path.join(dir, bin), fs.constants.X_OK);
      return true;
    } catch {
      // next PATH entry
    }
  }
  return false;
}

function configValue(cfg: unknown, dotted: string): unknown {
  let cur: unknown = cfg;
  for (const part of dotted.split(".").filter(Boolean)) {
    if (!cur || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function truthy(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") return v.trim().length > 0;
  return true;
}

function installOptions(entry: SkillEntry, cfg: OpenClawConfig, env: Env, platform: string): InstallOption[] {
  const specs = (entry.metadata?.install ?? []).filter((s) => !s.os?.length || s.os.includes(platform));
  if (!specs.length) return [];
  const nodeManager = cfg.skills?.install?.nodeManager ?? "npm";
  const option = (spec: (typeof specs)[number], index: number): InstallOption => {
    let label = spec.label?.trim() ?? "";
    if (spec.kind === "node" && spec.package) label = `Install ${spec.package} (${nodeManager})`;
    if (!label) {
      if (spec.kind === "brew" && spec.formula) label = `Install ${spec.formula} (brew)`;
      else if (spec.kind === "go" && spec.module) label = `Install ${spec.module} (go)`;
      else if (spec.kind === "uv" && spec.package) label = `Install ${spec.package} (uv)`;
      else if (spec.kind === "download" && spec.url) label = `Download ${spec.url.split("/").pop() || spec.url}`;
      else label = "Run installer";
    }
    return { id: (spec.id ?? `${spec.kind}-${index}`).trim(), kind: spec.kind, label, bins: spec.bins ?? [] };
  };
  const indexed = specs.map((spec, index) => ({ spec, index }));
  if (specs.every((s) => s.kind === "download")) return indexed.map((i) => option(i.spec, i.index));
  const find = (kind: string) => indexed.find((i) => i.spec.kind === kind);
  const preferBrew = cfg.skills?.install?.preferBrew !== false;
  const chosen =
    (preferBrew && hasBinary("brew", env) ? find("brew") : undefined) ??
    find("uv") ??
    find("node") ??
    find("brew") ??
    find("go") ??
    indexed[0]!;
  return [option(chosen.spec, chosen.index)];
}

export function skillStatus(entry: SkillEntry, c: EligibilityContext): SkillStatus {
  const platform = c.platform ?? process.platform;
  const skillKey = skillKeyOf(entry);
  const skillCfg = c.config.skills?.entries?.[skillKey];
  const disabled = skillCfg?.enabled === false;
  const allow = (c.config.skills?.allowBundled ?? []).map((s) => s.trim()).filter(Boolean);
  const blockedByAllowlist =
    entry.source === "openclaw-bundled" && allow.length > 0 && !allow.includes(skillKey) && !allow.includes(entry.name);
  const always = entry.metadata?.always === true;
  const req = entry.metadata?.requires ?? { bins: [], anyBins: [], env: [], config: [] };
  const os = entry.metadata?.os ?? [];
  const configChecks = req.config.map((p) => {
    const value = configValue(c.config, p);
    return { path: p, value, satisfied: value === undefined && p in CONFIG_DEFAULTS ? CONFIG_DEFAULTS[p]! : truthy(value) };
  });
  const missing = always
    ? { bins: [], anyBins: [], env: [], config: [], os: [] }
    : {
        bins: req.bins.filter((b) => !hasBinary(b, c.env)),
        anyBins: req.anyBins.length && !req.anyBins.some((b) => hasBinary(b, c.env)) ? req.anyBins : [],
        env: req.env.filter((name) => !(c.env[name] || skillCfg?.env?.[name] || (skillCfg?.apiKey && entry.metadata?.primaryEnv === name))),
        config: configChecks.filter((x) => !x.satisfied).map((x) => x.path),
        os: os.length && !os.includes(platform) ? os : [],
      };
  const eligible = !disabled && !blockedByAllowlist && Object.values(missing).every((list) => list.length === 0);
  const fm = entry.frontmatter;
  const str = (k: string) => (typeof fm[k] === "string" && (fm[k] as string).trim() ? (fm[k] as string).trim() : undefined);
  const emoji = entry.metadata?.emoji ?? str("emoji");
  const homepage = (entry.metadata?.homepage ?? str("homepage") ?? str("website") ?? str("url"))?.trim();
  return {
    name: entry.name,
    description: entry.description,
    source: entry.source,
    filePath: entry.filePath,
    baseDir: entry.baseDir,
    skillKey,
    ...(entry.metadata?.primaryEnv ? { primaryEnv: entry.metadata.primaryEnv } : {}),
    ...(emoji ? { emoji } : {}),
    ...(homepage ? { homepage } : {}),
    always,
    disabled,
    blockedByAllowlist,
    eligible,
    requirements: { ...req, os },
    missing,
    configChecks,
    install: installOptions(entry, c.config, c.env, platform),
  };
}

export function buildSkillsStatus(o: SkillsLoadOptions & { platform?: string }, cache?: SkillsCache): SkillsStatusReport {
  const { entries, warnings } = loadSkills(o, cache);
  return {
    workspaceDir: o.workspaceDir,
    managedSkillsDir: managedSkillsDir(o.stateDir),
    skills: entries.map((e) => skillStatus(e, o)),
    warnings,
  };
}

/** The eligible skills, narrowed to `skillFilter` when one is given (an empty filter allows none). */
export function eligibleSkills(o: SkillsLoadOptions & { platform?: string; skillFilter?: string[] }, cache?: SkillsCache): SkillEntry[] {
  return eligibleOf(loadSkills(o, cache).entries, o);
}

/** {@link eligibleSkills} among skills already loaded. */
export function eligibleOf(entries: SkillEntry[], o: SkillsLoadOptions & { platform?: string; skillFilter?: string[] }): SkillEntry[] {
  const filter = o.skillFilter?.map((s) => s.trim()).filter(Boolean);
  return entries.filter((e) => skillStatus(e, o).eligible && (filter === undefined || filter.includes(e.name)));
}
