/**
 * `browser`: the agent's browser tool, and `browser.request`, the gateway method that reaches the
 * same browser by OpenClaw's browser-control routes (`GET /`, `POST /start`, `GET /tabs`,
 * `GET /snapshot`, `POST /act`, ...). Both drive one {@link BrowserController} per gateway, closed
 * when the gateway stops.
 */
import * as z from "zod";
import { defineMethod, type MethodSpec } from "../../gateway/context.js";
import { ErrorCodes, MethodError } from "../../gateway/protocol/frames.js";
import { defineTool, type Tool, type ToolResult } from "../registry.js";
import { BrowserController, BrowserError, browserSettings, fallbackStateDir, type ActRequest, type BrowserSettings } from "./controller.js";

const ACTIONS = [
  "status",
  "start",
  "stop",
  "profiles",
  "tabs",
  "open",
  "focus",
  "close",
  "snapshot",
  "screenshot",
  "navigate",
  "console",
  "pdf",
  "upload",
  "dialog",
  "act",
] as const;
const ACT_KINDS = ["click", "type", "press", "hover", "drag", "select", "fill", "resize", "wait", "evaluate", "close"] as const;

const actSchema = () =>
  z.object({
    kind: z.enum(ACT_KINDS),
    targetId: z.string().optional(),
    ref: z.string().optional().describe("A ref from the last snapshot, e.g. e12"),
    doubleClick: z.boolean().optional(),
    button: z.string().optional(),
    modifiers: z.array(z.string()).optional(),
    text: z.string().optional(),
    submit: z.boolean().optional(),
    slowly: z.boolean().optional(),
    key: z.string().optional(),
    startRef: z.string().optional(),
    endRef: z.string().optional(),
    values: z.array(z.string()).optional(),
    fields: z.array(z.looseObject({})).optional(),
    width: z.number().optional(),
    height: z.number().optional(),
    timeMs: z.number().optional(),
    textGone: z.string().optional(),
    fn: z.string().optional(),
  });

const browserArgs = () =>
  z.object({
    action: z.enum(ACTIONS),
    target: z.enum(["sandbox", "host", "node"]).optional(),
    node: z.string().optional(),
    profile: z.string().optional(),
    targetUrl: z.string().optional(),
    url: z.string().optional().describe("Same as targetUrl"),
    targetId: z.string().optional(),
    limit: z.number().optional(),
    maxChars: z.number().optional(),
    mode: z.enum(["efficient"]).optional(),
    snapshotFormat: z.enum(["aria", "ai"]).optional(),
    format: z.enum(["aria", "ai"]).optional().describe("Same as snapshotFormat"),
    refs: z.enum(["role", "aria"]).optional(),
    interactive: z.boolean().optional(),
    compact: z.boolean().optional(),
    depth: z.number().optional(),
    selector: z.string().optional(),
    frame: z.string().optional(),
    labels: z.boolean().optional(),
    fullPage: z.boolean().optional(),
    ref: z.string().optional(),
    element: z.string().optional(),
    type: z.enum(["png", "jpeg"]).optional(),
    level: z.string().optional(),
    paths: z.array(z.string()).optional(),
    inputRef: z.string().optional(),
    timeoutMs: z.number().optional(),
    accept: z.boolean().optional(),
    promptText: z.string().optional(),
    request: actSchema().optional(),
  });
type BrowserArgs = z.infer<ReturnType<typeof browserArgs>>;

const DESCRIPTION = [
  "Control a Chromium browser on the gateway's host (status/start/stop/profiles/tabs/open/focus/close/snapshot/screenshot/navigate/console/act).",
  "Use snapshot to read a page: it returns an accessibility tree whose elements carry refs (e.g. e12); then act with request={kind, ref, ...}",
  "(click, type, press, hover, drag, select, fill, resize, wait, evaluate, close).",
  "Keep the same tab: pass the targetId from the snapshot response into later calls.",
  "Refs change when the page changes; take a new snapshot after navigating or acting.",
  "Only http://, https:// and about:blank URLs can be opened.",
].join(" ");

function json(payload: unknown): ToolResult {
  return { text: JSON.stringify(payload, null, 2), details: payload };
}

function unsupported(action: string, why: string): ToolResult {
  return { text: `browser action "${action}" is not supported here: ${why}.`, isError: true };
}

export interface BrowserService {
  tool: Tool<BrowserArgs>;
  methods: Record<string, MethodSpec<any>>;
  controller: BrowserController;
  /** Where screenshots and the managed profile live; the gateway sets its state dir when it starts. */
  setStateDir(dir: string): void;
  close(): Promise<void>;
}

