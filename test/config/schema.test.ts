/**
 * Tests for src/config/schema.ts: seed configs and doc examples validate, bad input
 * is reported at the right path, no defaults are injected, and secrets are flagged.
 */
import { validateConfigObject } from "../../src/config/load.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import JSON5 from "json5";
import type { z } from "zod";
import { configSchema, SENSITIVE_KEY_PATTERN } from "../../src/config/schema.js";
import { fixture } from "../helpers/fixtures.js";

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

/** Copy of test/fixtures/reference/seed-openclaw.json (Fly.io guide). */
const SEED_OPENCLAW = {
  agents: {
    defaults: {
      model: {
        primary: "anthropic/claude-opus-4-5",
        fallbacks: ["anthropic/claude-sonnet-4-5", "openai/gpt-4o"],
      },
      maxConcurrent: 4,
    },
    list: [{ id: "main", default: true }],
  },
  auth: {
    profiles: {
      "anthropic:default": { mode: "token", provider: "anthropic" },
      "openai:default": { mode: "token", provider: "openai" },
    },
  },
  bindings: [{ agentId: "main", match: { channel: "discord" } }],
  channels: {
    discord: {
      enabled: true,
      groupPolicy: "allowlist",
      guilds: {
        YOUR_GUILD_ID: {
          channels: { general: { allow: true } },
          requireMention: false,
        },
      },
    },
  },
  gateway: { mode: "local", bind: "auto" },
  meta: { lastTouchedVersion: "2026.1.29" },
};

/** Copy of test/fixtures/reference/seed-voice-call.json. */
const SEED_VOICE_CALL = {
  plugins: {
    entries: {
      "voice-call": {
        enabled: true,
        config: { provider: "twilio", tunnel: { provider: "ngrok" } },
      },
    },
  },
};

// Doc examples (verbatim JSON5 from the OpenClaw 2026.1.29 docs).

