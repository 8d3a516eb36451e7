/**
 * Plugins in the running gateway. The built-in ones (methods, tools, model APIs, channels) register
 * first; third-party plugins load into the same registry at start-up, only when something is
 * configured or installed (a gateway without them never loads the loader or jiti). From that one
 * registry come the method table, the agent tools, the channel catalog, the model clients, the HTTP
 * routes and the services.
 */
import fs from "node:fs";
import path from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { OpenClawConfig } from "../config/schema.js";
import type { Logger } from "../infra/logger.js";
import type { Env } from "../infra/paths.js";
import type { PluginDiagnostic, PluginRecord } from "../plugins/types.js";
import { PluginRegistry, type PluginUpgradeHandler } from "../plugins/registry.js";
import { createHookRunner, createPluginCommands, type HookRunner, type PluginCommands } from "../plugins/hooks.js";
import { channelCatalog, registerBuiltins, type BuiltinPlugin } from "../plugins/builtin.js";
import type { ChannelCatalog } from "../channels/plugin.js";
import { isModelApiProvider, ProviderClients } from "../providers/index.js";
import { defineMethod, type MethodSpec, type MethodTable } from "./context.js";
import { ErrorCodes, MethodError, type ErrorCode } from "./protocol/frames.js";
import * as z from "zod";
import { defineTool, type Tool, type ToolResult } from "../tools/registry.js";

/** How long a plugin's method may take to call `respond`. */
const METHOD_TIMEOUT_MS = 60_000;

export interface PluginSummary {
  id: string;
  name: string;
  status: PluginRecord["status"];
  origin: PluginRecord["origin"];
  source: string;
  error?: string;
}

export interface PluginConfigInfo {
  id: string;
  name: string;
  description?: string;
  configSchema?: Record<string, unknown>;
  configUiHints?: Record<string, Record<string, unknown>>;
}

export interface GatewayPlugins {
  /** Every plugin, built-in ones included. */
  records: PluginRecord[];
  diagnostics: PluginDiagnostic[];
  /** The gateway methods: built-in definitions as they are, plugins' (they need `operator.admin`, as in OpenClaw) wrapped. */
  methods: MethodTable;
  /** The channels the gateway can run. */
  channels: ChannelCatalog;
  /** Model clients by API, from the registered providers. */
  providers: ProviderClients;
  /** Plugins' typed hooks and chat commands; undefined when no plugin registered any. */
  hooks?: HookRunner;
  commands?: PluginCommands;
  /** Plugins' catch-all handlers in registration order, or null when there are none. */
  handlers: ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>) | null;
  /** Serves a plugin route; null when no plugin owns `pathname`. */
  route(pathname: string): { public: boolean; handle(req: IncomingMessage, res: ServerResponse): Promise<void> } | null;
  /** The plugin that takes WebSocket upgrades on `pathname`; null when none does. */
  upgrade(pathname: string): PluginUpgradeHandler | null;
  startServices(): Promise<void>;
  stopServices(): Promise<void>;
  /** The agent tools (all but optional plugin ones), ready for the tool registry. */
  tools(ctx: { config: OpenClawConfig; workspaceDir: string; agentId: string }): Tool[];
  /** Third-party plugins as `status` lists them. */
  summary(): PluginSummary[];
  /** Third-party plugins' config schemas and hints. */
  configs(): PluginConfigInfo[];
}

export interface PluginStartOptions {
  config: OpenClawConfig;
  stateDir: string;
  workspaceDir: string;
  env: Env;
  log: Logger;
  /** The gateway's own plugins (methods, tools, model APIs, channels), registered first. */
  builtins: readonly BuiltinPlugin[];
  version: string;
  now: () => number;
  /** What plugins get as `api.runtime` (default: just the version). */
  runtime?: Record<string, unknown>;
}

