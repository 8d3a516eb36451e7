/** Overview: is the gateway healthy, what runs it, which models, failover and cooldown state, memory. */
import { html, nothing, type TemplateResult } from "lit";
import { state } from "lit/decorators.js";
import { errorText, fmtAgo, fmtBytes, fmtDuration } from "../format.js";
import { View } from "./base.js";

export class OcOverview extends View {
  @state() private status: any = null;
  @state() private health: any = null;
  @state() private error = "";
  @state() private fetchedAt = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.timer = setInterval(() => this.online && this.load(), 5000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  protected override load(): void {
    void (async () => {
      try {
        const [status, health] = await Promise.all([this.gw.request("status"), this.gw.request("health")]);
        this.status = status;
        this.health = health;
        this.fetchedAt = Date.now();
        this.error = "";
      } catch (e) {
        this.error = `Could not load the status: ${errorText(e)}`;
      }
    })();
  }

  override render(): TemplateResult {
    const s = this.status;
    if (!s)
      return html`<h1>Overview</h1>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : html`<p class="muted">Loading…</p>`}`;
    const a = s.agents ?? {};
    const ok = this.health?.ok && s.config?.valid;
    const uptime = s.uptimeMs + (Date.now() - this.fetchedAt);
    return html`<h1>Overview</h1>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="grid">
        <section class="card" aria-labelledby="ov-health">
          <h2 id="ov-health">Health</h2>
          <p class="big"><span class="badge ${ok ? "ok" : "bad"}">${ok ? "Healthy" : "Needs attention"}</span></p>
          <dl class="kv">
            <dt>Uptime</dt>
            <dd>${fmtDuration(uptime)}</dd>
            <dt>Version</dt>
            <dd>${s.version}</dd>
            <dt>Node</dt>
            <dd>${s.node} · ${s.platform}</dd>
            <dt>Address</dt>
            <dd><code>${s.gateway?.url}</code> (${s.gateway?.bind})</dd>
            <dt>Auth</dt>
            <dd>${s.gateway?.auth}</dd>
            <dt>Clients</dt>
            <dd>${s.clients}</dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="ov-model">
          <h2 id="ov-model">Model</h2>
          <dl class="kv">
            <dt>Primary</dt>
            <dd><code>${a.model?.primary ?? "–"}</code></dd>
            <dt>Fallbacks</dt>
            <dd>
              ${a.model?.fallbacks?.length ? a.model.fallbacks.map((f: string) => html`<code>${f}</code> `) : html`<span class="muted">none</span>`}
            </dd>
            <dt>Runs</dt>
            <dd>${a.runs?.active ?? 0} active, ${a.runs?.waiting ?? 0} waiting (max ${a.runs?.maxConcurrent ?? "–"})</dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="ov-failover">
          <h2 id="ov-failover">Failover</h2>
          ${
            a.cooldowns?.length
              ? html`<ul class="list">
                  ${a.cooldowns.map(
                    (c: any) =>
                      html`<li>
                        <strong>${c.profileId}</strong> <span class="badge warn">${c.reason}</span>
                        <span class="muted">rests ${fmtDuration(c.remainingMs)} more${c.lastError ? ` · ${c.lastError}` : ""}</span>
                      </li>`,
                  )}
                </ul>`
              : html`<p class="muted">No provider is resting; every model in the chain is available.</p>`
          }
          ${
            a.failovers?.length
              ? html`<h3>Recent switches</h3>
                  <ul class="list">
                    ${[...a.failovers].reverse().map(
                      (f: any) =>
                        html`<li>
                          <code>${f.from}</code> <span class="badge warn">${f.kind}</span>
                          <span class="muted">${fmtAgo(f.at)} · ${f.message}</span>
                        </li>`,
                    )}
                  </ul>`
              : nothing
          }
        </section>
        <section class="card" aria-labelledby="ov-memory">
          <h2 id="ov-memory">Memory</h2>
          <dl class="kv">
            <dt>Resident (RSS)</dt>
            <dd>${fmtBytes(s.memory?.rss)}</dd>
            <dt>JS heap</dt>
            <dd>${fmtBytes(s.memory?.heapUsed)} of ${fmtBytes(s.memory?.heapTotal)}</dd>
            <dt>External</dt>
            <dd>${fmtBytes(s.memory?.external)}</dd>
            <dt>PID</dt>
            <dd>${s.pid}</dd>
          </dl>
        </section>
        <section class="card wide" aria-labelledby="ov-config">
          <h2 id="ov-config">Config</h2>
          <dl class="kv">
            <dt>File</dt>
            <dd><code class="break">${s.config?.path}</code>${s.config?.exists ? "" : " (not created yet)"}</dd>
            <dt>State</dt>
            <dd>${s.config?.valid ? html`<span class="badge ok">valid</span>` : html`<span class="badge bad">invalid</span>`}</dd>
            <dt>Log file</dt>
            <dd><code class="break">${s.logFile ?? "off"}</code></dd>
          </dl>
          ${
            s.config?.issues?.length
              ? html`<ul class="issues">
                  ${s.config.issues.map((i: any) => html`<li><code>${i.path || "<root>"}</code> ${i.message}</li>`)}
                </ul>`
              : nothing
          }
          ${
            s.config?.warnings?.length
              ? html`<p class="muted">Accepted but not acted on: ${s.config.warnings.map((w: any) => html`<code>${w.path}</code> `)}</p>`
              : nothing
          }
        </section>
      </div>`;
  }
}

customElements.define("oc-overview", OcOverview);
