/**
 * Gateway start-up: the composition root. Reads env and config, checks that the requested bind is
 * safe, takes the state-dir lock, builds the services once, listens, and keeps the config live
 * (file watcher → validate → apply what changed; a bad edit keeps the last good config running).
 */
import os from "node:os";
import path from "node:path";
import { readConfigSnapshot, type ConfigSnapshot } from "../config/load.js";
import type { OpenClawConfig } from "../config/schema.js";
import { collectSecrets } from "../config/edit.js";
import { watchFile } from "../config/watch.js";
import { loadDotEnv } from "../infra/dotenv.js";
import { LogSink, type LogLevel, type LogSinkOptions, type Logger } from "../infra/logger.js";
import { DEFAULT_GATEWAY_PORT, resolveConfigPath, resolveStateDir, type Env } from "../infra/paths.js";
import { findListeningPids, stopProcesses } from "../infra/port-owner.js";
import { packageVersion } from "../version.js";
import { resolveAuth, type ResolvedAuth } from "./auth.js";
import { BIND_MODES, BindError, isLoopbackHost, resolveBindHost, type BindMode } from "./bind.js";
import type { GatewayContext, MethodTable } from "./context.js";
import { acquireGatewayLock, type GatewayLock } from "./lock.js";
import { configMethods } from "./methods/config.js";
import { healthMethods, healthSnapshot } from "./methods/health.js";
import { logsMethods } from "./methods/logs.js";
import { PresenceRegistry, selfPresence } from "./presence.js";
import { TICK_INTERVAL_MS } from "./protocol/frames.js";

/** How often a fresh `health` snapshot is broadcast. */
const HEALTH_INTERVAL_MS = 60_000;
import { GatewayServer } from "./server.js";
import { ControlUi, findControlUiRoot } from "./http/control-ui.js";
import { AgentService, type AgentServiceDeps } from "../agents/service.js";
import { bridgeRunEvents, chatMethods } from "./methods/chat.js";
import { sessionMethods } from "./methods/sessions.js";
import { channelMethods } from "./methods/channels.js";
import { usageMethods } from "./methods/usage.js";
import { identityMethods } from "./methods/identity.js";
import { sendMethods } from "./methods/send.js";
import { systemMethods } from "./methods/system.js";
import { usageStatusMethods } from "./methods/usage-status.js";
import { ChannelManager, type ChannelManagerDeps } from "../channels/manager.js";
import { ChannelRouter } from "../routing/router.js";
import { PairingStore } from "../routing/pairing.js";
import { FaultBoard } from "../infra/faults.js";
import { cleanStateDir } from "../sessions/cleanup.js";
import { DeviceStore } from "./devices.js";
import { deviceMethods } from "./methods/devices.js";
import { probeWritable } from "../infra/atomic.js";
import { startPlugins, summarize, type GatewayPlugins } from "./plugins.js";
import { workspaceDirFor } from "../agents/workspace.js";
import { defaultTools } from "../tools/registry.js";

const NO_PROXIES: string[] = [];
/** While a state write is failing, the state directory is probed this often to notice recovery. */
const STORAGE_PROBE_MS = 5000;

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
  /** Channel adapter factories (tests); default loads the built-in adapters when configured. */
  channelFactories?: ChannelManagerDeps["factories"];
  /** Folder of the built Control UI; default: found beside the code. `null`: serve the "not built" page. */
  controlUiRoot?: string | null;
}

export class StartupError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "StartupError";
  }
}

