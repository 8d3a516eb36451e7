/**
 * The call manager: the calls in memory (and in `calls.jsonl`), their states as the provider reports
 * them, the limits (ring timeout, longest call, calls at once), who may call in, and what is said:
 * a notify call says its message and hangs up; a conversation call hands each thing the caller says
 * to the gateway's agent (session `voice:<digits of the caller's number>`) and says the answer.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "../infra/logger.js";
import { CONFIG_PATH, type VoiceCallConfig } from "./config.js";
import type { MediaCallbacks, MediaSession } from "./seams.js";
import type { CallStore } from "./store.js";
import { TERMINAL, type CallRecord, type CallState, type ProviderEvent, type Reply, type VoiceProvider } from "./types.js";

/** Calls kept in memory after they end (for status), newest kept. */
const MAX_REMEMBERED = 500;
/** The most transcript entries kept per call. */
const MAX_TRANSCRIPT = 200;
const MAX_TEXT = 4000;
/** Twilio waits 15 s for a webhook answer; past this the caller hears "one moment" and the answer follows. */
const WEBHOOK_ANSWER_MS = 10_000;

export type Result<T extends object = object> = ({ success: true } & T) | { success: false; error: string };

/** Runs the agent on what a caller said; the reply text, or null when there is none. */
export type AgentBridge = (call: CallRecord, text: string) => Promise<string | null>;

export interface ManagerDeps {
  config: VoiceCallConfig;
  provider: VoiceProvider;
  store: CallStore;
  /** The public webhook URL (null: none known yet). */
  webhookUrl(): string | null;
  agent: AgentBridge | null;
  log: Logger;
  now(): number;
  /** Media streaming, when the media side is wired and `streaming.enabled`. */
  media?: { sessions: Map<string, MediaSession>; streamTwiml(callId: string): string };
}

export type InitiateOptions = { message?: string; mode?: "notify" | "conversation" };

const withQuery = (base: string, q: Record<string, string>): string => {
  const u = new URL(base);
  for (const [k, v] of Object.entries(q)) u.searchParams.set(k, v);
  return u.toString();
};

export class CallManager {
  private calls = new Map<string, CallRecord>();
  private byProvider = new Map<string, string>();
  private timers = new Map<string, NodeJS.Timeout[]>();
  private waiters = new Map<string, Array<(text: string | null) => void>>();

  constructor(private readonly d: ManagerDeps) {}

  /** Reads `calls.jsonl` back: every call is known again, and calls still active get their limits back. */
  restore(): number {
    const all = this.d.store.load().slice(-MAX_REMEMBERED);
    let active = 0;
    for (const call of all) {
      this.remember(call);
      if (!TERMINAL.has(call.state)) {
        active += 1;
        this.armDuration(call);
      }
    }
    return active;
  }

  getCall(id: string): CallRecord | undefined {
    return this.calls.get(id);
  }

  getCallByProviderCallId(id: string): CallRecord | undefined {
    const callId = this.byProvider.get(id);
    return callId ? this.calls.get(callId) : undefined;
  }

  activeCalls(): CallRecord[] {
    return [...this.calls.values()].filter((c) => !TERMINAL.has(c.state));
  }

  private remember(call: CallRecord): void {
    this.calls.set(call.callId, call);
    if (call.providerCallId) this.byProvider.set(call.providerCallId, call.callId);
    if (this.calls.size > MAX_REMEMBERED) {
      for (const [id, c] of this.calls) {
        if (this.calls.size <= MAX_REMEMBERED) break;
        if (TERMINAL.has(c.state)) {
          this.calls.delete(id);
          if (c.providerCallId) this.byProvider.delete(c.providerCallId);
        }
      }
    }
  }

  private persist(call: CallRecord): void {
    this.d.store.append(call);
  }

  private mode(call: CallRecord): "notify" | "conversation" {
    return call.metadata?.mode === "notify" ? "notify" : "conversation";
  }

  private note(call: CallRecord, speaker: "bot" | "user", text: string): void {
    call.transcript.push({ timestamp: this.d.now(), speaker, text: text.slice(0, MAX_TEXT), isFinal: true });
    if (call.transcript.length > MAX_TRANSCRIPT) call.transcript.splice(0, call.transcript.length - MAX_TRANSCRIPT);
  }

  private urls(base: string, callId: string) {
    return {
      answer: withQuery(base, { callId }),
      status: withQuery(base, { callId, type: "status" }),
      gather: withQuery(base, { callId, type: "gather" }),
    };
  }

