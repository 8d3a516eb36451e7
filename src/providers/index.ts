/**
 * Entry point for model clients. Each wire API lives in its own file and is imported on first use,
 * so a gateway that only talks to Anthropic never loads the OpenAI or Google SDKs (each costs
 * tens of milliseconds and megabytes at start-up).
 */
import { ProviderError, type Api, type ProviderClient } from "./types.js";

export { classifyError } from "./errors.js";
export * from "./types.js";

const loaders: Record<Api, () => Promise<ProviderClient>> = {
  "anthropic-messages": async () => (await import("./anthropic.js")).createAnthropicClient(),
  "openai-completions": async () => (await import("./openai.js")).createOpenAIClient(),
  "google-generative-ai": async () => (await import("./google.js")).createGoogleClient(),
};

const clients = new Map<Api, Promise<ProviderClient>>();

/** The client for `api`, loading its SDK on first use; one client per API for the process. */
export async function loadProviderClient(api: Api): Promise<ProviderClient> {
  let client = clients.get(api);
  if (!client) {
    const load = Object.hasOwn(loaders, api) ? loaders[api] : undefined;
    if (!load) {
      throw new ProviderError("bad_request", `Model API "${String(api)}" is not supported (supported: ${Object.keys(loaders).join(", ")})`);
    }
    client = load();
    clients.set(api, client);
    client.catch(() => clients.delete(api)); // a failed import may be retried
  }
  return client;
}
