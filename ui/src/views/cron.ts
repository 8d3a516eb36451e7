/**
 * Cron: the scheduler's state, the scheduled jobs (switch on or off, run now, delete, their run
 * history) and a form to add one. Follows `cron` events, so runs and changes made elsewhere show up
 * without a reload.
 */
import { html, nothing, type TemplateResult } from "lit";
import { state } from "lit/decorators.js";
import { errorText, fmtAgo, fmtDuration } from "../format.js";
import { View } from "./base.js";

type Schedule =
  { kind: "at"; atMs: number } | { kind: "every"; everyMs: number; anchorMs?: number } | { kind: "cron"; expr: string; tz?: string };

interface Job {
  id: string;
  name: string;
  description?: string;
  enabled: boolean;
  schedule: Schedule;
  sessionTarget?: "main" | "isolated";
  payload: { kind: "systemEvent"; text: string } | { kind: "agentTurn"; message: string; deliver?: boolean; channel?: string; to?: string };
  state?: {
    nextRunAtMs?: number;
    runningAtMs?: number;
    lastRunAtMs?: number;
    lastStatus?: string;
    lastError?: string;
    lastDurationMs?: number;
  };
}

interface Status {
  enabled?: boolean;
  jobs?: number;
  nextWakeAtMs?: number | null;
  storePath?: string;
}

