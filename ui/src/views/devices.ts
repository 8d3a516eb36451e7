/**
 * Devices: browsers and apps that asked to connect (approve or reject them) and the paired ones with
 * their tokens (revoke a role's token). Also what the sign-in screen shows while this browser waits
 * for its own approval.
 */
import { html, nothing, type TemplateResult } from "lit";
import { state } from "lit/decorators.js";
import { storedDeviceId } from "../device.js";
import { errorText, fmtAgo } from "../format.js";
import type { DeviceNotice } from "../gateway.js";
import { View } from "./base.js";

interface PendingDevice {
  requestId: string;
  deviceId: string;
  displayName?: string;
  platform?: string;
  clientId?: string;
  role?: string;
  scopes?: string[];
  remoteIp?: string;
  isRepair?: boolean;
  ts: number;
}

interface TokenSummary {
  role: string;
  scopes?: string[];
  createdAtMs?: number;
  rotatedAtMs?: number;
  revokedAtMs?: number;
  lastUsedAtMs?: number;
}

interface PairedDevice {
  deviceId: string;
  displayName?: string;
  platform?: string;
  clientId?: string;
  roles?: string[];
  scopes?: string[];
  remoteIp?: string;
  tokens?: TokenSummary[];
  approvedAtMs?: number;
}

function name(d: { displayName?: string; clientId?: string; deviceId: string }): string {
  return d.displayName || d.clientId || `${d.deviceId.slice(0, 12)}…`;
}

/** The sign-in screen's explanation when the gateway keeps this browser out for a device reason. */
export function renderDeviceNotice(notice: DeviceNotice): TemplateResult {
  if (notice.kind === "insecure")
    return html`<div class="notice" role="alert">
      <p><strong>This page cannot prove which device it is.</strong></p>
      <p class="muted">
        Browsers allow the needed cryptography only on HTTPS or on this machine (<code>http://127.0.0.1</code>). Open the Control UI that
        way, or let it sign in with the token alone by setting <code>gateway.controlUi.allowInsecureAuth</code> to <code>true</code>.
      </p>
    </div>`;
  return html`<div class="notice" role="alert">
    <p><strong>Approve this browser to continue.</strong></p>
    <p class="muted">The gateway has not seen this browser before. Approve it once, on the gateway's machine:</p>
    <pre><code>openclaw devices approve ${notice.requestId}</code></pre>
    <p class="muted">
      (on Fly.io: <code>fly ssh console -C "openclaw devices approve ${notice.requestId}"</code>), or from a Control UI that is already
      signed in, under Devices. This page keeps trying and continues by itself once approved.
    </p>
  </div>`;
}

export class OcDevices extends View {
  @state() private pending: PendingDevice[] = [];
  @state() private paired: PairedDevice[] = [];
  @state() private loaded = false;
  @state() private error = "";
  @state() private busy = new Set<string>();
  private readonly self = storedDeviceId();

  protected override load(): void {
    void (async () => {
      try {
        const res = await this.gw.request("device.pair.list", {});
        this.pending = Array.isArray(res?.pending) ? res.pending : [];
        this.paired = Array.isArray(res?.paired) ? res.paired : [];
        this.loaded = true;
        this.error = "";
      } catch (e) {
        this.error = `Could not load devices: ${errorText(e)}`;
      }
    })();
  }

  protected override onGatewayEvent(event: string): void {
    if (event === "device.pair.requested" || event === "device.pair.resolved") this.load();
  }

  private async run(key: string, what: () => Promise<void>): Promise<void> {
    this.busy = new Set([...this.busy, key]);
    try {
      await what();
      this.load();
    } catch (e) {
      this.error = errorText(e);
    } finally {
      const next = new Set(this.busy);
      next.delete(key);
      this.busy = next;
    }
  }

  private decide(r: PendingDevice, approve: boolean): Promise<void> {
    return this.run(r.requestId, async () => {
      await this.gw.request(approve ? "device.pair.approve" : "device.pair.reject", { requestId: r.requestId });
      this.pending = this.pending.filter((x) => x !== r);
      this.toast(approve ? `Approved ${name(r)}.` : `Rejected ${name(r)}.`);
    });
  }