interface ListenPlan {
  bindMode: BindMode;
  host: string;
  port: number;
  auth: ResolvedAuth;
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

function parsePort(value: unknown, source: string): number {
  const n = typeof value === "number" ? value : Number(String(value).trim());
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new StartupError("GATEWAY_PORT", `${source}: invalid port ${JSON.stringify(value)} (expected 1-65535)`);
  return n;
}

function urlFor(host: string, port: number): string {
  return `ws://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

export async function startGateway(opts: GatewayOptions = {}): Promise<Gateway> {
  const env = opts.env ?? process.env;
  const now = opts.now ?? Date.now;
  const startedAt = now();
  loadDotEnv(env, opts.cwd ?? process.cwd(), resolveStateDir(env));
  const stateDir = resolveStateDir(env);
  const configPath = resolveConfigPath(env, stateDir);

  const logs = new LogSink({
    dir: path.join(stateDir, "logs"),
    consoleLevel: opts.verbose ? "debug" : "info",
    stdout: opts.stdout,
    stderr: opts.stderr,
  });
  const log = logs.logger("gateway");

  let snapshot: ConfigSnapshot = readConfigSnapshot(configPath, env);
  let good: OpenClawConfig = snapshot.valid ? snapshot.config : ({} as OpenClawConfig);
  applyLogging(logs, good, opts.verbose);
  if (!snapshot.valid) {
    // Refusing to start here would put a container into a restart loop; run on safe defaults instead,
    // say exactly what is wrong, and pick up the fix from the file watcher or config.set.
    log.error(`config ${configPath} is invalid; running with safe defaults until it is fixed:`);
    for (const i of snapshot.issues) log.error(`  ${i.path || "<root>"}: ${i.message}`);
  }
  warnUnimplemented(log, snapshot);

  const rawMode = snapshot.valid ? good.gateway?.mode : readRawGatewayMode(snapshot.parsed);
  if (!opts.allowUnconfigured && rawMode !== "local") {
    logs.close();
    if (snapshot.exists && !snapshot.valid && rawMode === undefined) {
      // The file may well say "local": what stops us is that it cannot be read. Say that.
      throw new StartupError(
        "GATEWAY_CONFIG_INVALID",
        `config ${configPath} cannot be used:\n${snapshot.issues.map((i) => `  ${i.path || "<root>"}: ${i.message}`).join("\n")}\nFix the file (\`openclaw config validate\` lists the problems), or start with --allow-unconfigured to run on safe defaults until it is fixed.`,
      );
    }
    throw new StartupError(
      "GATEWAY_UNCONFIGURED",
      snapshot.exists
        ? `gateway.mode is ${rawMode === undefined ? "not set" : JSON.stringify(rawMode)} in ${configPath}; the gateway only runs when it is "local". Run \`openclaw config set gateway.mode local\`, or start with --allow-unconfigured.`
        : `no config at ${configPath}. Run \`openclaw config set gateway.mode local\` to create one, or start with --allow-unconfigured.`,
    );
  }
  // Running on safe defaults: keep the auth the file asks for when it can still be read, so a file
  // broken elsewhere never opens the gateway to tokenless clients.
  const salvagedAuth = snapshot.valid ? undefined : readRawAuth(snapshot.parsed);
  if (salvagedAuth) good = { gateway: { auth: salvagedAuth } } as OpenClawConfig;

  const plan = (cfg: OpenClawConfig): ListenPlan => {
    const mode = (opts.bind ?? cfg.gateway?.bind ?? "loopback") as BindMode;
    if (!(BIND_MODES as readonly string[]).includes(mode)) {
      throw new StartupError("GATEWAY_BIND", `invalid bind mode "${mode}" (expected one of ${BIND_MODES.join(", ")})`);
    }
    let host: string;
    try {
      host = resolveBindHost(mode, cfg.gateway?.customBindHost);
    } catch (e) {
      if (e instanceof BindError) throw new StartupError(e.code, e.message);
      throw e;
    }
    const port =
      opts.port !== undefined
        ? parsePort(opts.port, "--port")
        : env.OPENCLAW_GATEWAY_PORT?.trim()
          ? parsePort(env.OPENCLAW_GATEWAY_PORT, "OPENCLAW_GATEWAY_PORT")
          : (cfg.gateway?.port ?? DEFAULT_GATEWAY_PORT);
    const auth = resolveAuth(cfg, env, { token: opts.token, password: opts.password });
    if (!isLoopbackHost(host) && auth.mode === "none") {
      throw new StartupError(
        "GATEWAY_INSECURE_BIND",
        `refusing to bind the gateway to ${host}:${port} (bind "${mode}") without auth. Set OPENCLAW_GATEWAY_TOKEN (for example \`fly secrets set OPENCLAW_GATEWAY_TOKEN=$(openssl rand -hex 32)\`), set gateway.auth.token, or pass --token.`,
      );
    }
    return { bindMode: mode, host, port, auth };
  };

  let current: ListenPlan;
  try {
    current = plan(good);
  } catch (e) {
    logs.close();
    throw e;
  }
  logs.setSecrets([current.auth.token, current.auth.password, ...collectSecrets(good)]);

  let lock: GatewayLock;
  try {
    lock = acquireGatewayLock(stateDir, configPath);
  } catch (e) {
    logs.close();
    throw new StartupError("GATEWAY_LOCKED", (e as Error).message);
  }

  const cleaned = cleanStateDir(stateDir, [path.dirname(configPath)]);
  if (cleaned.tempFiles.length || cleaned.emptyTranscripts.length) {
    log.info(
      `tidied the state directory after an interrupted run: removed ${[...cleaned.tempFiles, ...cleaned.emptyTranscripts].join(", ")}`,
    );
  }

  const presence = new PresenceRegistry(now, () => selfPresence(info, now()));
  const faults = new FaultBoard(now);
  const devices = new DeviceStore(stateDir, now);
  let server: GatewayServer | null = null;
  let restartTimer: NodeJS.Timeout | undefined;
  const info = {
    version: packageVersion(),
    pid: process.pid,
    host: os.hostname(),
    url: urlFor(current.host, current.port),
    bindMode: current.bindMode,
    bindHost: current.host,
    port: current.port,
    authMode: current.auth.mode,
    startedAt,
  };

  const pairing = PairingStore.forStateDir(stateDir, now);
  let router: ChannelRouter | null = null;
  const channels = new ChannelManager({
    config: () => good,
    env,
    logs,
    stateDir,
    now,
    onInbound: (msg) => router?.handle(msg),
    factories: opts.channelFactories,
  });
  const tools = defaultTools();
  const agents = new AgentService({
    tools,
    config: () => good,
    stateDir,
    env,
    log: logs.logger("agent"),
    now,
    loadClient: opts.loadClient,
    modelIdleTimeoutMs: opts.modelIdleTimeoutMs,
    faults,
  });

  const ctx: GatewayContext = {
    info,
    env,
    stateDir,
    configPath,
    now,
    config: () => good,
    configSnapshot: () => snapshot,
    reloadConfig: (reason) => reload(reason),
    logs,
    log,
    presence,
    broadcast: (event, payload) => server?.broadcast(event, payload),
    scheduleRestart: (reason, delayMs) => {
      clearTimeout(restartTimer);
      restartTimer = setTimeout(() => void restartListener(reason, good), delayMs);
      restartTimer.unref();
    },
    agents,
    channels,
    pairing,
    faults,
    chatKeys: new Map(),
    plugins: () => [],
  };
  router = new ChannelRouter({ config: () => good, agents, channels, pairing, log: logs.logger("router"), now });
  const stopBridge = bridgeRunEvents(ctx);

  const methods: MethodTable = {
    ...healthMethods,
    ...configMethods,
    ...logsMethods,
    ...chatMethods,
    ...sessionMethods,
    ...channelMethods,
    ...usageMethods,
    ...identityMethods,
    ...sendMethods(),
    ...systemMethods,
    ...usageStatusMethods,
    ...deviceMethods(devices),
  };

  // Plugins load before the listener opens, so their methods and routes answer from the first request.
  // A broken plugin is marked and skipped; the gateway starts anyway.
  let plugins: GatewayPlugins | null = null;
  try {
    plugins = await startPlugins({
      config: good,
      stateDir,
      workspaceDir: workspaceDirFor(good, agents.defaultAgentId(), stateDir, env),
      env,
      log: logs.logger("plugins"),
      coreMethods: Object.keys(methods),
      coreTools: tools.names(),
      version: info.version,
    });
  } catch (e) {
    log.error(`plugins could not be loaded: ${(e as Error).message}`);
  }
  if (plugins) {
    Object.assign(methods, plugins.methods);
    const agentId = agents.defaultAgentId();
    const pluginTools = plugins.tools({ config: good, workspaceDir: workspaceDirFor(good, agentId, stateDir, env), agentId });
    const taken = new Set(tools.names());
    for (const t of pluginTools)
      if (taken.has(t.name)) log.warn(`plugin tool ${t.name} is not offered: a built-in tool has that name`);
      else tools.register(t);
  }
  ctx.plugins = () => (plugins ? summarize(plugins.records) : []);

  const controlUi = new ControlUi(opts.controlUiRoot !== undefined ? opts.controlUiRoot : findControlUiRoot());
  const makeServer = () =>
    new GatewayServer({
      ctx,
      methods,
      auth: () => current.auth,
      trustedProxies: () => good.gateway?.trustedProxies ?? NO_PROXIES,
      controlUi,
      devices,
      pluginRoute: (p) => plugins?.route(p) ?? null,
    });

  async function listen(p: ListenPlan, force: boolean): Promise<void> {
    server = makeServer();
    if (force && p.port > 0) {
      const pids = findListeningPids(p.port);
      if (pids.length > 0) {
        log.warn(`--force: stopping pid ${pids.join(", ")} listening on port ${p.port}`);
        await stopProcesses(pids);
      }
    }
    const port = await server.listen(p.host, p.port);
    current = { ...p, port };
    Object.assign(info, { url: urlFor(p.host, port), bindMode: p.bindMode, bindHost: p.host, port, authMode: p.auth.mode });
    log.info(`listening on ${info.url} (PID ${process.pid})`);
    if (p.auth.mode === "none") log.warn("no gateway token set: only clients on this machine can connect");
  }

  /** Re-listens with `cfg`'s gateway settings (port, bind, auth) without leaving the process. */
  async function restartListener(reason: string, cfg: OpenClawConfig): Promise<void> {
    let next: ListenPlan;
    try {
      next = plan(cfg);
    } catch (e) {
      log.error(`not restarting the listener (${reason}): ${(e as Error).message}; keeping ${info.url}`);
      return;
    }
    log.info(`restarting listener (${reason})`);
    await server?.close(reason, 1000);
    try {
      await listen(next, false);
    } catch (e) {
      log.error(`${(e as Error).message}; going back to ${current.host}:${current.port}`);
      await listen(current, false);
    }
  }

  function reload(reason: string): { applied: boolean; snapshot: ConfigSnapshot } {
    const next = readConfigSnapshot(configPath, env);
    if (next.hash === snapshot.hash && next.valid === snapshot.valid) return { applied: false, snapshot };
    snapshot = next;
    if (!next.valid) {
      log.error(`config reload (${reason}) rejected; keeping the last good config:`);
      for (const i of next.issues) log.error(`  ${i.path || "<root>"}: ${i.message}`);
      server?.broadcast("config.changed", { hash: next.hash, valid: false, issues: next.issues });
      return { applied: false, snapshot };
    }
    const prev = good;
    good = next.config;
    const changed = changedKeys(prev, good);
    warnUnimplemented(log, next);
    if (changed.includes("logging")) applyLogging(logs, good, opts.verbose);
    agents.reconfigure();
    if (changed.includes("channels")) void channels.sync();
    const auth = resolveAuth(good, env, { token: opts.token, password: opts.password });
    logs.setSecrets([auth.token, auth.password, ...collectSecrets(good)]);
    log.info(`config reloaded (${reason})${changed.length ? `: ${changed.join(", ")} changed` : ""}`);
    const mode = good.gateway?.reload?.mode ?? "hybrid";
    if (changed.includes("gateway")) {
      if (mode === "hot" || mode === "off") log.warn("gateway settings changed; restart the gateway to apply them");
      else if (listenChanged(current, good)) ctx.scheduleRestart("config change", 0);
      else current = { ...current, auth: plan(good).auth };
    }
    server?.broadcast("config.changed", { hash: next.hash, valid: true, changed });
    return { applied: true, snapshot };
  }

  // Watch before listening, then look once more: an edit made while starting is never missed.
  const stopWatch =
    (good.gateway?.reload?.mode ?? "hybrid") === "off"
      ? () => undefined
      : watchFile(configPath, good.gateway?.reload?.debounceMs ?? 300, () => {
          try {
            reload("file changed");
          } catch (e) {
            log.error(`config reload failed: ${(e as Error).message}`);
          }
        });

  try {
    await listen(current, opts.force ?? false);
  } catch (e) {
    stopWatch();
    lock.release();
    logs.close();
    throw new StartupError((e as { code?: string }).code ?? "GATEWAY_LISTEN", (e as Error).message);
  }

  try {
    reload("changed while starting");
  } catch (e) {
    log.error(`config reload failed: ${(e as Error).message}`);
  }

  // Channels connect in the background: a slow or broken platform never delays the gateway.
  void channels.sync();
  await plugins?.startServices();

  const tick = setInterval(() => server?.broadcast("tick", { ts: now() }), TICK_INTERVAL_MS);
  // Clients that show health (OpenClaw's apps and Control UI) follow it through `health` events.
  const healthTimer = setInterval(() => {
    try {
      if (server?.clientCount()) server.broadcast("health", healthSnapshot(ctx));
    } catch (e) {
      log.warn(`health refresh failed: ${(e as Error).message}`);
    }
  }, HEALTH_INTERVAL_MS);
  healthTimer.unref();
  tick.unref();

  // While state writes fail (full disk, read-only volume), check every few seconds whether the state
  // directory takes writes again; when it does, pending writes go out and the faults close.
  const storageProbe = setInterval(() => {
    if (!faults.list().some((f) => f.id.startsWith("storage:"))) return;
    if (probeWritable(stateDir)) agents.recheckStorage();
  }, STORAGE_PROBE_MS);
  storageProbe.unref();

  let closing: Promise<void> | null = null;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));

  function listenChanged(p: ListenPlan, cfg: OpenClawConfig): boolean {
    try {
      const n = plan(cfg);
      return n.host !== p.host || (n.port !== p.port && !(opts.port === 0 && n.port === 0));
    } catch {
      return true;
    }
  }

  return {
    ctx,
    get port() {
      return current.port;
    },
    get host() {
      return current.host;
    },
    get url() {
      return info.url;
    },
    lockPath: lock.path,
    closed,
    close(reason = "gateway stopping") {
      closing ??= (async () => {
        log.info(`shutting down: ${reason}`);
        clearInterval(tick);
        clearInterval(healthTimer);
        clearInterval(storageProbe);
        clearTimeout(restartTimer);
        stopWatch();
        try {
          await channels.stop();
          await plugins?.stopServices();
          await agents.close();
          agents.systemEvents.close();
          stopBridge();
          await server?.close(reason);
        } finally {
          lock.release();
          logs.close();
          resolveClosed();
        }
      })();
      return closing;
    },
  };
}

