/**
 * Config: a form for the common sections, generated from the gateway's JSON Schema and UI hints
 * (`config.schema`), and the raw JSON5 file. Values are checked against the schema before anything is
 * sent; what the gateway then rejects comes back by path and is shown next to that field. Writes carry
 * the hash of the config they were based on, so an edit made meanwhile elsewhere is reported instead
 * of overwritten. Secrets arrive redacted and stay untouched unless retyped.
 */
import { html, nothing, type TemplateResult } from "lit";
import { state } from "lit/decorators.js";
import { GatewayError } from "../gateway.js";
import { errorText } from "../format.js";
import { View } from "./base.js";

const REDACTED = "__OPENCLAW_REDACTED__";

const SECTIONS: Array<{ id: string; title: string; fields: string[] }> = [
  {
    id: "gateway",
    title: "Gateway",
    fields: [
      "gateway.port",
      "gateway.bind",
      "gateway.auth.mode",
      "gateway.auth.token",
      "gateway.controlUi.enabled",
      "gateway.controlUi.basePath",
      "gateway.trustedProxies",
      "gateway.reload.mode",
      "gateway.http.endpoints.chatCompletions.enabled",
    ],
  },
  {
    id: "agents",
    title: "Agents",
    fields: [
      "agents.defaults.model.primary",
      "agents.defaults.model.fallbacks",
      "agents.defaults.workspace",
      "agents.defaults.maxConcurrent",
      "agents.defaults.timeoutSeconds",
      "agents.defaults.contextTokens",
      "agents.defaults.userTimezone",
      "agents.defaults.thinkingDefault",
    ],
  },
  {
    id: "session",
    title: "Sessions",
    fields: [
      "session.dmScope",
      "session.scope",
      "session.reset.mode",
      "session.reset.atHour",
      "session.reset.idleMinutes",
      "session.resetTriggers",
    ],
  },
  {
    id: "telegram",
    title: "Telegram",
    fields: [
      "channels.telegram.enabled",
      "channels.telegram.botToken",
      "channels.telegram.dmPolicy",
      "channels.telegram.allowFrom",
      "channels.telegram.groupPolicy",
      "channels.telegram.groupAllowFrom",
      "channels.telegram.historyLimit",
      "channels.telegram.textChunkLimit",
      "channels.telegram.webhookUrl",
    ],
  },
  {
    id: "discord",
    title: "Discord",
    fields: [
      "channels.discord.enabled",
      "channels.discord.token",
      "channels.discord.dm.policy",
      "channels.discord.dm.allowFrom",
      "channels.discord.groupPolicy",
      "channels.discord.historyLimit",
      "channels.discord.textChunkLimit",
    ],
  },
  { id: "logging", title: "Logging", fields: ["logging.level", "logging.consoleLevel", "logging.consoleStyle", "logging.file"] },
];

type Kind = "bool" | "enum" | "string" | "int" | "number" | "list";

interface Field {
  path: string;
  kind: Kind;
  label: string;
  help?: string;
  placeholder?: string;
  sensitive: boolean;
  options?: string[];
  min?: number;
  max?: number;
  exclusiveMin?: boolean;
  numericItems?: boolean;
}

interface Issue {
  path: string;
  message: string;
}

/** The schema node at a dotted path (through `anyOf` object variants), or null. */
function schemaAt(root: any, path: string): any {
  let node = root;
  for (const key of path.split(".")) {
    node = objectVariant(node);
    node = node?.properties?.[key];
    if (!node) return null;
  }
  return node;
}

function objectVariant(node: any): any {
  if (!node) return null;
  if (node.properties) return node;
  for (const v of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) if (v?.properties) return v;
  return node;
}

function scalarType(node: any): { type?: string; enum?: unknown[] } {
  if (node?.enum) return { type: "enum", enum: node.enum };
  if (node?.type) return { type: Array.isArray(node.type) ? node.type.find((t: string) => t !== "null") : node.type };
  const variants = [...(node?.anyOf ?? []), ...(node?.oneOf ?? [])].filter((v: any) => v?.type !== "null");
  if (variants.length && variants.every((v: any) => v.const !== undefined || v.enum)) {
    return { type: "enum", enum: variants.flatMap((v: any) => (v.enum ? v.enum : [v.const])) };
  }
  if (variants.some((v: any) => v.type === "string")) return { type: "string" };
  return variants[0] ? scalarType(variants[0]) : {};
}

