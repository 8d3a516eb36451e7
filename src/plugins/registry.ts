/**
 * Everything plugins register, each entry tagged with the plugin that registered it. One registry per
 * load; the gateway reads it (methods, routes, tools, services, …) once the wiring exists.
 *
 * A registration that collides with the core or with another plugin (same gateway method, HTTP route
 * path, tool name, command, CLI command, service or provider id) is refused with an error diagnostic
 * naming both plugins; the first one keeps it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { PluginDiagnostic, PluginRecord } from "./types.js";
import { isChannelPlugin } from "../channels/plugin.js";

/** `respond(ok, payload, error)` answers a gateway request, as in OpenClaw. */
export type GatewayRespond = (ok: boolean, payload?: unknown, error?: unknown, meta?: Record<string, unknown>) => void;
export interface GatewayMethodContext {
  params: Record<string, unknown>;
  respond: GatewayRespond;
  /** The request frame and connection details, as the gateway supplies them. */
  req?: unknown;
  client?: unknown;
  context?: unknown;
  [key: string]: unknown;
}
export type GatewayMethodHandler = (ctx: GatewayMethodContext) => unknown;

/** Returns true when it handled the request. */
export type PluginHttpHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

export interface PluginTool {
  name: string;
  description?: string;
  parameters?: unknown;
  execute?: (...args: any[]) => unknown;
  [key: string]: unknown;
}
export type PluginToolFactory = (ctx: Record<string, unknown>) => PluginTool | PluginTool[] | null | undefined;
export interface ToolOptions {
  name?: string;
  names?: string[];
  /** Optional tools run only when a tool allowlist names them (tool name, plugin id or group:plugins). */
  optional?: boolean;
}

export interface PluginService {
  id: string;
  start?: (ctx: Record<string, unknown>) => unknown;
  stop?: (ctx: Record<string, unknown>) => unknown;
}

export interface PluginCommandContext {
  senderId?: string;
  channel?: string;
  isAuthorizedSender?: boolean;
  args?: string;
  commandBody?: string;
  config?: unknown;
}
export interface PluginCommand {
  name: string;
  description?: string;
  acceptsArgs?: boolean;
  /** Default true: only authorized senders may run it. */
  requireAuth?: boolean;
  handler: (ctx: PluginCommandContext) => { text: string } | Promise<{ text: string }>;
}

export type CliRegistrar = (ctx: { program: unknown; [key: string]: unknown }) => unknown;

/** Typed lifecycle hooks plugins can subscribe to with `api.on`. */
export const PLUGIN_HOOK_NAMES = [
  "before_agent_start",
  "agent_end",
  "before_compaction",
  "after_compaction",
  "message_received",
  "message_sending",
  "message_sent",
  "before_tool_call",
  "after_tool_call",
  "tool_result_persist",
  "session_start",
  "session_end",
  "gateway_start",
  "gateway_stop",
] as const;
export type PluginHookName = (typeof PLUGIN_HOOK_NAMES)[number];

/** Chat command names plugins cannot take (built-in commands). */
export const RESERVED_COMMAND_NAMES: ReadonlySet<string> = new Set([
  "help",
  "commands",
  "status",
  "whoami",
  "context",
  "stop",
  "restart",
  "reset",
  "new",
  "compact",
  "config",
  "debug",
  "allowlist",
  "activation",
  "skill",
  "subagents",
  "model",
  "models",
  "queue",
  "send",
  "bash",
  "exec",
  "think",
  "verbose",
  "reasoning",
  "elevated",
  "usage",
]);

interface Owned {
  pluginId: string;
  source: string;
}
export interface ToolRegistration extends Owned {
  factory: PluginToolFactory;
  names: string[];
  optional: boolean;
}
export interface HttpRouteRegistration extends Owned {
  path: string;
  handler: PluginHttpHandler;
  /**
   * Served without the gateway's auth (a webhook that carries its own signature). Unlike OpenClaw,
   * routes are behind the gateway token unless they say this; `security audit` lists public ones.
   */
  public: boolean;
}
/** Takes WebSocket upgrades on one exact path (the socket is the plugin's from then on). */
export type PluginUpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
export interface WebSocketRouteRegistration extends Owned {
  path: string;
  /** Public like a signed webhook: the owner authenticates what arrives on the socket. */
  handler: PluginUpgradeHandler;
}
export interface HttpHandlerRegistration extends Owned {
  handler: PluginHttpHandler;
}
export interface GatewayMethodRegistration extends Owned {
  handler: GatewayMethodHandler;
  /** A built-in plugin's own method definition (params schema, scope), served as it is. */
  definition?: object;
}
export interface CliRegistration extends Owned {
  register: CliRegistrar;
  commands: string[];
}
export interface ServiceRegistration extends Owned {
  service: PluginService;
}
export interface CommandRegistration extends Owned {
  command: PluginCommand;
}
export interface ProviderRegistration extends Owned {
  provider: { id: string; [key: string]: unknown };
}
export interface ChannelRegistration extends Owned {
  plugin: { id: string; [key: string]: unknown };
  dock?: unknown;
}
export interface HookRegistration extends Owned {
  name: string;
  events: string[];
  handler: (...args: any[]) => unknown;
}
export interface TypedHookRegistration extends Owned {
  hookName: PluginHookName;
  handler: (...args: any[]) => unknown;
  priority: number;
}

