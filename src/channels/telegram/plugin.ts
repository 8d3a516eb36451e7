/** Telegram as a channel plugin: what the gateway knows about it before (and without) loading grammY. */
import { channelOnlyPlugin, type ChannelPlugin } from "../plugin.js";
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

export default channelOnlyPlugin(telegramChannel, "Telegram bots (long polling or webhook) through grammY");