/** Verbatim from docs/configuration-examples.md: Expanded example (major options). */
const EXPANDED_EXAMPLE = `
{
  // Environment + shell
  env: {
    OPENROUTER_API_KEY: "sk-or-...",
    vars: {
      GROQ_API_KEY: "gsk-..."
    },
    shellEnv: {
      enabled: true,
      timeoutMs: 15000
    }
  },

  // Auth profile metadata (secrets live in auth-profiles.json)
  auth: {
    profiles: {
      "anthropic:me@example.com": { provider: "anthropic", mode: "oauth", email: "me@example.com" },
      "anthropic:work": { provider: "anthropic", mode: "api_key" },
      "openai:default": { provider: "openai", mode: "api_key" },
      "openai-codex:default": { provider: "openai-codex", mode: "oauth" }
    },
    order: {
      anthropic: ["anthropic:me@example.com", "anthropic:work"],
      openai: ["openai:default"],
      "openai-codex": ["openai-codex:default"]
    }
  },

  // Identity
  identity: {
    name: "Samantha",
    theme: "helpful sloth",
    emoji: "🦥"
  },

  // Logging
  logging: {
    level: "info",
    file: "/tmp/openclaw/openclaw.log",
    consoleLevel: "info",
    consoleStyle: "pretty",
    redactSensitive: "tools"
  },

  // Message formatting
  messages: {
    messagePrefix: "[openclaw]",
    responsePrefix: ">",
    ackReaction: "👀",
    ackReactionScope: "group-mentions"
  },

  // Routing + queue
  routing: {
    groupChat: {
      mentionPatterns: ["@openclaw", "openclaw"],
      historyLimit: 50
    },
    queue: {
      mode: "collect",
      debounceMs: 1000,
      cap: 20,
      drop: "summarize",
      byChannel: {
        whatsapp: "collect",
        telegram: "collect",
        discord: "collect",
        slack: "collect",
        signal: "collect",
        imessage: "collect",
        webchat: "collect"
      }
    }
  },

  // Tooling
  tools: {
    media: {
      audio: {
        enabled: true,
        maxBytes: 20971520,
        models: [
          { provider: "openai", model: "gpt-4o-mini-transcribe" },
          // Optional CLI fallback (Whisper binary):
          // { type: "cli", command: "whisper", args: ["--model", "base", "{{MediaPath}}"] }
        ],
        timeoutSeconds: 120
      },
      video: {
        enabled: true,
        maxBytes: 52428800,
        models: [{ provider: "google", model: "gemini-3-flash-preview" }]
      }
    }
  },

  // Session behavior
  session: {
    scope: "per-sender",
    reset: {
      mode: "daily",
      atHour: 4,
      idleMinutes: 60
    },
    resetByChannel: {
      discord: { mode: "idle", idleMinutes: 10080 }
    },
    resetTriggers: ["/new", "/reset"],
    store: "~/.openclaw/agents/default/sessions/sessions.json",
    typingIntervalSeconds: 5,
    sendPolicy: {
      default: "allow",
      rules: [
        { action: "deny", match: { channel: "discord", chatType: "group" } }
      ]
    }
  },

  // Channels
  channels: {
    whatsapp: {
      dmPolicy: "pairing",
      allowFrom: ["+15555550123"],
      groupPolicy: "allowlist",
      groupAllowFrom: ["+15555550123"],
      groups: { "*": { requireMention: true } }
    },

    telegram: {
      enabled: true,
      botToken: "YOUR_TELEGRAM_BOT_TOKEN",
      allowFrom: ["123456789"],
      groupPolicy: "allowlist",
      groupAllowFrom: ["123456789"],
      groups: { "*": { requireMention: true } }
    },

    discord: {
      enabled: true,
      token: "YOUR_DISCORD_BOT_TOKEN",
      dm: { enabled: true, allowFrom: ["steipete"] },
      guilds: {
        "123456789012345678": {
          slug: "friends-of-openclaw",
          requireMention: false,
          channels: {
            general: { allow: true },
            help: { allow: true, requireMention: true }
          }
        }
      }
    },

    slack: {
      enabled: true,
      botToken: "xoxb-REPLACE_ME",
      appToken: "xapp-REPLACE_ME",
      channels: {
        "#general": { allow: true, requireMention: true }
      },
      dm: { enabled: true, allowFrom: ["U123"] },
      slashCommand: {
        enabled: true,
        name: "openclaw",
        sessionPrefix: "slack:slash",
        ephemeral: true
      }
    }
  },

  // Agent runtime
  agents: {
    defaults: {
      workspace: "~/.openclaw/workspace",
      userTimezone: "America/Chicago",
      model: {
        primary: "anthropic/claude-sonnet-4-5",
        fallbacks: ["anthropic/claude-opus-4-5", "openai/gpt-5.2"]
      },
      imageModel: {
        primary: "openrouter/anthropic/claude-sonnet-4-5"
      },
      models: {
        "anthropic/claude-opus-4-5": { alias: "opus" },
        "anthropic/claude-sonnet-4-5": { alias: "sonnet" },
        "openai/gpt-5.2": { alias: "gpt" }
      },
      thinkingDefault: "low",
      verboseDefault: "off",
      elevatedDefault: "on",
      blockStreamingDefault: "off",
      blockStreamingBreak: "text_end",
      blockStreamingChunk: {
        minChars: 800,
        maxChars: 1200,
        breakPreference: "paragraph"
      },
      blockStreamingCoalesce: {
        idleMs: 1000
      },
      humanDelay: {
        mode: "natural"
      },
      timeoutSeconds: 600,
      mediaMaxMb: 5,
      typingIntervalSeconds: 5,
      maxConcurrent: 3,
      heartbeat: {
        every: "30m",
        model: "anthropic/claude-sonnet-4-5",
        target: "last",
        to: "+15555550123",
        prompt: "HEARTBEAT",
        ackMaxChars: 300
      },
      memorySearch: {
        provider: "gemini",
        model: "gemini-embedding-001",
        remote: {
          apiKey: "\${GEMINI_API_KEY}"
        },
        extraPaths: ["../team-docs", "/srv/shared-notes"]
      },
      sandbox: {
        mode: "non-main",
        perSession: true,
        workspaceRoot: "~/.openclaw/sandboxes",
        docker: {
          image: "openclaw-sandbox:bookworm-slim",
          workdir: "/workspace",
          readOnlyRoot: true,
          tmpfs: ["/tmp", "/var/tmp", "/run"],
          network: "none",
          user: "1000:1000"
        },
        browser: {
          enabled: false
        }
      }
    }
  },

  tools: {
    allow: ["exec", "process", "read", "write", "edit", "apply_patch"],
    deny: ["browser", "canvas"],
    exec: {
      backgroundMs: 10000,
      timeoutSec: 1800,
      cleanupMs: 1800000
    },
    elevated: {
      enabled: true,
      allowFrom: {
        whatsapp: ["+15555550123"],
        telegram: ["123456789"],
        discord: ["steipete"],
        slack: ["U123"],
        signal: ["+15555550123"],
        imessage: ["user@example.com"],
        webchat: ["session:demo"]
      }
    }
  },

  // Custom model providers
  models: {
    mode: "merge",
    providers: {
      "custom-proxy": {
        baseUrl: "http://localhost:4000/v1",
        apiKey: "LITELLM_KEY",
        api: "openai-responses",
        authHeader: true,
        headers: { "X-Proxy-Region": "us-west" },
        models: [
          {
            id: "llama-3.1-8b",
            name: "Llama 3.1 8B",
            api: "openai-responses",
            reasoning: false,
            input: ["text"],
            cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
            contextWindow: 128000,
            maxTokens: 32000
          }
        ]
      }
    }
  },

  // Cron jobs
  cron: {
    enabled: true,
    store: "~/.openclaw/cron/cron.json",
    maxConcurrentRuns: 2
  },

  // Webhooks
  hooks: {
    enabled: true,
    path: "/hooks",
    token: "shared-secret",
    presets: ["gmail"],
    transformsDir: "~/.openclaw/hooks",
    mappings: [
      {
        id: "gmail-hook",
        match: { path: "gmail" },
        action: "agent",
        wakeMode: "now",
        name: "Gmail",
        sessionKey: "hook:gmail:{{messages[0].id}}",
        messageTemplate: "From: {{messages[0].from}}\\nSubject: {{messages[0].subject}}",
        textTemplate: "{{messages[0].snippet}}",
        deliver: true,
        channel: "last",
        to: "+15555550123",
        thinking: "low",
        timeoutSeconds: 300,
        transform: { module: "./transforms/gmail.js", export: "transformGmail" }
      }
    ],
    gmail: {
      account: "openclaw@gmail.com",
      label: "INBOX",
      topic: "projects/<project-id>/topics/gog-gmail-watch",
      subscription: "gog-gmail-watch-push",
      pushToken: "shared-push-token",
      hookUrl: "http://127.0.0.1:18789/hooks/gmail",
      includeBody: true,
      maxBytes: 20000,
      renewEveryMinutes: 720,
      serve: { bind: "127.0.0.1", port: 8788, path: "/" },
      tailscale: { mode: "funnel", path: "/gmail-pubsub" }
    }
  },

  // Gateway + networking
  gateway: {
    mode: "local",
    port: 18789,
    bind: "loopback",
    controlUi: { enabled: true, basePath: "/openclaw" },
    auth: {
      mode: "token",
      token: "gateway-token",
      allowTailscale: true
    },
    tailscale: { mode: "serve", resetOnExit: false },
    remote: { url: "ws://gateway.tailnet:18789", token: "remote-token" },
    reload: { mode: "hybrid", debounceMs: 300 }
  },

  skills: {
    allowBundled: ["gemini", "peekaboo"],
    load: {
      extraDirs: ["~/Projects/agent-scripts/skills"]
    },
    install: {
      preferBrew: true,
      nodeManager: "npm"
    },
    entries: {
      "nano-banana-pro": {
        enabled: true,
        apiKey: "GEMINI_KEY_HERE",
        env: { GEMINI_API_KEY: "GEMINI_KEY_HERE" }
      },
      peekaboo: { enabled: true }
    }
  }
}
`;

