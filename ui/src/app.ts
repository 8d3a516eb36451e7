/**
 * The app shell: sign-in, the connection banner, navigation between views, theme and toasts.
 *
 * The token is kept in localStorage, so a reload stays signed in; `#token=...` (or `?token=...`) in
 * the address is taken once and removed from it. Views live at paths under the UI's base path
 * (`/`, `/overview`, `/sessions`, ...), so each has its own address.
 */
import { LitElement, html, nothing, type TemplateResult } from "lit";
import { state } from "lit/decorators.js";
import { GatewayClient, gatewayUrl } from "./gateway.js";
import { icons } from "./icons.js";
import "./views/chat.js";
import "./views/overview.js";
import "./views/channels.js";
import "./views/sessions.js";
import "./views/config.js";
import "./views/logs.js";
import "./views/usage.js";
import "./views/cron.js";
import { renderDeviceNotice } from "./views/devices.js";
import "./approvals.js";
import { clearDeviceTokens } from "./device.js";

const TOKEN_KEY = "openclaw.control.token";
const THEME_KEY = "openclaw.control.theme";
/** The session Chat shows (shared with the chat view). */
export const CHAT_SESSION_KEY = "openclaw.control.session";

export const ROUTES = [
  { id: "chat", label: "Chat", path: "" },
  { id: "overview", label: "Overview", path: "overview" },
  { id: "channels", label: "Channels", path: "channels" },
  { id: "sessions", label: "Sessions", path: "sessions" },
  { id: "config", label: "Config", path: "config" },
  { id: "logs", label: "Logs", path: "logs" },
  { id: "usage", label: "Usage", path: "usage" },
  { id: "cron", label: "Cron", path: "cron" },
  { id: "devices", label: "Devices", path: "devices" },
] as const;
type RouteId = (typeof ROUTES)[number]["id"];

