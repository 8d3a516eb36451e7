/**
 * Voice calls (OpenClaw's `voice-call` plugin, built in): the `voicecall.*` gateway methods, the
 * `voice_call` tool, and the provider webhook at `serve.path` on the gateway port (a public route:
 * each request is checked against the provider's signature instead of the gateway token), or on a
 * listener of its own when `serve.port` is set.
 *
 * Active only when `plugins.entries.voice-call.enabled` is true. Only the config and the route load
 * with the gateway; the providers and the call manager load on first use.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import * as z from "zod";
import type { OpenClawConfig } from "../config/schema.js";
import { defineMethod, type MethodTable } from "../gateway/context.js";
import { ErrorCodes, MethodError } from "../gateway/protocol/frames.js";
import type { LateServices } from "../gateway/services.js";
import type { BuiltinPlugin } from "../plugins/builtin.js";
import type { PluginTool } from "../plugins/registry.js";
import { defineTool, type ToolResult } from "../tools/registry.js";
import {
  blockingPieces,
  missingPieces,
  parseVoiceCallConfig,
  voiceCallEnabled,
  voiceCallEntry,
  VoiceCallConfigError,
  withEnvFallbacks,
  type VoiceCallConfig,
} from "./config.js";
import { builtinSeams, type VoiceCallSeams } from "./seams.js";
import type { VoiceCallRuntime } from "./runtime.js";
import type { CallRecord } from "./types.js";

type Runtime = VoiceCallRuntime;

const loose = () => {
  const text = z.string().max(4000).optional();
  return z.looseObject({ to: text, message: text, mode: text, callId: text, sid: text });
};
type LooseParams = z.infer<ReturnType<typeof loose>>;

const trim = (v: unknown) => (typeof v === "string" ? v.trim() : "");

/** The voice-call runtime, built once on first use. */
class VoiceCalls {
  private rt: Promise<Runtime> | null = null;
  private loaded: Runtime | null = null;
  private resolved: VoiceCallConfig | null = null;
  constructor(
    private readonly services: LateServices,
    private readonly parsed: VoiceCallConfig,
    private readonly rawConfig: Record<string, unknown>,
    private readonly seams: VoiceCallSeams,
  ) {}

  /** The config with credentials filled from the gateway's environment (once the gateway is built). */
  get config(): VoiceCallConfig {
    if (this.resolved) return this.resolved;
    if (!this.services.ready) return withEnvFallbacks(this.parsed, process.env);
    this.resolved = withEnvFallbacks(this.parsed, this.services.get("voice-call").env as Record<string, string | undefined>);
    return this.resolved;
  }

  runtime(): Promise<Runtime> {
    const missing = blockingPieces(this.config);
    if (missing.length) return Promise.reject(new Error(missing.join("; ")));
    this.rt ??= this.build().catch((e: unknown) => {
      this.rt = null;
      throw e;
    });
    return this.rt;
  }

  private async build(): Promise<Runtime> {
    const s = this.services.get("voice-call");
    const { VoiceCallRuntime } = await import("./runtime.js");
    const { storeDir } = await import("./store.js");
    const cfg = s.config();
    const log = s.logger("voice-call");
    const rt = new VoiceCallRuntime({
      config: this.config,
      storeDir: storeDir(this.config.store, s.stateDir),
      env: s.env as Record<string, string | undefined>,
      log,
      now: () => s.now(),
      agent: (call, text) => this.agentTurn(call, text),
      trustedProxies: (cfg as OpenClawConfig).gateway?.trustedProxies ?? [],
      // The build's own media and tunnel sides, unless the caller gave its own.
      seams: { ...(await builtinSeams()), ...this.seams },
      messagesTts: (cfg as { messages?: { tts?: Record<string, unknown> } }).messages?.tts,
      stateDir: s.stateDir,
    });
    this.loaded = rt;
    return rt;
  }

