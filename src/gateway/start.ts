/**
 * Gateway start-up: the composition root. Each step is one call: read env and config, plan the
 * listener (refusing unsafe binds), take the state-dir lock, build the services once (built-in and
 * third-party plugins into one registry, then channels, agents and the router), bridge their events to
 * clients, listen, and keep the config live.
 */
import { StageRecorder } from "../infra/stages.js";
import os from "node:os";
import path from "node:path";
import { collectSecrets } from "../config/edit.js";
import type { OpenClawConfig } from "../config/schema.js";
import type { LogSinkOptions } from "../infra/logger.js";
import type { Env } from "../infra/paths.js";
import { packageVersion } from "../version.js";
import { resolveAuth } from "./auth.js";
import { applyLogging, boot } from "./boot.js";
import { TwoPhaseReply, type ClientInfo, type GatewayContext, type MethodTable } from "./context.js";
import { acquireGatewayLock, type GatewayLock } from "./lock.js";
import { listenChanged, planListen, StartupError, urlFor, type ListenOverrides, type ListenPlan } from "./listen-plan.js";
import { Listener } from "./listener.js";
import { healthSnapshot } from "./methods/health.js";
import { coreMethodsPlugin } from "./methods/index.js";
import { bridgeRunEvents } from "./methods/chat.js";
import { PresenceRegistry, selfPresence } from "./presence.js";
import { TICK_INTERVAL_MS } from "./protocol/frames.js";
import { GatewayServer } from "./server.js";
import { checkGatewayTailscale, startGatewayTailscale } from "./tailscale.js";
import { ControlUi, findControlUiRoot } from "./http/control-ui.js";
import { DeviceStore } from "./devices.js";
import { ExecApprovalsStore } from "../exec/approvals-file.js";
import { ApprovalQueue } from "../exec/approval-queue.js";
import { execApprovalsPlugin } from "../exec/plugin.js";
import { ExecApprovalService } from "../exec/service.js";
import { channelSender } from "../channels/sender.js";
import { SandboxManager } from "../sandbox/manager.js";
import { featurePlugins } from "./features.js";
import { LateServices } from "./services.js";
import { startPlugins } from "./plugins.js";
import { createPluginRuntime } from "./plugin-runtime.js";
import { AgentService, type AgentServiceDeps } from "../agents/service.js";
import { defaultAgentId } from "../agents/roster.js";
import { workspaceDirFor } from "../agents/workspace.js";
import { ChannelManager, type ChannelManagerDeps } from "../channels/manager.js";
import { FaultBoard } from "../infra/faults.js";
import { probeWritable } from "../infra/atomic.js";
import { holdOptimizer } from "../infra/optimizer.js";
import { BUNDLED_PLUGINS } from "../plugins/bundled.js";
import { coreProvidersPlugin } from "../providers/plugin.js";
import { PairingStore } from "../routing/pairing.js";
import { ChannelRouter } from "../routing/router.js";
import { cleanStateDir } from "../sessions/cleanup.js";
import { ToolRegistry } from "../tools/registry.js";
import { coreToolsPlugin } from "../tools/plugin.js";

export { StartupError } from "./listen-plan.js";

/** How often a fresh `health` snapshot is broadcast. */
const HEALTH_INTERVAL_MS = 60_000;
/** While a state write is failing, the state directory is probed this often to notice recovery. */
const STORAGE_PROBE_MS = 5000;
const NO_PROXIES: string[] = [];

export interface GatewayOptions {
  /** Environment to read (and to load `.env` files into). Default: `process.env`. */
  env?: Env;
  cwd?: string;
  port?: number;
  bind?: string;
  token?: string;
  password?: string;
  allowUnconfigured?: boolean;
  /** Stop whatever listens on the port before starting. */
  force?: boolean;
  verbose?: boolean;
  /** Console output (tests capture it). */
  stdout?: LogSinkOptions["stdout"];
  stderr?: LogSinkOptions["stderr"];
  now?: () => number;
  /** Model clients by API; default loads the SDK-backed clients on first use (tests and bench inject). */
  loadClient?: AgentServiceDeps["loadClient"];
  /** See `AgentServiceDeps.modelIdleTimeoutMs`. */
  modelIdleTimeoutMs?: number;
  /** How long one tool call may run (default `DEFAULT_TOOL_TIMEOUT_MS`, 120 s). */
  toolTimeoutMs?: number;
  /** Channel adapter factories (tests); default loads each configured channel's own adapter. */
  channelFactories?: ChannelManagerDeps["factories"];
  /** Folder of the built Control UI; default: found beside the code. `null`: serve the "not built" page. */
  controlUiRoot?: string | null;
}

