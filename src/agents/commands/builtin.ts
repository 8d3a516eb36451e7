/**
 * The built-in chat commands' answers (`/new`, `/reset`, `/model`, `/status`, `/compact`, `/help`).
 * `/stop` is answered where messages arrive, since it must not wait behind the run it stops.
 */
import type { OpenClawConfig } from "../../config/schema.js";
import type { PluginCommands } from "../../plugins/hooks.js";
import { modelChainFor, resolveModel } from "../../providers/models.js";
import type { SessionDirectory } from "../../sessions/directory.js";
import type { Compactor } from "../compaction.js";
import type { AgentModels } from "../models.js";
import { statusText } from "../status.js";
import type { UsageLedger } from "../../budget/index.js";
import { COMMAND_HELP, type ChatCommand } from "./parse.js";
import { pluginCommandsHelp } from "./plugin.js";

export interface BuiltinCommandDeps {
  config(): OpenClawConfig;
  sessions: SessionDirectory;
  models: AgentModels;
  compactor: Compactor;
  /** Listed by `/help`. */
  pluginCommands?: PluginCommands;
  /** Spend per day and month, for the budget lines of `/status`. */
  spend?: { ledger: UsageLedger; now: number };
}

/** A reply, or (`/new hello`) the text to send on as a normal message in the new conversation. */
export type CommandOutcome = { reply: string } | { continueWith: string };

export async function runBuiltinCommand(
  deps: BuiltinCommandDeps,
  agentId: string,
  key: string,
  c: ChatCommand,
  runId: string,
): Promise<CommandOutcome> {
  const { sessions, models } = deps;
  const reply = (text: string) => ({ reply: text });
  const store = sessions.store(agentId);
  switch (c.name) {
    case "help": {
      const plugins = pluginCommandsHelp(deps.pluginCommands);
      return reply(`Commands:\n${COMMAND_HELP}${plugins ? `\n\n${plugins}` : ""}`);
    }
    case "new":
    case "reset": {
      let rest = c.rest;
      let model: string | undefined;
      const firstWord = rest.split(/\s+/)[0] ?? "";
      if (c.name === "new" && firstWord && models.isModelRef(firstWord)) {
        model = models.canonicalRef(firstWord);
        rest = rest.slice(firstWord.length).trim();
      }
      sessions.startNew(agentId, key, { modelOverride: model });
      if (rest) return { continueWith: rest };
      return reply(`New conversation started${model ? ` with ${model}` : ""}.`);
    }
    case "model": {
      const entry = sessions.current(agentId, key);
      const chain = modelChainFor(deps.config(), agentId, entry.modelOverride);
      if (!c.arg) {
        const lines = [`Model: ${chain[0]}${entry.modelOverride ? " (set for this conversation)" : ""}`];
        if (chain.length > 1) lines.push(`Fallbacks: ${chain.slice(1).join(", ")}`);
        lines.push("Switch with /model <provider/model>, back with /model default.");
        return reply(lines.join("\n"));
      }
      if (c.arg === "default" || c.arg === "reset") {
        store.update(key, { modelOverride: undefined });
        return reply(`Model back to ${modelChainFor(deps.config(), agentId)[0]}.`);
      }
      try {
        resolveModel(deps.config(), c.arg);
      } catch (e) {
        return reply(`Cannot switch: ${(e as Error).message}`);
      }
      store.update(key, { modelOverride: models.canonicalRef(c.arg) });
      return reply(`Model for this conversation: ${models.canonicalRef(c.arg)}.`);
    }
    case "status":
      return reply(statusText(deps.config(), agentId, key, sessions.current(agentId, key), deps.spend));
    case "compact": {
      const entry = sessions.current(agentId, key);
      const done = await deps.compactor.compact(agentId, key, entry, runId, true);
      return reply(done ? `Compacted: older messages (about ${done.tokensBefore} tokens) are now a summary.` : "Nothing to compact yet.");
    }
    case "stop":
      return reply("Nothing to stop.");
  }
}