/** Whether any plugin could be found: configured paths, entries, or installed extensions. */
export function pluginsWanted(o: Pick<PluginStartOptions, "config" | "stateDir" | "workspaceDir">): boolean {
  const p = (o.config as { plugins?: { enabled?: boolean; load?: { paths?: unknown[] }; entries?: object } }).plugins;
  if (p?.enabled === false) return false;
  if ((p?.load?.paths?.length ?? 0) > 0) return true;
  const dirs = [path.join(o.stateDir, "extensions"), path.join(o.workspaceDir, ".openclaw", "extensions")];
  return dirs.some((d) => {
    try {
      return fs.readdirSync(d).length > 0;
    } catch {
      return false;
    }
  });
}

export function summarize(records: PluginRecord[]): PluginSummary[] {
  return records
    .filter((r) => r.origin !== "bundled")
    .map((r) => ({
      id: r.id,
      name: r.name,
      status: r.status,
      origin: r.origin,
      source: r.source,
      ...(r.error ? { error: r.error } : {}),
    }));
}

const KNOWN_CODES = new Set<string>(Object.values(ErrorCodes));

/** A plugin's refusal as a protocol error; a plugin may put the reason in the error or the payload. */
function pluginError(pluginId: string, e: unknown, payload?: unknown): MethodError {
  const p = (payload ?? {}) as { error?: unknown; message?: unknown };
  const fromPayload = typeof p.error === "string" ? p.error : typeof p.message === "string" ? p.message : undefined;
  const shape = (e ?? (fromPayload ? { message: fromPayload } : { message: "the plugin refused the request" })) as {
    code?: unknown;
    message?: unknown;
  };
  const code = typeof shape.code === "string" && KNOWN_CODES.has(shape.code) ? (shape.code as ErrorCode) : ErrorCodes.UNAVAILABLE;
  const message = typeof shape.message === "string" && shape.message ? shape.message : String(e);
  return new MethodError(code, `${message} (plugin ${pluginId})`);
}

/**
 * A plugin threw at run time (a method, a route, a handler, a service): it is marked `error` with the
 * reason, as `status` and `plugins list` show it, and its methods and routes answer that it is off.
 */
function failed(registry: PluginRegistry, log: Logger, pluginId: string, what: string, e: unknown): void {
  const message = `${what}: ${(e as Error)?.message ?? e}`;
  log.error(`plugin ${pluginId}: ${message}; the plugin is off until the gateway restarts`);
  registry.markFailed(pluginId, message);
}

function offline(registry: PluginRegistry, pluginId: string): MethodError {
  return new MethodError(
    ErrorCodes.UNAVAILABLE,
    `plugin ${pluginId} is off after an error (${registry.plugin(pluginId)?.error ?? "unknown"}); fix it and restart the gateway`,
  );
}

function methodsFrom(registry: PluginRegistry, log: Logger): MethodTable {
  const table: MethodTable = {};
  for (const [name, reg] of registry.gatewayMethods) {
    if (reg.definition) {
      table[name] = reg.definition as MethodSpec<unknown>;
      continue;
    }
    table[name] = defineMethod<unknown>({
      scope: "operator.admin",
      handler: (params, ctx, client) =>
        new Promise((resolve, reject) => {
          if (!registry.usable(reg.pluginId)) return reject(offline(registry, reg.pluginId));
          let settled = false;
          const timer = setTimeout(
            () => finish(false, undefined, { message: `${name} did not answer within ${METHOD_TIMEOUT_MS / 1000} s` }),
            METHOD_TIMEOUT_MS,
          );
          timer.unref();
          function finish(ok: boolean, payload?: unknown, error?: unknown) {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            if (ok) resolve(payload ?? null);
            else reject(pluginError(reg.pluginId, error, payload));
          }
          try {
            const out = reg.handler({
              params: (params && typeof params === "object" ? params : {}) as Record<string, unknown>,
              respond: (ok, payload, error) => finish(ok, payload, error),
              client: { connId: client.connId, clientId: client.clientId, scopes: client.scopes },
              context: { config: ctx.config(), broadcast: ctx.broadcast },
            });
            if (out && typeof (out as Promise<unknown>).then === "function")
              (out as Promise<unknown>).catch((e: unknown) => {
                failed(registry, log, reg.pluginId, `gateway method ${name} failed`, e);
                finish(false, undefined, e);
              });
          } catch (e) {
            failed(registry, log, reg.pluginId, `gateway method ${name} failed`, e);
            finish(false, undefined, e);
          }
        }),
    });
  }
  return table;
}