function basePath(): string {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="openclaw-base-path"]')?.content;
  return meta && meta.startsWith("/") ? (meta.endsWith("/") ? meta : meta + "/") : "/";
}

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** Takes a token from `#token=` / `?token=` once and strips it from the address bar. */
function takeTokenFromUrl(): string | null {
  const url = new URL(location.href);
  const hash = new URLSearchParams(url.hash.replace(/^#/, ""));
  const token = hash.get("token") ?? url.searchParams.get("token");
  if (token === null) return null;
  hash.delete("token");
  url.searchParams.delete("token");
  const rest = hash.toString();
  url.hash = rest ? `#${rest}` : "";
  history.replaceState(history.state, "", url.pathname + url.search + url.hash);
  return token.trim();
}

export class OcApp extends LitElement {
  @state() private gw: GatewayClient | null = null;
  @state() private route: RouteId = "chat";
  @state() private loginError = "";
  @state() private theme: "light" | "dark" | null = null;
  @state() private toasts: Array<{ id: number; text: string }> = [];
  @state() private now = Date.now();
  private readonly base = basePath();
  private toastSeq = 0;
  private clock: ReturnType<typeof setInterval> | undefined;
  private offState: (() => void) | null = null;

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const stored = storage()?.getItem(THEME_KEY);
    this.theme = stored === "dark" || stored === "light" ? stored : null;
    this.applyTheme();
    this.route = this.routeFromPath();
    window.addEventListener("popstate", this.onPopState);
    this.addEventListener("oc-toast", this.onToast as EventListener);
    this.addEventListener("oc-open-session", this.onOpenSession as EventListener);
    const fromUrl = takeTokenFromUrl();
    if (fromUrl !== null) storage()?.setItem(TOKEN_KEY, fromUrl);
    const token = fromUrl ?? storage()?.getItem(TOKEN_KEY);
    if (token !== null && token !== undefined) this.connect(token);
    this.clock = setInterval(() => (this.now = Date.now()), 1000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener("popstate", this.onPopState);
    clearInterval(this.clock);
  }

  private routeFromPath(): RouteId {
    const rel = location.pathname.startsWith(this.base) ? location.pathname.slice(this.base.length) : "";
    const seg = rel.split("/")[0] ?? "";
    return ROUTES.find((r) => r.path === seg)?.id ?? "chat";
  }

  private onPopState = () => {
    this.route = this.routeFromPath();
  };

  private onToast = (e: CustomEvent<string>) => {
    const id = ++this.toastSeq;
    this.toasts = [...this.toasts, { id, text: e.detail }];
    setTimeout(() => (this.toasts = this.toasts.filter((t) => t.id !== id)), 4000);
  };

  private onOpenSession = (e: CustomEvent<string>) => {
    storage()?.setItem(CHAT_SESSION_KEY, e.detail);
    this.navigate("chat");
  };

  protected override updated(): void {
    this.querySelector<HTMLElement>('.tabs a[aria-current="page"]')?.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  private navigate(id: RouteId): void {
    const r = ROUTES.find((x) => x.id === id)!;
    const target = this.base + r.path;
    if (location.pathname !== target) history.pushState(null, "", target);
    this.route = id;
    queueMicrotask(() => this.querySelector<HTMLElement>("#main")?.focus({ preventScroll: true }));
  }

  private connect(token: string): void {
    this.offState?.();
    this.gw?.stop();
    this.loginError = "";
    const gw = new GatewayClient(gatewayUrl(this.base), token);
    this.offState = gw.onState(() => {
      if (gw.state === "auth-failed") {
        this.loginError = describeAuthError(gw.lastError);
        storage()?.removeItem(TOKEN_KEY);
      }
      this.requestUpdate();
    });
    this.gw = gw;
  }

  private onLogin(e: SubmitEvent): void {
    e.preventDefault();
    const input = this.querySelector<HTMLInputElement>("#login-token");
    const token = input?.value.trim() ?? "";
    storage()?.setItem(TOKEN_KEY, token);
    this.connect(token);
  }

  private signOut(): void {
    this.offState?.();
    this.offState = null;
    this.gw?.stop();
    this.gw = null;
    storage()?.removeItem(TOKEN_KEY);
    storage()?.removeItem(CHAT_SESSION_KEY);
    clearDeviceTokens();
    this.loginError = "";
  }

  private get effectiveTheme(): "light" | "dark" {
    return this.theme ?? (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
  }

  private toggleTheme(): void {
    this.theme = this.effectiveTheme === "dark" ? "light" : "dark";
    storage()?.setItem(THEME_KEY, this.theme);
    this.applyTheme();
  }

  private applyTheme(): void {
    if (this.theme) document.documentElement.dataset.theme = this.theme;
    else delete document.documentElement.dataset.theme;
  }

  override render(): TemplateResult {
    const gw = this.gw;
    if (!gw || gw.state === "auth-failed" || gw.state === "stopped") return this.renderLogin();
    if (!gw.everConnected) return this.renderConnecting(gw);
    return this.renderShell(gw);
  }

  private renderLogin(): TemplateResult {
    return html`<main class="login" id="main">
      <form class="card login-card" @submit=${this.onLogin}>
        <h1 class="brand-title"><span class="logo" aria-hidden="true"></span>OpenClaw Control</h1>
        <p class="muted">
          Sign in with the gateway token: the value of <code>OPENCLAW_GATEWAY_TOKEN</code> or <code>gateway.auth.token</code>.
        </p>
        <label for="login-token">Gateway token</label>
        <input
          id="login-token"
          name="token"
          type="password"
          autocomplete="current-password"
          spellcheck="false"
          aria-describedby="login-help ${this.loginError ? "login-error" : ""}"
          aria-invalid=${this.loginError ? "true" : "false"}
        />
        <p id="login-help" class="hint">Leave it empty for a gateway on this machine that runs without a token.</p>
        ${this.loginError ? html`<p id="login-error" class="error" role="alert">${this.loginError}</p>` : nothing}
        <button type="submit" class="primary">Connect</button>
      </form>
    </main>`;
  }

  private renderConnecting(gw: GatewayClient): TemplateResult {
    const wait = Math.max(0, Math.ceil((gw.retryAt - this.now) / 1000));
    return html`<main class="login" id="main">
      <div class="card login-card" role="status">
        <h1 class="brand-title"><span class="logo" aria-hidden="true"></span>OpenClaw Control</h1>
        <p>Connecting to the gateway…</p>
        ${
          gw.notice
            ? renderDeviceNotice(gw.notice)
            : gw.lastError
              ? html`<p class="error">
                  Cannot reach the gateway: ${gw.lastError}. ${wait ? `Trying again in ${wait} s.` : "Trying again…"}
                </p>`
              : nothing
        }
        <div class="row">
          ${gw.lastError ? html`<button @click=${() => gw.retryNow()}>Retry now</button>` : nothing}
          <button @click=${() => this.signOut()}>Sign out</button>
        </div>
      </div>
    </main>`;
  }

  private renderShell(gw: GatewayClient): TemplateResult {
    const wait = Math.max(0, Math.ceil((gw.retryAt - this.now) / 1000));
    const dark = this.effectiveTheme === "dark";
    return html`<div class="shell">
      <a class="skip" href="#main">Skip to content</a>
      <header class="topbar">
        <span class="brand"><span class="logo" aria-hidden="true"></span>OpenClaw</span>
        <span class="conn ${gw.state}" role="status" title=${gw.hello?.server.version ? `gateway ${gw.hello.server.version}` : ""}>
          <span class="dot" aria-hidden="true"></span><span class="conn-text">${gw.state === "connected" ? "Connected" : "Offline"}</span>
        </span>
        <span class="spacer"></span>
        <button class="icon" @click=${this.toggleTheme} aria-label=${dark ? "Switch to light theme" : "Switch to dark theme"}>
          ${dark ? icons.sun : icons.moon}
        </button>
        <button class="ghost" @click=${() => this.signOut()}>Sign out</button>
      </header>
      <nav class="tabs" aria-label="Main">
        ${ROUTES.map(
          (r) =>
            html`<a
              href=${this.base + r.path}
              aria-current=${this.route === r.id ? "page" : "false"}
              @click=${(e: MouseEvent) => {
                if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
                e.preventDefault();
                this.navigate(r.id);
              }}
              >${r.label}</a
            >`,
        )}
      </nav>
      ${
        gw.state !== "connected"
          ? html`<div class="banner warn" role="alert">
              <span
                >Connection lost${gw.lastError ? ` (${gw.lastError})` : ""}. ${wait ? `Reconnecting in ${wait} s…` : "Reconnecting…"}</span
              >
              <button @click=${() => gw.retryNow()}>Retry now</button>
            </div>`
          : nothing
      }
      <main id="main" tabindex="-1">${this.renderView(gw)}</main>
      <oc-approvals .gw=${gw}></oc-approvals>
      <div class="toasts" role="status" aria-live="polite">${this.toasts.map((t) => html`<div class="toast">${t.text}</div>`)}</div>
    </div>`;
  }

  private renderView(gw: GatewayClient): TemplateResult {
    switch (this.route) {
      case "overview":
        return html`<oc-overview .gw=${gw}></oc-overview>`;
      case "channels":
        return html`<oc-channels .gw=${gw}></oc-channels>`;
      case "sessions":
        return html`<oc-sessions .gw=${gw}></oc-sessions>`;
      case "config":
        return html`<oc-config .gw=${gw}></oc-config>`;
      case "logs":
        return html`<oc-logs .gw=${gw}></oc-logs>`;
      case "usage":
        return html`<oc-usage .gw=${gw}></oc-usage>`;
      case "cron":
        return html`<oc-cron .gw=${gw}></oc-cron>`;
      case "devices":
        return html`<oc-devices .gw=${gw}></oc-devices>`;
      default:
        return html`<oc-chat .gw=${gw}></oc-chat>`;
    }
  }
}

function describeAuthError(message: string): string {
  if (/mismatch/i.test(message)) return "Wrong token: the gateway refused it. Check the token and try again.";
  if (/missing/i.test(message)) return "This gateway needs a token. Paste it above and connect.";
  return message || "The gateway refused the connection.";
}

customElements.define("oc-app", OcApp);
