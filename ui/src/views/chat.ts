/**
 * Chat: the conversation of one session, replies streaming in as `chat` events arrive (`delta` carries
 * the text so far, then `final`, `aborted` or `error`), tool calls as collapsible cards (live from
 * `agent` events, and from the transcript in history), image attachments by picker, paste or drop.
 */
import { html, nothing, type TemplateResult } from "lit";
import { state } from "lit/decorators.js";
import { unsafeHTML } from "lit/directives/unsafe-html.js";
import { uuid } from "../gateway.js";
import { renderMarkdown } from "../markdown.js";
import { errorText, fmtBytes, fmtTime } from "../format.js";
import { icons } from "../icons.js";
import { View } from "./base.js";

/** A readable name for a session key: `agent:main:main` → `main`, `agent:main:telegram:dm:42` → `telegram dm 42`. */
export function sessionName(key: string): string {
  const parts = key.split(":");
  if (parts[0] !== "agent" || parts.length < 3) return key;
  const rest = parts.slice(2).join(" ");
  return parts[1] === "main" ? rest : `${parts[1]}: ${rest}`;
}

interface ToolCard {
  id: string;
  name: string;
  args: unknown;
  result?: string;
  isError?: boolean;
  done: boolean;
}

type Item =
  | { kind: "user"; text: string; images: string[]; ts?: number }
  | { kind: "assistant"; text: string; ts?: number; note?: string }
  | { kind: "tool"; card: ToolCard }
  | { kind: "error"; text: string };

interface Attachment {
  name: string;
  mimeType: string;
  /** base64, no data: prefix */
  data: string;
  url: string;
}

const SESSION_KEY = "openclaw.control.session";
/** Stay under the gateway's 512 KiB frame limit with room for the message itself. */
const MAX_ATTACH_B64 = 440 * 1024;
const MAX_IMAGE_SIDE = 1600;

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .filter((c: any) => c?.type === "text")
    .map((c: any) => c.text)
    .join("");
}

/** Transcript messages → what the chat shows. */
function itemsFrom(messages: any[]): Item[] {
  const out: Item[] = [];
  const cards = new Map<string, ToolCard>();
  for (const m of messages) {
    if (m?.role === "user") {
      const images = Array.isArray(m.content)
        ? m.content.filter((c: any) => c?.type === "image" && c.data).map((c: any) => `data:${c.mimeType};base64,${c.data}`)
        : [];
      out.push({ kind: "user", text: textOf(m.content), images, ts: m.timestamp });
    } else if (m?.role === "assistant") {
      const text = textOf(m.content);
      if (text || m.errorMessage)
        out.push({ kind: "assistant", text, ts: m.timestamp, ...(m.errorMessage ? { note: m.errorMessage } : {}) });
      for (const c of Array.isArray(m.content) ? m.content : []) {
        if (c?.type !== "toolCall") continue;
        const card: ToolCard = { id: c.id, name: c.name, args: c.arguments, done: false };
        cards.set(c.id, card);
        out.push({ kind: "tool", card });
      }
    } else if (m?.role === "toolResult") {
      const card = cards.get(m.toolCallId);
      if (card) {
        card.result = textOf(m.content);
        card.isError = Boolean(m.isError);
        card.done = true;
      }
    }
  }
  return out;
}

function readFile(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error ?? new Error("cannot read the file"));
    r.readAsDataURL(file);
  });
}

/** Reads an image, scaling it down (JPEG) when it is too large to send in one frame. */
async function toAttachment(file: File): Promise<Attachment> {
  if (!file.type.startsWith("image/")) throw new Error(`${file.name}: only images can be attached`);
  let url = await readFile(file);
  let mimeType = file.type;
  if (url.length > MAX_ATTACH_B64 || file.size > 2 * 1024 * 1024) {
    const img = new Image();
    const blobUrl = URL.createObjectURL(file);
    try {
      img.src = blobUrl;
      await img.decode();
      const scale = Math.min(1, MAX_IMAGE_SIDE / Math.max(img.naturalWidth, img.naturalHeight));
      const canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
      canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
      canvas.getContext("2d")!.drawImage(img, 0, 0, canvas.width, canvas.height);
      for (const q of [0.85, 0.7, 0.55, 0.4]) {
        url = canvas.toDataURL("image/jpeg", q);
        if (url.length <= MAX_ATTACH_B64) break;
      }
      mimeType = "image/jpeg";
    } finally {
      URL.revokeObjectURL(blobUrl);
    }
  }
  const comma = url.indexOf(",");
  return { name: file.name || "pasted image", mimeType, data: url.slice(comma + 1), url };
}