export interface PluginRegistryOptions {
  /** Gateway methods the core serves; plugins cannot take them. */
  coreGatewayMethods?: Iterable<string>;
  /** Agent tools the core has; plugin tools with these names are skipped. */
  coreToolNames?: Iterable<string>;
}

export class PluginRegistry {
  readonly plugins: PluginRecord[] = [];
  readonly diagnostics: PluginDiagnostic[] = [];
  readonly gatewayMethods = new Map<string, GatewayMethodRegistration>();
  readonly tools: ToolRegistration[] = [];
  readonly httpRoutes: HttpRouteRegistration[] = [];
  readonly httpHandlers: HttpHandlerRegistration[] = [];
  readonly webSocketRoutes: WebSocketRouteRegistration[] = [];
  readonly cliRegistrars: CliRegistration[] = [];
  readonly services: ServiceRegistration[] = [];
  /** Keyed by lower-cased name (commands match case-insensitively). */
  readonly commands = new Map<string, CommandRegistration>();
  readonly providers: ProviderRegistration[] = [];
  readonly channels: ChannelRegistration[] = [];
  readonly hooks: HookRegistration[] = [];
  readonly typedHooks: TypedHookRegistration[] = [];
  private coreMethods: Set<string>;
  private coreTools: Set<string>;

  constructor(opts: PluginRegistryOptions = {}) {
    this.coreMethods = new Set(opts.coreGatewayMethods ?? []);
    this.coreTools = new Set(opts.coreToolNames ?? []);
  }

  plugin(id: string): PluginRecord | undefined {
    return this.plugins.find((p) => p.id === id);
  }

  /**
   * Marks a plugin failed at run time: its record says why (as `plugins list` and `status` show it)
   * and its registrations are skipped from now on.
   */
  markFailed(pluginId: string, message: string): void {
    const record = this.plugin(pluginId);
    if (!record || record.status === "error") return;
    record.status = "error";
    record.error = message;
  }

  /** Whether a plugin's registrations may still run (it has not failed). */
  usable(pluginId: string): boolean {
    return this.plugin(pluginId)?.status !== "error";
  }

  /** Handlers for a typed hook, highest priority first (registration order among equals). */
  hookHandlers(name: PluginHookName): TypedHookRegistration[] {
    return this.typedHooks
      .map((h, i) => ({ h, i }))
      .filter(({ h }) => h.hookName === name)
      .sort((a, b) => b.h.priority - a.h.priority || a.i - b.i)
      .map(({ h }) => h);
  }

  private refuse(record: PluginRecord, message: string, level: "error" | "warn" = "error"): false {
    this.diagnostics.push({ level, pluginId: record.id, source: record.source, message: `plugin ${record.id}: ${message}` });
    return false;
  }

  private taken(what: string, name: string, owner: string, record: PluginRecord): false {
    const by = owner === "core" || this.plugin(owner)?.origin === "bundled" ? "the gateway itself" : `plugin "${owner}"`;
    return this.refuse(record, `${what} "${name}" is already registered by ${by}; the registration by plugin "${record.id}" is refused`);
  }

  registerGatewayMethod(record: PluginRecord, method: string, handler: GatewayMethodHandler | object): boolean {
    const name = typeof method === "string" ? method.trim() : "";
    if (!name) return this.refuse(record, "registerGatewayMethod needs a method name");
    const definition = record.origin === "bundled" && handler && typeof handler === "object" ? handler : undefined;
    if (typeof handler !== "function" && !definition) return this.refuse(record, `gateway method "${name}" needs a handler function`);
    if (this.coreMethods.has(name)) return this.taken("gateway method", name, "core", record);
    const existing = this.gatewayMethods.get(name);
    if (existing) return this.taken("gateway method", name, existing.pluginId, record);
    this.gatewayMethods.set(name, {
      pluginId: record.id,
      source: record.source,
      handler: (definition ? () => undefined : handler) as GatewayMethodHandler,
      ...(definition ? { definition } : {}),
    });
    record.gatewayMethods.push(name);
    return true;
  }

