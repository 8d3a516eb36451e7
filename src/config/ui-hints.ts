/**
 * What `config.schema` sends editors besides the JSON Schema: display names, help, placeholders and
 * secret flags, keyed by dotted config path (`*` = any map key or list item).
 *
 * Editors (the Control UI among them) resolve a hint per rendered field: a direct lookup first and,
 * when that misses, a scan of every wildcard key. So the set stays small and hand-picked: one hint per
 * top-level section, the fields a person sets by hand, every secret, and about a dozen wildcard keys.
 * A hint per schema node made a full form take tens of seconds to render.
 */
import { SENSITIVE_KEY_PATTERN } from "./schema.js";
import { IMPLEMENTED } from "./support.js";

/** Rendering hints for one config path. */
export type UiHint = {
  label?: string;
  help?: string;
  /** Display group of a top-level section (its label). */
  group?: string;
  /** Sort key among siblings; only sections carry one. */
  order?: number;
  advanced?: boolean;
  /** The value is a secret: editors mask it. */
  sensitive?: boolean;
  placeholder?: string;
};

export type UiHints = Record<string, UiHint>;

/** The part of a JSON Schema node the hint builder reads. */
export type JsonSchemaNode = {
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode | JsonSchemaNode[];
  additionalProperties?: JsonSchemaNode | boolean;
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  allOf?: JsonSchemaNode[];
  [key: string]: unknown;
};

/** A channel this gateway runs, with its display name. */
export type RunnableChannel = { id: string; label: string };

/** Top-level sections: label, position (lower first) and, for a few, a word of help. */
const SECTIONS: Record<string, [label: string, order: number, extra?: Pick<UiHint, "help" | "advanced">]> = {
  meta: ["Metadata", 5],
  env: ["Environment", 10],
  wizard: ["Setup wizard", 20],
  update: ["Updates", 25],
  diagnostics: ["Diagnostics", 27],
  gateway: ["Gateway", 30],
  nodeHost: ["Node host", 35],
  agents: ["Agents", 40],
  tools: ["Tools", 50],
  bindings: ["Bindings", 55],
  broadcast: ["Broadcast groups", 57],
  audio: ["Audio", 60],
  media: ["Media", 62],
  models: ["Models", 70],
  auth: ["Auth profiles", 72],
  messages: ["Messages", 80],
  commands: ["Chat commands", 85],
  approvals: ["Approvals", 87],
  session: ["Sessions", 90],
  cron: ["Cron", 100],
  hooks: ["Webhooks", 110],
  web: ["WhatsApp Web runtime", 115],
  ui: ["Appearance", 120],
  browser: ["Browser", 130],
  talk: ["Talk mode", 140],
  channels: ["Channels", 150],
  skills: ["Skills", 200],
  plugins: ["Plugins", 205],
  discovery: ["Discovery", 210],
  canvasHost: ["Canvas host", 215],
  bridge: ["Bridge (legacy)", 800, { advanced: true }],
  logging: ["Logging", 900],
  $schema: ["Schema URL", 1000, { help: "JSON Schema location for editors; the gateway ignores it.", advanced: true }],
};

/** Display names of the channel sections. */
const CHANNEL_LABELS: Record<string, string> = {
  defaults: "Channel defaults",
  whatsapp: "WhatsApp",
  telegram: "Telegram",
  discord: "Discord",
  googlechat: "Google Chat",
  slack: "Slack",
  mattermost: "Mattermost",
  signal: "Signal",
  imessage: "iMessage",
  bluebubbles: "BlueBubbles",
  msteams: "Microsoft Teams",
  matrix: "Matrix",
  nostr: "Nostr",
  zalo: "Zalo",
  zalouser: "Zalo (personal)",
  line: "LINE",
  twitch: "Twitch",
  "nextcloud-talk": "Nextcloud Talk",
  tlon: "Tlon",
};

type FieldHint = Omit<UiHint, "group" | "order">;

const dmPolicy = (allowFrom: string): FieldHint => ({
  label: "DM policy",
  help: `Who may message the bot directly: pairing (strangers get a code to approve), allowlist, open or disabled. open needs "*" in ${allowFrom}.`,
});
const configWrites = (channel: string): FieldHint => ({
  label: "Config writes from chat",
  help: `Let commands sent on ${channel} change openclaw.json.`,
});
const nativeCommands = (channel: string): FieldHint => ({
  label: "Native commands",
  help: `Per-channel override of commands.native for ${channel}: true, false or auto.`,
});
const nativeSkills = (channel: string): FieldHint => ({
  label: "Native skill commands",
  help: `Per-channel override of commands.nativeSkills for ${channel}: true, false or auto.`,
});
const retry = (channel: string, prefix: string): Record<string, FieldHint> => ({
  [`${prefix}.retry.attempts`]: { label: "Retry attempts", help: `How often a failed ${channel} API call is tried in all.` },
  [`${prefix}.retry.minDelayMs`]: { label: "Retry first delay (ms)", help: "Wait before the first retry; later waits grow from it." },
  [`${prefix}.retry.maxDelayMs`]: { label: "Retry delay cap (ms)", help: "Longest wait between two retries." },
  [`${prefix}.retry.jitter`]: { label: "Retry jitter", help: "Random spread applied to each wait, from 0 (none) to 1." },
});
const mediaUnderstanding = (kind: "image" | "audio" | "video", noun: string): Record<string, FieldHint> => ({
  [`tools.media.${kind}.enabled`]: { label: `${noun} understanding`, help: `Describe inbound ${kind} attachments for the model.` },
  [`tools.media.${kind}.maxBytes`]: { label: `${noun} size limit (bytes)`, help: "Larger attachments are skipped." },
  [`tools.media.${kind}.maxChars`]: { label: `${noun} description limit (chars)`, help: "Longer descriptions are cut." },
  [`tools.media.${kind}.prompt`]: { label: `${noun} prompt`, help: `Instruction given to the model that describes the ${kind}.` },
  [`tools.media.${kind}.timeoutSeconds`]: { label: `${noun} timeout (s)` },
  [`tools.media.${kind}.attachments`]: {
    label: `${noun} attachments`,
    help: "Which attachments of a message are processed, and how many.",
  },
  [`tools.media.${kind}.models`]: { label: `${noun} models`, help: "Models tried in order; the shared list is used when empty." },
  [`tools.media.${kind}.scope`]: { label: `${noun} scope`, help: "Chats and channels where this runs." },
});