/** A plugin tool's result (`{content: [{type: "text", text}]}`, a string, or anything JSON) as ours. */
function toolResult(out: unknown): ToolResult {
  if (typeof out === "string") return { text: out };
  const r = (out ?? {}) as { content?: Array<{ type?: string; text?: string }>; isError?: boolean; details?: unknown };
  if (Array.isArray(r.content)) {
    const text = r.content
      .map((c) => (c?.type === "text" && typeof c.text === "string" ? c.text : c?.type ? `[${c.type}]` : ""))
      .join("\n");
    return { text, ...(r.isError ? { isError: true } : {}), ...(r.details !== undefined ? { details: r.details } : {}) };
  }
  return { text: JSON.stringify(out ?? null) };
}

/** The tool names the config allows explicitly (`tools.allow|alsoAllow`, and the agent's own lists). */
function explicitAllowlist(config: OpenClawConfig, agentId: string): Set<string> {
  type Lists = { allow?: string[]; alsoAllow?: string[] } | undefined;
  const agent = (config.agents?.list ?? []).find((a) => a.id === agentId) as { tools?: Lists } | undefined;
  const lists = [config.tools as Lists, agent?.tools];
  return new Set(lists.flatMap((l) => [...(l?.allow ?? []), ...(l?.alsoAllow ?? [])]).map((n) => n.trim().toLowerCase()));
}

function toolsFrom(registry: PluginRegistry, log: Logger, ctx: { config: OpenClawConfig; workspaceDir: string; agentId: string }): Tool[] {
  const out: Tool[] = [];
  for (const reg of registry.tools) {
    // An optional tool is offered only when the run's config names it, its plugin, or `group:plugins`
    // in an allow list (as in OpenClaw); checked per run, so a config reload or another agent counts.
    const available = reg.optional
      ? ({ config, agentId }: { config: OpenClawConfig; agentId: string }) => {
          const allowed = explicitAllowlist(config, agentId);
          return (
            allowed.has("group:plugins") || allowed.has(reg.pluginId.toLowerCase()) || reg.names.some((n) => allowed.has(n.toLowerCase()))
          );
        }
      : undefined;
    let made: unknown;
    try {
      made = reg.factory({ config: ctx.config, workspaceDir: ctx.workspaceDir, agentId: ctx.agentId });
    } catch (e) {
      log.warn(`plugin ${reg.pluginId}: its tool factory failed: ${(e as Error)?.message ?? e}`);
      continue;
    }
    for (const t of (Array.isArray(made) ? made : made ? [made] : []) as Array<Record<string, any>>) {
      if (typeof t?.name === "string" && typeof t.run === "function" && "args" in t) {
        out.push(t as Tool); // a built-in tool, as the gateway defines it
        continue;
      }
      if (typeof t?.name !== "string" || typeof t.execute !== "function") continue;
      let calls = 0;
      out.push(
        defineTool<Record<string, unknown>>({
          name: t.name,
          pluginId: reg.pluginId,
          ...(available ? { available } : {}),
          description: typeof t.description === "string" ? t.description : `${t.name} (plugin ${reg.pluginId})`,
          // The plugin checks its own arguments; the model sees the plugin's schema.
          args: z.record(z.string(), z.unknown()),
          parameters: (t.parameters as Record<string, unknown>) ?? { type: "object", properties: {} },
          async run(args, tctx) {
            return toolResult(await t.execute(`${reg.pluginId}-${++calls}`, args, tctx.signal));
          },
        }),
      );
    }
  }
  return out;
}

/**
 * Registers the built-in plugins, then loads third-party ones into the same registry when any can be
 * found. A broken third-party plugin is marked and skipped; only a broken built-in throws.
 */
