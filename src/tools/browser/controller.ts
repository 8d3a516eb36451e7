/**
 * The browser the agent drives: a Chromium the owner installed, launched on first use through
 * playwright-core (imported only then, so a gateway that never browses pays nothing for it), or a
 * running browser attached over CDP (`browser.cdpUrl`, `attachOnly`, a profile's `cdpUrl`/`cdpPort`).
 *
 * One controller per gateway holds one session per profile; each page gets the CDP target id
 * OpenClaw's clients use as `targetId`. Every action is bounded by a timeout, the number of tabs is
 * capped and snapshot text is cut to a size a model can read.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import type { OpenClawConfig } from "../../config/schema.js";
import type { Browser, BrowserContext, Page } from "playwright-core";

/** Where an installed Chromium or Chrome is looked for when `browser.executablePath` is unset. */
export const CHROMIUM_CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
  "/snap/bin/chromium",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
];
/**
 * Loaded from node_modules on first use, never bundled: playwright-core reads its own files at run
 * time, and a gateway that never browses should not load it (the name in a variable keeps the
 * bundler from following it).
 */
const PLAYWRIGHT = "playwright-core";
export const MANAGED_PROFILE = "openclaw";
export const DEFAULT_ACTION_TIMEOUT_MS = 20_000;
export const LAUNCH_TIMEOUT_MS = 30_000;
/** Snapshot text beyond this is cut (the tool result itself is capped a little above it). */
export const DEFAULT_SNAPSHOT_MAX_CHARS = 60_000;
export const MAX_TABS = 20;
const EFFICIENT_DEPTH = 6;
const EFFICIENT_MAX_CHARS = 10_000;
const MAX_CONSOLE_MESSAGES = 500;
const LAUNCH_ARGS = [
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
  "--no-default-browser-check",
];

/** A failure with the HTTP status OpenClaw's browser control service answers it with. */
export class BrowserError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface BrowserSettings {
  enabled: boolean;
  evaluateEnabled: boolean;
  executablePath?: string;
  headless: boolean;
  noSandbox: boolean;
  attachOnly: boolean;
  cdpUrl?: string;
  defaultProfile: string;
  profiles: Record<string, { cdpUrl?: string; cdpPort?: number; driver?: string; color?: string }>;
  color: string;
  /** `browser.snapshotDefaults.mode: "efficient"`: the tool's ai snapshots are shallow and short unless asked otherwise. */
  snapshotEfficient: boolean;
}

export function browserSettings(config: OpenClawConfig | undefined, env: NodeJS.ProcessEnv = process.env): BrowserSettings {
  const b = (config?.browser ?? {}) as NonNullable<OpenClawConfig["browser"]>;
  const noDisplay = process.platform === "linux" && !env.DISPLAY && !env.WAYLAND_DISPLAY;
  return {
    enabled: b.enabled !== false,
    evaluateEnabled: b.evaluateEnabled !== false,
    executablePath: b.executablePath?.trim() || undefined,
    headless: b.headless ?? noDisplay,
    noSandbox: b.noSandbox === true || process.getuid?.() === 0,
    attachOnly: b.attachOnly === true,
    cdpUrl: b.cdpUrl?.trim() || undefined,
    defaultProfile: b.defaultProfile?.trim() || MANAGED_PROFILE,
    profiles: (b.profiles ?? {}) as BrowserSettings["profiles"],
    color: b.color ?? "#FF4500",
    snapshotEfficient: b.snapshotDefaults?.mode === "efficient",
  };
}

export interface Tab {
  targetId: string;
  title: string;
  url: string;
  type: "page";
}

interface Session {
  profile: string;
  context: BrowserContext;
  /** Set when attached over CDP (closing it only disconnects). */
  browser?: Browser;
  cdpUrl?: string;
  executablePath?: string;
  userDataDir?: string;
  ids: WeakMap<Page, string>;
  console: WeakMap<Page, ConsoleEntry[]>;
  active?: Page;
}

interface ConsoleEntry {
  type: string;
  text: string;
  timestamp: string;
  location?: { url?: string; lineNumber?: number; columnNumber?: number };
}

export interface ControllerOptions {
  /** Where the managed profile's user data and screenshots go (`<stateDir>/browser`, `<stateDir>/media/browser`). */
  stateDir: () => string;
  /** Looked for in order when `browser.executablePath` is unset. */
  candidates?: readonly string[];
}

