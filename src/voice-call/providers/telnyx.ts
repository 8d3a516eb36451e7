/**
 * Telnyx Call Control: calls placed with `POST /calls` (the call id travels in `client_state`),
 * driven with `POST /calls/{id}/actions/{answer|reject|speak|transcription_start|hangup}`; webhooks
 * are JSON events signed with Ed25519, refused when no public key is configured. Webhook answers
 * carry nothing: what to say is sent as actions right after.
 */
import { randomUUID } from "node:crypto";
import { verifyTelnyx, type Verdict } from "../signatures.js";
import type { CallState, PlaceCall, ProviderEvent, Reply, VoiceProvider, WebhookRequest } from "../types.js";
import { restCall } from "./http.js";

export interface TelnyxOptions {
  apiKey: string;
  connectionId: string;
  publicKey?: string;
  apiBaseUrl: string;
  skipSignatureVerification: boolean;
}

const HANGUP: Record<string, CallState> = {
  busy: "busy",
  timeout: "no-answer",
  no_answer: "no-answer",
  originator_cancel: "failed",
  call_rejected: "failed",
  unspecified: "completed",
  normal_clearing: "completed",
};

type Payload = {
  call_control_id?: string;
  client_state?: string;
  direction?: string;
  from?: string;
  to?: string;
  hangup_cause?: string;
  transcription_data?: { transcript?: string; is_final?: boolean };
};

export class TelnyxProvider implements VoiceProvider {
  readonly name = "telnyx" as const;
  /** Incoming calls not answered yet. */
  private unanswered = new Set<string>();
  /** Calls to hang up once what is being said ends (seconds to wait after). */
  private hangupAfterSpeech = new Map<string, number>();
  private timers = new Set<NodeJS.Timeout>();

  constructor(private readonly o: TelnyxOptions) {}

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.o.apiKey}`, "content-type": "application/json" };
  }

  private action(id: string, name: string, body: Record<string, unknown> = {}): Promise<unknown> {
    return restCall(`Telnyx ${name}`, `${this.o.apiBaseUrl}/calls/${encodeURIComponent(id)}/actions/${name}`, {
      method: "POST",
      headers: this.headers(),
      body: JSON.stringify({ command_id: randomUUID(), ...body }),
    });
  }

  verify(req: WebhookRequest, nowMs: number): Verdict {
    if (this.o.skipSignatureVerification) return { ok: true };
    return verifyTelnyx(this.o.publicKey, req.rawBody, req.headers, nowMs);
  }

  parse(req: WebhookRequest): ProviderEvent {
    let data: { event_type?: string; payload?: Payload } | undefined;
    try {
      data = (JSON.parse(req.rawBody) as { data?: typeof data }).data;
    } catch {
      return { kind: "ignore" };
    }
    const p = data?.payload ?? {};
    const id = p.call_control_id;
    if (!id || !data?.event_type) return { kind: "ignore" };
    let callId = req.query.get("callId") ?? undefined;
    if (p.client_state) callId = Buffer.from(p.client_state, "base64").toString("utf8") || callId;
    const direction = p.direction === "incoming" ? "inbound" : "outbound";
    const from = p.from ?? "";
    const to = p.to ?? "";
    switch (data.event_type) {
      case "call.initiated":
        if (direction === "inbound") {
          this.unanswered.add(id);
          return { kind: "answer", callId, providerCallId: id, from, to, direction };
        }
        return { kind: "status", callId, providerCallId: id, state: "initiated", from, to, direction };
      case "call.ringing":
        return { kind: "status", callId, providerCallId: id, state: "ringing", from, to, direction };
      case "call.answered":
        return direction === "inbound" ? { kind: "ignore" } : { kind: "answer", callId, providerCallId: id, from, to, direction };
      case "call.hangup":
        this.hangupAfterSpeech.delete(id);
        this.unanswered.delete(id);
        return { kind: "status", callId, providerCallId: id, state: HANGUP[p.hangup_cause ?? ""] ?? "completed", from, to, direction };
      case "call.transcription": {
        const t = p.transcription_data;
        if (!t?.is_final || !t.transcript?.trim()) return { kind: "ignore" };
        return { kind: "speech", callId, providerCallId: id, text: t.transcript.trim() };
      }
      case "call.speak.ended": {
        const wait = this.hangupAfterSpeech.get(id);
        if (wait !== undefined) {
          this.hangupAfterSpeech.delete(id);
          const t = setTimeout(() => {
            this.timers.delete(t);
            void this.hangup(id).catch(() => undefined);
          }, wait * 1000);
          t.unref();
          this.timers.add(t);
        }
        return { kind: "ignore" };
      }
      default:
        return { kind: "ignore" };
    }
  }

  render(): { contentType: string; body: string } {
    return { contentType: "application/json", body: "{}" };
  }

  /** What the reply says is done through actions. */
  async act(providerCallId: string, reply: Reply): Promise<void> {
    await this.update(providerCallId, reply);
  }

  async place(call: PlaceCall): Promise<{ providerCallId: string }> {
    const body = (await restCall("Telnyx create call", `${this.o.apiBaseUrl}/calls`, {
      method: "POST",
      headers: this.headers(),
      body: JSON.stringify({
        connection_id: this.o.connectionId,
        to: call.to,
        from: call.from,
        webhook_url: call.answerUrl,
        webhook_url_method: "POST",
        client_state: Buffer.from(call.callId).toString("base64"),
        timeout_secs: call.timeoutSeconds,
      }),
    })) as { data?: { call_control_id?: string } };
    const id = body?.data?.call_control_id;
    if (typeof id !== "string") throw new Error("Telnyx create call: the answer has no call_control_id");
    return { providerCallId: id };
  }

  async hangup(providerCallId: string): Promise<void> {
    await this.action(providerCallId, "hangup");
  }

  async update(providerCallId: string, reply: Reply): Promise<void> {
    if (reply.reject) {
      this.unanswered.delete(providerCallId);
      await this.action(providerCallId, "reject", { cause: "CALL_REJECTED" });
      return;
    }
    if (this.unanswered.delete(providerCallId)) await this.action(providerCallId, "answer");
    if (reply.say) {
      if (reply.hangup) this.hangupAfterSpeech.set(providerCallId, reply.pauseSeconds ?? 0);
      await this.action(providerCallId, "speak", { payload: reply.say, voice: "female", language: "en-US" });
    } else if (reply.hangup) await this.hangup(providerCallId);
    if (reply.gatherUrl) await this.action(providerCallId, "transcription_start", { language: "en" });
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