  async initiateCall(to: string, sessionKey: string | undefined, opts: InitiateOptions = {}): Promise<Result<{ callId: string }>> {
    const cfg = this.d.config;
    if (!/^\+[1-9]\d{1,14}$/.test(to))
      return { success: false, error: `to must be an E.164 phone number such as +15550001234 (got ${JSON.stringify(to)})` };
    if (!cfg.fromNumber) return { success: false, error: `${CONFIG_PATH}.fromNumber is required to place calls` };
    const active = this.activeCalls().length;
    if (active >= cfg.maxConcurrentCalls)
      return {
        success: false,
        error: `maxConcurrentCalls (${cfg.maxConcurrentCalls}) reached: ${active} call(s) in progress; end one first or raise ${CONFIG_PATH}.maxConcurrentCalls`,
      };
    const base = this.d.webhookUrl();
    if (!base)
      return {
        success: false,
        error: `no public webhook URL is known: set ${CONFIG_PATH}.publicUrl (the URL the provider can reach ${cfg.serve.path} at) or ${CONFIG_PATH}.tunnel.provider`,
      };
    const callId = randomUUID();
    const mode = opts.mode ?? cfg.outbound.defaultMode;
    const call: CallRecord = {
      callId,
      provider: this.d.provider.name,
      direction: "outbound",
      state: "initiated",
      from: cfg.fromNumber,
      to,
      sessionKey: sessionKey ?? `voice:${to.replace(/\D/g, "")}`,
      startedAt: this.d.now(),
      transcript: [],
      processedEventIds: [],
      metadata: { mode, ...(opts.message ? { initialMessage: opts.message.slice(0, MAX_TEXT) } : {}) },
    };
    try {
      this.persist(call);
    } catch (e) {
      return { success: false, error: (e as Error).message };
    }
    this.remember(call);
    const urls = this.urls(base, callId);
    try {
      const { providerCallId } = await this.d.provider.place({
        callId,
        from: cfg.fromNumber,
        to,
        answerUrl: urls.answer,
        statusUrl: urls.status,
        timeoutSeconds: Math.max(5, Math.ceil(cfg.ringTimeoutMs / 1000)),
      });
      call.providerCallId = providerCallId;
      this.byProvider.set(providerCallId, callId);
    } catch (e) {
      this.finish(call, "failed");
      return { success: false, error: (e as Error).message };
    }
    try {
      this.persist(call);
    } catch (e) {
      this.d.log.error(`voice call ${callId}: ${(e as Error).message}`);
    }
    this.arm(call, cfg.ringTimeoutMs, () => {
      if (call.state === "initiated" || call.state === "ringing") {
        this.d.log.info(`voice call ${callId}: nobody answered within ${cfg.ringTimeoutMs} ms`);
        void this.hangupQuietly(call);
        this.finish(call, "no-answer");
      }
    });
    this.d.log.info(`voice call ${callId} to ${to} placed (${mode})`);
    return { success: true, callId };
  }

  async continueCall(callId: string, message: string): Promise<Result<{ transcript: string }>> {
    const call = this.calls.get(callId);
    if (!call) return { success: false, error: `no call ${callId}` };
    if (TERMINAL.has(call.state)) return { success: false, error: `call ${callId} has ended (${call.state})` };
    const heard = this.nextTranscript(callId, this.d.config.transcriptTimeoutMs);
    const spoken = await this.speak(callId, message);
    if (!spoken.success) {
      this.dropWaiters(callId);
      return spoken;
    }
    const text = await heard;
    if (text === null)
      return { success: false, error: `nothing heard within ${this.d.config.transcriptTimeoutMs} ms (transcriptTimeoutMs)` };
    return { success: true, transcript: text };
  }

  async speak(callId: string, message: string): Promise<Result> {
    const call = this.calls.get(callId);
    if (!call) return { success: false, error: `no call ${callId}` };
    if (TERMINAL.has(call.state)) return { success: false, error: `call ${callId} has ended (${call.state})` };
    if (!call.providerCallId) return { success: false, error: `call ${callId} is not connected yet` };
    const session = this.d.media?.sessions.get(call.providerCallId);
    try {
      if (session) await session.speak(message);
      else {
        const base = this.d.webhookUrl();
        const reply: Reply = base ? { say: message, gatherUrl: this.urls(base, callId).gather } : { say: message };
        await this.d.provider.update(call.providerCallId, reply);
      }
    } catch (e) {
      return { success: false, error: (e as Error).message };
    }
    this.note(call, "bot", message);
    try {
      this.persist(call);
    } catch (e) {
      return { success: false, error: (e as Error).message };
    }
    return { success: true };
  }

  async endCall(callId: string): Promise<Result> {
    const call = this.calls.get(callId) ?? this.getCallByProviderCallId(callId);
    if (!call) return { success: false, error: `no call ${callId}` };
    if (TERMINAL.has(call.state)) return { success: true };
    if (call.providerCallId) {
      try {
        await this.d.provider.hangup(call.providerCallId);
      } catch (e) {
        return { success: false, error: (e as Error).message };
      }
    }
    try {
      this.finish(call, "hangup-bot", true);
    } catch (e) {
      return { success: false, error: (e as Error).message };
    }
    return { success: true };
  }