  /** One agent turn on what a caller said, in the caller's voice session. */
  private async agentTurn(call: CallRecord, text: string): Promise<string | null> {
    const s = this.services.get("voice-call");
    const sessionKey = call.sessionKey ?? `voice:${(call.direction === "inbound" ? call.from : call.to).replace(/\D/g, "")}`;
    if (typeof this.rawConfig.responseModel === "string") s.agents.patch(sessionKey, { model: this.config.responseModel });
    const prompt =
      this.config.responseSystemPrompt ??
      "You are on a phone call. Your reply is spoken aloud: answer in one to three short sentences, with no markdown, lists or links.";
    const handle = s.agents.send({
      sessionKey,
      text,
      displayName: `Phone ${call.direction === "inbound" ? call.from : call.to}`,
      senderAuthorized: false,
      extraSystemPrompt: prompt,
      timeoutMs: this.config.responseTimeoutMs,
    });
    const result = await handle.done;
    const reply = result.text?.trim();
    return result.status === "ok" && reply ? reply : null;
  }

  async handleWebhook(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let rt: Runtime;
    try {
      rt = await this.runtime();
    } catch (e) {
      this.services
        .get("voice-call")
        .logger("voice-call")
        .error(`voice webhook refused: ${(e as Error).message}`);
      res.writeHead(503, { "content-type": "text/plain; charset=utf-8" });
      res.end("voice calls are not configured; see `openclaw doctor`");
      return;
    }
    await rt.handleWebhook(req, res);
  }

  /**
   * A WebSocket upgrade on `streaming.streamPath`, for the media-stream server (the stream
   * authenticates itself); refused while streaming is off or the runtime cannot start.
   */
  handleMediaUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    void this.runtime().then(
      (rt) => (rt.media ? rt.media.handleUpgrade(req, socket, head) : socket.destroy()),
      () => socket.destroy(),
    );
  }

  async stop(): Promise<void> {
    const rt = this.loaded;
    this.loaded = null;
    this.rt = null;
    await rt?.stop();
  }
}

const fail = (message: string): never => {
  throw new MethodError(ErrorCodes.UNAVAILABLE, message);
};
const bad = (message: string): never => {
  throw new MethodError(ErrorCodes.INVALID_REQUEST, message);
};

async function initiate(vc: VoiceCalls, p: LooseParams, needMessage: boolean) {
  const message = trim(p.message);
  if (needMessage && !message) bad("message required");
  const rt = await vc.runtime().catch((e: Error) => fail(e.message));
  const to = trim(p.to) || vc.config.toNumber;
  if (!to) bad("to required");
  const mode = p.mode === "notify" || p.mode === "conversation" ? p.mode : undefined;
  const r = await rt.manager.initiateCall(to!, undefined, { message: message || undefined, mode });
  if (!r.success) fail(r.error || "initiate failed");
  return { callId: (r as { callId: string }).callId, initiated: true };
}

function statusOf(rt: Runtime, id: string) {
  const call = rt.manager.getCall(id) ?? rt.manager.getCallByProviderCallId(id);
  return call ? { found: true, call } : { found: false };
}