export class OcChat extends View {
  @state() private sessionKey = "";
  @state() private sessions: Array<{ key: string; label: string }> = [];
  @state() private items: Item[] = [];
  @state() private loading = false;
  /** The run streaming now in this session. */
  @state() private live: { runId: string | null; text: string; tools: ToolCard[] } | null = null;
  @state() private attachments: Attachment[] = [];
  @state() private error = "";
  @state() private draft = "";
  private runIds = new Set<string>();
  private stick = true;

  override connectedCallback(): void {
    // The last session shown (or opened from the Sessions view), else the main one.
    this.sessionKey = localStorage.getItem(SESSION_KEY) ?? "main";
    super.connectedCallback();
  }

  protected override load(): void {
    void this.loadHistory();
    void this.loadSessions();
  }

  private async loadSessions(): Promise<void> {
    try {
      const r = await this.gw.request("sessions.list", { limit: 200 });
      this.sessions = (r.sessions as any[]).map((s) => ({ key: s.key, label: s.label || s.displayName || sessionName(s.key) }));
    } catch {
      /* the picker still offers the current session */
    }
  }

  private async loadHistory(): Promise<void> {
    const asked = this.sessionKey;
    this.loading = true;
    try {
      const r = await this.gw.request("chat.history", { sessionKey: asked, limit: 200 });
      if (asked !== this.sessionKey) return;
      this.sessionKey = r.sessionKey;
      localStorage.setItem(SESSION_KEY, r.sessionKey);
      this.items = itemsFrom(r.messages ?? []);
      // After a reconnect the transcript is the truth; a run still going re-announces itself.
      this.live = null;
      this.error = "";
      this.stick = true;
    } catch (e) {
      this.error = `Could not load the conversation: ${errorText(e)}`;
    } finally {
      this.loading = false;
    }
  }

  private switchSession(key: string): void {
    this.sessionKey = key;
    this.items = [];
    this.live = null;
    this.runIds.clear();
    localStorage.setItem(SESSION_KEY, key);
    if (this.online) void this.loadHistory();
  }

  private mine(sessionKey: unknown, runId: unknown): boolean {
    return sessionKey === this.sessionKey || (typeof runId === "string" && this.runIds.has(runId));
  }

  protected override onGatewayEvent(event: string, p: any): void {
    if (event === "chat" && this.mine(p?.sessionKey, p?.runId)) {
      if (p.runId) this.runIds.add(p.runId);
      const text = textOf(p.message?.content);
      if (p.state === "delta") {
        this.live = { runId: p.runId, text, tools: this.live?.tools ?? [] };
      } else {
        const tools = this.live?.tools ?? [];
        this.live = null;
        const add: Item[] = tools.map((card) => ({ kind: "tool", card }));
        if (p.state === "final") add.push({ kind: "assistant", text, ts: p.message?.timestamp });
        else if (p.state === "aborted") add.push({ kind: "assistant", text, note: "Stopped." });
        else add.push({ kind: "error", text: p.errorMessage || "The run failed." });
        this.items = [...this.items, ...add];
      }
      this.stick = true;
    } else if (event === "agent" && p?.stream === "lifecycle" && p.data?.phase === "start" && p.data.sessionKey === this.sessionKey) {
      this.runIds.add(p.runId);
      this.live ??= { runId: p.runId, text: "", tools: [] };
    } else if (event === "agent" && p?.stream === "tool" && this.runIds.has(p.runId)) {
      const live: { runId: string | null; text: string; tools: ToolCard[] } = this.live ?? { runId: p.runId, text: "", tools: [] };
      const d = p.data ?? {};
      const existing = live.tools.find((t) => t.id === d.toolCallId);
      if (existing) Object.assign(existing, { result: d.result, isError: d.isError, done: d.phase === "result" });
      else
        live.tools.push({ id: d.toolCallId, name: d.name, args: d.args, result: d.result, isError: d.isError, done: d.phase === "result" });
      this.live = { ...live, tools: [...live.tools] };
      this.stick = true;
    } else if (event === "config.changed" || event === "presence") {
      /* not shown here */
    }
  }

