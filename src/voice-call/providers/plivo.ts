/**
 * Plivo Voice: calls placed with `POST /Account/{authId}/Call/`, ended with `DELETE …/Call/{uuid}/`,
 * spoken into with `POST …/Call/{uuid}/Speak/`; webhooks are form posts signed V3 (or V2), and
 * answers are Plivo XML (`<Speak>`, `<GetInput inputType="speech">`, `<Wait>`, `<Hangup/>`).
 */
import { verifyPlivo, type Verdict } from "../signatures.js";
import type { CallState, PlaceCall, ProviderEvent, Reply, VoiceProvider, WebhookRequest } from "../types.js";
import { restCall, xml, basicAuthHeaders } from "./http.js";

const STATUS: Record<string, CallState> = {
  ringing: "ringing",
  "in-progress": "active",
  completed: "completed",
  busy: "busy",
  failed: "failed",
  timeout: "no-answer",
  "no-answer": "no-answer",
  cancel: "failed",
};

export interface PlivoOptions {
  authId: string;
  authToken: string;
  apiBaseUrl: string;
  skipSignatureVerification: boolean;
}

export class PlivoProvider implements VoiceProvider {
  readonly name = "plivo" as const;
  constructor(private readonly o: PlivoOptions) {}

  private url(path: string): string {
    return `${this.o.apiBaseUrl}/Account/${encodeURIComponent(this.o.authId)}${path}`;
  }

  private headers(): Record<string, string> {
    return basicAuthHeaders(this.o.authId, this.o.authToken, "application/json");
  }

  verify(req: WebhookRequest): Verdict {
    if (this.o.skipSignatureVerification) return { ok: true };
    return verifyPlivo(this.o.authToken, req.method, req.url, req.params, req.headers);
  }

  parse(req: WebhookRequest): ProviderEvent {
    const f = new Map(req.params);
    const uuid = f.get("CallUUID");
    if (!uuid) return { kind: "ignore" };
    const callId = req.query.get("callId") ?? undefined;
    const direction = f.get("Direction") === "outbound" ? "outbound" : "inbound";
    const from = f.get("From") ?? "";
    const to = f.get("To") ?? "";
    const type = req.query.get("type");
    const speech = f.get("Speech") ?? f.get("SpeechResult");
    if (type === "gather" || speech !== undefined) return { kind: "speech", callId, providerCallId: uuid, text: (speech ?? "").trim() };
    const status = f.get("CallStatus") ?? "";
    if (type === "status" || (STATUS[status] && status !== "ringing" && status !== "in-progress"))
      return { kind: "status", callId, providerCallId: uuid, state: STATUS[status] ?? "completed", from, to, direction };
    return { kind: "answer", callId, providerCallId: uuid, from, to, direction };
  }

  render(reply: Reply): { contentType: string; body: string } {
    const parts: string[] = [];
    if (reply.reject) parts.push(`<Hangup reason="rejected"/>`);
    else {
      if (reply.gatherUrl) {
        parts.push(
          `<GetInput inputType="speech" method="POST" action="${xml(reply.gatherUrl)}" executionTimeout="30" speechEndTimeout="1" redirect="true">` +
            (reply.say ? `<Speak>${xml(reply.say)}</Speak>` : "") +
            `</GetInput>`,
        );
        parts.push(`<Redirect method="POST">${xml(reply.gatherUrl)}</Redirect>`);
      } else if (reply.say) parts.push(`<Speak>${xml(reply.say)}</Speak>`);
      if (reply.pauseSeconds) parts.push(`<Wait length="${Math.floor(reply.pauseSeconds)}"/>`);
      if (reply.hangup) parts.push("<Hangup/>");
    }
    return {
      contentType: "application/xml; charset=utf-8",
      body: `<?xml version="1.0" encoding="UTF-8"?><Response>${parts.join("")}</Response>`,
    };
  }

  async place(call: PlaceCall): Promise<{ providerCallId: string }> {
    const body = (await restCall("Plivo create call", this.url("/Call/"), {
      method: "POST",
      headers: this.headers(),
      body: JSON.stringify({
        from: call.from.replace(/^\+/, ""),
        to: call.to.replace(/^\+/, ""),
        answer_url: call.answerUrl,
        answer_method: "POST",
        hangup_url: call.statusUrl,
        hangup_method: "POST",
        ring_timeout: call.timeoutSeconds,
      }),
    })) as { request_uuid?: string | string[] };
    const id = Array.isArray(body?.request_uuid) ? body.request_uuid[0] : body?.request_uuid;
    if (typeof id !== "string") throw new Error("Plivo create call: the answer has no request_uuid");
    return { providerCallId: id };
  }

  async hangup(providerCallId: string): Promise<void> {
    try {
      await restCall("Plivo hang up", this.url(`/Call/${encodeURIComponent(providerCallId)}/`), {
        method: "DELETE",
        headers: this.headers(),
      });
    } catch (e) {
      // A call still ringing is known by its request id only.
      if ((e as { status?: number }).status !== 404) throw e;
      await restCall("Plivo cancel call", this.url(`/Request/${encodeURIComponent(providerCallId)}/`), {
        method: "DELETE",
        headers: this.headers(),
      });
    }
  }

  async update(providerCallId: string, reply: Reply): Promise<void> {
    if (reply.say)
      await restCall("Plivo speak", this.url(`/Call/${encodeURIComponent(providerCallId)}/Speak/`), {
        method: "POST",
        headers: this.headers(),
        body: JSON.stringify({ text: reply.say }),
      });
    if (reply.hangup) await this.hangup(providerCallId);
  }
}
