/** Sessions: every conversation with its last activity, tokens and cost; preview, open, reset, delete. */
import { html, nothing, type TemplateResult } from "lit";
import { state } from "lit/decorators.js";
import { errorText, fmtAgo, fmtCost, fmtNumber, fmtTime } from "../format.js";
import { View } from "./base.js";
import { sessionName } from "./chat.js";

interface Row {
  key: string;
  label?: string;
  displayName?: string;
  updatedAt: number;
  model?: string;
  modelProvider?: string;
  /** Context use of the last run, against the model's window. */
  totalTokens?: number;
  contextTokens?: number;
  /** Tokens over the session's lifetime. */
  usageTotals?: { input: number; output: number; total: number };
  costUsd: number;
  active?: boolean;
  chatType?: string;
}

export class OcSessions extends View {
  @state() private rows: Row[] | null = null;
  @state() private error = "";
  @state() private previews = new Map<string, Array<{ role: string; text: string; timestamp?: number }>>();
  @state() private confirming: { key: string; action: "reset" | "delete" } | null = null;
  @state() private filter = "";

  protected override load(): void {
    void (async () => {
      try {
        const r = await this.gw.request("sessions.list", {});
        this.rows = r.sessions;
        this.error = "";
      } catch (e) {
        this.error = `Could not load sessions: ${errorText(e)}`;
      }
    })();
  }

  protected override onGatewayEvent(event: string, p: any): void {
    if (event === "chat" && p?.state !== "delta") this.load();
  }

  private async togglePreview(key: string): Promise<void> {
    const next = new Map(this.previews);
    if (next.has(key)) {
      next.delete(key);
      this.previews = next;
      return;
    }
    try {
      const r = await this.gw.request("sessions.preview", { keys: [key], limit: 6 });
      next.set(key, r.previews?.[0]?.items ?? []);
      this.previews = next;
    } catch (e) {
      this.error = errorText(e);
    }
  }

  private async run(action: "reset" | "delete", key: string): Promise<void> {
    this.confirming = null;
    try {
      await this.gw.request(action === "reset" ? "sessions.reset" : "sessions.delete", { key });
      this.toast(action === "reset" ? `Started a new conversation in ${key}.` : `Deleted ${key}.`);
      this.load();
    } catch (e) {
      this.error = errorText(e);
    }
  }

  private name(r: Row): string {
    return r.label || r.displayName || sessionName(r.key);
  }

  private renderActions(r: Row): TemplateResult {
    const c = this.confirming;
    if (c && c.key === r.key) {
      return html`<div class="row confirm" role="group" aria-label="Confirm ${c.action}">
        <span>${c.action === "reset" ? "Start a new conversation?" : "Delete this session?"}</span>
        <button class="danger" @click=${() => void this.run(c.action, r.key)}>
          ${c.action === "reset" ? "Yes, reset" : "Yes, delete"}
        </button>
        <button @click=${() => (this.confirming = null)}>Cancel</button>
      </div>`;
    }
    const open = this.previews.has(r.key);
    return html`<div class="row actions">
      <button @click=${() => void this.togglePreview(r.key)} aria-expanded=${open ? "true" : "false"} aria-label="Preview ${this.name(r)}">
        ${open ? "Hide" : "Preview"}
      </button>
      <button
        @click=${() => this.dispatchEvent(new CustomEvent("oc-open-session", { detail: r.key, bubbles: true }))}
        aria-label="Open ${this.name(r)} in chat"
      >
        Open
      </button>
      <button @click=${() => (this.confirming = { key: r.key, action: "reset" })} aria-label="Reset ${this.name(r)}">Reset</button>
      <button class="danger-ghost" @click=${() => (this.confirming = { key: r.key, action: "delete" })} aria-label="Delete ${this.name(r)}">
        Delete
      </button>
    </div>`;
  }

  override render(): TemplateResult {
    const q = this.filter.toLowerCase();
    const rows = (this.rows ?? []).filter((r) => !q || `${r.key} ${r.label ?? ""} ${r.displayName ?? ""}`.toLowerCase().includes(q));
    return html`<div class="view-head">
        <h1>Sessions</h1>
        <input
          type="search"
          class="search"
          aria-label="Filter sessions"
          placeholder="Filter"
          .value=${this.filter}
          @input=${(e: Event) => (this.filter = (e.target as HTMLInputElement).value)}
        />
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.rows === null && !this.error ? html`<p class="muted">Loading…</p>` : nothing}
      ${
        this.rows && !this.rows.length
          ? html`<div class="card empty">
              <p><strong>No sessions yet.</strong></p>
              <p class="muted">A session appears once someone chats with the agent, here or on a channel.</p>
            </div>`
          : nothing
      }
      <ul class="sessions">
        ${rows.map(
          (r) =>
            html`<li class="card session">
              <div class="session-head">
                <div class="session-title">
                  <strong class="break">${this.name(r)}</strong>
                  ${r.active ? html`<span class="badge ok">running</span>` : nothing}
                  ${this.name(r) !== r.key ? html`<div class="muted break"><code>${r.key}</code></div>` : nothing}
                </div>
                <dl class="stats">
                  <div>
                    <dt>Last activity</dt>
                    <dd>${fmtAgo(r.updatedAt)}</dd>
                  </div>
                  <div>
                    <dt>Tokens</dt>
                    <dd title="${r.usageTotals?.input ?? 0} in, ${r.usageTotals?.output ?? 0} out">
                      ${fmtNumber(r.usageTotals?.total ?? 0)}
                    </dd>
                  </div>
                  <div>
                    <dt>Context</dt>
                    <dd>
                      ${r.contextTokens ? `${Math.round(((r.totalTokens ?? 0) / r.contextTokens) * 100)}% of ${fmtNumber(r.contextTokens)}` : "–"}
                    </dd>
                  </div>
                  <div>
                    <dt>Cost</dt>
                    <dd>${fmtCost(r.costUsd)}</dd>
                  </div>
                  <div>
                    <dt>Model</dt>
                    <dd class="break">${r.model ? `${r.modelProvider ? `${r.modelProvider}/` : ""}${r.model}` : "–"}</dd>
                  </div>
                </dl>
              </div>
              ${this.renderActions(r)}
              ${
                this.previews.has(r.key)
                  ? html`<ol class="preview" aria-label="Preview of ${this.name(r)}">
                      ${
                        this.previews.get(r.key)!.length
                          ? this.previews.get(r.key)!.map(
                              (m) =>
                                html`<li class=${m.role}>
                                  <span class="role">${m.role === "user" ? "You" : m.role === "assistant" ? "Assistant" : m.role}</span>
                                  ${m.text || html`<em class="muted">(no text)</em>`} <time class="ts">${fmtTime(m.timestamp)}</time>
                                </li>`,
                            )
                          : html`<li class="muted">No messages in this conversation yet.</li>`
                      }
                    </ol>`
                  : nothing
              }
            </li>`,
        )}
      </ul>`;
  }
}

customElements.define("oc-sessions", OcSessions);