/** Verbatim from docs/configuration.md: channels.telegram. */
const TELEGRAM_EXAMPLE = `
{
  channels: {
    telegram: {
      enabled: true,
      botToken: "your-bot-token",
      dmPolicy: "pairing",                 // pairing | allowlist | open | disabled
      allowFrom: ["tg:123456789"],         // optional; "open" requires ["*"]
      groups: {
        "*": { requireMention: true },
        "-1001234567890": {
          allowFrom: ["@admin"],
          systemPrompt: "Keep answers brief.",
          topics: {
            "99": {
              requireMention: false,
              skills: ["search"],
              systemPrompt: "Stay on topic."
            }
          }
        }
      },
      customCommands: [
        { command: "backup", description: "Git backup" },
        { command: "generate", description: "Create an image" }
      ],
      historyLimit: 50,                     // include last N group messages as context (0 disables)
      replyToMode: "first",                 // off | first | all
      linkPreview: true,                   // toggle outbound link previews
      streamMode: "partial",               // off | partial | block (draft streaming; separate from block streaming)
      draftChunk: {                        // optional; only for streamMode=block
        minChars: 200,
        maxChars: 800,
        breakPreference: "paragraph"       // paragraph | newline | sentence
      },
      actions: { reactions: true, sendMessage: true }, // tool action gates (false disables)
      reactionNotifications: "own",   // off | own | all
      mediaMaxMb: 5,
      retry: {                             // outbound retry policy
        attempts: 3,
        minDelayMs: 400,
        maxDelayMs: 30000,
        jitter: 0.1
      },
      network: {                           // transport overrides
        autoSelectFamily: false
      },
      proxy: "socks5://localhost:9050",
      webhookUrl: "https://example.com/telegram-webhook",
      webhookSecret: "secret",
      webhookPath: "/telegram-webhook"
    }
  }
}
`;

