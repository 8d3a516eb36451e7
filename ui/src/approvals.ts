/**
 * Exec approvals: when an agent wants to run a command the owner has not allowed yet, the gateway
 * sends `exec.approval.requested` to operators; this shows it as a dialog over whatever view is open,
 * with the full command, where and for whom it runs, and the time left to decide. Allow once, Always
 * allow or Deny answers with `exec.approval.resolve`. A card goes away when it is answered here or by
 * any other client (`exec.approval.resolved`) or when it expires; several waiting requests queue.
 *
 * The gateway has no method to list requests that were waiting before this page connected, so only
 * the ones asked while it is connected appear.
 */
import { html, nothing, type TemplateResult } from "lit";
import { state } from "lit/decorators.js";
import { errorText } from "./format.js";
import { View } from "./views/base.js";

export type ApprovalDecision = "allow-once" | "allow-always" | "deny";

export interface ExecApproval {
  id: string;
  request: {
    command: string;
    cwd: string | null;
    host: string | null;
    security: string | null;
    ask: string | null;
    agentId: string | null;
    resolvedPath: string | null;
    sessionKey: string | null;
  };
  createdAtMs: number;
  expiresAtMs: number;
}

const text = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v : null);

/** The event's payload as an approval, or null when it lacks an id, a command or the times. */
export function parseApproval(p: any): ExecApproval | null {
  const id = text(p?.id)?.trim();
  const r = p?.request;
  const command = text(r?.command);
  if (!id || !command || typeof p.createdAtMs !== "number" || typeof p.expiresAtMs !== "number") return null;
  return {
    id,
    request: {
      command,
      cwd: text(r.cwd),
      host: text(r.host),
      security: text(r.security),
      ask: text(r.ask),
      agentId: text(r.agentId),
      resolvedPath: text(r.resolvedPath),
      sessionKey: text(r.sessionKey),
    },
    createdAtMs: p.createdAtMs,
    expiresAtMs: p.expiresAtMs,
  };
}

/** "1:05" for 65 s left. */
export function fmtCountdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

const DONE: Record<ApprovalDecision, string> = {
  "allow-once": "Allowed once",
  "allow-always": "Allowed always",
  deny: "Denied",
};

/** One line of a command for a toast. */
function short(command: string): string {
  const line = command.replace(/\s+/g, " ").trim();
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}

