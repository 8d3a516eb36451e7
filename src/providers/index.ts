/**
 * Entry point for model clients. Each wire API lives in its own file and is imported on first use,
 * so a gateway that only talks to Anthropic never loads the OpenAI or Google SDKs (each costs
 * tens of milliseconds and megabytes at start-up).
 */
import { ProviderError, type Api, type ClientOptions, type ProviderClient } from "./types.js";

export { classifyError } from "./errors.js";
export * from "./types.js";

/** A model API a plugin (built-in or not) provides: its wire API name and a client, created on first use. */
export interface ModelApiProvider {
  id: string;
  label?: string;
  createClient(opts: ClientOptions): Promise<ProviderClient>;
}

/** The model APIs built into the gateway; each SDK is imported only when its API is first used. */
export const BUILTIN_MODEL_APIS: readonly ModelApiProvider[] = [
  {
    id: "anthropic-messages",
    label: "Anthropic Messages",
    createClient: async (o) => (await import("./anthropic.js")).createAnthropicClient(o),
  },
  {
    id: "openai-completions",
    label: "OpenAI Chat Completions",
    createClient: async (o) => (await import("./openai.js")).createOpenAIClient(o),
  },
  {
    id: "google-generative-ai",
    label: "Google Generative AI",
    createClient: async (o) => (await import("./google.js")).createGoogleClient(o),
  },
];

/** Whether a registered provider is a model API this gateway can call (OpenClaw's auth-only providers are not). */
export function isModelApiProvider(value: unknown): value is ModelApiProvider {
  const p = value as Partial<ModelApiProvider> | null;
  return Boolean(p && typeof p.id === "string" && typeof p.createClient === "function");
}

/** One client per API for one gateway, loaded on first use; a failed load may be retried. */
export class ProviderClients {
  private readonly providers = new Map<string, ModelApiProvider>();
  private readonly clients = new Map<string, Promise<ProviderClient>>();

  constructor(
    providers: Iterable<ModelApiProvider>,
    private readonly opts: ClientOptions = {},
  ) {
    for (const p of providers) if (!this.providers.has(p.id)) this.providers.set(p.id, p);
  }

  readonly load = (api: Api): Promise<ProviderClient> => {
    let client = this.clients.get(api);
    if (!client) {
      const provider = this.providers.get(api);
      if (!provider) {
        return Promise.reject(
          new ProviderError(
            "bad_request",
            `Model API "${String(api)}" is not supported (supported: ${[...this.providers.keys()].join(", ")})`,
          ),
        );
      }
      client = provider.createClient(this.opts);
      this.clients.set(api, client);
      client.catch(() => this.clients.delete(api));
    }
    return client;
  };
}
