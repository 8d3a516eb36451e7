/** Logs: a live tail of the gateway's log file (`logs.tail` from a cursor), filtered by level, subsystem and text. */
import { html, nothing, type TemplateResult } from "lit";
import { state } from "lit/decorators.js";
import { errorText, fmtClock } from "../format.js";
import { View } from "./base.js";

const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;
const RANK: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
const MAX_LINES = 2000;

interface Line {
  n: number;
  time: string;
  level: string;
  subsystem: string;
  msg: string;
}

function parse(raw: string, n: number): Line {
  try {
    const v = JSON.parse(raw);
    const level = String(v.level ?? v._meta?.logLevelName ?? "info").toLowerCase();
    let subsystem = v.subsystem;
    if (!subsystem && typeof v._meta?.name === "string") {
      try {
        subsystem = JSON.parse(v._meta.name).subsystem;
      } catch {
        subsystem = v._meta.name;
      }
    }
    const extra = v[1] !== undefined ? ` ${JSON.stringify(v[1])}` : "";
    return { n, time: v.time ?? v._meta?.date ?? "", level, subsystem: subsystem ?? "", msg: `${v[0] ?? v.msg ?? ""}${extra}` };
  } catch {
    return { n, time: "", level: "info", subsystem: "", msg: raw };
  }
}

export class OcLogs extends View {
  @state() private lines: Line[] = [];
  @state() private minLevel = "info";
  @state() private subsystem = "";
  @state() private text = "";
  @state() private follow = true;
  @state() private error = "";
  @state() private file = "";
  private cursor: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private seq = 0;
  private stopped = false;

  override connectedCallback(): void {
    this.stopped = false;
    super.connectedCallback();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopped = true;
    clearTimeout(this.timer);
  }

  protected override load(): void {
    clearTimeout(this.timer);
    void this.poll();
  }

  private async poll(): Promise<void> {
    if (this.stopped || !this.online) return;
    try {
      const r = await this.gw.request("logs.tail", this.cursor === undefined ? { limit: 500 } : { cursor: this.cursor });
      if (r.reset) this.lines = [];
      this.cursor = r.cursor;
      this.file = r.file;
      if (r.lines?.length) {
        const added = (r.lines as string[]).filter((l) => l.trim()).map((l) => parse(l, ++this.seq));
        this.lines = [...this.lines, ...added].slice(-MAX_LINES);
      }
      this.error = "";
    } catch (e) {
      this.error = `Could not read the log: ${errorText(e)}`;
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.poll(), 1500);
  }

  protected override updated(): void {
    if (!this.follow) return;
    const box = this.querySelector<HTMLElement>(".log-lines");
    if (box) box.scrollTop = box.scrollHeight;
  }

  override render(): TemplateResult {
    const subsystems = [...new Set(this.lines.map((l) => l.subsystem).filter(Boolean))].sort();
    const q = this.text.toLowerCase();
    const shown = this.lines.filter(
      (l) =>
        (RANK[l.level] ?? 30) >= (RANK[this.minLevel] ?? 0) &&
        (!this.subsystem || l.subsystem === this.subsystem) &&
        (!q || l.msg.toLowerCase().includes(q)),
    );
    return html`<div class="view-head">
        <h1>Logs</h1>
        <label class="check"
          ><input type="checkbox" .checked=${this.follow} @change=${(e: Event) => (this.follow = (e.target as HTMLInputElement).checked)} />
          Follow</label
        >
      </div>
      <div class="filters">
        <div class="field compact">
          <label for="log-level">Level</label>
          <select id="log-level" @change=${(e: Event) => (this.minLevel = (e.target as HTMLSelectElement).value)}>
            ${LEVELS.map((l) => html`<option value=${l} ?selected=${l === this.minLevel}>${l} and above</option>`)}
          </select>
        </div>
        <div class="field compact">
          <label for="log-subsystem">Subsystem</label>
          <select id="log-subsystem" @change=${(e: Event) => (this.subsystem = (e.target as HTMLSelectElement).value)}>
            <option value="" ?selected=${!this.subsystem}>All</option>
            ${subsystems.map((s) => html`<option value=${s} ?selected=${s === this.subsystem}>${s}</option>`)}
          </select>
        </div>
        <div class="field compact grow">
          <label for="log-search">Search</label>
          <input
            id="log-search"
            type="search"
            .value=${this.text}
            @input=${(e: Event) => (this.text = (e.target as HTMLInputElement).value)}
          />
        </div>
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="log-lines" role="log" aria-label="Log lines" tabindex="0">
        ${
          shown.length
            ? shown.map(
                (l) =>
                  html`<div class="log-line lvl-${l.level}">
                    <time>${fmtClock(l.time)}</time><span class="lvl">${l.level}</span><span class="sub">${l.subsystem}</span
                    ><span class="text">${l.msg}</span>
                  </div>`,
              )
            : html`<p class="empty muted">${this.lines.length ? "No line matches these filters." : "Waiting for log lines…"}</p>`
        }
      </div>
      <p class="muted small">
        ${this.file ? html`Tailing <code class="break">${this.file}</code> · ` : nothing}${shown.length} of ${this.lines.length} lines shown
      </p>`;
  }
}

customElements.define("oc-logs", OcLogs);