function humanize(key: string): string {
  const s = key.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/[_-]/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
}

function buildField(schema: any, hints: Record<string, any>, path: string): Field | null {
  const node = schemaAt(schema, path);
  if (!node) return null;
  const hint = hints[path] ?? {};
  const key = path.split(".").pop()!;
  const base = {
    path,
    label: hint.label ?? humanize(key),
    help: hint.help,
    placeholder: hint.placeholder,
    sensitive: Boolean(hint.sensitive) || /token|password|secret|apikey/i.test(key),
  };
  const t = scalarType(node);
  if (t.type === "enum") return { ...base, kind: "enum", options: (t.enum ?? []).map(String) };
  if (t.type === "boolean") return { ...base, kind: "bool" };
  if (t.type === "string") return { ...base, kind: "string" };
  if (t.type === "integer" || t.type === "number") {
    const min = node.exclusiveMinimum ?? node.minimum;
    const max = node.maximum !== undefined && node.maximum < 1e15 ? node.maximum : undefined;
    return { ...base, kind: t.type === "integer" ? "int" : "number", min, max, exclusiveMin: node.exclusiveMinimum !== undefined };
  }
  if (t.type === "array") {
    const item = scalarType(node.items);
    const numericItems = item.type === "number" || item.type === "integer";
    return { ...base, kind: "list", numericItems };
  }
  return null;
}

function getAt(obj: any, path: string): unknown {
  let cur = obj;
  for (const k of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = cur[k];
  }
  return cur;
}

function display(f: Field, v: unknown): string {
  if (v === undefined || v === null) return "";
  if (f.kind === "list") return Array.isArray(v) ? v.join(", ") : String(v);
  if (f.sensitive && v === REDACTED) return "";
  return String(v);
}

/** Checks a form value against the field's schema; returns the value to write or an error message. */
function parseValue(f: Field, text: string): { value: unknown } | { error: string } {
  const t = text.trim();
  if (t === "") return { value: null };
  switch (f.kind) {
    case "bool":
      return { value: t === "true" };
    case "enum":
      return f.options!.includes(t) ? { value: t } : { error: `must be one of ${f.options!.join(", ")}` };
    case "int":
    case "number": {
      const n = Number(t);
      if (!Number.isFinite(n) || (f.kind === "int" && !Number.isInteger(n)))
        return { error: f.kind === "int" ? "must be a whole number" : "must be a number" };
      if (f.min !== undefined && (f.exclusiveMin ? n <= f.min : n < f.min))
        return { error: `must be ${f.exclusiveMin ? "more than" : "at least"} ${f.min}` };
      if (f.max !== undefined && n > f.max) return { error: `must be at most ${f.max}` };
      return { value: n };
    }
    case "list": {
      const items = t
        .split(/[,\n]/)
        .map((x) => x.trim())
        .filter(Boolean);
      if (f.numericItems) {
        const bad = items.find((x) => !Number.isFinite(Number(x)));
        if (bad) return { error: `"${bad}" is not a number` };
        return { value: items.map(Number) };
      }
      return { value: items };
    }
    default:
      return { value: t };
  }
}

function setAt(obj: Record<string, any>, path: string, value: unknown): void {
  const keys = path.split(".");
  let cur = obj;
  for (const k of keys.slice(0, -1)) cur = cur[k] ??= {};
  cur[keys[keys.length - 1]!] = value;
}

function issuesOf(e: unknown): Issue[] {
  const d = e instanceof GatewayError ? (e.details as { issues?: Issue[] } | undefined) : undefined;
  return Array.isArray(d?.issues) ? d!.issues : [];
}

