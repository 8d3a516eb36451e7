/**
 * Plain HTTP on the gateway port: `/healthz` (alive), `/readyz` (ready to serve, with a JSON reason
 * when not), and the Control UI at `gateway.controlUi.basePath` (default `/`). Health routes are
 * unauthenticated and do no I/O, so platform health checks cost nothing.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { GatewayContext } from "../context.js";
import type { ControlUi } from "./control-ui.js";
import { handleOpenAi, type OpenAiHttpDeps } from "./openai.js";
import { checkBearer } from "./bearer.js";
import type { RequestTrust } from "../trust.js";

export interface HttpState {
  shuttingDown: boolean;
  /** The built Control UI (or the page saying it is not built). */
  ui: ControlUi;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

export function normalizeBasePath(p: string | undefined): string {
  if (!p || p === "/") return "/";
  return "/" + p.replace(/^\/+|\/+$/g, "") + "/";
}

export type PluginRouteLookup = (
  pathname: string,
) => { public: boolean; handle(req: IncomingMessage, res: ServerResponse): Promise<void> } | null;

/** Plugins' catch-all HTTP handlers (`registerHttpHandler`): true when one of them answered. */
export type PluginHandlers = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export async function handleHttp(
  ctx: GatewayContext,
  state: HttpState,
  deps: OpenAiHttpDeps & { pluginRoute?: PluginRouteLookup; pluginHandlers?: PluginHandlers | null },
  req: IncomingMessage,
  res: ServerResponse,
  trust: RequestTrust,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://gateway");
  const path = url.pathname;
  if (path.startsWith("/v1/") && (await handleOpenAi(ctx, deps, req, res, path, trust))) return;
  // Plugins' catch-all handlers see only requests that carry the gateway token.
  if (deps.pluginHandlers && req.headers.authorization) {
    if (!authorizeBearer(deps, req, res, trust)) return;
    if (await deps.pluginHandlers(req, res)) return;
  }
  const plugin = deps.pluginRoute?.(path);
  if (plugin) {
    // Behind the gateway's auth unless the plugin declared the route public (a signed webhook).
    if (!plugin.public && !authorizeBearer(deps, req, res, trust)) return;
    return plugin.handle(req, res);
  }
  const cfgUi = ctx.config().gateway?.controlUi;
  const base = normalizeBasePath(cfgUi?.basePath);
  const uiOn = cfgUi?.enabled !== false;
  // API prefixes never fall back to the app page, even when the UI sits at `/`.
  const reserved = path === "/healthz" || path === "/readyz" || path === "/v1" || path.startsWith("/v1/");
  const isUi = uiOn && !reserved && path.startsWith(base);
  if (!isUi) {
    if (path !== "/healthz" && path !== "/readyz") {
      // `/ui` for a `/ui/` base, or `/` when the UI moved: send the browser to the UI.
      if (uiOn && (req.method === "GET" || req.method === "HEAD") && (path + "/" === base || (path === "/" && base !== "/"))) {
        res.writeHead(302, { location: base + url.search, "cache-control": "no-store" }).end();
        return;
      }
      json(res, 404, { error: { code: "NOT_FOUND", message: `no route for ${path}` } });
      return;
    }
  }
  if (req.method !== "GET" && req.method !== "HEAD") {
    json(res, 405, { error: { code: "METHOD_NOT_ALLOWED", message: `${req.method} not allowed on ${path}` } });
    return;
  }
  if (path === "/healthz") return json(res, state.shuttingDown ? 503 : 200, { ok: !state.shuttingDown });
  if (path === "/readyz") {
    const snap = ctx.configSnapshot();
    const faults = ctx.faults.list();
    const reasons = [
      ...(state.shuttingDown ? ["shutting down"] : []),
      ...(!snap.valid ? ["config invalid"] : []),
      ...faults.map((f) => f.message),
    ];
    const ready = reasons.length === 0;
    return json(res, ready ? 200 : 503, {
      ready,
      ...(ready ? {} : { reason: reasons.join("; ") }),
      ...(!snap.valid ? { issues: snap.issues } : {}),
      ...(faults.length ? { faults } : {}),
      version: ctx.info.version,
      uptimeMs: ctx.now() - ctx.info.startedAt,
      clients: ctx.presence.list().length,
    });
  }
  state.ui.serve(req, res, base, path.slice(base.length), ctx.info.version);
}

/** Answers 429 or 401 (JSON) unless the request carries the gateway token. */
function authorizeBearer(deps: OpenAiHttpDeps, req: IncomingMessage, res: ServerResponse, trust: RequestTrust): boolean {
  const r = checkBearer(deps, req, trust);
  if (r.ok) return true;
  if (r.status === 429) {
    res.writeHead(429, { "content-type": "application/json", "retry-after": String(Math.ceil(r.retryAfterMs / 1000)) });
    res.end(JSON.stringify({ error: { code: "RATE_LIMITED", message: "too many failed auth attempts; try again later" } }));
  } else {
    res.writeHead(401, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        error: { code: "UNAUTHORIZED", message: "invalid or missing gateway token (send Authorization: Bearer <OPENCLAW_GATEWAY_TOKEN>)" },
      }),
    );
  }
  return false;
}