export function voiceCallMethods(vc: VoiceCalls): MethodTable {
  const rt = () => vc.runtime().catch((e: Error) => fail(e.message));
  const need = (p: LooseParams, withMessage: boolean) => {
    const callId = trim(p.callId);
    const message = trim(p.message);
    if (withMessage && (!callId || !message)) bad("callId and message required");
    if (!callId) bad("callId required");
    return { callId, message };
  };
  return {
    "voicecall.initiate": defineMethod({ scope: "operator.write", params: loose, handler: (p) => initiate(vc, p, true) }),
    "voicecall.start": defineMethod({
      scope: "operator.write",
      params: loose,
      handler: (p) => (trim(p.to) ? initiate(vc, p, false) : bad("to required")),
    }),
    "voicecall.continue": defineMethod({
      scope: "operator.write",
      params: loose,
      handler: async (p) => {
        const { callId, message } = need(p, true);
        const r = await (await rt()).manager.continueCall(callId, message);
        if (!r.success) fail(r.error || "continue failed");
        return { success: true, transcript: (r as { transcript: string }).transcript };
      },
    }),
    "voicecall.speak": defineMethod({
      scope: "operator.write",
      params: loose,
      handler: async (p) => {
        const { callId, message } = need(p, true);
        const r = await (await rt()).manager.speak(callId, message);
        if (!r.success) fail(r.error || "speak failed");
        return { success: true };
      },
    }),
    "voicecall.end": defineMethod({
      scope: "operator.write",
      params: loose,
      handler: async (p) => {
        const { callId } = need(p, false);
        const r = await (await rt()).manager.endCall(callId);
        if (!r.success) fail(r.error || "end failed");
        return { success: true };
      },
    }),
    "voicecall.status": defineMethod({
      scope: "operator.read",
      params: loose,
      handler: async (p) => {
        const id = trim(p.callId) || trim(p.sid);
        if (!id) bad("callId required");
        return statusOf(await rt(), id);
      },
    }),
  };
}

const json = (value: unknown): ToolResult => ({ text: JSON.stringify(value, null, 2), details: value });

export function voiceCallTool(vc: VoiceCalls) {
  return defineTool({
    name: "voice_call",
    description:
      "Make phone calls and talk on them. Actions: initiate_call (to?, message, mode notify|conversation), continue_call (callId, message: " +
      "say it and wait for the answer), speak_to_user (callId, message), end_call (callId), get_status (callId). " +
      "Without action: mode call (to?, message?) or status (sid).",
    args: () =>
      z.object({
        action: z.enum(["initiate_call", "continue_call", "speak_to_user", "end_call", "get_status"]).optional(),
        to: z.string().max(32).optional(),
        message: z.string().max(4000).optional(),
        mode: z.enum(["notify", "conversation", "call", "status"]).optional(),
        callId: z.string().max(128).optional(),
        sid: z.string().max(128).optional(),
      }),
    async run(args, ctx) {
      if (ctx.senderAuthorized === false) return json({ error: "The voice_call tool is only for the owner or an allowlisted sender." });
      try {
        const rt = await vc.runtime();
        const m = rt.manager;
        const callId = trim(args.callId);
        const message = trim(args.message);
        const need = (...v: string[]) => {
          if (v.some((x) => !x)) throw new Error(message ? "callId required" : callId ? "message required" : "callId and message required");
        };
        switch (args.action) {
          case "initiate_call": {
            if (!message) throw new Error("message required");
            const to = trim(args.to) || vc.config.toNumber;
            if (!to) throw new Error("to required");
            const mode = args.mode === "notify" || args.mode === "conversation" ? args.mode : undefined;
            const r = await m.initiateCall(to, undefined, { message, mode });
            if (!r.success) throw new Error(r.error || "initiate failed");
            return json({ callId: r.callId, initiated: true });
          }
          case "continue_call": {
            need(callId, message);
            const r = await m.continueCall(callId, message);
            if (!r.success) throw new Error(r.error || "continue failed");
            return json({ success: true, transcript: r.transcript });
          }
          case "speak_to_user": {
            need(callId, message);
            const r = await m.speak(callId, message);
            if (!r.success) throw new Error(r.error || "speak failed");
            return json({ success: true });
          }
          case "end_call": {
            if (!callId) throw new Error("callId required");
            const r = await m.endCall(callId);
            if (!r.success) throw new Error(r.error || "end failed");
            return json({ success: true });
          }
          case "get_status":
            if (!callId) throw new Error("callId required");
            return json(statusOf(rt, callId));
        }
        if (args.mode === "status") {
          const sid = trim(args.sid);
          if (!sid) throw new Error("sid required for status");
          return json(statusOf(rt, sid));
        }
        const to = trim(args.to) || vc.config.toNumber;
        if (!to) throw new Error("to required for call");
        const r = await m.initiateCall(to, undefined, { message: message || undefined });
        if (!r.success) throw new Error(r.error || "initiate failed");
        return json({ callId: r.callId, initiated: true });
      } catch (e) {
        return json({ error: (e as Error).message });
      }
    },
  });
}

