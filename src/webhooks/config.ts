/**
 * `hooks.*`: whether webhooks are served, where, with which token, and how a request under
 * `<hooks.path>/<name>` maps to a wake or an agent turn (`hooks.mappings`, `hooks.presets`).
 *
 * A config that asks for webhooks but cannot serve them safely (no token, `/` as the path, an unknown
 * preset) is refused as a whole with the reason: nothing is served rather than something unguarded.
 */
import type { OpenClawConfig } from "../config/schema.js";

export const DEFAULT_HOOKS_PATH = "/hooks";
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;
/** Longest caller-chosen session name kept (longer ones are refused). */
export const MAX_SESSION_NAME = 200;

export type WakeMode = "now" | "next-heartbeat";

export interface HookMapping {
  id: string;
  path: string;
  source?: string;
  action: "wake" | "agent";
  wakeMode: WakeMode;
  name?: string;
  sessionKey?: string;
  messageTemplate?: string;
  textTemplate?: string;
  deliver?: boolean;
  allowUnsafeExternalContent?: boolean;
  channel?: string;
  to?: string;
  model?: string;
  thinking?: string;
  timeoutSeconds?: number;
}

export interface HooksConfig {
  basePath: string;
  token: string;
  maxBodyBytes: number;
  mappings: HookMapping[];
  /** Settings that were given but are not acted on (named once in a warning). */
  ignored: string[];
}

type RawMapping = NonNullable<NonNullable<OpenClawConfig["hooks"]>["mappings"]>[number];

const PRESETS: Record<string, (hooks: NonNullable<OpenClawConfig["hooks"]>) => RawMapping[]> = {
  gmail: (hooks) => [
    {
      id: "gmail",
      match: { path: "gmail" },
      action: "agent",
      wakeMode: "now",
      name: "Gmail",
      sessionKey: "hook:gmail:{{messages[0].id}}",
      messageTemplate:
        "New email from {{messages[0].from}}\nSubject: {{messages[0].subject}}\n{{messages[0].snippet}}\n{{messages[0].body}}",
      ...(typeof hooks.gmail?.allowUnsafeExternalContent === "boolean"
        ? { allowUnsafeExternalContent: hooks.gmail.allowUnsafeExternalContent }
        : {}),
    },
  ],
};

export class HooksConfigError extends Error {}

function trimPath(raw: string | undefined): string | undefined {
  const t = raw?.trim().replace(/^\/+|\/+$/g, "");
  return t ? t : undefined;
}

/** The webhook settings to serve, null when `hooks.enabled` is not true; throws a HooksConfigError naming the key to fix. */
export function resolveHooksConfig(cfg: OpenClawConfig): HooksConfig | null {
  const hooks = cfg.hooks;
  if (hooks?.enabled !== true) return null;
  const token = hooks.token?.trim();
  if (!token)
    throw new HooksConfigError(
      "hooks.enabled requires hooks.token: set hooks.token to a long random secret (not the gateway token) that webhook callers send as `Authorization: Bearer <token>`",
    );
  const raw = hooks.path?.trim() || DEFAULT_HOOKS_PATH;
  const base = "/" + raw.replace(/^\/+|\/+$/g, "");
  if (base === "/") throw new HooksConfigError('hooks.path may not be "/": use a path of its own such as "/hooks"');
  const maxBodyBytes = hooks.maxBodyBytes && hooks.maxBodyBytes > 0 ? hooks.maxBodyBytes : DEFAULT_MAX_BODY_BYTES;

  const ignored: string[] = [];
  const raws: RawMapping[] = [...(hooks.mappings ?? [])];
  for (const preset of hooks.presets ?? []) {
    const make = PRESETS[preset];
    if (!make) throw new HooksConfigError(`hooks.presets: unknown preset "${preset}" (known: ${Object.keys(PRESETS).join(", ")})`);
    raws.push(...make(hooks));
  }
  const mappings: HookMapping[] = [];
  raws.forEach((m, i) => {
    const where = `hooks.mappings[${i}]`;
    if (m.transform)
      throw new HooksConfigError(`${where}.transform: transform modules are not supported; use messageTemplate/textTemplate instead`);
    const path = trimPath(m.match?.path);
    if (!path)
      throw new HooksConfigError(
        `${where} needs match.path (the name after ${base}/ that it answers); matching on match.source alone is not supported`,
      );
    if (path === "wake" || path === "agent") throw new HooksConfigError(`${where}: match.path "${path}" is taken by ${base}/${path}`);
    if (!/^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(path))
      throw new HooksConfigError(`${where}: match.path "${path}" may hold only letters, digits, "._~-" and "/"`);
    mappings.push({
      id: m.id?.trim() || `mapping-${i + 1}`,
      path,
      source: m.match?.source?.trim() || undefined,
      action: m.action ?? "agent",
      wakeMode: m.wakeMode ?? "now",
      name: m.name,
      sessionKey: m.sessionKey,
      messageTemplate: m.messageTemplate,
      textTemplate: m.textTemplate,
      deliver: m.deliver,
      allowUnsafeExternalContent: m.allowUnsafeExternalContent,
      channel: m.channel,
      to: m.to,
      model: m.model,
      thinking: m.thinking,
      timeoutSeconds: m.timeoutSeconds,
    });
  });
  if (hooks.transformsDir) ignored.push("hooks.transformsDir");
  if (hooks.gmail && Object.keys(hooks.gmail).some((k) => k !== "allowUnsafeExternalContent")) ignored.push("hooks.gmail (the watcher)");
  return { basePath: base, token, maxBodyBytes, mappings, ignored };
}

// ---- templates ---------------------------------------------------------------------------------

export interface TemplateContext {
  payload: Record<string, unknown>;
  headers: Record<string, string>;
  query: URLSearchParams;
  path: string;
  now: number;
}

function getByPath(input: unknown, expr: string): unknown {
  let current = input;
  for (const m of expr.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (current === null || current === undefined) return undefined;
    if (m[2] !== undefined) {
      if (!Array.isArray(current)) return undefined;
      current = current[Number(m[2])];
    } else {
      if (typeof current !== "object" || !Object.prototype.hasOwnProperty.call(current, m[1]!)) return undefined;
      current = (current as Record<string, unknown>)[m[1]!];
    }
  }
  return current;
}

function resolveExpr(expr: string, ctx: TemplateContext): unknown {
  if (expr === "path") return ctx.path;
  if (expr === "now") return new Date(ctx.now).toISOString();
  if (expr.startsWith("headers.")) return ctx.headers[expr.slice(8).toLowerCase()];
  if (expr.startsWith("query.")) return ctx.query.get(expr.slice(6)) ?? undefined;
  if (expr.startsWith("payload.")) return getByPath(ctx.payload, expr.slice(8));
  return getByPath(ctx.payload, expr);
}

/** `{{a.b[0].c}}` read from the payload (`payload.`, `headers.`, `query.`, `path` and `now` too); missing values are empty. */
export function renderTemplate(template: string | undefined, ctx: TemplateContext): string {
  if (!template) return "";
  return template.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
    const v = resolveExpr(expr.trim(), ctx);
    if (v === undefined || v === null) return "";
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    return JSON.stringify(v);
  });
}

export function renderOptional(template: string | undefined, ctx: TemplateContext): string | undefined {
  const out = renderTemplate(template, ctx).trim();
  return out ? out : undefined;
}

/** The first mapping at `path` whose `match.source` (when it has one) equals the payload's `source`. */
export function findMapping(mappings: HookMapping[], path: string, payload: Record<string, unknown>): HookMapping | undefined {
  return mappings.find((m) => m.path === path && (!m.source || payload.source === m.source));
}
