/** Gateways wired to fake model APIs (real SDKs, real HTTP on 127.0.0.1). */
import { FakeLlm } from "../fakes/llm.js";
import { connect, startTestGateway, type TestGateway } from "./gateway.js";
import type { ClientOptions, GatewayClient } from "../../src/cli/client.js";
import { randomUUID } from "node:crypto";

export interface Fakes {
  anthropic: FakeLlm;
  openai: FakeLlm;
  gemini: FakeLlm;
  close(): Promise<void>;
}

export async function startFakes(): Promise<Fakes> {
  const [anthropic, openai, gemini] = await Promise.all([FakeLlm.start("anthropic"), FakeLlm.start("openai"), FakeLlm.start("gemini")]);
  return { anthropic, openai, gemini, close: async () => void (await Promise.all([anthropic.close(), openai.close(), gemini.close()])) };
}

/** Config pointing the built-in providers at the fakes. */
export function fakeConfig(f: Fakes, extra: Record<string, any> = {}) {
  const agents = extra.agents ?? {};
  const providers = extra.providers ?? {};
  return {
    gateway: { mode: "local" },
    models: {
      providers: {
        anthropic: { baseUrl: f.anthropic.baseUrl, api: "anthropic-messages", models: [], ...(providers.anthropic ?? {}) },
        openai: { baseUrl: f.openai.baseUrl, api: "openai-completions", models: [], ...(providers.openai ?? {}) },
        google: { baseUrl: f.gemini.baseUrl, api: "google-generative-ai", models: [], ...(providers.google ?? {}) },
      },
    },
    agents: {
      ...agents,
      defaults: { model: { primary: "anthropic/claude-opus-4-5", fallbacks: ["openai/gpt-4o"] }, ...(agents.defaults ?? {}) },
    },
    ...(extra.session ? { session: extra.session } : {}),
    ...(extra.gatewayExtra ? { gateway: { mode: "local", ...extra.gatewayExtra } } : {}),
  };
}

export const KEYS = { ANTHROPIC_API_KEY: "key-anthropic", OPENAI_API_KEY: "key-openai", GEMINI_API_KEY: "key-gemini" };

export async function startAgentGateway(
  f: Fakes,
  extra: Record<string, any> = {},
  opts: { stateDir?: string; env?: Record<string, string> } = {},
): Promise<TestGateway> {
  return startTestGateway({
    config: fakeConfig(f, extra),
    stateDir: opts.stateDir,
    env: { ...KEYS, ...(opts.env ?? {}) },
    modelIdleTimeoutMs: 1500,
  });
}

export interface ChatOutcome {
  runId: string;
  state: string;
  text: string;
  errorMessage?: string;
  deltas: string[];
  events: Array<{ event: string; payload: any }>;
}

/** How long `send` waits for a run's final chat event (a model fake may delay or stream slowly). */
const RUN_END_TIMEOUT_MS = 30_000;

/** A client that records events, with a helper that sends a message and waits for its end. */
export async function chatClient(gw: TestGateway, opts: Partial<ClientOptions> = {}) {
  const events: Array<{ event: string; payload: any }> = [];
  const waiters = new Map<string, (p: any) => void>();
  const client: GatewayClient = await connect(gw.wsUrl, {
    ...opts,
    onEvent: (event, payload: any) => {
      events.push({ event, payload });
      if (event === "chat" && payload.state !== "delta") waiters.get(payload.runId)?.(payload);
    },
  });
  async function send(message: string, sessionKey = "main", extra: Record<string, unknown> = {}): Promise<ChatOutcome> {
    const runId = (extra.idempotencyKey as string) ?? randomUUID();
    let timer: NodeJS.Timeout | undefined;
    const ended = new Promise<any>((resolve, reject) => {
      waiters.set(runId, resolve);
      timer = setTimeout(
        () => reject(new Error(`no final chat event for run ${runId} within ${RUN_END_TIMEOUT_MS} ms`)),
        RUN_END_TIMEOUT_MS,
      );
    });
    ended.catch(() => undefined); // rejected while chat.send is still awaited: reported below, not as unhandled
    let end;
    try {
      await client.request("chat.send", { sessionKey, message, idempotencyKey: runId, ...extra });
      end = await ended;
    } finally {
      clearTimeout(timer);
    }
    const mine = events.filter((e) => e.payload?.runId === runId);
    return {
      runId,
      state: end.state,
      text: end.message?.content?.map((c: any) => c.text).join("") ?? "",
      errorMessage: end.errorMessage,
      deltas: mine.filter((e) => e.event === "chat" && e.payload.state === "delta").map((e) => e.payload.message.content[0].text),
      events: mine,
    };
  }
  return { client, events, send, waiters };
}