export class OcApprovals extends View {
  @state() private queue: ExecApproval[] = [];
  @state() private busy = false;
  @state() private now = Date.now();
  private clock: ReturnType<typeof setInterval> | undefined;
  /** The request the dialog last moved focus to, so a re-render does not steal it again. */
  private focused: string | null = null;
  /** Where focus was before the dialog opened, to give it back when the queue empties. */
  private returnFocus: HTMLElement | null = null;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.clock);
    this.clock = undefined;
  }

  protected override onGatewayEvent(event: string, payload: any): void {
    if (event === "exec.approval.requested") {
      const a = parseApproval(payload);
      if (!a || a.expiresAtMs <= Date.now()) return;
      if (!this.queue.length && document.activeElement instanceof HTMLElement) this.returnFocus = document.activeElement;
      this.queue = [...this.queue.filter((x) => x.id !== a.id), a];
      this.tick();
    } else if (event === "exec.approval.resolved") {
      const id = text(payload?.id)?.trim();
      if (id) this.drop(id);
    }
  }

  private tick(): void {
    this.now = Date.now();
    const live = this.queue.filter((a) => a.expiresAtMs > this.now);
    if (live.length !== this.queue.length) this.queue = live;
    if (this.queue.length && !this.clock) this.clock = setInterval(() => this.tick(), 1000);
    if (!this.queue.length && this.clock) {
      clearInterval(this.clock);
      this.clock = undefined;
    }
  }

  private drop(id: string): void {
    if (!this.queue.some((a) => a.id === id)) return;
    this.queue = this.queue.filter((a) => a.id !== id);
    this.tick();
  }

  private async decide(a: ExecApproval, decision: ApprovalDecision): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.gw.request("exec.approval.resolve", { id: a.id, decision });
      this.toast(`${DONE[decision]}: ${short(a.request.command)}`);
    } catch (e) {
      this.toast(`Could not answer the request to run ${short(a.request.command)}: ${errorText(e)}`);
    } finally {
      this.busy = false;
      this.drop(a.id);
    }
  }

  /** Tab and Shift+Tab stay inside the dialog while it is open. */
  private onKeyDown = (e: KeyboardEvent): void => {
    if (e.key !== "Tab") return;
    const buttons = [...this.querySelectorAll<HTMLButtonElement>(".approval-actions button:not(:disabled)")];
    const first = buttons[0];
    const last = buttons.at(-1);
    if (!first || !last) return;
    const active = document.activeElement;
    if (e.shiftKey && (active === first || !this.contains(active))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (active === last || !this.contains(active))) {
      e.preventDefault();
      first.focus();
    }
  };

  protected override updated(): void {
    const head = this.queue[0];
    if (!head) {
      this.focused = null;
      if (this.returnFocus?.isConnected) this.returnFocus.focus({ preventScroll: true });
      this.returnFocus = null;
      return;
    }
    if (this.focused !== head.id) {
      this.focused = head.id;
      this.querySelector<HTMLElement>(".approval-card")?.focus({ preventScroll: true });
    }
  }

  override render(): TemplateResult | typeof nothing {
    const a = this.queue[0];
    if (!a) return nothing;
    const r = a.request;
    const left = a.expiresAtMs - this.now;
    const n = this.queue.length;
    const row = (label: string, value: string | null, mono = false) =>
      value
        ? html`<dt>${label}</dt>
            <dd class=${mono ? "mono" : ""}>${value}</dd>`
        : nothing;
    const policy = [r.security && `security ${r.security}`, r.ask && `ask ${r.ask}`].filter(Boolean).join(", ");
    return html`<div class="approval-backdrop" @keydown=${this.onKeyDown}>
      <section
        class="card approval-card"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="approval-title"
        aria-describedby="approval-command"
        tabindex="-1"
      >
        <header class="approval-head">
          <div>
            <h2 id="approval-title">Run this command?</h2>
            <p class="muted small">
              ${r.agentId ? html`Agent <strong>${r.agentId}</strong> asks` : "An agent asks"} to run a command on the ${r.host ?? "gateway"}
              host.
            </p>
          </div>
          <div class="approval-side">
            ${n > 1 ? html`<span class="badge warn" aria-label="request 1 of ${n}">1 of ${n}</span>` : nothing}
            <span class="approval-timer ${left < 15_000 ? "soon" : ""}" title="Denied by itself when the time runs out"
              >Expires in <time>${fmtCountdown(left)}</time></span
            >
          </div>
        </header>
        <pre class="approval-command" id="approval-command"><code>${r.command}</code></pre>
        <dl class="kv small approval-meta">
          ${row("Working directory", r.cwd, true)} ${row("Agent", r.agentId)} ${row("Session", r.sessionKey, true)} ${row("Host", r.host)}
          ${row("Policy", policy || null)} ${row("Program", r.resolvedPath, true)}
        </dl>
        <div class="row approval-actions">
          <button class="primary" ?disabled=${this.busy} @click=${() => this.decide(a, "allow-once")}>Allow once</button>
          <button ?disabled=${this.busy} @click=${() => this.decide(a, "allow-always")} title="Add the program to this agent's allowlist">
            Always allow
          </button>
          <span class="spacer"></span>
          <button class="danger" ?disabled=${this.busy} @click=${() => this.decide(a, "deny")}>Deny</button>
        </div>
      </section>
    </div>`;
  }
}

customElements.define("oc-approvals", OcApprovals);
