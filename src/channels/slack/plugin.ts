/** Slack as a channel plugin: what the gateway knows about it before (and without) loading Bolt. */
import { channelOnlyPlugin, type ChannelPlugin } from "../plugin.js";
import { setupCheck } from "./config.js";
import { slackRules } from "./rules.js";

export const slackChannel: ChannelPlugin = {
  id: "slack",
  label: "Slack",
  detailLabel: "Slack Bot",
  systemImage: "number",
  envToken: "SLACK_BOT_TOKEN",
  credentialKeys: ["botToken", "appToken", "userToken", "signingSecret"],
  rules: slackRules,
  setup: (config, accountId, env) => setupCheck(config, accountId, env),
  load: async () => (await import("./index.js")).createSlackAdapter,
};

export default channelOnlyPlugin(slackChannel, "Slack apps (DMs, channels, threads) through Bolt, in Socket Mode or over HTTP");