export async function startPlugins(o: PluginStartOptions): Promise<GatewayPlugins> {
  const registry = new PluginRegistry();
  registerBuiltins(registry, o.builtins, { config: o.config as Record<string, unknown>, logger: o.log, version: o.version });
  if (pluginsWanted(o)) {
    try {
      const { loadPlugins } = await import("../plugins/loader.js");
      await loadPlugins({
        registry,
        config: o.config as Record<string, unknown>,
        stateDir: o.stateDir,
        workspaceDir: o.workspaceDir,
        env: o.env as NodeJS.ProcessEnv,
        logger: o.log,
        runtime: o.runtime ?? { version: o.version },
      });
    } catch (e) {
      o.log.error(`plugins could not be loaded: ${(e as Error).message}`);
    }
  }
  const plugins = registry.plugins;
  const diagnostics = registry.diagnostics;
  // Part of every start (the built-in exec plugin registers /approve), so not a chunk of its own.
  const hookRuntime = {
    hooks: registry.typedHooks.length ? createHookRunner(registry, o.log) : undefined,
    commands: registry.commands.size ? createPluginCommands(registry, o.log) : undefined,
  };
  const routes = new Map(registry.httpRoutes.map((r) => [r.path, r]));
  const serviceCtx = { config: o.config, stateDir: o.stateDir, logger: o.log };
  return {
    records: plugins,
    diagnostics,
    methods: methodsFrom(registry, o.log),
    channels: channelCatalog(registry),
    providers: new ProviderClients(
      registry.providers.flatMap((p) => (isModelApiProvider(p.provider) ? [p.provider] : [])),
      { now: o.now },
    ),
    ...hookRuntime,
    summary: () => summarize(plugins),
    handlers: registry.httpHandlers.length
      ? async (req, res) => {
          for (const h of registry.httpHandlers) {
            if (!registry.usable(h.pluginId)) continue;
            try {
              if ((await h.handler(req, res)) === true) return true;
            } catch (e) {
              failed(registry, o.log, h.pluginId, "HTTP handler failed", e);
              if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
              res.end(JSON.stringify({ error: { code: "PLUGIN_ERROR", message: `plugin ${h.pluginId} failed` } }));
              return true;
            }
            if (res.headersSent || res.writableEnded) return true;
          }
          return false;
        }
      : null,
    configs: () =>
      plugins
        .filter((r) => r.origin !== "bundled")
        .map((r) => ({ id: r.id, name: r.name, description: r.description, configSchema: r.configSchema, configUiHints: r.configUiHints })),
    route(pathname) {
      const r = routes.get(pathname);
      if (!r) return null;
      return {
        public: r.public,
        async handle(req, res) {
          if (!registry.usable(r.pluginId)) {
            res.writeHead(503, { "content-type": "application/json" });
            res.end(JSON.stringify({ error: { code: "UNAVAILABLE", message: offline(registry, r.pluginId).message } }));
            return;
          }
          try {
            await r.handler(req, res);
          } catch (e) {
            failed(registry, o.log, r.pluginId, `route ${pathname} failed`, e);
            if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
            res.end(JSON.stringify({ error: { code: "PLUGIN_ERROR", message: `plugin ${r.pluginId} failed on ${pathname}` } }));
          }
        },
      };
    },
    upgrade(pathname) {
      const r = registry.webSocketRoutes.find((w) => w.path === pathname);
      if (!r) return null;
      return (req, socket, head) => {
        if (!registry.usable(r.pluginId)) return void socket.destroy();
        try {
          r.handler(req, socket, head);
        } catch (e) {
          failed(registry, o.log, r.pluginId, `websocket route ${pathname} failed`, e);
          socket.destroy();
        }
      };
    },
    tools: (ctx) => toolsFrom(registry, o.log, ctx),
    async startServices() {
      for (const s of registry.services) {
        try {
          await s.service.start?.(serviceCtx);
        } catch (e) {
          failed(registry, o.log, s.pluginId, `service ${s.service.id} failed to start`, e);
        }
      }
    },
    async stopServices() {
      for (const s of [...registry.services].reverse()) {
        try {
          await s.service.stop?.(serviceCtx);
        } catch (e) {
          o.log.warn(`plugin ${s.pluginId}: service ${s.service.id} failed to stop: ${(e as Error)?.message ?? e}`);
        }
      }
    },
  };
}
