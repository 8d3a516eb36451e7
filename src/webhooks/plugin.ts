/**
 * Webhooks (`hooks.*`): outside systems reach the agent over HTTP on the gateway port.
 *
 * - `POST <hooks.path>/wake {text, mode?}` queues `text` as a system event for the main session and,
 *   with mode `now` (the default), asks for a wake; answers 200 `{ok, mode}`.
 * - `POST <hooks.path>/agent {message, name?, sessionKey?, wakeMode?, deliver?, channel?, to?,
 *   timeoutSeconds?}` starts an agent turn in a session of its own and answers 202 `{ok, runId}` at
 *   once; when the turn ends its reply goes to the chat asked for, and a one-line summary is queued
 *   for the main session.
 * - `POST <hooks.path>/<match.path>` runs a `hooks.mappings` entry (or a preset's) built from the body.
 *
 * Each route checks the hook token itself (not the gateway token), so they are registered as public
 * routes, which `openclaw security audit` lists. Whatever session a caller names is kept under
 * `hook:` (never the owner's main session), and the message always reaches the model fenced as
 * untrusted external content.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { safeEqualSecret } from "../gateway/auth.js";
import type { LateServices, GatewayServices } from "../gateway/services.js";
import type { BuiltinPlugin } from "../plugins/builtin.js";
import type { OpenClawConfig } from "../config/schema.js";
import {
  findMapping,
  HooksConfigError,
  MAX_SESSION_NAME,
  renderOptional,
  renderTemplate,
  resolveHooksConfig,
  type HooksConfig,
  type TemplateContext,
  type WakeMode,
} from "./config.js";
import { suspiciousPatterns, wrapExternalContent } from "./external.js";
import { extractHookToken, headerMap, isJsonContentType, readJsonBody, sendJson, sendText } from "./http.js";

/** Longest reply summary queued for the main session. */
const SUMMARY_CHARS = 500;
/** Hook runs started and not yet finished; more are refused with 429 until some end. */
export const MAX_RUNNING_HOOKS = 32;

export interface AgentHook {
  message: string;
  name: string;
  sessionKey?: string;
  wakeMode: WakeMode;
  deliver: boolean;
  channel: string;
  to?: string;
  /** A model for this hook's session (`provider/model` or an alias). */
  model?: string;
  thinking?: string;
  timeoutSeconds?: number;
}

const THINKING = ["off", "minimal", "low", "medium", "high", "xhigh"];

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() ? v.trim() : undefined);

function channelChoices(s: GatewayServices): string[] {
  return ["last", ...new Set(s.channels.accounts().map((a) => a.channel))];
}

function parseChannel(raw: unknown, s: GatewayServices): Parsed<string> {
  if (raw === undefined) return { ok: true, value: "last" };
  const choices = channelChoices(s);
  const value = typeof raw === "string" ? raw.trim().toLowerCase() : "";
  if (!choices.includes(value)) return { ok: false, error: `channel must be ${choices.join("|")}` };
  return { ok: true, value };
}

export function parseAgentPayload(p: Record<string, unknown>, s: GatewayServices): Parsed<AgentHook> {
  const message = str(p.message);
  if (!message) return { ok: false, error: "message required" };
  const channel = parseChannel(p.channel, s);
  if (!channel.ok) return channel;
  if (p.model !== undefined && !str(p.model)) return { ok: false, error: "model required" };
  const thinking = str(p.thinking)?.toLowerCase();
  if (thinking && !THINKING.includes(thinking)) return { ok: false, error: `thinking must be ${THINKING.join("|")}` };
  const timeout = p.timeoutSeconds;
  return {
    ok: true,
    value: {
      message,
      name: str(p.name) ?? "Hook",
      sessionKey: str(p.sessionKey),
      wakeMode: p.wakeMode === "next-heartbeat" ? "next-heartbeat" : "now",
      deliver: p.deliver !== false,
      channel: channel.value,
      to: str(p.to),
      model: str(p.model),
      thinking,
      timeoutSeconds: typeof timeout === "number" && Number.isFinite(timeout) && timeout > 0 ? Math.floor(timeout) : undefined,
    },
  };
}

/**
 * The session a hook runs in: `hook:<uuid>` by default; a caller's name is kept under `hook:` so it
 * can never be the owner's main session or another chat's.
 */
export function hookSessionName(given: string | undefined): Parsed<string> {
  if (!given) return { ok: true, value: `hook:${randomUUID()}` };
  if (given.length > MAX_SESSION_NAME) return { ok: false, error: `sessionKey is longer than ${MAX_SESSION_NAME} characters` };
  if (/[\u0000-\u001f\u007f]/.test(given)) return { ok: false, error: "sessionKey may not contain control characters" };
  return { ok: true, value: given.startsWith("hook:") ? given : `hook:${given}` };
}

class Webhooks {
  private running = 0;
  constructor(
    private readonly services: LateServices,
    private readonly startConfig: OpenClawConfig,
  ) {}