/** Field hints. Sections get theirs from SECTIONS; secrets are flagged after the table is read. */
const FIELDS: Record<string, FieldHint> = {
  // meta / update / diagnostics
  "meta.lastTouchedVersion": { label: "Last written by version", help: "Set automatically whenever the file is written.", advanced: true },
  "meta.lastTouchedAt": { label: "Last written at", help: "Time of the last write (ISO 8601), set automatically.", advanced: true },
  "update.channel": { label: "Update channel", help: "Release track to follow: stable, beta or dev." },
  "update.checkOnStart": { label: "Check for updates on start", help: "Look for a newer release each time the gateway starts." },
  "diagnostics.enabled": { label: "Diagnostics" },
  "diagnostics.flags": {
    label: "Diagnostic log flags",
    help: 'Turn on extra logs for named areas, e.g. "telegram.http"; "*" and "area.*" match several.',
  },
  "diagnostics.otel.enabled": { label: "OpenTelemetry export" },
  "diagnostics.otel.endpoint": { label: "OTLP endpoint", placeholder: "http://localhost:4318" },
  "diagnostics.otel.protocol": { label: "OTLP protocol" },
  "diagnostics.otel.headers": { label: "OTLP headers", advanced: true },
  "diagnostics.otel.serviceName": { label: "Service name" },
  "diagnostics.otel.traces": { label: "Export traces" },
  "diagnostics.otel.metrics": { label: "Export metrics" },
  "diagnostics.otel.logs": { label: "Export logs" },
  "diagnostics.otel.sampleRate": { label: "Trace sample rate", help: "Share of traces kept, 0 to 1." },
  "diagnostics.otel.flushIntervalMs": { label: "Export interval (ms)", advanced: true },
  "diagnostics.cacheTrace.enabled": {
    label: "Prompt cache trace",
    help: "Write a JSONL record of what each agent run sent, to debug prompt caching.",
  },
  "diagnostics.cacheTrace.filePath": {
    label: "Cache trace file",
    help: "Where the JSONL trace goes; under the state directory's logs/ when unset.",
  },
  "diagnostics.cacheTrace.includeMessages": { label: "Trace messages", help: "Include the conversation messages in each record." },
  "diagnostics.cacheTrace.includePrompt": { label: "Trace prompt", help: "Include the prompt text in each record." },
  "diagnostics.cacheTrace.includeSystem": { label: "Trace system prompt", help: "Include the system prompt in each record." },

  // gateway
  "gateway.port": { label: "Port", help: "One port serves WebSocket and HTTP.", placeholder: "18789" },
  "gateway.bind": { label: "Bind", help: "loopback (this machine), lan (every interface), tailnet, auto or custom." },
  "gateway.auth.mode": { label: "Auth mode", help: "token or password." },
  "gateway.auth.token": { label: "Gateway token", help: "Shared secret every client presents; needed to listen beyond loopback." },
  "gateway.auth.password": { label: "Gateway password", help: "Used instead of a token in password mode." },
  "gateway.remote.url": {
    label: "Remote gateway URL",
    help: "WebSocket URL (ws:// or wss://) of the gateway the CLI talks to in remote mode.",
    placeholder: "ws://gateway.tailnet:18789",
  },
  "gateway.remote.sshTarget": {
    label: "Remote SSH target",
    help: "Reach the remote gateway through an SSH tunnel: user@host or user@host:port.",
    placeholder: "user@host",
  },
  "gateway.remote.sshIdentity": { label: "Remote SSH identity file", help: "Private key file for the tunnel (ssh -i)." },
  "gateway.remote.token": { label: "Remote gateway token" },
  "gateway.remote.password": { label: "Remote gateway password" },
  "gateway.remote.tlsFingerprint": {
    label: "Remote TLS fingerprint",
    help: "SHA-256 fingerprint the remote certificate must have; pins it against interception.",
    placeholder: "sha256:…",
  },
  "gateway.controlUi.enabled": { label: "Control UI" },
  "gateway.controlUi.basePath": {
    label: "Control UI base path",
    help: "Serve the Control UI under this URL prefix instead of /.",
    placeholder: "/openclaw",
  },
  "gateway.controlUi.allowInsecureAuth": {
    label: "Allow token-only UI sign-in",
    help: "Accept the token without a device identity, for plain-HTTP setups. Weaker; prefer HTTPS.",
  },
  "gateway.controlUi.dangerouslyDisableDeviceAuth": {
    label: "Disable UI device checks (dangerous)",
    help: "Skip device identity for the Control UI entirely. Break-glass only.",
    advanced: true,
  },
  "gateway.trustedProxies": { label: "Trusted proxies", help: "Proxy addresses whose X-Forwarded-For header is believed." },
  "gateway.http.endpoints.chatCompletions.enabled": {
    label: "OpenAI Chat Completions endpoint",
    help: "Serve POST /v1/chat/completions on the gateway port.",
  },
  "gateway.reload.mode": {
    label: "Config reload mode",
    help: "How edits to the file are applied: hybrid (live where safe, restart otherwise), hot, restart or off.",
  },
  "gateway.reload.debounceMs": { label: "Reload debounce (ms)", help: "Wait this long after the last edit before applying it." },
  "gateway.nodes.browser.mode": {
    label: "Node browser routing",
    help: "auto uses the one connected browser node, manual needs a node per call, off disables it.",
  },
  "gateway.nodes.browser.node": { label: "Browser node", help: "Always route browser calls to this node id or name." },
  "gateway.nodes.allowCommands": { label: "Extra node commands", help: "node.invoke commands allowed on top of the defaults." },
  "gateway.nodes.denyCommands": { label: "Blocked node commands", help: "node.invoke commands refused even when a node offers them." },
  "nodeHost.browserProxy.enabled": { label: "Browser proxy", help: "Offer this machine's browser control to the gateway as a node." },
  "nodeHost.browserProxy.allowProfiles": {
    label: "Proxied browser profiles",
    help: "Only these browser profiles are offered; all when empty.",
  },

  // logging
  "logging.level": { label: "Log level" },
  "logging.file": { label: "Log file", placeholder: "/tmp/openclaw/openclaw.log" },
  "logging.consoleLevel": { label: "Console log level" },
  "logging.consoleStyle": { label: "Console style", help: "pretty, compact or json." },

  // auth
  "auth.profiles": {
    label: "Auth profiles",
    help: "Profile id → provider, mode and optional email. The secrets themselves are stored separately.",
  },
  "auth.order": { label: "Profile order", help: "Per provider, the profile ids to try in turn when one fails." },
  "auth.cooldowns.billingBackoffHours": {
    label: "Billing backoff (hours)",
    help: "How long a profile rests after a billing or credit error; repeats wait longer.",
  },
  "auth.cooldowns.billingBackoffHoursByProvider": {
    label: "Billing backoff by provider",
    help: "Provider → backoff hours, overriding the value above.",
  },
  "auth.cooldowns.billingMaxHours": { label: "Billing backoff cap (hours)", help: "Longest rest after repeated billing errors." },
  "auth.cooldowns.failureWindowHours": {
    label: "Failure window (hours)",
    help: "Failures older than this no longer count toward a backoff.",
  },

  // agents.defaults
  "agents.defaults.workspace": { label: "Workspace", placeholder: "~/.openclaw/workspace" },
  "agents.defaults.repoRoot": {
    label: "Repository root",
    help: "Repository named in the system prompt, instead of the one found from the workspace.",
  },
  "agents.defaults.bootstrapMaxChars": {
    label: "Bootstrap file limit (chars)",
    help: "Each workspace file put in the system prompt is cut at this length.",
  },
  "agents.defaults.envelopeTimezone": {
    label: "Envelope timezone",
    help: 'Time zone of message headers: utc, local, user or an IANA name like "Europe/Berlin".',
  },
  "agents.defaults.envelopeTimestamp": { label: "Envelope timestamp", help: "Show when each message was sent (on or off)." },
  "agents.defaults.envelopeElapsed": { label: "Envelope elapsed time", help: "Show the time since the previous message (on or off)." },
  "agents.defaults.model.primary": {
    label: "Primary model",
    help: "provider/model used for every run.",
    placeholder: "anthropic/claude-opus-4-5",
  },
  "agents.defaults.model.fallbacks": { label: "Fallback models", help: "provider/model entries tried in order when the primary fails." },
  "agents.defaults.imageModel.primary": { label: "Image model", help: "provider/model used when the primary model cannot read images." },
  "agents.defaults.imageModel.fallbacks": {
    label: "Image model fallbacks",
    help: "provider/model entries tried in order when the image model fails.",
  },
  "agents.defaults.models": {
    label: "Model catalog",
    help: "Allowed models by provider/model id, each with an optional alias and parameters.",
  },
  "agents.defaults.userTimezone": { label: "User timezone", placeholder: "America/Chicago" },
  "agents.defaults.maxConcurrent": { label: "Max concurrent runs", help: "Agent runs allowed at the same time across all sessions." },
  "agents.defaults.timeoutSeconds": { label: "Run timeout (s)" },
  "agents.defaults.contextTokens": { label: "Context tokens", help: "Use this context size instead of the model's own." },
  "agents.defaults.thinkingDefault": { label: "Default thinking level" },
  "agents.defaults.heartbeat.every": {
    label: "Heartbeat interval",
    help: "How often the agent checks in unprompted; 0m turns it off.",
    placeholder: "30m",
  },
  "agents.defaults.humanDelay.mode": { label: "Human-like delay", help: "Pause between reply blocks: off, natural or custom." },
  "agents.defaults.humanDelay.minMs": { label: "Delay minimum (ms)", help: "Shortest pause in custom mode." },
  "agents.defaults.humanDelay.maxMs": { label: "Delay maximum (ms)", help: "Longest pause in custom mode." },
  "agents.defaults.cliBackends": { label: "CLI backends", help: "Local command-line models to fall back to for text-only replies." },
  "agents.defaults.memorySearch": {
    label: "Memory search",
    help: "Semantic search over the workspace's MEMORY.md and memory/ notes; agents may override it.",
  },
  "agents.defaults.memorySearch.enabled": { label: "Memory search" },
  "agents.defaults.memorySearch.sources": {
    label: "Indexed sources",
    help: 'What gets indexed: "memory" notes, and "sessions" for past transcripts.',
  },
  "agents.defaults.memorySearch.extraPaths": {
    label: "Extra memory paths",
    help: "More folders or .md files to index; relative ones start at the workspace.",
  },
  "agents.defaults.memorySearch.experimental.sessionMemory": {
    label: "Index transcripts (experimental)",
    help: "Also index session transcripts.",
  },
  "agents.defaults.memorySearch.provider": { label: "Embedding provider", help: "openai, gemini or local." },
  "agents.defaults.memorySearch.remote.baseUrl": {
    label: "Embedding base URL",
    help: "For an OpenAI-compatible proxy or another Gemini endpoint.",
  },
  "agents.defaults.memorySearch.remote.apiKey": {
    label: "Embedding API key",
    help: "Key for the embedding endpoint, when it differs from the provider's usual key.",
  },
  "agents.defaults.memorySearch.remote.headers": { label: "Embedding headers", help: "Extra HTTP headers sent with embedding requests." },
  "agents.defaults.memorySearch.remote.batch.enabled": {
    label: "Batch embeddings",
    help: "Index through the provider's batch API where it has one.",
  },
  "agents.defaults.memorySearch.remote.batch.wait": { label: "Wait for batches", help: "Block indexing until a submitted batch finishes." },
  "agents.defaults.memorySearch.remote.batch.concurrency": {
    label: "Parallel batches",
    help: "Embedding batch jobs running at the same time while indexing.",
  },
  "agents.defaults.memorySearch.remote.batch.pollIntervalMs": {
    label: "Batch poll interval (ms)",
    help: "How often a running batch is checked.",
  },
  "agents.defaults.memorySearch.remote.batch.timeoutMinutes": { label: "Batch timeout (min)", help: "A batch taking longer is abandoned." },
  "agents.defaults.memorySearch.model": { label: "Embedding model" },
  "agents.defaults.memorySearch.fallback": {
    label: "Fallback embedding provider",
    help: "Used when the main one fails: openai, gemini, local or none.",
  },
  "agents.defaults.memorySearch.local.modelPath": { label: "Local model", help: "GGUF file path or hf: URI for local embeddings." },
  "agents.defaults.memorySearch.store.path": { label: "Index file", help: "SQLite file holding the index; one per agent by default." },
  "agents.defaults.memorySearch.store.vector.enabled": {
    label: "Vector index",
    help: "Use the sqlite-vec extension for similarity search.",
  },
  "agents.defaults.memorySearch.store.vector.extensionPath": {
    label: "sqlite-vec library",
    help: "Load the extension from this file instead of the bundled one.",
    advanced: true,
  },
  "agents.defaults.memorySearch.chunking.tokens": { label: "Chunk size (tokens)" },
  "agents.defaults.memorySearch.chunking.overlap": { label: "Chunk overlap (tokens)" },
  "agents.defaults.memorySearch.sync.onSessionStart": { label: "Reindex when a session starts" },
  "agents.defaults.memorySearch.sync.onSearch": {
    label: "Reindex on search",
    help: "Queue a reindex at search time when files changed since the last one.",
  },
  "agents.defaults.memorySearch.sync.watch": { label: "Watch memory files", help: "Reindex as soon as a memory file changes." },
  "agents.defaults.memorySearch.sync.watchDebounceMs": { label: "Watch debounce (ms)" },
  "agents.defaults.memorySearch.sync.sessions.deltaBytes": {
    label: "Transcript reindex after (bytes)",
    help: "New transcript bytes needed before transcripts are reindexed.",
  },
  "agents.defaults.memorySearch.sync.sessions.deltaMessages": {
    label: "Transcript reindex after (lines)",
    help: "New transcript lines needed before transcripts are reindexed.",
  },
  "agents.defaults.memorySearch.query.maxResults": { label: "Max results" },
  "agents.defaults.memorySearch.query.minScore": { label: "Minimum score", help: "Results scoring below this (0 to 1) are dropped." },
  "agents.defaults.memorySearch.query.hybrid.enabled": { label: "Hybrid search", help: "Combine keyword (BM25) and vector matches." },
  "agents.defaults.memorySearch.query.hybrid.vectorWeight": {
    label: "Vector weight",
    help: "Share of the score from vector similarity, 0 to 1.",
  },
  "agents.defaults.memorySearch.query.hybrid.textWeight": {
    label: "Keyword weight",
    help: "Share of the score from keyword relevance, 0 to 1.",
  },
  "agents.defaults.memorySearch.query.hybrid.candidateMultiplier": {
    label: "Candidate multiplier",
    help: "How many more candidates than results each side fetches before merging.",
  },
  "agents.defaults.memorySearch.cache.enabled": {
    label: "Embedding cache",
    help: "Keep chunk embeddings so unchanged text is not embedded again.",
  },
  "agents.defaults.memorySearch.cache.maxEntries": {
    label: "Embedding cache size",
    help: "Upper bound on cached embeddings (approximate).",
  },
  "agents.list": { label: "Agents", help: "Per-agent overrides; the entry marked default (or else the first) is the default agent." },
  "agents.list.*.identity.avatar": {
    label: "Avatar",
    help: "Image path inside the agent's workspace, an http(s) URL or a data: URI.",
    placeholder: "avatars/agent.png",
  },
  "agents.list.*.tools.profile": { label: "Tool profile", help: "This agent's base tool set, replacing tools.profile." },
  "agents.list.*.tools.alsoAllow": { label: "Also allowed tools", help: "Tools added to this agent's profile." },
  "agents.list.*.tools.byProvider": {
    label: "Tool policy by provider",
    help: "This agent's narrower tool policies for particular providers or models.",
  },

  // tools
  "tools.profile": { label: "Tool profile", help: "Base tool set: minimal, coding, messaging or full." },
  "tools.alsoAllow": { label: "Also allowed tools", help: "Tools added on top of the profile." },
  "tools.byProvider": { label: "Tool policy by provider", help: "Narrower tool policies for particular providers or provider/model ids." },
  "tools.links.enabled": { label: "Link understanding", help: "Summarise links in inbound messages for the model." },
  "tools.links.maxLinks": { label: "Links per message" },
  "tools.links.timeoutSeconds": { label: "Link timeout (s)" },
  "tools.links.models": { label: "Link models", help: "Models tried in order to summarise a link." },
  "tools.links.scope": { label: "Link scope", help: "Chats and channels where links are summarised." },
  "tools.media.models": { label: "Shared media models", help: "Models tried for any attachment kind that has no list of its own." },
  "tools.media.concurrency": { label: "Media concurrency", help: "Attachments processed at the same time." },
  ...mediaUnderstanding("image", "Image"),
  ...mediaUnderstanding("audio", "Audio"),
  "tools.media.audio.language": { label: "Audio language", help: "Language hint for transcription, e.g. en." },
  ...mediaUnderstanding("video", "Video"),
  "tools.exec.host": { label: "Exec host", help: "Where commands run: sandbox, gateway or node." },
  "tools.exec.security": { label: "Exec security", help: "deny, allowlist or full." },
  "tools.exec.ask": { label: "Exec approval prompts", help: "off, on-miss (ask for commands not on the allowlist) or always." },
  "tools.exec.node": { label: "Exec node", help: "Node id or name that runs commands when host is node." },
  "tools.exec.pathPrepend": { label: "PATH additions", help: "Folders put in front of PATH for every command." },
  "tools.exec.safeBins": { label: "Safe binaries", help: "Programs that only read stdin and may run without an allowlist entry." },
  "tools.exec.notifyOnExit": {
    label: "Notify when background commands exit",
    help: "Post a system event and wake the agent when a backgrounded command finishes.",
  },
  "tools.exec.applyPatch.enabled": {
    label: "apply_patch tool",
    help: "Experimental: give OpenAI models the apply_patch tool where policy allows it.",
  },
  "tools.exec.applyPatch.allowModels": {
    label: "apply_patch models",
    help: 'Model ids that get it, e.g. "gpt-5.2" or "openai/gpt-5.2"; all when empty.',
  },
  "tools.message.allowCrossContextSend": {
    label: "Send anywhere (legacy)",
    help: "Older switch that allows sending to any chat on any provider.",
  },
  "tools.message.crossContext.allowWithinProvider": {
    label: "Send to other chats, same provider",
    help: "Let the agent post to another chat of the provider it was asked on.",
  },
  "tools.message.crossContext.allowAcrossProviders": {
    label: "Send to other providers",
    help: "Let the agent post to chats of a different provider.",
  },
  "tools.message.crossContext.marker.enabled": {
    label: "Mark cross-chat sends",
    help: "Add a visible note saying where a cross-chat message came from.",
  },
  "tools.message.crossContext.marker.prefix": { label: "Marker prefix", help: '"{channel}" is replaced by the origin channel.' },
  "tools.message.crossContext.marker.suffix": { label: "Marker suffix", help: '"{channel}" is replaced by the origin channel.' },
  "tools.message.broadcast.enabled": { label: "Broadcast action", help: "Let the message tool send one message to several targets." },
  "tools.web.search.enabled": { label: "Web search", help: "Give the agent the web_search tool; it needs a search API key." },
  "tools.web.search.provider": { label: "Search provider", help: "brave or perplexity." },
  "tools.web.search.apiKey": { label: "Brave Search API key", help: "Falls back to the BRAVE_API_KEY environment variable." },
  "tools.web.search.maxResults": { label: "Search results", help: "Results returned per search, 1 to 10." },
  "tools.web.search.timeoutSeconds": { label: "Search timeout (s)", help: "A search taking longer is abandoned." },
  "tools.web.search.cacheTtlMinutes": { label: "Search cache (min)", help: "Repeat searches within this time reuse the earlier answer." },
  "tools.web.search.perplexity.apiKey": {
    label: "Perplexity API key",
    help: "Perplexity or OpenRouter key; falls back to PERPLEXITY_API_KEY, then OPENROUTER_API_KEY.",
  },
  "tools.web.search.perplexity.baseUrl": { label: "Perplexity base URL", help: "API endpoint; chosen from the key when unset." },
  "tools.web.search.perplexity.model": { label: "Perplexity model", help: "Model answering searches, instead of the default Sonar model." },
  "tools.web.fetch.enabled": { label: "Web fetch", help: "Give the agent the web_fetch tool, a plain HTTP fetch." },
  "tools.web.fetch.maxChars": { label: "Fetch limit (chars)", help: "Longer pages are cut." },
  "tools.web.fetch.timeoutSeconds": { label: "Fetch timeout (s)", help: "A fetch taking longer is abandoned." },
  "tools.web.fetch.cacheTtlMinutes": {
    label: "Fetch cache (min)",
    help: "Fetching the same URL again within this time reuses the earlier result.",
  },
  "tools.web.fetch.maxRedirects": { label: "Max redirects", help: "Redirects followed before a fetch gives up." },
  "tools.web.fetch.userAgent": { label: "Fetch User-Agent", help: "Sent instead of the default User-Agent header." },
  "tools.web.fetch.readability": {
    label: "Extract main content",
    help: "Strip pages down to their article text; plain HTML cleanup otherwise.",
  },
  "tools.web.fetch.firecrawl.enabled": {
    label: "Firecrawl fallback",
    help: "Retry failed fetches through Firecrawl when it is configured.",
  },
  "tools.web.fetch.firecrawl.apiKey": { label: "Firecrawl API key", help: "Falls back to the FIRECRAWL_API_KEY environment variable." },
  "tools.web.fetch.firecrawl.baseUrl": {
    label: "Firecrawl base URL",
    help: "Firecrawl API or a self-hosted endpoint.",
    placeholder: "https://api.firecrawl.dev",
  },
  "tools.web.fetch.firecrawl.onlyMainContent": {
    label: "Firecrawl main content only",
    help: "Ask Firecrawl for the article text without navigation and footers.",
  },
  "tools.web.fetch.firecrawl.maxAgeMs": {
    label: "Firecrawl cache age (ms)",
    help: "Accept Firecrawl's cached copy when it is younger than this.",
  },
  "tools.web.fetch.firecrawl.timeoutSeconds": { label: "Firecrawl timeout (s)", help: "A Firecrawl request taking longer is abandoned." },

  // models
  "models.mode": { label: "Provider merge mode", help: "merge keeps existing providers; replace overwrites models.json." },
  "models.providers": { label: "Custom providers", help: "Provider id → base URL, API flavour, key and models." },
  "models.providers.*.apiKey": { label: "API key" },

  // commands
  "commands.native": {
    label: "Native commands",
    help: "Register slash commands with channels that support them (Discord, Slack, Telegram): true, false or auto.",
  },
  "commands.nativeSkills": {
    label: "Native skill commands",
    help: "Also register user-invocable skills as slash commands: true, false or auto.",
  },
  "commands.text": { label: "Text commands", help: "Recognise /commands typed as ordinary messages." },
  "commands.bash": {
    label: "Shell command (!)",
    help: "Let allowed senders run host shell commands with ! or /bash. Needs tools.elevated allowlists.",
  },
  "commands.bashForegroundMs": {
    label: "Shell foreground window (ms)",
    help: "How long a ! command runs in the foreground before it is backgrounded; 0 backgrounds at once.",
  },
  "commands.config": { label: "Allow /config", help: "Let /config read and change openclaw.json from chat." },
  "commands.debug": { label: "Allow /debug", help: "Let /debug set temporary runtime overrides." },
  "commands.restart": { label: "Allow restart", help: "Let /restart and the gateway tool restart the gateway." },
  "commands.useAccessGroups": { label: "Enforce access groups", help: "Apply access-group allowlists and policies to commands." },

  // session / messages
  "session.scope": { label: "Session scope", help: "per-sender keeps a session per person; global shares one." },
  "session.dmScope": {
    label: "DM session scope",
    help: "main shares one session across all direct messages; per-peer, per-channel-peer and per-account-channel-peer split it further.",
  },
  "session.reset.mode": { label: "Reset mode", help: "daily (at a set hour) or idle (after a quiet period)." },
  "session.reset.atHour": { label: "Daily reset hour" },
  "session.reset.idleMinutes": { label: "Idle reset (minutes)" },
  "session.resetTriggers": { label: "Reset commands", placeholder: "/new" },
  "session.identityLinks": {
    label: "Identity links",
    help: "One person → their ids on several channels (e.g. telegram:123456), so their DMs share a session.",
  },
  "session.agentToAgent.maxPingPongTurns": {
    label: "Agent-to-agent reply turns",
    help: "How many times two agents may answer each other, 0 to 5.",
  },
  "messages.ackReaction": { label: "Ack reaction", help: "Emoji put on a message when it is picked up; empty turns it off." },
  "messages.ackReactionScope": { label: "Ack reaction scope", help: "group-mentions, group-all, direct or all." },
  "messages.inbound.debounceMs": {
    label: "Inbound debounce (ms)",
    help: "Messages a sender sends within this window are handled as one; 0 turns it off.",
  },

  // appearance / browser / talk / discovery
  "ui.seamColor": { label: "Accent colour", placeholder: "#FF4500" },
  "ui.assistant.name": { label: "Assistant name" },
  "ui.assistant.avatar": { label: "Assistant avatar" },
  "browser.evaluateEnabled": { label: "Allow page scripts", help: "Let the browser tool run JavaScript in pages." },
  "browser.snapshotDefaults": { label: "Snapshot defaults" },
  "browser.snapshotDefaults.mode": { label: "Snapshot mode" },
  "browser.remoteCdpTimeoutMs": { label: "Remote CDP timeout (ms)" },
  "browser.remoteCdpHandshakeTimeoutMs": { label: "Remote CDP handshake timeout (ms)" },
  "talk.apiKey": { label: "ElevenLabs API key" },
  "discovery.mdns.mode": { label: "mDNS broadcast", help: "minimal, full (also CLI path and SSH port) or off." },
  "skills.load.watch": { label: "Watch skill folders", help: "Reload skills when their files change." },
  "skills.load.watchDebounceMs": { label: "Skill watch debounce (ms)" },
  "hooks.token": { label: "Webhook token" },
  "hooks.gmail.pushToken": { label: "Gmail push token" },
  "messages.tts.elevenlabs.apiKey": { label: "ElevenLabs API key" },
  "messages.tts.openai.apiKey": { label: "OpenAI TTS API key" },

  // channels
  "channels.whatsapp.dmPolicy": dmPolicy("channels.whatsapp.allowFrom"),
  "channels.whatsapp.selfChatMode": {
    label: "Self-chat mode",
    help: "The bot runs on your own WhatsApp number and answers in your chat with yourself.",
  },
  "channels.whatsapp.debounceMs": {
    label: "Debounce (ms)",
    help: "Messages a sender sends within this window are handled as one; 0 turns it off.",
  },
  "channels.whatsapp.configWrites": configWrites("WhatsApp"),
  "channels.telegram.enabled": { label: "Enabled" },
  "channels.telegram.botToken": { label: "Bot token", help: "From @BotFather; TELEGRAM_BOT_TOKEN works as well." },
  "channels.telegram.dmPolicy": dmPolicy("channels.telegram.allowFrom"),
  "channels.telegram.allowFrom": { label: "Allowed senders", help: "Telegram user ids or @usernames." },
  "channels.telegram.groupPolicy": { label: "Group policy", help: "open, allowlist or disabled." },
  "channels.telegram.groupAllowFrom": { label: "Allowed group senders" },
  "channels.telegram.historyLimit": { label: "Group history limit", help: "Recent group messages given to the agent as context." },
  "channels.telegram.textChunkLimit": { label: "Text chunk limit", help: "Longer replies are split into several messages." },
  "channels.telegram.webhookUrl": { label: "Webhook URL", help: "Receive updates by webhook at this public URL instead of polling." },
  "channels.telegram.customCommands": {
    label: "Custom bot commands",
    help: "Extra entries for the bot's command menu; names that clash with built-in ones are skipped.",
  },
  "channels.telegram.streamMode": {
    label: "Draft streaming",
    help: "Stream replies as a draft while they are written: off, partial or block.",
  },
  "channels.telegram.draftChunk.minChars": {
    label: "Draft update minimum (chars)",
    help: "In block streaming, the draft is updated once this much new text exists.",
  },
  "channels.telegram.draftChunk.maxChars": {
    label: "Draft update maximum (chars)",
    help: "In block streaming, the most text added to the draft at once.",
  },
  "channels.telegram.draftChunk.breakPreference": {
    label: "Draft break point",
    help: "Where a draft update prefers to end: paragraph, newline or sentence.",
  },
  ...retry("Telegram", "channels.telegram"),
  "channels.telegram.network.autoSelectFamily": {
    label: "Auto-select IP family",
    help: "Override Node's happy-eyeballs setting for Telegram connections.",
  },
  "channels.telegram.timeoutSeconds": { label: "API timeout (s)", help: "Telegram API calls taking longer are aborted." },
  "channels.telegram.capabilities.inlineButtons": {
    label: "Inline buttons",
    help: "Where the bot may attach buttons: off, dm, group, all or allowlist.",
  },
  "channels.telegram.configWrites": configWrites("Telegram"),
  "channels.telegram.commands.native": nativeCommands("Telegram"),
  "channels.telegram.commands.nativeSkills": nativeSkills("Telegram"),
  "channels.discord.enabled": { label: "Enabled" },
  "channels.discord.token": { label: "Bot token", help: "From the Discord developer portal; DISCORD_BOT_TOKEN works as well." },
  "channels.discord.dm.policy": dmPolicy("channels.discord.dm.allowFrom"),
  "channels.discord.dm.allowFrom": { label: "Allowed DM senders", help: "Discord user ids or names." },
  "channels.discord.groupPolicy": { label: "Server channel policy", help: "open, allowlist or disabled." },
  "channels.discord.historyLimit": { label: "Server history limit", help: "Recent channel messages given to the agent as context." },
  "channels.discord.textChunkLimit": {
    label: "Text chunk limit",
    help: "Longer replies are split into several messages.",
    placeholder: "2000",
  },
  "channels.discord.maxLinesPerMessage": {
    label: "Lines per message",
    help: "Replies with more lines are split, even under the character limit.",
  },
  ...retry("Discord", "channels.discord"),
  "channels.discord.intents.presence": {
    label: "Presence intent",
    help: "Privileged; enable it in the developer portal too. Lets the bot see member presence.",
  },
  "channels.discord.intents.guildMembers": {
    label: "Server members intent",
    help: "Privileged; enable it in the developer portal too. Lets the bot list server members.",
  },
  "channels.discord.configWrites": configWrites("Discord"),
  "channels.discord.commands.native": nativeCommands("Discord"),
  "channels.discord.commands.nativeSkills": nativeSkills("Discord"),
  "channels.slack.botToken": { label: "Bot token", placeholder: "xoxb-…" },
  "channels.slack.appToken": { label: "App token", placeholder: "xapp-…" },
  "channels.slack.userToken": { label: "User token", placeholder: "xoxp-…" },
  "channels.slack.userTokenReadOnly": { label: "User token is read-only", help: "Use the user token only to read, never to post." },
  "channels.slack.signingSecret": { label: "Signing secret" },
  "channels.slack.dm.policy": dmPolicy("channels.slack.dm.allowFrom"),
  "channels.slack.allowBots": { label: "Answer bots", help: "Let messages from other bots trigger replies." },
  "channels.slack.thread.historyScope": {
    label: "Thread history",
    help: "thread keeps a thread's context to itself; channel shares the channel's.",
  },
  "channels.slack.thread.inheritParent": {
    label: "Threads inherit channel",
    help: "A new thread session starts with the parent channel's transcript.",
  },
  "channels.slack.configWrites": configWrites("Slack"),
  "channels.slack.commands.native": nativeCommands("Slack"),
  "channels.slack.commands.nativeSkills": nativeSkills("Slack"),
  "channels.mattermost.botToken": { label: "Bot token", help: "Created under System Console → Integrations → Bot Accounts." },
  "channels.mattermost.baseUrl": {
    label: "Server URL",
    help: "Address of your Mattermost server.",
    placeholder: "https://chat.example.com",
  },
  "channels.mattermost.chatmode": {
    label: "Chat mode",
    help: "oncall answers mentions, onchar answers messages starting with a trigger character, onmessage answers everything.",
  },
  "channels.mattermost.oncharPrefixes": {
    label: "Trigger characters",
    help: "Characters that start a message meant for the bot in onchar mode.",
  },
  "channels.mattermost.requireMention": { label: "Require mention", help: "In channels, answer only when the bot is mentioned." },
  "channels.mattermost.configWrites": configWrites("Mattermost"),
  "channels.signal.account": { label: "Signal account", placeholder: "+15555550123" },
  "channels.signal.dmPolicy": dmPolicy("channels.signal.allowFrom"),
  "channels.signal.configWrites": configWrites("Signal"),
  "channels.imessage.cliPath": { label: "imsg path" },
  "channels.imessage.dmPolicy": dmPolicy("channels.imessage.allowFrom"),
  "channels.imessage.configWrites": configWrites("iMessage"),
  "channels.bluebubbles.dmPolicy": dmPolicy("channels.bluebubbles.allowFrom"),
  "channels.bluebubbles.password": { label: "Server password" },
  "channels.googlechat.serviceAccount": { label: "Service account JSON" },
  "channels.msteams.appPassword": { label: "App password" },
  "channels.msteams.configWrites": configWrites("Microsoft Teams"),

  // plugins
  "plugins.enabled": { label: "Plugins", help: "Load plugins at all." },
  "plugins.allow": { label: "Allowed plugins", help: "When set, only these plugin ids load." },
  "plugins.deny": { label: "Blocked plugins", help: "These plugin ids never load, even when allowed." },
  "plugins.load.paths": { label: "Extra plugin paths", help: "More plugin files or folders to load." },
  "plugins.slots": { label: "Plugin slots", help: "Which plugin fills each one-of-a-kind role." },
  "plugins.slots.memory": { label: "Memory plugin", help: 'Plugin id that provides memory, or "none".' },
  "plugins.entries": { label: "Plugin settings", help: "Plugin id → on/off switch and the plugin's own settings." },
  "plugins.entries.*.enabled": { label: "Enabled", help: "Turns this plugin on or off; takes effect after a restart." },
  "plugins.entries.*.config": { label: "Plugin config", help: "Settings defined and checked by the plugin itself." },
  "plugins.installs": {
    label: "Installed plugins",
    help: "Written by `openclaw plugins install`; tells updates where each plugin came from.",
    advanced: true,
  },
  "plugins.installs.*.source": { label: "Source", help: "npm, archive or path." },
  "plugins.installs.*.spec": { label: "npm spec", help: "Package spec it was installed from." },
  "plugins.installs.*.sourcePath": { label: "Source path", help: "Archive or folder it was installed from." },
  "plugins.installs.*.installPath": {
    label: "Install folder",
    help: "Where the plugin was installed, usually under the state directory's extensions/.",
  },
  "plugins.installs.*.version": { label: "Version", help: "Plugin version at install time, when known." },
  "plugins.installs.*.installedAt": { label: "Installed at", help: "Time of the last install or update (ISO 8601)." },
};

