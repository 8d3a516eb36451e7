/**
 * What every view shares: it renders into the page (no shadow DOM, so the one stylesheet applies and
 * the page's policy needs no inline styles), gets the gateway client from the app, loads its data when
 * the connection is (re)established, and hears gateway events while it is on screen.
 */
import { LitElement } from "lit";
import { property } from "lit/decorators.js";
import type { GatewayClient } from "../gateway.js";

export abstract class View extends LitElement {
  @property({ attribute: false }) gw!: GatewayClient;
  private offs: Array<() => void> = [];
  private subscribedTo: GatewayClient | null = null;

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.subscribe();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe();
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has("gw") && this.isConnected) this.subscribe();
  }

  private subscribe(): void {
    if (!this.gw || this.subscribedTo === this.gw) return;
    this.unsubscribe();
    const gw = this.gw;
    this.subscribedTo = gw;
    let wasConnected = gw.state === "connected";
    this.offs.push(
      gw.onState(() => {
        const now = gw.state === "connected";
        if (now && !wasConnected) this.load();
        wasConnected = now;
        this.requestUpdate();
      }),
      gw.onEvent((event, payload) => this.onGatewayEvent(event, payload)),
    );
    if (wasConnected) this.load();
  }

  private unsubscribe(): void {
    for (const off of this.offs.splice(0)) off();
    this.subscribedTo = null;
  }

  /** Fetches the view's data (on show and after every reconnect). */
  protected load(): void {}

  protected onGatewayEvent(_event: string, _payload: any): void {}

  protected get online(): boolean {
    return this.gw?.state === "connected";
  }

  /** A short confirmation in the app's status area. */
  protected toast(message: string): void {
    this.dispatchEvent(new CustomEvent("oc-toast", { detail: message, bubbles: true, composed: true }));
  }
}
