/**
 * Zod schema for `openclaw.json` (JSON5), key-compatible with OpenClaw 2026.1.29.
 *
 * Conventions used throughout this file:
 * - Every object is strict, so an unknown key is an error reported with its path.
 * - Every field is optional unless OpenClaw itself requires it; `{}` is a valid config.
 * - No `.default()` anywhere: parsing returns exactly what the file says, so it can be
 *   written back unchanged. Defaults are applied by the code that reads the config.
 * - Maps keyed by user-chosen ids (guilds, channels, accounts, providers, auth profiles,
 *   plugin entries, ...) are `z.record(z.string(), ...)`.
 * - `$include` directives and `${VAR}` substitution are resolved before validation, so
 *   they do not appear here.
 *
 * Loose subtrees (accepted as `Record<string, unknown>` on purpose):
 * - `plugins.entries.*.config` and `skills.entries.*.config`: owned and validated by the plugin/skill.
 * - `agents.defaults.models.*.params`: provider-specific request parameters, passed through as-is.
 * - `channels.googlechat.serviceAccount` (and per account) when given as inline JSON.
 * - Plugin-provided channels `channels.{matrix,nostr,zalo,zalouser,line,twitch,nextcloud-talk,tlon}`:
 *   their shape belongs to the channel plugin, so only "is an object" is checked here.
 *
 * Semi-open maps (typed values, free-form keys):
 * - `env`: besides `vars` and `shellEnv`, any key is an inline environment variable (string).
 * - `broadcast`: besides `strategy`, any key is a peer id mapped to a list of agent ids.
 *
 * Accepted on purpose although OpenClaw's own validator rejects them (all documented, or
 * needed by this implementation): `agents.*.contextPruning.mode` "adaptive"/"aggressive",
 * `tools.web.fetch.readability` / `.firecrawl`, `sandbox.browser.allowedControl*`,
 * `session.heartbeatIdleMinutes`, `sendPolicy` chatType "room", hook mapping channel
 * "googlechat", the legacy `bridge` section, `gateway.customBindHost`,
 * `channels.discord.apiBaseUrl`, `channels.slack.apiBaseUrl`, `channels.telegram.apiRoot`.
 * Legacy keys that `openclaw doctor` migrates (`agent`, `identity`, `routing`, top-level
 * `whatsapp`/`telegram`/..., `gateway.token`) are rejected, as in OpenClaw.
 */
import * as z from "zod";
import { budgetSchema } from "../budget/config.js";

// zod keeps the first schema of each kind alive for good (accessors it puts on the kind's prototype
// close over it). Kinds first made here are made once with nothing in them, so that nothing of a built
// config schema is kept that way.
z.lazy(() => z.never()).optional();

/**
 * A part of the schema built only when a config being checked has it. zod's `z.lazy` alone does not
 * defer it: the first parse of an object asks each of its fields whether it may be absent, and a
 * lazy field answers by building what it wraps, so every section was built for every config. The
 * parts wrapped here are objects, records or unions that are never absent by themselves (`.optional()`
 * says so where it is used), which the wrapper tells zod up front. Building one that could be absent
 * is refused, so a misuse shows up in the first test that builds the schema.
 */
function section<T extends z.ZodType>(build: () => T): z.ZodLazy<T> {
  const lazy = z.lazy(() => {
    const inner = build();
    if (inner._zod.optin !== undefined || inner._zod.optout !== undefined) {
      throw new Error("config schema: a section() must not be optional in itself; put .optional() where it is used");
    }
    return inner;
  });
  for (const key of ["optin", "optout"]) Object.defineProperty(lazy._zod, key, { configurable: true, writable: true, value: undefined });
  return lazy;
}

/** The `channels.<id>` keys OpenClaw 2026.1.29 knows; any other key must be a channel a plugin declares. */
export const KNOWN_CHANNEL_KEYS: ReadonlySet<string> = new Set([
  "defaults",
  "whatsapp",
  "telegram",
  "discord",
  "googlechat",
  "slack",
  "mattermost",
  "signal",
  "imessage",
  "bluebubbles",
  "msteams",
  "matrix",
  "nostr",
  "zalo",
  "zalouser",
  "line",
  "twitch",
  "nextcloud-talk",
  "tlon",
]);

/**
 * Builds the whole schema. It is several thousand objects (a few MB) that a running gateway needs only
 * when a config is read or edited, so {@link configSchema} lets it go between uses.
 */