export interface SnapshotOptions {
  targetId?: string;
  format?: "ai" | "aria";
  maxChars?: number;
  /** How deep the tree goes (`mode: "efficient"` means 6, and at most 10 000 characters). */
  depth?: number;
  mode?: "efficient";
  /** Only the part of the page under this CSS selector. */
  selector?: string;
  timeoutMs?: number;
}

export interface ScreenshotOptions {
  targetId?: string;
  fullPage?: boolean;
  ref?: string;
  element?: string;
  type?: "png" | "jpeg";
  timeoutMs?: number;
}

export interface ActRequest {
  kind?: string;
  targetId?: string;
  ref?: string;
  doubleClick?: boolean;
  button?: string;
  modifiers?: string[];
  text?: string;
  submit?: boolean;
  slowly?: boolean;
  key?: string;
  startRef?: string;
  endRef?: string;
  values?: string[];
  fields?: Array<Record<string, unknown>>;
  width?: number;
  height?: number;
  timeMs?: number;
  textGone?: string;
  selector?: string;
  url?: string;
  loadState?: string;
  fn?: string;
  timeoutMs?: number;
}

/** Only these may be opened or navigated to: no file:, data:, javascript: or browser-internal pages. */
export function checkUrl(raw: string): string {
  const url = raw.trim();
  if (!url) throw new BrowserError(400, "url is required");
  if (url === "about:blank") return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BrowserError(400, `"${url}" is not a valid URL; give an absolute http:// or https:// URL`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new BrowserError(
      400,
      `${parsed.protocol} URLs cannot be opened in the browser; only http://, https:// and about:blank are allowed`,
    );
  }
  return parsed.href;
}

function boundedTimeout(ms: number | undefined): number {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms <= 0) return DEFAULT_ACTION_TIMEOUT_MS;
  return Math.min(Math.floor(ms), 120_000);
}

function refLocator(page: Page, ref: string | undefined, what: string) {
  const r = (ref ?? "").trim();
  if (!r) throw new BrowserError(400, `ref is required for ${what}; take a snapshot and use one of its refs (e.g. e12)`);
  if (!/^e\d+$/.test(r)) throw new BrowserError(400, `ref "${r}" is not a snapshot ref; refs look like e12 (take a snapshot first)`);
  return page.locator(`aria-ref=${r}`);
}

/** Playwright's "not found" for a stale ref, said in terms of what to do next. */
function explain(err: unknown, ref?: string): Error {
  const msg = err instanceof Error ? err.message : String(err);
  if (ref && /aria-ref|not found|Timeout .* exceeded/i.test(msg)) {
    return new BrowserError(
      404,
      `ref ${ref} was not found on the page or did not become actionable (${msg.split("\n")[0]}); take a new snapshot and use a current ref`,
    );
  }
  return err instanceof Error ? err : new Error(msg);
}

export class BrowserController {
  private readonly sessions = new Map<string, Promise<Session>>();
  private readonly candidates: readonly string[];

  constructor(private readonly opts: ControllerOptions) {
    this.candidates = opts.candidates ?? CHROMIUM_CANDIDATES;
  }

  /** The profile a request names (or the default), and how it is reached. */
  resolveProfile(s: BrowserSettings, name?: string): { name: string; cdpUrl?: string } {
    const profile = name?.trim() || s.defaultProfile;
    const entry = s.profiles[profile];
    if (entry) {
      if (entry.driver === "extension") {
        throw new BrowserError(400, `profile "${profile}" uses the Chrome extension relay, which is not supported here; use a CDP profile`);
      }
      return { name: profile, cdpUrl: entry.cdpUrl?.trim() || `http://127.0.0.1:${entry.cdpPort}` };
    }
    if (profile === MANAGED_PROFILE) {
      if (s.cdpUrl) return { name: profile, cdpUrl: s.cdpUrl };
      if (s.attachOnly) return { name: profile, cdpUrl: "http://127.0.0.1:18800" };
      return { name: profile };
    }
    const known = [MANAGED_PROFILE, ...Object.keys(s.profiles)].join(", ");
    throw new BrowserError(404, `Profile "${profile}" not found; known profiles: ${known} (add it under browser.profiles)`);
  }

