/**
 * Plain HTTP on the gateway port: `/healthz` (alive), `/readyz` (ready to serve, with a JSON reason
 * when not), and the Control UI at `gateway.controlUi.basePath` (default `/`). Health routes are
 * unauthenticated and do no I/O, so platform health checks cost nothing.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { GatewayContext } from "../context.js";
import { handleOpenAi, type OpenAiHttpDeps } from "./openai.js";

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export interface HttpState {
  shuttingDown: boolean;
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

export async function handleHttp(
  ctx: GatewayContext,
  state: HttpState,
  deps: OpenAiHttpDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://gateway");
  const path = url.pathname;
  if (path.startsWith("/v1/") && (await handleOpenAi(ctx, deps, req, res, path))) return;
  const cfgUi = ctx.config().gateway?.controlUi;
  const base = normalizeBasePath(cfgUi?.basePath);
  const isUi = cfgUi?.enabled !== false && (path === base || path + "/" === base);
  if (path !== "/healthz" && path !== "/readyz" && !isUi) {
    json(res, 404, { error: { code: "NOT_FOUND", message: `no route for ${path}` } });
    return;
  }
  if (req.method !== "GET" && req.method !== "HEAD") {
    json(res, 405, { error: { code: "METHOD_NOT_ALLOWED", message: `${req.method} not allowed on ${path}` } });
    return;
  }
  if (path === "/healthz") return json(res, state.shuttingDown ? 503 : 200, { ok: !state.shuttingDown });
  if (path === "/readyz") {
    const snap = ctx.configSnapshot();
    const ready = !state.shuttingDown && snap.valid;
    return json(res, ready ? 200 : 503, {
      ready,
      ...(state.shuttingDown ? { reason: "shutting down" } : !snap.valid ? { reason: "config invalid", issues: snap.issues } : {}),
      version: ctx.info.version,
      uptimeMs: ctx.now() - ctx.info.startedAt,
      clients: ctx.presence.list().length,
    });
  }
  const html = placeholderPage(ctx.info.version);
  res.writeHead(200, {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-cache",
  });
  res.end(req.method === "HEAD" ? undefined : html);
}
function placeholderPage(version: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>OpenClaw Gateway</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5">
<h1>OpenClaw Gateway</h1><p>The gateway is running (version ${version}). Connect with the CLI or a v3 WebSocket client on this address.</p>
</body></html>`;
}