function variants(node: JsonSchemaNode): JsonSchemaNode[] {
  const out = [node];
  for (const list of [node.anyOf, node.oneOf, node.allOf]) for (const v of list ?? []) out.push(...variants(v));
  return out;
}

/** Dotted paths of secret fields reachable without passing a map key or list item. */
function secretPaths(schema: JsonSchemaNode): string[] {
  const out = new Set<string>();
  const visit = (node: JsonSchemaNode, prefix: string[], depth: number): void => {
    if (depth > 40) return;
    for (const v of variants(node)) {
      for (const [key, child] of Object.entries(v.properties ?? {})) {
        const path = [...prefix, key];
        if (SENSITIVE_KEY_PATTERN.test(key)) out.add(path.join("."));
        visit(child, path, depth + 1);
      }
    }
  };
  visit(schema, [], 0);
  return [...out];
}

/** `appPassword` → "App password", `signingSecret` → "Signing secret". */
function humanize(key: string): string {
  const text = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .toLowerCase()
    .replace(/\bapi\b/g, "API");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Hints for the config form described by `schema` (the JSON Schema `config.schema` sends): one per
 * top-level section (label, group, order), the field table above, the heartbeat target (which lists
 * the schema's channels), and `sensitive: true` on every secret field and every hint named like one.
 * `channels` are the ones this gateway runs; the other channel sections say they are accepted only.
 */
export function configUiHints(schema: JsonSchemaNode, channels: RunnableChannel[] = []): UiHints {
  const hints: UiHints = {};
  const top = schema.properties ?? {};
  for (const [key, [label, order, extra]] of Object.entries(SECTIONS)) {
    if (!top[key]) continue;
    const accepted = IMPLEMENTED.has(key) ? {} : { help: "Accepted so existing files keep loading; this gateway does not act on it yet." };
    hints[key] = { label, group: label, order, ...accepted, ...extra };
  }

  const channelIds = Object.keys(top.channels?.properties ?? {}).filter((id) => id !== "defaults");
  const runnable = new Map(channels.map((c) => [c.id, c.label]));
  for (const id of ["defaults", ...channelIds]) {
    const label = runnable.get(id) ?? CHANNEL_LABELS[id] ?? humanize(id);
    hints[`channels.${id}`] =
      id === "defaults"
        ? { label, help: "Settings every channel falls back to." }
        : runnable.has(id)
          ? { label }
          : { label, help: `Accepted in the file for compatibility; this gateway does not run ${label}.` };
  }

  for (const [path, hint] of Object.entries(FIELDS)) hints[path] = { ...hints[path], ...hint };

  const target: FieldHint = {
    label: "Heartbeat target",
    help: `Where heartbeat replies go: last (the last chat), none, or a channel id (${channelIds.join(", ")}).`,
    placeholder: "last",
  };
  hints["agents.defaults.heartbeat.target"] = target;
  hints["agents.list.*.heartbeat.target"] = target;

  for (const path of secretPaths(schema)) hints[path] ??= { label: humanize(path.split(".").at(-1)!) };
  for (const [path, hint] of Object.entries(hints)) {
    if (SENSITIVE_KEY_PATTERN.test(path.split(".").at(-1)!)) hints[path] = { ...hint, sensitive: true };
  }
  return hints;
}

/**
 * The JSON Schema as editors get it. Like OpenClaw 2026.1.29, `channels` is described as open
 * (`additionalProperties: true`: channel plugins own their sections), so form editors leave that section
 * to the raw editor and show each channel's form on its own page, from `channels.properties.<id>`.
 */
export function editorSchema(schema: JsonSchemaNode): JsonSchemaNode {
  const channels = schema.properties?.channels;
  if (!channels) return schema;
  return { ...schema, properties: { ...schema.properties, channels: { ...channels, additionalProperties: true } } };
}