  private revoke(d: PairedDevice, role: string): Promise<void> {
    if (!confirm(`Revoke the ${role} token of ${name(d)}? It will need the gateway token to connect again.`)) return Promise.resolve();
    return this.run(`${d.deviceId}:${role}`, async () => {
      await this.gw.request("device.token.revoke", { deviceId: d.deviceId, role });
      this.toast(`Revoked the ${role} token of ${name(d)}.`);
    });
  }

  private renderPending(r: PendingDevice): TemplateResult {
    const busy = this.busy.has(r.requestId);
    return html`<li class="pair">
      <div>
        <strong>${name(r)}</strong> ${r.role ? html`<span class="badge">${r.role}</span>` : nothing}
        ${r.isRepair ? html`<span class="badge warn">more access</span>` : nothing}
        <div class="muted">
          ${r.remoteIp ? html`from ${r.remoteIp} · ` : nothing}asked ${fmtAgo(r.ts)} · device <code>${r.deviceId.slice(0, 16)}…</code>
        </div>
        ${r.scopes?.length ? html`<div class="muted small">scopes ${r.scopes.join(", ")}</div>` : nothing}
      </div>
      <div class="row">
        <button class="primary" ?disabled=${busy} @click=${() => void this.decide(r, true)} aria-label="Approve ${name(r)}">Approve</button>
        <button ?disabled=${busy} @click=${() => void this.decide(r, false)} aria-label="Reject ${name(r)}">Reject</button>
      </div>
    </li>`;
  }

  private renderPaired(d: PairedDevice): TemplateResult {
    const tokens = d.tokens ?? [];
    return html`<li class="account">
      <div class="row">
        <strong>${name(d)}</strong>
        ${d.deviceId === this.self ? html`<span class="badge ok">this browser</span>` : nothing}
        ${(d.roles ?? []).map((r) => html`<span class="badge">${r}</span>`)}
      </div>
      <dl class="kv small">
        <dt>Device</dt>
        <dd><code>${d.deviceId.slice(0, 16)}…</code></dd>
        ${
          d.platform
            ? html`<dt>Platform</dt>
                <dd>${d.platform}</dd>`
            : nothing
        }
        ${
          d.remoteIp
            ? html`<dt>Last address</dt>
                <dd>${d.remoteIp}</dd>`
            : nothing
        }
        <dt>Approved</dt>
        <dd>${fmtAgo(d.approvedAtMs)}</dd>
        <dt>Scopes</dt>
        <dd>${d.scopes?.length ? d.scopes.join(", ") : "none"}</dd>
      </dl>
      ${
        tokens.length
          ? html`<ul class="list tokens">
              ${tokens.map(
                (t) =>
                  html`<li class="row">
                    <span>${t.role} token</span>
                    ${
                      t.revokedAtMs
                        ? html`<span class="badge bad">revoked</span>`
                        : html`<span class="muted">${t.lastUsedAtMs ? `used ${fmtAgo(t.lastUsedAtMs)}` : "not used yet"}</span>
                            <button
                              ?disabled=${this.busy.has(`${d.deviceId}:${t.role}`)}
                              @click=${() => void this.revoke(d, t.role)}
                              aria-label="Revoke the ${t.role} token of ${name(d)}"
                            >
                              Revoke
                            </button>`
                    }
                  </li>`,
              )}
            </ul>`
          : nothing
      }
    </li>`;
  }

  override render(): TemplateResult {
    return html`<div class="view-head"><h1>Devices</h1></div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <section class="card" aria-labelledby="dev-pending">
        <h2 id="dev-pending">Waiting for approval</h2>
        ${
          this.pending.length
            ? html`<ul class="list pairing">
                ${this.pending.map((r) => this.renderPending(r))}
              </ul>`
            : html`<p class="muted">
                No device is waiting. A browser or app that connects from another machine for the first time shows up here until you approve
                it (requests expire after 5 minutes).
              </p>`
        }
      </section>
      <section class="card" aria-labelledby="dev-paired">
        <h2 id="dev-paired">Paired devices</h2>
        ${
          this.paired.length
            ? html`<ul class="list">
                ${this.paired.map((d) => this.renderPaired(d))}
              </ul>`
            : html`<p class="muted">${this.loaded ? "No paired devices yet." : "Loading…"}</p>`
        }
      </section>`;
  }
}

customElements.define("oc-devices", OcDevices);
