/** Telegram as a channel plugin: what the gateway knows about it before (and without) loading grammY. */
import type { ChannelPlugin } from "../plugin.js";
import type { BuiltinPlugin } from "../../plugins/builtin.js";
import { resolveToken } from "./config.js";
import { telegramRules } from "./rules.js";

export const telegramChannel: ChannelPlugin = {
  id: "telegram",
  label: "Telegram",
  detailLabel: "Telegram Bot",
  systemImage: "paperplane",
  envToken: "TELEGRAM_BOT_TOKEN",
  credentialKeys: ["botToken", "tokenFile"],
  rules: telegramRules,
  tokenKey: "botToken",
  resolveToken,
  load: async () => (await import("./index.js")).createTelegramAdapter,
};

const plugin: BuiltinPlugin = {
  id: "telegram",
  name: "Telegram",
  description: "Telegram bots (long polling or webhook) through grammY",
  register(api) {
    api.registerChannel({ plugin: telegramChannel });
  },
};
export default plugin;