interface RunEntry {
  ts: number;
  status?: string;
  error?: string;
  summary?: string;
  runAtMs?: number;
  durationMs?: number;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `10m`, `2h`, `1d` (or a plain number of minutes) in milliseconds. */
export function parseInterval(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([smhd]?)$/i.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not an interval: write a number and a unit, like 30s, 10m, 2h or 1d.`);
  const ms = Number(m[1]) * UNITS[(m[2] || "m").toLowerCase()]!;
  if (ms < 1000) throw new Error("The interval must be at least 1 second.");
  return Math.round(ms);
}

/** `+20m` from now, or a date and time (without a zone: this browser's time zone). */
export function parseAt(text: string, now = Date.now()): number {
  const t = text.trim();
  if (t.startsWith("+")) return now + parseInterval(t.slice(1));
  const ms = Date.parse(t.includes(" ") && !t.includes("T") ? t.replace(" ", "T") : t);
  if (!Number.isFinite(ms)) throw new Error(`"${text}" is not a time: write +20m, or a date and time like 2026-12-01 09:00.`);
  return ms;
}

function words(ms: number): string {
  for (const [size, name] of [
    [86_400_000, "day"],
    [3_600_000, "hour"],
    [60_000, "minute"],
    [1000, "second"],
  ] as const) {
    if (ms % size === 0 && ms >= size) {
      const n = ms / size;
      return n === 1 ? name : `${n} ${name}s`;
    }
  }
  return `${ms} ms`;
}

function fmtWhen(ms: number | null | undefined): string {
  if (!ms) return "–";
  return new Date(ms).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}

/** The schedule as a person would say it. */
export function describeSchedule(s: Schedule): string {
  if (s.kind === "at") return `once, at ${fmtWhen(s.atMs)}`;
  if (s.kind === "every") return `every ${words(s.everyMs)}`;
  return `cron ${s.expr} (${s.tz || "gateway's time zone"})`;
}

function describePayload(j: Job): string {
  const p = j.payload;
  if (p.kind === "systemEvent") return `System event: ${p.text}`;
  const to = p.to ? ` → ${p.channel || "last"} ${p.to}` : p.deliver ? ` → ${p.channel || "last"}` : "";
  return `Message: ${p.message}${to}`;
}

function statusBadge(status: string | undefined): TemplateResult | typeof nothing {
  if (!status) return nothing;
  const cls = status === "ok" ? "ok" : status === "error" ? "bad" : "warn";
  return html`<span class="badge ${cls}">${status}</span>`;
}

export class OcCron extends View {
  @state() private status: Status | null = null;
  @state() private jobs: Job[] | null = null;
  @state() private error = "";
  @state() private formError = "";
  @state() private busy = new Set<string>();
  @state() private open = new Set<string>();
  @state() private runs = new Map<string, RunEntry[] | string>();
  @state() private kind: "every" | "at" | "cron" = "every";
  @state() private payloadKind: "agentTurn" | "systemEvent" = "agentTurn";
  @state() private adding = false;

  protected override load(): void {
    void this.refresh();
  }

  private async refresh(): Promise<void> {
    try {
      const [status, list] = await Promise.all([
        this.gw.request("cron.status", {}),
        this.gw.request("cron.list", { includeDisabled: true }),
      ]);
      this.status = status as Status;
      this.jobs = Array.isArray((list as any)?.jobs) ? (list as any).jobs : [];
      this.error = "";
      for (const id of this.open) void this.loadRuns(id);
    } catch (e) {
      this.error = `Could not load scheduled jobs: ${errorText(e)}`;
    }
  }

  protected override onGatewayEvent(event: string): void {
    if (event === "cron") void this.refresh();
  }

  private async loadRuns(id: string): Promise<void> {
    try {
      const res: any = await this.gw.request("cron.runs", { id, limit: 20 });
      const entries: RunEntry[] = Array.isArray(res?.entries) ? res.entries : [];
      this.runs = new Map(this.runs).set(
        id,
        [...entries].sort((a, b) => b.ts - a.ts),
      );
    } catch (e) {
      this.runs = new Map(this.runs).set(id, `Could not load the run history: ${errorText(e)}`);
    }
  }

  private toggleHistory(j: Job): void {
    const next = new Set(this.open);
    if (next.has(j.id)) next.delete(j.id);
    else {
      next.add(j.id);
      void this.loadRuns(j.id);
    }
    this.open = next;
  }

  private async act(key: string, what: () => Promise<void>): Promise<void> {
    this.busy = new Set([...this.busy, key]);
    try {
      await what();
      this.error = "";
    } catch (e) {
      this.error = errorText(e);
    } finally {
      const next = new Set(this.busy);
      next.delete(key);
      this.busy = next;
      void this.refresh();
    }
  }

  private setEnabled(j: Job, enabled: boolean): Promise<void> {
    return this.act(j.id, async () => {
      try {
        await this.gw.request("cron.update", { id: j.id, patch: { enabled } });
      } catch (e) {
        throw new Error(`Could not ${enabled ? "enable" : "disable"} ${j.name}: ${errorText(e)}`);
      }
      this.toast(`${enabled ? "Enabled" : "Disabled"} ${j.name}.`);
    });
  }

  private runNow(j: Job): Promise<void> {
    return this.act(j.id, async () => {
      let res: any;
      try {
        res = await this.gw.request("cron.run", { id: j.id, mode: "force" });
      } catch (e) {
        throw new Error(`Could not run ${j.name}: ${errorText(e)}`);
      }
      this.toast(res?.ran === false ? `${j.name} did not run${res.reason ? `: ${res.reason}` : ""}.` : `Ran ${j.name}.`);
      if (!this.open.has(j.id)) this.open = new Set([...this.open, j.id]);
      await this.loadRuns(j.id);
    });
  }

  private deleteJob(j: Job): Promise<void> {
    if (!confirm(`Delete the job "${j.name}"? Its schedule and run history are removed.`)) return Promise.resolve();
    return this.act(j.id, async () => {
      try {
        await this.gw.request("cron.remove", { id: j.id });
      } catch (e) {
        throw new Error(`Could not delete ${j.name}: ${errorText(e)}`);
      }
      this.toast(`Deleted ${j.name}.`);
    });
  }

  private async onAdd(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const get = (k: string) => String(data.get(k) ?? "").trim();
    let params: Record<string, unknown>;
    try {
      const name = get("name");
      if (!name) throw new Error("Give the job a name.");
      const value = get("value");
      if (!value) throw new Error(this.kind === "cron" ? "Write a cron expression, like 0 7 * * *." : "Say when the job runs.");
      const schedule: Schedule =
        this.kind === "at"
          ? { kind: "at", atMs: parseAt(value) }
          : this.kind === "every"
            ? { kind: "every", everyMs: parseInterval(value) }
            : { kind: "cron", expr: value, ...(get("tz") ? { tz: get("tz") } : {}) };
      const text = get("text");
      if (!text) throw new Error(this.payloadKind === "agentTurn" ? "Write the message the agent gets." : "Write the system event's text.");
      const channel = get("channel");
      const to = get("to");
      const payload =
        this.payloadKind === "systemEvent"
          ? { kind: "systemEvent", text }
          : { kind: "agentTurn", message: text, ...(to ? { deliver: true, channel: channel || "last", to } : {}) };
      params = { name, schedule, payload, sessionTarget: this.payloadKind === "systemEvent" ? "main" : "isolated" };
    } catch (err) {
      this.formError = errorText(err);
      return;
    }
    this.adding = true;
    try {
      const job: any = await this.gw.request("cron.add", params);
      this.formError = "";
      form.reset();
      this.toast(`Added ${job?.name ?? params.name}.`);
      void this.refresh();
    } catch (err) {
      this.formError = `The gateway refused the job: ${errorText(err)}`;
    } finally {
      this.adding = false;
    }
  }

  private renderStatus(): TemplateResult {
    const s = this.status;
    return html`<section class="card" aria-labelledby="cron-status">
      <h2 id="cron-status">Scheduler</h2>
      ${
        s
          ? html`<dl class="kv">
              <dt>State</dt>
              <dd>
                ${
                  s.enabled
                    ? html`<span class="badge ok">enabled</span>`
                    : html`<span class="badge warn">disabled</span>
                        <span class="muted"
                          >jobs are kept but do not run (<code>cron.enabled</code> or <code>OPENCLAW_SKIP_CRON</code>)</span
                        >`
                }
              </dd>
              <dt>Jobs</dt>
              <dd>${s.jobs ?? 0}</dd>
              <dt>Next wake</dt>
              <dd>${s.nextWakeAtMs ? fmtWhen(s.nextWakeAtMs) : "nothing scheduled"}</dd>
            </dl>`
          : html`<p class="muted">Loading…</p>`
      }
    </section>`;
  }

  private renderForm(): TemplateResult {
    const hint =
      this.kind === "at"
        ? "+20m, or a date and time like 2026-12-01 09:00 (this browser's time zone)"
        : this.kind === "every"
          ? "30s, 10m, 2h or 1d"
          : "5 fields (6 with seconds), like 0 7 * * *";
    return html`<section class="card" aria-labelledby="cron-add">
      <h2 id="cron-add">Add job</h2>
      <form class="cron-form" @submit=${(e: SubmitEvent) => void this.onAdd(e)} novalidate>
        <div class="field">
          <label for="cron-name">Name</label>
          <input id="cron-name" name="name" autocomplete="off" />
        </div>
        <div class="field">
          <label for="cron-kind">Schedule</label>
          <select id="cron-kind" name="kind" @change=${(e: Event) => (this.kind = (e.target as HTMLSelectElement).value as any)}>
            <option value="every" ?selected=${this.kind === "every"}>Every</option>
            <option value="at" ?selected=${this.kind === "at"}>Once at</option>
            <option value="cron" ?selected=${this.kind === "cron"}>Cron expression</option>
          </select>
        </div>
        <div class="field">
          <label for="cron-value">${this.kind === "cron" ? "Expression" : this.kind === "at" ? "When" : "Interval"}</label>
          <input id="cron-value" name="value" autocomplete="off" spellcheck="false" aria-describedby="cron-value-hint" />
          <p id="cron-value-hint" class="hint">${hint}</p>
        </div>
        ${
          this.kind === "cron"
            ? html`<div class="field">
                <label for="cron-tz">Time zone</label>
                <input id="cron-tz" name="tz" placeholder="Europe/Berlin" autocomplete="off" aria-describedby="cron-tz-hint" />
                <p id="cron-tz-hint" class="hint">An IANA zone; empty means the gateway host's zone.</p>
              </div>`
            : nothing
        }
        <fieldset class="cron-what">
          <legend>What it does</legend>
          <label class="check"
            ><input
              type="radio"
              name="payload"
              value="agentTurn"
              ?checked=${this.payloadKind === "agentTurn"}
              @change=${() => (this.payloadKind = "agentTurn")}
            />
            Message: an isolated agent run</label
          >
          <label class="check"
            ><input
              type="radio"
              name="payload"
              value="systemEvent"
              ?checked=${this.payloadKind === "systemEvent"}
              @change=${() => (this.payloadKind = "systemEvent")}
            />
            System event for the main session</label
          >
        </fieldset>
        <div class="field">
          <label for="cron-text">${this.payloadKind === "agentTurn" ? "Message" : "System event text"}</label>
          <textarea id="cron-text" name="text" rows="2"></textarea>
        </div>
        ${
          this.payloadKind === "agentTurn"
            ? html`<div class="row cron-deliver">
                <div class="field">
                  <label for="cron-channel">Deliver to channel</label>
                  <input id="cron-channel" name="channel" placeholder="last" autocomplete="off" />
                </div>
                <div class="field">
                  <label for="cron-to">Recipient</label>
                  <input id="cron-to" name="to" placeholder="chat id or number" autocomplete="off" aria-describedby="cron-to-hint" />
                </div>
                <p id="cron-to-hint" class="hint">
                  With a recipient, the reply is delivered there; without one it stays in the job's session.
                </p>
              </div>`
            : nothing
        }
        ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : nothing}
        <button type="submit" class="primary" ?disabled=${this.adding || !this.online}>Add job</button>
      </form>
    </section>`;
  }

  private renderRuns(j: Job): TemplateResult {
    const runs = this.runs.get(j.id);
    return html`<tr class="cron-runs">
      <td colspan="6">
        <section aria-label="Run history of ${j.name}">
          <div class="muted small">${describePayload(j)}</div>
          ${
            runs === undefined
              ? html`<p class="muted">Loading…</p>`
              : typeof runs === "string"
                ? html`<p class="error" role="alert">${runs}</p>`
                : runs.length
                  ? html`<ol class="list run-list">
                      ${runs.map(
                        (r) =>
                          html`<li>
                            <div class="row">
                              ${statusBadge(r.status)} <span>${fmtWhen(r.runAtMs ?? r.ts)}</span>
                              <span class="muted">${r.durationMs !== undefined ? `took ${fmtDuration(r.durationMs)}` : ""}</span>
                            </div>
                            ${r.error ? html`<div class="error break">${r.error}</div>` : nothing}
                            ${r.summary ? html`<div class="break run-summary">${r.summary}</div>` : nothing}
                          </li>`,
                      )}
                    </ol>`
                  : html`<p class="muted">No runs yet.</p>`
          }
        </section>
      </td>
    </tr>`;
  }

  private renderJob(j: Job): TemplateResult {
    const busy = this.busy.has(j.id) || !this.online;
    const st = j.state ?? {};
    const open = this.open.has(j.id);
    return html`<tr class=${j.enabled ? "" : "disabled"}>
        <th scope="row">${j.name}</th>
        <td>${describeSchedule(j.schedule)}</td>
        <td>${j.enabled && st.nextRunAtMs ? fmtWhen(st.nextRunAtMs) : "–"}</td>
        <td>
          ${st.runningAtMs ? html`<span class="badge running">running</span>` : statusBadge(st.lastStatus)}
          ${st.lastRunAtMs ? html`<span class="muted">${fmtAgo(st.lastRunAtMs)}</span>` : st.runningAtMs ? nothing : html`<span class="muted">never</span>`}
          ${st.lastError ? html`<div class="error small break">${st.lastError}</div>` : nothing}
        </td>
        <td>
          <label class="check"
            ><input
              type="checkbox"
              .checked=${j.enabled}
              ?disabled=${busy}
              @change=${(e: Event) => void this.setEnabled(j, (e.target as HTMLInputElement).checked)}
              aria-label="Enabled: ${j.name}"
            />
            ${j.enabled ? "on" : "off"}</label
          >
        </td>
        <td>
          <div class="row">
            <button ?disabled=${busy} @click=${() => void this.runNow(j)} aria-label="Run ${j.name} now">Run now</button>
            <button aria-expanded=${open ? "true" : "false"} @click=${() => this.toggleHistory(j)} aria-label="Run history of ${j.name}">
              History
            </button>
            <button class="danger-ghost" ?disabled=${busy} @click=${() => void this.deleteJob(j)} aria-label="Delete ${j.name}">
              Delete
            </button>
          </div>
        </td>
      </tr>
      ${open ? this.renderRuns(j) : nothing}`;
  }

  override render(): TemplateResult {
    return html`<div class="view-head"><h1>Cron</h1></div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing} ${this.renderStatus()}
      <section class="card" aria-labelledby="cron-jobs">
        <h2 id="cron-jobs">Jobs</h2>
        ${
          this.jobs === null
            ? html`<p class="muted">Loading…</p>`
            : this.jobs.length
              ? html`<div class="table-wrap cron-table-wrap">
                  <table class="cron-table">
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col">Schedule</th>
                        <th scope="col">Next run</th>
                        <th scope="col">Last run</th>
                        <th scope="col">Enabled</th>
                        <th scope="col"><span class="visually-hidden">Actions</span></th>
                      </tr>
                    </thead>
                    <tbody>
                      ${this.jobs.map((j) => this.renderJob(j))}
                    </tbody>
                  </table>
                </div>`
              : html`<p class="muted">No scheduled jobs yet. Add one above, or ask the agent to remind you of something.</p>`
        }
      </section>
      ${this.renderForm()}`;
  }
}

customElements.define("oc-cron", OcCron);