  /** The executable to launch, or an error naming every path tried and the setting to set. */
  resolveExecutable(s: BrowserSettings): string {
    if (s.executablePath) {
      if (fs.existsSync(s.executablePath)) return s.executablePath;
      throw new BrowserError(
        500,
        `browser.executablePath "${s.executablePath}" does not exist; set browser.executablePath to an installed Chromium or Chrome`,
      );
    }
    const found = this.candidates.find((p) => fs.existsSync(p));
    if (found) return found;
    throw new BrowserError(
      500,
      `No Chromium or Chrome found (tried ${this.candidates.join(", ")}); install Chromium or set browser.executablePath, ` +
        "or set browser.cdpUrl to attach to a running browser",
    );
  }

  private running(profile: string): Promise<Session> | undefined {
    return this.sessions.get(profile);
  }

  async isRunning(profile: string): Promise<boolean> {
    const p = this.running(profile);
    if (!p) return false;
    try {
      await p;
      return true;
    } catch {
      return false;
    }
  }

  async status(s: BrowserSettings, profileName?: string): Promise<Record<string, unknown>> {
    const profile = this.resolveProfile(s, profileName);
    const pending = this.running(profile.name);
    const session = pending ? await pending.catch(() => undefined) : undefined;
    let detectedExecutablePath: string | null = null;
    let detectError: string | null = null;
    if (!profile.cdpUrl) {
      try {
        detectedExecutablePath = this.resolveExecutable(s);
      } catch (err) {
        detectError = (err as Error).message;
      }
    }
    return {
      enabled: s.enabled,
      profile: profile.name,
      running: Boolean(session),
      cdpReady: Boolean(session),
      pid: null,
      cdpUrl: profile.cdpUrl ?? null,
      chosenBrowser: session?.executablePath ? "chromium" : session ? "cdp" : null,
      detectedBrowser: detectedExecutablePath ? "chromium" : null,
      detectedExecutablePath,
      detectError,
      userDataDir: session?.userDataDir ?? null,
      color: s.profiles[profile.name]?.color ?? s.color,
      headless: s.headless,
      noSandbox: s.noSandbox,
      executablePath: s.executablePath ?? null,
      attachOnly: s.attachOnly,
      tabs: session ? session.context.pages().length : 0,
    };
  }

  /** The profile's browser, launched or attached on first use. */
  async ensure(s: BrowserSettings, profileName?: string): Promise<Session> {
    if (!s.enabled) throw new BrowserError(503, "the browser is disabled (browser.enabled is false)");
    const profile = this.resolveProfile(s, profileName);
    let pending = this.sessions.get(profile.name);
    if (!pending) {
      pending = this.open(s, profile);
      this.sessions.set(profile.name, pending);
      pending.catch(() => {
        if (this.sessions.get(profile.name) === pending) this.sessions.delete(profile.name);
      });
    }
    return pending;
  }

  private async open(s: BrowserSettings, profile: { name: string; cdpUrl?: string }): Promise<Session> {
    const executablePath = profile.cdpUrl ? undefined : this.resolveExecutable(s);
    const { chromium } = (await import(PLAYWRIGHT)) as typeof import("playwright-core");
    let session: Session;
    if (profile.cdpUrl) {
      let browser: Browser;
      try {
        browser = await chromium.connectOverCDP(profile.cdpUrl, { timeout: LAUNCH_TIMEOUT_MS });
      } catch (err) {
        throw new BrowserError(
          503,
          `could not attach to the browser at ${profile.cdpUrl} (${(err as Error).message.split("\n")[0]}); ` +
            "start it with --remote-debugging-port, or fix browser.cdpUrl",
        );
      }
      const context = browser.contexts()[0] ?? (await browser.newContext());
      session = { profile: profile.name, context, browser, cdpUrl: profile.cdpUrl, ids: new WeakMap(), console: new WeakMap() };
    } else {
      const userDataDir = path.join(this.opts.stateDir(), "browser", profile.name, "user-data");
      fs.mkdirSync(userDataDir, { recursive: true });
      const args = [...LAUNCH_ARGS];
      if (s.noSandbox) args.push("--no-sandbox", "--disable-setuid-sandbox");
      let context: BrowserContext;
      try {
        context = await chromium.launchPersistentContext(userDataDir, {
          executablePath,
          headless: s.headless,
          args,
          timeout: LAUNCH_TIMEOUT_MS,
          viewport: { width: 1280, height: 800 },
          handleSIGINT: false,
          handleSIGTERM: false,
          handleSIGHUP: false,
        });
      } catch (err) {
        throw new BrowserError(
          500,
          `could not launch ${executablePath} (${(err as Error).message.split("\n")[0]}); ` +
            "check browser.executablePath, or set browser.noSandbox: true when it runs as root or in a container",
        );
      }
      session = { profile: profile.name, context, executablePath, userDataDir, ids: new WeakMap(), console: new WeakMap() };
    }
    for (const page of session.context.pages()) this.watch(session, page);
    session.context.on("page", (page) => this.watch(session, page));
    session.context.on("close", () => {
      const current = this.sessions.get(profile.name);
      void current?.then((c) => c === session && this.sessions.delete(profile.name)).catch(() => undefined);
    });
    return session;
  }

