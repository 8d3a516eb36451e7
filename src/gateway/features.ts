/**
 * The gateway's built-in features that run on their own (scheduled jobs, heartbeats, webhooks,
 * memory), each a built-in plugin registering its methods, tools, routes, CLI commands and service
 * through the plugin API. One line per feature.
 */
import { heartbeatPlugin } from "../heartbeat/plugin.js";
import type { BuiltinPlugin } from "../plugins/builtin.js";
import { cronPlugin } from "../cron/plugin.js";
import type { LateServices } from "./services.js";
import { webhooksPlugin } from "../webhooks/plugin.js";
import { memoryPlugin } from "../memory/plugin.js";
import { ttsPlugin } from "../tts/plugin.js";
import { voiceCallPlugin } from "../voice-call/plugin.js";

export function featurePlugins(services: LateServices): BuiltinPlugin[] {
  return [
    // Scheduled jobs: cron.* methods, the cron tool, jobs.json.
    cronPlugin(services),
    // Heartbeats, and what wake and system-event feed them.
    heartbeatPlugin(services),
    // POST /hooks/wake and /hooks/agent.
    webhooksPlugin(services),
    // memory_search and memory_get, the memory flush before compaction.
    memoryPlugin(services),
    // tts.* methods: speech settings and conversion.
    ttsPlugin(services),
    // Phone calls (plugins.entries.voice-call): voicecall.* methods, the voice_call tool, the provider webhook.
    voiceCallPlugin(services),
  ];
}