/** Verbatim from docs/configuration.md: channels.discord. */
const DISCORD_EXAMPLE = `
{
  channels: {
    discord: {
      enabled: true,
      token: "your-bot-token",
      mediaMaxMb: 8,                          // clamp inbound media size
      allowBots: false,                       // allow bot-authored messages
      actions: {                              // tool action gates (false disables)
        reactions: true,
        stickers: true,
        polls: true,
        permissions: true,
        messages: true,
        threads: true,
        pins: true,
        search: true,
        memberInfo: true,
        roleInfo: true,
        roles: false,
        channelInfo: true,
        voiceStatus: true,
        events: true,
        moderation: false
      },
      replyToMode: "off",                     // off | first | all
      dm: {
        enabled: true,                        // disable all DMs when false
        policy: "pairing",                    // pairing | allowlist | open | disabled
        allowFrom: ["1234567890", "steipete"], // optional DM allowlist ("open" requires ["*"])
        groupEnabled: false,                 // enable group DMs
        groupChannels: ["openclaw-dm"]          // optional group DM allowlist
      },
      guilds: {
        "123456789012345678": {               // guild id (preferred) or slug
          slug: "friends-of-openclaw",
          requireMention: false,              // per-guild default
          reactionNotifications: "own",       // off | own | all | allowlist
          users: ["987654321098765432"],      // optional per-guild user allowlist
          channels: {
            general: { allow: true },
            help: {
              allow: true,
              requireMention: true,
              users: ["987654321098765432"],
              skills: ["docs"],
              systemPrompt: "Short answers only."
            }
          }
        }
      },
      historyLimit: 20,                       // include last N guild messages as context
      textChunkLimit: 2000,                   // optional outbound text chunk size (chars)
      chunkMode: "length",                    // optional chunking mode (length | newline)
      maxLinesPerMessage: 17,                 // soft max lines per message (Discord UI clipping)
      retry: {                                // outbound retry policy
        attempts: 3,
        minDelayMs: 500,
        maxDelayMs: 30000,
        jitter: 0.1
      }
    }
  }
}
`;

/** Verbatim from docs/configuration.md: channels.slack. */
const SLACK_EXAMPLE = `
{
  channels: {
    slack: {
      enabled: true,
      botToken: "xoxb-...",
      appToken: "xapp-...",
      dm: {
        enabled: true,
        policy: "pairing", // pairing | allowlist | open | disabled
        allowFrom: ["U123", "U456", "*"], // optional; "open" requires ["*"]
        groupEnabled: false,
        groupChannels: ["G123"]
      },
      channels: {
        C123: { allow: true, requireMention: true, allowBots: false },
        "#general": {
          allow: true,
          requireMention: true,
          allowBots: false,
          users: ["U123"],
          skills: ["docs"],
          systemPrompt: "Short answers only."
        }
      },
      historyLimit: 50,          // include last N channel/group messages as context (0 disables)
      allowBots: false,
      reactionNotifications: "own", // off | own | all | allowlist
      reactionAllowlist: ["U123"],
      replyToMode: "off",           // off | first | all
      thread: {
        historyScope: "thread",     // thread | channel
        inheritParent: false
      },
      actions: {
        reactions: true,
        messages: true,
        pins: true,
        memberInfo: true,
        emojiList: true
      },
      slashCommand: {
        enabled: true,
        name: "openclaw",
        sessionPrefix: "slack:slash",
        ephemeral: true
      },
      textChunkLimit: 4000,
      chunkMode: "length",
      mediaMaxMb: 20
    }
  }
}
`;

/** Verbatim from docs/configuration.md: two WhatsApp accounts -> two agents. */
const MULTI_AGENT_EXAMPLE = `
{
  agents: {
    list: [
      { id: "home", default: true, workspace: "~/.openclaw/workspace-home" },
      { id: "work", workspace: "~/.openclaw/workspace-work" }
    ]
  },
  bindings: [
    { agentId: "home", match: { channel: "whatsapp", accountId: "personal" } },
    { agentId: "work", match: { channel: "whatsapp", accountId: "biz" } }
  ],
  channels: {
    whatsapp: {
      accounts: {
        personal: {},
        biz: {},
      }
    }
  }
}
`;

/** Verbatim from docs/configuration.md: messages.tts. */
const TTS_EXAMPLE = `
{
  messages: {
    tts: {
      auto: "always", // off | always | inbound | tagged
      mode: "final", // final | all (include tool/block replies)
      provider: "elevenlabs",
      summaryModel: "openai/gpt-4.1-mini",
      modelOverrides: {
        enabled: true
      },
      maxTextLength: 4000,
      timeoutMs: 30000,
      prefsPath: "~/.openclaw/settings/tts.json",
      elevenlabs: {
        apiKey: "elevenlabs_api_key",
        baseUrl: "https://api.elevenlabs.io",
        voiceId: "voice_id",
        modelId: "eleven_multilingual_v2",
        seed: 42,
        applyTextNormalization: "auto",
        languageCode: "en",
        voiceSettings: {
          stability: 0.5,
          similarityBoost: 0.75,
          style: 0.0,
          useSpeakerBoost: true,
          speed: 1.0
        }
      },
      openai: {
        apiKey: "openai_api_key",
        model: "gpt-4o-mini-tts",
        voice: "alloy"
      }
    }
  }
}
`;