  private watch(session: Session, page: Page): void {
    const entries: ConsoleEntry[] = [];
    session.console.set(page, entries);
    page.on("console", (m) => {
      const loc = m.location();
      entries.push({
        type: m.type(),
        text: m.text(),
        timestamp: new Date().toISOString(),
        location: { url: loc.url, lineNumber: loc.lineNumber, columnNumber: loc.columnNumber },
      });
      if (entries.length > MAX_CONSOLE_MESSAGES) entries.splice(0, entries.length - MAX_CONSOLE_MESSAGES);
    });
    page.on("pageerror", (e) => {
      entries.push({ type: "error", text: e.message, timestamp: new Date().toISOString() });
      if (entries.length > MAX_CONSOLE_MESSAGES) entries.splice(0, entries.length - MAX_CONSOLE_MESSAGES);
    });
  }

  private async targetId(session: Session, page: Page): Promise<string> {
    let id = session.ids.get(page);
    if (!id) {
      try {
        const cdp = await session.context.newCDPSession(page);
        const info = (await cdp.send("Target.getTargetInfo")) as { targetInfo: { targetId: string } };
        await cdp.detach().catch(() => undefined);
        id = info.targetInfo.targetId;
      } catch {
        id = randomUUID().replace(/-/g, "").toUpperCase();
      }
      session.ids.set(page, id);
    }
    return id;
  }

  private async tab(session: Session, page: Page): Promise<Tab> {
    return { targetId: await this.targetId(session, page), title: await page.title().catch(() => ""), url: page.url(), type: "page" };
  }

  async stop(s: BrowserSettings, profileName?: string): Promise<{ ok: true; stopped: boolean; profile: string }> {
    const profile = this.resolveProfile(s, profileName);
    const pending = this.sessions.get(profile.name);
    if (!pending) return { ok: true, stopped: false, profile: profile.name };
    this.sessions.delete(profile.name);
    const session = await pending.catch(() => undefined);
    if (session) await this.shut(session);
    return { ok: true, stopped: Boolean(session), profile: profile.name };
  }

  private async shut(session: Session): Promise<void> {
    // Attached browsers are the owner's: disconnect, never close them.
    if (session.browser) await session.browser.close().catch(() => undefined);
    else await session.context.close().catch(() => undefined);
  }

