/**
 * Channels: each account's connection (optionally probed against the platform), the DM pairing queue,
 * and linking a device (WhatsApp) from a QR code.
 */
import { html, nothing, type TemplateResult } from "lit";
import { state } from "lit/decorators.js";
import { errorText, fmtAgo } from "../format.js";
import { View } from "./base.js";

interface PairingRequest {
  channel: string;
  id: string;
  code: string;
  createdAt: string;
  lastSeenAt: string;
  meta?: Record<string, string>;
}

function who(r: PairingRequest): string {
  const m = r.meta ?? {};
  const name = m.name || [m.firstName, m.lastName].filter(Boolean).join(" ");
  const user = m.username ? `@${m.username.replace(/^@/, "")}` : "";
  return [name, user].filter(Boolean).join(" ") || r.id;
}

/** Channels that link a device through the protocol's `web.login.start|wait` (WhatsApp's methods in OpenClaw's protocol). */
const LINKABLE = new Set(["whatsapp"]);

interface Linking {
  channel: string;
  accountId: string;
  message: string;
  qrDataUrl?: string;
  failed?: boolean;
}

export class OcChannels extends View {
  @state() private linking: Linking | null = null;
  @state() private status: any = null;
  @state() private requests: PairingRequest[] = [];
  @state() private probing = false;
  @state() private error = "";
  @state() private busy = new Set<string>();
  private timer: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.timer = setInterval(() => this.online && !this.probing && this.load(), 10_000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  protected override load(probe = false): void {
    void (async () => {
      try {
        const [status, pairing] = await Promise.all([
          this.gw.request("channels.status", probe ? { probe: true } : {}, probe ? 20_000 : 10_000),
          this.gw.request("pairing.list", {}),
        ]);
        this.status = status;
        this.requests = pairing.requests ?? [];
        this.error = "";
      } catch (e) {
        this.error = `Could not load channels: ${errorText(e)}`;
      } finally {
        this.probing = false;
      }
    })();
  }

  private probe(): void {
    this.probing = true;
    this.load(true);
  }

  private async decide(r: PairingRequest, approve: boolean): Promise<void> {
    const key = `${r.channel}:${r.code}`;
    this.busy = new Set([...this.busy, key]);
    try {
      await this.gw.request(approve ? "pairing.approve" : "pairing.reject", { channel: r.channel, code: r.code });
      this.requests = this.requests.filter((x) => x !== r);
      this.toast(approve ? `Approved ${who(r)} on ${r.channel}.` : `Rejected ${who(r)} on ${r.channel}.`);
      this.load();
    } catch (e) {
      this.error = errorText(e);
    } finally {
      const next = new Set(this.busy);
      next.delete(key);
      this.busy = next;
    }
  }

  /** Asks the gateway for a QR, shows it, then waits for the phone; the account connects without a restart. */
  private async link(channel: string, a: any): Promise<void> {
    const accountId = a.accountId as string;
    // A link the phone ended (logged out) needs a fresh one; an unlinked account has nothing to drop.
    const force = Boolean(a.configured && !a.running);
    this.linking = { channel, accountId, message: "Asking WhatsApp for a QR code…" };
    try {
      const start = await this.gw.request("web.login.start", { accountId, ...(force ? { force } : {}) }, 45_000);
      if (!start.qrDataUrl) {
        this.linking = null;
        this.toast(start.message);
        this.load();
        return;
      }
      this.linking = { channel, accountId, message: start.message, qrDataUrl: start.qrDataUrl };
      const done = await this.gw.request("web.login.wait", { accountId, timeoutMs: 120_000 }, 130_000);
      if (done.connected) {
        this.linking = null;
        this.toast(done.message);
      } else this.linking = { channel, accountId, message: done.message, failed: true };
    } catch (e) {
      this.linking = { channel, accountId, message: `Could not link: ${errorText(e)}`, failed: true };
    }
    this.load();
  }

  private renderLink(channel: string, a: any): TemplateResult | typeof nothing {
    // Offered where linking is the fix: never linked, or the phone ended the link (an unconfigured placeholder has no error).
    if (!LINKABLE.has(channel) || a.connected || !a.lastError || (a.running && a.configured)) return nothing;
    const l = this.linking?.channel === channel && this.linking.accountId === a.accountId ? this.linking : null;
    const label = a.configured ? "Relink" : "Link";
    return html`<div class="link">
      ${l?.qrDataUrl && !l.failed ? html`<img class="qr" src=${l.qrDataUrl} alt="WhatsApp QR code" width="240" height="240" />` : nothing}
      ${l ? html`<p class=${l.failed ? "error" : "muted"} role="status">${l.message}</p>` : nothing}
      ${
        !l || l.failed
          ? html`<button
              class="primary"
              ?disabled=${!this.online}
              @click=${() => void this.link(channel, a)}
              aria-label="${label} ${channel} ${a.accountId}"
            >
              ${label}
            </button>`
          : nothing
      }
    </div>`;
  }

  private renderAccount(channel: string, a: any): TemplateResult {
    const state = a.connected
      ? ["ok", "Connected"]
      : a.running
        ? ["warn", "Connecting"]
        : a.configured
          ? ["bad", "Stopped"]
          : /^not linked/.test(a.lastError ?? "")
            ? ["muted", "Not linked"]
            : ["muted", "Not configured"];
    return html`<li class="account">
      <div class="row">
        <strong>${a.name || a.botName || a.accountId}</strong>
        <span class="badge ${state[0]}">${state[1]}</span>
        ${a.accountId !== "default" ? html`<span class="muted">account ${a.accountId}</span>` : nothing}
      </div>
      <dl class="kv small">
        ${
          a.botName
            ? html`<dt>Bot</dt>
                <dd>${a.botName}</dd>`
            : nothing
        }
        ${
          a.mode
            ? html`<dt>Mode</dt>
                <dd>${a.mode}</dd>`
            : nothing
        }
        ${
          a.dmPolicy
            ? html`<dt>DM policy</dt>
                <dd>${a.dmPolicy}</dd>`
            : nothing
        }
        <dt>Last message</dt>
        <dd>${fmtAgo(a.lastInboundAt)}</dd>
        ${
          a.queued
            ? html`<dt>Queued replies</dt>
                <dd>${a.queued}</dd>`
            : nothing
        }
        ${
          a.probe
            ? html`<dt>Probe</dt>
                <dd>
                  <span class="badge ${a.probe.ok ? "ok" : "bad"}">${a.probe.ok ? "OK" : "Failed"}</span>
                  ${a.probe.latencyMs !== undefined ? html`<span class="muted">${a.probe.latencyMs} ms</span>` : nothing}
                  ${a.probe.detail ? html`<span class="muted">${a.probe.detail}</span>` : nothing}
                </dd>`
            : nothing
        }
      </dl>
      ${a.lastError ? html`<p class="error">Last error: ${a.lastError}</p>` : nothing} ${this.renderLink(channel, a)}
    </li>`;
  }

  override render(): TemplateResult {
    const s = this.status;
    const order: string[] = s?.channelOrder ?? [];
    return html`<div class="view-head">
        <h1>Channels</h1>
        <button @click=${() => this.probe()} ?disabled=${!this.online || this.probing}>${this.probing ? "Probing…" : "Probe now"}</button>
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <section class="card" aria-labelledby="pairing-title">
        <h2 id="pairing-title">Pending pairing requests</h2>
        ${
          this.requests.length
            ? html`<ul class="list pairing">
                ${this.requests.map((r) => {
                  const busy = this.busy.has(`${r.channel}:${r.code}`);
                  return html`<li class="pair">
                    <div>
                      <strong>${who(r)}</strong> <span class="badge">${r.channel}</span>
                      <div class="muted">code <code>${r.code}</code> · id ${r.id} · asked ${fmtAgo(Date.parse(r.createdAt))}</div>
                    </div>
                    <div class="row">
                      <button
                        class="primary"
                        ?disabled=${busy}
                        @click=${() => void this.decide(r, true)}
                        aria-label="Approve ${who(r)} (${r.channel})"
                      >
                        Approve
                      </button>
                      <button ?disabled=${busy} @click=${() => void this.decide(r, false)} aria-label="Reject ${who(r)} (${r.channel})">
                        Reject
                      </button>
                    </div>
                  </li>`;
                })}
              </ul>`
            : html`<p class="muted">
                Nobody is waiting. When a stranger messages your bot, they get a code, and their request shows up here.
              </p>`
        }
      </section>
      ${
        s && !order.length
          ? html`<section class="card">
              <h2>No channels running</h2>
              <p class="muted">
                Set <code>TELEGRAM_BOT_TOKEN</code> or <code>DISCORD_BOT_TOKEN</code> (or <code>channels.telegram</code> /
                <code>channels.discord</code> in the config) to connect a chat platform.
              </p>
            </section>`
          : nothing
      }
      <div class="grid">
        ${order.map(
          (ch) =>
            html`<section class="card" aria-labelledby="ch-${ch}">
              <h2 id="ch-${ch}">${s.channelLabels?.[ch] ?? ch}</h2>
              <ul class="list">
                ${(s.channelAccounts?.[ch] ?? []).map((a: any) => this.renderAccount(ch, a))}
              </ul>
            </section>`,
        )}
      </div>
      ${!s && !this.error ? html`<p class="muted">Loading…</p>` : nothing}`;
  }
}

customElements.define("oc-channels", OcChannels);
