/**
 * Slack send targets as operators write them (OpenClaw's forms): `channel:<id>`, `#<id>` or a bare id
 * for a channel (C…/G…) or DM channel (D…); `user:<id>`, `@<id>`, `slack:<id>` or a `<@id>` mention
 * for a direct message to a user (opened with conversations.open when sending). Channel names are not
 * looked up: a `#general` that is not an id is refused with the form to use.
 */
import { TargetError, type OutboundTarget } from "../types.js";

const HINT = "channel:<id>, user:<id>, <@id> or a channel id (C…, G…, D…)";
const ID = /^[A-Z0-9]+$/i;

export function parseSlackTarget(raw: string): OutboundTarget {
  const t = raw.trim();
  if (!t) throw new TargetError(`Delivering to Slack requires a target: ${HINT}`);
  const user = (id: string): OutboundTarget => {
    if (!ID.test(id)) throw new TargetError(`"${t}": Slack DMs require a user id (U…; use user:<id> or <@id>)`);
    return { chatId: `user:${id.toUpperCase()}` };
  };
  const channel = (id: string): OutboundTarget => {
    if (!ID.test(id)) throw new TargetError(`"${t}": Slack channels require a channel id (use channel:<id>; names are not looked up)`);
    return { chatId: id.toUpperCase() };
  };
  const mention = /^<@([A-Z0-9]+)(\|[^>]*)?>$/i.exec(t);
  if (mention) return user(mention[1]!);
  const prefixed = /^(user|channel|slack):\s*(.*)$/i.exec(t);
  if (prefixed) {
    const id = prefixed[2]!.trim();
    if (!id) throw new TargetError(`"${t}" names no id: use ${HINT}`);
    return prefixed[1]!.toLowerCase() === "channel" ? channel(id) : user(id);
  }
  if (t.startsWith("@")) return user(t.slice(1).trim());
  if (t.startsWith("#")) return channel(t.slice(1).trim());
  if (!ID.test(t)) throw new TargetError(`"${t}" is not a Slack target: use ${HINT}`);
  // A bare U…/W… is a person: send them a DM rather than failing with channel_not_found.
  return /^[UW]/i.test(t) ? user(t) : channel(t);
}
