/**
 * Discord send targets as operators write them (OpenClaw's forms): `channel:<id>` for a channel or
 * thread, `user:<id>`, `discord:<id>`, `@<id>` or a `<@id>` mention for a DM. A bare number could be
 * either, so it is refused with both spellings, as OpenClaw does; names are not looked up.
 */
import { TargetError, type OutboundTarget } from "../types.js";

const HINT = "<channelId|user:ID|channel:ID>";

export function parseDiscordTarget(raw: string): OutboundTarget {
  const t = raw.trim();
  if (!t) throw new TargetError(`Delivering to Discord requires target ${HINT}`);
  const user = (id: string): OutboundTarget => ({ chatId: `user:${id}` });
  const mention = /^<@!?(\d+)>$/.exec(t);
  if (mention) return user(mention[1]!);
  const prefixed = /^(user|discord|channel):\s*(.*)$/.exec(t);
  if (prefixed) {
    const id = prefixed[2]!.trim();
    if (!/^\d+$/.test(id))
      throw new TargetError(`"${t}": a Discord ${prefixed[1] === "channel" ? "channel" : "user"} id is a number (${HINT})`);
    return prefixed[1] === "channel" ? { chatId: id } : user(id);
  }
  if (t.startsWith("@")) {
    const id = t.slice(1).trim();
    if (!/^\d+$/.test(id)) throw new TargetError("Discord DMs require a user id (use user:<id> or a <@id> mention)");
    return user(id);
  }
  if (/^\d+$/.test(t))
    throw new TargetError(`Ambiguous Discord recipient "${t}". Use "user:${t}" for DMs or "channel:${t}" for channel messages.`);
  throw new TargetError(`"${t}" is not a Discord target: use channel:<id>, user:<id> or a <@id> mention (names are not looked up)`);
}