  private async send(): Promise<void> {
    const text = this.draft.trim();
    if (!text && !this.attachments.length) return;
    const attachments = this.attachments;
    const runId = uuid();
    this.runIds.add(runId);
    this.items = [...this.items, { kind: "user", text, images: attachments.map((a) => a.url), ts: Date.now() }];
    this.live = { runId, text: "", tools: [] };
    this.draft = "";
    this.attachments = [];
    this.error = "";
    this.stick = true;
    try {
      await this.gw.request("chat.send", {
        sessionKey: this.sessionKey,
        message: text,
        idempotencyKey: runId,
        ...(attachments.length
          ? { attachments: attachments.map((a) => ({ type: "image", mimeType: a.mimeType, fileName: a.name, content: a.data })) }
          : {}),
      });
    } catch (e) {
      this.live = null;
      this.error = `Not sent: ${errorText(e)}`;
      // Give the text back so nothing typed is lost.
      this.draft = text;
      this.attachments = attachments;
      this.items = this.items.slice(0, -1);
    }
  }

  private async stop(): Promise<void> {
    try {
      await this.gw.request("chat.abort", { sessionKey: this.sessionKey });
    } catch (e) {
      this.error = `Could not stop: ${errorText(e)}`;
    }
  }

  private async newConversation(): Promise<void> {
    try {
      await this.gw.request("sessions.reset", { key: this.sessionKey });
      this.items = [];
      this.live = null;
      this.toast("New conversation started.");
    } catch (e) {
      this.error = errorText(e);
    }
  }

  private async addFiles(files: Iterable<File>): Promise<void> {
    for (const f of files) {
      try {
        const a = await toAttachment(f);
        const total = this.attachments.reduce((n, x) => n + x.data.length, 0) + a.data.length;
        if (total > MAX_ATTACH_B64) {
          this.error = `${a.name}: too large to send with the other images (${fmtBytes(total)}); send it in its own message.`;
          continue;
        }
        this.attachments = [...this.attachments, a];
        this.error = "";
      } catch (e) {
        this.error = errorText(e);
      }
    }
  }