  /** What to answer a provider's webhook with; `base` is the public webhook URL this request came to. */
  async handle(ev: ProviderEvent, base: string): Promise<Reply | null> {
    if (ev.kind === "ignore") return null;
    let call = (ev.callId ? this.calls.get(ev.callId) : undefined) ?? this.getCallByProviderCallId(ev.providerCallId);
    if (!call) {
      if (ev.kind !== "answer" || ev.direction !== "inbound") return ev.kind === "answer" ? { reject: true } : null;
      return this.inbound(ev, base);
    }
    if (call.providerCallId !== ev.providerCallId) {
      // Some providers name a call by its request first and by the call itself once it connects.
      call.providerCallId = ev.providerCallId;
      this.byProvider.set(ev.providerCallId, call.callId);
    }
    if (ev.kind === "status") {
      if (TERMINAL.has(ev.state)) this.finish(call, ev.state, true);
      else if (!TERMINAL.has(call.state)) this.moveTo(call, ev.state);
      return null;
    }
    if (TERMINAL.has(call.state)) return { hangup: true };
    if (ev.kind === "answer") {
      this.moveTo(call, "active");
      const message = typeof call.metadata?.initialMessage === "string" ? call.metadata.initialMessage : undefined;
      if (this.mode(call) === "notify") {
        if (message) this.note(call, "bot", message);
        this.persist(call);
        return { say: message ?? "", pauseSeconds: this.d.config.outbound.notifyHangupDelaySec, hangup: true };
      }
      if (message) this.note(call, "bot", message);
      this.persist(call);
      return this.listen(call, base, message);
    }
    // Speech.
    const text = ev.text.slice(0, MAX_TEXT);
    if (!text) return this.listen(call, base);
    this.note(call, "user", text);
    this.moveTo(call, "listening");
    this.persist(call);
    if (this.deliverToWaiter(call.callId, text)) return this.listen(call, base);
    return this.answer(call, text, base);
  }

  private listen(call: CallRecord, base: string, say?: string): Reply {
    if (this.d.media) return { ...(say ? { say } : {}), streamTwiml: this.d.media.streamTwiml(call.callId) };
    return { ...(say ? { say } : {}), gatherUrl: this.urls(base, call.callId).gather };
  }

  private async answer(call: CallRecord, text: string, base: string): Promise<Reply> {
    if (!this.d.agent) return this.listen(call, base);
    const pending = this.d.agent(call, text).catch((e: Error) => {
      this.d.log.warn(`voice call ${call.callId}: the agent failed: ${e.message}`);
      return null;
    });
    let timer: NodeJS.Timeout | undefined;
    const late = Symbol("late");
    const first = await Promise.race([pending, new Promise<typeof late>((r) => (timer = setTimeout(() => r(late), WEBHOOK_ANSWER_MS)))]);
    clearTimeout(timer);
    if (first === late) {
      // Keep the line open; the answer is spoken into the live call when it comes.
      void pending.then(async (reply) => {
        if (reply && !TERMINAL.has(call.state)) await this.speak(call.callId, reply);
      });
      return this.listen(call, base, "One moment.");
    }
    if (!first) return this.listen(call, base);
    this.note(call, "bot", first);
    this.moveTo(call, "speaking");
    this.persist(call);
    return this.listen(call, base, first);
  }

  private inbound(ev: Extract<ProviderEvent, { kind: "answer" }>, base: string): Reply {
    const cfg = this.d.config;
    const from = ev.from;
    const allowed =
      cfg.inboundPolicy === "open" ||
      ((cfg.inboundPolicy === "allowlist" || cfg.inboundPolicy === "pairing") && cfg.allowFrom.includes(from));
    if (!allowed) {
      this.d.log.info(`voice call from ${from || "an unknown number"} refused (inboundPolicy ${cfg.inboundPolicy})`);
      return { reject: true };
    }
    if (this.activeCalls().length >= cfg.maxConcurrentCalls) {
      this.d.log.info(`voice call from ${from} refused: maxConcurrentCalls (${cfg.maxConcurrentCalls}) reached`);
      return { reject: true };
    }
    const call: CallRecord = {
      callId: randomUUID(),
      providerCallId: ev.providerCallId,
      provider: this.d.provider.name,
      direction: "inbound",
      state: "active",
      from,
      to: ev.to,
      sessionKey: `voice:${from.replace(/\D/g, "")}`,
      startedAt: this.d.now(),
      answeredAt: this.d.now(),
      transcript: [],
      processedEventIds: [],
      metadata: { mode: "conversation" },
    };
    const greeting = cfg.inboundGreeting ?? "Hello! How can I help you?";
    this.note(call, "bot", greeting);
    this.persist(call);
    this.remember(call);
    this.armDuration(call);
    this.d.log.info(`voice call ${call.callId} from ${from} answered`);
    return this.listen(call, base, greeting);
  }