export interface Gateway {
  readonly ctx: GatewayContext;
  readonly port: number;
  readonly host: string;
  readonly url: string;
  readonly lockPath: string;
  /** Stops everything: `shutdown` to clients, sockets closed, lock released. */
  close(reason?: string): Promise<void>;
  /** Resolves when the gateway has closed (after a signal or `close`). */
  readonly closed: Promise<void>;
}

/** Start-up is over when every channel's first start has settled, or after this long at the most. */
const STARTUP_MAX_MS = 10_000;

export async function startGateway(opts: GatewayOptions = {}): Promise<Gateway> {
  // Code that runs once while starting is not worth optimizing (see infra/optimizer.ts).
  const releaseOptimizer = holdOptimizer();
  try {
    return await start(opts, releaseOptimizer);
  } catch (e) {
    releaseOptimizer();
    throw e;
  }
}

async function start(opts: GatewayOptions, startupOver: () => void): Promise<Gateway> {
  const env = opts.env ?? process.env;
  const now = opts.now ?? Date.now;
  const startedAt = now();

  // 1. Env, logs and config (throws when the gateway is not configured to run).
  const { stateDir, configPath, logs, log, config } = boot(env, opts);
  const overrides: ListenOverrides = { bind: opts.bind, port: opts.port, token: opts.token, password: opts.password };
  const plan = (cfg: OpenClawConfig): ListenPlan => checkGatewayTailscale(cfg, planListen(cfg, env, overrides));

  // 2. The listen plan (refuses a public bind without auth) and the state-dir lock.
  let lock: GatewayLock;
  let first: ListenPlan;
  try {
    first = plan(config.current());
    lock = acquireGatewayLock(stateDir, configPath);
  } catch (e) {
    logs.close();
    throw e instanceof StartupError ? e : new StartupError("GATEWAY_LOCKED", (e as Error).message);
  }
  logs.setSecrets([first.auth.token, first.auth.password, ...collectSecrets(config.current())]);
  tidyStateDir(stateDir, configPath, log);
  // Where each message's time goes, summarised into this file at shutdown (for the benchmark).
  const stageFile = env.OPENCLAW_STAGE_TIMINGS?.trim();
  const stages = stageFile ? new StageRecorder(stageFile).start() : null;

  // 3. Services, built once. Plugins first: built-in methods, tools, model APIs and channels, then
  // third-party plugins into the same registry (a broken one is marked and skipped).
  const info = {
    version: packageVersion(),
    pid: process.pid,
    host: os.hostname(),
    url: urlFor(first.host, first.port),
    bindMode: first.bindMode,
    bindHost: first.host,
    port: first.port,
    authMode: first.auth.mode,
    startedAt,
  };
  const faults = new FaultBoard(now);
  const devices = new DeviceStore(stateDir, now);
  // Built-in feature plugins (scheduler, heartbeat, webhooks, memory) reach the agents through this
  // once they exist (set below, before anything listens or any plugin service starts).
  const services = new LateServices();
  const approvals = new ExecApprovalService(new ExecApprovalsStore(stateDir, env), new ApprovalQueue(now), logs.logger("exec"));
  const defaultAgent = defaultAgentId(config.current());
  const defaultWorkspace = workspaceDirFor(config.current(), defaultAgent, stateDir, env);
  const pluginRuntime = createPluginRuntime({ version: info.version, config: config.current, configPath, env, reload: config.reload });
  const plugins = await startPlugins({
    config: config.current(),
    stateDir,
    workspaceDir: defaultWorkspace,
    env,
    log: logs.logger("plugins"),
    builtins: [
      coreMethodsPlugin({ devices }),
      execApprovalsPlugin(approvals),
      coreToolsPlugin,
      coreProvidersPlugin,
      ...featurePlugins(services),
      ...BUNDLED_PLUGINS,
    ],
    version: info.version,
    now,
    runtime: pluginRuntime.api,
  }).catch((e: unknown) => {
    // Only a built-in plugin can fail this way (a bug): release the state directory before failing.
    lock.release();
    logs.close();
    throw e;
  });
  const tools = new ToolRegistry({ timeoutMs: opts.toolTimeoutMs }).register(
    ...plugins.tools({
      config: config.current(),
      workspaceDir: defaultWorkspace,
      agentId: defaultAgent,
    }),
  );
  const channels = new ChannelManager({
    config: config.current,
    env,
    logs,
    stateDir,
    now,
    catalog: plugins.channels,
    commands: () => plugins.commands?.list().map((c) => ({ name: c.command.name, description: c.command.description ?? "" })) ?? [],
    factories: opts.channelFactories,
  });
  const sender = channelSender(channels, { hooks: plugins.hooks });
  const agents = new AgentService({
    tools,
    config: config.current,
    stateDir,
    env,
    log: logs.logger("agent"),
    now,
    loadClient: opts.loadClient ?? plugins.providers.load,
    modelIdleTimeoutMs: opts.modelIdleTimeoutMs,
    faults,
    hooks: plugins.hooks,
    pluginCommands: plugins.commands,
    sandboxes: new SandboxManager({ stateDir, env, log: logs.logger("sandbox"), now }),
    toolHost: {
      approvals,
      channels: sender,
      gateway: {
        call: (method, params) => callInProcess(plugins.methods, method, params, ctx),
        restart: (reason, delayMs) => ctx.scheduleRestart(reason, delayMs),
      },
    },
  });
  pluginRuntime.attach({ systemEvents: agents.systemEvents });
  const pairing = PairingStore.forStateDir(stateDir, now);
  const router = new ChannelRouter({
    config: config.current,
    agents,
    channels,
    pairing,
    log: logs.logger("router"),
    now,
    hooks: plugins.hooks,
  });
  channels.connect((msg) => router.handle(msg));

  const presence = new PresenceRegistry(now, () => selfPresence(info, now()));
  let listener!: Listener;
  const ctx: GatewayContext = {
    info,
    env,
    stateDir,
    configPath,
    now,
    config: config.current,
    configSnapshot: config.snapshot,
    reloadConfig: config.reload,
    logs,
    log,
    presence,
    broadcast: (event, payload) => listener.broadcast(event, payload),
    scheduleRestart: (reason, delayMs) => listener.scheduleRestart(reason, delayMs, config.current),
    agents,
    channels,
    pairing,
    faults,
    chatKeys: new Map(),
    plugins: plugins.summary,
    pluginConfigs: plugins.configs,
    hooks: plugins.hooks,
  };
  services.set({
    agents,
    channels: sender,
    config: config.current,
    stateDir,
    configPath,
    env,
    now,
    logger: (subsystem) => logs.logger(subsystem),
    broadcast: ctx.broadcast,
    hooks: plugins.hooks,
  });
  approvals.attach({
    broadcast: ctx.broadcast,
    sendChat: sender.send,
    approversOnline: () => listener.clientCount("operator.approvals") > 0,
    config: config.current,
  });
  const controlUi = new ControlUi(opts.controlUiRoot !== undefined ? opts.controlUiRoot : findControlUiRoot());
  listener = new Listener(
    {
      log,
      info,
      plan,
      makeServer: () =>
        new GatewayServer({
          ctx,
          methods: plugins.methods,
          auth: () => listener.plan.auth,
          trustedProxies: () => config.current().gateway?.trustedProxies ?? NO_PROXIES,
          controlUi,
          devices,
          pluginRoute: (path) => plugins.route(path) ?? channels.publicRoute(path),
          pluginHandlers: plugins.handlers,
          pluginUpgrade: (path) => plugins.upgrade(path),
        }),
    },
    first,
  );

  // 4. Events to clients: agent runs, config changes, ticks, health; storage recovery.
  const stopBridge = bridgeRunEvents(ctx);
  config.onReload((event) => listener.broadcast("config.changed", event));
  const stopTimers = startTimers(ctx, listener, () => {
    if (faults.list().some((f) => f.id.startsWith("storage:")) && probeWritable(stateDir)) agents.recheckStorage();
  });

  // 5. Config reloads reach each service.
  config.onChange((cfg, changed) => {
    if (changed.includes("logging")) applyLogging(logs, cfg, opts.verbose);
    agents.reconfigure();
    if (changed.includes("channels")) void channels.sync();
    const auth = resolveAuth(cfg, env, { token: opts.token, password: opts.password });
    logs.setSecrets([auth.token, auth.password, ...collectSecrets(cfg)]);
    if (!changed.includes("gateway")) return;
    const mode = cfg.gateway?.reload?.mode ?? "hybrid";
    if (mode === "hot" || mode === "off") log.warn("gateway settings changed; restart the gateway to apply them");
    else if (listenChanged(listener.plan, cfg, env, overrides)) ctx.scheduleRestart("config change", 0);
    else listener.setAuth(plan(cfg).auth);
  });
  // Watch before listening, then look once more: an edit made while starting is never missed.
  const stopWatch = config.watch();

  // 6. Listen; then channels connect in the background (a slow platform never delays the gateway).
  try {
    await listener.listen(first, opts.force ?? false);
  } catch (e) {
    stopWatch();
    stopTimers();
    stopBridge();
    lock.release();
    logs.close();
    throw new StartupError((e as { code?: string }).code ?? "GATEWAY_LISTEN", (e as Error).message);
  }
  config.safeReload("changed while starting");
  const channelsStarted = channels.sync();
  await plugins.startServices();
  const tailscaleReset = await startGatewayTailscale({
    config: config.current(),
    port: listener.plan.port,
    env,
    log: logs.logger("tailscale"),
  });
  void plugins.hooks?.runGatewayStart({ port: listener.plan.port }, { port: listener.plan.port });
  const startupTimer = setTimeout(startupOver, STARTUP_MAX_MS).unref();
  const startupDone = () => {
    clearTimeout(startupTimer);
    startupOver();
  };
  void channelsStarted.catch(() => undefined).then(startupDone);

  let closing: Promise<void> | null = null;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  return {
    ctx,
    get port() {
      return listener.plan.port;
    },
    get host() {
      return listener.plan.host;
    },
    get url() {
      return info.url;
    },
    lockPath: lock.path,
    closed,
    close(reason = "gateway stopping") {
      closing ??= (async () => {
        log.info(`shutting down: ${reason}`);
        startupDone();
        stopTimers();
        stopWatch();
        try {
          await channels.stop();
          await plugins.hooks?.runGatewayStop({ reason }, { port: listener.plan.port }).catch(() => undefined);
          await plugins.stopServices();
          await agents.close();
          agents.systemEvents.close();
          approvals.queue.close();
          stopBridge();
          await listener.close(reason);
          await tailscaleReset?.();
        } finally {
          if (stages && stageFile) {
            stages.stop();
            try {
              await stages.writeSummary();
            } catch (e) {
              log.warn(`could not write stage timings to ${stageFile}: ${(e as Error).message}`);
            }
          }
          lock.release();
          logs.close();
          resolveClosed();
        }
      })();
      return closing;
    },
  };
}