  private onKeyDown(e: KeyboardEvent): void {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      void this.send();
    }
  }

  private onPaste(e: ClipboardEvent): void {
    const files = [...(e.clipboardData?.files ?? [])].filter((f) => f.type.startsWith("image/"));
    if (files.length) {
      e.preventDefault();
      void this.addFiles(files);
    }
  }

  private onDrop(e: DragEvent): void {
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length) {
      e.preventDefault();
      void this.addFiles(files);
    }
  }

  protected override updated(): void {
    if (!this.stick) return;
    const log = this.querySelector<HTMLElement>(".messages");
    if (log) log.scrollTop = log.scrollHeight;
    this.stick = false;
  }

  private renderTool(card: ToolCard): TemplateResult {
    const status = !card.done ? "running" : card.isError ? "error" : "done";
    return html`<details class="tool ${status}">
      <summary>${icons.gear}<span class="tool-name">${card.name}</span><span class="badge ${status}">${status}</span></summary>
      <div class="tool-body">
        <div class="tool-label">Arguments</div>
        <pre>${JSON.stringify(card.args ?? {}, null, 2)}</pre>
        ${
          card.result !== undefined
            ? html`<div class="tool-label">Result</div>
                <pre>${card.result}</pre>`
            : nothing
        }
      </div>
    </details>`;
  }

  private renderItem(item: Item): TemplateResult {
    switch (item.kind) {
      case "user":
        return html`<article class="msg user" aria-label="You">
          ${item.images.length ? html`<div class="thumbs">${item.images.map((src) => html`<img src=${src} alt="Attached image" />`)}</div>` : nothing}
          ${item.text ? html`<div class="plain">${item.text}</div>` : nothing}
          ${item.ts ? html`<time class="ts">${fmtTime(item.ts)}</time>` : nothing}
        </article>`;
      case "assistant":
        return html`<article class="msg assistant" aria-label="Assistant">
          <div class="md">${unsafeHTML(renderMarkdown(item.text))}</div>
          ${item.note ? html`<div class="note">${item.note}</div>` : nothing}
          ${item.ts ? html`<time class="ts">${fmtTime(item.ts)}</time>` : nothing}
        </article>`;
      case "tool":
        return this.renderTool(item.card);
      case "error":
        return html`<div class="msg error-msg" role="alert">${item.text}</div>`;
    }
  }

  override render(): TemplateResult {
    const running = this.live !== null;
    const options = this.sessions.some((s) => s.key === this.sessionKey)
      ? this.sessions
      : [{ key: this.sessionKey, label: sessionName(this.sessionKey) }, ...this.sessions];
    return html`<section class="chat" aria-label="Chat">
      <div class="chat-bar">
        <label class="inline" for="chat-session">Session</label>
        <select
          id="chat-session"
          .value=${this.sessionKey}
          @change=${(e: Event) => this.switchSession((e.target as HTMLSelectElement).value)}
        >
          ${options.map((s) => html`<option value=${s.key} ?selected=${s.key === this.sessionKey}>${s.label}</option>`)}
        </select>
        <button class="ghost" @click=${() => void this.newConversation()} ?disabled=${!this.online || running}>New conversation</button>
      </div>
      <div class="messages" role="log" aria-label="Messages" aria-live="polite" aria-busy=${running ? "true" : "false"}>
        ${this.loading && !this.items.length ? html`<p class="empty">Loading…</p>` : nothing}
        ${
          !this.loading && !this.items.length && !running
            ? html`<div class="empty">
                <p><strong>No messages yet.</strong></p>
                <p class="muted">Say hello below. Replies stream in as the model writes them.</p>
              </div>`
            : nothing
        }
        ${this.items.map((i) => this.renderItem(i))} ${this.live ? this.renderLive() : nothing}
      </div>
      ${this.error ? html`<p class="error composer-error" role="alert">${this.error}</p>` : nothing}
      <form
        class="composer"
        @submit=${(e: Event) => {
          e.preventDefault();
          void this.send();
        }}
        @dragover=${(e: DragEvent) => e.preventDefault()}
        @drop=${this.onDrop}
      >
        ${
          this.attachments.length
            ? html`<ul class="attachments" aria-label="Attachments">
                ${this.attachments.map(
                  (a, i) =>
                    html`<li>
                      <img src=${a.url} alt="" /><span class="att-name">${a.name}</span>
                      <button
                        type="button"
                        class="icon"
                        aria-label="Remove ${a.name}"
                        @click=${() => (this.attachments = this.attachments.filter((_, j) => j !== i))}
                      >
                        ×
                      </button>
                    </li>`,
                )}
              </ul>`
            : nothing
        }
        <div class="composer-row">
          <label class="icon-button" title="Attach image">
            ${icons.clip}
            <input
              class="visually-hidden"
              type="file"
              accept="image/*"
              multiple
              aria-label="Attach image"
              @change=${(e: Event) => {
                const input = e.target as HTMLInputElement;
                void this.addFiles([...(input.files ?? [])]).then(() => (input.value = ""));
              }}
            />
          </label>
          <textarea
            id="chat-input"
            aria-label="Message"
            rows="1"
            placeholder="Write a message…"
            aria-describedby="chat-keys"
            .value=${this.draft}
            @input=${(e: Event) => (this.draft = (e.target as HTMLTextAreaElement).value)}
            @keydown=${this.onKeyDown}
            @paste=${this.onPaste}
          ></textarea>
          ${running ? html`<button type="button" class="danger" @click=${() => void this.stop()}>Stop</button>` : nothing}
          <button type="submit" class="primary" ?disabled=${!this.online || (!this.draft.trim() && !this.attachments.length)}>Send</button>
        </div>
        <p class="hint keys" id="chat-keys">Enter sends, Shift+Enter starts a new line. Paste or drop images to attach them.</p>
      </form>
    </section>`;
  }

  private renderLive(): TemplateResult {
    const live = this.live!;
    return html`${live.tools.map((c) => this.renderTool(c))}
      <article class="msg assistant streaming" aria-label="Assistant (writing)">
        ${live.text ? html`<div class="md">${unsafeHTML(renderMarkdown(live.text))}</div>` : html`<div class="typing" aria-label="Thinking"><span></span><span></span><span></span></div>`}
      </article>`;
  }
}

customElements.define("oc-chat", OcChat);