function buildConfigSchema() {
  // ---------------------------------------------------------------------------
  // Shared building blocks
  // ---------------------------------------------------------------------------

  const PositiveInt = z.number().int().positive();
  const NonNegativeInt = z.number().int().nonnegative();
  const PositiveNumber = z.number().positive();
  const Ratio = z.number().min(0).max(1);
  const Port = z.number().int().min(1).max(65535);
  const StringList = z.array(z.string());
  const StringMap = z.record(z.string(), z.string());
  /** Sender/user allowlists: ids may be written as numbers (e.g. Telegram chat ids). */
  const IdList = z.array(z.union([z.string(), z.number()]));
  /** Hex colour, with or without the leading `#` (RRGGBB). */
  const HexColor = z.string().regex(/^#?[0-9a-fA-F]{6}$/, "expected a hex colour like #FF4500");

  const LogLevel = z.enum(["silent", "fatal", "error", "warn", "info", "debug", "trace"]);
  const DmPolicy = z.enum(["pairing", "allowlist", "open", "disabled"]);
  const GroupPolicy = z.enum(["open", "disabled", "allowlist"]);
  const ReplyToMode = z.enum(["off", "first", "all"]);
  const ChunkMode = z.enum(["length", "newline"]);
  const ThinkingLevel = z.enum(["off", "minimal", "low", "medium", "high", "xhigh"]);
  const TypingMode = z.enum(["never", "instant", "thinking", "message"]);
  const OnOff = z.enum(["on", "off"]);
  const AllowDeny = z.enum(["allow", "deny"]);
  const TailscaleMode = z.enum(["off", "serve", "funnel"]);
  /** `true`/`false` forces native slash commands on/off; `"auto"` lets each channel decide. */
  const NativeCommandsSetting = z.union([z.boolean(), z.literal("auto")]);
  // Optional forms of the commonest fields, each built once: zod schemas are immutable, and the
  // hundreds of fields that share these cost one instance instead of one each.
  const OptString = z.string().optional();
  const OptBoolean = z.boolean().optional();
  const OptPositiveInt = PositiveInt.optional();
  const OptNonNegativeInt = NonNegativeInt.optional();
  const OptPositiveNumber = PositiveNumber.optional();
  const OptRatio = Ratio.optional();
  const OptStringList = StringList.optional();
  const OptStringMap = StringMap.optional();
  const OptIdList = IdList.optional();
  const OptDmPolicy = DmPolicy.optional();
  const OptGroupPolicy = GroupPolicy.optional();
  const OptReplyToMode = ReplyToMode.optional();

  /** Duration such as `500ms`, `30s`, `30m`, `1h`, `1d`; a bare number uses the field's default unit. */
  const DURATION_RE = /^\d+(?:\.\d+)?(?:ms|s|m|h|d)?$/i;
  const Duration = z.string().refine((v) => DURATION_RE.test(v.trim()), {
    message: "invalid duration (use a number with ms, s, m, h or d)",
  });

  /** `{ primary, fallbacks }` model selection. */
  const ModelSelectionSchema = section(() =>
    z.strictObject({
      /** Model ref as `provider/model` or an alias. */
      primary: OptString,
      /** Tried in order when the primary fails. `[]` disables inherited fallbacks. */
      fallbacks: OptStringList,
    }),
  );
  /** A model given either as a plain `provider/model` string or as `{ primary, fallbacks }`. */
  const ModelRefSchema = z.union([z.string(), ModelSelectionSchema]);

  /** Adds an issue when an allow and alsoAllow list are both non-empty in the same scope. */
  function checkAllowVsAlsoAllow(value: { allow?: string[] | undefined; alsoAllow?: string[] | undefined }, ctx: z.RefinementCtx): void {
    if ((value.allow?.length ?? 0) > 0 && (value.alsoAllow?.length ?? 0) > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["alsoAllow"],
        message: "set either allow or alsoAllow in one scope, not both (alsoAllow extends a profile)",
      });
    }
  }

  /** Tool allow/deny policy (names, `group:*` shorthands and `*` wildcards). */
  const ToolPolicySchema = section(() =>
    z
      .strictObject({
        allow: OptStringList,
        /** Extra tools on top of the active profile. */
        alsoAllow: OptStringList,
        /** Denied tools; deny always wins. */
        deny: OptStringList,
      })
      .superRefine(checkAllowVsAlsoAllow),
  );

  const ToolProfile = z.enum(["minimal", "coding", "messaging", "full"]);

  /** Tool policy plus a base profile (used by `byProvider`). */
  const ToolPolicyWithProfileSchema = section(() =>
    z
      .strictObject({
        profile: ToolProfile.optional(),
        allow: OptStringList,
        alsoAllow: OptStringList,
        deny: OptStringList,
      })
      .superRefine(checkAllowVsAlsoAllow),
  );

  /** Tool policy per sender id (group/channel level). */
  const ToolPolicyBySender = z.record(z.string(), ToolPolicySchema);

  /** Adds an issue when a DM policy is "open" but the allowlist lacks "*". */
  function requireWildcardWhenOpen(
    policy: string | undefined,
    allowFrom: ReadonlyArray<string | number> | undefined,
    ctx: z.RefinementCtx,
    path: (string | number)[],
  ): void {
    if (policy !== "open") return;
    const entries = (allowFrom ?? []).map((v) => String(v).trim());
    if (entries.includes("*")) return;
    ctx.addIssue({
      code: "custom",
      path,
      message: 'an "open" DM policy requires the allowlist to include "*"',
    });
  }

  // ---------------------------------------------------------------------------
  // meta, env, wizard, update, diagnostics, logging
  // ---------------------------------------------------------------------------

  /** Bookkeeping written by the CLI when it saves the file. */
  const MetaSchema = section(() =>
    z.strictObject({
      lastTouchedVersion: OptString,
      lastTouchedAt: OptString,
    }),
  );

  /**
   * Inline environment variables (only applied when the process env lacks them).
   * Any extra key is treated as a variable name.
   */
  const EnvSchema = section(() =>
    z
      .object({
        /** Import missing keys from the login shell profile. */
        shellEnv: z
          .strictObject({
            enabled: OptBoolean,
            timeoutMs: OptNonNegativeInt,
          })
          .optional(),
        vars: OptStringMap,
      })
      .catchall(z.string()),
  );

  /** Written by `onboard` / `configure` / `doctor`. */
  const WizardSchema = section(() =>
    z.strictObject({
      lastRunAt: OptString,
      lastRunVersion: OptString,
      lastRunCommit: OptString,
      lastRunCommand: OptString,
      lastRunMode: z.enum(["local", "remote"]).optional(),
    }),
  );

  const UpdateSchema = section(() =>
    z.strictObject({
      channel: z.enum(["stable", "beta", "dev"]).optional(),
      checkOnStart: OptBoolean,
    }),
  );

  const DiagnosticsSchema = section(() =>
    z.strictObject({
      enabled: OptBoolean,
      flags: OptStringList,
      /** OpenTelemetry export. */
      otel: z
        .strictObject({
          enabled: OptBoolean,
          endpoint: OptString,
          protocol: z.enum(["http/protobuf", "grpc"]).optional(),
          headers: OptStringMap,
          serviceName: OptString,
          traces: OptBoolean,
          metrics: OptBoolean,
          logs: OptBoolean,
          sampleRate: OptRatio,
          flushIntervalMs: OptNonNegativeInt,
        })
        .optional(),
      /** Writes prompt-cache traces to a file for debugging. */
      cacheTrace: z
        .strictObject({
          enabled: OptBoolean,
          filePath: OptString,
          includeMessages: OptBoolean,
          includePrompt: OptBoolean,
          includeSystem: OptBoolean,
        })
        .optional(),
    }),
  );

  const LoggingSchema = section(() =>
    z.strictObject({
      /** File log level. */
      level: LogLevel.optional(),
      /** Log file path (default: a dated file under /tmp/openclaw). */
      file: OptString,
      consoleLevel: LogLevel.optional(),
      consoleStyle: z.enum(["pretty", "compact", "json"]).optional(),
      /** Redact secrets from tool summaries. */
      redactSensitive: z.enum(["off", "tools"]).optional(),
      /** Regexes that replace the built-in redaction rules. */
      redactPatterns: OptStringList,
    }),
  );

  // ---------------------------------------------------------------------------
  // browser, ui, nodeHost
  // ---------------------------------------------------------------------------

  const BrowserProfileSchema = section(() =>
    z
      .strictObject({
        cdpPort: Port.optional(),
        cdpUrl: OptString,
        driver: z.enum(["openclaw", "extension"]).optional(),
        color: HexColor,
      })
      .refine((p) => p.cdpPort !== undefined || (p.cdpUrl !== undefined && p.cdpUrl !== ""), {
        message: "a browser profile needs cdpPort or cdpUrl",
      }),
  );

  /** The OpenClaw-managed browser (CDP). */
  const BrowserSchema = section(() =>
    z.strictObject({
      enabled: OptBoolean,
      /** Allow `act:evaluate` / `wait --fn`. */
      evaluateEnabled: OptBoolean,
      /** Legacy single-profile CDP URL. */
      cdpUrl: OptString,
      remoteCdpTimeoutMs: OptNonNegativeInt,
      remoteCdpHandshakeTimeoutMs: OptNonNegativeInt,
      color: OptString,
      executablePath: OptString,
      headless: OptBoolean,
      noSandbox: OptBoolean,
      /** Never launch a browser; only attach to a running one. */
      attachOnly: OptBoolean,
      defaultProfile: OptString,
      snapshotDefaults: z.strictObject({ mode: z.literal("efficient").optional() }).optional(),
      /** Named profiles; names are lowercase letters, digits and hyphens. */
      profiles: z.record(z.string().regex(/^[a-z0-9-]+$/, "profile names use a-z, 0-9 and -"), BrowserProfileSchema).optional(),
    }),
  );

  /** Appearance hints for the native apps and the Control UI. */
  const UiSchema = section(() =>
    z.strictObject({
      seamColor: HexColor.optional(),
      assistant: z
        .strictObject({
          name: z.string().max(50).optional(),
          /** Emoji, short text, image URL or data URI. */
          avatar: z.string().max(200).optional(),
        })
        .optional(),
    }),
  );

  /** Settings for a machine running as a node host. */
  const NodeHostSchema = section(() =>
    z.strictObject({
      browserProxy: z
        .strictObject({
          enabled: OptBoolean,
          allowProfiles: OptStringList,
        })
        .optional(),
    }),
  );

  // ---------------------------------------------------------------------------
  // auth, models
  // ---------------------------------------------------------------------------

  /** Auth profile metadata (the secrets themselves live in auth-profiles.json). */
  const AuthSchema = section(() =>
    z.strictObject({
      profiles: z
        .record(
          z.string(),
          z.strictObject({
            provider: z.string(),
            mode: z.enum(["api_key", "oauth", "token"]),
            email: OptString,
          }),
        )
        .optional(),
      /** Per provider: profile ids in failover order. */
      order: z.record(z.string(), StringList).optional(),
      cooldowns: z
        .strictObject({
          billingBackoffHours: OptPositiveNumber,
          billingBackoffHoursByProvider: z.record(z.string(), PositiveNumber).optional(),
          billingMaxHours: OptPositiveNumber,
          failureWindowHours: OptPositiveNumber,
        })
        .optional(),
    }),
  );

  const ModelApi = z.enum([
    "openai-completions",
    "openai-responses",
    "anthropic-messages",
    "google-generative-ai",
    "github-copilot",
    "bedrock-converse-stream",
  ]);

  /** One model offered by a custom provider. */
  const ModelDefinitionSchema = section(() =>
    z.strictObject({
      id: z.string().min(1),
      name: z.string().min(1),
      api: ModelApi.optional(),
      reasoning: OptBoolean,
      input: z.array(z.enum(["text", "image"])).optional(),
      /** Price per million tokens. */
      cost: z
        .strictObject({
          input: z.number().optional(),
          output: z.number().optional(),
          cacheRead: z.number().optional(),
          cacheWrite: z.number().optional(),
        })
        .optional(),
      contextWindow: OptPositiveNumber,
      maxTokens: OptPositiveNumber,
      headers: OptStringMap,
      /** Quirks of OpenAI-compatible servers. */
      compat: z
        .strictObject({
          supportsStore: OptBoolean,
          supportsDeveloperRole: OptBoolean,
          supportsReasoningEffort: OptBoolean,
          maxTokensField: z.enum(["max_completion_tokens", "max_tokens"]).optional(),
        })
        .optional(),
    }),
  );

  /** A custom model provider (LiteLLM, local servers, proxies, ...). */
  const ModelProviderSchema = section(() =>
    z.strictObject({
      baseUrl: z.string().min(1),
      apiKey: OptString,
      auth: z.enum(["api-key", "aws-sdk", "oauth", "token"]).optional(),
      api: ModelApi.optional(),
      headers: OptStringMap,
      /** Send the key in an Authorization header. */
      authHeader: OptBoolean,
      models: z.array(ModelDefinitionSchema),
    }),
  );

  const ModelsSchema = section(() =>
    z.strictObject({
      /** `merge` keeps providers already in models.json; `replace` overwrites it. */
      mode: z.enum(["merge", "replace"]).optional(),
      providers: z.record(z.string(), ModelProviderSchema).optional(),
      /** Auto-discovery of AWS Bedrock models. */
      bedrockDiscovery: z
        .strictObject({
          enabled: OptBoolean,
          region: OptString,
          providerFilter: OptStringList,
          refreshInterval: OptNonNegativeInt,
          defaultContextWindow: OptPositiveInt,
          defaultMaxTokens: OptPositiveInt,
        })
        .optional(),
    }),
  );

  // ---------------------------------------------------------------------------
  // agents
  // ---------------------------------------------------------------------------

  const HumanDelaySchema = section(() =>
    z.strictObject({
      mode: z.enum(["off", "natural", "custom"]).optional(),
      minMs: OptNonNegativeInt,
      maxMs: OptNonNegativeInt,
    }),
  );

  const BlockStreamingChunkSchema = section(() =>
    z.strictObject({
      minChars: OptPositiveInt,
      maxChars: OptPositiveInt,
      breakPreference: z.enum(["paragraph", "newline", "sentence"]).optional(),
    }),
  );

  const BlockStreamingCoalesceSchema = section(() =>
    z.strictObject({
      minChars: OptPositiveInt,
      maxChars: OptPositiveInt,
      idleMs: OptNonNegativeInt,
    }),
  );

  const HH_MM_RE = /^([01]\d|2[0-3]|24):([0-5]\d)$/;

  /** Periodic heartbeat runs. */
  const HeartbeatSchema = section(() =>
    z
      .strictObject({
        /** Interval, e.g. `30m` (bare numbers are minutes; `0m` disables). */
        every: Duration.optional(),
        /** Only run between these local times (HH:MM, 24h). */
        activeHours: z
          .strictObject({
            start: OptString,
            end: OptString,
            timezone: OptString,
          })
          .optional(),
        model: OptString,
        session: OptString,
        includeReasoning: OptBoolean,
        /** `last`, `none` or a channel id. */
        target: OptString,
        to: OptString,
        prompt: OptString,
        ackMaxChars: OptNonNegativeInt,
      })
      .superRefine((hb, ctx) => {
        const check = (key: "start" | "end", value: string | undefined) => {
          if (value === undefined || value === "") return;
          const m = HH_MM_RE.exec(value);
          const bad = !m || (m[1] === "24" && (m[2] !== "00" || key === "start"));
          if (bad) {
            ctx.addIssue({
              code: "custom",
              path: ["activeHours", key],
              message: key === "start" ? 'expected "HH:MM" (00:00-23:59)' : 'expected "HH:MM" (00:00-24:00)',
            });
          }
        };
        check("start", hb.activeHours?.start);
        check("end", hb.activeHours?.end);
      }),
  );

  /** Docker options for sandbox containers. */
  const SandboxDockerSchema = section(() =>
    z.strictObject({
      image: OptString,
      containerPrefix: OptString,
      workdir: OptString,
      readOnlyRoot: OptBoolean,
      tmpfs: OptStringList,
      network: OptString,
      user: OptString,
      capDrop: OptStringList,
      env: OptStringMap,
      /** Runs once after the container is created. */
      setupCommand: OptString,
      pidsLimit: OptPositiveInt,
      memory: z.union([z.string(), z.number()]).optional(),
      memorySwap: z.union([z.string(), z.number()]).optional(),
      cpus: OptPositiveNumber,
      ulimits: z
        .record(z.string(), z.union([z.string(), z.number(), z.strictObject({ soft: OptNonNegativeInt, hard: OptNonNegativeInt })]))
        .optional(),
      seccompProfile: OptString,
      apparmorProfile: OptString,
      dns: OptStringList,
      extraHosts: OptStringList,
      binds: OptStringList,
    }),
  );

  /** Sandboxed Chromium for the browser tool. */
  const SandboxBrowserSchema = section(() =>
    z.strictObject({
      enabled: OptBoolean,
      image: OptString,
      containerPrefix: OptString,
      cdpPort: OptPositiveInt,
      vncPort: OptPositiveInt,
      noVncPort: OptPositiveInt,
      headless: OptBoolean,
      enableNoVnc: OptBoolean,
      /** Let sandboxed sessions target the host browser. */
      allowHostControl: OptBoolean,
      allowedControlUrls: OptStringList,
      allowedControlHosts: OptStringList,
      allowedControlPorts: z.array(Port).optional(),
      autoStart: OptBoolean,
      autoStartTimeoutMs: OptPositiveInt,
    }),
  );

  const SandboxPruneSchema = section(() =>
    z.strictObject({
      idleHours: OptNonNegativeInt,
      maxAgeDays: OptNonNegativeInt,
    }),
  );

  /** Docker sandboxing for agent runs. */
  const SandboxSchema = section(() =>
    z.strictObject({
      mode: z.enum(["off", "non-main", "all"]).optional(),
      workspaceAccess: z.enum(["none", "ro", "rw"]).optional(),
      sessionToolsVisibility: z.enum(["spawned", "all"]).optional(),
      scope: z.enum(["session", "agent", "shared"]).optional(),
      /** Legacy: true = scope "session", false = scope "shared". */
      perSession: OptBoolean,
      workspaceRoot: OptString,
      docker: SandboxDockerSchema.optional(),
      browser: SandboxBrowserSchema.optional(),
      prune: SandboxPruneSchema.optional(),
    }),
  );

  /** Vector/keyword search over memory files and past sessions. */
  const MemorySearchSchema = section(() =>
    z.strictObject({
      enabled: OptBoolean,
      sources: z.array(z.enum(["memory", "sessions"])).optional(),
      extraPaths: OptStringList,
      experimental: z.strictObject({ sessionMemory: OptBoolean }).optional(),
      provider: z.enum(["openai", "local", "gemini"]).optional(),
      remote: z
        .strictObject({
          baseUrl: OptString,
          apiKey: OptString,
          headers: OptStringMap,
          batch: z
            .strictObject({
              enabled: OptBoolean,
              wait: OptBoolean,
              concurrency: OptPositiveInt,
              pollIntervalMs: OptNonNegativeInt,
              timeoutMinutes: OptPositiveInt,
            })
            .optional(),
        })
        .optional(),
      fallback: z.enum(["openai", "gemini", "local", "none"]).optional(),
      model: OptString,
      local: z
        .strictObject({
          modelPath: OptString,
          modelCacheDir: OptString,
        })
        .optional(),
      store: z
        .strictObject({
          driver: z.literal("sqlite").optional(),
          path: OptString,
          vector: z
            .strictObject({
              enabled: OptBoolean,
              extensionPath: OptString,
            })
            .optional(),
        })
        .optional(),
      chunking: z
        .strictObject({
          tokens: OptPositiveInt,
          overlap: OptNonNegativeInt,
        })
        .optional(),
      sync: z
        .strictObject({
          onSessionStart: OptBoolean,
          onSearch: OptBoolean,
          watch: OptBoolean,
          watchDebounceMs: OptNonNegativeInt,
          intervalMinutes: OptNonNegativeInt,
          sessions: z
            .strictObject({
              deltaBytes: OptNonNegativeInt,
              deltaMessages: OptNonNegativeInt,
            })
            .optional(),
        })
        .optional(),
      query: z
        .strictObject({
          maxResults: OptPositiveInt,
          minScore: OptRatio,
          hybrid: z
            .strictObject({
              enabled: OptBoolean,
              vectorWeight: OptRatio,
              textWeight: OptRatio,
              candidateMultiplier: OptPositiveInt,
            })
            .optional(),
        })
        .optional(),
      cache: z
        .strictObject({
          enabled: OptBoolean,
          maxEntries: OptPositiveInt,
        })
        .optional(),
    }),
  );

  const CliOutputFormat = z.enum(["json", "text", "jsonl"]);

  /** A CLI program used as a text-only fallback backend. */
  const CliBackendSchema = section(() =>
    z.strictObject({
      command: z.string(),
      args: OptStringList,
      output: CliOutputFormat.optional(),
      resumeOutput: CliOutputFormat.optional(),
      input: z.enum(["arg", "stdin"]).optional(),
      maxPromptArgChars: OptPositiveInt,
      env: OptStringMap,
      clearEnv: OptStringList,
      modelArg: OptString,
      modelAliases: OptStringMap,
      sessionArg: OptString,
      sessionArgs: OptStringList,
      resumeArgs: OptStringList,
      sessionMode: z.enum(["always", "existing", "none"]).optional(),
      sessionIdFields: OptStringList,
      systemPromptArg: OptString,
      systemPromptMode: z.enum(["append", "replace"]).optional(),
      systemPromptWhen: z.enum(["first", "always", "never"]).optional(),
      imageArg: OptString,
      imageMode: z.enum(["repeat", "list"]).optional(),
      serialize: OptBoolean,
    }),
  );

  /** Pruning of old tool results from the context sent to the model. */
  const ContextPruningSchema = section(() =>
    z.strictObject({
      mode: z.enum(["off", "cache-ttl", "adaptive", "aggressive"]).optional(),
      /** For `cache-ttl`: prune once the last call is older than this (e.g. `5m`). */
      ttl: OptString,
      keepLastAssistants: OptNonNegativeInt,
      softTrimRatio: OptRatio,
      hardClearRatio: OptRatio,
      minPrunableToolChars: OptNonNegativeInt,
      tools: z
        .strictObject({
          allow: OptStringList,
          deny: OptStringList,
        })
        .optional(),
      softTrim: z
        .strictObject({
          maxChars: OptNonNegativeInt,
          headChars: OptNonNegativeInt,
          tailChars: OptNonNegativeInt,
        })
        .optional(),
      hardClear: z
        .strictObject({
          enabled: OptBoolean,
          placeholder: OptString,
        })
        .optional(),
    }),
  );

  const CompactionSchema = section(() =>
    z.strictObject({
      mode: z.enum(["default", "safeguard"]).optional(),
      reserveTokensFloor: OptNonNegativeInt,
      maxHistoryShare: z.number().min(0.1).max(0.9).optional(),
      /** Silent turn before compaction that asks the model to save memories. */
      memoryFlush: z
        .strictObject({
          enabled: OptBoolean,
          softThresholdTokens: OptNonNegativeInt,
          prompt: OptString,
          systemPrompt: OptString,
        })
        .optional(),
    }),
  );

  /** Settings shared by every agent unless overridden in `agents.list[]`. */
  const AgentDefaultsSchema = section(() =>
    z.strictObject({
      model: ModelSelectionSchema.optional(),
      /** Used only when the primary model cannot take images. */
      imageModel: ModelSelectionSchema.optional(),
      /** Model catalog / `/model` allowlist, keyed by `provider/model`. */
      models: z
        .record(
          z.string(),
          z.strictObject({
            alias: OptString,
            /** Provider-specific request params (temperature, maxTokens, thinking, ...). */
            params: z.record(z.string(), z.unknown()).optional(),
          }),
        )
        .optional(),
      workspace: OptString,
      repoRoot: OptString,
      skipBootstrap: OptBoolean,
      bootstrapMaxChars: OptPositiveInt,
      userTimezone: OptString,
      /** Ours (not in OpenClaw): spending limits per agent and per session (see docs/configuration.md, Budgets). */
      budget: budgetSchema().optional(),
      timeFormat: z.enum(["auto", "12", "24"]).optional(),
      envelopeTimezone: OptString,
      envelopeTimestamp: OnOff.optional(),
      envelopeElapsed: OnOff.optional(),
      contextTokens: OptPositiveInt,
      cliBackends: z.record(z.string(), CliBackendSchema).optional(),
      memorySearch: MemorySearchSchema.optional(),
      contextPruning: ContextPruningSchema.optional(),
      compaction: CompactionSchema.optional(),
      thinkingDefault: ThinkingLevel.optional(),
      verboseDefault: z.enum(["off", "on", "full"]).optional(),
      elevatedDefault: z.enum(["off", "on", "ask", "full"]).optional(),
      blockStreamingDefault: OnOff.optional(),
      blockStreamingBreak: z.enum(["text_end", "message_end"]).optional(),
      blockStreamingChunk: BlockStreamingChunkSchema.optional(),
      blockStreamingCoalesce: BlockStreamingCoalesceSchema.optional(),
      humanDelay: HumanDelaySchema.optional(),
      timeoutSeconds: OptPositiveInt,
      mediaMaxMb: OptPositiveNumber,
      typingIntervalSeconds: OptPositiveInt,
      typingMode: TypingMode.optional(),
      heartbeat: HeartbeatSchema.optional(),
      /** Max agent runs in parallel across sessions. */
      maxConcurrent: OptPositiveInt,
      subagents: z
        .strictObject({
          maxConcurrent: OptPositiveInt,
          archiveAfterMinutes: OptPositiveInt,
          model: ModelRefSchema.optional(),
        })
        .optional(),
      sandbox: SandboxSchema.optional(),
    }),
  );

  const ExecHost = z.enum(["sandbox", "gateway", "node"]);
  const ExecSecurity = z.enum(["deny", "allowlist", "full"]);
  const ExecAsk = z.enum(["off", "on-miss", "always"]);

  /** Shell `exec` tool settings. */
  const ExecToolSchema = z.strictObject({
    host: ExecHost.optional(),
    security: ExecSecurity.optional(),
    ask: ExecAsk.optional(),
    node: OptString,
    pathPrepend: OptStringList,
    safeBins: OptStringList,
    backgroundMs: OptPositiveInt,
    timeoutSec: OptPositiveInt,
    approvalRunningNoticeMs: OptNonNegativeInt,
    cleanupMs: OptPositiveInt,
    notifyOnExit: OptBoolean,
    applyPatch: z
      .strictObject({
        enabled: OptBoolean,
        allowModels: OptStringList,
      })
      .optional(),
  });

  /** Elevated (host) exec; `allowFrom` maps a channel id to sender ids. */
  const ElevatedSchema = section(() =>
    z.strictObject({
      enabled: OptBoolean,
      allowFrom: z.record(z.string(), IdList).optional(),
    }),
  );

  /** Per-agent tool restrictions. */
  const AgentToolsSchema = section(() =>
    z
      .strictObject({
        profile: ToolProfile.optional(),
        allow: OptStringList,
        alsoAllow: OptStringList,
        deny: OptStringList,
        byProvider: z.record(z.string(), ToolPolicyWithProfileSchema).optional(),
        elevated: ElevatedSchema.optional(),
        exec: ExecToolSchema.optional(),
        sandbox: z.strictObject({ tools: ToolPolicySchema.optional() }).optional(),
      })
      .superRefine(checkAllowVsAlsoAllow),
  );

  /** Agent identity used for mention patterns, ack reactions and UI. */
  const IdentitySchema = section(() =>
    z.strictObject({
      name: OptString,
      theme: OptString,
      emoji: OptString,
      /** Workspace-relative path, http(s) URL or data URI. */
      avatar: OptString,
    }),
  );

  const GroupChatSchema = section(() =>
    z.strictObject({
      /** Regexes that count as mentioning the bot. */
      mentionPatterns: OptStringList,
      historyLimit: OptPositiveInt,
    }),
  );

  /** One entry of `agents.list`. */
  const AgentEntrySchema = section(() =>
    z.strictObject({
      id: z.string(),
      default: OptBoolean,
      name: OptString,
      workspace: OptString,
      agentDir: OptString,
      model: ModelRefSchema.optional(),
      memorySearch: MemorySearchSchema.optional(),
      humanDelay: HumanDelaySchema.optional(),
      heartbeat: HeartbeatSchema.optional(),
      identity: IdentitySchema.optional(),
      groupChat: GroupChatSchema.optional(),
      subagents: z
        .strictObject({
          /** Agent ids this agent may spawn (`["*"]` = any). */
          allowAgents: OptStringList,
          model: ModelRefSchema.optional(),
        })
        .optional(),
      sandbox: SandboxSchema.optional(),
      tools: AgentToolsSchema.optional(),
      /** Ours (not in OpenClaw): spending limits for this agent, over `agents.defaults.budget`. */
      budget: budgetSchema().optional(),
    }),
  );

  const AgentsSchema = section(() =>
    z.strictObject({
      defaults: AgentDefaultsSchema.optional(),
      list: z.array(AgentEntrySchema).optional(),
    }),
  );

  // ---------------------------------------------------------------------------
  // tools
  // ---------------------------------------------------------------------------

  /** First-match rules deciding where a feature applies. */
  const ScopeRulesSchema = section(() =>
    z.strictObject({
      default: AllowDeny.optional(),
      rules: z
        .array(
          z.strictObject({
            action: AllowDeny,
            match: z
              .strictObject({
                channel: OptString,
                chatType: z.enum(["direct", "group", "channel"]).optional(),
                keyPrefix: OptString,
              })
              .optional(),
          }),
        )
        .optional(),
    }),
  );

  const MediaCapability = z.enum(["image", "audio", "video"]);
  const ProviderOptionsSchema = section(() => z.record(z.string(), z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))));
  const DeepgramOptionsSchema = section(() =>
    z.strictObject({
      detectLanguage: OptBoolean,
      punctuate: OptBoolean,
      smartFormat: OptBoolean,
    }),
  );

  /** A provider model or a CLI command that understands media. */
  const MediaModelSchema = section(() =>
    z.strictObject({
      type: z.enum(["provider", "cli"]).optional(),
      provider: OptString,
      model: OptString,
      capabilities: z.array(MediaCapability).optional(),
      command: OptString,
      /** Templated args, e.g. `{{MediaPath}}`. */
      args: OptStringList,
      prompt: OptString,
      maxChars: OptPositiveInt,
      maxBytes: OptPositiveInt,
      timeoutSeconds: OptPositiveInt,
      language: OptString,
      providerOptions: ProviderOptionsSchema.optional(),
      deepgram: DeepgramOptionsSchema.optional(),
      baseUrl: OptString,
      headers: OptStringMap,
      profile: OptString,
      preferredProfile: OptString,
    }),
  );

  /** Understanding settings for one media kind. */
  const MediaUnderstandingSchema = section(() =>
    z.strictObject({
      enabled: OptBoolean,
      scope: ScopeRulesSchema.optional(),
      maxBytes: OptPositiveInt,
      maxChars: OptPositiveInt,
      prompt: OptString,
      timeoutSeconds: OptPositiveInt,
      language: OptString,
      providerOptions: ProviderOptionsSchema.optional(),
      deepgram: DeepgramOptionsSchema.optional(),
      baseUrl: OptString,
      headers: OptStringMap,
      attachments: z
        .strictObject({
          mode: z.enum(["first", "all"]).optional(),
          maxAttachments: OptPositiveInt,
          prefer: z.enum(["first", "last", "path", "url"]).optional(),
        })
        .optional(),
      models: z.array(MediaModelSchema).optional(),
    }),
  );

  const ToolsMediaSchema = section(() =>
    z.strictObject({
      /** Shared model list (entries gated by `capabilities`). */
      models: z.array(MediaModelSchema).optional(),
      concurrency: OptPositiveInt,
      image: MediaUnderstandingSchema.optional(),
      audio: MediaUnderstandingSchema.optional(),
      video: MediaUnderstandingSchema.optional(),
    }),
  );

  /** Link understanding (summaries of URLs in messages). */
  const ToolsLinksSchema = section(() =>
    z.strictObject({
      enabled: OptBoolean,
      scope: ScopeRulesSchema.optional(),
      maxLinks: OptPositiveInt,
      timeoutSeconds: OptPositiveInt,
      models: z
        .array(
          z.strictObject({
            type: z.literal("cli").optional(),
            command: z.string().min(1),
            args: OptStringList,
            timeoutSeconds: OptPositiveInt,
          }),
        )
        .optional(),
    }),
  );

  const ToolsWebSchema = section(() =>
    z.strictObject({
      search: z
        .strictObject({
          enabled: OptBoolean,
          provider: z.enum(["brave", "perplexity"]).optional(),
          apiKey: OptString,
          maxResults: OptPositiveInt,
          timeoutSeconds: OptPositiveInt,
          cacheTtlMinutes: z.number().nonnegative().optional(),
          /** Ours, not OpenClaw's (which always calls https://api.search.brave.com): where Brave Search is reached. */
          brave: z.strictObject({ baseUrl: OptString }).optional(),
          perplexity: z
            .strictObject({
              apiKey: OptString,
              baseUrl: OptString,
              model: OptString,
            })
            .optional(),
        })
        .optional(),
      fetch: z
        .strictObject({
          enabled: OptBoolean,
          maxChars: OptPositiveInt,
          timeoutSeconds: OptPositiveInt,
          cacheTtlMinutes: z.number().nonnegative().optional(),
          maxRedirects: OptNonNegativeInt,
          userAgent: OptString,
          /**
           * Ours, not OpenClaw's: let web_fetch reach localhost, private, link-local and other internal
           * addresses (refused by default).
           */
          allowPrivateNetwork: OptBoolean,
          /** Extract the main article text (basic HTML cleanup when off). */
          readability: OptBoolean,
          /** Firecrawl fallback for pages that need rendering. */
          firecrawl: z
            .strictObject({
              enabled: OptBoolean,
              apiKey: OptString,
              baseUrl: OptString,
              onlyMainContent: OptBoolean,
              maxAgeMs: OptNonNegativeInt,
              timeoutSeconds: OptPositiveInt,
            })
            .optional(),
        })
        .optional(),
    }),
  );

  /** Global tool policy and per-tool settings. */
  const ToolsSchema = section(() =>
    z
      .strictObject({
        profile: ToolProfile.optional(),
        allow: OptStringList,
        alsoAllow: OptStringList,
        deny: OptStringList,
        /** Further restrictions keyed by `provider` or `provider/model`. */
        byProvider: z.record(z.string(), ToolPolicyWithProfileSchema).optional(),
        web: ToolsWebSchema.optional(),
        media: ToolsMediaSchema.optional(),
        links: ToolsLinksSchema.optional(),
        message: z
          .strictObject({
            allowCrossContextSend: OptBoolean,
            crossContext: z
              .strictObject({
                allowWithinProvider: OptBoolean,
                allowAcrossProviders: OptBoolean,
                marker: z
                  .strictObject({
                    enabled: OptBoolean,
                    prefix: OptString,
                    suffix: OptString,
                  })
                  .optional(),
              })
              .optional(),
            broadcast: z.strictObject({ enabled: OptBoolean }).optional(),
          })
          .optional(),
        /** Agent-to-agent messaging (opt-in). */
        agentToAgent: z
          .strictObject({
            enabled: OptBoolean,
            allow: OptStringList,
          })
          .optional(),
        elevated: ElevatedSchema.optional(),
        exec: ExecToolSchema.omit({ approvalRunningNoticeMs: true }).optional(),
        subagents: z.strictObject({ tools: ToolPolicySchema.optional() }).optional(),
        sandbox: z.strictObject({ tools: ToolPolicySchema.optional() }).optional(),
      })
      .superRefine(checkAllowVsAlsoAllow),
  );

  // ---------------------------------------------------------------------------
  // bindings, broadcast, audio, media
  // ---------------------------------------------------------------------------

  /** Routes inbound messages to agents; the most specific match wins. */
  const BindingsSchema = section(() =>
    z.array(
      z.strictObject({
        agentId: z.string(),
        match: z.strictObject({
          channel: z.string(),
          /** `*` = any account; omitted = default account. */
          accountId: OptString,
          peer: z
            .strictObject({
              kind: z.enum(["dm", "group", "channel"]),
              id: z.string(),
            })
            .optional(),
          guildId: OptString,
          teamId: OptString,
        }),
      }),
    ),
  );

  /** Peer id -> agent ids that all receive the message. */
  const BroadcastSchema = section(() =>
    z
      .object({
        strategy: z.enum(["parallel", "sequential"]).optional(),
      })
      .catchall(StringList),
  );

  /** Legacy audio transcription hook (prefer `tools.media.audio`). */
  const AudioSchema = section(() =>
    z.strictObject({
      transcription: z
        .strictObject({
          /** argv: executable followed by arguments. */
          command: z.array(z.string()).min(1),
          timeoutSeconds: OptPositiveInt,
        })
        .optional(),
    }),
  );

  const MediaSchema = z.strictObject({
    preserveFilenames: OptBoolean,
  });

  // ---------------------------------------------------------------------------
  // messages, commands, approvals, session
  // ---------------------------------------------------------------------------

  const QueueMode = z.enum(["steer", "followup", "collect", "steer-backlog", "steer+backlog", "queue", "interrupt"]);

  /** What happens to messages that arrive while a run is active. */
  const QueueSchema = section(() =>
    z.strictObject({
      mode: QueueMode.optional(),
      byChannel: z
        .strictObject({
          whatsapp: QueueMode.optional(),
          telegram: QueueMode.optional(),
          discord: QueueMode.optional(),
          slack: QueueMode.optional(),
          mattermost: QueueMode.optional(),
          signal: QueueMode.optional(),
          imessage: QueueMode.optional(),
          msteams: QueueMode.optional(),
          webchat: QueueMode.optional(),
        })
        .optional(),
      debounceMs: OptNonNegativeInt,
      debounceMsByChannel: z.record(z.string(), NonNegativeInt).optional(),
      cap: OptPositiveInt,
      drop: z.enum(["old", "new", "summarize"]).optional(),
    }),
  );

  const TtsSchema = section(() =>
    z.strictObject({
      auto: z.enum(["off", "always", "inbound", "tagged"]).optional(),
      /** Legacy switch; `auto` replaces it. */
      enabled: OptBoolean,
      mode: z.enum(["final", "all"]).optional(),
      provider: z.enum(["elevenlabs", "openai", "edge"]).optional(),
      summaryModel: OptString,
      modelOverrides: z
        .strictObject({
          enabled: OptBoolean,
          allowText: OptBoolean,
          allowProvider: OptBoolean,
          allowVoice: OptBoolean,
          allowModelId: OptBoolean,
          allowVoiceSettings: OptBoolean,
          allowNormalization: OptBoolean,
          allowSeed: OptBoolean,
        })
        .optional(),
      elevenlabs: z
        .strictObject({
          apiKey: OptString,
          baseUrl: OptString,
          voiceId: OptString,
          modelId: OptString,
          seed: z.number().int().min(0).max(4294967295).optional(),
          applyTextNormalization: z.enum(["auto", "on", "off"]).optional(),
          languageCode: OptString,
          voiceSettings: z
            .strictObject({
              stability: OptRatio,
              similarityBoost: OptRatio,
              style: OptRatio,
              useSpeakerBoost: OptBoolean,
              speed: z.number().min(0.5).max(2).optional(),
            })
            .optional(),
        })
        .optional(),
      openai: z
        .strictObject({
          apiKey: OptString,
          model: OptString,
          voice: OptString,
        })
        .optional(),
      edge: z
        .strictObject({
          enabled: OptBoolean,
          voice: OptString,
          lang: OptString,
          outputFormat: OptString,
          pitch: OptString,
          rate: OptString,
          volume: OptString,
          saveSubtitles: OptBoolean,
          proxy: OptString,
          timeoutMs: z.number().int().min(1000).max(120000).optional(),
        })
        .optional(),
      prefsPath: OptString,
      maxTextLength: OptPositiveInt,
      timeoutMs: z.number().int().min(1000).max(120000).optional(),
    }),
  );

  const MessagesSchema = section(() =>
    z.strictObject({
      /** Deprecated: use `channels.whatsapp.messagePrefix`. */
      messagePrefix: OptString,
      /** Prefix for every outbound reply (`auto` or a template like `[{model}]`). */
      responsePrefix: OptString,
      groupChat: GroupChatSchema.optional(),
      queue: QueueSchema.optional(),
      /** Merge rapid messages from one sender into a single turn. */
      inbound: z
        .strictObject({
          debounceMs: OptNonNegativeInt,
          byChannel: z.record(z.string(), NonNegativeInt).optional(),
        })
        .optional(),
      /** Emoji reaction acknowledging inbound messages (`""` disables). */
      ackReaction: OptString,
      ackReactionScope: z.enum(["group-mentions", "group-all", "direct", "all"]).optional(),
      removeAckAfterReply: OptBoolean,
      tts: TtsSchema.optional(),
    }),
  );

  /** Chat command handling. */
  const CommandsSchema = section(() =>
    z.strictObject({
      native: NativeCommandsSetting.optional(),
      nativeSkills: NativeCommandsSetting.optional(),
      text: OptBoolean,
      /** Allow `! <cmd>` host shell commands. */
      bash: OptBoolean,
      bashForegroundMs: z.number().int().min(0).max(30_000).optional(),
      config: OptBoolean,
      debug: OptBoolean,
      restart: OptBoolean,
      useAccessGroups: OptBoolean,
    }),
  );

  /** Forwarding of exec approval prompts to chats. */
  const ApprovalsSchema = section(() =>
    z.strictObject({
      exec: z
        .strictObject({
          enabled: OptBoolean,
          mode: z.enum(["session", "targets", "both"]).optional(),
          agentFilter: OptStringList,
          sessionFilter: OptStringList,
          targets: z
            .array(
              z.strictObject({
                channel: z.string().min(1),
                to: z.string().min(1),
                accountId: OptString,
                threadId: z.union([z.string(), z.number()]).optional(),
              }),
            )
            .optional(),
        })
        .optional(),
    }),
  );

  const SessionResetSchema = section(() =>
    z.strictObject({
      mode: z.enum(["daily", "idle"]).optional(),
      /** Local hour (0-23) of the daily reset. */
      atHour: z.number().int().min(0).max(23).optional(),
      idleMinutes: OptPositiveInt,
    }),
  );

  const SessionSchema = section(() =>
    z.strictObject({
      scope: z.enum(["per-sender", "global"]).optional(),
      dmScope: z.enum(["main", "per-peer", "per-channel-peer", "per-account-channel-peer"]).optional(),
      /** Canonical person id -> provider-prefixed peer ids sharing one DM session. */
      identityLinks: z.record(z.string(), StringList).optional(),
      resetTriggers: OptStringList,
      /** Legacy idle-only reset. */
      idleMinutes: OptPositiveInt,
      heartbeatIdleMinutes: OptPositiveInt,
      reset: SessionResetSchema.optional(),
      resetByType: z
        .strictObject({
          dm: SessionResetSchema.optional(),
          group: SessionResetSchema.optional(),
          thread: SessionResetSchema.optional(),
        })
        .optional(),
      resetByChannel: z.record(z.string(), SessionResetSchema).optional(),
      /** Session store path; `{agentId}` is expanded. */
      store: OptString,
      typingIntervalSeconds: OptPositiveInt,
      typingMode: TypingMode.optional(),
      mainKey: OptString,
      sendPolicy: z
        .strictObject({
          default: AllowDeny.optional(),
          rules: z
            .array(
              z.strictObject({
                action: AllowDeny,
                match: z
                  .strictObject({
                    channel: OptString,
                    chatType: z.enum(["direct", "group", "channel", "room"]).optional(),
                    keyPrefix: OptString,
                  })
                  .optional(),
              }),
            )
            .optional(),
        })
        .optional(),
      agentToAgent: z
        .strictObject({
          maxPingPongTurns: z.number().int().min(0).max(5).optional(),
        })
        .optional(),
    }),
  );

  // ---------------------------------------------------------------------------
  // cron, hooks, web
  // ---------------------------------------------------------------------------

  const CronSchema = section(() =>
    z.strictObject({
      enabled: OptBoolean,
      store: OptString,
      maxConcurrentRuns: OptPositiveInt,
    }),
  );

  /** Maps an incoming `/hooks/<path>` request to a wake or an agent run. */
  const HookMappingSchema = section(() =>
    z.strictObject({
      id: OptString,
      match: z
        .strictObject({
          path: OptString,
          source: OptString,
        })
        .optional(),
      action: z.enum(["wake", "agent"]).optional(),
      wakeMode: z.enum(["now", "next-heartbeat"]).optional(),
      name: OptString,
      sessionKey: OptString,
      messageTemplate: OptString,
      textTemplate: OptString,
      deliver: OptBoolean,
      allowUnsafeExternalContent: OptBoolean,
      channel: z.enum(["last", "whatsapp", "telegram", "discord", "googlechat", "slack", "signal", "imessage", "msteams"]).optional(),
      to: OptString,
      model: OptString,
      thinking: OptString,
      timeoutSeconds: OptPositiveInt,
      /** JS/TS module returning the hook action. */
      transform: z
        .strictObject({
          module: z.string(),
          export: OptString,
        })
        .optional(),
    }),
  );

  /** Gmail Pub/Sub watcher helper. */
  const HooksGmailSchema = section(() =>
    z.strictObject({
      account: OptString,
      label: OptString,
      topic: OptString,
      subscription: OptString,
      pushToken: OptString,
      hookUrl: OptString,
      includeBody: OptBoolean,
      maxBytes: OptPositiveInt,
      renewEveryMinutes: OptPositiveInt,
      allowUnsafeExternalContent: OptBoolean,
      serve: z
        .strictObject({
          bind: OptString,
          port: OptPositiveInt,
          path: OptString,
        })
        .optional(),
      tailscale: z
        .strictObject({
          mode: TailscaleMode.optional(),
          path: OptString,
          target: OptString,
        })
        .optional(),
      model: OptString,
      thinking: z.enum(["off", "minimal", "low", "medium", "high"]).optional(),
    }),
  );

  const InstallSource = z.enum(["npm", "archive", "path"]);

  /** Event hooks run inside the gateway (hook packs). */
  const InternalHooksSchema = section(() =>
    z.strictObject({
      enabled: OptBoolean,
      handlers: z
        .array(
          z.strictObject({
            event: z.string(),
            module: z.string(),
            export: OptString,
          }),
        )
        .optional(),
      entries: z
        .record(
          z.string(),
          z.strictObject({
            enabled: OptBoolean,
            env: OptStringMap,
          }),
        )
        .optional(),
      load: z.strictObject({ extraDirs: OptStringList }).optional(),
      installs: z
        .record(
          z.string(),
          z.strictObject({
            source: InstallSource,
            spec: OptString,
            sourcePath: OptString,
            installPath: OptString,
            version: OptString,
            installedAt: OptString,
            hooks: OptStringList,
          }),
        )
        .optional(),
    }),
  );

  /** HTTP webhooks served by the gateway. */
  const HooksSchema = section(() =>
    z.strictObject({
      enabled: OptBoolean,
      path: OptString,
      token: OptString,
      maxBodyBytes: OptPositiveInt,
      presets: OptStringList,
      transformsDir: OptString,
      mappings: z.array(HookMappingSchema).optional(),
      gmail: HooksGmailSchema.optional(),
      internal: InternalHooksSchema.optional(),
    }),
  );

  /** WhatsApp Web runtime. */
  const WebSchema = section(() =>
    z.strictObject({
      enabled: OptBoolean,
      heartbeatSeconds: OptPositiveInt,
      reconnect: z
        .strictObject({
          initialMs: OptPositiveNumber,
          maxMs: OptPositiveNumber,
          factor: OptPositiveNumber,
          jitter: OptRatio,
          maxAttempts: OptNonNegativeInt,
        })
        .optional(),
    }),
  );

  // ---------------------------------------------------------------------------
  // channels
  // ---------------------------------------------------------------------------

  const MarkdownSchema = section(() =>
    z.strictObject({
      /** How Markdown tables are rendered on this channel. */
      tables: z.enum(["off", "bullets", "code"]).optional(),
    }),
  );

  /** Which heartbeat outcomes a channel shows. */
  const ChannelHeartbeatSchema = section(() =>
    z.strictObject({
      showOk: OptBoolean,
      showAlerts: OptBoolean,
      useIndicator: OptBoolean,
    }),
  );

  const RetrySchema = section(() =>
    z.strictObject({
      attempts: z.number().int().min(1).optional(),
      minDelayMs: OptNonNegativeInt,
      maxDelayMs: OptNonNegativeInt,
      jitter: OptRatio,
    }),
  );

  const ChannelCommandsSchema = section(() =>
    z.strictObject({
      native: NativeCommandsSetting.optional(),
      nativeSkills: NativeCommandsSetting.optional(),
    }),
  );

  /** Per-DM overrides keyed by user id. */
  const DmOverridesSchema = z.record(z.string(), z.strictObject({ historyLimit: OptNonNegativeInt }));

  /** Fields about history context, shared by most channels. */
  const historyFields = {
    /** Last N group messages included as context (0 disables). */
    historyLimit: OptNonNegativeInt,
    /** Max user turns kept in DM sessions. */
    dmHistoryLimit: OptNonNegativeInt,
    dms: DmOverridesSchema.optional(),
  };

  /** Outbound chunking/streaming fields, shared by most channels. */
  const outboundFields = {
    textChunkLimit: OptPositiveInt,
    chunkMode: ChunkMode.optional(),
    blockStreaming: OptBoolean,
    blockStreamingCoalesce: BlockStreamingCoalesceSchema.optional(),
    /** Inbound media size cap (MB). */
    mediaMaxMb: OptPositiveNumber,
  };

  /** Identity/general fields every account block has. */
  const accountFields = {
    /** Display name of this account. */
    name: OptString,
    enabled: OptBoolean,
    capabilities: OptStringList,
    markdown: MarkdownSchema.optional(),
    /** Allow config writes initiated from this channel. */
    configWrites: OptBoolean,
    heartbeat: ChannelHeartbeatSchema.optional(),
  };

  /** Group entry with mention gating and tool policy (WhatsApp, iMessage, BlueBubbles). */
  const MentionGroupSchema = section(() =>
    z.strictObject({
      requireMention: OptBoolean,
      tools: ToolPolicySchema.optional(),
      toolsBySender: ToolPolicyBySender.optional(),
    }),
  );

  /** Builds a `{ ...account, accounts }` channel block with the open-DM check at both levels. */
  function channelWithAccounts<
    Shape extends z.ZodRawShape & { dmPolicy: z.ZodTypeAny; allowFrom: z.ZodTypeAny },
    Extra extends z.ZodRawShape = {},
  >(accountShape: Shape, extraTopLevel?: Extra) {
    type Policy = { dmPolicy?: string | undefined; allowFrom?: ReadonlyArray<string | number> | undefined };
    const check = (value: unknown, ctx: z.RefinementCtx) => {
      const v = value as Policy;
      requireWildcardWhenOpen(v.dmPolicy, v.allowFrom, ctx, ["allowFrom"]);
    };
    const account = z.strictObject(accountShape).superRefine(check);
    return z
      .strictObject({ ...accountShape, ...(extraTopLevel as Extra), accounts: z.record(z.string(), account).optional() })
      .superRefine(check);
  }

  // --- WhatsApp ---------------------------------------------------------------

  const whatsappSharedFields = {
    capabilities: OptStringList,
    markdown: MarkdownSchema.optional(),
    configWrites: OptBoolean,
    /** Mark inbound messages as read (blue ticks). */
    sendReadReceipts: OptBoolean,
    /** Inbound prefix added to messages. */
    messagePrefix: OptString,
    dmPolicy: OptDmPolicy,
    selfChatMode: OptBoolean,
    /** E.164 numbers allowed to DM the bot. */
    allowFrom: OptStringList,
    groupAllowFrom: OptStringList,
    groupPolicy: OptGroupPolicy,
    ...historyFields,
    ...outboundFields,
    mediaMaxMb: OptPositiveInt,
    groups: z.record(z.string(), MentionGroupSchema).optional(),
    ackReaction: z
      .strictObject({
        emoji: OptString,
        direct: OptBoolean,
        group: z.enum(["always", "mentions", "never"]).optional(),
      })
      .optional(),
    debounceMs: OptNonNegativeInt,
    heartbeat: ChannelHeartbeatSchema.optional(),
  };

  const WhatsAppAccountSchema = section(() =>
    z
      .strictObject({
        ...whatsappSharedFields,
        name: OptString,
        enabled: OptBoolean,
        /** Baileys auth state directory for this account. */
        authDir: OptString,
      })
      .superRefine((v, ctx) => requireWildcardWhenOpen(v.dmPolicy, v.allowFrom, ctx, ["allowFrom"])),
  );

  const WhatsAppSchema = section(() =>
    z
      .strictObject({
        ...whatsappSharedFields,
        accounts: z.record(z.string(), WhatsAppAccountSchema).optional(),
        actions: z
          .strictObject({
            reactions: OptBoolean,
            sendMessage: OptBoolean,
            polls: OptBoolean,
          })
          .optional(),
      })
      .superRefine((v, ctx) => requireWildcardWhenOpen(v.dmPolicy, v.allowFrom, ctx, ["allowFrom"])),
  );

  // --- Telegram ---------------------------------------------------------------

  const TelegramTopicSchema = section(() =>
    z.strictObject({
      requireMention: OptBoolean,
      skills: OptStringList,
      enabled: OptBoolean,
      allowFrom: OptIdList,
      systemPrompt: OptString,
    }),
  );

  const TelegramGroupSchema = section(() =>
    z.strictObject({
      requireMention: OptBoolean,
      tools: ToolPolicySchema.optional(),
      toolsBySender: ToolPolicyBySender.optional(),
      skills: OptStringList,
      enabled: OptBoolean,
      allowFrom: OptIdList,
      systemPrompt: OptString,
      /** Forum topics keyed by thread id. */
      topics: z.record(z.string(), TelegramTopicSchema).optional(),
    }),
  );

  const TelegramAccountFields = {
    ...accountFields,
    /** String list, or `{ inlineButtons }` scope. */
    capabilities: z
      .union([StringList, z.strictObject({ inlineButtons: z.enum(["off", "dm", "group", "all", "allowlist"]).optional() })])
      .optional(),
    commands: ChannelCommandsSchema.optional(),
    /** Extra bot menu entries. */
    customCommands: z
      .array(
        z.strictObject({
          command: z.string().min(1),
          description: z.string(),
        }),
      )
      .optional(),
    dmPolicy: OptDmPolicy,
    botToken: OptString,
    /** File holding the bot token. */
    tokenFile: OptString,
    /** Bot API root URL (for a local Bot API server or proxy). */
    apiRoot: OptString,
    replyToMode: OptReplyToMode,
    groups: z.record(z.string(), TelegramGroupSchema).optional(),
    allowFrom: OptIdList,
    groupAllowFrom: OptIdList,
    groupPolicy: OptGroupPolicy,
    ...historyFields,
    ...outboundFields,
    /** Draft chunking for `streamMode: "block"`. */
    draftChunk: BlockStreamingChunkSchema.optional(),
    streamMode: z.enum(["off", "partial", "block"]).optional(),
    timeoutSeconds: OptPositiveInt,
    retry: RetrySchema.optional(),
    network: z.strictObject({ autoSelectFamily: OptBoolean }).optional(),
    proxy: OptString,
    webhookUrl: OptString,
    webhookSecret: OptString,
    webhookPath: OptString,
    actions: z
      .strictObject({
        reactions: OptBoolean,
        sendMessage: OptBoolean,
        deleteMessage: OptBoolean,
        sticker: OptBoolean,
      })
      .optional(),
    reactionNotifications: z.enum(["off", "own", "all"]).optional(),
    reactionLevel: z.enum(["off", "ack", "minimal", "extensive"]).optional(),
    linkPreview: OptBoolean,
  };

  const TelegramSchema = channelWithAccounts(TelegramAccountFields);

  // --- Discord ----------------------------------------------------------------

  const DiscordDmSchema = section(() =>
    z
      .strictObject({
        /** Set false to ignore all DMs. */
        enabled: OptBoolean,
        policy: OptDmPolicy,
        allowFrom: OptIdList,
        groupEnabled: OptBoolean,
        groupChannels: OptIdList,
      })
      .superRefine((v, ctx) => requireWildcardWhenOpen(v.policy, v.allowFrom, ctx, ["allowFrom"])),
  );

  const DiscordGuildChannelSchema = section(() =>
    z.strictObject({
      allow: OptBoolean,
      requireMention: OptBoolean,
      tools: ToolPolicySchema.optional(),
      toolsBySender: ToolPolicyBySender.optional(),
      skills: OptStringList,
      enabled: OptBoolean,
      users: OptIdList,
      systemPrompt: OptString,
      autoThread: OptBoolean,
    }),
  );

  const DiscordGuildSchema = section(() =>
    z.strictObject({
      slug: OptString,
      requireMention: OptBoolean,
      tools: ToolPolicySchema.optional(),
      toolsBySender: ToolPolicyBySender.optional(),
      reactionNotifications: z.enum(["off", "own", "all", "allowlist"]).optional(),
      users: OptIdList,
      /** Keyed by channel id or slugged channel name. */
      channels: z.record(z.string(), DiscordGuildChannelSchema).optional(),
    }),
  );

  const discordAccountFields = {
    ...accountFields,
    commands: ChannelCommandsSchema.optional(),
    token: OptString,
    /** Discord REST API base URL (e.g. a REST proxy). */
    apiBaseUrl: OptString,
    allowBots: OptBoolean,
    groupPolicy: OptGroupPolicy,
    ...historyFields,
    ...outboundFields,
    /** Soft cap on lines per message. */
    maxLinesPerMessage: OptPositiveInt,
    retry: RetrySchema.optional(),
    actions: z
      .strictObject({
        reactions: OptBoolean,
        stickers: OptBoolean,
        emojiUploads: OptBoolean,
        stickerUploads: OptBoolean,
        polls: OptBoolean,
        permissions: OptBoolean,
        messages: OptBoolean,
        threads: OptBoolean,
        pins: OptBoolean,
        search: OptBoolean,
        memberInfo: OptBoolean,
        roleInfo: OptBoolean,
        roles: OptBoolean,
        channelInfo: OptBoolean,
        voiceStatus: OptBoolean,
        events: OptBoolean,
        moderation: OptBoolean,
        channels: OptBoolean,
      })
      .optional(),
    replyToMode: OptReplyToMode,
    dm: DiscordDmSchema.optional(),
    /** Keyed by guild id (preferred) or slug. */
    guilds: z.record(z.string(), DiscordGuildSchema).optional(),
    execApprovals: z
      .strictObject({
        enabled: OptBoolean,
        approvers: OptIdList,
        agentFilter: OptStringList,
        sessionFilter: OptStringList,
      })
      .optional(),
    intents: z
      .strictObject({
        presence: OptBoolean,
        guildMembers: OptBoolean,
      })
      .optional(),
  };

  const DiscordAccountSchema = z.strictObject(discordAccountFields);
  const DiscordSchema = section(() =>
    z.strictObject({
      ...discordAccountFields,
      accounts: z.record(z.string(), DiscordAccountSchema).optional(),
    }),
  );

  // --- Google Chat ------------------------------------------------------------

  const GoogleChatDmSchema = section(() =>
    z
      .strictObject({
        enabled: OptBoolean,
        policy: OptDmPolicy,
        allowFrom: OptIdList,
      })
      .superRefine((v, ctx) => requireWildcardWhenOpen(v.policy, v.allowFrom, ctx, ["allowFrom"])),
  );

  const googleChatAccountFields = {
    ...accountFields,
    allowBots: OptBoolean,
    requireMention: OptBoolean,
    groupPolicy: OptGroupPolicy,
    groupAllowFrom: OptIdList,
    /** Keyed by `spaces/<id>`. */
    groups: z
      .record(
        z.string(),
        z.strictObject({
          enabled: OptBoolean,
          allow: OptBoolean,
          requireMention: OptBoolean,
          users: OptIdList,
          systemPrompt: OptString,
        }),
      )
      .optional(),
    /** Inline service-account JSON (string or object). */
    serviceAccount: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    serviceAccountFile: OptString,
    audienceType: z.enum(["app-url", "project-number"]).optional(),
    audience: OptString,
    webhookPath: OptString,
    webhookUrl: OptString,
    botUser: OptString,
    ...historyFields,
    ...outboundFields,
    replyToMode: OptReplyToMode,
    actions: z.strictObject({ reactions: OptBoolean }).optional(),
    dm: GoogleChatDmSchema.optional(),
    typingIndicator: z.enum(["none", "message", "reaction"]).optional(),
  };

  const GoogleChatAccountSchema = z.strictObject(googleChatAccountFields);
  const GoogleChatSchema = section(() =>
    z.strictObject({
      ...googleChatAccountFields,
      accounts: z.record(z.string(), GoogleChatAccountSchema).optional(),
      defaultAccount: OptString,
    }),
  );

  // --- Slack ------------------------------------------------------------------

  const SlackDmSchema = section(() =>
    z
      .strictObject({
        enabled: OptBoolean,
        policy: OptDmPolicy,
        allowFrom: OptIdList,
        groupEnabled: OptBoolean,
        groupChannels: OptIdList,
        replyToMode: OptReplyToMode,
      })
      .superRefine((v, ctx) => requireWildcardWhenOpen(v.policy, v.allowFrom, ctx, ["allowFrom"])),
  );

  const SlackChannelSchema = section(() =>
    z.strictObject({
      enabled: OptBoolean,
      allow: OptBoolean,
      requireMention: OptBoolean,
      tools: ToolPolicySchema.optional(),
      toolsBySender: ToolPolicyBySender.optional(),
      allowBots: OptBoolean,
      users: OptIdList,
      skills: OptStringList,
      systemPrompt: OptString,
    }),
  );

  const slackAccountFields = {
    ...accountFields,
    /** `socket` (Socket Mode) or `http` (Events API). */
    mode: z.enum(["socket", "http"]).optional(),
    signingSecret: OptString,
    webhookPath: OptString,
    commands: ChannelCommandsSchema.optional(),
    botToken: OptString,
    appToken: OptString,
    /** Web API base URL (a proxy); ours, not OpenClaw's (see the file header). */
    apiBaseUrl: OptString,
    userToken: OptString,
    userTokenReadOnly: OptBoolean,
    allowBots: OptBoolean,
    requireMention: OptBoolean,
    groupPolicy: OptGroupPolicy,
    ...historyFields,
    ...outboundFields,
    reactionNotifications: z.enum(["off", "own", "all", "allowlist"]).optional(),
    reactionAllowlist: OptIdList,
    replyToMode: OptReplyToMode,
    replyToModeByChatType: z
      .strictObject({
        direct: OptReplyToMode,
        group: OptReplyToMode,
        channel: OptReplyToMode,
      })
      .optional(),
    thread: z
      .strictObject({
        historyScope: z.enum(["thread", "channel"]).optional(),
        inheritParent: OptBoolean,
      })
      .optional(),
    actions: z
      .strictObject({
        reactions: OptBoolean,
        messages: OptBoolean,
        pins: OptBoolean,
        search: OptBoolean,
        permissions: OptBoolean,
        memberInfo: OptBoolean,
        channelInfo: OptBoolean,
        emojiList: OptBoolean,
      })
      .optional(),
    slashCommand: z
      .strictObject({
        enabled: OptBoolean,
        name: OptString,
        sessionPrefix: OptString,
        ephemeral: OptBoolean,
      })
      .optional(),
    dm: SlackDmSchema.optional(),
    /** Keyed by channel id or `#name`. */
    channels: z.record(z.string(), SlackChannelSchema).optional(),
  };

  const SlackAccountSchema = z.strictObject(slackAccountFields);
  const SlackSchema = section(() =>
    z
      .strictObject({
        ...slackAccountFields,
        accounts: z.record(z.string(), SlackAccountSchema).optional(),
      })
      .superRefine((slack, ctx) => {
        const baseMode = slack.mode ?? "socket";
        if (baseMode === "http" && !slack.signingSecret) {
          ctx.addIssue({ code: "custom", path: ["signingSecret"], message: 'mode "http" requires signingSecret' });
        }
        for (const [id, account] of Object.entries(slack.accounts ?? {})) {
          if (account.enabled === false || (account.mode ?? baseMode) !== "http") continue;
          if (!account.signingSecret && !slack.signingSecret) {
            ctx.addIssue({
              code: "custom",
              path: ["accounts", id, "signingSecret"],
              message: 'mode "http" requires signingSecret (on the account or on channels.slack)',
            });
          }
        }
      }),
  );

  // --- Mattermost (plugin channel) --------------------------------------------

  const MattermostSchema = section(() =>
    channelWithAccounts({
      name: OptString,
      capabilities: OptStringList,
      markdown: MarkdownSchema.optional(),
      enabled: OptBoolean,
      configWrites: OptBoolean,
      botToken: OptString,
      /** Server URL, e.g. https://chat.example.com */
      baseUrl: OptString,
      chatmode: z.enum(["oncall", "onmessage", "onchar"]).optional(),
      oncharPrefixes: OptStringList,
      requireMention: OptBoolean,
      dmPolicy: OptDmPolicy,
      allowFrom: OptIdList,
      groupAllowFrom: OptIdList,
      groupPolicy: OptGroupPolicy,
      textChunkLimit: OptPositiveInt,
      chunkMode: ChunkMode.optional(),
      blockStreaming: OptBoolean,
      blockStreamingCoalesce: BlockStreamingCoalesceSchema.optional(),
    }),
  );

  // --- Signal -----------------------------------------------------------------

  const SignalSchema = section(() =>
    channelWithAccounts({
      ...accountFields,
      /** The bot's Signal account (E.164). */
      account: OptString,
      httpUrl: OptString,
      httpHost: OptString,
      httpPort: OptPositiveInt,
      cliPath: z.string().min(1).optional(),
      autoStart: OptBoolean,
      startupTimeoutMs: z.number().int().min(1000).max(120000).optional(),
      receiveMode: z.enum(["on-start", "manual"]).optional(),
      ignoreAttachments: OptBoolean,
      ignoreStories: OptBoolean,
      sendReadReceipts: OptBoolean,
      dmPolicy: OptDmPolicy,
      allowFrom: OptIdList,
      groupAllowFrom: OptIdList,
      groupPolicy: OptGroupPolicy,
      ...historyFields,
      ...outboundFields,
      mediaMaxMb: OptPositiveInt,
      reactionNotifications: z.enum(["off", "own", "all", "allowlist"]).optional(),
      reactionAllowlist: OptIdList,
      actions: z.strictObject({ reactions: OptBoolean }).optional(),
      reactionLevel: z.enum(["off", "ack", "minimal", "extensive"]).optional(),
    }),
  );

  // --- iMessage ---------------------------------------------------------------

  const IMessageSchema = section(() =>
    channelWithAccounts({
      ...accountFields,
      /** `imsg` binary or an SSH wrapper script. */
      cliPath: z.string().min(1).optional(),
      dbPath: OptString,
      /** SSH host for fetching attachments when cliPath is a remote wrapper. */
      remoteHost: OptString,
      service: z.enum(["imessage", "sms", "auto"]).optional(),
      region: OptString,
      dmPolicy: OptDmPolicy,
      allowFrom: OptIdList,
      groupAllowFrom: OptIdList,
      groupPolicy: OptGroupPolicy,
      ...historyFields,
      includeAttachments: OptBoolean,
      ...outboundFields,
      mediaMaxMb: OptPositiveInt,
      groups: z.record(z.string(), MentionGroupSchema).optional(),
    }),
  );

  // --- BlueBubbles ------------------------------------------------------------

  const blueBubblesAccountFields = {
    ...accountFields,
    serverUrl: OptString,
    password: OptString,
    webhookPath: OptString,
    dmPolicy: OptDmPolicy,
    allowFrom: OptIdList,
    groupAllowFrom: OptIdList,
    groupPolicy: OptGroupPolicy,
    ...historyFields,
    ...outboundFields,
    mediaMaxMb: OptPositiveInt,
    sendReadReceipts: OptBoolean,
    groups: z.record(z.string(), MentionGroupSchema).optional(),
  };

  const BlueBubblesSchema = section(() =>
    channelWithAccounts(blueBubblesAccountFields, {
      actions: z
        .strictObject({
          reactions: OptBoolean,
          edit: OptBoolean,
          unsend: OptBoolean,
          reply: OptBoolean,
          sendWithEffect: OptBoolean,
          renameGroup: OptBoolean,
          setGroupIcon: OptBoolean,
          addParticipant: OptBoolean,
          removeParticipant: OptBoolean,
          leaveGroup: OptBoolean,
          sendAttachment: OptBoolean,
        })
        .optional(),
    }),
  );

  // --- Microsoft Teams --------------------------------------------------------

  const MSTeamsReplyStyle = z.enum(["thread", "top-level"]);

  const MSTeamsChannelSchema = section(() =>
    z.strictObject({
      requireMention: OptBoolean,
      tools: ToolPolicySchema.optional(),
      toolsBySender: ToolPolicyBySender.optional(),
      replyStyle: MSTeamsReplyStyle.optional(),
    }),
  );

  const MSTeamsTeamSchema = section(() =>
    z.strictObject({
      requireMention: OptBoolean,
      tools: ToolPolicySchema.optional(),
      toolsBySender: ToolPolicyBySender.optional(),
      replyStyle: MSTeamsReplyStyle.optional(),
      channels: z.record(z.string(), MSTeamsChannelSchema).optional(),
    }),
  );

  const MSTeamsSchema = section(() =>
    z
      .strictObject({
        enabled: OptBoolean,
        capabilities: OptStringList,
        markdown: MarkdownSchema.optional(),
        configWrites: OptBoolean,
        appId: OptString,
        appPassword: OptString,
        tenantId: OptString,
        webhook: z
          .strictObject({
            port: OptPositiveInt,
            path: OptString,
          })
          .optional(),
        dmPolicy: OptDmPolicy,
        allowFrom: OptStringList,
        groupAllowFrom: OptStringList,
        groupPolicy: OptGroupPolicy,
        textChunkLimit: OptPositiveInt,
        chunkMode: ChunkMode.optional(),
        blockStreamingCoalesce: BlockStreamingCoalesceSchema.optional(),
        /** Hosts allowed for inbound media downloads. */
        mediaAllowHosts: OptStringList,
        requireMention: OptBoolean,
        ...historyFields,
        replyStyle: MSTeamsReplyStyle.optional(),
        teams: z.record(z.string(), MSTeamsTeamSchema).optional(),
        mediaMaxMb: OptPositiveNumber,
        /** SharePoint site used for file uploads in group chats. */
        sharePointSiteId: OptString,
        heartbeat: ChannelHeartbeatSchema.optional(),
      })
      .superRefine((v, ctx) => requireWildcardWhenOpen(v.dmPolicy, v.allowFrom, ctx, ["allowFrom"])),
  );

  // --- channels ---------------------------------------------------------------

  /** Config owned by a channel plugin; validated by that plugin. */
  const PluginChannelSchema = z.record(z.string(), z.unknown());

  // Keys beyond the known channels are channels a plugin provides (`api.registerChannel`); config
  // validation checks that a plugin manifest declares them (see `validateConfigObject`).
  const ChannelsSchema = section(() =>
    z
      .object({
        /** Fallbacks for every channel. */
        defaults: z
          .strictObject({
            groupPolicy: OptGroupPolicy,
            heartbeat: ChannelHeartbeatSchema.optional(),
          })
          .optional(),
        whatsapp: WhatsAppSchema.optional(),
        telegram: TelegramSchema.optional(),
        discord: DiscordSchema.optional(),
        googlechat: GoogleChatSchema.optional(),
        slack: SlackSchema.optional(),
        mattermost: MattermostSchema.optional(),
        signal: SignalSchema.optional(),
        imessage: IMessageSchema.optional(),
        bluebubbles: BlueBubblesSchema.optional(),
        msteams: MSTeamsSchema.optional(),
        matrix: PluginChannelSchema.optional(),
        nostr: PluginChannelSchema.optional(),
        zalo: PluginChannelSchema.optional(),
        zalouser: PluginChannelSchema.optional(),
        line: PluginChannelSchema.optional(),
        twitch: PluginChannelSchema.optional(),
        "nextcloud-talk": PluginChannelSchema.optional(),
        tlon: PluginChannelSchema.optional(),
      })
      .catchall(PluginChannelSchema),
  );

  // ---------------------------------------------------------------------------
  // bridge, discovery, canvasHost, talk
  // ---------------------------------------------------------------------------

  const BindMode = z.enum(["auto", "lan", "loopback", "custom", "tailnet"]);

  const TlsSchema = section(() =>
    z.strictObject({
      enabled: OptBoolean,
      /** Create a self-signed certificate when none exists. */
      autoGenerate: OptBoolean,
      certPath: OptString,
      keyPath: OptString,
      caPath: OptString,
    }),
  );

  /** Legacy TCP bridge for nodes; accepted but no longer used. */
  const BridgeSchema = section(() =>
    z.strictObject({
      enabled: OptBoolean,
      port: Port.optional(),
      bind: BindMode.optional(),
      tls: TlsSchema.optional(),
    }),
  );

  const DiscoverySchema = section(() =>
    z.strictObject({
      /** Unicast DNS-SD zone for discovery across networks. */
      wideArea: z
        .strictObject({
          enabled: OptBoolean,
          domain: OptString,
        })
        .optional(),
      /** LAN Bonjour broadcasts. */
      mdns: z.strictObject({ mode: z.enum(["off", "minimal", "full"]).optional() }).optional(),
    }),
  );

  /** Static file server for Canvas / A2UI. */
  const CanvasHostSchema = section(() =>
    z.strictObject({
      enabled: OptBoolean,
      root: OptString,
      port: Port.optional(),
      liveReload: OptBoolean,
    }),
  );

  /** Talk mode (voice) defaults. */
  const TalkSchema = section(() =>
    z.strictObject({
      voiceId: OptString,
      /** Friendly name -> ElevenLabs voice id. */
      voiceAliases: OptStringMap,
      modelId: OptString,
      outputFormat: OptString,
      apiKey: OptString,
      interruptOnSpeech: OptBoolean,
    }),
  );

  // ---------------------------------------------------------------------------
  // gateway
  // ---------------------------------------------------------------------------

  const HttpFileLimitsSchema = section(() =>
    z.strictObject({
      allowUrl: OptBoolean,
      allowedMimes: OptStringList,
      maxBytes: OptPositiveInt,
      maxChars: OptPositiveInt,
      maxRedirects: OptNonNegativeInt,
      timeoutMs: OptPositiveInt,
      pdf: z
        .strictObject({
          maxPages: OptPositiveInt,
          maxPixels: OptPositiveInt,
          minTextChars: OptNonNegativeInt,
        })
        .optional(),
    }),
  );

  const HttpImageLimitsSchema = section(() =>
    z.strictObject({
      allowUrl: OptBoolean,
      allowedMimes: OptStringList,
      maxBytes: OptPositiveInt,
      maxRedirects: OptNonNegativeInt,
      timeoutMs: OptPositiveInt,
    }),
  );

  /** The gateway server (WS + HTTP on one port). */
  const GatewaySchema = section(() =>
    z.strictObject({
      /** Gateway port (WS + HTTP). Default 18789. */
      port: Port.optional(),
      /** `local` runs the gateway here; `remote` points the CLI at another host. */
      mode: z.enum(["local", "remote"]).optional(),
      bind: BindMode.optional(),
      /** Host/IP to bind when `bind` is "custom". */
      customBindHost: OptString,
      controlUi: z
        .strictObject({
          enabled: OptBoolean,
          basePath: OptString,
          /** Accept token-only auth without device identity (e.g. plain HTTP). */
          allowInsecureAuth: OptBoolean,
          /** Break-glass: skip device identity checks entirely. */
          dangerouslyDisableDeviceAuth: OptBoolean,
        })
        .optional(),
      auth: z
        .strictObject({
          mode: z.enum(["token", "password"]).optional(),
          token: OptString,
          password: OptString,
          /** Accept Tailscale Serve identity headers as auth. */
          allowTailscale: OptBoolean,
        })
        .optional(),
      /** Reverse proxies whose X-Forwarded-For is trusted. */
      trustedProxies: OptStringList,
      tailscale: z
        .strictObject({
          mode: TailscaleMode.optional(),
          resetOnExit: OptBoolean,
        })
        .optional(),
      /** Where the CLI connects when `mode` is "remote". */
      remote: z
        .strictObject({
          url: OptString,
          transport: z.enum(["ssh", "direct"]).optional(),
          token: OptString,
          password: OptString,
          tlsFingerprint: OptString,
          sshTarget: OptString,
          sshIdentity: OptString,
        })
        .optional(),
      /** Config hot reload. */
      reload: z
        .strictObject({
          mode: z.enum(["off", "restart", "hot", "hybrid"]).optional(),
          debounceMs: OptNonNegativeInt,
        })
        .optional(),
      tls: TlsSchema.optional(),
      /** OpenAI-compatible HTTP endpoints. */
      http: z
        .strictObject({
          endpoints: z
            .strictObject({
              chatCompletions: z.strictObject({ enabled: OptBoolean }).optional(),
              responses: z
                .strictObject({
                  enabled: OptBoolean,
                  maxBodyBytes: OptPositiveInt,
                  files: HttpFileLimitsSchema.optional(),
                  images: HttpImageLimitsSchema.optional(),
                })
                .optional(),
            })
            .optional(),
        })
        .optional(),
      /** Policy for connected nodes. */
      nodes: z
        .strictObject({
          browser: z
            .strictObject({
              mode: z.enum(["auto", "manual", "off"]).optional(),
              node: OptString,
            })
            .optional(),
          allowCommands: OptStringList,
          denyCommands: OptStringList,
        })
        .optional(),
    }),
  );

  // ---------------------------------------------------------------------------
  // skills, plugins
  // ---------------------------------------------------------------------------

  const SkillsSchema = section(() =>
    z.strictObject({
      /** Allowlist for bundled skills only. */
      allowBundled: OptStringList,
      load: z
        .strictObject({
          extraDirs: OptStringList,
          watch: OptBoolean,
          watchDebounceMs: OptNonNegativeInt,
        })
        .optional(),
      install: z
        .strictObject({
          preferBrew: OptBoolean,
          nodeManager: z.enum(["npm", "pnpm", "yarn", "bun"]).optional(),
        })
        .optional(),
      /** Per-skill overrides keyed by skill name. */
      entries: z
        .record(
          z.string(),
          z.strictObject({
            enabled: OptBoolean,
            apiKey: OptString,
            env: OptStringMap,
            config: z.record(z.string(), z.unknown()).optional(),
          }),
        )
        .optional(),
    }),
  );

  const PluginsSchema = section(() =>
    z.strictObject({
      enabled: OptBoolean,
      allow: OptStringList,
      deny: OptStringList,
      load: z.strictObject({ paths: OptStringList }).optional(),
      /** Exclusive slots, e.g. which plugin provides memory. */
      slots: z.strictObject({ memory: OptString }).optional(),
      /** Per-plugin settings keyed by plugin id; `config` is validated by the plugin. */
      entries: z
        .record(
          z.string(),
          z.strictObject({
            enabled: OptBoolean,
            config: z.record(z.string(), z.unknown()).optional(),
          }),
        )
        .optional(),
      /** Install records written by `openclaw plugins install`. */
      installs: z
        .record(
          z.string(),
          z.strictObject({
            source: InstallSource,
            spec: OptString,
            sourcePath: OptString,
            installPath: OptString,
            version: OptString,
            installedAt: OptString,
          }),
        )
        .optional(),
    }),
  );

  // ---------------------------------------------------------------------------
  // The whole file
  // ---------------------------------------------------------------------------

  /** Schema of the whole `openclaw.json`. */
  const OpenClawConfigSchema = z
    .strictObject({
      /** JSON Schema URL for editors; ignored by the gateway. */
      $schema: OptString,
      meta: MetaSchema.optional(),
      env: EnvSchema.optional(),
      wizard: WizardSchema.optional(),
      update: UpdateSchema.optional(),
      diagnostics: DiagnosticsSchema.optional(),
      logging: LoggingSchema.optional(),
      browser: BrowserSchema.optional(),
      ui: UiSchema.optional(),
      auth: AuthSchema.optional(),
      models: ModelsSchema.optional(),
      nodeHost: NodeHostSchema.optional(),
      agents: AgentsSchema.optional(),
      tools: ToolsSchema.optional(),
      bindings: BindingsSchema.optional(),
      broadcast: BroadcastSchema.optional(),
      audio: AudioSchema.optional(),
      media: MediaSchema.optional(),
      messages: MessagesSchema.optional(),
      commands: CommandsSchema.optional(),
      approvals: ApprovalsSchema.optional(),
      session: SessionSchema.optional(),
      cron: CronSchema.optional(),
      hooks: HooksSchema.optional(),
      web: WebSchema.optional(),
      channels: ChannelsSchema.optional(),
      bridge: BridgeSchema.optional(),
      discovery: DiscoverySchema.optional(),
      canvasHost: CanvasHostSchema.optional(),
      talk: TalkSchema.optional(),
      gateway: GatewaySchema.optional(),
      skills: SkillsSchema.optional(),
      plugins: PluginsSchema.optional(),
    })
    .superRefine((cfg, ctx) => {
      // Broadcast targets must name agents from agents.list (when a list exists).
      const agents = cfg.agents?.list ?? [];
      if (agents.length === 0 || !cfg.broadcast) return;
      const known = new Set(agents.map((a) => a.id));
      for (const [peer, ids] of Object.entries(cfg.broadcast)) {
        if (peer === "strategy" || !Array.isArray(ids)) continue;
        ids.forEach((id, index) => {
          if (!known.has(id)) {
            ctx.addIssue({
              code: "custom",
              path: ["broadcast", peer, index],
              message: `unknown agent id "${id}" (not in agents.list)`,
            });
          }
        });
      }
    });

  return OpenClawConfigSchema;
}

export type OpenClawConfig = z.infer<ReturnType<typeof buildConfigSchema>>;

let built: WeakRef<ReturnType<typeof buildConfigSchema>> | null = null;

/** Schema of the whole `openclaw.json`: built on first use and kept only while something holds it. */
export function configSchema(): ReturnType<typeof buildConfigSchema> {
  let schema = built?.deref();
  if (!schema) {
    schema = buildConfigSchema();
    built = new WeakRef(schema);
  }
  return schema;
}

// ---------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------

/**
 * Matches a key whose value is a secret: the key ends in token, password, secret,
 * apiKey / api_key, privateKey, accessKey, serviceAccount or credential(s), e.g.
 * `token`, `botToken`, `appPassword`, `signingSecret`, `OPENAI_API_KEY`.
 * Plural counters and other words do not match (`maxTokens`, `contextTokens`,
 * `tokenLimit`, `tokenFile`, `allowTailscale`, `mode`).
 */
export const SENSITIVE_KEY_PATTERN =
  /^[a-z0-9_.-]*(?:token|password|passphrase|secrets?|api[_-]?key|private[_-]?key|access[_-]?key|service[_-]?account|credentials?)$/i;
