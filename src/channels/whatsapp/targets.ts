/** Targets as operators write them: `+15551234567`, `whatsapp:+1555…`, `<number>@s.whatsapp.net`, `<id>@g.us`. */
import { TargetError, type OutboundTarget } from "../types.js";
import { normalizeE164 } from "./config.js";

const FORMS = "+15551234567, whatsapp:+15551234567, 15551234567@s.whatsapp.net or 1203630…@g.us";

/** The jid a target names. */
export function toJid(raw: string): string {
  const s = raw.trim().replace(/^whatsapp:/i, "");
  if (/^[\d-]+@g\.us$/.test(s)) return s;
  if (/^\d+(:\d+)?@(s\.whatsapp\.net|c\.us|lid)$/.test(s)) return s.replace(/:\d+@/, "@").replace(/@c\.us$/, "@s.whatsapp.net");
  const e164 = normalizeE164(s);
  if (e164) return `${e164.slice(1)}@s.whatsapp.net`;
  throw new TargetError(`unknown WhatsApp target "${raw}": use ${FORMS}`);
}

export function parseWhatsAppTarget(raw: string): OutboundTarget {
  return { chatId: toJid(raw) };
}
