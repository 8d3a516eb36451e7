/**
 * `config.get|schema|set|patch|apply`. Reads redact secrets; writes validate the whole result first,
 * require the `baseHash` from `config.get` (so two editors cannot overwrite each other), keep
 * `openclaw.json.bak`, and then apply through the same reload path as an edit on disk.
 */
import * as z from "zod";
import { defineMethod, type GatewayContext } from "../context.js";
import { ErrorCodes, MethodError } from "../protocol/frames.js";
import { ConfigError } from "../../config/errors.js";
import { editConfigFile, mergePatch, redactRaw, redactSecrets, replaceConfigText } from "../../config/edit.js";
import { parseJson5, readConfigSnapshot } from "../../config/load.js";
import { configJsonSchema } from "../../config/json-schema.js";
import type { JsonSchemaNode, UiHint, UiHints } from "../../config/ui-hints.js";
import type { PluginConfigInfo } from "../plugins.js";

const nonEmpty = z.string().min(1);
const setParams = () => z.strictObject({ raw: nonEmpty, baseHash: nonEmpty.optional() });
const applyParams = () =>
  z.strictObject({
    raw: nonEmpty,
    baseHash: nonEmpty.optional(),
    sessionKey: z.string().optional(),
    note: z.string().optional(),
    restartDelayMs: z.number().int().min(0).optional(),
  });
const patchParams = applyParams;

/** The snapshot as a client may see it: secrets replaced, raw text masked. */
export function publicSnapshot(ctx: GatewayContext) {
  const snap = readConfigSnapshot(ctx.configPath, { ...ctx.env });
  return {
    path: snap.path,
    exists: snap.exists,
    raw: snap.raw === null ? null : redactRaw(snap.raw),
    parsed: redactSecrets(snap.parsed),
    valid: snap.valid,
    config: redactSecrets(snap.config),
    hash: snap.hash,
    issues: snap.issues,
    warnings: snap.warnings,
    legacyIssues: [],
  };
}

function parseObject(raw: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = parseJson5(raw, "raw");
  } catch (err) {
    throw new MethodError(ErrorCodes.INVALID_REQUEST, (err as Error).message);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new MethodError(ErrorCodes.INVALID_REQUEST, "raw must be a JSON5 object");
  }
  return parsed as Record<string, unknown>;
}

function write(ctx: GatewayContext, baseHash: string | undefined, change: ((parsed: unknown) => unknown) | string) {
  try {
    const opts = { baseHash, requireBaseHash: true };
    return typeof change === "string"
      ? replaceConfigText(ctx.configPath, { ...ctx.env }, change, opts)
      : editConfigFile(ctx.configPath, { ...ctx.env }, change, opts);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    if (err.code === "CONFIG_CONFLICT") throw new MethodError(ErrorCodes.CONFLICT, err.message);
    throw new MethodError(ErrorCodes.INVALID_REQUEST, err.message, { issues: err.issues });
  }
}

function applied(ctx: GatewayContext, reason: string) {
  const { applied, snapshot } = ctx.reloadConfig(reason);
  return {
    ok: true,
    path: snapshot.path,
    hash: snapshot.hash,
    applied,
    config: redactSecrets(snapshot.config),
    warnings: snapshot.warnings,
  };
}

/** Each plugin's manifest schema under `plugins.entries.<id>.config`, so editors can check its fields. */
function withPluginSchemas(schema: JsonSchemaNode, plugins: PluginConfigInfo[]): JsonSchemaNode {
  if (!plugins.some((p) => p.configSchema)) return schema;
  const copy = structuredClone(schema);
  const entries = copy.properties?.plugins?.properties?.entries;
  if (!entries) return schema;
  const template = (typeof entries.additionalProperties === "object" ? entries.additionalProperties : {}) as JsonSchemaNode;
  const own: Record<string, JsonSchemaNode> = {};
  for (const p of plugins) {
    if (!p.configSchema) continue;
    own[p.id] = { ...template, properties: { ...template.properties, config: p.configSchema as JsonSchemaNode } };
  }
  entries.properties = { ...entries.properties, ...own };
  return copy;
}

/** Labels for each plugin's entry, and its manifest's `uiHints` under `plugins.entries.<id>.config.<field>`. */
function withPluginHints(hints: UiHints, plugins: PluginConfigInfo[]): UiHints {
  for (const p of plugins) {
    const base = `plugins.entries.${p.id}`;
    hints[base] = { ...hints[base], label: p.name, help: p.description ? `${p.description} (plugin: ${p.id})` : `Plugin ${p.id}.` };
    hints[`${base}.enabled`] = { ...hints[`${base}.enabled`], label: `Enable ${p.name}` };
    hints[`${base}.config`] = { ...hints[`${base}.config`], label: `${p.name} config` };
    for (const [field, hint] of Object.entries(p.configUiHints ?? {})) {
      const rel = field.trim().replace(/^\./, "");
      if (rel) hints[`${base}.config.${rel}`] = { ...hints[`${base}.config.${rel}`], ...(hint as UiHint) };
    }
  }
  return hints;
}

export const configMethods = {
  "config.get": defineMethod({ scope: "operator.read", params: z.strictObject({}).optional(), handler: (_p, ctx) => publicSnapshot(ctx) }),
  "config.schema": defineMethod({
    scope: "operator.read",
    params: () => z.strictObject({}).optional(),
    handler: async (_p, ctx) => {
      // The editor's labels and help are only for this method: loaded when it is first called.
      const { configUiHints, editorSchema } = await import("../../config/ui-hints.js");
      const schema = withPluginSchemas(editorSchema(configJsonSchema() as JsonSchemaNode), ctx.pluginConfigs());
      const channels = ctx.channels.catalog.list().map((c) => ({ id: c.id, label: c.label }));
      return {
        schema,
        uiHints: withPluginHints(configUiHints(schema, channels), ctx.pluginConfigs()),
        version: ctx.info.version,
        generatedAt: new Date(ctx.now()).toISOString(),
      };
    },
  }),
  "config.set": defineMethod({
    scope: "operator.admin",
    params: setParams,
    handler: (p, ctx) => {
      parseObject(p.raw);
      // The text is saved as sent, so comments and layout survive a round trip through an editor.
      write(ctx, p.baseHash, p.raw);
      return applied(ctx, "config.set");
    },
  }),
  "config.patch": defineMethod({
    scope: "operator.admin",
    params: patchParams,
    handler: (p, ctx) => {
      const patch = parseObject(p.raw);
      write(ctx, p.baseHash, (parsed) => mergePatch(parsed, patch));
      return applied(ctx, "config.patch");
    },
  }),
  "config.apply": defineMethod({
    scope: "operator.admin",
    params: applyParams,
    handler: (p, ctx) => {
      parseObject(p.raw);
      write(ctx, p.baseHash, p.raw);
      const res = applied(ctx, "config.apply");
      ctx.scheduleRestart("config.apply", p.restartDelayMs ?? 2000);
      return { ...res, restart: { delayMs: p.restartDelayMs ?? 2000 } };
    },
  }),
};
