/**
 * Chat commands, handled by the gateway before (or instead of) the model: `/new`, `/reset`,
 * `/model [ref]`, `/status`, `/stop`, `/compact`, `/help` (or `/commands`). They work the same in every
 * conversation.
 */

export type ChatCommand =
  { name: "new" | "reset"; rest: string } | { name: "model"; arg: string } | { name: "status" | "stop" | "compact" | "help" };

export const COMMAND_HELP = [
  "/new or /reset: start a fresh conversation (text after it is sent to the new one; /new <model> also switches model)",
  "/model: show the model in use; /model <provider/model or alias>: switch this conversation's model; /model default: go back",
  "/status: model, tokens, cost and context use of this conversation",
  "/stop: stop the reply in progress",
  "/compact: summarise older messages now to free context",
  "/help or /commands: this list",
].join("\n");

/** Recognises a command at the start of a message; anything else is a normal message. */
export function parseCommand(text: string, extraResetTriggers: string[] = []): ChatCommand | null {
  const t = text.trim();
  for (const trigger of extraResetTriggers) {
    if (t === trigger || t.startsWith(trigger + " ")) return { name: "reset", rest: t.slice(trigger.length).trim() };
  }
  const m = /^\/([a-z]+)(?:\s+([\s\S]*))?$/i.exec(t);
  if (!m) return null;
  const name = m[1]!.toLowerCase();
  const rest = (m[2] ?? "").trim();
  switch (name) {
    case "new":
    case "reset":
      return { name, rest };
    case "model":
    case "models":
      return { name: "model", arg: rest };
    case "status":
    case "stop":
    case "compact":
    case "help":
      return { name };
    case "commands":
      return { name: "help" };
    default:
      return null;
  }
}