  private get s(): GatewayServices {
    return this.services.get("webhooks");
  }

  private log() {
    return this.s.logger("hooks");
  }

  /** The settings in force now (a reload may have changed the token or turned hooks off). */
  private current(): HooksConfig | null {
    try {
      return resolveHooksConfig(this.services.ready ? this.s.config() : this.startConfig);
    } catch (e) {
      if (e instanceof HooksConfigError) return null;
      throw e;
    }
  }

  handler(sub: string) {
    return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      const cfg = this.current();
      if (!cfg) return sendText(res, 404, "Not Found");
      const url = new URL(req.url ?? "/", "http://gateway");
      const { token, fromQuery } = extractHookToken(req, url);
      if (!token || !safeEqualSecret(token, cfg.token)) return sendText(res, 401, "Unauthorized");
      if (fromQuery)
        this.log().warn(
          "a webhook sent its token as ?token=, which is deprecated: URLs end up in logs and histories. Send `Authorization: Bearer <token>` or an `x-openclaw-token` header instead.",
        );
      if (req.method !== "POST") return sendText(res, 405, "Method Not Allowed", { allow: "POST" });
      const contentType = req.headers["content-type"];
      if (!isJsonContentType(contentType))
        return sendJson(res, 415, { ok: false, error: `content-type must be application/json (got ${contentType})` });
      const body = await readJsonBody(req, cfg.maxBodyBytes);
      if (!body.ok) {
        // Stop reading an oversized upload: answer, then close the connection.
        return sendJson(res, body.status, { ok: false, error: body.error }, body.status === 413 ? { connection: "close" } : {});
      }
      if (!body.value || typeof body.value !== "object" || Array.isArray(body.value))
        return sendJson(res, 400, { ok: false, error: "body must be a JSON object" });
      const payload = body.value as Record<string, unknown>;

      if (sub === "wake") {
        const text = str(payload.text);
        if (!text) return sendJson(res, 400, { ok: false, error: "text required" });
        const mode: WakeMode = payload.mode === "next-heartbeat" ? "next-heartbeat" : "now";
        this.wake(text, mode);
        return sendJson(res, 200, { ok: true, mode });
      }
      if (sub === "agent") {
        const parsed = parseAgentPayload(payload, this.s);
        if (!parsed.ok) return sendJson(res, 400, { ok: false, error: parsed.error });
        return this.startAgent(res, parsed.value);
      }

      const mapping = findMapping(cfg.mappings, sub, payload);
      if (!mapping) return sendText(res, 404, "Not Found");
      const ctx: TemplateContext = { payload, headers: headerMap(req), query: url.searchParams, path: sub, now: this.s.now() };
      if (mapping.action === "wake") {
        const text = renderTemplate(mapping.textTemplate, ctx).trim();
        if (!text) return sendJson(res, 400, { ok: false, error: "hook mapping requires text" });
        this.wake(text, mapping.wakeMode);
        return sendJson(res, 200, { ok: true, mode: mapping.wakeMode });
      }
      const message = renderTemplate(mapping.messageTemplate, ctx).trim();
      if (!message) return sendJson(res, 400, { ok: false, error: "hook mapping requires message" });
      const channel = parseChannel(mapping.channel, this.s);
      if (!channel.ok) return sendJson(res, 400, { ok: false, error: channel.error });
      return this.startAgent(res, {
        message,
        name: renderOptional(mapping.name, ctx) ?? "Hook",
        sessionKey: renderOptional(mapping.sessionKey, ctx),
        wakeMode: mapping.wakeMode,
        deliver: mapping.deliver !== false,
        channel: channel.value,
        to: renderOptional(mapping.to, ctx),
        model: renderOptional(mapping.model, ctx),
        thinking: renderOptional(mapping.thinking, ctx)?.toLowerCase(),
        timeoutSeconds: mapping.timeoutSeconds,
      });
    };
  }

  private mainSessionKey(): string {
    return this.s.agents.resolveKey(undefined).key;
  }

  wake(text: string, mode: WakeMode): void {
    const events = this.s.agents.systemEvents;
    events.enqueue(this.mainSessionKey(), text);
    if (mode === "now") events.requestWake("hook:wake");
  }

  private startAgent(res: ServerResponse, hook: AgentHook): void {
    const session = hookSessionName(hook.sessionKey);
    if (!session.ok) return sendJson(res, 400, { ok: false, error: session.error });
    if (this.running >= MAX_RUNNING_HOOKS)
      return sendJson(
        res,
        429,
        { ok: false, error: `${MAX_RUNNING_HOOKS} hook runs are already in progress; try again later` },
        { "retry-after": "5" },
      );
    const s = this.s;
    const runId = randomUUID();
    const suspicious = suspiciousPatterns(hook.message);
    if (suspicious.length)
      this.log().warn(
        `webhook "${hook.name}" (run ${runId}) looks like a prompt injection (${suspicious.length} pattern(s)); it is passed on fenced as untrusted`,
      );
    const text = wrapExternalContent(hook.message, { source: "Webhook", name: hook.name, runId, receivedAt: s.now() });
    let handle;
    try {
      if (hook.model || hook.thinking)
        s.agents.patch(session.value, {
          ...(hook.model ? { model: hook.model } : {}),
          ...(hook.thinking && THINKING.includes(hook.thinking) ? { thinkingLevel: hook.thinking } : {}),
        });
      handle = s.agents.send({
        sessionKey: session.value,
        text,
        runId,
        displayName: hook.name,
        senderAuthorized: false,
        ...(hook.timeoutSeconds ? { timeoutMs: hook.timeoutSeconds * 1000 } : {}),
      });
    } catch (e) {
      return sendJson(res, 400, { ok: false, error: (e as Error).message });
    }
    // 202 means the hook's conversation is on disk.
    const ack = () => sendJson(res, 202, { ok: true, runId });
    if (handle.accepted) handle.accepted.then(ack, (e: Error) => sendJson(res, 503, { ok: false, error: e.message }));
    else ack();
    this.running += 1;
    void handle.done
      .finally(() => (this.running -= 1))
      .then(
        (result) => this.finished(hook, result.status, result.text),
        (e: Error) => this.finished(hook, "error", e.message),
      )
      .catch((e: Error) => this.log().warn(`webhook "${hook.name}": ${e.message}`));
  }

  private async finished(hook: AgentHook, status: string, text: string): Promise<void> {
    const s = this.s;
    const log = this.log();
    const reply = text.trim();
    if (hook.deliver && status === "ok" && reply) {
      const target = this.target(hook);
      if (!target) log.info(`webhook "${hook.name}": no chat to deliver the reply to (give channel and to)`);
      else {
        try {
          await s.channels.deliver({ channel: target.channel, to: target.to, text: reply });
        } catch (e) {
          log.warn(`webhook "${hook.name}": could not deliver the reply to ${target.channel} ${target.to}: ${(e as Error).message}`);
        }
      }
    }
    const summary = reply.length > SUMMARY_CHARS ? `${reply.slice(0, SUMMARY_CHARS)}…` : reply || "(no reply)";
    try {
      s.agents.systemEvents.enqueue(
        this.mainSessionKey(),
        status === "ok" ? `Hook ${hook.name}: ${summary}` : `Hook ${hook.name} (${status}): ${summary}`,
      );
      if (hook.wakeMode === "now") s.agents.systemEvents.requestWake(`hook:${hook.name}`);
    } catch (e) {
      log.warn(`webhook "${hook.name}": could not note the result for the main session: ${(e as Error).message}`);
    }
  }

  /** Where the reply goes: the named chat, or (channel `last`) the chat the main session last spoke in. */
  private target(hook: AgentHook): { channel?: string; to: string } | null {
    if (hook.channel !== "last") return hook.to ? { channel: hook.channel, to: hook.to } : this.lastRoute(hook.channel);
    return hook.to ? { to: hook.to } : this.lastRoute();
  }

  private lastRoute(channel?: string): { channel: string; to: string } | null {
    const { key, agentId } = this.s.agents.resolveKey(undefined);
    const entry = this.s.agents.store(agentId).get(key) as
      { deliveryContext?: { channel?: string; to?: string }; lastChannel?: string; lastTo?: string } | undefined;
    const last = entry?.deliveryContext?.channel ? entry.deliveryContext : { channel: entry?.lastChannel, to: entry?.lastTo };
    if (!last.channel || !last.to) return null;
    if (channel && last.channel !== channel) return null;
    return { channel: last.channel, to: last.to };
  }
}

export function webhooksPlugin(services: LateServices): BuiltinPlugin {
  return {
    id: "webhooks",
    name: "Webhooks",
    description: "POST <hooks.path>/wake, /agent and mapped hooks, guarded by hooks.token",
    register(api) {
      const config = api.config as OpenClawConfig;
      let cfg: HooksConfig | null;
      try {
        cfg = resolveHooksConfig(config);
      } catch (e) {
        if (!(e instanceof HooksConfigError)) throw e;
        api.logger.error(`webhooks are off: ${e.message}`);
        return;
      }
      if (!cfg) return;
      if (cfg.ignored.length) api.logger.warn(`webhooks: not acted on here: ${cfg.ignored.join(", ")}`);
      const hooks = new Webhooks(services, config);
      const subs = ["wake", "agent", ...new Set(cfg.mappings.map((m) => m.path))];
      for (const sub of subs) {
        // Public: each route checks the hook token itself; the gateway token is not asked for.
        const route = { path: `${cfg.basePath}/${sub}`, handler: hooks.handler(sub), public: true };
        api.registerHttpRoute(route);
      }
      api.logger.info(`webhooks on ${subs.map((s) => `${cfg.basePath}/${s}`).join(", ")}`);
    },
  };
}
