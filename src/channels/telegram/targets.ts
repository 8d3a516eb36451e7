/**
 * Telegram send targets as operators write them (OpenClaw's forms): a chat id (`123456789`,
 * `-1001234567890`), `@username`, a bare public username (`mychannel`), a `t.me/<name>` link, any of
 * them behind `telegram:` / `tg:` (and `telegram:group:`), with a forum topic as `:topic:<id>` or
 * `:<id>` after the chat.
 */
import { TargetError, type OutboundTarget } from "../types.js";

const HINT = "use a chat id (123456789, -1001234567890), @username or a t.me/<name> link, optionally followed by :topic:<id>";

/** Removes `telegram:` / `tg:` prefixes (repeated), and the `group:` that may follow them. */
function stripPrefixes(to: string): string {
  let s = to.trim();
  let stripped = false;
  for (;;) {
    let next = s;
    if (/^(telegram|tg):/i.test(s)) {
      stripped = true;
      next = s.replace(/^(telegram|tg):/i, "").trim();
    } else if (stripped && /^group:/i.test(s)) next = s.replace(/^group:/i, "").trim();
    if (next === s) return s;
    s = next;
  }
}

export function parseTelegramTarget(raw: string): OutboundTarget {
  if (!raw.trim()) throw new TargetError(`Delivering to Telegram requires target <chatId>: ${HINT}`);
  const stripped = stripPrefixes(raw);
  let chat = stripped;
  let threadId: string | undefined;
  const topic = /^(.+?):topic:(\d+)$/.exec(stripped) ?? /^(.+):(\d+)$/.exec(stripped);
  if (topic) {
    chat = topic[1]!;
    threadId = String(Number.parseInt(topic[2]!, 10));
  }
  const link = /^(?:https?:\/\/)?t\.me\/([A-Za-z0-9_]+)$/i.exec(chat);
  if (link) chat = `@${link[1]}`;
  let chatId: string;
  if (/^@[A-Za-z0-9_]+$/.test(chat) || /^-?\d+$/.test(chat)) chatId = chat;
  else if (/^[A-Za-z0-9_]{5,}$/.test(chat)) chatId = `@${chat}`;
  else throw new TargetError(`"${raw.trim()}" is not a Telegram chat: ${HINT}`);
  return threadId ? { chatId, threadId } : { chatId };
}
