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

  /** Duration such as `500ms`, `30s`, `30m`, `1h`, `1d`; a bare number uses the field's default unit. */
  const DURATION_RE = /^\d+(?:\.\d+)?(?:ms|s|m|h|d)?$/i;
  const Duration = z.string().refine((v) => DURATION_RE.test(v.trim()), {
    message: "invalid duration (use a number with ms, s, m, h or d)",
  });

  /** `{ primary, fallbacks }` model selection. */
  const ModelSelectionSchema = z.lazy(() =>
    z.strictObject({
      /** Model ref as `provider/model` or an alias. */
      primary: z.string().optional(),
      /** Tried in order when the primary fails. `[]` disables inherited fallbacks. */
      fallbacks: StringList.optional(),
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
  const ToolPolicySchema = z.lazy(() =>
    z
      .strictObject({
        allow: StringList.optional(),
        /** Extra tools on top of the active profile. */
        alsoAllow: StringList.optional(),
        /** Denied tools; deny always wins. */
        deny: StringList.optional(),
      })
      .superRefine(checkAllowVsAlsoAllow),
  );

  const ToolProfile = z.enum(["minimal", "coding", "messaging", "full"]);

  /** Tool policy plus a base profile (used by `byProvider`). */
  const ToolPolicyWithProfileSchema = z.lazy(() =>
    z
      .strictObject({
        profile: ToolProfile.optional(),
        allow: StringList.optional(),
        alsoAllow: StringList.optional(),
        deny: StringList.optional(),
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
  const MetaSchema = z.lazy(() =>
    z.strictObject({
      lastTouchedVersion: z.string().optional(),
      lastTouchedAt: z.string().optional(),
    }),
  );

  /**
   * Inline environment variables (only applied when the process env lacks them).
   * Any extra key is treated as a variable name.
   */
  const EnvSchema = z.lazy(() =>
    z
      .object({
        /** Import missing keys from the login shell profile. */
        shellEnv: z
          .strictObject({
            enabled: z.boolean().optional(),
            timeoutMs: NonNegativeInt.optional(),
          })
          .optional(),
        vars: StringMap.optional(),
      })
      .catchall(z.string()),
  );

  /** Written by `onboard` / `configure` / `doctor`. */
  const WizardSchema = z.lazy(() =>
    z.strictObject({
      lastRunAt: z.string().optional(),
      lastRunVersion: z.string().optional(),
      lastRunCommit: z.string().optional(),
      lastRunCommand: z.string().optional(),
      lastRunMode: z.enum(["local", "remote"]).optional(),
    }),
  );

  const UpdateSchema = z.lazy(() =>
    z.strictObject({
      channel: z.enum(["stable", "beta", "dev"]).optional(),
      checkOnStart: z.boolean().optional(),
    }),
  );

  const DiagnosticsSchema = z.lazy(() =>
    z.strictObject({
      enabled: z.boolean().optional(),
      flags: StringList.optional(),
      /** OpenTelemetry export. */
      otel: z
        .strictObject({
          enabled: z.boolean().optional(),
          endpoint: z.string().optional(),
          protocol: z.enum(["http/protobuf", "grpc"]).optional(),
          headers: StringMap.optional(),
          serviceName: z.string().optional(),
          traces: z.boolean().optional(),
          metrics: z.boolean().optional(),
          logs: z.boolean().optional(),
          sampleRate: Ratio.optional(),
          flushIntervalMs: NonNegativeInt.optional(),
        })
        .optional(),
      /** Writes prompt-cache traces to a file for debugging. */
      cacheTrace: z
        .strictObject({
          enabled: z.boolean().optional(),
          filePath: z.string().optional(),
          includeMessages: z.boolean().optional(),
          includePrompt: z.boolean().optional(),
          includeSystem: z.boolean().optional(),
        })
        .optional(),
    }),
  );

  const LoggingSchema = z.lazy(() =>
    z.strictObject({
      /** File log level. */
      level: LogLevel.optional(),
      /** Log file path (default: a dated file under /tmp/openclaw). */
      file: z.string().optional(),
      consoleLevel: LogLevel.optional(),
      consoleStyle: z.enum(["pretty", "compact", "json"]).optional(),
      /** Redact secrets from tool summaries. */
      redactSensitive: z.enum(["off", "tools"]).optional(),
      /** Regexes that replace the built-in redaction rules. */
      redactPatterns: StringList.optional(),
    }),
  );

  // ---------------------------------------------------------------------------
  // browser, ui, nodeHost
  // ---------------------------------------------------------------------------

  const BrowserProfileSchema = z.lazy(() =>
    z
      .strictObject({
        cdpPort: Port.optional(),
        cdpUrl: z.string().optional(),
        driver: z.enum(["openclaw", "extension"]).optional(),
        color: HexColor,
      })
      .refine((p) => p.cdpPort !== undefined || (p.cdpUrl !== undefined && p.cdpUrl !== ""), {
        message: "a browser profile needs cdpPort or cdpUrl",
      }),
  );

  /** The OpenClaw-managed browser (CDP). */
  const BrowserSchema = z.lazy(() =>
    z.strictObject({
      enabled: z.boolean().optional(),
      /** Allow `act:evaluate` / `wait --fn`. */
      evaluateEnabled: z.boolean().optional(),
      /** Legacy single-profile CDP URL. */
      cdpUrl: z.string().optional(),
      remoteCdpTimeoutMs: NonNegativeInt.optional(),
      remoteCdpHandshakeTimeoutMs: NonNegativeInt.optional(),
      color: z.string().optional(),
      executablePath: z.string().optional(),
      headless: z.boolean().optional(),
      noSandbox: z.boolean().optional(),
      /** Never launch a browser; only attach to a running one. */
      attachOnly: z.boolean().optional(),
      defaultProfile: z.string().optional(),
      snapshotDefaults: z.strictObject({ mode: z.literal("efficient").optional() }).optional(),
      /** Named profiles; names are lowercase letters, digits and hyphens. */
      profiles: z.record(z.string().regex(/^[a-z0-9-]+$/, "profile names use a-z, 0-9 and -"), BrowserProfileSchema).optional(),
    }),
  );

  /** Appearance hints for the native apps and the Control UI. */
  const UiSchema = z.lazy(() =>
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
  const NodeHostSchema = z.lazy(() =>
    z.strictObject({
      browserProxy: z
        .strictObject({
          enabled: z.boolean().optional(),
          allowProfiles: StringList.optional(),
        })
        .optional(),
    }),
  );

  // ---------------------------------------------------------------------------
  // auth, models
  // ---------------------------------------------------------------------------

  /** Auth profile metadata (the secrets themselves live in auth-profiles.json). */
  const AuthSchema = z.lazy(() =>
    z.strictObject({
      profiles: z
        .record(
          z.string(),
          z.strictObject({
            provider: z.string(),
            mode: z.enum(["api_key", "oauth", "token"]),
            email: z.string().optional(),
          }),
        )
        .optional(),
      /** Per provider: profile ids in failover order. */
      order: z.record(z.string(), StringList).optional(),
      cooldowns: z
        .strictObject({
          billingBackoffHours: PositiveNumber.optional(),
          billingBackoffHoursByProvider: z.record(z.string(), PositiveNumber).optional(),
          billingMaxHours: PositiveNumber.optional(),
          failureWindowHours: PositiveNumber.optional(),
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
  const ModelDefinitionSchema = z.lazy(() =>
    z.strictObject({
      id: z.string().min(1),
      name: z.string().min(1),
      api: ModelApi.optional(),
      reasoning: z.boolean().optional(),
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
      contextWindow: PositiveNumber.optional(),
      maxTokens: PositiveNumber.optional(),
      headers: StringMap.optional(),
      /** Quirks of OpenAI-compatible servers. */
      compat: z
        .strictObject({
          supportsStore: z.boolean().optional(),
          supportsDeveloperRole: z.boolean().optional(),
          supportsReasoningEffort: z.boolean().optional(),
          maxTokensField: z.enum(["max_completion_tokens", "max_tokens"]).optional(),
        })
        .optional(),
    }),
  );

  /** A custom model provider (LiteLLM, local servers, proxies, ...). */
  const ModelProviderSchema = z.lazy(() =>
    z.strictObject({
      baseUrl: z.string().min(1),
      apiKey: z.string().optional(),
      auth: z.enum(["api-key", "aws-sdk", "oauth", "token"]).optional(),
      api: ModelApi.optional(),
      headers: StringMap.optional(),
      /** Send the key in an Authorization header. */
      authHeader: z.boolean().optional(),
      models: z.array(ModelDefinitionSchema),
    }),
  );

  const ModelsSchema = z.lazy(() =>
    z.strictObject({
      /** `merge` keeps providers already in models.json; `replace` overwrites it. */
      mode: z.enum(["merge", "replace"]).optional(),
      providers: z.record(z.string(), ModelProviderSchema).optional(),
      /** Auto-discovery of AWS Bedrock models. */
      bedrockDiscovery: z
        .strictObject({
          enabled: z.boolean().optional(),
          region: z.string().optional(),
          providerFilter: StringList.optional(),
          refreshInterval: NonNegativeInt.optional(),
          defaultContextWindow: PositiveInt.optional(),
          defaultMaxTokens: PositiveInt.optional(),
        })
        .optional(),
    }),
  );

  // ---------------------------------------------------------------------------
  // agents
  // ---------------------------------------------------------------------------

  const HumanDelaySchema = z.lazy(() =>
    z.strictObject({
      mode: z.enum(["off", "natural", "custom"]).optional(),
      minMs: NonNegativeInt.optional(),
      maxMs: NonNegativeInt.optional(),
    }),
  );

  const BlockStreamingChunkSchema = z.lazy(() =>
    z.strictObject({
      minChars: PositiveInt.optional(),
      maxChars: PositiveInt.optional(),
      breakPreference: z.enum(["paragraph", "newline", "sentence"]).optional(),
    }),
  );

  const BlockStreamingCoalesceSchema = z.lazy(() =>
    z.strictObject({
      minChars: PositiveInt.optional(),
      maxChars: PositiveInt.optional(),
      idleMs: NonNegativeInt.optional(),
    }),
  );

  const HH_MM_RE = /^([01]\d|2[0-3]|24):([0-5]\d)$/;

  /** Periodic heartbeat runs. */
  const HeartbeatSchema = z.lazy(() =>
    z
      .strictObject({
        /** Interval, e.g. `30m` (bare numbers are minutes; `0m` disables). */
        every: Duration.optional(),
        /** Only run between these local times (HH:MM, 24h). */
        activeHours: z
          .strictObject({
            start: z.string().optional(),
            end: z.string().optional(),
            timezone: z.string().optional(),
          })
          .optional(),
        model: z.string().optional(),
        session: z.string().optional(),
        includeReasoning: z.boolean().optional(),
        /** `last`, `none` or a channel id. */
        target: z.string().optional(),
        to: z.string().optional(),
        prompt: z.string().optional(),
        ackMaxChars: NonNegativeInt.optional(),
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
  const SandboxDockerSchema = z.lazy(() =>
    z.strictObject({
      image: z.string().optional(),
      containerPrefix: z.string().optional(),
      workdir: z.string().optional(),
      readOnlyRoot: z.boolean().optional(),
      tmpfs: StringList.optional(),
      network: z.string().optional(),
      user: z.string().optional(),
      capDrop: StringList.optional(),
      env: StringMap.optional(),
      /** Runs once after the container is created. */
      setupCommand: z.string().optional(),
      pidsLimit: PositiveInt.optional(),
      memory: z.union([z.string(), z.number()]).optional(),
      memorySwap: z.union([z.string(), z.number()]).optional(),
      cpus: PositiveNumber.optional(),
      ulimits: z
        .record(
          z.string(),
          z.union([z.string(), z.number(), z.strictObject({ soft: NonNegativeInt.optional(), hard: NonNegativeInt.optional() })]),
        )
        .optional(),
      seccompProfile: z.string().optional(),
      apparmorProfile: z.string().optional(),
      dns: StringList.optional(),
      extraHosts: StringList.optional(),
      binds: StringList.optional(),
    }),
  );

  /** Sandboxed Chromium for the browser tool. */
  const SandboxBrowserSchema = z.lazy(() =>
    z.strictObject({
      enabled: z.boolean().optional(),
      image: z.string().optional(),
      containerPrefix: z.string().optional(),
      cdpPort: PositiveInt.optional(),
      vncPort: PositiveInt.optional(),
      noVncPort: PositiveInt.optional(),
      headless: z.boolean().optional(),
      enableNoVnc: z.boolean().optional(),
      /** Let sandboxed sessions target the host browser. */
      allowHostControl: z.boolean().optional(),
      allowedControlUrls: StringList.optional(),
      allowedControlHosts: StringList.optional(),
      allowedControlPorts: z.array(Port).optional(),
      autoStart: z.boolean().optional(),
      autoStartTimeoutMs: PositiveInt.optional(),
    }),
  );

  const SandboxPruneSchema = z.lazy(() =>
    z.strictObject({
      idleHours: NonNegativeInt.optional(),
      maxAgeDays: NonNegativeInt.optional(),
    }),
  );

  /** Docker sandboxing for agent runs. */
  const SandboxSchema = z.lazy(() =>
    z.strictObject({
      mode: z.enum(["off", "non-main", "all"]).optional(),
      workspaceAccess: z.enum(["none", "ro", "rw"]).optional(),
      sessionToolsVisibility: z.enum(["spawned", "all"]).optional(),
      scope: z.enum(["session", "agent", "shared"]).optional(),
      /** Legacy: true = scope "session", false = scope "shared". */
      perSession: z.boolean().optional(),
      workspaceRoot: z.string().optional(),
      docker: SandboxDockerSchema.optional(),
      browser: SandboxBrowserSchema.optional(),
      prune: SandboxPruneSchema.optional(),
    }),
  );

  /** Vector/keyword search over memory files and past sessions. */
  const MemorySearchSchema = z.lazy(() =>
    z.strictObject({
      enabled: z.boolean().optional(),
      sources: z.array(z.enum(["memory", "sessions"])).optional(),
      extraPaths: StringList.optional(),
      experimental: z.strictObject({ sessionMemory: z.boolean().optional() }).optional(),
      provider: z.enum(["openai", "local", "gemini"]).optional(),
      remote: z
        .strictObject({
          baseUrl: z.string().optional(),
          apiKey: z.string().optional(),
          headers: StringMap.optional(),
          batch: z
            .strictObject({
              enabled: z.boolean().optional(),
              wait: z.boolean().optional(),
              concurrency: PositiveInt.optional(),
              pollIntervalMs: NonNegativeInt.optional(),
              timeoutMinutes: PositiveInt.optional(),
            })
            .optional(),
        })
        .optional(),
      fallback: z.enum(["openai", "gemini", "local", "none"]).optional(),
      model: z.string().optional(),
      local: z
        .strictObject({
          modelPath: z.string().optional(),
          modelCacheDir: z.string().optional(),
        })
        .optional(),
      store: z
        .strictObject({
          driver: z.literal("sqlite").optional(),
          path: z.string().optional(),
          vector: z
            .strictObject({
              enabled: z.boolean().optional(),
              extensionPath: z.string().optional(),
            })
            .optional(),
        })
        .optional(),
      chunking: z
        .strictObject({
          tokens: PositiveInt.optional(),
          overlap: NonNegativeInt.optional(),
        })
        .optional(),
      sync: z
        .strictObject({
          onSessionStart: z.boolean().optional(),
          onSearch: z.boolean().optional(),
          watch: z.boolean().optional(),
          watchDebounceMs: NonNegativeInt.optional(),
          intervalMinutes: NonNegativeInt.optional(),
          sessions: z
            .strictObject({
              deltaBytes: NonNegativeInt.optional(),
              deltaMessages: NonNegativeInt.optional(),
            })
            .optional(),
        })
        .optional(),
      query: z
        .strictObject({
          maxResults: PositiveInt.optional(),
          minScore: Ratio.optional(),
          hybrid: z
            .strictObject({
              enabled: z.boolean().optional(),
              vectorWeight: Ratio.optional(),
              textWeight: Ratio.optional(),
              candidateMultiplier: PositiveInt.optional(),
            })
            .optional(),
        })
        .optional(),
      cache: z
        .strictObject({
          enabled: z.boolean().optional(),
          maxEntries: PositiveInt.optional(),
        })
        .optional(),
    }),
  );

  const CliOutputFormat = z.enum(["json", "text", "jsonl"]);

  /** A CLI program used as a text-only fallback backend. */
  const CliBackendSchema = z.lazy(() =>
    z.strictObject({
      command: z.string(),
      args: StringList.optional(),
      output: CliOutputFormat.optional(),
      resumeOutput: CliOutputFormat.optional(),
      input: z.enum(["arg", "stdin"]).optional(),
      maxPromptArgChars: PositiveInt.optional(),
      env: StringMap.optional(),
      clearEnv: StringList.optional(),
      modelArg: z.string().optional(),
      modelAliases: StringMap.optional(),
      sessionArg: z.string().optional(),
      sessionArgs: StringList.optional(),
      resumeArgs: StringList.optional(),
      sessionMode: z.enum(["always", "existing", "none"]).optional(),
      sessionIdFields: StringList.optional(),
      systemPromptArg: z.string().optional(),
      systemPromptMode: z.enum(["append", "replace"]).optional(),
      systemPromptWhen: z.enum(["first", "always", "never"]).optional(),
      imageArg: z.string().optional(),
      imageMode: z.enum(["repeat", "list"]).optional(),
      serialize: z.boolean().optional(),
    }),
  );

  /** Pruning of old tool results from the context sent to the model. */
  const ContextPruningSchema = z.lazy(() =>
    z.strictObject({
      mode: z.enum(["off", "cache-ttl", "adaptive", "aggressive"]).optional(),
      /** For `cache-ttl`: prune once the last call is older than this (e.g. `5m`). */
      ttl: z.string().optional(),
      keepLastAssistants: NonNegativeInt.optional(),
      softTrimRatio: Ratio.optional(),
      hardClearRatio: Ratio.optional(),
      minPrunableToolChars: NonNegativeInt.optional(),
      tools: z
        .strictObject({
          allow: StringList.optional(),
          deny: StringList.optional(),
        })
        .optional(),
      softTrim: z
        .strictObject({
          maxChars: NonNegativeInt.optional(),
          headChars: NonNegativeInt.optional(),
          tailChars: NonNegativeInt.optional(),
        })
        .optional(),
      hardClear: z
        .strictObject({
          enabled: z.boolean().optional(),
          placeholder: z.string().optional(),
        })
        .optional(),
    }),
  );

  const CompactionSchema = z.lazy(() =>
    z.strictObject({
      mode: z.enum(["default", "safeguard"]).optional(),
      reserveTokensFloor: NonNegativeInt.optional(),
      maxHistoryShare: z.number().min(0.1).max(0.9).optional(),
      /** Silent turn before compaction that asks the model to save memories. */
      memoryFlush: z
        .strictObject({
          enabled: z.boolean().optional(),
          softThresholdTokens: NonNegativeInt.optional(),
          prompt: z.string().optional(),
          systemPrompt: z.string().optional(),
        })
        .optional(),
    }),
  );

  /** Settings shared by every agent unless overridden in `agents.list[]`. */
  const AgentDefaultsSchema = z.lazy(() =>
    z.strictObject({
      model: ModelSelectionSchema.optional(),
      /** Used only when the primary model cannot take images. */
      imageModel: ModelSelectionSchema.optional(),
      /** Model catalog / `/model` allowlist, keyed by `provider/model`. */
      models: z
        .record(
          z.string(),
          z.strictObject({
            alias: z.string().optional(),
            /** Provider-specific request params (temperature, maxTokens, thinking, ...). */
            params: z.record(z.string(), z.unknown()).optional(),
          }),
        )
        .optional(),
      workspace: z.string().optional(),
      repoRoot: z.string().optional(),
      skipBootstrap: z.boolean().optional(),
      bootstrapMaxChars: PositiveInt.optional(),
      userTimezone: z.string().optional(),
      /** Ours (not in OpenClaw): spending limits per agent and per session (see docs/configuration.md, Budgets). */
      budget: budgetSchema().optional(),
      timeFormat: z.enum(["auto", "12", "24"]).optional(),
      envelopeTimezone: z.string().optional(),
      envelopeTimestamp: OnOff.optional(),
      envelopeElapsed: OnOff.optional(),
      contextTokens: PositiveInt.optional(),
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
      timeoutSeconds: PositiveInt.optional(),
      mediaMaxMb: PositiveNumber.optional(),
      typingIntervalSeconds: PositiveInt.optional(),
      typingMode: TypingMode.optional(),
      heartbeat: HeartbeatSchema.optional(),
      /** Max agent runs in parallel across sessions. */
      maxConcurrent: PositiveInt.optional(),
      subagents: z
        .strictObject({
          maxConcurrent: PositiveInt.optional(),
          archiveAfterMinutes: PositiveInt.optional(),
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
    node: z.string().optional(),
    pathPrepend: StringList.optional(),
    safeBins: StringList.optional(),
    backgroundMs: PositiveInt.optional(),
    timeoutSec: PositiveInt.optional(),
    approvalRunningNoticeMs: NonNegativeInt.optional(),
    cleanupMs: PositiveInt.optional(),
    notifyOnExit: z.boolean().optional(),
    applyPatch: z
      .strictObject({
        enabled: z.boolean().optional(),
        allowModels: StringList.optional(),
      })
      .optional(),
  });

  /** Elevated (host) exec; `allowFrom` maps a channel id to sender ids. */
  const ElevatedSchema = z.lazy(() =>
    z.strictObject({
      enabled: z.boolean().optional(),
      allowFrom: z.record(z.string(), IdList).optional(),
    }),
  );

  /** Per-agent tool restrictions. */
  const AgentToolsSchema = z.lazy(() =>
    z
      .strictObject({
        profile: ToolProfile.optional(),
        allow: StringList.optional(),
        alsoAllow: StringList.optional(),
        deny: StringList.optional(),
        byProvider: z.record(z.string(), ToolPolicyWithProfileSchema).optional(),
        elevated: ElevatedSchema.optional(),
        exec: ExecToolSchema.optional(),
        sandbox: z.strictObject({ tools: ToolPolicySchema.optional() }).optional(),
      })
      .superRefine(checkAllowVsAlsoAllow),
  );

  /** Agent identity used for mention patterns, ack reactions and UI. */
  const IdentitySchema = z.lazy(() =>
    z.strictObject({
      name: z.string().optional(),
      theme: z.string().optional(),
      emoji: z.string().optional(),
      /** Workspace-relative path, http(s) URL or data URI. */
      avatar: z.string().optional(),
    }),
  );

  const GroupChatSchema = z.lazy(() =>
    z.strictObject({
      /** Regexes that count as mentioning the bot. */
      mentionPatterns: StringList.optional(),
      historyLimit: PositiveInt.optional(),
    }),
  );

  /** One entry of `agents.list`. */
  const AgentEntrySchema = z.lazy(() =>
    z.strictObject({
      id: z.string(),
      default: z.boolean().optional(),
      name: z.string().optional(),
      workspace: z.string().optional(),
      agentDir: z.string().optional(),
      model: ModelRefSchema.optional(),
      memorySearch: MemorySearchSchema.optional(),
      humanDelay: HumanDelaySchema.optional(),
      heartbeat: HeartbeatSchema.optional(),
      identity: IdentitySchema.optional(),
      groupChat: GroupChatSchema.optional(),
      subagents: z
        .strictObject({
          /** Agent ids this agent may spawn (`["*"]` = any). */
          allowAgents: StringList.optional(),
          model: ModelRefSchema.optional(),
        })
        .optional(),
      sandbox: SandboxSchema.optional(),
      tools: AgentToolsSchema.optional(),
      /** Ours (not in OpenClaw): spending limits for this agent, over `agents.defaults.budget`. */
      budget: budgetSchema().optional(),
    }),
  );

  const AgentsSchema = z.lazy(() =>
    z.strictObject({
      defaults: AgentDefaultsSchema.optional(),
      list: z.array(AgentEntrySchema).optional(),
    }),
  );

  // ---------------------------------------------------------------------------
  // tools
  // ---------------------------------------------------------------------------

  /** First-match rules deciding where a feature applies. */
  const ScopeRulesSchema = z.lazy(() =>
    z.strictObject({
      default: AllowDeny.optional(),
      rules: z
        .array(
          z.strictObject({
            action: AllowDeny,
            match: z
              .strictObject({
                channel: z.string().optional(),
                chatType: z.enum(["direct", "group", "channel"]).optional(),
                keyPrefix: z.string().optional(),
              })
              .optional(),
          }),
        )
        .optional(),
    }),
  );

  const MediaCapability = z.enum(["image", "audio", "video"]);
  const ProviderOptionsSchema = z.lazy(() => z.record(z.string(), z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))));
  const DeepgramOptionsSchema = z.lazy(() =>
    z.strictObject({
      detectLanguage: z.boolean().optional(),
      punctuate: z.boolean().optional(),
      smartFormat: z.boolean().optional(),
    }),
  );

  /** A provider model or a CLI command that understands media. */
  const MediaModelSchema = z.lazy(() =>
    z.strictObject({
      type: z.enum(["provider", "cli"]).optional(),
      provider: z.string().optional(),
      model: z.string().optional(),
      capabilities: z.array(MediaCapability).optional(),
      command: z.string().optional(),
      /** Templated args, e.g. `{{MediaPath}}`. */
      args: StringList.optional(),
      prompt: z.string().optional(),
      maxChars: PositiveInt.optional(),
      maxBytes: PositiveInt.optional(),
      timeoutSeconds: PositiveInt.optional(),
      language: z.string().optional(),
      providerOptions: ProviderOptionsSchema.optional(),
      deepgram: DeepgramOptionsSchema.optional(),
      baseUrl: z.string().optional(),
      headers: StringMap.optional(),
      profile: z.string().optional(),
      preferredProfile: z.string().optional(),
    }),
  );

  /** Understanding settings for one media kind. */
  const MediaUnderstandingSchema = z.lazy(() =>
    z.strictObject({
      enabled: z.boolean().optional(),
      scope: ScopeRulesSchema.optional(),
      maxBytes: PositiveInt.optional(),
      maxChars: PositiveInt.optional(),
      prompt: z.string().optional(),
      timeoutSeconds: PositiveInt.optional(),
      language: z.string().optional(),
      providerOptions: ProviderOptionsSchema.optional(),
      deepgram: DeepgramOptionsSchema.optional(),
      baseUrl: z.string().optional(),
      headers: StringMap.optional(),
      attachments: z
        .strictObject({
          mode: z.enum(["first", "all"]).optional(),
          maxAttachments: PositiveInt.optional(),
          prefer: z.enum(["first", "last", "path", "url"]).optional(),
        })
        .optional(),
      models: z.array(MediaModelSchema).optional(),
    }),
  );

  const ToolsMediaSchema = z.lazy(() =>
    z.strictObject({
      /** Shared model list (entries gated by `capabilities`). */
      models: z.array(MediaModelSchema).optional(),
      concurrency: PositiveInt.optional(),
      image: MediaUnderstandingSchema.optional(),
      audio: MediaUnderstandingSchema.optional(),
      video: MediaUnderstandingSchema.optional(),
    }),
  );

  /** Link understanding (summaries of URLs in messages). */
  const ToolsLinksSchema = z.lazy(() =>
    z.strictObject({
      enabled: z.boolean().optional(),
      scope: ScopeRulesSchema.optional(),
      maxLinks: PositiveInt.optional(),
      timeoutSeconds: PositiveInt.optional(),
      models: z
        .array(
          z.strictObject({
            type: z.literal("cli").optional(),
            command: z.string().min(1),
            args: StringList.optional(),
            timeoutSeconds: PositiveInt.optional(),
          }),
        )
        .optional(),
    }),
  );

  const ToolsWebSchema = z.lazy(() =>
    z.strictObject({
      search: z
        .strictObject({
          enabled: z.boolean().optional(),
          provider: z.enum(["brave", "perplexity"]).optional(),
          apiKey: z.string().optional(),
          maxResults: PositiveInt.optional(),
          timeoutSeconds: PositiveInt.optional(),
          cacheTtlMinutes: z.number().nonnegative().optional(),
          /** Ours, not OpenClaw's (which always calls https://api.search.brave.com): where Brave Search is reached. */
          brave: z.strictObject({ baseUrl: z.string().optional() }).optional(),
          perplexity: z
            .strictObject({
              apiKey: z.string().optional(),
              baseUrl: z.string().optional(),
              model: z.string().optional(),
            })
            .optional(),
        })
        .optional(),
      fetch: z
        .strictObject({
          enabled: z.boolean().optional(),
          maxChars: PositiveInt.optional(),
          timeoutSeconds: PositiveInt.optional(),
          cacheTtlMinutes: z.number().nonnegative().optional(),
          maxRedirects: NonNegativeInt.optional(),
          userAgent: z.string().optional(),
          /**
           * Ours, not OpenClaw's: let web_fetch reach localhost, private, link-local and other internal
           * addresses (refused by default).
           */
          allowPrivateNetwork: z.boolean().optional(),
          /** Extract the main article text (basic HTML cleanup when off). */
          readability: z.boolean().optional(),
          /** Firecrawl fallback for pages that need rendering. */
          firecrawl: z
            .strictObject({
              enabled: z.boolean().optional(),
              apiKey: z.string().optional(),
              baseUrl: z.string().optional(),
              onlyMainContent: z.boolean().optional(),
              maxAgeMs: NonNegativeInt.optional(),
              timeoutSeconds: PositiveInt.optional(),
            })
            .optional(),
        })
        .optional(),
    }),
  );

  /** Global tool policy and per-tool settings. */
  const ToolsSchema = z.lazy(() =>
    z
      .strictObject({
        profile: ToolProfile.optional(),
        allow: StringList.optional(),
        alsoAllow: StringList.optional(),
        deny: StringList.optional(),
        /** Further restrictions keyed by `provider` or `provider/model`. */
        byProvider: z.record(z.string(), ToolPolicyWithProfileSchema).optional(),
        web: ToolsWebSchema.optional(),
        media: ToolsMediaSchema.optional(),
        links: ToolsLinksSchema.optional(),
        message: z
          .strictObject({
            allowCrossContextSend: z.boolean().optional(),
            crossContext: z
              .strictObject({
                allowWithinProvider: z.boolean().optional(),
                allowAcrossProviders: z.boolean().optional(),
                marker: z
                  .strictObject({
                    enabled: z.boolean().optional(),
                    prefix: z.string().optional(),
                    suffix: z.string().optional(),
                  })
                  .optional(),
              })
              .optional(),
            broadcast: z.strictObject({ enabled: z.boolean().optional() }).optional(),
          })
          .optional(),
        /** Agent-to-agent messaging (opt-in). */
        agentToAgent: z
          .strictObject({
            enabled: z.boolean().optional(),
            allow: StringList.optional(),
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
  const BindingsSchema = z.lazy(() =>
    z.array(
      z.strictObject({
        agentId: z.string(),
        match: z.strictObject({
          channel: z.string(),
          /** `*` = any account; omitted = default account. */
          accountId: z.string().optional(),
          peer: z
            .strictObject({
              kind: z.enum(["dm", "group", "channel"]),
              id: z.string(),
            })
            .optional(),
          guildId: z.string().optional(),
          teamId: z.string().optional(),
        }),
      }),
    ),
  );

  /** Peer id -> agent ids that all receive the message. */
  const BroadcastSchema = z.lazy(() =>
    z
      .object({
        strategy: z.enum(["parallel", "sequential"]).optional(),
      })
      .catchall(StringList),
  );

  /** Legacy audio transcription hook (prefer `tools.media.audio`). */
  const AudioSchema = z.lazy(() =>
    z.strictObject({
      transcription: z
        .strictObject({
          /** argv: executable followed by arguments. */
          command: z.array(z.string()).min(1),
          timeoutSeconds: PositiveInt.optional(),
        })
        .optional(),
    }),
  );

  const MediaSchema = z.strictObject({
    preserveFilenames: z.boolean().optional(),
  });

  // ---------------------------------------------------------------------------
  // messages, commands, approvals, session
  // ---------------------------------------------------------------------------

  const QueueMode = z.enum(["steer", "followup", "collect", "steer-backlog", "steer+backlog", "queue", "interrupt"]);

  /** What happens to messages that arrive while a run is active. */
  const QueueSchema = z.lazy(() =>
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
      debounceMs: NonNegativeInt.optional(),
      debounceMsByChannel: z.record(z.string(), NonNegativeInt).optional(),
      cap: PositiveInt.optional(),
      drop: z.enum(["old", "new", "summarize"]).optional(),
    }),
  );

  const TtsSchema = z.lazy(() =>
    z.strictObject({
      auto: z.enum(["off", "always", "inbound", "tagged"]).optional(),
      /** Legacy switch; `auto` replaces it. */
      enabled: z.boolean().optional(),
      mode: z.enum(["final", "all"]).optional(),
      provider: z.enum(["elevenlabs", "openai", "edge"]).optional(),
      summaryModel: z.string().optional(),
      modelOverrides: z
        .strictObject({
          enabled: z.boolean().optional(),
          allowText: z.boolean().optional(),
          allowProvider: z.boolean().optional(),
          allowVoice: z.boolean().optional(),
          allowModelId: z.boolean().optional(),
          allowVoiceSettings: z.boolean().optional(),
          allowNormalization: z.boolean().optional(),
          allowSeed: z.boolean().optional(),
        })
        .optional(),
      elevenlabs: z
        .strictObject({
          apiKey: z.string().optional(),
          baseUrl: z.string().optional(),
          voiceId: z.string().optional(),
          modelId: z.string().optional(),
          seed: z.number().int().min(0).max(4294967295).optional(),
          applyTextNormalization: z.enum(["auto", "on", "off"]).optional(),
          languageCode: z.string().optional(),
          voiceSettings: z
            .strictObject({
              stability: Ratio.optional(),
              similarityBoost: Ratio.optional(),
              style: Ratio.optional(),
              useSpeakerBoost: z.boolean().optional(),
              speed: z.number().min(0.5).max(2).optional(),
            })
            .optional(),
        })
        .optional(),
      openai: z
        .strictObject({
          apiKey: z.string().optional(),
          model: z.string().optional(),
          voice: z.string().optional(),
        })
        .optional(),
      edge: z
        .strictObject({
          enabled: z.boolean().optional(),
          voice: z.string().optional(),
          lang: z.string().optional(),
          outputFormat: z.string().optional(),
          pitch: z.string().optional(),
          rate: z.string().optional(),
          volume: z.string().optional(),
          saveSubtitles: z.boolean().optional(),
          proxy: z.string().optional(),
          timeoutMs: z.number().int().min(1000).max(120000).optional(),
        })
        .optional(),
      prefsPath: z.string().optional(),
      maxTextLength: PositiveInt.optional(),
      timeoutMs: z.number().int().min(1000).max(120000).optional(),
    }),
  );

  const MessagesSchema = z.lazy(() =>
    z.strictObject({
      /** Deprecated: use `channels.whatsapp.messagePrefix`. */
      messagePrefix: z.string().optional(),
      /** Prefix for every outbound reply (`auto` or a template like `[{model}]`). */
      responsePrefix: z.string().optional(),
      groupChat: GroupChatSchema.optional(),
      queue: QueueSchema.optional(),
      /** Merge rapid messages from one sender into a single turn. */
      inbound: z
        .strictObject({
          debounceMs: NonNegativeInt.optional(),
          byChannel: z.record(z.string(), NonNegativeInt).optional(),
        })
        .optional(),
      /** Emoji reaction acknowledging inbound messages (`""` disables). */
      ackReaction: z.string().optional(),
      ackReactionScope: z.enum(["group-mentions", "group-all", "direct", "all"]).optional(),
      removeAckAfterReply: z.boolean().optional(),
      tts: TtsSchema.optional(),
    }),
  );

  /** Chat command handling. */
  const CommandsSchema = z.lazy(() =>
    z.strictObject({
      native: NativeCommandsSetting.optional(),
      nativeSkills: NativeCommandsSetting.optional(),
      text: z.boolean().optional(),
      /** Allow `! <cmd>` host shell commands. */
      bash: z.boolean().optional(),
      bashForegroundMs: z.number().int().min(0).max(30_000).optional(),
      config: z.boolean().optional(),
      debug: z.boolean().optional(),
      restart: z.boolean().optional(),
      useAccessGroups: z.boolean().optional(),
    }),
  );

  /** Forwarding of exec approval prompts to chats. */
  const ApprovalsSchema = z.lazy(() =>
    z.strictObject({
      exec: z
        .strictObject({
          enabled: z.boolean().optional(),
          mode: z.enum(["session", "targets", "both"]).optional(),
          agentFilter: StringList.optional(),
          sessionFilter: StringList.optional(),
          targets: z
            .array(
              z.strictObject({
                channel: z.string().min(1),
                to: z.string().min(1),
                accountId: z.string().optional(),
                threadId: z.union([z.string(), z.number()]).optional(),
              }),
            )
            .optional(),
        })
        .optional(),
    }),
  );

  const SessionResetSchema = z.lazy(() =>
    z.strictObject({
      mode: z.enum(["daily", "idle"]).optional(),
      /** Local hour (0-23) of the daily reset. */
      atHour: z.number().int().min(0).max(23).optional(),
      idleMinutes: PositiveInt.optional(),
    }),
  );

  const SessionSchema = z.lazy(() =>
    z.strictObject({
      scope: z.enum(["per-sender", "global"]).optional(),
      dmScope: z.enum(["main", "per-peer", "per-channel-peer", "per-account-channel-peer"]).optional(),
      /** Canonical person id -> provider-prefixed peer ids sharing one DM session. */
      identityLinks: z.record(z.string(), StringList).optional(),
      resetTriggers: StringList.optional(),
      /** Legacy idle-only reset. */
      idleMinutes: PositiveInt.optional(),
      heartbeatIdleMinutes: PositiveInt.optional(),
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
      store: z.string().optional(),
      typingIntervalSeconds: PositiveInt.optional(),
      typingMode: TypingMode.optional(),
      mainKey: z.string().optional(),
      sendPolicy: z
        .strictObject({
          default: AllowDeny.optional(),
          rules: z
            .array(
              z.strictObject({
                action: AllowDeny,
                match: z
                  .strictObject({
                    channel: z.string().optional(),
                    chatType: z.enum(["direct", "group", "channel", "room"]).optional(),
                    keyPrefix: z.string().optional(),
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

  const CronSchema = z.lazy(() =>
    z.strictObject({
      enabled: z.boolean().optional(),
      store: z.string().optional(),
      maxConcurrentRuns: PositiveInt.optional(),
    }),
  );

  /** Maps an incoming `/hooks/<path>` request to a wake or an agent run. */
  const HookMappingSchema = z.lazy(() =>
    z.strictObject({
      id: z.string().optional(),
      match: z
        .strictObject({
          path: z.string().optional(),
          source: z.string().optional(),
        })
        .optional(),
      action: z.enum(["wake", "agent"]).optional(),
      wakeMode: z.enum(["now", "next-heartbeat"]).optional(),
      name: z.string().optional(),
      sessionKey: z.string().optional(),
      messageTemplate: z.string().optional(),
      textTemplate: z.string().optional(),
      deliver: z.boolean().optional(),
      allowUnsafeExternalContent: z.boolean().optional(),
      channel: z.enum(["last", "whatsapp", "telegram", "discord", "googlechat", "slack", "signal", "imessage", "msteams"]).optional(),
      to: z.string().optional(),
      model: z.string().optional(),
      thinking: z.string().optional(),
      timeoutSeconds: PositiveInt.optional(),
      /** JS/TS module returning the hook action. */
      transform: z
        .strictObject({
          module: z.string(),
          export: z.string().optional(),
        })
        .optional(),
    }),
  );

  /** Gmail Pub/Sub watcher helper. */
  const HooksGmailSchema = z.lazy(() =>
    z.strictObject({
      account: z.string().optional(),
      label: z.string().optional(),
      topic: z.string().optional(),
      subscription: z.string().optional(),
      pushToken: z.string().optional(),
      hookUrl: z.string().optional(),
      includeBody: z.boolean().optional(),
      maxBytes: PositiveInt.optional(),
      renewEveryMinutes: PositiveInt.optional(),
      allowUnsafeExternalContent: z.boolean().optional(),
      serve: z
        .strictObject({
          bind: z.string().optional(),
          port: PositiveInt.optional(),
          path: z.string().optional(),
        })
        .optional(),
      tailscale: z
        .strictObject({
          mode: TailscaleMode.optional(),
          path: z.string().optional(),
          target: z.string().optional(),
        })
        .optional(),
      model: z.string().optional(),
      thinking: z.enum(["off", "minimal", "low", "medium", "high"]).optional(),
    }),
  );

  const InstallSource = z.enum(["npm", "archive", "path"]);

  /** Event hooks run inside the gateway (hook packs). */
  const InternalHooksSchema = z.lazy(() =>
    z.strictObject({
      enabled: z.boolean().optional(),
      handlers: z
        .array(
          z.strictObject({
            event: z.string(),
            module: z.string(),
            export: z.string().optional(),
          }),
        )
        .optional(),
      entries: z
        .record(
          z.string(),
          z.strictObject({
            enabled: z.boolean().optional(),
            env: StringMap.optional(),
          }),
        )
        .optional(),
      load: z.strictObject({ extraDirs: StringList.optional() }).optional(),
      installs: z
        .record(
          z.string(),
          z.strictObject({
            source: InstallSource,
            spec: z.string().optional(),
            sourcePath: z.string().optional(),
            installPath: z.string().optional(),
            version: z.string().optional(),
            installedAt: z.string().optional(),
            hooks: StringList.optional(),
          }),
        )
        .optional(),
    }),
  );

  /** HTTP webhooks served by the gateway. */
  const HooksSchema = z.lazy(() =>
    z.strictObject({
      enabled: z.boolean().optional(),
      path: z.string().optional(),
      token: z.string().optional(),
      maxBodyBytes: PositiveInt.optional(),
      presets: StringList.optional(),
      transformsDir: z.string().optional(),
      mappings: z.array(HookMappingSchema).optional(),
      gmail: HooksGmailSchema.optional(),
      internal: InternalHooksSchema.optional(),
    }),
  );

  /** WhatsApp Web runtime. */
  const WebSchema = z.lazy(() =>
    z.strictObject({
      enabled: z.boolean().optional(),
      heartbeatSeconds: PositiveInt.optional(),
      reconnect: z
        .strictObject({
          initialMs: PositiveNumber.optional(),
          maxMs: PositiveNumber.optional(),
          factor: PositiveNumber.optional(),
          jitter: Ratio.optional(),
          maxAttempts: NonNegativeInt.optional(),
        })
        .optional(),
    }),
  );

  // ---------------------------------------------------------------------------
  // channels
  // ---------------------------------------------------------------------------

  const MarkdownSchema = z.lazy(() =>
    z.strictObject({
      /** How Markdown tables are rendered on this channel. */
      tables: z.enum(["off", "bullets", "code"]).optional(),
    }),
  );

  /** Which heartbeat outcomes a channel shows. */
  const ChannelHeartbeatSchema = z.lazy(() =>
    z.strictObject({
      showOk: z.boolean().optional(),
      showAlerts: z.boolean().optional(),
      useIndicator: z.boolean().optional(),
    }),
  );

  const RetrySchema = z.lazy(() =>
    z.strictObject({
      attempts: z.number().int().min(1).optional(),
      minDelayMs: NonNegativeInt.optional(),
      maxDelayMs: NonNegativeInt.optional(),
      jitter: Ratio.optional(),
    }),
  );

  const ChannelCommandsSchema = z.lazy(() =>
    z.strictObject({
      native: NativeCommandsSetting.optional(),
      nativeSkills: NativeCommandsSetting.optional(),
    }),
  );

  /** Per-DM overrides keyed by user id. */
  const DmOverridesSchema = z.record(z.string(), z.strictObject({ historyLimit: NonNegativeInt.optional() }));

  /** Fields about history context, shared by most channels. */
  const historyFields = {
    /** Last N group messages included as context (0 disables). */
    historyLimit: NonNegativeInt.optional(),
    /** Max user turns kept in DM sessions. */
    dmHistoryLimit: NonNegativeInt.optional(),
    dms: DmOverridesSchema.optional(),
  };

  /** Outbound chunking/streaming fields, shared by most channels. */
  const outboundFields = {
    textChunkLimit: PositiveInt.optional(),
    chunkMode: ChunkMode.optional(),
    blockStreaming: z.boolean().optional(),
    blockStreamingCoalesce: BlockStreamingCoalesceSchema.optional(),
    /** Inbound media size cap (MB). */
    mediaMaxMb: PositiveNumber.optional(),
  };

  /** Identity/general fields every account block has. */
  const accountFields = {
    /** Display name of this account. */
    name: z.string().optional(),
    enabled: z.boolean().optional(),
    capabilities: StringList.optional(),
    markdown: MarkdownSchema.optional(),
    /** Allow config writes initiated from this channel. */
    configWrites: z.boolean().optional(),
    heartbeat: ChannelHeartbeatSchema.optional(),
  };

  /** Group entry with mention gating and tool policy (WhatsApp, iMessage, BlueBubbles). */
  const MentionGroupSchema = z.lazy(() =>
    z.strictObject({
      requireMention: z.boolean().optional(),
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
    capabilities: StringList.optional(),
    markdown: MarkdownSchema.optional(),
    configWrites: z.boolean().optional(),
    /** Mark inbound messages as read (blue ticks). */
    sendReadReceipts: z.boolean().optional(),
    /** Inbound prefix added to messages. */
    messagePrefix: z.string().optional(),
    dmPolicy: DmPolicy.optional(),
    selfChatMode: z.boolean().optional(),
    /** E.164 numbers allowed to DM the bot. */
    allowFrom: StringList.optional(),
    groupAllowFrom: StringList.optional(),
    groupPolicy: GroupPolicy.optional(),
    ...historyFields,
    ...outboundFields,
    mediaMaxMb: PositiveInt.optional(),
    groups: z.record(z.string(), MentionGroupSchema).optional(),
    ackReaction: z
      .strictObject({
        emoji: z.string().optional(),
        direct: z.boolean().optional(),
        group: z.enum(["always", "mentions", "never"]).optional(),
      })
      .optional(),
    debounceMs: NonNegativeInt.optional(),
    heartbeat: ChannelHeartbeatSchema.optional(),
  };

  const WhatsAppAccountSchema = z.lazy(() =>
    z
      .strictObject({
        ...whatsappSharedFields,
        name: z.string().optional(),
        enabled: z.boolean().optional(),
        /** Baileys auth state directory for this account. */
        authDir: z.string().optional(),
      })
      .superRefine((v, ctx) => requireWildcardWhenOpen(v.dmPolicy, v.allowFrom, ctx, ["allowFrom"])),
  );

  const WhatsAppSchema = z.lazy(() =>
    z
      .strictObject({
        ...whatsappSharedFields,
        accounts: z.record(z.string(), WhatsAppAccountSchema).optional(),
        actions: z
          .strictObject({
            reactions: z.boolean().optional(),
            sendMessage: z.boolean().optional(),
            polls: z.boolean().optional(),
          })
          .optional(),
      })
      .superRefine((v, ctx) => requireWildcardWhenOpen(v.dmPolicy, v.allowFrom, ctx, ["allowFrom"])),
  );

  // --- Telegram ---------------------------------------------------------------

  const TelegramTopicSchema = z.lazy(() =>
    z.strictObject({
      requireMention: z.boolean().optional(),
      skills: StringList.optional(),
      enabled: z.boolean().optional(),
      allowFrom: IdList.optional(),
      systemPrompt: z.string().optional(),
    }),
  );

  const TelegramGroupSchema = z.lazy(() =>
    z.strictObject({
      requireMention: z.boolean().optional(),
      tools: ToolPolicySchema.optional(),
      toolsBySender: ToolPolicyBySender.optional(),
      skills: StringList.optional(),
      enabled: z.boolean().optional(),
      allowFrom: IdList.optional(),
      systemPrompt: z.string().optional(),
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
    dmPolicy: DmPolicy.optional(),
    botToken: z.string().optional(),
    /** File holding the bot token. */
    tokenFile: z.string().optional(),
    /** Bot API root URL (for a local Bot API server or proxy). */
    apiRoot: z.string().optional(),
    replyToMode: ReplyToMode.optional(),
    groups: z.record(z.string(), TelegramGroupSchema).optional(),
    allowFrom: IdList.optional(),
    groupAllowFrom: IdList.optional(),
    groupPolicy: GroupPolicy.optional(),
    ...historyFields,
    ...outboundFields,
    /** Draft chunking for `streamMode: "block"`. */
    draftChunk: BlockStreamingChunkSchema.optional(),
    streamMode: z.enum(["off", "partial", "block"]).optional(),
    timeoutSeconds: PositiveInt.optional(),
    retry: RetrySchema.optional(),
    network: z.strictObject({ autoSelectFamily: z.boolean().optional() }).optional(),
    proxy: z.string().optional(),
    webhookUrl: z.string().optional(),
    webhookSecret: z.string().optional(),
    webhookPath: z.string().optional(),
    actions: z
      .strictObject({
        reactions: z.boolean().optional(),
        sendMessage: z.boolean().optional(),
        deleteMessage: z.boolean().optional(),
        sticker: z.boolean().optional(),
      })
      .optional(),
    reactionNotifications: z.enum(["off", "own", "all"]).optional(),
    reactionLevel: z.enum(["off", "ack", "minimal", "extensive"]).optional(),
    linkPreview: z.boolean().optional(),
  };

  const TelegramSchema = channelWithAccounts(TelegramAccountFields);

  // --- Discord ----------------------------------------------------------------

  const DiscordDmSchema = z.lazy(() =>
    z
      .strictObject({
        /** Set false to ignore all DMs. */
        enabled: z.boolean().optional(),
        policy: DmPolicy.optional(),
        allowFrom: IdList.optional(),
        groupEnabled: z.boolean().optional(),
        groupChannels: IdList.optional(),
      })
      .superRefine((v, ctx) => requireWildcardWhenOpen(v.policy, v.allowFrom, ctx, ["allowFrom"])),
  );

  const DiscordGuildChannelSchema = z.lazy(() =>
    z.strictObject({
      allow: z.boolean().optional(),
      requireMention: z.boolean().optional(),
      tools: ToolPolicySchema.optional(),
      toolsBySender: ToolPolicyBySender.optional(),
      skills: StringList.optional(),
      enabled: z.boolean().optional(),
      users: IdList.optional(),
      systemPrompt: z.string().optional(),
      autoThread: z.boolean().optional(),
    }),
  );

  const DiscordGuildSchema = z.lazy(() =>
    z.strictObject({
      slug: z.string().optional(),
      requireMention: z.boolean().optional(),
      tools: ToolPolicySchema.optional(),
      toolsBySender: ToolPolicyBySender.optional(),
      reactionNotifications: z.enum(["off", "own", "all", "allowlist"]).optional(),
      users: IdList.optional(),
      /** Keyed by channel id or slugged channel name. */
      channels: z.record(z.string(), DiscordGuildChannelSchema).optional(),
    }),
  );

  const discordAccountFields = {
    ...accountFields,
    commands: ChannelCommandsSchema.optional(),
    token: z.string().optional(),
    /** Discord REST API base URL (e.g. a REST proxy). */
    apiBaseUrl: z.string().optional(),
    allowBots: z.boolean().optional(),
    groupPolicy: GroupPolicy.optional(),
    ...historyFields,
    ...outboundFields,
    /** Soft cap on lines per message. */
    maxLinesPerMessage: PositiveInt.optional(),
    retry: RetrySchema.optional(),
    actions: z
      .strictObject({
        reactions: z.boolean().optional(),
        stickers: z.boolean().optional(),
        emojiUploads: z.boolean().optional(),
        stickerUploads: z.boolean().optional(),
        polls: z.boolean().optional(),
        permissions: z.boolean().optional(),
        messages: z.boolean().optional(),
        threads: z.boolean().optional(),
        pins: z.boolean().optional(),
        search: z.boolean().optional(),
        memberInfo: z.boolean().optional(),
        roleInfo: z.boolean().optional(),
        roles: z.boolean().optional(),
        channelInfo: z.boolean().optional(),
        voiceStatus: z.boolean().optional(),
        events: z.boolean().optional(),
        moderation: z.boolean().optional(),
        channels: z.boolean().optional(),
      })
      .optional(),
    replyToMode: ReplyToMode.optional(),
    dm: DiscordDmSchema.optional(),
    /** Keyed by guild id (preferred) or slug. */
    guilds: z.record(z.string(), DiscordGuildSchema).optional(),
    execApprovals: z
      .strictObject({
        enabled: z.boolean().optional(),
        approvers: IdList.optional(),
        agentFilter: StringList.optional(),
        sessionFilter: StringList.optional(),
      })
      .optional(),
    intents: z
      .strictObject({
        presence: z.boolean().optional(),
        guildMembers: z.boolean().optional(),
      })
      .optional(),
  };

  const DiscordAccountSchema = z.strictObject(discordAccountFields);
  const DiscordSchema = z.lazy(() =>
    z.strictObject({
      ...discordAccountFields,
      accounts: z.record(z.string(), DiscordAccountSchema).optional(),
    }),
  );

  // --- Google Chat ------------------------------------------------------------

  const GoogleChatDmSchema = z.lazy(() =>
    z
      .strictObject({
        enabled: z.boolean().optional(),
        policy: DmPolicy.optional(),
        allowFrom: IdList.optional(),
      })
      .superRefine((v, ctx) => requireWildcardWhenOpen(v.policy, v.allowFrom, ctx, ["allowFrom"])),
  );

  const googleChatAccountFields = {
    ...accountFields,
    allowBots: z.boolean().optional(),
    requireMention: z.boolean().optional(),
    groupPolicy: GroupPolicy.optional(),
    groupAllowFrom: IdList.optional(),
    /** Keyed by `spaces/<id>`. */
    groups: z
      .record(
        z.string(),
        z.strictObject({
          enabled: z.boolean().optional(),
          allow: z.boolean().optional(),
          requireMention: z.boolean().optional(),
          users: IdList.optional(),
          systemPrompt: z.string().optional(),
        }),
      )
      .optional(),
    /** Inline service-account JSON (string or object). */
    serviceAccount: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    serviceAccountFile: z.string().optional(),
    audienceType: z.enum(["app-url", "project-number"]).optional(),
    audience: z.string().optional(),
    webhookPath: z.string().optional(),
    webhookUrl: z.string().optional(),
    botUser: z.string().optional(),
    ...historyFields,
    ...outboundFields,
    replyToMode: ReplyToMode.optional(),
    actions: z.strictObject({ reactions: z.boolean().optional() }).optional(),
    dm: GoogleChatDmSchema.optional(),
    typingIndicator: z.enum(["none", "message", "reaction"]).optional(),
  };

  const GoogleChatAccountSchema = z.strictObject(googleChatAccountFields);
  const GoogleChatSchema = z.lazy(() =>
    z.strictObject({
      ...googleChatAccountFields,
      accounts: z.record(z.string(), GoogleChatAccountSchema).optional(),
      defaultAccount: z.string().optional(),
    }),
  );

  // --- Slack ------------------------------------------------------------------

  const SlackDmSchema = z.lazy(() =>
    z
      .strictObject({
        enabled: z.boolean().optional(),
        policy: DmPolicy.optional(),
        allowFrom: IdList.optional(),
        groupEnabled: z.boolean().optional(),
        groupChannels: IdList.optional(),
        replyToMode: ReplyToMode.optional(),
      })
      .superRefine((v, ctx) => requireWildcardWhenOpen(v.policy, v.allowFrom, ctx, ["allowFrom"])),
  );

  const SlackChannelSchema = z.lazy(() =>
    z.strictObject({
      enabled: z.boolean().optional(),
      allow: z.boolean().optional(),
      requireMention: z.boolean().optional(),
      tools: ToolPolicySchema.optional(),
      toolsBySender: ToolPolicyBySender.optional(),
      allowBots: z.boolean().optional(),
      users: IdList.optional(),
      skills: StringList.optional(),
      systemPrompt: z.string().optional(),
    }),
  );

  const slackAccountFields = {
    ...accountFields,
    /** `socket` (Socket Mode) or `http` (Events API). */
    mode: z.enum(["socket", "http"]).optional(),
    signingSecret: z.string().optional(),
    webhookPath: z.string().optional(),
    commands: ChannelCommandsSchema.optional(),
    botToken: z.string().optional(),
    appToken: z.string().optional(),
    /** Web API base URL (a proxy); ours, not OpenClaw's (see the file header). */
    apiBaseUrl: z.string().optional(),
    userToken: z.string().optional(),
    userTokenReadOnly: z.boolean().optional(),
    allowBots: z.boolean().optional(),
    requireMention: z.boolean().optional(),
    groupPolicy: GroupPolicy.optional(),
    ...historyFields,
    ...outboundFields,
    reactionNotifications: z.enum(["off", "own", "all", "allowlist"]).optional(),
    reactionAllowlist: IdList.optional(),
    replyToMode: ReplyToMode.optional(),
    replyToModeByChatType: z
      .strictObject({
        direct: ReplyToMode.optional(),
        group: ReplyToMode.optional(),
        channel: ReplyToMode.optional(),
      })
      .optional(),
    thread: z
      .strictObject({
        historyScope: z.enum(["thread", "channel"]).optional(),
        inheritParent: z.boolean().optional(),
      })
      .optional(),
    actions: z
      .strictObject({
        reactions: z.boolean().optional(),
        messages: z.boolean().optional(),
        pins: z.boolean().optional(),
        search: z.boolean().optional(),
        permissions: z.boolean().optional(),
        memberInfo: z.boolean().optional(),
        channelInfo: z.boolean().optional(),
        emojiList: z.boolean().optional(),
      })
      .optional(),
    slashCommand: z
      .strictObject({
        enabled: z.boolean().optional(),
        name: z.string().optional(),
        sessionPrefix: z.string().optional(),
        ephemeral: z.boolean().optional(),
      })
      .optional(),
    dm: SlackDmSchema.optional(),
    /** Keyed by channel id or `#name`. */
    channels: z.record(z.string(), SlackChannelSchema).optional(),
  };

  const SlackAccountSchema = z.strictObject(slackAccountFields);
  const SlackSchema = z.lazy(() =>
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

  const MattermostSchema = z.lazy(() =>
    channelWithAccounts({
      name: z.string().optional(),
      capabilities: StringList.optional(),
      markdown: MarkdownSchema.optional(),
      enabled: z.boolean().optional(),
      configWrites: z.boolean().optional(),
      botToken: z.string().optional(),
      /** Server URL, e.g. https://chat.example.com */
      baseUrl: z.string().optional(),
      chatmode: z.enum(["oncall", "onmessage", "onchar"]).optional(),
      oncharPrefixes: StringList.optional(),
      requireMention: z.boolean().optional(),
      dmPolicy: DmPolicy.optional(),
      allowFrom: IdList.optional(),
      groupAllowFrom: IdList.optional(),
      groupPolicy: GroupPolicy.optional(),
      textChunkLimit: PositiveInt.optional(),
      chunkMode: ChunkMode.optional(),
      blockStreaming: z.boolean().optional(),
      blockStreamingCoalesce: BlockStreamingCoalesceSchema.optional(),
    }),
  );

  // --- Signal -----------------------------------------------------------------

  const SignalSchema = z.lazy(() =>
    channelWithAccounts({
      ...accountFields,
      /** The bot's Signal account (E.164). */
      account: z.string().optional(),
      httpUrl: z.string().optional(),
      httpHost: z.string().optional(),
      httpPort: PositiveInt.optional(),
      cliPath: z.string().min(1).optional(),
      autoStart: z.boolean().optional(),
      startupTimeoutMs: z.number().int().min(1000).max(120000).optional(),
      receiveMode: z.enum(["on-start", "manual"]).optional(),
      ignoreAttachments: z.boolean().optional(),
      ignoreStories: z.boolean().optional(),
      sendReadReceipts: z.boolean().optional(),
      dmPolicy: DmPolicy.optional(),
      allowFrom: IdList.optional(),
      groupAllowFrom: IdList.optional(),
      groupPolicy: GroupPolicy.optional(),
      ...historyFields,
      ...outboundFields,
      mediaMaxMb: PositiveInt.optional(),
      reactionNotifications: z.enum(["off", "own", "all", "allowlist"]).optional(),
      reactionAllowlist: IdList.optional(),
      actions: z.strictObject({ reactions: z.boolean().optional() }).optional(),
      reactionLevel: z.enum(["off", "ack", "minimal", "extensive"]).optional(),
    }),
  );

  // --- iMessage ---------------------------------------------------------------

  const IMessageSchema = z.lazy(() =>
    channelWithAccounts({
      ...accountFields,
      /** `imsg` binary or an SSH wrapper script. */
      cliPath: z.string().min(1).optional(),
      dbPath: z.string().optional(),
      /** SSH host for fetching attachments when cliPath is a remote wrapper. */
      remoteHost: z.string().optional(),
      service: z.enum(["imessage", "sms", "auto"]).optional(),
      region: z.string().optional(),
      dmPolicy: DmPolicy.optional(),
      allowFrom: IdList.optional(),
      groupAllowFrom: IdList.optional(),
      groupPolicy: GroupPolicy.optional(),
      ...historyFields,
      includeAttachments: z.boolean().optional(),
      ...outboundFields,
      mediaMaxMb: PositiveInt.optional(),
      groups: z.record(z.string(), MentionGroupSchema).optional(),
    }),
  );

  // --- BlueBubbles ------------------------------------------------------------

  const blueBubblesAccountFields = {
    ...accountFields,
    serverUrl: z.string().optional(),
    password: z.string().optional(),
    webhookPath: z.string().optional(),
    dmPolicy: DmPolicy.optional(),
    allowFrom: IdList.optional(),
    groupAllowFrom: IdList.optional(),
    groupPolicy: GroupPolicy.optional(),
    ...historyFields,
    ...outboundFields,
    mediaMaxMb: PositiveInt.optional(),
    sendReadReceipts: z.boolean().optional(),
    groups: z.record(z.string(), MentionGroupSchema).optional(),
  };

  const BlueBubblesSchema = z.lazy(() =>
    channelWithAccounts(blueBubblesAccountFields, {
      actions: z
        .strictObject({
          reactions: z.boolean().optional(),
          edit: z.boolean().optional(),
          unsend: z.boolean().optional(),
          reply: z.boolean().optional(),
          sendWithEffect: z.boolean().optional(),
          renameGroup: z.boolean().optional(),
          setGroupIcon: z.boolean().optional(),
          addParticipant: z.boolean().optional(),
          removeParticipant: z.boolean().optional(),
          leaveGroup: z.boolean().optional(),
          sendAttachment: z.boolean().optional(),
        })
        .optional(),
    }),
  );

  // --- Microsoft Teams --------------------------------------------------------

  const MSTeamsReplyStyle = z.enum(["thread", "top-level"]);

  const MSTeamsChannelSchema = z.lazy(() =>
    z.strictObject({
      requireMention: z.boolean().optional(),
      tools: ToolPolicySchema.optional(),
      toolsBySender: ToolPolicyBySender.optional(),
      replyStyle: MSTeamsReplyStyle.optional(),
    }),
  );

  const MSTeamsTeamSchema = z.lazy(() =>
    z.strictObject({
      requireMention: z.boolean().optional(),
      tools: ToolPolicySchema.optional(),
      toolsBySender: ToolPolicyBySender.optional(),
      replyStyle: MSTeamsReplyStyle.optional(),
      channels: z.record(z.string(), MSTeamsChannelSchema).optional(),
    }),
  );

  const MSTeamsSchema = z.lazy(() =>
    z
      .strictObject({
        enabled: z.boolean().optional(),
        capabilities: StringList.optional(),
        markdown: MarkdownSchema.optional(),
        configWrites: z.boolean().optional(),
        appId: z.string().optional(),
        appPassword: z.string().optional(),
        tenantId: z.string().optional(),
        webhook: z
          .strictObject({
            port: PositiveInt.optional(),
            path: z.string().optional(),
          })
          .optional(),
        dmPolicy: DmPolicy.optional(),
        allowFrom: StringList.optional(),
        groupAllowFrom: StringList.optional(),
        groupPolicy: GroupPolicy.optional(),
        textChunkLimit: PositiveInt.optional(),
        chunkMode: ChunkMode.optional(),
        blockStreamingCoalesce: BlockStreamingCoalesceSchema.optional(),
        /** Hosts allowed for inbound media downloads. */
        mediaAllowHosts: StringList.optional(),
        requireMention: z.boolean().optional(),
        ...historyFields,
        replyStyle: MSTeamsReplyStyle.optional(),
        teams: z.record(z.string(), MSTeamsTeamSchema).optional(),
        mediaMaxMb: PositiveNumber.optional(),
        /** SharePoint site used for file uploads in group chats. */
        sharePointSiteId: z.string().optional(),
        heartbeat: ChannelHeartbeatSchema.optional(),
      })
      .superRefine((v, ctx) => requireWildcardWhenOpen(v.dmPolicy, v.allowFrom, ctx, ["allowFrom"])),
  );

  // --- channels ---------------------------------------------------------------

  /** Config owned by a channel plugin; validated by that plugin. */
  const PluginChannelSchema = z.record(z.string(), z.unknown());

  // Keys beyond the known channels are channels a plugin provides (`api.registerChannel`); config
  // validation checks that a plugin manifest declares them (see `validateConfigObject`).
  const ChannelsSchema = z.lazy(() =>
    z
      .object({
        /** Fallbacks for every channel. */
        defaults: z
          .strictObject({
            groupPolicy: GroupPolicy.optional(),
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

  const TlsSchema = z.lazy(() =>
    z.strictObject({
      enabled: z.boolean().optional(),
      /** Create a self-signed certificate when none exists. */
      autoGenerate: z.boolean().optional(),
      certPath: z.string().optional(),
      keyPath: z.string().optional(),
      caPath: z.string().optional(),
    }),
  );

  /** Legacy TCP bridge for nodes; accepted but no longer used. */
  const BridgeSchema = z.lazy(() =>
    z.strictObject({
      enabled: z.boolean().optional(),
      port: Port.optional(),
      bind: BindMode.optional(),
      tls: TlsSchema.optional(),
    }),
  );

  const DiscoverySchema = z.lazy(() =>
    z.strictObject({
      /** Unicast DNS-SD zone for discovery across networks. */
      wideArea: z
        .strictObject({
          enabled: z.boolean().optional(),
          domain: z.string().optional(),
        })
        .optional(),
      /** LAN Bonjour broadcasts. */
      mdns: z.strictObject({ mode: z.enum(["off", "minimal", "full"]).optional() }).optional(),
    }),
  );

  /** Static file server for Canvas / A2UI. */
  const CanvasHostSchema = z.lazy(() =>
    z.strictObject({
      enabled: z.boolean().optional(),
      root: z.string().optional(),
      port: Port.optional(),
      liveReload: z.boolean().optional(),
    }),
  );

  /** Talk mode (voice) defaults. */
  const TalkSchema = z.lazy(() =>
    z.strictObject({
      voiceId: z.string().optional(),
      /** Friendly name -> ElevenLabs voice id. */
      voiceAliases: StringMap.optional(),
      modelId: z.string().optional(),
      outputFormat: z.string().optional(),
      apiKey: z.string().optional(),
      interruptOnSpeech: z.boolean().optional(),
    }),
  );

  // ---------------------------------------------------------------------------
  // gateway
  // ---------------------------------------------------------------------------

  const HttpFileLimitsSchema = z.lazy(() =>
    z.strictObject({
      allowUrl: z.boolean().optional(),
      allowedMimes: StringList.optional(),
      maxBytes: PositiveInt.optional(),
      maxChars: PositiveInt.optional(),
      maxRedirects: NonNegativeInt.optional(),
      timeoutMs: PositiveInt.optional(),
      pdf: z
        .strictObject({
          maxPages: PositiveInt.optional(),
          maxPixels: PositiveInt.optional(),
          minTextChars: NonNegativeInt.optional(),
        })
        .optional(),
    }),
  );

  const HttpImageLimitsSchema = z.lazy(() =>
    z.strictObject({
      allowUrl: z.boolean().optional(),
      allowedMimes: StringList.optional(),
      maxBytes: PositiveInt.optional(),
      maxRedirects: NonNegativeInt.optional(),
      timeoutMs: PositiveInt.optional(),
    }),
  );

  /** The gateway server (WS + HTTP on one port). */
  const GatewaySchema = z.lazy(() =>
    z.strictObject({
      /** Gateway port (WS + HTTP). Default 18789. */
      port: Port.optional(),
      /** `local` runs the gateway here; `remote` points the CLI at another host. */
      mode: z.enum(["local", "remote"]).optional(),
      bind: BindMode.optional(),
      /** Host/IP to bind when `bind` is "custom". */
      customBindHost: z.string().optional(),
      controlUi: z
        .strictObject({
          enabled: z.boolean().optional(),
          basePath: z.string().optional(),
          /** Accept token-only auth without device identity (e.g. plain HTTP). */
          allowInsecureAuth: z.boolean().optional(),
          /** Break-glass: skip device identity checks entirely. */
          dangerouslyDisableDeviceAuth: z.boolean().optional(),
        })
        .optional(),
      auth: z
        .strictObject({
          mode: z.enum(["token", "password"]).optional(),
          token: z.string().optional(),
          password: z.string().optional(),
          /** Accept Tailscale Serve identity headers as auth. */
          allowTailscale: z.boolean().optional(),
        })
        .optional(),
      /** Reverse proxies whose X-Forwarded-For is trusted. */
      trustedProxies: StringList.optional(),
      tailscale: z
        .strictObject({
          mode: TailscaleMode.optional(),
          resetOnExit: z.boolean().optional(),
        })
        .optional(),
      /** Where the CLI connects when `mode` is "remote". */
      remote: z
        .strictObject({
          url: z.string().optional(),
          transport: z.enum(["ssh", "direct"]).optional(),
          token: z.string().optional(),
          password: z.string().optional(),
          tlsFingerprint: z.string().optional(),
          sshTarget: z.string().optional(),
          sshIdentity: z.string().optional(),
        })
        .optional(),
      /** Config hot reload. */
      reload: z
        .strictObject({
          mode: z.enum(["off", "restart", "hot", "hybrid"]).optional(),
          debounceMs: NonNegativeInt.optional(),
        })
        .optional(),
      tls: TlsSchema.optional(),
      /** OpenAI-compatible HTTP endpoints. */
      http: z
        .strictObject({
          endpoints: z
            .strictObject({
              chatCompletions: z.strictObject({ enabled: z.boolean().optional() }).optional(),
              responses: z
                .strictObject({
                  enabled: z.boolean().optional(),
                  maxBodyBytes: PositiveInt.optional(),
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
              node: z.string().optional(),
            })
            .optional(),
          allowCommands: StringList.optional(),
          denyCommands: StringList.optional(),
        })
        .optional(),
    }),
  );

  // ---------------------------------------------------------------------------
  // skills, plugins
  // ---------------------------------------------------------------------------

  const SkillsSchema = z.lazy(() =>
    z.strictObject({
      /** Allowlist for bundled skills only. */
      allowBundled: StringList.optional(),
      load: z
        .strictObject({
          extraDirs: StringList.optional(),
          watch: z.boolean().optional(),
          watchDebounceMs: NonNegativeInt.optional(),
        })
        .optional(),
      install: z
        .strictObject({
          preferBrew: z.boolean().optional(),
          nodeManager: z.enum(["npm", "pnpm", "yarn", "bun"]).optional(),
        })
        .optional(),
      /** Per-skill overrides keyed by skill name. */
      entries: z
        .record(
          z.string(),
          z.strictObject({
            enabled: z.boolean().optional(),
            apiKey: z.string().optional(),
            env: StringMap.optional(),
            config: z.record(z.string(), z.unknown()).optional(),
          }),
        )
        .optional(),
    }),
  );

  const PluginsSchema = z.lazy(() =>
    z.strictObject({
      enabled: z.boolean().optional(),
      allow: StringList.optional(),
      deny: StringList.optional(),
      load: z.strictObject({ paths: StringList.optional() }).optional(),
      /** Exclusive slots, e.g. which plugin provides memory. */
      slots: z.strictObject({ memory: z.string().optional() }).optional(),
      /** Per-plugin settings keyed by plugin id; `config` is validated by the plugin. */
      entries: z
        .record(
          z.string(),
          z.strictObject({
            enabled: z.boolean().optional(),
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
            spec: z.string().optional(),
            sourcePath: z.string().optional(),
            installPath: z.string().optional(),
            version: z.string().optional(),
            installedAt: z.string().optional(),
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
      $schema: z.string().optional(),
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
