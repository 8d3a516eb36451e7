/**
 * Provider failover: try the primary model's credentials, then each fallback model's, until one
 * answers. A failing credential goes into cooldown (see `AuthStore`), so the next message skips it
 * instead of waiting on it again. Credentials already resting are tried only after everything else
 * has failed; billing-disabled ones not at all.
 *
 * Failover happens only before the first streamed token: once text has reached the user, an error
 * ends the run rather than restarting the answer from another model.
 */
import type { OpenClawConfig } from "../config/schema.js";
import type { Env } from "../infra/paths.js";
import type { Logger } from "../infra/logger.js";
import type { AuthStore, Credential } from "../providers/auth.js";
import { ModelRefError, modelRef, providerInfo, resolveModel } from "../providers/models.js";
import {
  ProviderError,
  type AssistantMessage,
  type ModelSpec,
  type ProviderClient,
  type StreamEvent,
  type StreamRequest,
} from "../providers/types.js";
import type { Api } from "../providers/types.js";

export interface FailoverSwitch {
  at: number;
  from: string;
  profileId: string;
  kind: string;
  message: string;
  cooldownMs: number;
}

export interface FailoverDeps {
  cfg: OpenClawConfig;
  env: Env;
  auth: AuthStore;
  loadClient: (api: Api) => Promise<ProviderClient>;
  log: Logger;
  now: () => number;
  onSwitch?: (s: FailoverSwitch) => void;
}

export type RunRequest = Omit<StreamRequest, "model" | "apiKey">;

/** Yields `model` once an attempt starts streaming, then the stream's events; returns the final message. */
export type FailoverEvent = StreamEvent | { type: "model"; model: ModelSpec; profileId: string };

export class AllModelsFailedError extends Error {
  readonly code = "ALL_MODELS_FAILED";
  constructor(
    message: string,
    readonly causes: Array<{ ref: string; profileId?: string; error: Error }>,
  ) {
    super(message);
    this.name = "AllModelsFailedError";
  }
}

interface Candidate {
  ref: string;
  model: ModelSpec;
  cred: Credential;
}

export async function* streamWithFailover(
  chain: string[],
  req: RunRequest,
  d: FailoverDeps,
): AsyncGenerator<FailoverEvent, AssistantMessage> {
  const causes: Array<{ ref: string; profileId?: string; error: Error }> = [];
  const ready: Candidate[] = [];
  const resting: Array<Candidate & { wait: number }> = [];
  for (const ref of chain) {
    let model: ModelSpec;
    try {
      model = resolveModel(d.cfg, ref);
    } catch (e) {
      causes.push({ ref, error: e as Error });
      continue;
    }
    const info = providerInfo(d.cfg, model.provider)!;
    const creds = d.auth.credentials(d.cfg, info, d.env);
    if (creds.length === 0) {
      const keys = info.envKeys.join(" or ");
      causes.push({
        ref,
        error: new ProviderError("auth", `no API key for ${model.provider}: set ${keys}, or add an auth profile`, {
          provider: model.provider,
        }),
      });
      continue;
    }
    for (const cred of creds) {
      const wait = d.auth.blockedFor(cred.profileId);
      if (wait === 0) ready.push({ ref, model, cred });
      else if (d.auth.stats(cred.profileId).disabledReason !== "billing" || (d.auth.stats(cred.profileId).disabledUntil ?? 0) <= d.now()) {
        resting.push({ ref, model, cred, wait });
      } else
        causes.push({
          ref,
          profileId: cred.profileId,
          error: new ProviderError("billing", `${cred.profileId} is disabled after a billing error`),
        });
    }
  }
  resting.sort((a, b) => a.wait - b.wait);

  for (const c of [...ready, ...resting]) {
    if (req.signal?.aborted) throw new ProviderError("aborted", "aborted");
    let streamed = false;
    try {
      const client = await d.loadClient(c.model.api);
      yield { type: "model", model: c.model, profileId: c.cred.profileId };
      for await (const ev of client.stream({ ...req, model: c.model, apiKey: c.cred.apiKey })) {
        if (ev.type === "done") {
          d.auth.markSuccess(c.cred.profileId, c.model.provider);
          yield ev;
          return ev.message;
        }
        streamed = true;
        yield ev;
      }
      throw new ProviderError("server", "stream ended without a final message", { provider: c.model.provider, model: c.model.id });
    } catch (e) {
      const err = e instanceof ProviderError ? e : new ProviderError("server", (e as Error)?.message ?? String(e), { cause: e });
      if (err.kind === "aborted" || req.signal?.aborted) throw new ProviderError("aborted", "aborted");
      causes.push({ ref: c.ref, profileId: c.cred.profileId, error: err });
      if (!err.failover || streamed) throw err;
      const cooldownMs = d.auth.markFailure(c.cred.profileId, err.kind, err.message);
      const sw = { at: d.now(), from: modelRef(c.model), profileId: c.cred.profileId, kind: err.kind, message: err.message, cooldownMs };
      d.log.warn(
        `${sw.from} (${c.cred.profileId}) failed: ${err.kind}${err.status ? ` ${err.status}` : ""}: ${err.message}; resting it ${Math.round(cooldownMs / 1000)}s and trying the next`,
      );
      d.onSwitch?.(sw);
    }
  }
  const summary = causes.map((c) => `${c.ref}${c.profileId ? ` (${c.profileId})` : ""}: ${c.error.message}`).join("; ");
  if (causes.length === 1 && causes[0]!.error instanceof ModelRefError) throw causes[0]!.error;
  throw new AllModelsFailedError(causes.length ? `no model could answer: ${summary}` : "no model configured", causes);
}