/** `seams`: the media-stream and tunnel sides, when they are part of the build. */
export function voiceCallPlugin(services: LateServices, seams: VoiceCallSeams = {}): BuiltinPlugin {
  return {
    id: "voice-call",
    name: "Voice Call",
    description: "Phone calls through Twilio: voicecall.* methods, the voice_call tool and the provider webhook",
    register(api) {
      if (!voiceCallEnabled(api.config)) return;
      const raw = (voiceCallEntry(api.config)?.config ?? {}) as Record<string, unknown>;
      let config: VoiceCallConfig;
      try {
        config = parseVoiceCallConfig(raw);
      } catch (e) {
        if (!(e instanceof VoiceCallConfigError)) throw e;
        api.logger.error(`voice calls are off: ${e.message}`);
        return;
      }
      const vc = new VoiceCalls(services, config, raw, seams);
      // Media streams: public like the webhook; each stream must carry the token its call was given.
      if (config.streaming.enabled)
        api.registerWebSocketRoute({
          path: config.streaming.streamPath,
          handler: (req, socket, head) => vc.handleMediaUpgrade(req, socket, head),
        });
      for (const [name, def] of Object.entries(voiceCallMethods(vc))) api.registerGatewayMethod(name, def);
      api.registerTool(voiceCallTool(vc) as unknown as PluginTool);
      const missing = missingPieces(withEnvFallbacks(config, process.env));
      if (missing.length) api.logger.warn(`voice calls need more settings (run \`openclaw doctor\`): ${missing.join("; ")}`);

      const handler = (req: IncomingMessage, res: ServerResponse) => vc.handleWebhook(req, res);
      let own: Server | null = null;
      if (config.serve.port === undefined) {
        // Public: each request carries the provider's signature, checked before anything is done.
        const route = { path: config.serve.path, handler, public: true };
        api.registerHttpRoute(route);
      }
      api.registerService({
        id: "voicecall",
        start: async (ctx) => {
          const log = services.get("voice-call").logger("voice-call");
          void ctx;
          let port: number | undefined = services.get("voice-call").config().gateway?.port ?? 18789;
          if (config.serve.port !== undefined) {
            const http = await import("node:http");
            own = http.createServer((req, res) => {
              const path = (req.url ?? "/").split("?")[0];
              if (path !== config.serve.path) {
                res.writeHead(404).end("Not Found");
                return;
              }
              void handler(req, res);
            });
            await new Promise<void>((resolve, reject) => {
              own!.once("error", reject);
              own!.listen(config.serve.port, config.serve.bind, () => resolve());
            }).catch((e: Error) => {
              log.error(`voice webhook listener on ${config.serve.bind}:${config.serve.port} failed: ${e.message}`);
              own = null;
            });
            if (own) {
              port = config.serve.port;
              log.info(`voice webhook on http://${config.serve.bind}:${config.serve.port}${config.serve.path}`);
            }
          }
          if (config.tunnel.provider !== "none" && port !== undefined) {
            try {
              const rt = await vc.runtime();
              await rt.startTunnel(port);
            } catch (e) {
              log.error(`voice-call tunnel: ${(e as Error).message}`);
            }
          }
        },
        stop: async () => {
          await vc.stop();
          const server = own as Server | null;
          own = null;
          if (server) await new Promise<void>((r) => server.close(() => r()));
        },
      });
      api.logger.info(
        `voice calls on (${config.provider ?? "no provider"}); webhook ${config.serve.port === undefined ? config.serve.path : `port ${config.serve.port}`}`,
      );
    },
  };
}