export class OcConfig extends View {
  @state() private snap: any = null;
  @state() private schema: any = null;
  @state() private hints: Record<string, any> = {};
  @state() private mode: "form" | "raw" = "form";
  @state() private section = "gateway";
  @state() private edits = new Map<string, string>();
  @state() private fieldErrors = new Map<string, string>();
  @state() private otherIssues: Issue[] = [];
  @state() private raw = "";
  @state() private rawDirty = false;
  @state() private saving = false;
  @state() private message: { kind: "error" | "conflict"; text: string } | null = null;
  @state() private changedElsewhere = false;

  protected override load(): void {
    void this.reload(true);
  }

  private async reload(withSchema = false): Promise<void> {
    try {
      const [snap, schema] = await Promise.all([
        this.gw.request("config.get", {}),
        withSchema || !this.schema ? this.gw.request("config.schema", {}) : Promise.resolve(null),
      ]);
      this.snap = snap;
      this.changedElsewhere = false;
      if (schema) {
        this.schema = schema.schema;
        this.hints = schema.uiHints ?? {};
      }
      if (!this.rawDirty) this.raw = snap.raw ?? "{\n}\n";
    } catch (e) {
      this.message = { kind: "error", text: `Could not load the config: ${errorText(e)}` };
    }
  }

  protected override onGatewayEvent(event: string): void {
    if (event !== "config.changed" || this.saving) return;
    // Changed elsewhere. Without unsaved edits, just show the new version; with some, keep the hash
    // they were based on, so applying them is refused instead of silently undoing the other change.
    if (!this.edits.size && !this.rawDirty) void this.reload();
    else this.changedElsewhere = true;
  }

  private fields(sectionId: string): Field[] {
    const s = SECTIONS.find((x) => x.id === sectionId);
    if (!s || !this.schema) return [];
    return s.fields.map((p) => buildField(this.schema, this.hints, p)).filter((f): f is Field => f !== null);
  }

  private allFields(): Field[] {
    return SECTIONS.flatMap((s) => this.fields(s.id));
  }

  private onInput(path: string, value: string): void {
    const next = new Map(this.edits);
    next.set(path, value);
    this.edits = next;
    if (this.fieldErrors.has(path)) {
      const errs = new Map(this.fieldErrors);
      errs.delete(path);
      this.fieldErrors = errs;
    }
  }

  /** Server-side issues: next to their field when it is on the form, else listed by path. */
  private showIssues(issues: Issue[]): void {
    const fields = new Set(this.allFields().map((f) => f.path));
    const errs = new Map<string, string>();
    const other: Issue[] = [];
    for (const i of issues) {
      if (this.mode === "form" && fields.has(i.path)) errs.set(i.path, i.message);
      else other.push(i);
    }
    this.fieldErrors = errs;
    this.otherIssues = other;
    const first = [...errs.keys()][0];
    if (first) {
      const sec = SECTIONS.find((s) => s.fields.includes(first));
      if (sec) this.section = sec.id;
      void this.updateComplete.then(() => this.querySelector<HTMLElement>(`[data-path="${first}"]`)?.focus());
    }
  }

  private async applyForm(): Promise<void> {
    const byPath = new Map(this.allFields().map((f) => [f.path, f]));
    const patch: Record<string, any> = {};
    const errs = new Map<string, string>();
    for (const [path, text] of this.edits) {
      const f = byPath.get(path);
      if (!f) continue;
      const current = getAt(this.snap?.parsed, path);
      if (text === display(f, current)) continue;
      if (f.sensitive && text === "" && current === REDACTED) continue;
      const r = parseValue(f, text);
      if ("error" in r) errs.set(path, r.error);
      else setAt(patch, path, r.value);
    }
    this.otherIssues = [];
    this.message = null;
    if (errs.size) {
      this.showIssues([...errs].map(([path, message]) => ({ path, message })));
      return;
    }
    if (!Object.keys(patch).length) {
      this.toast("Nothing to save: no field was changed.");
      return;
    }
    await this.write("config.patch", JSON.stringify(patch), () => (this.edits = new Map()));
  }

  private async applyRaw(): Promise<void> {
    this.otherIssues = [];
    this.fieldErrors = new Map();
    this.message = null;
    await this.write("config.set", this.raw, () => (this.rawDirty = false));
  }

