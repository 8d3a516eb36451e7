/** Channels: each account's connection (optionally probed against the platform) and the DM pairing queue. */
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

export class OcChannels extends View {
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

  private renderAccount(channel: string, a: any): TemplateResult {
    const state = a.connected
      ? ["ok", "Connected"]
      : a.running
        ? ["warn", "Connecting"]
        : a.configured
          ? ["bad", "Stopped"]
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
      ${a.lastError ? html`<p class="error">Last error: ${a.lastError}</p>` : nothing}
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
