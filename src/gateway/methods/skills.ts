/**
 * `skills.status|bins|install|update`: the skills found for the default agent and whether each can
 * be used, the binaries skills need (for nodes that run them), running a declared installer, and
 * per-skill config (`skills.entries.<key>`: enabled, apiKey, env) written to the config file.
 */
import * as z from "zod";
import { defineMethod, type GatewayContext } from "../context.js";
import { ErrorCodes, MethodError } from "../protocol/frames.js";
import { ConfigError } from "../../config/errors.js";
import { editConfigFile, REDACTED } from "../../config/edit.js";
import { agentIds, defaultAgentId } from "../../agents/roster.js";
import { workspaceDirFor } from "../../agents/workspace.js";
import { installSkill } from "../../skills/install.js";
import { loadSkills, type SkillsLoadOptions } from "../../skills/load.js";
import { pluginSkillDirs } from "../../skills/plugin-dirs.js";
import { buildSkillsStatus } from "../../skills/status.js";

const nonEmpty = z.string().trim().min(1);

/** Where an agent's skills are found (the default agent's unless `agentId` is given). */
function loadOptions(ctx: GatewayContext, agentId?: string): SkillsLoadOptions {
  const config = ctx.config();
  const base = {
    workspaceDir: workspaceDirFor(config, agentId ?? defaultAgentId(config), ctx.stateDir, ctx.env),
    stateDir: ctx.stateDir,
    config,
    env: ctx.env,
  };
  return { ...base, pluginSkillDirs: pluginSkillDirs(base) };
}

function isObj(v: unknown): v is Record<string, unknown> {
  return Boolean(v) && typeof v === "object" && !Array.isArray(v);
}

export const skillsMethods = {
  "skills.status": defineMethod({
    scope: "operator.read",
    params: () => z.strictObject({}).optional(),
    handler: (_p, ctx) => {
      const { warnings: _warnings, ...report } = buildSkillsStatus(loadOptions(ctx));
      return report;
    },
  }),
  "skills.bins": defineMethod({
    scope: "operator.read",
    params: () => z.strictObject({}).optional(),
    handler: (_p, ctx) => {
      const cfg = ctx.config();
      const bins = new Set<string>();
      const seen = new Set<string>();
      for (const id of [...agentIds(cfg), defaultAgentId(cfg)]) {
        const opts = loadOptions(ctx, id);
        if (seen.has(opts.workspaceDir)) continue;
        seen.add(opts.workspaceDir);
        for (const e of loadSkills(opts).entries) {
          const req = e.metadata?.requires;
          for (const b of [...(req?.bins ?? []), ...(req?.anyBins ?? []), ...(e.metadata?.install ?? []).flatMap((s) => s.bins ?? [])])
            if (b.trim()) bins.add(b.trim());
        }
      }
      return { bins: [...bins].sort() };
    },
  }),
  "skills.install": defineMethod({
    scope: "operator.admin",
    params: () => z.strictObject({ name: nonEmpty, installId: nonEmpty, timeoutMs: z.number().int().min(1000).optional() }),
    handler: async (p, ctx) => {
      const result = await installSkill({
        ...loadOptions(ctx),
        skillName: p.name,
        installId: p.installId,
        ...(p.timeoutMs ? { timeoutMs: p.timeoutMs } : {}),
      });
      if (!result.ok) throw new MethodError(ErrorCodes.UNAVAILABLE, result.message, result);
      return result;
    },
  }),
  "skills.update": defineMethod({
    scope: "operator.admin",
    params: () =>
      z.strictObject({
        skillKey: nonEmpty,
        enabled: z.boolean().optional(),
        apiKey: z.string().optional(),
        env: z.record(nonEmpty, z.string()).optional(),
      }),
    handler: (p, ctx) => {
      let current: Record<string, unknown> = {};
      try {
        editConfigFile(ctx.configPath, { ...ctx.env }, (parsed) => {
          const root = isObj(parsed) ? { ...parsed } : {};
          const skills = isObj(root.skills) ? { ...root.skills } : {};
          const entries = isObj(skills.entries) ? { ...skills.entries } : {};
          current = isObj(entries[p.skillKey]) ? { ...(entries[p.skillKey] as Record<string, unknown>) } : {};
          if (p.enabled !== undefined) current.enabled = p.enabled;
          if (p.apiKey !== undefined) {
            if (p.apiKey.trim()) current.apiKey = p.apiKey.trim();
            else delete current.apiKey;
          }
          if (p.env) {
            const env = isObj(current.env) ? { ...(current.env as Record<string, unknown>) } : {};
            for (const [k, v] of Object.entries(p.env)) {
              if (v.trim()) env[k.trim()] = v.trim();
              else delete env[k.trim()];
            }
            current.env = env;
          }
          entries[p.skillKey] = current;
          skills.entries = entries;
          root.skills = skills;
          return root;
        });
      } catch (err) {
        if (err instanceof ConfigError) throw new MethodError(ErrorCodes.INVALID_REQUEST, err.message, { issues: err.issues });
        throw err;
      }
      ctx.reloadConfig("skills.update");
      // The key stays in the config file; replies never carry it.
      const shown = { ...current, ...(typeof current.apiKey === "string" ? { apiKey: REDACTED } : {}) };
      return { ok: true, skillKey: p.skillKey, config: shown };
    },
  }),
};