  private async write(method: string, raw: string, onSaved: () => void): Promise<void> {
    this.saving = true;
    try {
      const r = await this.gw.request(method, { raw, baseHash: this.snap?.hash });
      onSaved();
      this.fieldErrors = new Map();
      this.toast(r?.applied === false ? "Saved." : "Saved and applied.");
      await this.reload();
    } catch (e) {
      const err = e as GatewayError;
      if (err.code === "CONFLICT") {
        this.message = {
          kind: "conflict",
          text: "The config was changed elsewhere since you opened it, so nothing was saved. Reload to see the current version, then apply again.",
        };
      } else {
        const issues = issuesOf(e);
        if (issues.length) this.showIssues(issues);
        this.message = {
          kind: "error",
          text: issues.length ? "Not saved: the gateway found problems (shown by path)." : `Not saved: ${errorText(e)}`,
        };
      }
    } finally {
      this.saving = false;
    }
  }

  private renderField(f: Field): TemplateResult {
    const id = `cfg-${f.path.replace(/\./g, "-")}`;
    const current = getAt(this.snap?.parsed, f.path);
    const value = this.edits.get(f.path) ?? display(f, current);
    const err = this.fieldErrors.get(f.path);
    const describedBy = [f.help ? `${id}-help` : "", err ? `${id}-err` : ""].filter(Boolean).join(" ");
    const common = {
      id,
      "data-path": f.path,
    };
    let control: TemplateResult;
    if (f.kind === "enum" || f.kind === "bool") {
      const opts =
        f.kind === "bool"
          ? [
              ["true", "On"],
              ["false", "Off"],
            ]
          : f.options!.map((o) => [o, o]);
      control = html`<select
        id=${common.id}
        data-path=${f.path}
        aria-invalid=${err ? "true" : "false"}
        aria-describedby=${describedBy || nothing}
        @change=${(e: Event) => this.onInput(f.path, (e.target as HTMLSelectElement).value)}
      >
        <option value="" ?selected=${value === ""}>Default</option>
        ${opts.map(([v, l]) => html`<option value=${v!} ?selected=${value === v}>${l}</option>`)}
      </select>`;
    } else {
      const secretSet = f.sensitive && current === REDACTED;
      control = html`<input
        id=${common.id}
        data-path=${f.path}
        type=${f.sensitive ? "password" : "text"}
        inputmode=${f.kind === "int" || f.kind === "number" ? "numeric" : nothing}
        autocomplete="off"
        spellcheck="false"
        .value=${value}
        placeholder=${secretSet ? "Saved (hidden); type to replace" : f.sensitive ? "Not set in the file" : f.kind === "list" ? "comma separated" : (f.placeholder ?? "")}
        aria-invalid=${err ? "true" : "false"}
        aria-describedby=${describedBy || nothing}
        @input=${(e: Event) => this.onInput(f.path, (e.target as HTMLInputElement).value)}
      />`;
    }
    return html`<div class="field ${err ? "invalid" : ""}">
      <label for=${id}>${f.label}</label>
      ${control}
      <div class="field-path"><code>${f.path}</code></div>
      ${f.help ? html`<div class="hint" id="${id}-help">${f.help}</div>` : nothing}
      ${err ? html`<div class="field-error" id="${id}-err" role="alert"><code>${f.path}</code>: ${err}</div>` : nothing}
    </div>`;
  }