/** Verbatim from docs/configuration.md: agents.defaults.sandbox. */
const SANDBOX_EXAMPLE = `
{
  agents: {
    defaults: {
      sandbox: {
        mode: "non-main", // off | non-main | all
        scope: "agent", // session | agent | shared (agent is default)
        workspaceAccess: "none", // none | ro | rw
        workspaceRoot: "~/.openclaw/sandboxes",
        docker: {
          image: "openclaw-sandbox:bookworm-slim",
          containerPrefix: "openclaw-sbx-",
          workdir: "/workspace",
          readOnlyRoot: true,
          tmpfs: ["/tmp", "/var/tmp", "/run"],
          network: "none",
          user: "1000:1000",
          capDrop: ["ALL"],
          env: { LANG: "C.UTF-8" },
          setupCommand: "apt-get update && apt-get install -y git curl jq",
          // Per-agent override (multi-agent): agents.list[].sandbox.docker.*
          pidsLimit: 256,
          memory: "1g",
          memorySwap: "2g",
          cpus: 1,
          ulimits: {
            nofile: { soft: 1024, hard: 2048 },
            nproc: 256
          },
          seccompProfile: "/path/to/seccomp.json",
          apparmorProfile: "openclaw-sandbox",
          dns: ["1.1.1.1", "8.8.8.8"],
          extraHosts: ["internal.service:10.0.0.5"],
          binds: ["/var/run/docker.sock:/var/run/docker.sock", "/home/user/source:/source:rw"]
        },
        browser: {
          enabled: false,
          image: "openclaw-sandbox-browser:bookworm-slim",
          containerPrefix: "openclaw-sbx-browser-",
          cdpPort: 9222,
          vncPort: 5900,
          noVncPort: 6080,
          headless: false,
          enableNoVnc: true,
          allowHostControl: false,
          allowedControlUrls: ["http://10.0.0.42:18791"],
          allowedControlHosts: ["browser.lab.local", "10.0.0.42"],
          allowedControlPorts: [18791],
          autoStart: true,
          autoStartTimeoutMs: 12000
        },
        prune: {
          idleHours: 24,  // 0 disables idle pruning
          maxAgeDays: 7   // 0 disables max-age pruning
        }
      }
    }
  },
  tools: {
    sandbox: {
      tools: {
        allow: ["exec", "process", "read", "write", "edit", "apply_patch", "sessions_list", "sessions_history", "sessions_send", "sessions_spawn", "session_status"],
        deny: ["browser", "canvas", "nodes", "cron", "discord", "gateway"]
      }
    }
  }
}
`;

/** Verbatim from docs/configuration.md: Kimi Code custom provider. */
const KIMI_CODE_EXAMPLE = `
{
  env: { KIMICODE_API_KEY: "sk-..." },
  agents: {
    defaults: {
      model: { primary: "kimi-code/kimi-for-coding" },
      models: { "kimi-code/kimi-for-coding": { alias: "Kimi Code" } }
    }
  },
  models: {
    mode: "merge",
    providers: {
      "kimi-code": {
        baseUrl: "https://api.kimi.com/coding/v1",
        apiKey: "\${KIMICODE_API_KEY}",
        api: "openai-completions",
        models: [
          {
            id: "kimi-for-coding",
            name: "Kimi For Coding",
            reasoning: true,
            input: ["text"],
            cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
            contextWindow: 262144,
            maxTokens: 32768,
            headers: { "User-Agent": "KimiCLI/0.77" },
            compat: { supportsDeveloperRole: false }
          }
        ]
      }
    }
  }
}
`;

/** Verbatim from docs/configuration.md: session. */
const SESSION_EXAMPLE = `
{
  session: {
    scope: "per-sender",
    dmScope: "main",
    identityLinks: {
      alice: ["telegram:123456789", "discord:987654321012345678"]
    },
    reset: {
      mode: "daily",
      atHour: 4,
      idleMinutes: 60
    },
    resetByType: {
      thread: { mode: "daily", atHour: 4 },
      dm: { mode: "idle", idleMinutes: 240 },
      group: { mode: "idle", idleMinutes: 120 }
    },
    resetTriggers: ["/new", "/reset"],
    // Default is already per-agent under ~/.openclaw/agents/<agentId>/sessions/sessions.json
    // You can override with {agentId} templating:
    store: "~/.openclaw/agents/{agentId}/sessions/sessions.json",
    // Direct chats collapse to agent:<agentId>:<mainKey> (default: "main").
    mainKey: "main",
    agentToAgent: {
      // Max ping-pong reply turns between requester/target (0–5).
      maxPingPongTurns: 5
    },
    sendPolicy: {
      rules: [
        { action: "deny", match: { channel: "discord", chatType: "group" } }
      ],
      default: "allow"
    }
  }
}
`;

