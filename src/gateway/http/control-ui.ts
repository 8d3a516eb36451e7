/**
 * The Control UI: static files built into `dist/control-ui/`, served under `gateway.controlUi.basePath`
 * (default `/`).
 *
 * - `index.html` is served for the base path and, as a single-page-app fallback, for every path under
 *   it that does not name a file (`/sessions`, `/config`, ...). Its relative asset URLs are rewritten
 *   to absolute ones under the base path, and the base path is handed to the app in a `<meta>` tag,
 *   so one build works under any prefix.
 * - Hashed files under `assets/` are cached for a year (their names change with their content);
 *   everything else is revalidated.
 * - Every response carries a strict Content-Security-Policy: scripts and styles only from this
 *   origin (no inline code, no eval), WebSocket connections only back to this host.
 * - When the UI was not built, a short page says how to build it instead of a bare 404.
 */
import fs from "node:fs";
import path from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import { packageRoot } from "../../version.js";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

/** A host (with optional port) safe to echo into a header: names, IPv4, bracketed IPv6. */
const SAFE_HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The policy for UI responses. `connect-src` names the WebSocket origins of the host the page was
 * loaded from, since older browsers do not let `'self'` cover `ws:`/`wss:`.
 */
export function controlUiCsp(host: string | undefined): string {
  const ws = host && SAFE_HOST.test(host) ? ` ws://${host} wss://${host}` : "";
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${ws}`,
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

/** The built UI (`dist/control-ui/` in this package), or null when it has not been built. */
export function findControlUiRoot(): string | null {
  const dir = path.join(packageRoot(), "dist", "control-ui");
  return fs.existsSync(path.join(dir, "index.html")) ? dir : null;
}

function escapeAttr(s: string): string {
  return s.replace(/[&"<>]/g, (c) => ({ "&": "&amp;", '"': "&quot;", "<": "&lt;", ">": "&gt;" })[c]!);
}

export class ControlUi {
  private index: { mtimeMs: number; base: string; html: string } | null = null;

  /** `root` null: the UI is not built (a help page is served instead). */
  constructor(readonly root: string | null) {}

  private securityHeaders(req: IncomingMessage): Record<string, string> {
    return {
      "content-security-policy": controlUiCsp(req.headers.host),
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "x-frame-options": "DENY",
    };
  }

  /** Serves `rel` (the path below the base path, without a leading slash). */
  serve(req: IncomingMessage, res: ServerResponse, base: string, rel: string, version: string): void {
    const head = req.method === "HEAD";
    if (!this.root || !fs.existsSync(path.join(this.root, "index.html"))) {
      const body = notBuiltPage(version);
      res.writeHead(503, { ...this.securityHeaders(req), "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(head ? undefined : body);
      return;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(rel);
    } catch {
      return this.notFound(req, res);
    }
    const file = decoded && !decoded.includes("\0") ? path.resolve(this.root, decoded) : null;
    const inside = file !== null && file.startsWith(this.root + path.sep);
    if (inside && file !== path.join(this.root, "index.html")) {
      let st: fs.Stats | null = null;
      try {
        st = fs.statSync(file);
      } catch {
        /* not a file: fall through */
      }
      if (st?.isFile()) {
        const ext = path.extname(file).toLowerCase();
        const hashed = decoded.startsWith("assets/");
        res.writeHead(200, {
          ...this.securityHeaders(req),
          "content-type": CONTENT_TYPES[ext] ?? "application/octet-stream",
          "content-length": st.size,
          "cache-control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
        });
        if (head) res.end();
        else fs.createReadStream(file).pipe(res);
        return;
      }
    }
    // A missing file with an extension (or under assets/) is a real 404; anything else is an app route.
    if (decoded.startsWith("assets/") || /\.[a-z0-9]+$/i.test(decoded)) return this.notFound(req, res);
    const html = this.indexHtml(base);
    res.writeHead(200, {
      ...this.securityHeaders(req),
      "content-type": "text/html; charset=utf-8",
      "content-length": Buffer.byteLength(html),
      "cache-control": "no-cache",
    });
    res.end(head ? undefined : html);
  }

  private notFound(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(404, { ...this.securityHeaders(req), "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : "not found\n");
  }

  /** index.html with asset URLs made absolute under `base` and the base path announced to the app. */
  private indexHtml(base: string): string {
    const file = path.join(this.root!, "index.html");
    const mtimeMs = fs.statSync(file).mtimeMs;
    if (this.index && this.index.mtimeMs === mtimeMs && this.index.base === base) return this.index.html;
    const attr = escapeAttr(base);
    const html = fs
      .readFileSync(file, "utf8")
      .replace(/(\s(?:src|href))="\.\//g, `$1="${attr}`)
      .replace(/<head>/i, `<head>\n    <meta name="openclaw-base-path" content="${attr}">`);
    this.index = { mtimeMs, base, html };
    return html;
  }
}

function notBuiltPage(version: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>OpenClaw Gateway</title></head>
<body><main><h1>Control UI not built</h1>
<p>The gateway is running (version ${escapeAttr(version)}), but the browser dashboard was not found next to it.</p>
<p>Build it with <code>npm run build</code> (or <code>npm run build:ui</code>) and reload this page. The CLI and any v3 WebSocket client work meanwhile.</p>
</main></body></html>`;
}