  override render(): TemplateResult {
    const snap = this.snap;
    return html`<div class="view-head">
        <h1>Config</h1>
        <div class="segmented" role="group" aria-label="Editor">
          <button aria-pressed=${this.mode === "form" ? "true" : "false"} @click=${() => (this.mode = "form")}>Form</button>
          <button aria-pressed=${this.mode === "raw" ? "true" : "false"} @click=${() => (this.mode = "raw")}>Raw JSON5</button>
        </div>
      </div>
      ${snap ? html`<p class="muted small">File: <code class="break">${snap.path}</code>${snap.exists ? "" : " (created on first save)"}</p>` : nothing}
      ${
        snap && !snap.valid
          ? html`<div class="card warn-card" role="alert">
              <strong>The config file is invalid; the gateway runs on its last good config.</strong>
              <ul class="issues">
                ${(snap.issues ?? []).map((i: Issue) => html`<li><code>${i.path || "<root>"}</code> ${i.message}</li>`)}
              </ul>
            </div>`
          : nothing
      }
      ${
        this.message
          ? html`<div class="banner ${this.message.kind === "conflict" ? "warn" : "bad"}" role="alert">
              <span>${this.message.text}</span>
              ${
                this.message.kind === "conflict"
                  ? html`<button
                      @click=${() => {
                        this.message = null;
                        if (this.mode === "raw") this.rawDirty = false;
                        void this.reload();
                      }}
                    >
                      ${this.mode === "raw" ? "Discard my edits and reload" : "Reload (keeps your edits)"}
                    </button>`
                  : nothing
              }
            </div>`
          : nothing
      }
      ${
        this.changedElsewhere && !this.message
          ? html`<div class="banner warn" role="status">
              <span
                >The config file changed elsewhere while you were editing. Applying now will be refused; reload to see the new
                version.</span
              >
              <button @click=${() => void this.reload()}>Reload</button>
            </div>`
          : nothing
      }
      ${
        this.otherIssues.length
          ? html`<section class="card" aria-labelledby="cfg-issues">
              <h2 id="cfg-issues">Problems</h2>
              <ul class="issues">
                ${this.otherIssues.map((i) => html`<li><code>${i.path || "<root>"}</code>: ${i.message}</li>`)}
              </ul>
            </section>`
          : nothing
      }
      ${!snap ? html`<p class="muted">Loading…</p>` : this.mode === "form" ? this.renderForm() : this.renderRaw()}`;
  }

  private renderForm(): TemplateResult {
    const fields = this.fields(this.section);
    const dirty = [...this.edits.keys()].length > 0;
    return html`<div class="config-form">
      <nav class="subnav" aria-label="Config sections">
        ${SECTIONS.map((s) => {
          const bad = s.fields.some((p) => this.fieldErrors.has(p));
          return html`<button aria-current=${this.section === s.id ? "true" : "false"} @click=${() => (this.section = s.id)}>
            ${s.title}${bad ? html` <span class="badge bad">!</span>` : nothing}
          </button>`;
        })}
      </nav>
      <form
        class="card fields"
        @submit=${(e: Event) => {
          e.preventDefault();
          void this.applyForm();
        }}
      >
        <h2>${SECTIONS.find((s) => s.id === this.section)?.title}</h2>
        ${fields.map((f) => this.renderField(f))}
        <p class="muted small">Other settings of this section are in the Raw JSON5 editor.</p>
        <div class="row">
          <button type="submit" class="primary" ?disabled=${!this.online || this.saving}>${this.saving ? "Saving…" : "Apply"}</button>
          <button
            type="button"
            ?disabled=${!dirty}
            @click=${() => {
              this.edits = new Map();
              this.fieldErrors = new Map();
            }}
          >
            Discard changes
          </button>
        </div>
      </form>
    </div>`;
  }

  private renderRaw(): TemplateResult {
    return html`<form
      class="card raw"
      @submit=${(e: Event) => {
        e.preventDefault();
        void this.applyRaw();
      }}
    >
      <label for="cfg-raw">openclaw.json (JSON5)</label>
      <textarea
        id="cfg-raw"
        class="code"
        spellcheck="false"
        rows="24"
        .value=${this.raw}
        @input=${(e: Event) => {
          this.raw = (e.target as HTMLTextAreaElement).value;
          this.rawDirty = true;
        }}
      ></textarea>
      <p class="hint">Secrets show as <code>${REDACTED}</code>; leave them as they are to keep the stored values.</p>
      <div class="row">
        <button type="submit" class="primary" ?disabled=${!this.online || this.saving}>${this.saving ? "Saving…" : "Apply"}</button>
        <button
          type="button"
          ?disabled=${!this.rawDirty}
          @click=${() => {
            this.rawDirty = false;
            this.raw = this.snap?.raw ?? "{\n}\n";
            this.otherIssues = [];
          }}
        >
          Discard changes
        </button>
      </div>
    </form>`;
  }
}

customElements.define("oc-config", OcConfig);
