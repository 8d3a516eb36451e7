/**
 * Signal send targets as operators write them (OpenClaw's forms): a number (`+15551234567`, or
 * `signal:+1…`), `uuid:<id>` or a bare UUID, `group:<id>` / `signal:group:<id>`, and
 * `username:<name>` / `u:<name>`. The chat id keeps the kind: `+1…`, `uuid:<id>`, `group:<id>`,
 * `username:<name>`.
 */
import { TargetError, type OutboundTarget } from "../types.js";
import { normalizeE164 } from "./config.js";

const HINT = "use +15551234567, uuid:<id>, group:<groupId> or username:<name> (optionally after signal:)";
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export function parseSignalTarget(raw: string): OutboundTarget {
  let s = raw.trim();
  if (!s) throw new TargetError(`Delivering to Signal requires a target: ${HINT}`);
  while (/^signal:/i.test(s)) s = s.slice(7).trim();
  const prefixed = /^(group|username|u|uuid):(.*)$/i.exec(s);
  if (prefixed) {
    const kind = prefixed[1]!.toLowerCase();
    const id = prefixed[2]!.trim();
    if (!id) throw new TargetError(`"${raw.trim()}" names no ${kind === "u" ? "username" : kind}: ${HINT}`);
    if (kind === "group") return { chatId: `group:${id}` };
    if (kind === "uuid") return { chatId: `uuid:${id.toLowerCase()}` };
    return { chatId: `username:${id}` };
  }
  if (UUID.test(s)) return { chatId: `uuid:${s.toLowerCase()}` };
  if (/^\+?[\d\s().-]{3,}$/.test(s) && /\d{3,}/.test(s.replace(/[^\d]/g, ""))) return { chatId: normalizeE164(s) };
  throw new TargetError(`"${raw.trim()}" is not a Signal recipient: ${HINT}`);
}

/** The JSON-RPC parameters that address a chat id: `recipient`, `groupId` or `username`. */
export function rpcTarget(chatId: string): { recipient: string[] } | { groupId: string } | { username: string[] } {
  if (chatId.startsWith("group:")) return { groupId: chatId.slice(6) };
  if (chatId.startsWith("username:")) return { username: [chatId.slice(9)] };
  if (chatId.startsWith("uuid:")) return { recipient: [chatId.slice(5)] };
  return { recipient: [chatId] };
}