export function createBrowser(opts: { stateDir?: string; candidates?: readonly string[] } = {}): BrowserService {
  let stateDir = opts.stateDir;
  const controller = new BrowserController({ stateDir: () => stateDir ?? fallbackStateDir(), candidates: opts.candidates });

  async function runAction(a: BrowserArgs, s: BrowserSettings): Promise<ToolResult> {
    const profile = a.profile;
    const url = a.targetUrl ?? a.url;
    switch (a.action) {
      case "status":
        return json(await controller.status(s, profile));
      case "start":
        await controller.ensure(s, profile);
        return json(await controller.status(s, profile));
      case "stop":
        await controller.stop(s, profile);
        return json(await controller.status(s, profile));
      case "profiles":
        return json({ profiles: await profilesOf(s) });
      case "tabs":
        return json({ tabs: (await controller.tabs(s, profile)).tabs });
      case "open":
        if (!url) return { text: "targetUrl is required for open (an http:// or https:// URL).", isError: true };
        return json(await controller.openTab(s, url, profile, a.timeoutMs));
      case "focus":
        if (!a.targetId) return { text: 'targetId is required for focus; list tabs with action "tabs".', isError: true };
        return json(await controller.focus(s, a.targetId, profile));
      case "close":
        return json(await controller.closeTab(s, a.targetId, profile));
      case "snapshot": {
        const snap = await controller.snapshot(
          s,
          {
            targetId: a.targetId,
            format: a.snapshotFormat ?? a.format,
            maxChars: a.maxChars,
            depth: a.depth,
            mode: a.mode ?? (s.snapshotEfficient && (a.snapshotFormat ?? a.format) !== "aria" ? "efficient" : undefined),
            selector: a.selector,
            timeoutMs: a.timeoutMs,
          },
          profile,
        );
        if (snap.format === "ai") return { text: snap.snapshot, details: snap };
        return json(snap);
      }
      case "screenshot": {
        const shot = await controller.screenshot(
          s,
          { targetId: a.targetId, fullPage: a.fullPage, ref: a.ref, element: a.element, type: a.type, timeoutMs: a.timeoutMs },
          profile,
        );
        return { text: `MEDIA:${shot.path}`, details: shot };
      }
      case "navigate":
        if (!url) return { text: "targetUrl is required for navigate (an http:// or https:// URL).", isError: true };
        return json(await controller.navigate(s, url, a.targetId, profile, a.timeoutMs));
      case "console":
        return json(await controller.consoleMessages(s, { targetId: a.targetId, level: a.level }, profile));
      case "act":
        if (!a.request) return { text: "request is required for act ({kind, ref, ...}); take a snapshot first for refs.", isError: true };
        return json(await controller.act(s, { ...a.request, timeoutMs: a.timeoutMs }, profile));
      case "pdf":
        return unsupported(a.action, "saving pages as PDF is not available; use screenshot or snapshot");
      case "upload":
        return unsupported(a.action, "file uploads are not available; fill the form another way");
      case "dialog":
        return unsupported(a.action, "dialogs are dismissed automatically; act on the page directly");
    }
  }

  async function profilesOf(s: BrowserSettings) {
    const names = [...new Set([s.defaultProfile, "openclaw", ...Object.keys(s.profiles)])].filter((n) => {
      try {
        controller.resolveProfile(s, n);
        return true;
      } catch {
        return false;
      }
    });
    const out = [];
    for (const name of names) {
      const p = controller.resolveProfile(s, name);
      out.push({
        name,
        cdpUrl: p.cdpUrl ?? null,
        color: s.profiles[name]?.color ?? s.color,
        running: await controller.isRunning(name),
        isDefault: name === s.defaultProfile,
      });
    }
    return out;
  }

  const tool = defineTool<BrowserArgs>({
    name: "browser",
    description: DESCRIPTION,
    args: browserArgs,
    available: ({ config }) => browserSettings(config).enabled,
    async run(a, ctx): Promise<ToolResult> {
      const s = browserSettings(ctx.config);
      if (!s.enabled) return { text: "The browser is disabled (browser.enabled is false).", isError: true };
      if (a.target === "sandbox" || a.target === "node" || a.node) {
        return unsupported(
          a.action,
          `target "${a.node ? "node" : a.target}" is not available; the browser runs on the gateway's host (target "host")`,
        );
      }
      try {
        return await runAction(a, s);
      } catch (err) {
        return { text: `browser ${a.action} failed: ${(err as Error).message}`, isError: true, details: { error: (err as Error).message } };
      }
    },
  });

  const requestParams = () =>
    z.object({
      method: z.unknown().optional(),
      path: z.unknown().optional(),
      query: z.record(z.string(), z.unknown()).optional(),
      body: z.unknown().optional(),
      timeoutMs: z.number().optional(),
    });

  const methods: Record<string, MethodSpec<any>> = {
    "browser.request": defineMethod<z.infer<ReturnType<typeof requestParams>>>({
      scope: "operator.write",
      params: requestParams,
      async handler(params, ctx) {
        const method = typeof params.method === "string" ? params.method.trim().toUpperCase() : "";
        const path = typeof params.path === "string" ? params.path.trim() : "";
        if (!method || !path) throw new MethodError(ErrorCodes.INVALID_REQUEST, "method and path are required");
        if (method !== "GET" && method !== "POST" && method !== "DELETE") {
          throw new MethodError(ErrorCodes.INVALID_REQUEST, "method must be GET, POST, or DELETE");
        }
        const s = browserSettings(ctx.config());
        if (!s.enabled) throw new MethodError(ErrorCodes.UNAVAILABLE, "browser control is disabled");
        try {
          return await route(method, path, params.query ?? {}, params.body, params.timeoutMs, s);
        } catch (err) {
          if (err instanceof MethodError) throw err;
          const status = err instanceof BrowserError ? err.status : 500;
          const message = (err as Error).message;
          throw new MethodError(status >= 500 ? ErrorCodes.UNAVAILABLE : ErrorCodes.INVALID_REQUEST, message, { error: message });
        }
      },
    }),
  };

  async function route(
    method: string,
    rawPath: string,
    query: Record<string, unknown>,
    rawBody: unknown,
    timeoutMs: number | undefined,
    s: BrowserSettings,
  ) {
    const path = `/${rawPath.replace(/^\/+/, "").replace(/\/+$/, "")}`;
    const body = (rawBody && typeof rawBody === "object" ? rawBody : {}) as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : undefined);
    const num = (v: unknown) => (typeof v === "number" ? v : typeof v === "string" && v.trim() ? Number(v) : undefined);
    const bool = (v: unknown) => (typeof v === "boolean" ? v : v === "true" ? true : v === "false" ? false : undefined);
    const profile = str(query.profile) ?? str(body.profile);
    const key = `${method} ${path}`;
    switch (key) {
      case "GET /":
        return controller.status(s, profile);
      case "POST /start":
        await controller.ensure(s, profile);
        return { ok: true, profile: controller.resolveProfile(s, profile).name };
      case "POST /stop":
        return controller.stop(s, profile);
      case "GET /profiles":
        return { profiles: await profilesOf(s) };
      case "GET /tabs":
        return controller.tabs(s, profile);
      case "POST /tabs/open": {
        const url = str(body.url);
        if (!url) throw new BrowserError(400, "url is required");
        return controller.openTab(s, url, profile, timeoutMs);
      }
      case "POST /tabs/focus": {
        const targetId = str(body.targetId);
        if (!targetId) throw new BrowserError(400, "targetId is required");
        return controller.focus(s, targetId, profile);
      }
      case "GET /snapshot": {
        const format = query.format === "aria" ? "aria" : "ai";
        return controller.snapshot(
          s,
          {
            targetId: str(query.targetId),
            format,
            maxChars: num(query.maxChars),
            depth: num(query.depth),
            mode: query.mode === "efficient" ? "efficient" : undefined,
            selector: str(query.selector),
            timeoutMs,
          },
          profile,
        );
      }
      case "POST /screenshot":
        return controller.screenshot(
          s,
          {
            targetId: str(body.targetId),
            fullPage: bool(body.fullPage),
            ref: str(body.ref),
            element: str(body.element),
            type: body.type === "jpeg" ? "jpeg" : "png",
            timeoutMs,
          },
          profile,
        );
      case "POST /navigate": {
        const url = str(body.url);
        if (!url) throw new BrowserError(400, "url is required");
        return controller.navigate(s, url, str(body.targetId), profile, timeoutMs);
      }
      case "POST /act":
        return controller.act(s, { ...(body as ActRequest), timeoutMs: num(body.timeoutMs) ?? timeoutMs }, profile);
      case "GET /console":
        return controller.consoleMessages(s, { targetId: str(query.targetId), level: str(query.level) }, profile);
    }
    if (method === "DELETE" && path.startsWith("/tabs/")) {
      return controller.closeTab(s, decodeURIComponent(path.slice("/tabs/".length)), profile);
    }
    throw new BrowserError(
      404,
      `browser route ${key} is not supported here; supported: GET /, POST /start, POST /stop, GET /profiles, GET /tabs, ` +
        "POST /tabs/open, POST /tabs/focus, DELETE /tabs/:targetId, GET /snapshot, POST /screenshot, POST /navigate, POST /act, GET /console",
    );
  }

  return {
    tool,
    methods,
    controller,
    setStateDir(dir) {
      stateDir ??= dir;
    },
    close: () => controller.close(),
  };
}
