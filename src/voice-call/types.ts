/** Shapes shared by the call manager, the providers and the webhook route. */
import type { Verdict, Params } from "./signatures.js";
import type { ProviderName } from "./config.js";

export type CallState =
  | "initiated"
  | "ringing"
  | "answered"
  | "active"
  | "speaking"
  | "listening"
  | "completed"
  | "hangup-user"
  | "hangup-bot"
  | "timeout"
  | "error"
  | "failed"
  | "no-answer"
  | "busy"
  | "voicemail";

export const TERMINAL = new Set<CallState>([
  "completed",
  "hangup-user",
  "hangup-bot",
  "timeout",
  "error",
  "failed",
  "no-answer",
  "busy",
  "voicemail",
]);

export interface TranscriptEntry {
  timestamp: number;
  speaker: "bot" | "user";
  text: string;
  isFinal: boolean;
}

export interface CallRecord {
  callId: string;
  providerCallId?: string;
  provider: ProviderName;
  direction: "inbound" | "outbound";
  state: CallState;
  from: string;
  to: string;
  sessionKey?: string;
  startedAt: number;
  answeredAt?: number;
  endedAt?: number;
  endReason?: CallState;
  transcript: TranscriptEntry[];
  processedEventIds: string[];
  metadata?: Record<string, unknown>;
}

/** One webhook request as the route received it. */
export interface WebhookRequest {
  method: string;
  /** The URL the provider signed: the public webhook URL plus this request's query. */
  url: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  /** Form fields in order (form-urlencoded bodies). */
  params: Params;
}

/** What a provider's webhook told us, in the manager's terms. */
export type ProviderEvent =
  | {
      kind: "status";
      callId?: string;
      providerCallId: string;
      state: CallState;
      from?: string;
      to?: string;
      direction?: "inbound" | "outbound";
    }
  | { kind: "answer"; callId?: string; providerCallId: string; from: string; to: string; direction: "inbound" | "outbound" }
  | { kind: "speech"; callId?: string; providerCallId: string; text: string }
  | { kind: "ignore" };

/** What to tell the caller in a webhook response, rendered by the provider (TwiML for Twilio). */
export interface Reply {
  say?: string;
  /** Listen for speech and post it back here. */
  gatherUrl?: string;
  /** Connect a media stream instead of gathering (already-rendered TwiML from the media side). */
  streamTwiml?: string;
  pauseSeconds?: number;
  hangup?: boolean;
  reject?: boolean;
}

export interface PlaceCall {
  callId: string;
  from: string;
  to: string;
  answerUrl: string;
  statusUrl: string;
  timeoutSeconds: number;
}

export interface VoiceProvider {
  readonly name: ProviderName;
  verify(req: WebhookRequest, nowMs: number): Verdict;
  parse(req: WebhookRequest): ProviderEvent;
  render(reply: Reply): { contentType: string; body: string };
  place(call: PlaceCall): Promise<{ providerCallId: string }>;
  hangup(providerCallId: string): Promise<void>;
  /** Speak into a live call (replacing what it does now with `reply`). */
  update(providerCallId: string, reply: Reply): Promise<void>;
  /** Call-control providers: carry out a webhook's reply through the API (the webhook answer itself is empty). */
  act?(providerCallId: string, reply: Reply): Promise<void>;
  stop?(): void;
}
