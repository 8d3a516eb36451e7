/**
 * Twilio Programmable Voice: calls are placed and ended through the REST API
 * (`/2010-04-01/Accounts/{sid}/Calls.json`), webhooks are form posts signed with
 * `X-Twilio-Signature`, and answers are TwiML (`<Say>`, `<Gather input="speech">`, `<Hangup/>`).
 */
import { verifyTwilio, type Verdict } from "../signatures.js";
import type { CallState, PlaceCall, ProviderEvent, Reply, VoiceProvider, WebhookRequest } from "../types.js";
import { restCall, xml, basicAuthHeaders } from "./http.js";

const STATUS: Record<string, CallState> = {
  queued: "initiated",
  initiated: "initiated",
  ringing: "ringing",
  "in-progress": "active",
  answered: "answered",
  completed: "completed",
  busy: "busy",
  failed: "failed",
  "no-answer": "no-answer",
  canceled: "failed",
};

export interface TwilioOptions {
  accountSid: string;
  authToken: string;
  apiBaseUrl: string;
  skipSignatureVerification: boolean;
}

export class TwilioProvider implements VoiceProvider {
  readonly name = "twilio" as const;
  constructor(private readonly o: TwilioOptions) {}

  private get calls(): string {
    return `${this.o.apiBaseUrl}/2010-04-01/Accounts/${encodeURIComponent(this.o.accountSid)}/Calls`;
  }

  private auth(): Record<string, string> {
    return basicAuthHeaders(this.o.accountSid, this.o.authToken, "application/x-www-form-urlencoded");
  }

  verify(req: WebhookRequest): Verdict {
    if (this.o.skipSignatureVerification) return { ok: true };
    const sig = req.headers["x-twilio-signature"];
    return verifyTwilio(this.o.authToken, req.url, req.params, Array.isArray(sig) ? sig[0] : sig);
  }

  parse(req: WebhookRequest): ProviderEvent {
    const f = new Map(req.params);
    const sid = f.get("CallSid");
    if (!sid) return { kind: "ignore" };
    const callId = req.query.get("callId") ?? undefined;
    const direction = (f.get("Direction") ?? "").startsWith("outbound") ? "outbound" : "inbound";
    const from = f.get("From") ?? "";
    const to = f.get("To") ?? "";
    const type = req.query.get("type");
    if (type === "status")
      return { kind: "status", callId, providerCallId: sid, state: STATUS[f.get("CallStatus") ?? ""] ?? "active", from, to, direction };
    const speech = f.get("SpeechResult");
    if (type === "gather" || speech !== undefined) return { kind: "speech", callId, providerCallId: sid, text: (speech ?? "").trim() };
    const status = f.get("CallStatus") ?? "";
    if (status && status !== "ringing" && status !== "in-progress" && STATUS[status])
      return { kind: "status", callId, providerCallId: sid, state: STATUS[status], from, to, direction };
    return { kind: "answer", callId, providerCallId: sid, from, to, direction };
  }

  render(reply: Reply): { contentType: string; body: string } {
    return { contentType: "text/xml; charset=utf-8", body: twiml(reply) };
  }

  async place(call: PlaceCall): Promise<{ providerCallId: string }> {
    const form = new URLSearchParams();
    form.set("To", call.to);
    form.set("From", call.from);
    form.set("Url", call.answerUrl);
    form.set("Method", "POST");
    form.set("StatusCallback", call.statusUrl);
    form.set("StatusCallbackMethod", "POST");
    for (const e of ["initiated", "ringing", "answered", "completed"]) form.append("StatusCallbackEvent", e);
    form.set("Timeout", String(call.timeoutSeconds));
    const body = (await restCall("Twilio create call", `${this.calls}.json`, {
      method: "POST",
      headers: this.auth(),
      body: form.toString(),
    })) as {
      sid?: unknown;
    };
    if (typeof body?.sid !== "string") throw new Error("Twilio create call: the answer has no call sid");
    return { providerCallId: body.sid };
  }

  async hangup(providerCallId: string): Promise<void> {
    await restCall("Twilio hang up", `${this.calls}/${encodeURIComponent(providerCallId)}.json`, {
      method: "POST",
      headers: this.auth(),
      body: new URLSearchParams({ Status: "completed" }).toString(),
    });
  }

  async update(providerCallId: string, reply: Reply): Promise<void> {
    await restCall("Twilio update call", `${this.calls}/${encodeURIComponent(providerCallId)}.json`, {
      method: "POST",
      headers: this.auth(),
      body: new URLSearchParams({ Twiml: twiml(reply) }).toString(),
    });
  }
}

export function twiml(reply: Reply): string {
  const parts: string[] = [];
  if (reply.reject) parts.push(`<Reject reason="rejected"/>`);
  else {
    if (reply.streamTwiml) {
      if (reply.say) parts.push(`<Say>${xml(reply.say)}</Say>`);
      parts.push(reply.streamTwiml.replace(/^<\?xml[^>]*>\s*/, "").replace(/^<Response>|<\/Response>\s*$/g, ""));
    } else if (reply.gatherUrl) {
      if (reply.say) parts.push(`<Say>${xml(reply.say)}</Say>`);
      parts.push(`<Gather input="speech" speechTimeout="auto" action="${xml(reply.gatherUrl)}" method="POST"></Gather>`);
      // Nothing heard: ask again rather than drop the call.
      parts.push(`<Redirect method="POST">${xml(reply.gatherUrl)}</Redirect>`);
    } else if (reply.say) parts.push(`<Say>${xml(reply.say)}</Say>`);
    if (reply.pauseSeconds) parts.push(`<Pause length="${Math.floor(reply.pauseSeconds)}"/>`);
    if (reply.hangup) parts.push("<Hangup/>");
  }
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${parts.join("")}</Response>`;
}
