/**
 * Usage: tokens and cost per day and per model (`usage.cost`), as small hand-drawn SVG bar charts,
 * and spending budgets with what was spent against each (`usage.status`'s `budgets`).
 */
import { html, nothing, svg, type TemplateResult } from "lit";
import { state } from "lit/decorators.js";
import { errorText, fmtCost, fmtNumber } from "../format.js";
import { View } from "./base.js";

interface Totals {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  totalTokens: number;
  totalCost: number;
  missingCostEntries: number;
  messages?: number;
}
type Day = Totals & { date: string };
type ModelRow = Totals & { provider: string; model: string };

interface BudgetLine {
  scope: "agent" | "session" | "job";
  period: "daily" | "monthly";
  metric: "usd" | "tokens";
  limit: number;
  spent: number;
  ratio: number;
  resetsAt: number;
  setting: string;
}
interface AgentBudget {
  agentId: string;
  timezone: string;
  warnAt: number;
  limits: BudgetLine[];
  sessions: Array<{ sessionKey: string; limits: BudgetLine[] }>;
}

function dayKey(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** Every day in the window, with zeros where nothing was used. */
function fillDays(daily: Day[], days: number, now = new Date()): Day[] {
  const byDate = new Map(daily.map((d) => [d.date, d]));
  const out: Day[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const d = new Date(now);
    d.setDate(d.getDate() - i);
    const k = dayKey(d);
    out.push(
      byDate.get(k) ?? { date: k, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, totalTokens: 0, totalCost: 0, missingCostEntries: 0 },
    );
  }
  return out;
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

export class OcUsage extends View {
  @state() private days = 30;
  @state() private metric: "tokens" | "cost" = "tokens";
  @state() private data: { daily: Day[]; byModel: ModelRow[]; totals: Totals } | null = null;
  @state() private error = "";
  @state() private budgets: AgentBudget[] = [];
  /** Drawn at the card's real width, so labels keep their size on a phone. */
  @state() private chartWidth = 720;
  private resize = new ResizeObserver((entries) => {
    const w = Math.round(entries[0]?.contentRect.width ?? 0);
    if (w > 0 && Math.abs(w - this.chartWidth) > 4) this.chartWidth = w;
  });

  override connectedCallback(): void {
    super.connectedCallback();
    this.resize.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize.disconnect();
  }

  protected override load(): void {
    void (async () => {
      try {
        const [cost, status] = await Promise.all([
          this.gw.request<{ daily: Day[]; byModel: ModelRow[]; totals: Totals }>("usage.cost", { days: this.days }),
          this.gw.request<{ budgets?: { agents: AgentBudget[] } }>("usage.status", {}).catch(() => null),
        ]);
        this.data = cost;
        this.budgets = status?.budgets?.agents ?? [];
        this.error = "";
      } catch (e) {
        this.error = `Could not load usage: ${errorText(e)}`;
      }
    })();
  }

  private value(t: Totals): number {
    return this.metric === "tokens" ? t.totalTokens : t.totalCost;
  }

  private fmt(v: number): string {
    return this.metric === "tokens" ? fmtNumber(v) : fmtCost(v);
  }

  private renderDaily(days: Day[]): TemplateResult {
    const W = Math.max(280, this.chartWidth - 40);
    const H = W < 500 ? 180 : 220;
    const left = 48;
    const bottom = 24;
    const top = 10;
    const max = niceMax(Math.max(...days.map((d) => this.value(d))));
    const plotW = W - left - 8;
    const plotH = H - top - bottom;
    const step = plotW / days.length;
    const bw = Math.max(2, step * 0.7);
    const ticks = [0, 0.5, 1].map((f) => f * max);
    const labelEvery = Math.ceil(days.length / Math.max(2, Math.floor(plotW / 64)));
    const total = days.reduce((n, d) => n + this.value(d), 0);
    return html`<svg
      class="chart"
      viewBox="0 0 ${W} ${H}"
      role="img"
      aria-label="${this.metric === "tokens" ? "Tokens" : "Cost"} per day over the last ${days.length} days, ${this.fmt(total)} in total"
    >
      ${ticks.map(
        (
          t,
        ) => svg`<line class="grid-line" x1=${left} x2=${W - 8} y1=${top + plotH - (t / max) * plotH} y2=${top + plotH - (t / max) * plotH}></line>
          <text class="axis" x=${left - 6} y=${top + plotH - (t / max) * plotH + 4} text-anchor="end">${this.fmt(t)}</text>`,
      )}
      ${days.map((d, i) => {
        const v = this.value(d);
        const h = (v / max) * plotH;
        const x = left + i * step + (step - bw) / 2;
        return svg`<rect class="bar" x=${x} y=${top + plotH - h} width=${bw} height=${Math.max(h, v > 0 ? 1 : 0)} rx="2"><title>${d.date}: ${this.fmt(v)}</title></rect>
          ${(days.length - 1 - i) % labelEvery === 0 ? svg`<text class="axis" x=${i === days.length - 1 ? x + bw : x + bw / 2} y=${H - 6} text-anchor=${i === days.length - 1 ? "end" : "middle"}>${d.date.slice(5)}</text>` : nothing}`;
      })}
    </svg>`;
  }

  private renderModels(rows: ModelRow[]): TemplateResult {
    const max = Math.max(...rows.map((r) => this.value(r)), 0) || 1;
    return html`<ul class="hbars" aria-label="${this.metric === "tokens" ? "Tokens" : "Cost"} per model">
      ${rows.map((r) => {
        const v = this.value(r);
        return html`<li>
          <span class="hbar-label break">${r.provider}/${r.model}</span>
          <svg class="hbar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
            <rect class="bar-bg" x="0" y="0" width="100" height="10" rx="2"></rect>
            <rect class="bar" x="0" y="0" width=${Math.max(0.5, (v / max) * 100)} height="10" rx="2"></rect>
          </svg>
          <span class="hbar-value">${this.fmt(v)}</span>
        </li>`;
      })}
    </ul>`;
  }

  private renderBudgetLine(label: string, l: BudgetLine, warnAt: number): TemplateResult {
    const amount = (n: number) => (l.metric === "usd" ? fmtCost(n) : `${fmtNumber(n)} tokens`);
    const pct = Math.floor(l.ratio * 100);
    const state = l.ratio >= 1 ? "reached" : l.ratio >= warnAt ? "near the limit" : "";
    return html`<li>
      <span class="hbar-label break">${label} · ${l.period}</span>
      <svg class="hbar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
        <rect class="bar-bg" x="0" y="0" width="100" height="10" rx="2"></rect>
        <rect class="bar" x="0" y="0" width=${Math.min(100, Math.max(0.5, l.ratio * 100))} height="10" rx="2"></rect>
      </svg>
      <span class="hbar-value" title="resets ${new Date(l.resetsAt).toLocaleString()}; set by ${l.setting}"
        >${amount(l.spent)} of ${amount(l.limit)} (${pct}%${state ? `, ${state}` : ""})</span
      >
    </li>`;
  }

  private renderBudgets(): TemplateResult {
    return html`<section class="card" aria-labelledby="usage-budgets">
      <h2 id="usage-budgets">Budgets</h2>
      ${this.budgets.map(
        (a) =>
          html`<ul class="hbars" aria-label="Budgets of agent ${a.agentId}">
              ${a.limits.map((l) => this.renderBudgetLine(`Agent ${a.agentId}`, l, a.warnAt))}
              ${a.sessions.flatMap((s) => s.limits.map((l) => this.renderBudgetLine(`Session ${s.sessionKey}`, l, a.warnAt)))}
            </ul>
            <p class="muted small">Days and months begin in ${a.timezone}; a reply warns at ${Math.round(a.warnAt * 100)}%.</p>`,
      )}
    </section>`;
  }

  override render(): TemplateResult {
    const d = this.data;
    const days = d ? fillDays(d.daily, this.days) : [];
    return html`<div class="view-head">
        <h1>Usage</h1>
        <div class="row">
          <div class="segmented" role="group" aria-label="Measure">
            <button aria-pressed=${this.metric === "tokens" ? "true" : "false"} @click=${() => (this.metric = "tokens")}>Tokens</button>
            <button aria-pressed=${this.metric === "cost" ? "true" : "false"} @click=${() => (this.metric = "cost")}>Cost</button>
          </div>
          <label class="visually-hidden" for="usage-days">Period</label>
          <select
            id="usage-days"
            @change=${(e: Event) => {
              this.days = Number((e.target as HTMLSelectElement).value);
              this.load();
            }}
          >
            ${[7, 30, 90].map((n) => html`<option value=${n} ?selected=${n === this.days}>Last ${n} days</option>`)}
          </select>
        </div>
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${!d && !this.error ? html`<p class="muted">Loading…</p>` : nothing}
      ${
        d
          ? html`<div class="grid stats-grid">
                <div class="card stat">
                  <div class="muted">Tokens</div>
                  <div class="big">${fmtNumber(d.totals.totalTokens)}</div>
                  <div class="muted small">${fmtNumber(d.totals.input)} in · ${fmtNumber(d.totals.output)} out</div>
                </div>
                <div class="card stat">
                  <div class="muted">Cost</div>
                  <div class="big">${fmtCost(d.totals.totalCost)}</div>
                  <div class="muted small">
                    ${d.totals.missingCostEntries ? `${d.totals.missingCostEntries} replies without a price` : "estimated from model prices"}
                  </div>
                </div>
                <div class="card stat">
                  <div class="muted">Replies</div>
                  <div class="big">${fmtNumber(d.totals.messages ?? 0)}</div>
                  <div class="muted small">in the last ${this.days} days</div>
                </div>
              </div>
              ${this.budgets.length ? this.renderBudgets() : nothing}
              <section class="card" aria-labelledby="usage-daily">
                <h2 id="usage-daily">Per day</h2>
                ${d.totals.totalTokens ? this.renderDaily(days) : html`<p class="muted">No model usage in this period yet.</p>`}
              </section>
              <section class="card" aria-labelledby="usage-models">
                <h2 id="usage-models">Per model</h2>
                ${d.byModel.length ? this.renderModels(d.byModel) : html`<p class="muted">No model usage in this period yet.</p>`}
                ${
                  d.byModel.length
                    ? html`<details class="table-details">
                        <summary>Show as a table</summary>
                        <div class="table-wrap">
                          <table>
                            <thead>
                              <tr>
                                <th scope="col">Model</th>
                                <th scope="col">Input</th>
                                <th scope="col">Output</th>
                                <th scope="col">Cache</th>
                                <th scope="col">Cost</th>
                              </tr>
                            </thead>
                            <tbody>
                              ${d.byModel.map(
                                (r) =>
                                  html`<tr>
                                    <th scope="row">${r.provider}/${r.model}</th>
                                    <td>${fmtNumber(r.input)}</td>
                                    <td>${fmtNumber(r.output)}</td>
                                    <td>${fmtNumber(r.cacheRead + r.cacheWrite)}</td>
                                    <td>${fmtCost(r.totalCost)}</td>
                                  </tr>`,
                              )}
                            </tbody>
                          </table>
                        </div>
                      </details>`
                    : nothing
                }
              </section>`
          : nothing
      }`;
  }
}

customElements.define("oc-usage", OcUsage);
