/**
 * Chat commands plugins registered (`api.registerCommand`): `/name args` answered by the plugin's
 * handler instead of the model, as in OpenClaw. Built-in commands take precedence (plugins cannot
 * register their names); a command with `acceptsArgs: false` sent with arguments is not a command,
 * the message goes to the model. By default (`requireAuth`) only the owner and allowlisted senders
 * may run one.
 */
import type { OpenClawConfig } from "../../config/schema.js";
import type { PluginCommands } from "../../plugins/hooks.js";
import type { CommandRegistration } from "../../plugins/registry.js";

/** Longest argument text handed to a handler. */
const MAX_ARGS_CHARS = 4096;

export interface PluginCommandMatch {
  registration: CommandRegistration;
  /** The name as registered. */
  name: string;
  args?: string;
  /** The whole command as sent, trimmed. */
  body: string;
}

/** The plugin command `text` invokes, if any. */
export function matchPluginCommand(commands: PluginCommands | undefined, text: string): PluginCommandMatch | null {
  if (!commands) return null;
  const body = text.trim();
  const m = /^\/(\S+)(?:\s+([\s\S]*))?$/.exec(body);
  if (!m) return null;
  const registration = commands.get(m[1]!.toLowerCase());
  if (!registration) return null;
  const args = m[2]?.trim() || undefined;
  if (args && !registration.command.acceptsArgs) return null;
  return { registration, name: registration.command.name, args, body };
}

/** Control characters (but tabs and newlines) out, length capped: handlers get plain text. */
function cleanArgs(args: string | undefined): string | undefined {
  if (args === undefined) return undefined;
  // eslint-disable-next-line no-control-regex
  return args.slice(0, MAX_ARGS_CHARS).replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "");
}

export interface PluginCommandCaller {
  senderId?: string;
  /** The channel it came from (`telegram`, `webchat`, …). */
  channel: string;
  isAuthorizedSender: boolean;
  config: OpenClawConfig;
}

/**
 * Runs the command and returns the reply text. Never throws: a refused sender gets a refusal, and a
 * handler that throws gets a short error naming the command (its plugin is marked failed).
 */
export async function runPluginCommand(commands: PluginCommands, match: PluginCommandMatch, caller: PluginCommandCaller): Promise<string> {
  const { command, pluginId } = match.registration;
  if (command.requireAuth !== false && !caller.isAuthorizedSender) {
    return `/${match.name} is only for the owner and allowlisted senders.`;
  }
  try {
    const out: unknown = await command.handler({
      senderId: caller.senderId,
      channel: caller.channel,
      isAuthorizedSender: caller.isAuthorizedSender,
      args: cleanArgs(match.args),
      commandBody: match.body,
      config: caller.config,
    });
    const text = (out as { text?: unknown } | null | undefined)?.text;
    return typeof text === "string" ? text : "";
  } catch (e) {
    commands.failed(pluginId, `/${match.name} command failed: ${e instanceof Error ? e.message : String(e)}`);
    return `/${match.name} failed (plugin ${pluginId}); the gateway log has the details.`;
  }
}

/** The `/help` and `/commands` section listing plugin commands (empty without any). */
export function pluginCommandsHelp(commands: PluginCommands | undefined): string {
  const list = commands?.list() ?? [];
  if (list.length === 0) return "";
  const lines = list.map(
    ({ command, pluginId }) => `/${command.name} (${pluginId})${command.description ? `: ${command.description}` : ""}`,
  );
  return `Plugins:\n${lines.join("\n")}`;
}