  private moveTo(call: CallRecord, state: CallState): void {
    if (call.state === state) return;
    const answeredNow = (state === "answered" || state === "active") && !call.answeredAt;
    call.state = state;
    if (answeredNow) {
      call.answeredAt = this.d.now();
      this.clearTimers(call.callId);
      this.armDuration(call);
    }
    this.persist(call);
  }

  private finish(call: CallRecord, reason: CallState, strict = false): void {
    if (TERMINAL.has(call.state)) return;
    call.state = reason;
    call.endReason = reason;
    call.endedAt = this.d.now();
    this.clearTimers(call.callId);
    this.dropWaiters(call.callId);
    if (call.providerCallId) this.d.media?.sessions.get(call.providerCallId)?.close();
    try {
      this.persist(call);
    } catch (e) {
      if (strict) throw e;
      this.d.log.error(`voice call ${call.callId}: ${(e as Error).message}`);
    }
    this.d.log.info(`voice call ${call.callId} ended (${reason})`);
  }

  private armDuration(call: CallRecord): void {
    const limit = this.d.config.maxDurationSeconds * 1000;
    const since = call.answeredAt ?? call.startedAt;
    this.arm(call, Math.max(0, since + limit - this.d.now()), () => {
      this.d.log.info(`voice call ${call.callId}: maxDurationSeconds (${this.d.config.maxDurationSeconds}) reached; hanging up`);
      void this.hangupQuietly(call);
      this.finish(call, "timeout");
    });
  }

  private arm(call: CallRecord, ms: number, fn: () => void): void {
    const t = setTimeout(fn, ms);
    t.unref();
    this.timers.set(call.callId, [...(this.timers.get(call.callId) ?? []), t]);
  }

  private clearTimers(callId: string): void {
    for (const t of this.timers.get(callId) ?? []) clearTimeout(t);
    this.timers.delete(callId);
  }

  private async hangupQuietly(call: CallRecord): Promise<void> {
    if (!call.providerCallId) return;
    try {
      await this.d.provider.hangup(call.providerCallId);
    } catch (e) {
      this.d.log.warn(`voice call ${call.callId}: hang-up failed: ${(e as Error).message}`);
    }
  }

  private nextTranscript(callId: string, timeoutMs: number): Promise<string | null> {
    return new Promise((resolve) => {
      const t = setTimeout(() => done(null), timeoutMs);
      t.unref();
      const done = (text: string | null) => {
        clearTimeout(t);
        const list = this.waiters.get(callId) ?? [];
        const i = list.indexOf(done);
        if (i >= 0) list.splice(i, 1);
        resolve(text);
      };
      this.waiters.set(callId, [...(this.waiters.get(callId) ?? []), done]);
    });
  }

  private deliverToWaiter(callId: string, text: string): boolean {
    const list = this.waiters.get(callId);
    if (!list?.length) return false;
    for (const w of [...list]) w(text);
    return true;
  }

  private dropWaiters(callId: string): void {
    for (const w of [...(this.waiters.get(callId) ?? [])]) w(null);
    this.waiters.delete(callId);
  }

  /** The media side's callbacks for a stream that started on `callSid`. */
  /**
   * A media stream opened for a call. `callId` is the stream parameter our TwiML gave it: a random
   * id only the provider saw, so a stream opened by anyone else (with a guessed call sid) is refused.
   */
  mediaStarted(callSid: string, callId: string | undefined): MediaCallbacks | null {
    const call = this.getCallByProviderCallId(callSid);
    if (!call || TERMINAL.has(call.state) || !callId || call.callId !== callId) return null;
    return {
      onTranscript: (text, final) => {
        if (!final || !text.trim()) return;
        const t = text.trim().slice(0, MAX_TEXT);
        this.note(call, "user", t);
        try {
          this.persist(call);
        } catch (e) {
          this.d.log.error(`voice call ${call.callId}: ${(e as Error).message}`);
        }
        if (this.deliverToWaiter(call.callId, t) || !this.d.agent) return;
        void this.d.agent(call, t).then(
          (reply) => (reply && !TERMINAL.has(call.state) ? this.speak(call.callId, reply) : undefined),
          (e: Error) => this.d.log.warn(`voice call ${call.callId}: the agent failed: ${e.message}`),
        );
      },
      onSpeechStart: () => this.d.media?.sessions.get(callSid)?.clear(),
      onClose: () => undefined,
    };
  }

  stop(): void {
    for (const id of [...this.timers.keys()]) this.clearTimers(id);
    for (const id of [...this.waiters.keys()]) this.dropWaiters(id);
  }
}
