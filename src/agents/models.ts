/**
 * The agents' side of the model providers: each agent's credentials (`AuthStore`), a model call with
 * failover along a chain of model refs, the recent failovers, and what `models.list` shows.
 */
import type { OpenClawConfig } from "../config/schema.js";
import type { Logger } from "../infra/logger.js";
import type { Env } from "../infra/paths.js";
import { AuthStore } from "../providers/auth.js";
import { BUILTIN_MODEL_APIS, ProviderClients } from "../providers/index.js";
import { BUILTIN_PROVIDERS, modelChainFor, modelRef, providerIds, providerInfo, resolveModel } from "../providers/models.js";
import type { Api, AssistantMessage, ProviderClient } from "../providers/types.js";
import { streamWithFailover, type FailoverEvent, type FailoverSwitch, type RunRequest } from "./failover.js";

/** Failovers kept for `status`. */
const MAX_SWITCHES = 20;

export interface AgentModelsDeps {
  config(): OpenClawConfig;
  stateDir: string;
  env: Env;
  log: Logger;
  now: () => number;
  /** Model clients by API (tests inject; default loads the SDK-backed ones lazily). */
  loadClient?: (api: Api) => Promise<ProviderClient>;
}

/** A model call along one chain: yields the model once it streams, then its events; returns the reply. */
export type ModelStream = (req: RunRequest) => AsyncGenerator<FailoverEvent, AssistantMessage>;

export class AgentModels {
  private readonly auths = new Map<string, AuthStore>();
  /** Model clients when none are injected: the built-in APIs, loaded on first use. */
  private builtinClients?: ProviderClients;
  /** Recent failovers, newest last. */
  readonly switches: FailoverSwitch[] = [];

  constructor(private readonly deps: AgentModelsDeps) {}

  auth(agentId: string): AuthStore {
    let a = this.auths.get(agentId);
    if (!a) {
      a = AuthStore.forAgent(this.deps.stateDir, agentId, this.deps.now);
      this.auths.set(agentId, a);
    }
    return a;
  }

  /** Calls along `chain` (model refs, primary first) with the agent's credentials. */
  stream(agentId: string, chain: string[]): ModelStream {
    const cfg = this.deps.config();
    return (req) =>
      streamWithFailover(chain, req, {
        cfg,
        env: this.deps.env,
        auth: this.auth(agentId),
        loadClient: this.deps.loadClient ?? (this.builtinClients ??= new ProviderClients(BUILTIN_MODEL_APIS)).load,
        log: this.deps.log,
        now: this.deps.now,
        onSwitch: (s) => {
          this.switches.push(s);
          if (this.switches.length > MAX_SWITCHES) this.switches.shift();
        },
      });
  }

  /** `provider/model` for a ref or alias; throws a ModelRefError naming the problem. */
  canonicalRef(ref: string): string {
    return modelRef(resolveModel(this.deps.config(), ref));
  }

  /** Whether a word names a model (a `provider/model` ref or a configured alias). */
  isModelRef(word: string): boolean {
    const cfg = this.deps.config();
    try {
      resolveModel(cfg, word);
      return word.includes("/") || Object.values(cfg.agents?.defaults?.models ?? {}).some((m) => m.alias === word);
    } catch {
      return false;
    }
  }

  /**
   * `models.list`: the models the agents use or configure, then those of every provider with a key
   * (built-in providers without one are left out).
   */
  list(agentIds: string[], defaultAgentId: string) {
    const cfg = this.deps.config();
    const seen = new Set<string>();
    const out: Array<{
      id: string;
      name: string;
      provider: string;
      contextWindow: number;
      reasoning: boolean;
      input: Array<"text" | "image">;
      ref: string;
      configured: boolean;
    }> = [];
    const add = (ref: string, configured: boolean) => {
      try {
        const m = resolveModel(cfg, ref);
        const r = modelRef(m);
        if (seen.has(r)) return;
        seen.add(r);
        out.push({
          id: m.id,
          name: m.name ?? m.id,
          provider: m.provider,
          contextWindow: m.contextWindow,
          reasoning: Boolean(m.reasoning),
          input: m.input,
          ref: r,
          configured,
        });
      } catch {
        /* a bad ref is reported where it is used */
      }
    };
    for (const agentId of agentIds) for (const ref of modelChainFor(cfg, agentId)) add(ref, true);
    for (const ref of Object.keys(cfg.agents?.defaults?.models ?? {})) add(ref, true);
    for (const id of providerIds(cfg)) {
      const p = providerInfo(cfg, id);
      if (!p) continue;
      const hasKey = this.auth(defaultAgentId).credentials(cfg, p, this.deps.env).length > 0;
      if (!hasKey && BUILTIN_PROVIDERS[id]) continue;
      for (const modelId of Object.keys(p.models)) add(`${id}/${modelId}`, false);
    }
    return { models: out };
  }

  /** Credentials resting after failures, across the agents (for `status`). */
  cooldowns(agentIds: string[]) {
    const now = this.deps.now();
    const out: Array<Record<string, unknown>> = [];
    for (const id of agentIds) {
      for (const [profileId, s] of Object.entries(this.auth(id).allStats())) {
        const until = Math.max(s.cooldownUntil ?? 0, s.disabledUntil ?? 0);
        if (until > now)
          out.push({
            agentId: id,
            profileId,
            until,
            remainingMs: until - now,
            reason: s.disabledReason ?? "cooldown",
            errorCount: s.errorCount ?? 0,
            lastError: s.lastError,
          });
      }
    }
    return out;
  }
}