/** Verbatim from docs/configuration.md: hooks. */
const HOOKS_EXAMPLE = `
{
  hooks: {
    enabled: true,
    token: "shared-secret",
    path: "/hooks",
    presets: ["gmail"],
    transformsDir: "~/.openclaw/hooks",
    mappings: [
      {
        match: { path: "gmail" },
        action: "agent",
        wakeMode: "now",
        name: "Gmail",
        sessionKey: "hook:gmail:{{messages[0].id}}",
        messageTemplate:
          "From: {{messages[0].from}}\\nSubject: {{messages[0].subject}}\\n{{messages[0].snippet}}",
        deliver: true,
        channel: "last",
        model: "openai/gpt-5.2-mini",
      },
    ],
  }
}
`;

/** Verbatim from docs/configuration.md: hooks.gmail. */
const GMAIL_EXAMPLE = `
{
  hooks: {
    gmail: {
      account: "openclaw@gmail.com",
      topic: "projects/<project-id>/topics/gog-gmail-watch",
      subscription: "gog-gmail-watch-push",
      pushToken: "shared-push-token",
      hookUrl: "http://127.0.0.1:18789/hooks/gmail",
      includeBody: true,
      maxBytes: 20000,
      renewEveryMinutes: 720,
      serve: { bind: "127.0.0.1", port: 8788, path: "/" },
      tailscale: { mode: "funnel", path: "/gmail-pubsub" },

      // Optional: use a cheaper model for Gmail hook processing
      // Falls back to agents.defaults.model.fallbacks, then primary, on auth/rate-limit/timeout
      model: "openrouter/meta-llama/llama-3.3-70b-instruct:free",
      // Optional: default thinking level for Gmail hooks
      thinking: "off",
    }
  }
}
`;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

type Issue = z.core.$ZodIssue;

function issuesOf(value: unknown): Issue[] {
  const result = configSchema().safeParse(value);
  return result.success ? [] : result.error.issues;
}

function assertValid(value: unknown, label: string): void {
  const issues = issuesOf(value);
  assert.deepEqual(
    issues.map((i) => `${i.path.join(".")}: ${i.message}`),
    [],
    `${label} should validate`,
  );
}

function findIssue(issues: Issue[], path: PropertyKey[]): Issue | undefined {
  return issues.find((i) => JSON.stringify(i.path) === JSON.stringify(path));
}

// ---------------------------------------------------------------------------
// Valid configs
// ---------------------------------------------------------------------------

test("an empty config is valid, and so is an editor $schema pointer", () => {
  assertValid({}, "{}");
  assertValid({ $schema: "./openclaw.schema.json" }, "$schema");
});

test("seed-openclaw.json validates and round-trips unchanged (no defaults injected)", () => {
  const seed: unknown = JSON5.parse(fixture("reference/seed-openclaw.json"));
  assert.deepEqual(seed, SEED_OPENCLAW, "inline copy matches the seed file");
  assertValid(seed, "seed-openclaw.json");
  assert.deepEqual(configSchema().parse(seed), seed);
});

test("seed-voice-call.json validates with arbitrary plugin config", () => {
  const seed: unknown = JSON5.parse(fixture("reference/seed-voice-call.json"));
  assert.deepEqual(seed, SEED_VOICE_CALL, "inline copy matches the seed file");
  assertValid(seed, "seed-voice-call.json");
  assert.deepEqual(configSchema().parse(seed), seed);
});

test("the documented expanded example validates once its legacy keys are migrated", () => {
  const doc = JSON5.parse(EXPANDED_EXAMPLE) as Record<string, unknown>;
  // As written, the example still carries the legacy top-level `identity` and `routing`
  // keys (moved by `openclaw doctor` to agents.list[].identity and messages.*); the
  // strict schema reports exactly those two.
  const issues = issuesOf(doc);
  assert.equal(issues.length, 1);
  assert.equal(issues[0]!.code, "unrecognized_keys");
  assert.deepEqual(issues[0]!.path, []);
  assert.deepEqual([...(issues[0] as { keys: string[] }).keys].sort(), ["identity", "routing"]);

  const { identity: _identity, routing: _routing, ...rest } = doc;
  assertValid(rest, "expanded example without legacy keys");
  assert.deepEqual(configSchema().parse(rest), rest);
});

const DOC_FIXTURES: Record<string, string> = {
  TELEGRAM_EXAMPLE,
  DISCORD_EXAMPLE,
  SLACK_EXAMPLE,
  MULTI_AGENT_EXAMPLE,
  TTS_EXAMPLE,
  SANDBOX_EXAMPLE,
  KIMI_CODE_EXAMPLE,
  SESSION_EXAMPLE,
  HOOKS_EXAMPLE,
  GMAIL_EXAMPLE,
};

