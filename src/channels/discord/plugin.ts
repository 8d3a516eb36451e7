/** Discord as a channel plugin: what the gateway knows about it before (and without) loading @discordjs. */
import { channelOnlyPlugin, type ChannelPlugin } from "../plugin.js";
import { resolveToken } from "./config.js";
import { discordRules } from "./rules.js";

export const discordChannel: ChannelPlugin = {
  id: "discord",
  label: "Discord",
  detailLabel: "Discord Bot",
  systemImage: "bubble.left.and.bubble.right",
  envToken: "DISCORD_BOT_TOKEN",
  credentialKeys: ["token"],
  rules: discordRules,
  tokenKey: "token",
  resolveToken,
  load: async () => (await import("./index.js")).createDiscordAdapter,
};

export default channelOnlyPlugin(discordChannel, "Discord bots (DMs, guild channels, threads) through @discordjs/ws and @discordjs/rest");