  registerTool(record: PluginRecord, tool: PluginTool | PluginToolFactory, opts?: ToolOptions): boolean {
    const names = [...(opts?.names ?? (opts?.name ? [opts.name] : []))];
    let factory: PluginToolFactory;
    if (typeof tool === "function") {
      factory = tool;
    } else if (
      tool &&
      typeof tool === "object" &&
      typeof tool.name === "string" &&
      // Built-in tools are the gateway's own definitions (`run` with typed arguments).
      (typeof tool.execute === "function" || (record.origin === "bundled" && typeof tool.run === "function"))
    ) {
      names.push(tool.name);
      factory = () => tool;
    } else {
      return this.refuse(record, "registerTool needs a tool ({name, execute, …}) or a factory function");
    }
    const normalized = [...new Set(names.map((n) => n.trim()).filter(Boolean))];
    for (const name of normalized) {
      if (this.coreTools.has(name)) return this.taken("tool", name, "core", record);
      const other = this.tools.find((t) => t.names.includes(name));
      if (other) return this.taken("tool", name, other.pluginId, record);
    }
    this.tools.push({ pluginId: record.id, source: record.source, factory, names: normalized, optional: opts?.optional === true });
    record.toolNames.push(...normalized);
    return true;
  }

  registerHttpRoute(record: PluginRecord, route: { path: string; handler: PluginHttpHandler; public?: boolean }): boolean {
    const raw = typeof route?.path === "string" ? route.path.trim() : "";
    if (!raw) return this.refuse(record, "registerHttpRoute needs a path", "warn");
    if (typeof route.handler !== "function") return this.refuse(record, `http route "${raw}" needs a handler function`);
    const routePath = raw.startsWith("/") ? raw : `/${raw}`;
    const existing = this.httpRoutes.find((r) => r.path === routePath);
    if (existing) return this.taken("http route", routePath, existing.pluginId, record);
    this.httpRoutes.push({
      pluginId: record.id,
      source: record.source,
      path: routePath,
      handler: route.handler,
      public: route.public === true,
    });
    record.httpRoutes.push(routePath);
    record.httpHandlers += 1;
    return true;
  }

  registerWebSocketRoute(record: PluginRecord, route: { path: string; handler: PluginUpgradeHandler }): boolean {
    const raw = typeof route?.path === "string" ? route.path.trim() : "";
    if (!raw) return this.refuse(record, "registerWebSocketRoute needs a path", "warn");
    if (typeof route.handler !== "function") return this.refuse(record, `websocket route "${raw}" needs a handler function`);
    const routePath = raw.startsWith("/") ? raw : `/${raw}`;
    const existing = this.webSocketRoutes.find((r) => r.path === routePath);
    if (existing) return this.taken("websocket route", routePath, existing.pluginId, record);
    this.webSocketRoutes.push({ pluginId: record.id, source: record.source, path: routePath, handler: route.handler });
    return true;
  }

  registerHttpHandler(record: PluginRecord, handler: PluginHttpHandler): boolean {
    if (typeof handler !== "function") return this.refuse(record, "registerHttpHandler needs a handler function");
    this.httpHandlers.push({ pluginId: record.id, source: record.source, handler });
    record.httpHandlers += 1;
    return true;
  }

  registerCli(record: PluginRecord, registrar: CliRegistrar, opts?: { commands?: string[] }): boolean {
    if (typeof registrar !== "function") return this.refuse(record, "registerCli needs a registrar function ({ program }) => …");
    const commands = (opts?.commands ?? []).map((c) => String(c).trim()).filter(Boolean);
    for (const name of commands) {
      const other = this.cliRegistrars.find((r) => r.commands.includes(name));
      if (other) return this.taken("CLI command", name, other.pluginId, record);
    }
    this.cliRegistrars.push({ pluginId: record.id, source: record.source, register: registrar, commands });
    record.cliCommands.push(...commands);
    return true;
  }

  registerService(record: PluginRecord, service: PluginService): boolean {
    const id = typeof service?.id === "string" ? service.id.trim() : "";
    if (!id) return this.refuse(record, "registerService needs an id");
    const other = this.services.find((s) => s.service.id.trim() === id);
    if (other) return this.taken("service", id, other.pluginId, record);
    this.services.push({ pluginId: record.id, source: record.source, service });
    record.services.push(id);
    return true;
  }