for (const [name, text] of Object.entries(DOC_FIXTURES)) {
  test(`doc example ${name} validates as written`, () => {
    const doc: unknown = JSON5.parse(text);
    assertValid(doc, name);
    assert.deepEqual(configSchema().parse(doc), doc);
  });
}

test("multi-account blocks accept the same keys as the channel itself", () => {
  assertValid(
    {
      channels: {
        telegram: { accounts: { alerts: { name: "Alerts bot", botToken: "1:x", groups: { "*": { requireMention: true } } } } },
        discord: { accounts: { work: { token: "t", guilds: { "1": { channels: { help: { allow: true } } } } } } },
        slack: { accounts: { a: { botToken: "xoxb", appToken: "xapp", channels: { C1: { allow: true } } } } },
        whatsapp: { accounts: { default: {}, biz: { authDir: "~/wa/biz" } } },
        mattermost: { botToken: "mm", baseUrl: "https://chat.example.com", chatmode: "onchar", accounts: { b: { botToken: "x" } } },
      },
    },
    "multi-account",
  );
});

test("API base overrides for Discord and Telegram are accepted", () => {
  assertValid(
    {
      channels: {
        discord: { apiBaseUrl: "http://127.0.0.1:8080/api", accounts: { b: { apiBaseUrl: "http://proxy" } } },
        telegram: { apiRoot: "http://127.0.0.1:8081" },
      },
    },
    "api overrides",
  );
});

test("model may be a string or { primary, fallbacks } in agents.list", () => {
  assertValid(
    {
      agents: {
        list: [
          { id: "a", model: "openai/gpt-4o" },
          { id: "b", model: { primary: "x/y", fallbacks: [] } },
        ],
      },
    },
    "model forms",
  );
});

// ---------------------------------------------------------------------------
// Invalid configs: issues carry full paths
// ---------------------------------------------------------------------------

test("unknown key in agents.defaults is reported on its parent with the key name", () => {
  const issues = issuesOf({ agents: { defaults: { bogusKey: 1 } } });
  assert.equal(issues.length, 1);
  const issue = issues[0]!;
  // zod 4 reports unknown keys once per object: code "unrecognized_keys", path = the
  // object holding them, and `keys` = the offending names.
  assert.equal(issue.code, "unrecognized_keys");
  assert.deepEqual(issue.path, ["agents", "defaults"]);
  assert.deepEqual((issue as { keys: string[] }).keys, ["bogusKey"]);
  assert.deepEqual([...issue.path, ...(issue as { keys: string[] }).keys], ["agents", "defaults", "bogusKey"]);
});

test("unknown top-level key and unknown channel id are errors", () => {
  const top = issuesOf({ bogus: true });
  assert.equal(top[0]?.code, "unrecognized_keys");
  assert.deepEqual(top[0]?.path, []);
  // Channel blocks beyond OpenClaw's own must be declared by a plugin manifest; a typo is not.
  const channel = validateConfigObject({ channels: { discrod: {} } }, { OPENCLAW_STATE_DIR: "/nonexistent-state" });
  assert.equal(channel.ok, false);
  assert.deepEqual(
    channel.issues.map((i) => i.path),
    ["channels.discrod"],
  );
  assert.match(channel.issues[0]!.message, /unknown channel id "discrod"/);
});

test("gateway.port must be a number in 1..65535", () => {
  const issues = issuesOf({ gateway: { port: "x" } });
  const issue = findIssue(issues, ["gateway", "port"]);
  assert.ok(issue, JSON.stringify(issues));
  assert.equal(issue.code, "invalid_type");
  assert.ok(findIssue(issuesOf({ gateway: { port: 70000 } }), ["gateway", "port"]));
  assert.ok(findIssue(issuesOf({ gateway: { port: 0 } }), ["gateway", "port"]));
  assert.ok(findIssue(issuesOf({ gateway: { port: 18789.5 } }), ["gateway", "port"]));
  assertValid({ gateway: { port: 18789 } }, "port 18789");
});

test("a bad value deep inside a guild record is reported with the guild id in the path", () => {
  const issues = issuesOf({ channels: { discord: { guilds: { "123": { requireMention: "yes" } } } } });
  const issue = findIssue(issues, ["channels", "discord", "guilds", "123", "requireMention"]);
  assert.ok(issue, JSON.stringify(issues));
  assert.equal(issue.code, "invalid_type");
});