/** One line naming every key that loads but does nothing yet. */
function warnUnimplemented(log: Logger, snap: ConfigSnapshot): void {
  if (snap.warnings.length === 0) return;
  log.warn(`config: not implemented yet, accepted and ignored: ${snap.warnings.map((w) => w.path).join(", ")}`);
}

/** `gateway.auth.token|password` from a file that failed validation, when they are plain strings. */
function readRawAuth(parsed: unknown): { token?: string; password?: string } | undefined {
  const a = (parsed as { gateway?: { auth?: { token?: unknown; password?: unknown } } } | null)?.gateway?.auth;
  if (!a || typeof a !== "object") return undefined;
  const str = (v: unknown) => (typeof v === "string" && v && !v.includes("${") ? v : undefined);
  const out = { ...(str(a.token) ? { token: str(a.token) } : {}), ...(str(a.password) ? { password: str(a.password) } : {}) };
  return Object.keys(out).length ? out : undefined;
}

function readRawGatewayMode(parsed: unknown): unknown {
  const g = (parsed as { gateway?: { mode?: unknown } } | null)?.gateway;
  return g && typeof g === "object" ? g.mode : undefined;
}

function applyLogging(logs: LogSink, cfg: OpenClawConfig, verbose?: boolean): void {
  const l = cfg.logging;
  logs.configure({
    level: (l?.level as LogLevel | undefined) ?? "info",
    consoleLevel: verbose ? "debug" : ((l?.consoleLevel as LogLevel | undefined) ?? "info"),
    consoleStyle: l?.consoleStyle ?? "pretty",
    file: l?.file,
  });
}

function changedKeys(a: OpenClawConfig, b: OpenClawConfig): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return [...keys].filter((k) => JSON.stringify(ra[k]) !== JSON.stringify(rb[k]));
}