  /** Every profile's browser, for the gateway's shutdown. */
  async close(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map(async (p) => this.shut(await p).catch(() => undefined)).map((p) => p.catch(() => undefined)));
  }

  async tabs(s: BrowserSettings, profileName?: string): Promise<{ running: boolean; tabs: Tab[] }> {
    const profile = this.resolveProfile(s, profileName);
    const pending = this.running(profile.name);
    const session = pending ? await pending.catch(() => undefined) : undefined;
    if (!session) return { running: false, tabs: [] };
    const tabs: Tab[] = [];
    for (const page of session.context.pages()) tabs.push(await this.tab(session, page));
    return { running: true, tabs };
  }

  async openTab(s: BrowserSettings, url: string, profileName?: string, timeoutMs?: number): Promise<Tab> {
    const target = checkUrl(url);
    const session = await this.ensure(s, profileName);
    const pages = session.context.pages();
    // A fresh browser opens with one blank page: use it rather than leave it behind.
    const blank = pages.length === 1 && pages[0]!.url() === "about:blank" && !session.ids.has(pages[0]!) ? pages[0] : undefined;
    if (!blank && pages.length >= MAX_TABS) {
      throw new BrowserError(409, `${pages.length} tabs are open (at most ${MAX_TABS}); close some with action "close" first`);
    }
    const page = blank ?? (await session.context.newPage());
    if (target !== "about:blank") {
      await page.goto(target, { timeout: boundedTimeout(timeoutMs), waitUntil: "load" }).catch((err: Error) => {
        // The tab stays open (as in OpenClaw); the caller learns why it did not load.
        if (!/ERR_ABORTED/.test(err.message)) throw new BrowserError(502, `could not load ${target}: ${err.message.split("\n")[0]}`);
      });
    }
    session.active = page;
    return this.tab(session, page);
  }

  /** The tab `targetId` names (a unique prefix will do), else the last one used, else the newest. */
  private async page(session: Session, targetId?: string): Promise<Page> {
    const pages = session.context.pages();
    const wanted = targetId?.trim();
    if (wanted) {
      const matches: Page[] = [];
      for (const p of pages) {
        const id = await this.targetId(session, p);
        if (id === wanted) return p;
        if (id.toLowerCase().startsWith(wanted.toLowerCase())) matches.push(p);
      }
      if (matches.length === 1) return matches[0]!;
      throw new BrowserError(404, `tab not found: ${wanted}; list the open tabs with action "tabs" and use one of their targetIds`);
    }
    if (session.active && !session.active.isClosed()) return session.active;
    const last = pages.at(-1);
    if (last) return last;
    const page = await session.context.newPage();
    session.active = page;
    return page;
  }

  async focus(s: BrowserSettings, targetId: string, profileName?: string): Promise<{ ok: true }> {
    if (!targetId?.trim()) throw new BrowserError(400, "targetId is required");
    const session = await this.existing(s, profileName);
    const page = await this.page(session, targetId);
    await page.bringToFront();
    session.active = page;
    return { ok: true };
  }

  async closeTab(s: BrowserSettings, targetId?: string, profileName?: string): Promise<{ ok: true }> {
    const session = await this.existing(s, profileName);
    const page = await this.page(session, targetId);
    await page.close();
    if (session.active === page) session.active = undefined;
    return { ok: true };
  }

  private async existing(s: BrowserSettings, profileName?: string): Promise<Session> {
    const profile = this.resolveProfile(s, profileName);
    const pending = this.running(profile.name);
    const session = pending ? await pending.catch(() => undefined) : undefined;
    if (!session) throw new BrowserError(409, 'browser not running; start it with action "start" or open a page with action "open"');
    return session;
  }

  async navigate(s: BrowserSettings, url: string, targetId?: string, profileName?: string, timeoutMs?: number) {
    const target = checkUrl(url);
    const session = await this.ensure(s, profileName);
    const page = await this.page(session, targetId);
    try {
      await page.goto(target, { timeout: boundedTimeout(timeoutMs), waitUntil: "load" });
    } catch (err) {
      throw new BrowserError(502, `could not load ${target}: ${(err as Error).message.split("\n")[0]}`);
    }
    session.active = page;
    return { ok: true, targetId: await this.targetId(session, page), url: page.url() };
  }

  async snapshot(s: BrowserSettings, o: SnapshotOptions, profileName?: string) {
    const session = await this.ensure(s, profileName);
    const page = await this.page(session, o.targetId);
    const format = o.format === "aria" ? "aria" : "ai";
    const timeout = boundedTimeout(o.timeoutMs);
    const efficient = o.mode === "efficient";
    const depth = o.depth !== undefined && o.depth > 0 ? Math.floor(o.depth) : efficient ? EFFICIENT_DEPTH : undefined;
    const options = { timeout, ...(format === "ai" ? { mode: "ai" as const } : {}), ...(depth ? { depth } : {}) };
    let text: string;
    try {
      text = o.selector?.trim() ? await page.locator(o.selector.trim()).first().ariaSnapshot(options) : await page.ariaSnapshot(options);
    } catch (err) {
      const msg = (err as Error).message.split("\n")[0];
      throw new BrowserError(o.selector ? 400 : 500, o.selector ? `no element matches selector "${o.selector}" (${msg})` : msg!);
    }
    const wanted = o.maxChars && o.maxChars > 0 ? Math.floor(o.maxChars) : efficient ? EFFICIENT_MAX_CHARS : DEFAULT_SNAPSHOT_MAX_CHARS;
    const max = Math.min(wanted, DEFAULT_SNAPSHOT_MAX_CHARS);
    const full = text.length;
    const truncated = full > max;
    if (truncated) {
      text =
        `${text.slice(0, max)}\n\n[Snapshot truncated: the first ${max} of ${full} characters are shown. ` +
        "Scroll, close popups or open a narrower page to see the rest.]";
    }
    session.active = page;
    const refs = format === "ai" ? (text.match(/\[ref=e\d+\]/g) ?? []).length : 0;
    return {
      ok: true as const,
      format,
      targetId: await this.targetId(session, page),
      url: page.url(),
      snapshot: text,
      ...(truncated ? { truncated: true } : {}),
      stats: { chars: full, lines: text.split("\n").length, refs },
    };
  }

  async screenshot(s: BrowserSettings, o: ScreenshotOptions, profileName?: string) {
    if (o.fullPage && (o.ref || o.element)) throw new BrowserError(400, "fullPage is not supported for element screenshots");
    if (o.element) throw new BrowserError(400, "element selectors are not supported here; use ref from a snapshot");
    const session = await this.ensure(s, profileName);
    const page = await this.page(session, o.targetId);
    const type = o.type === "jpeg" ? "jpeg" : "png";
    const timeout = boundedTimeout(o.timeoutMs);
    let buffer: Buffer;
    try {
      buffer = o.ref
        ? await refLocator(page, o.ref, "an element screenshot").screenshot({ type, timeout, ...(type === "jpeg" ? { quality: 85 } : {}) })
        : await page.screenshot({ type, timeout, fullPage: o.fullPage === true, ...(type === "jpeg" ? { quality: 85 } : {}) });
    } catch (err) {
      throw explain(err, o.ref);
    }
    const dir = path.join(this.opts.stateDir(), "media", "browser");
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${randomUUID()}.${type === "jpeg" ? "jpg" : "png"}`);
    fs.writeFileSync(file, buffer);
    return {
      ok: true as const,
      path: path.resolve(file),
      targetId: await this.targetId(session, page),
      url: page.url(),
      type,
      bytes: buffer.length,
    };
  }

  async consoleMessages(s: BrowserSettings, o: { targetId?: string; level?: string }, profileName?: string) {
    const session = await this.existing(s, profileName);
    const page = await this.page(session, o.targetId);
    const level = o.level?.trim().toLowerCase();
    const all = session.console.get(page) ?? [];
    const messages = level ? all.filter((m) => m.type === level || (level === "warn" && m.type === "warning")) : all;
    return { ok: true as const, targetId: await this.targetId(session, page), messages };
  }

  async act(s: BrowserSettings, req: ActRequest, profileName?: string): Promise<Record<string, unknown>> {
    const kind = typeof req.kind === "string" ? req.kind.trim() : "";
    if (!kind)
      throw new BrowserError(400, "kind is required (click, type, press, hover, drag, select, fill, resize, wait, evaluate, close)");
    const session = await this.ensure(s, profileName);
    const page = await this.page(session, req.targetId);
    session.active = page;
    const timeout = boundedTimeout(req.timeoutMs);
    const targetId = await this.targetId(session, page);
    const done = (extra: Record<string, unknown> = {}) => ({ ok: true, targetId, ...extra });
    try {
      switch (kind) {
        case "click": {
          const button = req.button?.trim() || undefined;
          if (button && !["left", "right", "middle"].includes(button)) throw new BrowserError(400, "button must be left|right|middle");
          const allowed = ["Alt", "Control", "ControlOrMeta", "Meta", "Shift"];
          const modifiers = req.modifiers ?? [];
          const bad = modifiers.find((m) => !allowed.includes(m));
          if (bad) throw new BrowserError(400, `modifier "${bad}" is not one of ${allowed.join(", ")}`);
          const loc = refLocator(page, req.ref, "click");
          const opts = { timeout, button: button as "left" | "right" | "middle" | undefined, modifiers: modifiers as Array<"Alt"> };
          if (req.doubleClick) await loc.dblclick(opts);
          else await loc.click(opts);
          return done({ url: page.url() });
        }
        case "type": {
          if (typeof req.text !== "string") throw new BrowserError(400, "text is required for type");
          const loc = refLocator(page, req.ref, "type");
          if (req.slowly) {
            await loc.click({ timeout });
            await loc.pressSequentially(req.text, { delay: 75, timeout });
          } else await loc.fill(req.text, { timeout });
          if (req.submit) await loc.press("Enter", { timeout });
          return done();
        }
        case "press": {
          const key = req.key?.trim();
          if (!key) throw new BrowserError(400, "key is required for press (e.g. Enter, Tab, ArrowDown)");
          await page.keyboard.press(key);
          return done();
        }
        case "hover":
          await refLocator(page, req.ref, "hover").hover({ timeout });
          return done();
        case "drag": {
          const from = refLocator(page, req.startRef, "drag (startRef)");
          const to = refLocator(page, req.endRef, "drag (endRef)");
          await from.dragTo(to, { timeout });
          return done();
        }
        case "select": {
          if (!Array.isArray(req.values) || req.values.length === 0) throw new BrowserError(400, "values are required for select");
          await refLocator(page, req.ref, "select").selectOption(req.values, { timeout });
          return done();
        }
        case "fill": {
          if (!Array.isArray(req.fields) || req.fields.length === 0) {
            throw new BrowserError(400, "fields are required for fill ([{ref, type, value}])");
          }
          for (const f of req.fields) {
            const ref = typeof f.ref === "string" ? f.ref : "";
            const loc = refLocator(page, ref, "fill");
            const type = typeof f.type === "string" ? f.type : "text";
            if (type === "checkbox" || type === "radio") {
              await loc.setChecked(f.value === true || f.value === "true", { timeout });
            } else {
              await loc.fill(f.value === undefined || f.value === null ? "" : String(f.value), { timeout });
            }
          }
          return done();
        }
        case "resize": {
          const width = Number(req.width);
          const height = Number(req.height);
          if (!(width > 0) || !(height > 0)) throw new BrowserError(400, "width and height are required for resize");
          await page.setViewportSize({ width: Math.floor(width), height: Math.floor(height) });
          return done({ url: page.url() });
        }
        case "wait": {
          if (req.fn && !s.evaluateEnabled) {
            throw new BrowserError(403, "wait with fn is disabled by config (browser.evaluateEnabled=false)");
          }
          if (typeof req.timeMs === "number" && req.timeMs > 0) await page.waitForTimeout(Math.min(req.timeMs, timeout));
          if (req.text) await page.getByText(req.text).first().waitFor({ state: "visible", timeout });
          if (req.textGone) await page.getByText(req.textGone).first().waitFor({ state: "hidden", timeout });
          if (req.selector) await page.locator(req.selector).first().waitFor({ state: "visible", timeout });
          if (req.url) await page.waitForURL(req.url, { timeout });
          if (req.loadState) {
            const state = req.loadState === "domcontentloaded" || req.loadState === "networkidle" ? req.loadState : "load";
            await page.waitForLoadState(state, { timeout });
          }
          if (req.fn) await page.waitForFunction(`(${req.fn})()`, undefined, { timeout });
          return done();
        }
        case "evaluate": {
          if (!s.evaluateEnabled) {
            throw new BrowserError(403, "act:evaluate is disabled by config (browser.evaluateEnabled=false)");
          }
          const fn = req.fn?.trim();
          if (!fn) throw new BrowserError(400, "fn is required for evaluate (a JavaScript function, e.g. () => document.title)");
          const result = await withTimeout(
            req.ref
              ? refLocator(page, req.ref, "evaluate").evaluate(
                  (el, src) => {
                    const f = (0, eval)(`(${src})`) as unknown;
                    return typeof f === "function" ? (f as (e: unknown) => unknown)(el) : f;
                  },
                  fn,
                  { timeout },
                )
              : page.evaluate((src) => {
                  const f = (0, eval)(`(${src})`) as unknown;
                  return typeof f === "function" ? (f as () => unknown)() : f;
                }, fn),
            timeout,
            "evaluate",
          );
          return done({ url: page.url(), result });
        }
        case "close":
          await page.close();
          if (session.active === page) session.active = undefined;
          return done();
        default:
          throw new BrowserError(
            400,
            `unknown act kind "${kind}"; use click, type, press, hover, drag, select, fill, resize, wait, evaluate or close`,
          );
      }
    } catch (err) {
      if (err instanceof BrowserError) throw err;
      throw explain(err, req.ref ?? req.startRef);
    }
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new BrowserError(504, `${what} did not finish within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** `<stateDir>` when the gateway told us, else a private temp dir. */
export function fallbackStateDir(): string {
  return path.join(os.tmpdir(), `openclaw-browser-${process.getuid?.() ?? "user"}`);
}