  registerCommand(record: PluginRecord, command: PluginCommand): boolean {
    const name = typeof command?.name === "string" ? command.name.trim() : "";
    if (!name) return this.refuse(record, "registerCommand needs a name");
    const key = name.toLowerCase();
    if (!/^[a-z][a-z0-9_-]*$/.test(key)) {
      return this.refuse(record, `command name "${name}" must start with a letter and hold only letters, digits, hyphens and underscores`);
    }
    if (RESERVED_COMMAND_NAMES.has(key)) return this.refuse(record, `command name "${key}" is reserved by a built-in command`);
    if (typeof command.handler !== "function") return this.refuse(record, `command "${name}" needs a handler function`);
    const existing = this.commands.get(key);
    if (existing) return this.taken("command", key, existing.pluginId, record);
    this.commands.set(key, { pluginId: record.id, source: record.source, command });
    record.commands.push(name);
    return true;
  }

  registerProvider(record: PluginRecord, provider: { id: string; [key: string]: unknown }): boolean {
    const id = typeof provider?.id === "string" ? provider.id.trim() : "";
    if (!id) return this.refuse(record, "registerProvider needs a provider with an id");
    const other = this.providers.find((p) => p.provider.id.trim() === id);
    if (other) return this.taken("provider", id, other.pluginId, record);
    this.providers.push({ pluginId: record.id, source: record.source, provider });
    record.providerIds.push(id);
    return true;
  }

  registerChannel(record: PluginRecord, registration: unknown): boolean {
    const reg = registration as { plugin?: unknown; dock?: unknown; id?: unknown } | null;
    const wrapped = reg && typeof reg.plugin === "object" && reg.plugin !== null;
    const plugin = (wrapped ? reg.plugin : reg) as { id?: unknown; [key: string]: unknown } | null;
    const id = typeof plugin?.id === "string" ? plugin.id.trim() : "";
    if (!plugin || !id) return this.refuse(record, "registerChannel needs { plugin } whose plugin has an id");
    const other = this.channels.find((c) => c.plugin.id.trim() === id);
    if (other) return this.taken("channel", id, other.pluginId, record);
    if (!isChannelPlugin(plugin)) {
      this.refuse(
        record,
        `channel "${id}" does not provide what this gateway runs channels with (label, rules, resolveToken, load: see docs/architecture.md); it is recorded but not started`,
        "warn",
      );
    }
    this.channels.push({
      pluginId: record.id,
      source: record.source,
      plugin: plugin as { id: string },
      dock: wrapped ? reg.dock : undefined,
    });
    record.channelIds.push(id);
    return true;
  }

  registerHook(record: PluginRecord, events: string | string[], handler: (...args: any[]) => unknown, opts?: { name?: string }): boolean {
    const name = opts?.name?.trim();
    if (!name) return this.refuse(record, "registerHook needs opts.name", "warn");
    if (typeof handler !== "function") return this.refuse(record, `hook "${name}" needs a handler function`);
    const list = (Array.isArray(events) ? events : [events]).map((e) => String(e).trim()).filter(Boolean);
    this.hooks.push({ pluginId: record.id, source: record.source, name, events: list, handler });
    record.hookNames.push(name);
    return true;
  }

  on(record: PluginRecord, hookName: string, handler: (...args: any[]) => unknown, opts?: { priority?: number }): boolean {
    if (!(PLUGIN_HOOK_NAMES as readonly string[]).includes(hookName)) {
      return this.refuse(record, `unknown hook "${hookName}" (known: ${PLUGIN_HOOK_NAMES.join(", ")})`, "warn");
    }
    if (typeof handler !== "function") return this.refuse(record, `hook "${hookName}" needs a handler function`);
    this.typedHooks.push({
      pluginId: record.id,
      source: record.source,
      hookName: hookName as PluginHookName,
      handler,
      priority: opts?.priority ?? 0,
    });
    record.typedHooks += 1;
    return true;
  }

  /** Drops everything a plugin registered (used when its register() throws part-way). */
  removeRegistrations(pluginId: string): void {
    for (const [k, v] of this.gatewayMethods) if (v.pluginId === pluginId) this.gatewayMethods.delete(k);
    for (const [k, v] of this.commands) if (v.pluginId === pluginId) this.commands.delete(k);
    for (const list of [
      this.tools,
      this.httpRoutes,
      this.httpHandlers,
      this.webSocketRoutes,
      this.cliRegistrars,
      this.services,
      this.providers,
      this.channels,
      this.hooks,
      this.typedHooks,
    ] as Owned[][]) {
      for (let i = list.length - 1; i >= 0; i--) if (list[i]!.pluginId === pluginId) list.splice(i, 1);
    }
    const record = this.plugin(pluginId);
    if (record) {
      for (const key of [
        "toolNames",
        "hookNames",
        "gatewayMethods",
        "httpRoutes",
        "cliCommands",
        "services",
        "commands",
        "channelIds",
        "providerIds",
      ] as const) {
        record[key] = [];
      }
      record.httpHandlers = 0;
      record.typedHooks = 0;
    }
  }
}
