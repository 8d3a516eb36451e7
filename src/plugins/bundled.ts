/**
 * The plugins built into the gateway, in registration order (`channels.status` lists channels in this
 * order). A new built-in channel is its folder under `src/channels/` and one line here.
 */
import type { BuiltinPlugin } from "./builtin.js";
import telegram from "../channels/telegram/plugin.js";
import discord from "../channels/discord/plugin.js";
import whatsapp from "../channels/whatsapp/plugin.js";
import slack from "../channels/slack/plugin.js";
import signal from "../channels/signal/plugin.js";

// OpenClaw's own channel order (channels.status lists them so).
export const BUNDLED_PLUGINS: readonly BuiltinPlugin[] = [telegram, whatsapp, discord, slack, signal];