test("enum values are checked exactly", () => {
  assert.ok(findIssue(issuesOf({ gateway: { bind: "0.0.0.0" } }), ["gateway", "bind"]));
  assert.ok(findIssue(issuesOf({ gateway: { reload: { mode: "sometimes" } } }), ["gateway", "reload", "mode"]));
  assert.ok(findIssue(issuesOf({ logging: { level: "verbose" } }), ["logging", "level"]));
  assert.ok(findIssue(issuesOf({ session: { dmScope: "per-user" } }), ["session", "dmScope"]));
  assert.ok(findIssue(issuesOf({ auth: { profiles: { p: { provider: "x", mode: "apikey" } } } }), ["auth", "profiles", "p", "mode"]));
  assert.ok(
    findIssue(issuesOf({ bindings: [{ agentId: "a", match: { channel: "x", peer: { kind: "user", id: "1" } } }] }), [
      "bindings",
      0,
      "match",
      "peer",
      "kind",
    ]),
  );
});

test("required fields are enforced where OpenClaw requires them", () => {
  assert.ok(findIssue(issuesOf({ agents: { list: [{ name: "no id" }] } }), ["agents", "list", 0, "id"]));
  assert.ok(findIssue(issuesOf({ auth: { profiles: { p: { mode: "oauth" } } } }), ["auth", "profiles", "p", "provider"]));
  assert.ok(findIssue(issuesOf({ bindings: [{ agentId: "a", match: {} }] }), ["bindings", 0, "match", "channel"]));
  assert.ok(findIssue(issuesOf({ models: { providers: { p: { baseUrl: "http://x" } } } }), ["models", "providers", "p", "models"]));
});

test('dmPolicy "open" requires "*" in allowFrom (top level and per account)', () => {
  assert.ok(findIssue(issuesOf({ channels: { telegram: { dmPolicy: "open", allowFrom: ["1"] } } }), ["channels", "telegram", "allowFrom"]));
  assert.ok(
    findIssue(issuesOf({ channels: { whatsapp: { accounts: { a: { dmPolicy: "open" } } } } }), [
      "channels",
      "whatsapp",
      "accounts",
      "a",
      "allowFrom",
    ]),
  );
  assert.ok(findIssue(issuesOf({ channels: { discord: { dm: { policy: "open" } } } }), ["channels", "discord", "dm", "allowFrom"]));
  assertValid({ channels: { telegram: { dmPolicy: "open", allowFrom: ["*"] } } }, "open with *");
});

test("heartbeat interval and active hours are checked", () => {
  assert.ok(findIssue(issuesOf({ agents: { defaults: { heartbeat: { every: "soon" } } } }), ["agents", "defaults", "heartbeat", "every"]));
  assert.ok(
    findIssue(issuesOf({ agents: { defaults: { heartbeat: { activeHours: { start: "24:00" } } } } }), [
      "agents",
      "defaults",
      "heartbeat",
      "activeHours",
      "start",
    ]),
  );
  assertValid({ agents: { defaults: { heartbeat: { every: "30m", activeHours: { start: "08:00", end: "24:00" } } } } }, "heartbeat");
});

test("broadcast targets must be agents from agents.list", () => {
  const issues = issuesOf({ agents: { list: [{ id: "a" }] }, broadcast: { strategy: "parallel", "g@g.us": ["a", "zzz"] } });
  assert.ok(findIssue(issues, ["broadcast", "g@g.us", 1]), JSON.stringify(issues));
});

test("plugin-owned subtrees stay open", () => {
  assertValid(
    {
      plugins: { entries: { x: { config: { anything: { nested: [1, 2, { deep: true }] } } } } },
      skills: { entries: { s: { config: { k: 1 } } } },
      channels: { matrix: { homeserver: "https://m.example", rooms: { "!r": { requireMention: true } } } },
      agents: { defaults: { models: { "zai/glm-4.7": { params: { thinking: { type: "enabled" } } } } } },
    },
    "loose subtrees",
  );
});

// ---------------------------------------------------------------------------
// Secrets and UI hints
// ---------------------------------------------------------------------------

test("SENSITIVE_KEY_PATTERN matches secret keys only", () => {
  for (const key of [
    "token",
    "botToken",
    "appToken",
    "userToken",
    "pushToken",
    "apiKey",
    "password",
    "appPassword",
    "secret",
    "signingSecret",
    "webhookSecret",
    "privateKey",
    "serviceAccount",
    "OPENAI_API_KEY",
    "GATEWAY_TOKEN",
  ]) {
    assert.ok(SENSITIVE_KEY_PATTERN.test(key), `${key} should be sensitive`);
  }
  for (const key of [
    "maxTokens",
    "tokenLimit",
    "contextTokens",
    "tokens",
    "softThresholdTokens",
    "reserveTokensFloor",
    "tokenFile",
    "userTokenReadOnly",
    "allowTailscale",
    "mode",
    "keyPrefix",
    "sessionKey",
    "serviceAccountFile",
  ]) {
    assert.ok(!SENSITIVE_KEY_PATTERN.test(key), `${key} should not be sensitive`);
  }
});