/** Leftovers of an interrupted run (temp files, empty transcripts), removed and named once. */
function tidyStateDir(stateDir: string, configPath: string, log: { info(m: string): void }): void {
  const cleaned = cleanStateDir(stateDir, [path.dirname(configPath)]);
  if (cleaned.tempFiles.length || cleaned.emptyTranscripts.length) {
    log.info(
      `tidied the state directory after an interrupted run: removed ${[...cleaned.tempFiles, ...cleaned.emptyTranscripts].join(", ")}`,
    );
  }
}

/**
 * `tick` to every client, a fresh `health` snapshot every minute (OpenClaw's apps and Control UI follow
 * health through these events), and, while state writes fail, a check every few seconds whether the
 * state directory takes writes again. Returns the stop function.
 */
function startTimers(ctx: GatewayContext, listener: Listener, probeStorage: () => void): () => void {
  const tick = setInterval(() => listener.broadcast("tick", { ts: ctx.now() }), TICK_INTERVAL_MS);
  const health = setInterval(() => {
    try {
      if (listener.clientCount()) listener.broadcast("health", healthSnapshot(ctx));
    } catch (e) {
      ctx.log.warn(`health refresh failed: ${(e as Error).message}`);
    }
  }, HEALTH_INTERVAL_MS);
  const storage = setInterval(probeStorage, STORAGE_PROBE_MS);
  for (const t of [tick, health, storage]) t.unref();
  return () => {
    clearInterval(tick);
    clearInterval(health);
    clearInterval(storage);
  };
}

/** The client a tool's in-process method call acts as: an operator with every scope. */
const TOOL_CLIENT: ClientInfo = {
  connId: "agent-tool",
  role: "operator",
  scopes: ["operator.admin"],
  clientId: "gateway-tool",
  clientMode: "backend",
  remoteAddress: "127.0.0.1",
};

/** Calls one of the gateway's methods in process (the gateway tool), with its params checked. */
async function callInProcess(methods: MethodTable, method: string, params: unknown, ctx: GatewayContext): Promise<unknown> {
  const spec = Object.hasOwn(methods, method) ? methods[method] : undefined;
  if (!spec) throw new Error(`unknown method: ${method}`);
  const parsed = spec.params ? spec.params.safeParse(params) : { success: true as const, data: params };
  if (!parsed.success) throw new Error(`invalid ${method} params: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  const out = await spec.handler(parsed.data, ctx, TOOL_CLIENT);
  return out instanceof TwoPhaseReply ? (await out.final).payload : out;
}
